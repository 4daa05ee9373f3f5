#include "server/app/AdminCommands.h"

#include "common/crypto/Certificate.h"
#include "server/payments/Payments.h"

#include <QFile>

#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "common/util/PrivateFiles.h"
#include "server/api/ApiContext.h"
#include "server/audit/AuditLog.h"
#include "server/auth/ApiKeyService.h"
#include "server/auth/AppAuthService.h"
#include "server/auth/StaffAuthService.h"
#include "server/ledger/Ledger.h"
#include "server/wallet/WalletService.h"
#include "server/security/FieldCipher.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QDate>
#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

AuditEntry cliAudit(qint64 now, const QString &action, const QString &targetType, const QString &targetId,
                    const QJsonObject &details = {})
{
    AuditEntry entry;
    entry.at = now;
    entry.actorType = u"cli"_s;
    entry.actorId = u"paydesk-server"_s;
    entry.action = action;
    entry.targetType = targetType;
    entry.targetId = targetId;
    entry.details = details;
    return entry;
}

struct CreatedMerchant
{
    QString id;
    QString code;
};

CreatedMerchant insertMerchant(const QSqlDatabase &db, ApiContext &context, const QString &code, const QString &name,
                               const QString &notifyUrl)
{
    static const QRegularExpression codePattern(u"^[A-Za-z0-9_-]{2,32}$"_s);
    if (!codePattern.match(code).hasMatch())
        throw ApiError(ErrorCode::ValidationFailed, u"--code must be 2 to 32 characters of [A-Za-z0-9_-]."_s);
    if (name.isEmpty() || name.size() > 100)
        throw ApiError(ErrorCode::ValidationFailed, u"--name must be 1 to 100 characters."_s);
    const QString id = context.merchantIds.next();
    const qint64 now = context.clock();
    QSqlQuery insert
        = sqlExec(db,
                  u"INSERT INTO merchants (id, code, name, status, notify_url, created_at, updated_at)"
                  " VALUES (?, ?, ?, 'ACTIVE', ?, ?, ?) ON CONFLICT DO NOTHING"_s,
                  {id, code, name, notifyUrl.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(notifyUrl),
                   now, now});
    if (insert.numRowsAffected() != 1)
        throw ApiError(ErrorCode::Conflict, u"The merchant code %1 is taken."_s.arg(code));
    AuditLog::append(db, cliAudit(now, u"merchant.created"_s, u"merchant"_s, id, QJsonObject{{u"code"_s, code}}));
    return {id, code};
}

