#include "common/client/EventStream.h"

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QUrlQuery>
#include <QWebSocket>

using namespace Qt::StringLiterals;

namespace paydesk::client {

namespace {
constexpr int kMaxDelayMs = 30'000;
constexpr qint64 kMaxMessageBytes = 1024 * 1024;
} // namespace

EventStream::EventStream(RestClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &EventStream::open);
}

EventStream::~EventStream()
{
    stop();
}

void EventStream::start()
{
    stop();
    m_running = true;
    m_failures = 0;
    open();
}

void EventStream::stop()
{
    m_running = false;
    m_retry.stop();
    if (m_socket) {
        QWebSocket *socket = m_socket;
        m_socket = nullptr;
        socket->disconnect(this);
        socket->close(QWebSocketProtocol::CloseCodeNormal);
        socket->deleteLater();
    }
    setConnected(false);
}

void EventStream::open()
{
    if (!m_running || m_client->token().isEmpty())
        return;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setMaxAllowedIncomingMessageSize(kMaxMessageBytes);
    QUrl url = m_client->baseUrl();
    url.setScheme(url.scheme() == u"http"_s ? u"ws"_s : u"wss"_s);
    url.setPath(u"/v1/events"_s);
    if (m_lastSeq > 0)
        url.setQuery(QUrlQuery{{u"after"_s, QString::number(m_lastSeq)}});
    QNetworkRequest request = m_client->authorizedRequest(url);
    // QWebSocket takes its TLS settings from the socket, not from the request.
    m_socket->setSslConfiguration(request.sslConfiguration());

    QWebSocket *socket = m_socket;
    const ServerTrust trust = m_client->trust();
    connect(socket, &QWebSocket::sslErrors, this, [socket, trust](const QList<QSslError> &errors) {
        if (judgeTlsErrors(errors, socket->sslConfiguration().peerCertificate(), trust) == TrustVerdict::Trusted)
            socket->ignoreSslErrors(errors);
    });
    connect(socket, &QWebSocket::connected, this, [this, socket, trust] {
        if (judgeTlsErrors({}, socket->sslConfiguration().peerCertificate(), trust) == TrustVerdict::Changed) {
            socket->abort();
            return;
        }
        m_failures = 0;
        setConnected(true);
    });
    connect(socket, &QWebSocket::textMessageReceived, this, &EventStream::onText);
    connect(socket, &QWebSocket::disconnected, this, &EventStream::onClosed);
    socket->open(request);
}

void EventStream::onText(const QString &message)
{
    const QJsonObject event = QJsonDocument::fromJson(message.toUtf8()).object();
    const qint64 seq = event.value(u"seq"_s).toInteger();
    const QString type = event.value(u"type"_s).toString();
    if (type.isEmpty())
        return;
    if (seq > 0 && seq <= m_lastSeq)
        return; // already seen (a resumed stream may repeat the boundary)
    if (seq > 0)
        m_lastSeq = seq;
    emit eventReceived(type, event.value(u"data"_s).toObject(), seq);
}

void EventStream::onClosed()
{
    setConnected(false);
    if (!m_running)
        return;
    // 0.5 s, 1 s, 2 s … up to 30 s between attempts.
    const int delay = std::min(kMaxDelayMs, 500 << std::min(m_failures, 6));
    ++m_failures;
    m_retry.start(delay);
}

void EventStream::setConnected(bool connected)
{
    if (m_connected == connected)
        return;
    m_connected = connected;
    emit connectedChanged(connected);
}

} // namespace paydesk::client
