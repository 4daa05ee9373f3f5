#include "server/auth/RequestPipeline.h"

#include "common/protocol/ApiError.h"
#include "server/auth/Idempotency.h"
#include "server/auth/NonceRecorder.h"
#include "server/auth/RateLimiter.h"
#include "server/auth/RequestAuthenticator.h"
#include "server/auth/SessionStore.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonArray>
#include <QPromise>
#include <QThreadPool>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

// Settles promise with the outcome of future (value or exception).
void forward(QFuture<HttpResponse> future, std::shared_ptr<QPromise<HttpResponse>> promise)
{
    future.then(QtFuture::Launch::Sync, [promise](QFuture<HttpResponse> done) {
        try {
            promise->addResult(done.result());
        } catch (...) {
            promise->setException(std::current_exception());
        }
        promise->finish();
    });
}

} // namespace

RequestPipeline::RequestPipeline(RequestAuthenticator &authenticator, RateLimiter &limiter, DbWriter &writer,
                                 NonceRecorder &nonces, QThreadPool *workers, Clock clock,
                                 const SecurityConfig &config)
    : m_authenticator(authenticator), m_limiter(limiter), m_writer(writer), m_nonces(nonces), m_workers(workers),
      m_clock(std::move(clock)), m_config(config)
{
}

namespace {

ApiError rateLimited(qint64 retryAfterMs)
{
    const qint64 seconds = std::max<qint64>(1, (retryAfterMs + 999) / 1000);
    return ApiError(ErrorCode::RateLimited, u"Too many requests; retry in %1 s."_s.arg(seconds),
                    QJsonObject{{u"retry_after_seconds"_s, seconds}});
}

// Names the caller's role and the ones the route is for, so a console can say what is missing.
ApiError roleRefused(Role role, const QList<Role> &allowed)
{
    QStringList names;
    for (Role each : allowed)
        names.append(roleName(each));
    return ApiError(ErrorCode::Forbidden,
                    u"Your role (%1) may not do this; it is for: %2."_s.arg(roleName(role), names.join(u", "_s)),
                    QJsonObject{{u"role"_s, roleName(role)}, {u"allowed_roles"_s, QJsonArray::fromStringList(names)}});
}

} // namespace

void RequestPipeline::checkAddressLimit(const HttpRequest &request) const
{
    qint64 retryAfterMs = 0;
    if (!m_limiter.take(u"addr:"_s + request.peer.toString(), m_config.rateLimitPerAddress,
                        m_config.rateBurstPerAddress, m_clock(), &retryAfterMs))
        throw rateLimited(retryAfterMs);
}

void RequestPipeline::checkRateLimits(const HttpRequest &request) const
{
    const qint64 now = m_clock();
    qint64 retryAfterMs = 0;
    bool allowed = true;
    if (request.principal) {
        const Principal &p = *request.principal;
        const QString key = p.kind == Principal::Kind::ApiKey ? u"key:"_s + p.id : p.actorType() + u':' + p.id;
        allowed = m_limiter.take(key, m_config.rateLimitPerKey, m_config.rateBurstPerKey, now, &retryAfterMs);
    }
    if (!allowed)
        throw rateLimited(retryAfterMs);
}

