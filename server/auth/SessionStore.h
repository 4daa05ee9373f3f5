#pragma once

#include "server/auth/SecurityConfig.h"

#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace paydesk {

class Database;
class DbWriter;

/// Bearer sessions of staff and app users. The token (256 random bits) is given to the client
/// once; only its SHA-256 is stored, so a database leak yields no usable session.
class SessionStore final
{
public:
    SessionStore(Database &database, DbWriter &writer, Clock clock, const SecurityConfig &config);

    struct Issued
    {
        QString token;
        qint64 expiresAt = 0;
    };
    struct Session
    {
        QString tokenHash;
        QString principalType; ///< "staff" or "app_user"
        QString principalId;
        qint64 expiresAt = 0;
    };

    /// Creates a session inside the caller's writer unit.
    static Issued create(const QSqlDatabase &db, const QString &principalType, const QString &principalId, qint64 nowMs,
                         qint64 ttlMs);
    static QString hashToken(const QString &token);

    /// The live session for a bearer token, or nullopt when unknown, revoked, expired or idle
    /// too long (staff). Records activity at most once a minute so reads stay reads.
    std::optional<Session> resolve(const QString &token);
    /// Ends a session (logout); completes after the commit.
    static void revoke(const QSqlDatabase &db, const QString &tokenHash, qint64 nowMs);
    /// Ends every session of a principal (password change, disabled user).
    static void revokeAll(const QSqlDatabase &db, const QString &principalType, const QString &principalId,
                          qint64 nowMs);

private:
    Database &m_database;
    DbWriter &m_writer;
    Clock m_clock;
    const SecurityConfig &m_config;
};

} // namespace paydesk
