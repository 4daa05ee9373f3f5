#include "server/http/HttpServer.h"

#include "common/crypto/Random.h"
#include "common/protocol/ApiError.h"
#include "server/http/HttpConnection.h"
#include "server/http/Metrics.h"

#include <QDateTime>
#include <QLocale>
#include <QLoggingCategory>
#include <QSslSocket>
#include <QThreadPool>

#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHttp, "paydesk.http")
Q_LOGGING_CATEGORY(lcAccess, "paydesk.http.access")

namespace paydesk {

HttpServer::HttpServer(const HttpLimits &limits, const Router &router, QThreadPool *workers, Metrics *metrics,
                       QObject *parent)
    : QTcpServer(parent), m_limits(limits), m_router(router), m_workers(workers), m_metrics(metrics)
{
    // Short random prefix so request ids from several instances behind one proxy do not collide.
    m_requestIdPrefix = Random::alphanumeric(6).toLatin1() + '-';
    // Qt's default backlog (50) drops connections when many clients connect at once (a pool of
    // merchant back ends starting, consoles reconnecting after a restart); the kernel caps it at
    // net.core.somaxconn.
    setListenBacklogSize(std::clamp(m_limits.maxConnections, 50, 4096));
    const int shortest = std::min(
        {m_limits.handshakeTimeoutMs, m_limits.idleTimeoutMs, m_limits.requestTimeoutMs, m_limits.writeTimeoutMs});
    m_sweepTimer.setInterval(std::clamp(shortest / 4, 20, 1000));
    connect(&m_sweepTimer, &QTimer::timeout, this, &HttpServer::sweep);
    m_sweepTimer.start();
    updateDate();
}

HttpServer::~HttpServer()
{
    const auto connections = m_connections;
    m_connections.clear();
    qDeleteAll(connections);
}

void HttpServer::setTlsConfiguration(QSslConfiguration configuration)
{
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_tls = std::move(configuration);
}

void HttpServer::incomingConnection(qintptr descriptor)
{
    if (m_shuttingDown) {
        ::close(int(descriptor));
        return;
    }
    bool rejectOnly = false;
    if (m_connections.size() - m_rejecting >= m_limits.maxConnections && !evictIdleConnection()) {
        if (m_rejecting >= m_limits.maxRejectingConnections) {
            ::close(int(descriptor)); // even the polite 503 costs a handshake; shed the rest
            recordDrop("connection_cap_hard");
            return;
        }
        rejectOnly = true;
        recordDrop("connection_cap");
    }
    auto *socket = new QSslSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        ::close(int(descriptor));
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setSslConfiguration(m_tls);
    const quint64 id = m_nextConnectionId++;
    auto *connection = new HttpConnection(socket, this, id, rejectOnly);
    m_connections.insert(id, connection);
    if (rejectOnly)
        ++m_rejecting;
    m_openConnections.store(int(m_connections.size()), std::memory_order_relaxed);
    socket->startServerEncryption();
}

bool HttpServer::evictIdleConnection()
{
    HttpConnection *oldest = nullptr;
    for (HttpConnection *connection : std::as_const(m_connections)) {
        if (connection->isIdle() && (!oldest || connection->idleForMs() > oldest->idleForMs()))
            oldest = connection;
    }
    if (!oldest)
        return false;
    oldest->close("evicted_idle");
    return true;
}

void HttpServer::streamOpened(HttpConnection *connection)
{
    for (const QString &audience : connection->streamAudiences())
        m_streams.insert(audience, connection->id());
    m_openStreams.fetch_add(1, std::memory_order_relaxed);
}

void HttpServer::publish(const QString &audience, const QByteArray &text)
{
    // Connections live on this object's thread: the event is handed over, never sent from here.
    QMetaObject::invokeMethod(
        this,
        [this, audience, text] {
            const QList<quint64> ids = m_streams.values(audience);
            for (const quint64 id : ids)
                if (HttpConnection *connection = m_connections.value(id))
                    connection->sendEvent(text);
        },
        Qt::QueuedConnection);
}

void HttpServer::connectionClosed(HttpConnection *connection)
{
    if (m_connections.remove(connection->id()) == 0)
        return;
    if (!connection->streamAudiences().isEmpty()) {
        for (const QString &audience : connection->streamAudiences())
            m_streams.remove(audience, connection->id());
        m_openStreams.fetch_sub(1, std::memory_order_relaxed);
    }
    if (connection->isRejectOnly())
        --m_rejecting;
    m_openConnections.store(int(m_connections.size()), std::memory_order_relaxed);
    connection->deleteLater();
    if (m_shuttingDown && m_connections.isEmpty())
        emit drained();
}

void HttpServer::recordDrop(const QByteArray &reason)
{
    m_metrics->recordDroppedConnection(reason);
}

void HttpServer::recordProtocolError(int status)
{
    m_metrics->recordRequest("(protocol)", "-", status, 0);
}

QString HttpServer::assignRequestId(const HttpRequest &request)
{
    // Accept a caller's id when it is short and plain, so logs can be joined across systems.
    const QByteArray given = request.header("x-request-id");
    if (!given.isEmpty() && given.size() <= 64) {
        const bool plain = std::all_of(given.cbegin(), given.cend(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'
                || c == '.';
        });
        if (plain)
            return QString::fromLatin1(given);
    }
    return QString::fromLatin1(m_requestIdPrefix + QByteArray::number(m_nextRequestNumber++));
}

void HttpServer::dispatch(HttpConnection *connection, quint64 seq, HttpRequest request)
{
    request.requestId = assignRequestId(request);
    const quint64 connectionId = connection->id();
    Router::Match match = m_router.match(request.method, request.path);
    if (!match.route) {
        HttpResponse response = match.methodMismatch
            ? HttpResponse::error(ApiError(ErrorCode::MethodNotAllowed,
                                           u"%1 is not allowed here."_s.arg(QString::fromLatin1(request.method))))
                  .withHeader("Allow", match.allowedMethods)
            : HttpResponse::error(ApiError(ErrorCode::NotFound, u"No such resource."_s));
        deliver(connectionId, seq, std::move(response), request.requestId, "(unmatched)", request.method,
                request.receivedAt, false);
        return;
    }
    const QByteArray routeName = match.route->spec.pattern;
    if (m_queuedRequests.load(std::memory_order_relaxed) >= m_limits.maxQueuedRequests) {
        deliver(connectionId, seq,
                HttpResponse::error(ApiError(ErrorCode::Unavailable, u"The server is busy; retry shortly."_s))
                    .withHeader("Retry-After", "1"),
                request.requestId, routeName, request.method, request.receivedAt, false);
        return;
    }
    m_queuedRequests.fetch_add(1, std::memory_order_relaxed);
    request.pathParams = std::move(match.params);
    const Router::Route *matched = match.route;
    m_workers->start([this, matched, connectionId, seq, route = routeName, request = std::move(request)]() mutable {
        const QString requestId = request.requestId;
        const QByteArray method = request.method;
        const auto receivedAt = request.receivedAt;
        auto post = [this, connectionId, seq, requestId, route, method, receivedAt](HttpResponse response) {
            QMetaObject::invokeMethod(
                this,
                [=, this, response = std::move(response)]() mutable {
                    deliver(connectionId, seq, std::move(response), requestId, route, method, receivedAt, true);
                },
                Qt::QueuedConnection);
        };
        auto failure = [requestId](std::exception_ptr error) {
            try {
                std::rethrow_exception(error);
            } catch (const ApiError &apiError) {
                return HttpResponse::error(apiError);
            } catch (const std::exception &other) {
                qCWarning(lcHttp).noquote() << "request" << requestId << "failed:" << other.what();
            } catch (...) {
                qCWarning(lcHttp).noquote() << "request" << requestId << "failed with an unknown exception";
            }
            return HttpResponse::error(ApiError(ErrorCode::Internal, u"Internal error; see the server log."_s));
        };
        // Every answer, error or not, passes the answer barrier on its way out.
        auto release = [this, post](HttpResponse response) {
            passBarrier(m_answerBarrier,
                        [post, response = std::move(response)]() mutable { post(std::move(response)); });
        };
        try {
            QFuture<HttpResponse> future = m_router.run(*matched, request);
            // A cancelled future would skip .then(); answer it rather than leave the client waiting.
            future
                .onCanceled(
                    [] { return HttpResponse::error(ApiError(ErrorCode::Internal, u"The request was cancelled."_s)); })
                .then(QtFuture::Launch::Sync, [release, failure](QFuture<HttpResponse> done) {
                    HttpResponse response;
                    try {
                        response = done.result();
                    } catch (...) {
                        response = failure(std::current_exception());
                    }
                    release(std::move(response));
                });
        } catch (...) {
            release(failure(std::current_exception()));
        }
    });
}

void HttpServer::deliver(quint64 connectionId, quint64 seq, HttpResponse response, const QString &requestId,
                         const QByteArray &route, const QByteArray &method,
                         std::chrono::steady_clock::time_point receivedAt, bool fromWorker)
{
    if (fromWorker)
        m_queuedRequests.fetch_sub(1, std::memory_order_relaxed);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - receivedAt).count();
    m_metrics->recordRequest(route, method, response.status, seconds);
    if (lcAccess().isInfoEnabled()) {
        qCInfo(lcAccess).noquote() << u"request_id=%1 method=%2 route=%3 status=%4 ms=%5"_s.arg(
            requestId, QString::fromLatin1(method), QString::fromLatin1(route), QString::number(response.status),
            QString::number(seconds * 1000.0, 'f', 2));
    }
    if (HttpConnection *connection = m_connections.value(connectionId))
        connection->complete(seq, std::move(response), requestId);
}

void HttpServer::sweep()
{
    updateDate();
    // Copy: a timeout closes the connection, which removes it from the hash.
    const auto connections = m_connections.values();
    for (HttpConnection *connection : connections) {
        if (m_connections.contains(connection->id()))
            connection->checkTimeouts();
    }
}

void HttpServer::updateDate()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 second = now.toSecsSinceEpoch();
    if (second == m_httpDateSecond)
        return;
    m_httpDateSecond = second;
    m_httpDate = QLocale::c().toString(now, u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s).toLatin1();
}

void HttpServer::beginShutdown()
{
    m_shuttingDown = true;
    close();
    const auto connections = m_connections.values();
    for (HttpConnection *connection : connections) {
        if (m_connections.contains(connection->id()))
            connection->beginShutdown();
    }
    if (m_connections.isEmpty())
        emit drained();
}

} // namespace paydesk