QFuture<HttpResponse> RequestPipeline::operator()(HttpRequest &request, const RouteSpec &spec,
                                                  const Router::AsyncHandler &handler) const
{
    checkAddressLimit(request); // before authentication, so credential floods are limited too
    RequestAuthenticator::Outcome auth;
    if (!spec.auth.isEmpty()) {
        auth = m_authenticator.authenticate(request, spec);
        request.principal = auth.principal;
        if (auth.principal.mustChangePassword && !spec.beforePasswordChange)
            throw ApiError(ErrorCode::PasswordChangeRequired);
        if (auth.principal.isStaff() && !spec.roles.isEmpty() && !spec.roles.contains(*auth.principal.role))
            throw roleRefused(*auth.principal.role, spec.roles);
    }
    checkRateLimits(request);

    std::optional<IdempotencyClaim> idempotency;
    if (spec.idempotent && request.principal)
        idempotency = IdempotencyClaim::fromRequest(request, *request.principal);
    if (idempotency) {
        request.idempotency = std::make_shared<IdempotencyContext>();
        request.idempotency->claim = *idempotency;
    }
    QByteArray actionToken;
    if (spec.actionToken) {
        actionToken = request.header("x-action-token");
        if (actionToken.isEmpty() || actionToken.size() > 128 || !request.principal)
            throw ApiError(ErrorCode::ActionTokenInvalid, u"This call needs a fresh X-Action-Token."_s);
    }
    const bool needsAdmission = !auth.nonce.isEmpty() || idempotency || spec.actionToken;
    if (!needsAdmission)
        return handler(request);
    // A read whose nonce this process can judge runs at once; its nonce is written behind.
    if (spec.method == "GET" && !idempotency && !spec.actionToken
        && m_nonces.admitRead(auth.nonceKeyId, auth.nonce, auth.nonceExpiresAt, m_clock())
            == NonceRecorder::Fast::Admitted)
        return handler(request);

    // One writer unit admits the request: its nonce, action token and idempotency claim commit
    // (or fail) together, before the handler does anything.
    const qint64 now = m_clock();
    const SecurityConfig &config = m_config;
    const QString appUserId = request.principal ? request.principal->id : QString();
    // A signed request that writes nothing else first (a read) has only its nonce to record:
    // many of those share one writer unit.
    QFuture<std::optional<HttpResponse>> admission = !idempotency && !spec.actionToken
        ? m_nonces.record(auth.nonceKeyId, auth.nonce, auth.nonceExpiresAt)
              .then(QtFuture::Launch::Sync, [] { return std::optional<HttpResponse>(); })
        : m_writer.submit<std::optional<HttpResponse>>(
        [auth, idempotency, actionToken, purpose = spec.actionPurpose, appUserId, now,
         &config](const QSqlDatabase &db) -> std::optional<HttpResponse> {
            if (!auth.nonce.isEmpty())
                RequestAuthenticator::recordNonce(db, auth.nonceKeyId, auth.nonce, auth.nonceExpiresAt);
            if (idempotency) {
                if (std::optional<HttpResponse> replay = idempotency->claim(db, now, config))
                    return replay; // a retry of a finished request: no token is used up
            }
            if (!actionToken.isEmpty())
                consumeActionToken(db, appUserId, actionToken, purpose, now);
            return std::nullopt;
        });

    auto promise = std::make_shared<QPromise<HttpResponse>>();
    QFuture<HttpResponse> result = promise->future();
    promise->start();
    DbWriter *writer = &m_writer;
    QThreadPool *workers = m_workers;
    admission.then(
        QtFuture::Launch::Sync,
        [promise, workers, writer, handler, idempotency,
         request](QFuture<std::optional<HttpResponse>> admitted) mutable {
            std::optional<HttpResponse> replay;
            try {
                replay = admitted.result();
            } catch (...) {
                promise->setException(std::current_exception());
                promise->finish();
                return;
            }
            if (replay) {
                promise->addResult(*replay);
                promise->finish();
                return;
            }
            // Back from the writer thread to a worker for the handler.
            workers->start([promise, writer, handler, idempotency, request]() mutable {
                QFuture<HttpResponse> handled;
                try {
                    handled = handler(request);
                } catch (...) {
                    handled = QtFuture::makeExceptionalFuture<HttpResponse>(std::current_exception());
                }
                if (!idempotency) {
                    forward(handled, promise);
                    return;
                }
                const std::shared_ptr<IdempotencyContext> context = request.idempotency;
                handled.then(
                    QtFuture::Launch::Sync, [promise, writer, idempotency, context](QFuture<HttpResponse> done) {
                        HttpResponse response;
                        try {
                            response = done.result();
                        } catch (const ApiError &error) {
                            response = HttpResponse::error(error); // a refusal is an answer a retry must get too
                        } catch (...) {
                            response = HttpResponse::error(ApiError(ErrorCode::Internal, u"Internal error."_s));
                        }
                        if (context && context->recorded) { // stored with the handler's own change
                            promise->addResult(response);
                            promise->finish();
                            return;
                        }
                        // The answer is released only once a retry would be given the same one.
                        forward(writer->submit<HttpResponse>([idempotency, response](const QSqlDatabase &db) {
                            idempotency->complete(db, response);
                            return response;
                        }),
                                promise);
                    });
            });
        });
    return result;
}

void RequestPipeline::consumeActionToken(const QSqlDatabase &db, const QString &appUserId, const QByteArray &token,
                                         const QString &purpose, qint64 nowMs)
{
    QSqlQuery used = sqlExec(db,
                             u"UPDATE action_tokens SET used_at = ? WHERE token_hash = ? AND app_user_id = ?"
                             " AND purpose = ? AND used_at IS NULL AND expires_at > ?"_s,
                             {nowMs, SessionStore::hashToken(QString::fromLatin1(token)), appUserId, purpose, nowMs});
    if (used.numRowsAffected() != 1)
        throw ApiError(ErrorCode::ActionTokenInvalid, u"The action token is unknown, used or expired."_s);
}

} // namespace paydesk
