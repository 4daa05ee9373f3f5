#include "server/auth/StaffAuthService.h"

#include "common/crypto/PasswordHash.h"
#include "common/crypto/Random.h"
#include "common/crypto/Totp.h"
#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/audit/AuditLog.h"
#include "server/auth/Principal.h"
#include "server/auth/SessionStore.h"
#include "server/security/EncryptedColumns.h"
#include "server/security/FieldCipher.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

ApiError lockedError(qint64 untilMs, qint64 nowMs)
{
    const qint64 seconds = std::max<qint64>(1, (untilMs - nowMs + 999) / 1000);
    return ApiError(ErrorCode::Locked, u"Too many failed sign-ins; try again in %1 s."_s.arg(seconds),
                    QJsonObject{{u"retry_after_seconds"_s, seconds}});
}

QString hashPassword(const QString &password)
{
    CryptoResult<QString> hashed = PasswordHash::hash(password);
    if (!hashed)
        throw ApiError(ErrorCode::Internal, u"Cannot hash the password: %1"_s.arg(hashed.error()));
    return std::move(hashed).value();
}

} // namespace

StaffAuthService::StaffAuthService(Database &database, DbWriter &writer, FieldCipher &cipher, IdGenerator &ids,
                                   Clock clock, const SecurityConfig &config)
    : m_database(database), m_writer(writer), m_cipher(cipher), m_ids(ids), m_clock(std::move(clock)), m_config(config),
      m_dummyHash(hashPassword(Random::token(16)))
{
}

void StaffAuthService::checkPasswordPolicy(const QString &password) const
{
    if (password.size() < m_config.passwordMinLength || password.size() > 256) {
        throw ApiError(ErrorCode::ValidationFailed,
                       u"A password must have %1 to 256 characters."_s.arg(m_config.passwordMinLength));
    }
}