// The JSON of POST /v1/channels from command-line options; key material is read from files.
QJsonObject channelInput(const QMap<QString, QString> &options, bool creating)
{
    const auto readFile = [](const QString &option, const QString &path) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly) || file.size() > 256 * 1024)
            throw ApiError(ErrorCode::ValidationFailed, u"--%1: cannot read %2"_s.arg(option, path));
        return QString::fromUtf8(file.readAll());
    };
    QJsonObject input;
    const QList<std::pair<QString, QString>> plain{{u"id"_s, u"id"_s},
                                                   {u"type"_s, u"type"_s},
                                                   {u"name"_s, u"name"_s},
                                                   {u"app-id"_s, u"app_id"_s},
                                                   {u"mch-id"_s, u"merchant_id"_s},
                                                   {u"merchant-serial"_s, u"merchant_serial"_s},
                                                   {u"gateway-url"_s, u"gateway_url"_s},
                                                   {u"notify-url"_s, u"notify_url"_s}};
    for (const auto &[option, field] : plain)
        if (options.contains(option))
            input.insert(field, options.value(option));
    if (options.contains(u"private-key-file"_s))
        input.insert(u"private_key"_s, readFile(u"private-key-file"_s, options.value(u"private-key-file"_s)));
    if (options.contains(u"api-v3-key-file"_s))
        input.insert(u"api_v3_key"_s, readFile(u"api-v3-key-file"_s, options.value(u"api-v3-key-file"_s)).trimmed());
    if (options.contains(u"gateway-ca-file"_s))
        input.insert(u"gateway_ca"_s, readFile(u"gateway-ca-file"_s, options.value(u"gateway-ca-file"_s)));
    if (options.contains(u"platform-key-file"_s)) {
        const QString pem = readFile(u"platform-key-file"_s, options.value(u"platform-key-file"_s));
        // Alipay has one public key; WeChat keys are named by certificate serial (or PUB_KEY_ID_…).
        QString serial = options.value(u"platform-serial"_s);
        if (serial.isEmpty() && options.value(u"type"_s) == u"alipay"_s)
            serial = u"alipay"_s;
        if (serial.isEmpty()) {
            const auto certificate = Certificate::fromPem(pem.toLatin1());
            if (!certificate)
                throw ApiError(ErrorCode::ValidationFailed,
                               u"--platform-serial is needed when --platform-key-file is not a certificate."_s);
            serial = certificate->serialNumberHex().toUpper();
        }
        input.insert(u"platform_keys"_s, QJsonObject{{serial, pem}});
    }
    if (options.contains(u"weight"_s))
        input.insert(u"weight"_s, options.value(u"weight"_s).toInt());
    if (options.contains(u"enabled"_s))
        input.insert(u"enabled"_s, options.value(u"enabled"_s) == u"true"_s || options.value(u"enabled"_s) == u"1"_s);
    if (!creating) {
        input.remove(u"id"_s);
        input.remove(u"type"_s);
    }
    return input;
}

} // namespace

AdminCommands::AdminCommands(ApiContext &context, QTextStream &out, QTextStream &err)
    : m_context(context), m_out(out), m_err(err)
{
}

template<typename Work> int AdminCommands::run(Work work)
{
    try {
        work();
        m_out.flush();
        return 0;
    } catch (const ApiError &error) {
        m_err << "paydesk-server: " << error.message() << Qt::endl;
    } catch (const std::exception &error) {
        m_err << "paydesk-server: " << error.what() << Qt::endl;
    }
    return 1;
}

QString AdminCommands::merchantIdForCode(const QString &code)
{
    QSqlQuery row
        = sqlExec(m_context.database.threadConnection(), u"SELECT id FROM merchants WHERE code = ?"_s, {code});
    if (!row.next())
        throw ApiError(ErrorCode::NotFound, u"No merchant with code %1."_s.arg(code));
    return row.value(0).toString();
}

int AdminCommands::createMerchant(const QString &code, const QString &name, const QString &notifyUrl)
{
    return run([&] {
        ApiContext &context = m_context;
        const CreatedMerchant merchant
            = m_context.writer
                  .submit<CreatedMerchant>([&context, code, name, notifyUrl](const QSqlDatabase &db) {
                      return insertMerchant(db, context, code, name, notifyUrl);
                  })
                  .result();
        m_out << "merchant_id=" << merchant.id << "\nmerchant_code=" << merchant.code << "\n";
    });
}

int AdminCommands::createStaff(const QString &username, const QString &role, const QString &merchantCode,
                               const QString &displayName)
{
    return run([&] {
        const QString merchantId = merchantCode.isEmpty() ? QString() : merchantIdForCode(merchantCode);
        StaffAuthService &staffAuth = m_context.staffAuth;
        const qint64 now = m_context.clock();
        const StaffAuthService::NewStaff created
            = m_context.writer
                  .submit<StaffAuthService::NewStaff>(
                      [&staffAuth, username, displayName, role, merchantId, now](const QSqlDatabase &db) {
                          StaffAuthService::NewStaff staff
                              = staffAuth.createStaff(db, username, displayName, role, merchantId);
                          AuditLog::append(db,
                                           cliAudit(now, u"staff.created"_s, u"staff_user"_s, staff.id,
                                                    QJsonObject{{u"username"_s, username}, {u"role"_s, role}}));
                          return staff;
                      })
                  .result();
        m_out << "staff_id=" << created.id << "\nusername=" << created.username
              << "\none_time_password=" << created.password << "\n";
    });
}

