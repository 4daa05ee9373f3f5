#include "TestClient.h"

#include <QDeadlineTimer>
#include <QSslConfiguration>

using namespace Qt::StringLiterals;

namespace paydesk::test {

QByteArray RawResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key == name.toLower())
            return value;
    }
    return {};
}

RawTlsClient::RawTlsClient(std::optional<QSslCertificate> ca) : m_socket(std::make_unique<QSslSocket>())
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    if (ca) {
        configuration.setCaCertificates({*ca});
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    } else {
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    m_socket->setSslConfiguration(configuration);
}

RawTlsClient::~RawTlsClient() = default;

bool RawTlsClient::connectTo(quint16 port, int timeoutMs)
{
    m_socket->connectToHostEncrypted(u"127.0.0.1"_s, port, QString());
    m_socket->setPeerVerifyName(u"localhost"_s);
    return m_socket->waitForEncrypted(timeoutMs);
}

bool RawTlsClient::connectPlain(quint16 port, int timeoutMs)
{
    m_socket->connectToHost(u"127.0.0.1"_s, port);
    return m_socket->waitForConnected(timeoutMs);
}

void RawTlsClient::send(const QByteArray &bytes)
{
    m_socket->write(bytes);
    m_socket->flush();
}

bool RawTlsClient::isConnected() const
{
    return m_socket->state() == QAbstractSocket::ConnectedState;
}

bool RawTlsClient::fill(int timeoutMs)
{
    if (m_socket->bytesAvailable() == 0 && !m_socket->waitForReadyRead(timeoutMs))
        return false;
    m_buffer += m_socket->readAll();
    return true;
}

std::optional<RawResponse> RawTlsClient::readResponse(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
        if (headerEnd >= 0) {
            const QList<QByteArray> lines = m_buffer.left(headerEnd).split('\n');
            RawResponse response;
            const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
            if (statusLine.size() < 2 || !statusLine.first().startsWith("HTTP/1."))
                return std::nullopt;
            response.status = statusLine.at(1).toInt();
            qsizetype contentLength = 0;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines.at(i).indexOf(':');
                if (colon <= 0)
                    continue;
                const QByteArray name = lines.at(i).left(colon).trimmed().toLower();
                const QByteArray value = lines.at(i).mid(colon + 1).trimmed();
                response.headers.append({name, value});
                if (name == "content-length")
                    contentLength = value.toLongLong();
            }
            if (response.status == 100) { // interim response: skip it
                m_buffer.remove(0, headerEnd + 4);
                continue;
            }
            while (m_buffer.size() < headerEnd + 4 + contentLength) {
                if (deadline.hasExpired() || !fill(int(std::max<qint64>(1, deadline.remainingTime()))))
                    return std::nullopt;
            }
            response.body = m_buffer.mid(headerEnd + 4, contentLength);
            m_buffer.remove(0, headerEnd + 4 + contentLength);
            return response;
        }
        if (deadline.hasExpired() || !fill(int(std::max<qint64>(1, deadline.remainingTime()))))
            return std::nullopt;
    }
}

bool RawTlsClient::waitForClose(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (m_socket->state() != QAbstractSocket::UnconnectedState) {
        if (deadline.hasExpired())
            return false;
        if (!m_socket->waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) {
            if (m_socket->state() == QAbstractSocket::UnconnectedState)
                return true;
            if (m_socket->error() == QAbstractSocket::SocketTimeoutError && !deadline.hasExpired())
                continue;
            return m_socket->state() != QAbstractSocket::ConnectedState;
        }
        m_buffer += m_socket->readAll();
    }
    return true;
}

QByteArray RawTlsClient::get(const QByteArray &target, const QByteArray &extraHeaders)
{
    return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders + "\r\n";
}

QByteArray RawTlsClient::post(const QByteArray &target, const QByteArray &body, const QByteArray &extraHeaders)
{
    return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body;
}

} // namespace paydesk::test