QFuture<QJsonObject> StaffAuthService::login(const LoginRequest &request) const
{
    if (request.username.isEmpty() || request.username.size() > 64 || request.password.size() > 256)
        throw ApiError(ErrorCode::Unauthenticated, u"Wrong username or password."_s);
    const qint64 now = m_clock();
    const QString address = request.address.toString();
    const QSqlDatabase db = m_database.threadConnection();

    QSqlQuery byAddress = sqlExec(db, u"SELECT locked_until FROM login_failures WHERE address = ?"_s, {address});
    if (byAddress.next() && byAddress.value(0).toLongLong() > now)
        throw lockedError(byAddress.value(0).toLongLong(), now);

    QSqlQuery user
        = sqlExec(db,
                  u"SELECT id, password_hash, role, merchant_id, status, locked_until, totp_secret_enc,"
                  " display_name, must_change_password, totp_last_step FROM staff_users WHERE username = ?"_s,
                  {request.username});
    const bool known = user.next();
    if (known && user.value(5).toLongLong() > now)
        throw lockedError(user.value(5).toLongLong(), now);
    // The slow hash runs here, on a worker, never on the writer thread; unknown users cost the same.
    // At most two hashes at once, so sign-in floods cannot occupy every worker.
    if (!m_hashSlots.tryAcquire(1, 2000))
        throw ApiError(ErrorCode::Unavailable, u"Too many sign-ins at once; retry shortly."_s,
                       QJsonObject{{u"retry_after_seconds"_s, 1}});
    const bool passwordOk = PasswordHash::verify(request.password, known ? user.value(1).toString() : m_dummyHash);
    m_hashSlots.release();
    bool ok = known && passwordOk && user.value(4).toString() == u"ACTIVE"_s;
    const QString staffId = known ? user.value(0).toString() : QString();
    qint64 totpStep = 0;
    if (ok && !user.value(6).isNull()) {
        const std::optional<QByteArray> secret
            = m_cipher.decrypt(user.value(6).toString(), EncryptedColumns::staffTotpSecret().context(staffId));
        if (!secret)
            throw ApiError(ErrorCode::Internal, u"The second factor of this account cannot be read."_s);
        if (request.totp.isEmpty())
            throw ApiError(ErrorCode::Unauthenticated, u"This account needs its one-time code (totp)."_s,
                           QJsonObject{{u"totp_required"_s, true}});
        // A code seen once (over a shoulder, in a log) must not work again: steps only move forward.
        const std::optional<qint64> step = Totp::verify(*secret, request.totp, now / 1000);
        ok = step && *step > user.value(9).toLongLong();
        totpStep = step.value_or(0);
    }
    const QJsonObject profile{
        {u"id"_s, staffId},
        {u"username"_s, request.username},
        {u"display_name"_s, known ? user.value(7).toString() : QString()},
        {u"role"_s, known ? user.value(2).toString() : QString()},
        {u"merchant_id"_s, known && !user.value(3).isNull() ? QJsonValue(user.value(3).toString()) : QJsonValue()},
        {u"must_change_password"_s, known && user.value(8).toInt() != 0}};
    const SecurityConfig &config = m_config;
    const LoginRequest copy = request;
    return m_writer
        .submit<QJsonObject>([ok, known, staffId, profile, now, address, copy, totpStep,
                              &config](const QSqlDatabase &wdb) -> QJsonObject {
            AuditEntry audit;
            audit.at = now;
            audit.actorType = u"staff"_s;
            audit.actorId = staffId.isEmpty() ? copy.username : staffId;
            audit.targetType = u"staff_user"_s;
            audit.targetId = staffId;
            audit.address = address;
            audit.requestId = copy.requestId;
            bool accepted = ok;
            if (accepted) {
                // Attempts that were hashing while the lock was set must not slip through it.
                QSqlQuery locks = sqlExec(wdb,
                                          u"SELECT (SELECT locked_until FROM staff_users WHERE id = ?),"
                                          " (SELECT locked_until FROM login_failures WHERE address = ?)"_s,
                                          {staffId, address});
                if (locks.next() && (locks.value(0).toLongLong() > now || locks.value(1).toLongLong() > now))
                    return QJsonObject{
                        {u"locked"_s, std::max(locks.value(0).toLongLong(), locks.value(1).toLongLong())}};
            }
            if (accepted && totpStep > 0) {
                QSqlQuery step
                    = sqlExec(wdb, u"UPDATE staff_users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?"_s,
                              {totpStep, staffId, totpStep});
                accepted = step.numRowsAffected() == 1; // a concurrent sign-in used this code first
            }
            if (accepted) {
                // The address keeps its count: one good account must not reset a password spray.
                sqlExec(wdb, u"UPDATE staff_users SET failed_logins = 0, locked_until = 0 WHERE id = ?"_s, {staffId});
                const SessionStore::Issued session
                    = SessionStore::create(wdb, u"staff"_s, staffId, now, config.sessionTtlMs);
                audit.action = u"staff.login"_s;
                AuditLog::append(wdb, audit);
                return QJsonObject{
                    {u"token"_s, session.token}, {u"expires_at"_s, session.expiresAt}, {u"user"_s, profile}};
            }
            // Count the failure against the user and the address; the Nth failure locks.
            if (known) {
                sqlExec(wdb,
                        u"UPDATE staff_users SET failed_logins = failed_logins + 1,"
                        " locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END,"
                        " updated_at = ? WHERE id = ?"_s,
                        {config.lockoutThreshold, now + config.lockoutMs, now, staffId});
                sqlExec(wdb, u"UPDATE staff_users SET failed_logins = 0 WHERE id = ? AND locked_until > ?"_s,
                        {staffId, now});
            }
            sqlExec(wdb,
                    u"INSERT INTO login_failures (address, failed_logins, locked_until, updated_at) VALUES (?, 1, 0, ?)"
                    " ON CONFLICT (address) DO UPDATE SET failed_logins = CASE"
                    " WHEN login_failures.updated_at < excluded.updated_at - ? THEN 1"
                    " ELSE login_failures.failed_logins + 1 END, updated_at = excluded.updated_at"_s,
                    {address, now, config.lockoutMs}); // failures older than a lock period are forgotten
            sqlExec(
                wdb,
                u"UPDATE login_failures SET locked_until = ?, failed_logins = 0 WHERE address = ? AND failed_logins >= ?"_s,
                {now + config.lockoutMs, address, config.lockoutThreshold});
            audit.action = u"staff.login_failed"_s;
            AuditLog::append(wdb, audit);
            return QJsonObject{};
        })
        .then(QtFuture::Launch::Sync, [now](QJsonObject session) {
            if (session.contains(u"locked"_s))
                throw lockedError(session.value(u"locked"_s).toInteger(), now);
            if (session.isEmpty())
                throw ApiError(ErrorCode::Unauthenticated, u"Wrong username or password."_s);
            return session;
        });
}