int AdminCommands::createApiKey(const QString &merchantCode, const QString &label)
{
    return run([&] {
        const QString merchantId = merchantIdForCode(merchantCode);
        ApiKeyService &apiKeys = m_context.apiKeys;
        const qint64 now = m_context.clock();
        const ApiKeyService::Created key
            = m_context.writer
                  .submit<ApiKeyService::Created>([&apiKeys, merchantId, label, now](const QSqlDatabase &db) {
                      ApiKeyService::Created created = apiKeys.create(db, merchantId, label);
                      AuditLog::append(db,
                                       cliAudit(now, u"api_key.created"_s, u"api_key"_s, created.keyId,
                                                QJsonObject{{u"merchant_id"_s, merchantId}}));
                      return created;
                  })
                  .result();
        m_out << "api_key_id=" << key.keyId << "\napi_key_secret=" << key.secret << "\n";
    });
}

int AdminCommands::listApiKeys(const QString &merchantCode)
{
    return run([&] {
        const QString merchantId = merchantIdForCode(merchantCode);
        for (const QJsonValue &value : m_context.apiKeys.list(merchantId)) {
            const QJsonObject key = value.toObject();
            m_out << key.value(u"key_id"_s).toString() << '\t' << key.value(u"status"_s).toString() << '\t'
                  << key.value(u"label"_s).toString() << '\n';
        }
    });
}

int AdminCommands::revokeApiKey(const QString &keyId)
{
    return run([&] {
        QSqlQuery row = sqlExec(m_context.database.threadConnection(),
                                u"SELECT merchant_id FROM api_keys WHERE key_id = ?"_s, {keyId});
        if (!row.next())
            throw ApiError(ErrorCode::NotFound, u"No API key %1."_s.arg(keyId));
        const QString merchantId = row.value(0).toString();
        ApiKeyService &apiKeys = m_context.apiKeys;
        const qint64 now = m_context.clock();
        m_context.writer
            .submit<void>([&apiKeys, merchantId, keyId, now](const QSqlDatabase &db) {
                apiKeys.revoke(db, merchantId, keyId);
                AuditLog::append(db, cliAudit(now, u"api_key.revoked"_s, u"api_key"_s, keyId));
            })
            .waitForFinished();
        m_out << "revoked " << keyId << "\n";
    });
}

int AdminCommands::lastSms(const QString &phone)
{
    return run([&] {
        const QString phoneHash
            = AppAuthService::phoneLookupHash(m_context.cipher, AppAuthService::normalisePhone(phone));
        QSqlQuery row
            = sqlExec(m_context.database.threadConnection(),
                      u"SELECT body FROM sms_log WHERE phone_hash = ? ORDER BY created_at DESC LIMIT 1"_s, {phoneHash});
        if (!row.next())
            throw ApiError(ErrorCode::NotFound, u"No message was sent to that phone."_s);
        m_out << row.value(0).toString() << "\n";
    });
}

int AdminCommands::addChannel(const QMap<QString, QString> &options)
{
    return run([&] {
        Payments &payments = *m_context.payments;
        const QJsonObject input = channelInput(options, true);
        const qint64 now = m_context.clock();
        const QJsonObject channel
            = m_context.writer
                  .submit<QJsonObject>([&payments, input, now](const QSqlDatabase &db) {
                      const QJsonObject created = payments.channels.create(db, input, now);
                      AuditLog::append(
                          db, cliAudit(now, u"channel.created"_s, u"channel"_s, created.value(u"id"_s).toString()));
                      return created;
                  })
                  .result();
        m_out << QJsonDocument(channel).toJson(QJsonDocument::Indented);
    });
}

