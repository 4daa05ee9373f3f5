#include "LoadClient.h"

#include <QEventLoop>
#include <QSslConfiguration>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

constexpr int kKeptErrors = 5;

} // namespace

double LoadClient::Result::percentileMs(const std::vector<qint64> &latenciesUs, double p)
{
    if (latenciesUs.empty())
        return 0;
    std::vector<qint64> sorted = latenciesUs;
    const size_t index = std::min(sorted.size() - 1, size_t(p / 100.0 * double(sorted.size())));
    std::nth_element(sorted.begin(), sorted.begin() + qsizetype(index), sorted.end());
    return double(sorted[index]) / 1000.0;
}

LoadClient::LoadClient(quint16 port, const QSslCertificate &ca, int connections, RequestSource source,
                       qint64 maxRequests, int seconds)
    : LoadClient(port, ca, Options{connections, maxRequests, seconds, false},
                 [source = std::move(source)](qint64 index, int) {
                     return Request{source(index), 0};
                 })
{
}

LoadClient::LoadClient(quint16 port, const QSslCertificate &ca, Options options, Source source, Check check)
    : m_port(port), m_ca(ca), m_options(options), m_source(std::move(source)), m_check(std::move(check))
{
    for (int i = 0; i < m_options.connections; ++i) {
        m_connections.push_back(std::make_unique<Connection>());
        m_connections.back()->id = i;
    }
}

LoadClient::~LoadClient()
{
    closeAll();
}

void LoadClient::closeAll()
{
    for (auto &connection : m_connections) {
        if (connection->socket) {
            connection->socket->disconnect(this);
            connection->socket->abort();
        }
    }
}

void LoadClient::connectOne(Connection &connection)
{
    connection.socket = std::make_unique<QSslSocket>();
    connection.socket->setSslConfiguration(m_tls);
    Connection *c = &connection;
    const auto settle = [this] {
        if (m_connecting < m_connections.size())
            connectOne(*m_connections[m_connecting++]);
        if (++m_settled == int(m_connections.size())) {
            m_clock.start(); // the clock starts once every connection is up
            for (auto &each : m_connections)
                if (each->socket->isEncrypted())
                    sendNext(*each);
        }
    };
    connect(c->socket.get(), &QSslSocket::encrypted, this, settle);
    connect(c->socket.get(), &QSslSocket::readyRead, this, [this, c] { onReadable(*c); });
    connect(c->socket.get(), &QAbstractSocket::errorOccurred, this, [this, c, settle] {
        if (!m_clock.isValid() && !c->socket->isEncrypted()) {
            if (c->failed)
                return;
            c->failed = true;
            ++m_result.errors; // never came up: counted once, as a broken connection
            if (m_result.firstErrors.size() < kKeptErrors)
                m_result.firstErrors.append("connection: " + c->socket->errorString().toUtf8());
            settle();
            return;
        }
        if (c->busy)
            recordError(*c, "connection: " + c->socket->errorString().toUtf8());
    });
    c->socket->connectToHostEncrypted(u"127.0.0.1"_s, m_port, u"localhost"_s);
}

LoadClient::Result LoadClient::run()
{
    QEventLoop loop;
    m_tls = QSslConfiguration::defaultConfiguration();
    m_tls.setCaCertificates({m_ca});
    const size_t window = m_options.handshakeWindow > 0 ? size_t(m_options.handshakeWindow) : m_connections.size();
    while (m_connecting < std::min(window, m_connections.size()))
        connectOne(*m_connections[m_connecting++]);
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, this, [this] { m_done = true; });
    deadline.start((m_options.seconds + 60) * 1000); // the run stops on its own clock; this is a safety net
    QTimer poll;
    connect(&poll, &QTimer::timeout, &loop, [this, &loop] {
        if (m_clock.isValid() && m_clock.elapsed() >= m_options.seconds * 1000LL)
            m_done = true;
        if (m_done && m_inFlight == 0)
            loop.quit();
    });
    poll.start(10);
    loop.exec();
    m_result.seconds = m_clock.isValid() ? double(m_clock.nsecsElapsed()) / 1e9 : 0;
    if (!m_options.keepOpen)
        closeAll();
    return m_result;
}

void LoadClient::sendNext(Connection &connection)
{
    if (m_done)
        return;
    if (m_options.maxRequests > 0 && m_issued >= m_options.maxRequests) {
        m_done = true;
        return;
    }
    connection.index = m_issued++;
    Request request = m_source(connection.index, connection.id);
    if (request.bytes.isEmpty()) { // the source is exhausted: the run ends with the answers in flight
        m_done = true;
        return;
    }
    connection.kind = request.kind;
    connection.busy = true;
    ++m_inFlight;
    connection.sent.start();
    connection.socket->write(request.bytes);
}

void LoadClient::recordError(Connection &connection, const QByteArray &what)
{
    ++m_result.errors;
    ++m_result.errorsByKind[connection.kind];
    if (m_result.firstErrors.size() < kKeptErrors)
        m_result.firstErrors.append(what.left(600));
    connection.busy = false;
    --m_inFlight;
}

void LoadClient::onReadable(Connection &connection)
{
    connection.buffer += connection.socket->readAll();
    for (;;) {
        const qsizetype end = connection.buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        qsizetype length = 0;
        const qsizetype at = connection.buffer.indexOf("Content-Length: ");
        if (at >= 0 && at < end)
            length = connection.buffer.mid(at + 16, connection.buffer.indexOf("\r\n", at) - at - 16).toLongLong();
        if (connection.buffer.size() < end + 4 + length)
            return;
        if (!connection.busy) { // an answer nobody asked for: the server broke the framing
            connection.buffer.clear();
            ++m_result.errors;
            return;
        }
        const qint64 latencyUs = connection.sent.nsecsElapsed() / 1000;
        const int status = connection.buffer.mid(9, 3).toInt();
        const QByteArray body = connection.buffer.mid(end + 4, length);
        const bool right = m_check ? m_check(connection.index, connection.id, connection.kind, status, body)
                                   : status >= 200 && status < 300;
        const QByteArray head = connection.buffer.left(end);
        connection.buffer.remove(0, end + 4 + length);
        m_result.latenciesUs.push_back(latencyUs);
        m_result.latenciesByKind[connection.kind].push_back(latencyUs);
        ++m_result.requests;
        if (!right) {
            recordError(connection, head.left(head.indexOf("\r\n")) + " " + body);
        } else {
            connection.busy = false;
            --m_inFlight;
        }
        if (m_options.maxRequests > 0 && m_issued >= m_options.maxRequests)
            m_done = true;
        sendNext(connection);
    }
}

} // namespace paydesk::bench
