#include "server/auth/RequestAuthenticator.h"

#include "common/crypto/Hmac.h"
#include "common/protocol/ApiError.h"
#include "common/protocol/PaydeskSignature.h"
#include "server/auth/ApiKeyService.h"
#include "server/auth/SessionStore.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"

using namespace Qt::StringLiterals;

namespace paydesk {

RequestAuthenticator::RequestAuthenticator(Database &database, SessionStore &sessions, ApiKeyService &apiKeys,
                                           Clock clock, const SecurityConfig &config)
    : m_database(database), m_sessions(sessions), m_apiKeys(apiKeys), m_clock(std::move(clock)), m_config(config)
{
}

RequestAuthenticator::Outcome RequestAuthenticator::authenticate(const HttpRequest &request,
                                                                 const RouteSpec &spec) const
{
    // Every request asks the same few questions (session, key, staff user): the worker keeps
    // those statements prepared. Authentication only reads (a session's activity mark is
    // written behind), so no snapshot it opens can hide a later write of the request.
    Database::ReadScope scope(m_database);
    const QByteArray header = request.header("authorization");
    if (header.isEmpty())
        throw ApiError(ErrorCode::Unauthenticated, u"This route needs an Authorization header."_s);
    if (header.startsWith("Bearer ")) {
        if (!spec.auth.contains(AuthScheme::StaffSession) && !spec.auth.contains(AuthScheme::AppSession))
            throw ApiError(ErrorCode::Unauthenticated, u"This route needs a signed request."_s);
        return authenticateBearer(header.mid(7).trimmed(), spec);
    }
    if (header.startsWith(PaydeskSignature::scheme().toByteArray() + ' ')) {
        if (!spec.auth.contains(AuthScheme::Signed))
            throw ApiError(ErrorCode::Unauthenticated, u"This route needs a bearer session."_s);
        return authenticateSigned(request, header);
    }
    throw ApiError(ErrorCode::Unauthenticated, u"Unsupported Authorization scheme."_s);
}

RequestAuthenticator::Outcome RequestAuthenticator::authenticateBearer(const QByteArray &token,
                                                                       const RouteSpec &spec) const
{
    const std::optional<SessionStore::Session> session = m_sessions.resolve(QString::fromLatin1(token));
    if (!session)
        throw ApiError(ErrorCode::Unauthenticated, u"The session is unknown, expired or ended; sign in again."_s);
    Outcome outcome;
    if (session->principalType == u"staff"_s) {
        if (!spec.auth.contains(AuthScheme::StaffSession))
            throw ApiError(ErrorCode::Unauthenticated, u"This route is not for staff sessions."_s);
        std::optional<Principal> staff = loadStaff(session->principalId);
        if (!staff)
            throw ApiError(ErrorCode::Unauthenticated, u"This account is disabled."_s);
        outcome.principal = *staff;
    } else {
        if (!spec.auth.contains(AuthScheme::AppSession))
            throw ApiError(ErrorCode::Unauthenticated, u"This route is not for app sessions."_s);
        QSqlQuery user = sqlExec(m_database.threadConnection(), u"SELECT status FROM app_users WHERE id = ?"_s,
                                 {session->principalId});
        if (!user.next() || user.value(0).toString() != u"ACTIVE"_s)
            throw ApiError(ErrorCode::Unauthenticated, u"This account is disabled."_s);
        outcome.principal.kind = Principal::Kind::AppUser;
        outcome.principal.id = session->principalId;
    }
    outcome.principal.sessionHash = session->tokenHash;
    return outcome;
}

std::optional<Principal> RequestAuthenticator::loadStaff(const QString &staffId) const
{
    QSqlQuery query
        = sqlExec(m_database.threadConnection(),
                  u"SELECT role, merchant_id, status, must_change_password FROM staff_users WHERE id = ?"_s, {staffId});
    if (!query.next() || query.value(2).toString() != u"ACTIVE"_s)
        return std::nullopt;
    Principal principal;
    principal.kind = Principal::Kind::Staff;
    principal.id = staffId;
    principal.role = roleFromName(query.value(0).toString());
    principal.merchantId = query.value(1).toString();
    principal.mustChangePassword = query.value(3).toInt() != 0;
    if (!principal.role)
        return std::nullopt;
    return principal;
}

RequestAuthenticator::Outcome RequestAuthenticator::authenticateSigned(const HttpRequest &request,
                                                                       const QByteArray &header) const
{
    QString error;
    const std::optional<PaydeskSignature::Parsed> parsed = PaydeskSignature::parse(header, &error);
    if (!parsed)
        throw ApiError(ErrorCode::Unauthenticated, error);
    const qint64 now = m_clock();
    if (std::abs(now - parsed->timestamp * 1000) > m_config.signatureSkewMs) {
        throw ApiError(
            ErrorCode::StaleTimestamp,
            u"The signed timestamp is more than %1 s from the server's clock."_s.arg(m_config.signatureSkewMs / 1000),
            QJsonObject{{u"server_time"_s, now / 1000}});
    }
    const std::optional<ApiKeyService::Active> key = m_apiKeys.lookup(parsed->keyId);
    if (!key)
        throw ApiError(ErrorCode::Unauthenticated, u"Unknown or revoked key_id."_s);
    const QByteArray expected = PaydeskSignature::sign(key->secret, request.method, request.target, parsed->timestamp,
                                                       parsed->nonce, request.body);
    if (!Hmac::constantTimeEquals(expected, parsed->signature))
        throw ApiError(ErrorCode::BadSignature, u"The signature does not match the request."_s);
    Outcome outcome;
    outcome.principal.kind = Principal::Kind::ApiKey;
    outcome.principal.id = parsed->keyId;
    outcome.principal.merchantId = key->merchantId;
    outcome.nonceKeyId = parsed->keyId;
    outcome.nonce = parsed->nonce;
    // Kept until the timestamp could no longer pass the skew check on any instance, with a
    // minute's margin for instances whose clocks differ.
    outcome.nonceExpiresAt = parsed->timestamp * 1000 + m_config.signatureSkewMs + 60'000;
    return outcome;
}

void RequestAuthenticator::recordNonce(const QSqlDatabase &db, const QString &keyId, const QByteArray &nonce,
                                       qint64 expiresAt)
{
    // ON CONFLICT rather than catching the violation: on PostgreSQL a failed statement would
    // abort the whole transaction the nonce shares with the request's other writes.
    QSqlQuery insert = sqlExec(db,
                               u"INSERT INTO request_nonces (key_id, nonce, expires_at) VALUES (?, ?, ?)"
                               " ON CONFLICT DO NOTHING"_s,
                               {keyId, QString::fromLatin1(nonce), expiresAt});
    if (insert.numRowsAffected() != 1)
        throw ApiError(ErrorCode::Replayed, u"This nonce was used already; sign each request anew."_s);
}

} // namespace paydesk