int AdminCommands::setChannel(const QString &id, const QMap<QString, QString> &options)
{
    return run([&] {
        Payments &payments = *m_context.payments;
        const QJsonObject input = channelInput(options, false);
        const qint64 now = m_context.clock();
        const QJsonObject channel
            = m_context.writer
                  .submit<QJsonObject>([&payments, id, input, now](const QSqlDatabase &db) {
                      const QJsonObject changed = payments.channels.change(db, id, input, now);
                      AuditLog::append(db,
                                       cliAudit(now, u"channel.changed"_s, u"channel"_s, id,
                                                QJsonObject{{u"fields"_s, QJsonArray::fromStringList(input.keys())}}));
                      return changed;
                  })
                  .result();
        m_out << QJsonDocument(channel).toJson(QJsonDocument::Indented);
    });
}

int AdminCommands::listChannels()
{
    return run([&] {
        const QJsonArray channels = m_context.payments->channels.list(m_context.database.threadConnection());
        for (const QJsonValue &value : channels) {
            const QJsonObject channel = value.toObject();
            m_out << channel.value(u"id"_s).toString() << '\t' << channel.value(u"type"_s).toString() << '\t'
                  << (channel.value(u"enabled"_s).toBool() ? "enabled" : "disabled")
                  << "\tweight=" << channel.value(u"weight"_s).toInt() << '\t'
                  << channel.value(u"gateway_url"_s).toString() << '\t' << channel.value(u"notify_url"_s).toString()
                  << '\n';
        }
    });
}

int AdminCommands::ledgerCheck()
{
    int exitCode = 0;
    const int ran = run([&] {
        const Ledger::Check check = Ledger::check(m_context.database.threadConnection());
        if (check.ok) {
            m_out << "ledger OK: " << check.entries << " entries, " << check.accounts
                  << " accounts, every entry balances and every balance matches its postings\n";
            return;
        }
        exitCode = 1;
        m_out << "ledger BROKEN:\n";
        for (const QString &problem : check.problems)
            m_out << "  " << problem << "\n";
    });
    return ran != 0 ? ran : exitCode;
}

int AdminCommands::walletCheck()
{
    int exitCode = 0;
    const int ran = run([&] {
        const WalletService::Check check = WalletService::check(m_context.database.threadConnection());
        if (check.ok) {
            m_out << "wallets OK: " << check.holders
                  << " holders, every balance explained by its records and every record by its entry\n";
            return;
        }
        exitCode = 1;
        m_out << "wallets BROKEN:\n";
        for (const QString &problem : check.problems)
            m_out << "  " << problem << "\n";
    });
    return ran != 0 ? ran : exitCode;
}

