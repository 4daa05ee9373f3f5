#include "server/auth/AppAuthService.h"

#include "server/events/EventHub.h"

#include "common/crypto/Hmac.h"
#include "common/crypto/Random.h"
#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/audit/AuditLog.h"
#include "server/auth/RateLimiter.h"
#include "server/auth/SessionStore.h"
#include "server/security/EncryptedColumns.h"
#include "server/security/FieldCipher.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QLoggingCategory>
#include <QRegularExpression>

#include <cstring>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSms, "paydesk.sms")

namespace paydesk {

namespace {

const QStringList kActionPurposes{u"transfer"_s, u"withdrawal"_s, u"red_packet"_s};

// Six uniformly random digits: 32-bit draws above the largest multiple of 10^6 are rejected,
// so no code is likelier than another.
QString randomDigits()
{
    constexpr quint32 range = 1'000'000;
    constexpr quint32 limit = quint32(0xFFFFFFFFu / range * range);
    for (;;) {
        const QByteArray bytes = Random::bytes(4);
        quint32 value = 0;
        std::memcpy(&value, bytes.constData(), 4);
        if (value < limit)
            return QString::number(value % range).rightJustified(6, u'0');
    }
}

QString codeHash(FieldCipher &cipher, const QString &phoneHash, const QString &code)
{
    return cipher.lookupHash(u"sms_codes.code"_s, phoneHash + u':' + code);
}

} // namespace

void LogSmsProvider::send(const QSqlDatabase &db, const QString &phoneHash, const QString &phone, const QString &text)
{
    sqlExec(db, u"INSERT INTO sms_log (id, phone_hash, body, created_at) VALUES (?, ?, ?, ?)"_s,
            {Random::token(12), phoneHash, text, m_clock()});
    qCInfo(lcSms).noquote() << u"sms to %1: %2"_s.arg(AppAuthService::maskPhone(phone), text);
}

AppAuthService::AppAuthService(DbWriter &writer, FieldCipher &cipher, IdGenerator &ids, SmsProvider &sms,
                               RateLimiter &limiter, Clock clock, const SecurityConfig &config)
    : m_writer(writer), m_cipher(cipher), m_ids(ids), m_sms(sms), m_limiter(limiter), m_clock(std::move(clock)),
      m_config(config)
{
}

QString AppAuthService::normalisePhone(const QString &phone)
{
    static const QRegularExpression mainland(u"^(?:\\+?86)?(1[3-9][0-9]{9})$"_s);
    const QRegularExpressionMatch match = mainland.match(phone);
    if (!match.hasMatch()) {
        throw ApiError(ErrorCode::ValidationFailed, u"phone must be a mainland China mobile number."_s,
                       QJsonObject{{u"field"_s, u"phone"_s}});
    }
    return match.captured(1);
}

QString AppAuthService::phoneLookupHash(const FieldCipher &cipher, const QString &phone)
{
    return cipher.lookupHash(u"app_users.phone"_s, phone);
}

QString AppAuthService::maskPhone(const QString &phone)
{
    return phone.size() == 11 ? phone.left(3) + u"****"_s + phone.right(4) : u"***"_s;
}

QFuture<qint64> AppAuthService::sendCode(const QString &rawPhone, const QHostAddress &address)
{
    const QString phone = normalisePhone(rawPhone);
    const qint64 now = m_clock();
    qint64 retryAfterMs = 0;
    // Per address: a bucket refilling smsPerHourPerAddress per hour.
    const double perSecond = m_config.smsPerHourPerAddress / 3600.0;
    if (!m_limiter.take(u"sms-addr:"_s + address.toString(), perSecond, m_config.smsPerHourPerAddress, now,
                        &retryAfterMs)) {
        const qint64 seconds = std::max<qint64>(1, retryAfterMs / 1000);
        throw ApiError(ErrorCode::RateLimited, u"Too many codes requested from this address."_s,
                       QJsonObject{{u"retry_after_seconds"_s, seconds}});
    }
    const QString phoneHash = phoneLookupHash(m_cipher, phone);
    const QString code = randomDigits();
    const QString hash = codeHash(m_cipher, phoneHash, code);
    const QString id = Random::token(12);
    SmsProvider &sms = m_sms;
    const SecurityConfig &config = m_config;
    return m_writer.submit<qint64>([&sms, &config, phone, phoneHash, code, hash, id, now](const QSqlDatabase &db) {
        QSqlQuery last = sqlExec(db, u"SELECT MAX(created_at) FROM sms_codes WHERE phone_hash = ?"_s, {phoneHash});
        if (last.next() && !last.value(0).isNull() && now - last.value(0).toLongLong() < config.smsResendMs) {
            const qint64 seconds
                = std::max<qint64>(1, (config.smsResendMs - (now - last.value(0).toLongLong())) / 1000);
            throw ApiError(ErrorCode::RateLimited, u"A code was sent to this phone moments ago."_s,
                           QJsonObject{{u"retry_after_seconds"_s, seconds}});
        }
        // A phone is sent at most smsPerDayPerPhone codes a day, whoever asks, so nobody can keep
        // drawing fresh codes for someone else's number.
        QSqlQuery today = sqlExec(db, u"SELECT COUNT(*) FROM sms_codes WHERE phone_hash = ? AND created_at > ?"_s,
                                  {phoneHash, now - 86'400'000LL});
        if (today.next() && today.value(0).toInt() >= config.smsPerDayPerPhone) {
            throw ApiError(ErrorCode::RateLimited, u"Too many codes for this phone today."_s,
                           QJsonObject{{u"retry_after_seconds"_s, 3600}});
        }
        // A new code replaces any older one.
        sqlExec(db, u"UPDATE sms_codes SET consumed_at = ? WHERE phone_hash = ? AND consumed_at IS NULL"_s,
                {now, phoneHash});
        sqlExec(db,
                u"INSERT INTO sms_codes (id, phone_hash, code_hash, attempts, created_at, expires_at)"
                " VALUES (?, ?, ?, 0, ?, ?)"_s,
                {id, phoneHash, hash, now, now + config.smsCodeTtlMs});
        sms.send(db, phoneHash, phone,
                 u"Your Paydesk code is %1. It expires in %2 minutes."_s.arg(code).arg(config.smsCodeTtlMs / 60000));
        return config.smsCodeTtlMs / 1000;
    });
}

QFuture<QJsonObject> AppAuthService::signIn(const QString &rawPhone, const QString &code, const QString &requestId,
                                            const QHostAddress &address)
{
    const QString phone = normalisePhone(rawPhone);
    static const QRegularExpression sixDigits(u"^[0-9]{6}$"_s);
    if (!sixDigits.match(code).hasMatch())
        throw ApiError(ErrorCode::Unauthenticated, u"Wrong or expired code."_s);
    const QString phoneHash = phoneLookupHash(m_cipher, phone);
    const QString hash = codeHash(m_cipher, phoneHash, code);
    const QString newUserId = m_ids.next();
    const QString phoneEnc = m_cipher.encrypt(phone.toUtf8(), EncryptedColumns::appUserPhone().context(newUserId));
    const qint64 now = m_clock();
    const SecurityConfig &config = m_config;
    const QString masked = maskPhone(phone);
    const QString addressText = address.toString();
    return m_writer
        .submit<QJsonObject>([&config, phoneHash, hash, newUserId, phoneEnc, masked, now, requestId,
                              addressText](const QSqlDatabase &db) -> QJsonObject {
            QSqlQuery pending
                = sqlExec(db,
                          u"SELECT id, code_hash, attempts FROM sms_codes WHERE phone_hash = ?"
                          " AND consumed_at IS NULL AND expires_at > ? ORDER BY created_at DESC LIMIT 1"_s,
                          {phoneHash, now});
            if (!pending.next())
                return {};
            const QString codeId = pending.value(0).toString();
            if (!Hmac::constantTimeEquals(pending.value(1).toString().toLatin1(), hash.toLatin1())) {
                // Each wrong guess counts; the last allowed one burns the code.
                sqlExec(db,
                        u"UPDATE sms_codes SET attempts = attempts + 1,"
                        " consumed_at = CASE WHEN attempts + 1 >= ? THEN ? ELSE consumed_at END WHERE id = ?"_s,
                        {config.smsCodeAttempts, now, codeId});
                return {};
            }
            sqlExec(db, u"UPDATE sms_codes SET consumed_at = ? WHERE id = ?"_s, {now, codeId});
            sqlExec(db,
                    u"INSERT INTO app_users (id, phone_hash, phone_enc, phone_masked, status, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, 'ACTIVE', ?, ?) ON CONFLICT (phone_hash) DO NOTHING"_s,
                    {newUserId, phoneHash, phoneEnc, masked, now, now});
            QSqlQuery user
                = sqlExec(db, u"SELECT id, status, created_at FROM app_users WHERE phone_hash = ?"_s, {phoneHash});
            user.next();
            const QString userId = user.value(0).toString();
            if (user.value(1).toString() != u"ACTIVE"_s)
                return QJsonObject{{u"disabled"_s, true}};
            const SessionStore::Issued session
                = SessionStore::create(db, u"app_user"_s, userId, now, config.appSessionTtlMs);
            AuditEntry audit;
            audit.at = now;
            audit.actorType = u"app_user"_s;
            audit.actorId = userId;
            audit.action = userId == newUserId ? u"app_user.registered"_s : u"app_user.login"_s;
            audit.targetType = u"app_user"_s;
            audit.targetId = userId;
            audit.address = addressText;
            audit.requestId = requestId;
            AuditLog::append(db, audit);
            return QJsonObject{
                {u"token"_s, session.token},
                {u"expires_at"_s, session.expiresAt},
                {u"user"_s,
                 QJsonObject{{u"id"_s, userId}, {u"phone"_s, masked}, {u"created_at"_s, user.value(2).toLongLong()}}}};
        })
        .then(QtFuture::Launch::Sync, [](QJsonObject result) {
            if (result.isEmpty())
                throw ApiError(ErrorCode::Unauthenticated, u"Wrong or expired code."_s);
            if (result.contains(u"disabled"_s))
                throw ApiError(ErrorCode::Forbidden, u"This account is disabled."_s);
            return result;
        });
}

QFuture<QJsonObject> AppAuthService::issueActionToken(const QString &appUserId, const QString &purpose, bool onStream)
{
    if (!kActionPurposes.contains(purpose)) {
        throw ApiError(ErrorCode::ValidationFailed, u"purpose must be one of %1."_s.arg(kActionPurposes.join(u", "_s)),
                       QJsonObject{{u"field"_s, u"purpose"_s}});
    }
    const QString token = Random::token(32);
    const qint64 now = m_clock();
    const qint64 expiresAt = now + m_config.actionTokenTtlMs;
    return m_writer.submit<QJsonObject>([token, appUserId, purpose, now, expiresAt, onStream](const QSqlDatabase &db) {
        sqlExec(db,
                u"INSERT INTO action_tokens (token_hash, app_user_id, purpose, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)"_s,
                {SessionStore::hashToken(token), appUserId, purpose, now, expiresAt});
        const QJsonObject issued{{u"token"_s, token}, {u"purpose"_s, purpose}, {u"expires_at"_s, expiresAt}};
        if (!onStream)
            return issued;
        EventHub::publish(db, u"user:"_s + appUserId, u"action_token"_s, issued, now);
        return QJsonObject{{u"purpose"_s, purpose}, {u"expires_at"_s, expiresAt}, {u"delivery"_s, u"stream"_s}};
    });
}

} // namespace paydesk
