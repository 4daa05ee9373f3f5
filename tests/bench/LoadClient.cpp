#include "LoadClient.h"

#include <QEventLoop>
#include <QSslConfiguration>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

double LoadClient::Result::percentileMs(double p) const
{
    if (latenciesUs.empty())
        return 0;
    std::vector<qint64> sorted = latenciesUs;
    const size_t index = std::min(sorted.size() - 1, size_t(p / 100.0 * double(sorted.size())));
    std::nth_element(sorted.begin(), sorted.begin() + qsizetype(index), sorted.end());
    return sorted[index] / 1000.0;
}

LoadClient::LoadClient(quint16 port, const QSslCertificate &ca, int connections, RequestSource source,
                       qint64 maxRequests, int seconds)
    : m_port(port), m_ca(ca), m_source(std::move(source)), m_maxRequests(maxRequests), m_seconds(seconds)
{
    for (int i = 0; i < connections; ++i)
        m_connections.push_back(std::make_unique<Connection>());
}

LoadClient::Result LoadClient::run()
{
    QEventLoop loop;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates({m_ca});
    int ready = 0;
    for (auto &connection : m_connections) {
        connection->socket = std::make_unique<QSslSocket>();
        connection->socket->setSslConfiguration(configuration);
        Connection *c = connection.get();
        connect(c->socket.get(), &QSslSocket::encrypted, this, [&ready, this] {
            if (++ready == int(m_connections.size())) {
                m_clock.start(); // the clock starts once every connection is up
                for (auto &each : m_connections)
                    sendNext(*each);
            }
        });
        connect(c->socket.get(), &QSslSocket::readyRead, this, [this, c] { onReadable(*c); });
        connect(c->socket.get(), &QAbstractSocket::errorOccurred, this, [this, c] {
            if (!m_done && c->busy) {
                ++m_result.errors;
                c->busy = false;
                --m_inFlight;
            }
        });
        c->socket->connectToHostEncrypted(u"127.0.0.1"_s, m_port, u"localhost"_s);
    }
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, this, [this] { m_done = true; });
    deadline.start((m_seconds + 30) * 1000); // the run itself stops on its own clock; this is a safety net
    QTimer poll;
    connect(&poll, &QTimer::timeout, &loop, [this, &loop] {
        if (m_clock.isValid() && m_clock.elapsed() >= m_seconds * 1000LL)
            m_done = true;
        if (m_done && m_inFlight == 0)
            loop.quit();
    });
    poll.start(10);
    loop.exec();
    m_result.seconds = m_clock.isValid() ? m_clock.nsecsElapsed() / 1e9 : 0;
    for (auto &connection : m_connections)
        connection->socket->abort();
    return m_result;
}

void LoadClient::sendNext(Connection &connection)
{
    if (m_done)
        return;
    if (m_maxRequests > 0 && m_issued >= m_maxRequests) {
        m_done = true;
        return;
    }
    const QByteArray request = m_source(m_issued++);
    connection.busy = true;
    ++m_inFlight;
    connection.sent.start();
    connection.socket->write(request);
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
        const int status = connection.buffer.mid(9, 3).toInt();
        connection.buffer.remove(0, end + 4 + length);
        m_result.latenciesUs.push_back(connection.sent.nsecsElapsed() / 1000);
        ++m_result.requests;
        if (status < 200 || status >= 300)
            ++m_result.errors;
        connection.busy = false;
        --m_inFlight;
        if (m_maxRequests > 0 && m_issued >= m_maxRequests)
            m_done = true;
        sendNext(connection);
    }
}

} // namespace paydesk::bench
