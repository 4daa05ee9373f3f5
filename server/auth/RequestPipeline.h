#pragma once

#include "server/auth/SecurityConfig.h"

#include "server/http/Router.h"
#include <QSqlDatabase>

class QThreadPool;

namespace paydesk {

class DbWriter;
class NonceRecorder;
class RateLimiter;
class RequestAuthenticator;

/// What runs around every handler, in order: authentication, role check, rate limits, and the
/// request's admission write — single-use nonce, one-time action token and Idempotency-Key
/// claimed together in one transaction — then the handler, then the stored idempotent response.
class RequestPipeline final
{
public:
    RequestPipeline(RequestAuthenticator &authenticator, RateLimiter &limiter, DbWriter &writer,
                    NonceRecorder &nonces, QThreadPool *workers, Clock clock, const SecurityConfig &config);

    QFuture<HttpResponse> operator()(HttpRequest &request, const RouteSpec &spec,
                                     const Router::AsyncHandler &handler) const;

    /// Inside a writer unit: uses up an app user's action token (X-Action-Token); throws
    /// ACTION_TOKEN_INVALID when it is unknown, used, expired, someone else's or for another purpose.
    static void consumeActionToken(const QSqlDatabase &db, const QString &appUserId, const QByteArray &token,
                                   const QString &purpose, qint64 nowMs);

private:
    void checkAddressLimit(const HttpRequest &request) const;
    void checkRateLimits(const HttpRequest &request) const;

    RequestAuthenticator &m_authenticator;
    RateLimiter &m_limiter;
    DbWriter &m_writer;
    NonceRecorder &m_nonces;
    QThreadPool *m_workers;
    Clock m_clock;
    const SecurityConfig &m_config;
};

} // namespace paydesk