int AdminCommands::reconcile(const QString &date, const QString &channelId, const QString &billFile,
                             const QString &billFormat, bool json)
{
    const QDate day = date.size() == 10 ? QDate::fromString(date, Qt::ISODate) : QDate();
    if (!day.isValid()) {
        m_err << "paydesk-server: reconcile needs --date YYYY-MM-DD\n";
        return 64;
    }
    if (!billFile.isEmpty() && (channelId.isEmpty() || channelId == ReconService::Internal)) {
        m_err << "paydesk-server: --bill-file needs --channel naming the account the bill belongs to\n";
        return 64;
    }
    int exitCode = 0;
    const int ran = run([&] {
        ReconService &recon = m_context.payments->recon;
        QJsonArray all;
        for (const auto &[id, type] : recon.targets(channelId)) {
            const QJsonObject run = id == ReconService::Internal
                ? recon.runInternal(day, u"cli"_s)
                : recon.runChannel(day, id, u"cli"_s, billFile, billFormat);
            all.append(run);
            const QString status = run.value(u"status"_s).toString();
            if (status == u"FAILED"_s)
                exitCode = 1;
            else if (run.value(u"open"_s).toInteger() > 0 && exitCode == 0)
                exitCode = 2;
            if (json)
                continue;
            const QJsonObject bill = run.value(u"bill"_s).toObject();
            const QJsonObject local = run.value(u"local"_s).toObject();
            m_out << day.toString(Qt::ISODate) << " " << id << ": " << status;
            if (id != ReconService::Internal && (status == u"DONE"_s || status == u"NO_BILL"_s))
                m_out << ", bill " << bill.value(u"lines"_s).toInteger() << " lines ("
                      << bill.value(u"payments"_s).toObject().value(u"count"_s).toInteger() << " payments, "
                      << bill.value(u"refunds"_s).toObject().value(u"count"_s).toInteger() << " refunds), local "
                      << local.value(u"payments"_s).toObject().value(u"count"_s).toInteger() << " payments and "
                      << local.value(u"refunds"_s).toObject().value(u"count"_s).toInteger() << " refunds, matched "
                      << run.value(u"matched"_s).toInteger() << ", repaired " << run.value(u"repaired"_s).toInteger();
            m_out << ", discrepancies " << run.value(u"discrepancies"_s).toInteger() << " (open "
                  << run.value(u"open"_s).toInteger() << ", carried " << run.value(u"carried"_s).toInteger() << "), "
                  << run.value(u"duration_ms"_s).toInteger() << " ms\n";
            if (status == u"FAILED"_s)
                m_out << "  " << run.value(u"error"_s).toString() << "\n";
        }
        if (json)
            m_out << QJsonDocument(QJsonObject{{u"runs"_s, all}}).toJson(QJsonDocument::Indented);
    });
    return ran != 0 ? ran : exitCode;
}

int AdminCommands::firstRun(const QString &path, const QString &serverUrl, const QString &caPath)
{
    return run([&] {
        QSqlQuery staff = sqlExec(m_context.database.threadConnection(), u"SELECT COUNT(*) FROM staff_users"_s);
        if (staff.next() && staff.value(0).toInt() > 0)
            return; // not the first run: never reset anyone's credentials
        struct Demo
        {
            QString merchantId;
            StaffAuthService::NewStaff admin;
            StaffAuthService::NewStaff cashier;
            ApiKeyService::Created key;
        };
        ApiContext &context = m_context;
        const Demo demo = m_context.writer
                              .submit<Demo>([&context](const QSqlDatabase &db) {
                                  Demo d;
                                  d.merchantId = insertMerchant(db, context, u"demo"_s, u"Demo Shop"_s, QString()).id;
                                  d.admin = context.staffAuth.createStaff(db, u"admin"_s, u"Platform Admin"_s,
                                                                          u"platform_admin"_s, QString());
                                  d.cashier = context.staffAuth.createStaff(db, u"cashier"_s, u"Demo Cashier"_s,
                                                                            u"operator"_s, d.merchantId);
                                  d.key = context.apiKeys.create(db, d.merchantId, u"demo"_s);
                                  AuditLog::append(
                                      db, cliAudit(context.clock(), u"setup.first_run"_s, u"merchant"_s, d.merchantId));
                                  return d;
                              })
                              .result();
        QByteArray text;
        text += "# Paydesk first-run credentials. Sign in, change the passwords, then delete this file.\n";
        text += "server=" + serverUrl.toUtf8() + "\nca_file=" + caPath.toUtf8() + "\n";
        text += "merchant_code=demo\nmerchant_id=" + demo.merchantId.toUtf8() + "\n";
        text += "platform_admin_username=admin\nplatform_admin_password=" + demo.admin.password.toUtf8() + "\n";
        text += "operator_username=cashier\noperator_password=" + demo.cashier.password.toUtf8() + "\n";
        text += "api_key_id=" + demo.key.keyId.toUtf8() + "\napi_key_secret=" + demo.key.secret.toUtf8() + "\n";
        QString error;
        if (!writeFileAtomically(path, text, QFileDevice::ReadOwner | QFileDevice::WriteOwner, &error))
            throw ApiError(ErrorCode::Internal, error);
        m_out << "first-run credentials written to " << path << "\n";
    });
}

} // namespace paydesk
