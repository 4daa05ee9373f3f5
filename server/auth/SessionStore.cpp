#include "server/auth/SessionStore.h"

#include "common/crypto/Digest.h"
#include "common/crypto/Random.h"
#include "common/util/Failpoint.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {
constexpr qint64 kTouchIntervalMs = 60'000;
}

Clock systemClock()
{
    // A test build may run an instance whose clock is off (the fault campaign's skewed clock).
    return [] { return QDateTime::currentMSecsSinceEpoch() + failpoint::clockSkewMs(); };
}

SessionStore::SessionStore(Database &database, DbWriter &writer, Clock clock, const SecurityConfig &config)
    : m_database(database), m_writer(writer), m_clock(std::move(clock)), m_config(config)
{
}

QString SessionStore::hashToken(const QString &token)
{
    return QString::fromLatin1(Digest::sha256Hex(token.toUtf8()));
}

SessionStore::Issued SessionStore::create(const QSqlDatabase &db, const QString &principalType,
                                          const QString &principalId, qint64 nowMs, qint64 ttlMs)
{
    Issued issued;
    issued.token = Random::token(32);
    issued.expiresAt = nowMs + ttlMs;
    sqlExec(db,
            u"INSERT INTO sessions (token_hash, principal_type, principal_id, created_at, expires_at, last_seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"_s,
            {hashToken(issued.token), principalType, principalId, nowMs, issued.expiresAt, nowMs});
    return issued;
}

std::optional<SessionStore::Session> SessionStore::resolve(const QString &token)
{
    if (token.size() < 16 || token.size() > 128)
        return std::nullopt;
    const QString tokenHash = hashToken(token);
    QSqlQuery query = sqlExec(m_database.threadConnection(),
                              u"SELECT principal_type, principal_id, expires_at, last_seen_at, revoked_at"
                              " FROM sessions WHERE token_hash = ?"_s,
                              {tokenHash});
    if (!query.next() || !query.value(4).isNull())
        return std::nullopt;
    const qint64 now = m_clock();
    Session session{tokenHash, query.value(0).toString(), query.value(1).toString(), query.value(2).toLongLong()};
    const qint64 lastSeen = query.value(3).toLongLong();
    if (now >= session.expiresAt)
        return std::nullopt;
    if (session.principalType == u"staff"_s && now - lastSeen >= m_config.sessionIdleMs)
        return std::nullopt;
    if (now - lastSeen >= kTouchIntervalMs) {
        // Fire and forget: losing one activity mark only shortens the idle window a little.
        m_writer.submit<void>([tokenHash, now](const QSqlDatabase &db) {
            sqlExec(db, u"UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?"_s,
                    {now, tokenHash, now});
        });
    }
    return session;
}

void SessionStore::revoke(const QSqlDatabase &db, const QString &tokenHash, qint64 nowMs)
{
    sqlExec(db, u"UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL"_s,
            {nowMs, tokenHash});
}

void SessionStore::revokeAll(const QSqlDatabase &db, const QString &principalType, const QString &principalId,
                             qint64 nowMs)
{
    sqlExec(
        db,
        u"UPDATE sessions SET revoked_at = ? WHERE principal_type = ? AND principal_id = ? AND revoked_at IS NULL"_s,
        {nowMs, principalType, principalId});
}

} // namespace paydesk