StaffAuthService::NewStaff StaffAuthService::createStaff(const QSqlDatabase &db, const QString &username,
                                                         const QString &displayName, const QString &role,
                                                         const QString &merchantId) const
{
    static const QRegularExpression usernamePattern(u"^[a-z0-9][a-z0-9._-]{2,63}$"_s);
    if (!usernamePattern.match(username).hasMatch())
        throw ApiError(ErrorCode::ValidationFailed, u"username must be 3 to 64 characters of [a-z0-9._-]."_s);
    const std::optional<Role> parsedRole = roleFromName(role);
    if (!parsedRole)
        throw ApiError(ErrorCode::ValidationFailed,
                       u"role must be operator, merchant_admin, platform_admin or auditor."_s);
    const bool merchantRole = *parsedRole == Role::Operator || *parsedRole == Role::MerchantAdmin;
    if (merchantRole == merchantId.isEmpty())
        throw ApiError(ErrorCode::ValidationFailed,
                       merchantRole ? u"Operators and merchant admins belong to a merchant."_s
                                    : u"Platform admins and auditors belong to no merchant."_s);
    if (displayName.size() > 100)
        throw ApiError(ErrorCode::ValidationFailed, u"display_name is at most 100 characters."_s);
    if (merchantRole && !sqlExec(db, u"SELECT 1 FROM merchants WHERE id = ?"_s, {merchantId}).next())
        throw ApiError(ErrorCode::NotFound, u"No such merchant."_s);
    if (sqlExec(db, u"SELECT 1 FROM staff_users WHERE username = ?"_s, {username}).next())
        throw ApiError(ErrorCode::Conflict, u"The username %1 is taken."_s.arg(username));
    NewStaff created{m_ids.next(), username, Random::token(12)};
    const qint64 now = m_clock();
    sqlExec(db,
            u"INSERT INTO staff_users (id, username, display_name, password_hash, role, merchant_id, status,"
            " must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', 1, ?, ?)"_s,
            {created.id, username, displayName.isEmpty() ? username : displayName, hashPassword(created.password), role,
             merchantRole ? QVariant(merchantId) : QVariant(QMetaType::fromType<QString>()), now, now});
    return created;
}

QFuture<void> StaffAuthService::changePassword(const QString &staffId, const QString &currentPassword,
                                               const QString &newPassword, const QString &keepSessionHash) const
{
    checkPasswordPolicy(newPassword);
    if (newPassword == currentPassword)
        throw ApiError(ErrorCode::ValidationFailed, u"The new password must differ from the current one."_s);
    QSqlQuery user
        = sqlExec(m_database.threadConnection(), u"SELECT password_hash FROM staff_users WHERE id = ?"_s, {staffId});
    if (!m_hashSlots.tryAcquire(1, 2000))
        throw ApiError(ErrorCode::Unavailable, u"Too many password checks at once; retry shortly."_s);
    const bool currentOk = user.next() && PasswordHash::verify(currentPassword, user.value(0).toString());
    m_hashSlots.release();
    if (!currentOk)
        throw ApiError(ErrorCode::Unauthenticated, u"The current password is wrong."_s);
    const QString newHash = hashPassword(newPassword);
    const qint64 now = m_clock();
    return m_writer.submit<void>([staffId, newHash, keepSessionHash, now](const QSqlDatabase &db) {
        sqlExec(db,
                u"UPDATE staff_users SET password_hash = ?, must_change_password = 0, updated_at = ? WHERE id = ?"_s,
                {newHash, now, staffId});
        // Everyone else who knew the old password is signed out.
        sqlExec(db,
                u"UPDATE sessions SET revoked_at = ? WHERE principal_type = 'staff' AND principal_id = ?"
                " AND token_hash <> ? AND revoked_at IS NULL"_s,
                {now, staffId, keepSessionHash});
        AuditEntry audit;
        audit.at = now;
        audit.actorType = u"staff"_s;
        audit.actorId = staffId;
        audit.action = u"staff.password_changed"_s;
        audit.targetType = u"staff_user"_s;
        audit.targetId = staffId;
        AuditLog::append(db, audit);
    });
}

