#pragma once

#include "server/auth/Principal.h"
#include "server/auth/SecurityConfig.h"
#include "server/http/Router.h"

#include <QSqlDatabase>

#include <optional>

namespace paydesk {

class ApiKeyService;
class Database;
class SessionStore;

/// Checks the credentials of a request against the schemes its route accepts. Read-only: the
/// single-use nonce of a signed request is returned to be recorded in the request's first write.
class RequestAuthenticator final
{
public:
    RequestAuthenticator(Database &database, SessionStore &sessions, ApiKeyService &apiKeys, Clock clock,
                         const SecurityConfig &config);

    struct Outcome
    {
        Principal principal;
        QString nonceKeyId; ///< set for signed requests
        QByteArray nonce;
        qint64 nonceExpiresAt = 0;
    };
    /// Throws ApiError UNAUTHENTICATED, BAD_SIGNATURE or STALE_TIMESTAMP.
    Outcome authenticate(const HttpRequest &request, const RouteSpec &spec) const;

    /// Records a nonce inside a writer unit; throws ApiError REPLAYED if it was used before.
    static void recordNonce(const QSqlDatabase &db, const QString &keyId, const QByteArray &nonce, qint64 expiresAt);
    /// The staff user behind a session, or nullopt when disabled or unknown.
    std::optional<Principal> loadStaff(const QString &staffId) const;

private:
    Outcome authenticateBearer(const QByteArray &token, const RouteSpec &spec) const;
    Outcome authenticateSigned(const HttpRequest &request, const QByteArray &header) const;

    Database &m_database;
    SessionStore &m_sessions;
    ApiKeyService &m_apiKeys;
    Clock m_clock;
    const SecurityConfig &m_config;
};

} // namespace paydesk
