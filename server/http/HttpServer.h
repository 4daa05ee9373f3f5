#pragma once

#include "server/http/Barrier.h"
#include "server/http/HttpLimits.h"
#include "server/http/HttpMessage.h"
#include "server/http/Router.h"

#include <QHash>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>

#include <atomic>

class QThreadPool;

namespace paydesk {

class HttpConnection;
class Metrics;

/// Paydesk's HTTPS listener: accepts TCP connections, runs TLS (≥ 1.2) on them, enforces the
/// limits in HttpLimits, and hands complete requests to the router's handlers on a bounded worker
/// pool. Lives on the HTTP thread, which never blocks on a handler.
class HttpServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    HttpServer(const HttpLimits &limits, const Router &router, QThreadPool *workers, Metrics *metrics,
               QObject *parent = nullptr);
    ~HttpServer() override;

    /// Certificate, chain and key; TLS 1.2 is the minimum whatever the configuration says.
    void setTlsConfiguration(QSslConfiguration configuration);
    const HttpLimits &limits() const { return m_limits; }
    /// Every answer, errors included, passes this barrier when it is ready. Set before the server
    /// listens.
    void setAnswerBarrier(Barrier barrier) { m_answerBarrier = std::move(barrier); }

    int openConnections() const { return m_openConnections.load(std::memory_order_relaxed); }
    int queuedRequests() const { return m_queuedRequests.load(std::memory_order_relaxed); }
    int openStreams() const { return m_openStreams.load(std::memory_order_relaxed); }

    /// Sends an event (a JSON text) to every event stream of the audience. Any thread.
    void publish(const QString &audience, const QByteArray &text);

    /// Stops accepting, closes idle connections and answers what is in flight; emits drained().
    void beginShutdown();
    bool isDrained() const { return m_connections.isEmpty(); }

    // Used by HttpConnection.
    void dispatch(HttpConnection *connection, quint64 seq, HttpRequest request);
    void connectionClosed(HttpConnection *connection);
    void recordDrop(const QByteArray &reason);
    void recordProtocolError(int status);
    void streamOpened(HttpConnection *connection);
    const QByteArray &httpDate() const { return m_httpDate; }

signals:
    void drained();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void deliver(quint64 connectionId, quint64 seq, HttpResponse response, const QString &requestId,
                 const QByteArray &route, const QByteArray &method, std::chrono::steady_clock::time_point receivedAt,
                 bool fromWorker);
    void sweep();
    void updateDate();
    bool evictIdleConnection();
    QString assignRequestId(const HttpRequest &request);

    HttpLimits m_limits;
    const Router &m_router;
    Barrier m_answerBarrier;
    QThreadPool *m_workers;
    Metrics *m_metrics;
    QSslConfiguration m_tls;
    QHash<quint64, HttpConnection *> m_connections;
    int m_rejecting = 0;
    quint64 m_nextConnectionId = 1;
    quint64 m_nextRequestNumber = 1;
    QByteArray m_requestIdPrefix;
    std::atomic<int> m_openConnections{0};
    std::atomic<int> m_queuedRequests{0};
    std::atomic<int> m_openStreams{0};
    QMultiHash<QString, quint64> m_streams; ///< audience → connection ids of event streams
    bool m_shuttingDown = false;
    QTimer m_sweepTimer;
    QByteArray m_httpDate;
    qint64 m_httpDateSecond = -1;
};

} // namespace paydesk