QFuture<QJsonObject> StaffAuthService::setupTotp(const QString &staffId, const QString &username,
                                                 const QString &password) const
{
    // A stolen session alone must not be able to replace the second factor.
    QSqlQuery user
        = sqlExec(m_database.threadConnection(), u"SELECT password_hash FROM staff_users WHERE id = ?"_s, {staffId});
    if (!m_hashSlots.tryAcquire(1, 2000))
        throw ApiError(ErrorCode::Unavailable, u"Too many password checks at once; retry shortly."_s);
    const bool passwordOk = user.next() && PasswordHash::verify(password, user.value(0).toString());
    m_hashSlots.release();
    if (!passwordOk)
        throw ApiError(ErrorCode::Unauthenticated, u"The password is wrong."_s);
    const QByteArray secret = Totp::generateSecret();
    const QString pending = m_cipher.encrypt(secret, EncryptedColumns::staffTotpPending().context(staffId));
    const qint64 now = m_clock();
    const QJsonObject answer{{u"secret"_s, Base32::encode(secret)},
                             {u"otpauth_uri"_s, Totp::provisioningUri(username, secret)}};
    return m_writer.submit<QJsonObject>([staffId, pending, now, answer](const QSqlDatabase &db) {
        sqlExec(db, u"UPDATE staff_users SET totp_pending_enc = ?, updated_at = ? WHERE id = ?"_s,
                {pending, now, staffId});
        return answer;
    });
}

QFuture<void> StaffAuthService::confirmTotp(const QString &staffId, const QString &code, const QString &requestId) const
{
    QSqlQuery row
        = sqlExec(m_database.threadConnection(), u"SELECT totp_pending_enc FROM staff_users WHERE id = ?"_s, {staffId});
    if (!row.next() || row.value(0).isNull())
        throw ApiError(ErrorCode::Conflict, u"Start with POST /v1/me/totp/setup."_s);
    const std::optional<QByteArray> secret
        = m_cipher.decrypt(row.value(0).toString(), EncryptedColumns::staffTotpPending().context(staffId));
    const qint64 now = m_clock();
    const std::optional<qint64> step = secret ? Totp::verify(*secret, code, now / 1000) : std::nullopt;
    if (!step)
        throw ApiError(ErrorCode::ValidationFailed, u"The code does not match; check the authenticator's clock."_s);
    const QString active = m_cipher.encrypt(*secret, EncryptedColumns::staffTotpSecret().context(staffId));
    const qint64 usedStep = *step;
    return m_writer.submit<void>([staffId, active, usedStep, now, requestId](const QSqlDatabase &db) {
        sqlExec(db,
                u"UPDATE staff_users SET totp_secret_enc = ?, totp_pending_enc = NULL, totp_last_step = ?,"
                " updated_at = ? WHERE id = ?"_s,
                {active, usedStep, now, staffId});
        AuditEntry audit;
        audit.at = now;
        audit.actorType = u"staff"_s;
        audit.actorId = staffId;
        audit.action = u"staff.totp_enabled"_s;
        audit.targetType = u"staff_user"_s;
        audit.targetId = staffId;
        audit.requestId = requestId;
        AuditLog::append(db, audit);
    });
}

} // namespace paydesk
