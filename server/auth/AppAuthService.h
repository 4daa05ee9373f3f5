#pragma once

#include "server/auth/SecurityConfig.h"

#include <QFuture>
#include <QHostAddress>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace paydesk {

class DbWriter;
class FieldCipher;
class IdGenerator;
class RateLimiter;

/// Delivers text messages to phones. The built-in provider is "log"; a production provider
/// (an SMS gateway) implements the same interface.
class SmsProvider
{
public:
    virtual ~SmsProvider() = default;
    /// Called inside the writer unit that issues the code, so a code is never valid unless the
    /// message was handed over (a gateway provider would queue it in an outbox row here).
    virtual void send(const QSqlDatabase &db, const QString &phoneHash, const QString &phone, const QString &text) = 0;
};

/// Writes messages to the server log (phone masked) and to the sms_log table, where the
/// sandbox and the tests read codes (`paydesk-server sms last --phone …`); never served by the API.
class LogSmsProvider final : public SmsProvider
{
public:
    explicit LogSmsProvider(Clock clock) : m_clock(std::move(clock)) { }
    void send(const QSqlDatabase &db, const QString &phoneHash, const QString &phone, const QString &text) override;

private:
    Clock m_clock;
};

/// Mobile app users: sign-in with a one-time SMS code (expiring, limited attempts, rate-limited
/// sends), app sessions, and one-time action tokens for money-moving calls.
class AppAuthService final
{
public:
    AppAuthService(DbWriter &writer, FieldCipher &cipher, IdGenerator &ids, SmsProvider &sms, RateLimiter &limiter,
                   Clock clock, const SecurityConfig &config);

    /// "13800138000" or "+8613800138000" → "13800138000"; throws VALIDATION_FAILED otherwise.
    static QString normalisePhone(const QString &phone);
    static QString maskPhone(const QString &phone);
    /// The keyed hash that finds a user (and their codes) by normalised phone number.
    static QString phoneLookupHash(const FieldCipher &cipher, const QString &phone);

    /// Issues a code and sends it. Throws RATE_LIMITED when the phone or the address asks too often.
    QFuture<qint64> sendCode(const QString &phone, const QHostAddress &address);
    /// Checks the code; on success creates the user on first sign-in and a session
    /// ({token, expires_at, user}). Throws UNAUTHENTICATED for a wrong, used or expired code.
    QFuture<QJsonObject> signIn(const QString &phone, const QString &code, const QString &requestId,
                                const QHostAddress &address);
    /// A single-use token for one money-moving call, valid for a few minutes.
    /// With onStream the token is not in the answer but pushed on the user's event stream (an
    /// "action_token" event), so a script that only speaks HTTP cannot fetch one.
    QFuture<QJsonObject> issueActionToken(const QString &appUserId, const QString &purpose, bool onStream = false);

private:
    DbWriter &m_writer;
    FieldCipher &m_cipher;
    IdGenerator &m_ids;
    SmsProvider &m_sms;
    RateLimiter &m_limiter;
    Clock m_clock;
    const SecurityConfig &m_config;
};

} // namespace paydesk
