#pragma once

// The server's event stream (GET /v1/events, a WebSocket) for a signed-in client: opens it with the
// session's bearer token, keeps the last sequence number so a reconnect resumes where it stopped
// (?after=), reconnects with a growing delay, and reports each event as a signal.

#include "common/client/RestClient.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

class QWebSocket;

namespace paydesk::client {

class EventStream final : public QObject
{
    Q_OBJECT

public:
    explicit EventStream(RestClient *client, QObject *parent = nullptr);
    ~EventStream() override;

    /// Starts (or restarts) the stream with the client's current token and trust.
    void start();
    /// Closes the stream and stops reconnecting.
    void stop();
    bool isConnected() const { return m_connected; }
    qint64 lastSequence() const { return m_lastSeq; }

signals:
    void eventReceived(const QString &type, const QJsonObject &data, qint64 seq);
    void connectedChanged(bool connected);

private:
    void open();
    void onText(const QString &message);
    void onClosed();
    void setConnected(bool connected);

    RestClient *m_client;
    QWebSocket *m_socket = nullptr;
    QTimer m_retry;
    qint64 m_lastSeq = 0;
    int m_failures = 0;
    bool m_running = false;
    bool m_connected = false;
};

} // namespace paydesk::client
