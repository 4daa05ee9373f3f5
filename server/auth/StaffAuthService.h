#pragma once

#include "server/auth/SecurityConfig.h"

#include <QSqlDatabase>

#include <QFuture>
#include <QHostAddress>
#include <QJsonObject>
#include <QSemaphore>
#include <QString>

namespace paydesk {

class Database;
class DbWriter;
class FieldCipher;
class IdGenerator;

/// Staff sign-in: scrypt passwords compared in constant time, lockout after repeated failures
/// per user and per source address, optional TOTP, password changes, staff accounts.
class StaffAuthService final
{
public:
    StaffAuthService(Database &database, DbWriter &writer, FieldCipher &cipher, IdGenerator &ids, Clock clock,
                     const SecurityConfig &config);

    struct LoginRequest
    {
        QString username;
        QString password;
        QString totp;
        QHostAddress address;
        QString requestId;
    };
    /// Completes with the session ({token, expires_at, user}) or fails with ApiError
    /// UNAUTHENTICATED (same answer for unknown user and wrong password) or LOCKED.
    QFuture<QJsonObject> login(const LoginRequest &request) const;

    /// Inside a writer unit. Returns the one-time password (the user must change it).
    struct NewStaff
    {
        QString id;
        QString username;
        QString password;
    };
    NewStaff createStaff(const QSqlDatabase &db, const QString &username, const QString &displayName,
                         const QString &role, const QString &merchantId) const;

    /// Checks the current password (off the writer thread) then stores the new one and ends
    /// every other session of the user.
    QFuture<void> changePassword(const QString &staffId, const QString &currentPassword, const QString &newPassword,
                                 const QString &keepSessionHash) const;

    /// A new TOTP secret, kept pending until confirmTotp() proves the authenticator has it:
    /// {secret (base32), otpauth_uri}.
    QFuture<QJsonObject> setupTotp(const QString &staffId, const QString &username, const QString &password) const;
    /// Turns the second factor on when code matches the pending secret.
    QFuture<void> confirmTotp(const QString &staffId, const QString &code, const QString &requestId) const;

    /// Throws VALIDATION_FAILED when a password is too weak to store.
    void checkPasswordPolicy(const QString &password) const;

private:
    Database &m_database;
    DbWriter &m_writer;
    FieldCipher &m_cipher;
    IdGenerator &m_ids;
    Clock m_clock;
    const SecurityConfig &m_config;
    QString m_dummyHash; ///< verified against for unknown users, so timing does not reveal them
    mutable QSemaphore m_hashSlots{2}; ///< concurrent scrypt verifications (32 MiB and ~100 ms each)
};

} // namespace paydesk
