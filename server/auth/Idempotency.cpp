#include "server/auth/Idempotency.h"

#include "common/crypto/Digest.h"
#include "common/crypto/Random.h"
#include "common/protocol/ApiError.h"
#include "server/store/Sql.h"

using namespace Qt::StringLiterals;

namespace paydesk {

std::optional<IdempotencyClaim> IdempotencyClaim::fromRequest(const HttpRequest &request, const Principal &principal)
{
    const QByteArray key = request.header("idempotency-key");
    if (key.isNull())
        return std::nullopt;
    const bool plain = !key.isEmpty() && key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'
            || c == '.' || c == ':';
    });
    if (!plain)
        throw ApiError(ErrorCode::ValidationFailed,
                       u"Idempotency-Key must be 1 to 64 characters of [A-Za-z0-9-_.:]."_s);
    IdempotencyClaim claim;
    // Keys of one merchant are shared by all its API keys, so rotating a key keeps retries safe.
    claim.scope = principal.kind == Principal::Kind::ApiKey ? u"merchant:"_s + principal.merchantId
                                                            : principal.actorType() + u':' + principal.id;
    claim.key = QString::fromLatin1(key);
    claim.attempt = Random::token(12);
    claim.requestHash = QString::fromLatin1(
        Digest::sha256Hex(request.method + '\n' + request.target + '\n' + Digest::sha256Hex(request.body)));
    return claim;
}

std::optional<HttpResponse> IdempotencyClaim::claim(const QSqlDatabase &db, qint64 nowMs,
                                                    const SecurityConfig &config) const
{
    QSqlQuery insert
        = sqlExec(db,
                  u"INSERT INTO idempotency_keys (scope, idem_key, request_hash, attempt, state, created_at,"
                  " expires_at) VALUES (?, ?, ?, ?, 'IN_PROGRESS', ?, ?) ON CONFLICT DO NOTHING"_s,
                  {scope, key, requestHash, attempt, nowMs, nowMs + config.idempotencyTtlMs});
    if (insert.numRowsAffected() == 1)
        return std::nullopt;
    QSqlQuery existing = sqlExec(db,
                                 u"SELECT request_hash, state, response_status, response_body, created_at, expires_at"
                                 " FROM idempotency_keys WHERE scope = ? AND idem_key = ?"_s,
                                 {scope, key});
    if (!existing.next())
        throw ApiError(ErrorCode::InProgress, u"A request with this Idempotency-Key is being processed."_s);
    if (existing.value(5).toLongLong() <= nowMs) {
        // Expired: the key is free again.
        sqlExec(
            db,
            u"UPDATE idempotency_keys SET request_hash = ?, attempt = ?, state = 'IN_PROGRESS', response_status = NULL,"
            " response_body = NULL, created_at = ?, expires_at = ? WHERE scope = ? AND idem_key = ?"_s,
            {requestHash, attempt, nowMs, nowMs + config.idempotencyTtlMs, scope, key});
        return std::nullopt;
    }
    if (existing.value(0).toString() != requestHash) {
        throw ApiError(ErrorCode::IdempotencyKeyReused, u"This Idempotency-Key was used for a different request."_s);
    }
    if (existing.value(1).toString() == u"IN_PROGRESS"_s) {
        if (nowMs - existing.value(4).toLongLong() < config.idempotencyLeaseMs)
            throw ApiError(ErrorCode::InProgress, u"A request with this Idempotency-Key is being processed."_s);
        // The first attempt died with its server; this retry takes over, and the old attempt, should
        // it still be alive, can no longer complete or release the key.
        sqlExec(db, u"UPDATE idempotency_keys SET created_at = ?, attempt = ? WHERE scope = ? AND idem_key = ?"_s,
                {nowMs, attempt, scope, key});
        return std::nullopt;
    }
    HttpResponse replay;
    replay.status = existing.value(2).toInt();
    replay.body = existing.value(3).toString().toUtf8();
    replay.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    replay.headers.append({QByteArrayLiteral("Idempotent-Replayed"), QByteArrayLiteral("true")});
    return replay;
}

void IdempotencyClaim::complete(const QSqlDatabase &db, const HttpResponse &response) const
{
    if (response.status >= 500) {
        sqlExec(
            db,
            u"DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND state = 'IN_PROGRESS' AND attempt = ?"_s,
            {scope, key, attempt});
        return;
    }
    QSqlQuery stored = sqlExec(db,
                               u"UPDATE idempotency_keys SET state = 'DONE', response_status = ?, response_body = ?"
                               " WHERE scope = ? AND idem_key = ? AND attempt = ? AND state = 'IN_PROGRESS'"_s,
                               {response.status, QString::fromUtf8(response.body), scope, key, attempt});
    // The claim is no longer this attempt's: a retry took the key over after the lease. Throwing
    // rolls back the unit this runs in, so the effect it was to record with this answer (a
    // transfer, a withdrawal, a red packet) is not made twice.
    if (stored.numRowsAffected() != 1)
        throw ApiError(ErrorCode::InProgress,
                       u"A retry with this Idempotency-Key took the request over; this attempt changed nothing."_s);
}

} // namespace paydesk
