#include "server/payments/ChannelStore.h"

#include "server/channels/payout/PayoutChannel.h"
#include "server/security/EncryptedColumns.h"

#include "common/protocol/ApiError.h"
#include "server/security/FieldCipher.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"
#include <QRandomGenerator>

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

constexpr qint64 kCacheCheckMs = 2'000; // how stale a cached channel may be when another instance changed it
const QStringList kFields{u"id"_s,
                          u"type"_s,
                          u"name"_s,
                          u"app_id"_s,
                          u"merchant_id"_s,
                          u"private_key"_s,
                          u"merchant_serial"_s,
                          u"platform_keys"_s,
                          u"api_v3_key"_s,
                          u"app_cert_sn"_s,
                          u"alipay_root_cert_sn"_s,
                          u"gateway_url"_s,
                          u"gateway_ca"_s,
                          u"notify_url"_s,
                          u"enabled"_s,
                          u"weight"_s,
                          u"timeout_ms"_s};

[[noreturn]] void invalid(const QString &field, const QString &message)
{
    throw ApiError(ErrorCode::ValidationFailed, message, QJsonObject{{u"field"_s, field}});
}

QString text(const QJsonObject &input, const QString &field, qsizetype maxLength, const QString &fallback)
{
    if (!input.contains(field))
        return fallback;
    if (!input.value(field).isString())
        invalid(field, u"%1 must be a string."_s.arg(field));
    const QString value = input.value(field).toString();
    if (value.size() > maxLength)
        invalid(field, u"%1 is longer than %2 characters."_s.arg(field).arg(maxLength));
    return value;
}

int integer(const QJsonObject &input, const QString &field, int min, int max, int fallback)
{
    if (!input.contains(field))
        return fallback;
    const QJsonValue value = input.value(field);
    if (!value.isDouble() || value.toDouble() != double(value.toInt()) || value.toInt() < min || value.toInt() > max)
        invalid(field, u"%1 must be an integer from %2 to %3."_s.arg(field).arg(min).arg(max));
    return value.toInt();
}

QUrl httpUrl(const QString &field, const QString &value)
{
    const QUrl url(value, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"https"_s && url.scheme() != u"http"_s) || url.host().isEmpty())
        invalid(field, u"%1 must be an http(s) URL."_s.arg(field));
    return url;
}

const QStringList kPaymentTypes{u"alipay"_s, u"wechat"_s};
const QStringList kPayoutTypes{u"bankpay"_s, u"wechat_transfer"_s};

// Payment channels and payout providers live in two tables of the same shape.
QString tableFor(const QString &type)
{
    return kPayoutTypes.contains(type) ? u"payout_channels"_s : u"channels"_s;
}

// The AES-GCM context of a secret column, as key rotation knows it (EncryptedColumns).
QString secretContext(const QString &table, const QString &id, const QString &field)
{
    const bool payout = table == u"payout_channels"_s;
    const EncryptedColumn &column = field == u"private_key"_s
        ? (payout ? EncryptedColumns::payoutPrivateKey() : EncryptedColumns::channelPrivateKey())
        : (payout ? EncryptedColumns::payoutApiV3Key() : EncryptedColumns::channelApiV3Key());
    return column.context(id);
}

// The table that holds the account, or empty when none does.
QString tableOf(const QSqlDatabase &db, const QString &id)
{
    for (const QString &table : {u"channels"_s, u"payout_channels"_s}) {
        QSqlQuery row = sqlExec(db, u"SELECT 1 FROM "_s + table + u" WHERE id = ?"_s, {id});
        if (row.next())
            return table;
    }
    return {};
}

PayoutConfig payoutConfigOf(const ChannelConfig &config)
{
    PayoutConfig payout;
    payout.id = config.id;
    payout.type = config.type;
    payout.merchantId = config.merchantId;
    payout.appId = config.appId;
    payout.privateKeyPem = config.privateKeyPem;
    payout.merchantCertSerial = config.merchantCertSerial;
    payout.providerKeys = config.platformKeys;
    payout.apiV3Key = config.apiV3Key;
    payout.gatewayUrl = config.gatewayUrl;
    payout.gatewayCa = config.gatewayCa;
    payout.notifyUrl = config.notifyUrl;
    payout.timeoutMs = config.timeoutMs;
    return payout;
}

QString platformKeysText(const QMap<QString, QByteArray> &keys)
{
    QJsonObject object;
    for (auto it = keys.cbegin(); it != keys.cend(); ++it)
        object.insert(it.key(), QString::fromLatin1(it.value()));
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QMap<QString, QByteArray> platformKeysFrom(const QJsonObject &object)
{
    if (object.size() > 8)
        invalid(u"platform_keys"_s, u"At most 8 platform keys."_s);
    QMap<QString, QByteArray> keys;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!it.value().isString() || it.key().isEmpty() || it.key().size() > 64
            || it.value().toString().size() > 16'384)
            invalid(u"platform_keys"_s, u"platform_keys maps a serial (or \"alipay\") to a PEM text."_s);
        keys.insert(it.key(), it.value().toString().toLatin1());
    }
    return keys;
}

// QtSql binds a null QString as SQL NULL; the columns hold '' for "none".
QString stored(const QString &value)
{
    return value.isNull() ? u""_s : value;
}

QString pemText(const QList<QSslCertificate> &certificates)
{
    QByteArray pem;
    for (const QSslCertificate &certificate : certificates)
        pem += certificate.toPem();
    return QString::fromLatin1(pem);
}

} // namespace

ChannelStore::ChannelStore(Database &database, FieldCipher &cipher, HttpClient &http, Clock clock, QString publicUrl)
    : m_database(database), m_cipher(cipher), m_http(http), m_clock(std::move(clock)), m_publicUrl(std::move(publicUrl))
{
}

QString ChannelStore::defaultNotifyUrl(const QString &type, const QString &id) const
{
    QString base = m_publicUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    return u"%1/notify/%2/%3"_s.arg(base, type, id);
}

QJsonObject ChannelStore::create(const QSqlDatabase &db, const QJsonObject &input, qint64 nowMs) const
{
    for (auto it = input.constBegin(); it != input.constEnd(); ++it)
        if (!kFields.contains(it.key()))
            invalid(it.key(), u"Unknown field %1."_s.arg(it.key()));
    ChannelConfig config;
    config.id = text(input, u"id"_s, 32, {});
    static const QRegularExpression idPattern(u"^[a-z0-9][a-z0-9-]{1,31}$"_s);
    if (!idPattern.match(config.id).hasMatch())
        invalid(u"id"_s, u"id must be 2 to 32 characters of [a-z0-9-]."_s);
    config.type = text(input, u"type"_s, 16, {});
    if (!kPaymentTypes.contains(config.type) && !kPayoutTypes.contains(config.type))
        invalid(u"type"_s, u"type must be alipay or wechat (payments), bankpay or wechat_transfer (payouts)."_s);
    if (!tableOf(db, config.id).isEmpty())
        throw ApiError(ErrorCode::Conflict, u"A channel with id %1 exists."_s.arg(config.id));
    const QString name = text(input, u"name"_s, 100, config.id);
    config.appId = text(input, u"app_id"_s, 64, {});
    config.merchantId = text(input, u"merchant_id"_s, 64, {});
    config.privateKeyPem = text(input, u"private_key"_s, 16'384, {}).toLatin1();
    config.merchantCertSerial = text(input, u"merchant_serial"_s, 64, {});
    if (!input.value(u"platform_keys"_s).isObject())
        invalid(u"platform_keys"_s, u"platform_keys is required: {serial or \"alipay\": PEM}."_s);
    config.platformKeys = platformKeysFrom(input.value(u"platform_keys"_s).toObject());
    config.apiV3Key = text(input, u"api_v3_key"_s, 64, {}).toLatin1();
    config.appCertSn = text(input, u"app_cert_sn"_s, 64, {});
    config.alipayRootCertSn = text(input, u"alipay_root_cert_sn"_s, 256, {});
    config.gatewayUrl = httpUrl(u"gateway_url"_s, text(input, u"gateway_url"_s, 512, {}));
    const QString ca = text(input, u"gateway_ca"_s, 65'536, {});
    config.gatewayCa = QSslCertificate::fromData(ca.toLatin1());
    if (!ca.trimmed().isEmpty() && config.gatewayCa.isEmpty())
        invalid(u"gateway_ca"_s, u"gateway_ca must be PEM certificates."_s);
    // Empty: each server derives it from its own public URL when it loads the channel.
    const QString notifyUrl = text(input, u"notify_url"_s, 512, {});
    config.notifyUrl = notifyUrl.isEmpty() ? QString() : httpUrl(u"notify_url"_s, notifyUrl).toString();
    config.timeoutMs = integer(input, u"timeout_ms"_s, 500, 60'000, 10'000);
    const int weight = integer(input, u"weight"_s, 0, 10'000, 100);
    const bool enabled = input.contains(u"enabled"_s) ? input.value(u"enabled"_s).toBool(true) : true;
    store(db, config, name, enabled, weight, true, nowMs);
    return describe(db, config.id);
}

QJsonObject ChannelStore::change(const QSqlDatabase &db, const QString &id, const QJsonObject &input,
                                 qint64 nowMs) const
{
    for (auto it = input.constBegin(); it != input.constEnd(); ++it)
        if (!kFields.contains(it.key()) || it.key() == u"id"_s || it.key() == u"type"_s)
            invalid(it.key(), u"%1 cannot be changed."_s.arg(it.key()));
    int version = 0;
    bool enabled = true;
    ChannelConfig config = load(db, id, &version, &enabled);
    QSqlQuery current = sqlExec(db, u"SELECT name, weight FROM "_s + tableFor(config.type) + u" WHERE id = ?"_s, {id});
    current.next();
    const QString name = text(input, u"name"_s, 100, current.value(0).toString());
    const int weight = integer(input, u"weight"_s, 0, 10'000, current.value(1).toInt());
    if (input.contains(u"enabled"_s))
        enabled = input.value(u"enabled"_s).toBool(enabled);
    config.appId = text(input, u"app_id"_s, 64, config.appId);
    config.merchantId = text(input, u"merchant_id"_s, 64, config.merchantId);
    if (input.contains(u"private_key"_s))
        config.privateKeyPem = text(input, u"private_key"_s, 16'384, {}).toLatin1();
    config.merchantCertSerial = text(input, u"merchant_serial"_s, 64, config.merchantCertSerial);
    if (input.contains(u"platform_keys"_s))
        config.platformKeys = platformKeysFrom(input.value(u"platform_keys"_s).toObject());
    if (input.contains(u"api_v3_key"_s))
        config.apiV3Key = text(input, u"api_v3_key"_s, 64, {}).toLatin1();
    config.appCertSn = text(input, u"app_cert_sn"_s, 64, config.appCertSn);
    config.alipayRootCertSn = text(input, u"alipay_root_cert_sn"_s, 256, config.alipayRootCertSn);
    if (input.contains(u"gateway_url"_s))
        config.gatewayUrl = httpUrl(u"gateway_url"_s, text(input, u"gateway_url"_s, 512, {}));
    if (input.contains(u"gateway_ca"_s))
        config.gatewayCa = QSslCertificate::fromData(text(input, u"gateway_ca"_s, 65'536, {}).toLatin1());
    if (input.contains(u"notify_url"_s)) {
        const QString notifyUrl = text(input, u"notify_url"_s, 512, {});
        config.notifyUrl = notifyUrl.isEmpty() ? QString() : httpUrl(u"notify_url"_s, notifyUrl).toString();
    }
    config.timeoutMs = integer(input, u"timeout_ms"_s, 500, 60'000, config.timeoutMs);
    store(db, config, name, enabled, weight, false, nowMs);
    return describe(db, id);
}

void ChannelStore::store(const QSqlDatabase &db, const ChannelConfig &config, const QString &name, bool enabled,
                         int weight, bool creating, qint64 nowMs) const
{
    // Building the channel checks every key and field the way payments will use them.
    ChannelConfig effective = config;
    if (effective.notifyUrl.isEmpty())
        effective.notifyUrl = defaultNotifyUrl(config.type, config.id);
    const QString table = tableFor(config.type);
    if (table == u"payout_channels"_s)
        createPayoutChannel(payoutConfigOf(effective), m_http, m_clock);
    else
        createChannel(effective, m_http, m_clock);
    const QString privateKey
        = m_cipher.encrypt(config.privateKeyPem, secretContext(table, config.id, u"private_key"_s));
    const QVariant apiV3Key = config.apiV3Key.isEmpty()
        ? QVariant(QMetaType::fromType<QString>())
        : QVariant(m_cipher.encrypt(config.apiV3Key, secretContext(table, config.id, u"api_v3_key"_s)));
    const QVariantList values{config.type,
                              name,
                              stored(config.appId),
                              stored(config.merchantId),
                              privateKey,
                              stored(config.merchantCertSerial),
                              platformKeysText(config.platformKeys),
                              apiV3Key,
                              stored(config.appCertSn),
                              stored(config.alipayRootCertSn),
                              config.gatewayUrl.toString(),
                              stored(pemText(config.gatewayCa)),
                              stored(config.notifyUrl),
                              enabled ? 1 : 0,
                              weight,
                              config.timeoutMs,
                              nowMs};
    if (creating) {
        QSqlQuery insert = sqlExec(
            db,
            u"INSERT INTO "_s + table + u" (type, name, app_id, merchant_id, private_key_enc, merchant_serial, platform_keys,"
            " api_v3_key_enc, app_cert_sn, alipay_root_cert_sn, gateway_url, gateway_ca, notify_url, enabled, weight,"
            " timeout_ms, updated_at, id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING"_s,
            values + QVariantList{config.id, nowMs});
        if (insert.numRowsAffected() != 1)
            throw ApiError(ErrorCode::Conflict, u"A channel with id %1 exists."_s.arg(config.id));
        return;
    }
    sqlExec(db,
            u"UPDATE "_s + table + u" SET type = ?, name = ?, app_id = ?, merchant_id = ?, private_key_enc = ?,"
            " merchant_serial = ?, platform_keys = ?, api_v3_key_enc = ?, app_cert_sn = ?, alipay_root_cert_sn = ?,"
            " gateway_url = ?, gateway_ca = ?, notify_url = ?, enabled = ?, weight = ?, timeout_ms = ?, updated_at = ?,"
            " version = version + 1 WHERE id = ?"_s,
            values + QVariantList{config.id});
}

ChannelConfig ChannelStore::load(const QSqlDatabase &db, const QString &id, int *version, bool *enabled) const
{
    const QString table = tableOf(db, id);
    if (table.isEmpty())
        throw ApiError(ErrorCode::NotFound, u"No channel %1."_s.arg(id));
    QSqlQuery row = sqlExec(db,
                            u"SELECT type, app_id, merchant_id, private_key_enc, merchant_serial, platform_keys,"
                            " api_v3_key_enc, app_cert_sn, alipay_root_cert_sn, gateway_url, gateway_ca, notify_url,"
                            " timeout_ms, version, enabled FROM "_s
                                + table + u" WHERE id = ?"_s,
                            {id});
    if (!row.next())
        throw ApiError(ErrorCode::NotFound, u"No channel %1."_s.arg(id));
    ChannelConfig config;
    config.id = id;
    config.type = row.value(0).toString();
    config.appId = row.value(1).toString();
    config.merchantId = row.value(2).toString();
    const auto privateKey = m_cipher.decrypt(row.value(3).toString(), secretContext(table, id, u"private_key"_s));
    if (!privateKey)
        throw ApiError(ErrorCode::Internal, u"The channel's private key cannot be decrypted."_s);
    config.privateKeyPem = *privateKey;
    config.merchantCertSerial = row.value(4).toString();
    config.platformKeys = platformKeysFrom(QJsonDocument::fromJson(row.value(5).toString().toUtf8()).object());
    if (!row.value(6).isNull()) {
        const auto apiV3Key = m_cipher.decrypt(row.value(6).toString(), secretContext(table, id, u"api_v3_key"_s));
        if (!apiV3Key)
            throw ApiError(ErrorCode::Internal, u"The channel's API v3 key cannot be decrypted."_s);
        config.apiV3Key = *apiV3Key;
    }
    config.appCertSn = row.value(7).toString();
    config.alipayRootCertSn = row.value(8).toString();
    config.gatewayUrl = QUrl(row.value(9).toString());
    config.gatewayCa = QSslCertificate::fromData(row.value(10).toString().toLatin1());
    config.notifyUrl = row.value(11).toString();
    config.timeoutMs = row.value(12).toInt();
    *version = row.value(13).toInt();
    *enabled = row.value(14).toInt() != 0;
    return config;
}

QJsonArray ChannelStore::list(const QSqlDatabase &db) const
{
    // Ids first: PostgreSQL's driver drops a query's unread rows when the next query runs.
    QSqlQuery rows = sqlExec(
        db, u"SELECT id FROM channels UNION ALL SELECT id FROM payout_channels ORDER BY id LIMIT 1000"_s);
    QStringList ids;
    while (rows.next())
        ids.append(rows.value(0).toString());
    QJsonArray items;
    for (const QString &id : std::as_const(ids))
        items.append(describe(db, id));
    return items;
}

QJsonObject ChannelStore::describe(const QSqlDatabase &db, const QString &id) const
{
    QSqlQuery row = sqlExec(db,
                            u"SELECT id, type, name, app_id, merchant_id, merchant_serial, platform_keys, gateway_url,"
                            " notify_url, enabled, weight, timeout_ms, version, created_at, updated_at,"
                            " api_v3_key_enc IS NOT NULL, app_cert_sn FROM "_s
                                + (tableOf(db, id).isEmpty() ? u"channels"_s : tableOf(db, id)) + u" WHERE id = ?"_s,
                            {id});
    if (!row.next())
        throw ApiError(ErrorCode::NotFound, u"No channel %1."_s.arg(id));
    QJsonArray serials;
    const QJsonObject keys = QJsonDocument::fromJson(row.value(6).toString().toUtf8()).object();
    for (auto it = keys.constBegin(); it != keys.constEnd(); ++it)
        serials.append(it.key());
    return QJsonObject{{u"id"_s, row.value(0).toString()},
                       {u"type"_s, row.value(1).toString()},
                       {u"name"_s, row.value(2).toString()},
                       {u"app_id"_s, row.value(3).toString()},
                       {u"merchant_id"_s, row.value(4).toString()},
                       {u"merchant_serial"_s, row.value(5).toString()},
                       {u"platform_key_ids"_s, serials},
                       {u"gateway_url"_s, row.value(7).toString()},
                       {u"notify_url"_s,
                        row.value(8).toString().isEmpty()
                            ? defaultNotifyUrl(row.value(1).toString(), row.value(0).toString())
                            : row.value(8).toString()},
                       {u"enabled"_s, row.value(9).toInt() != 0},
                       {u"weight"_s, row.value(10).toInt()},
                       {u"timeout_ms"_s, row.value(11).toInt()},
                       {u"version"_s, row.value(12).toInt()},
                       {u"created_at"_s, row.value(13).toLongLong()},
                       {u"updated_at"_s, row.value(14).toLongLong()},
                       {u"has_api_v3_key"_s, row.value(15).toBool()},
                       {u"certificate_mode"_s, !row.value(16).toString().isEmpty()},
                       {u"private_key"_s, u"(encrypted)"_s}};
}

ChannelStore::Cached ChannelStore::cached(const QString &table, const QString &id)
{
    const qint64 now = m_clock();
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_cache.constFind(id);
        if (it != m_cache.cend() && now - it->checkedAt < kCacheCheckMs)
            return *it;
    }
    const QSqlDatabase db = m_database.threadConnection();
    QSqlQuery row = sqlExec(db, u"SELECT version FROM "_s + table + u" WHERE id = ?"_s, {id});
    if (!row.next())
        return {};
    const int version = row.value(0).toInt();
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_cache.find(id);
        if (it != m_cache.end() && it->version == version) {
            it->checkedAt = now;
            return *it;
        }
    }
    int loadedVersion = 0;
    bool enabled = true;
    ChannelConfig config = load(db, id, &loadedVersion, &enabled);
    if (config.notifyUrl.isEmpty())
        config.notifyUrl = defaultNotifyUrl(config.type, id);
    Cached built{nullptr, nullptr, loadedVersion, now};
    if (table == u"payout_channels"_s)
        built.payout = createPayoutChannel(payoutConfigOf(config), m_http, m_clock);
    else
        built.channel = createChannel(config, m_http, m_clock);
    QMutexLocker lock(&m_mutex);
    m_cache.insert(id, built);
    return built;
}

std::shared_ptr<Channel> ChannelStore::channel(const QString &id)
{
    return cached(u"channels"_s, id).channel;
}

std::shared_ptr<PayoutChannel> ChannelStore::payout(const QString &id)
{
    return cached(u"payout_channels"_s, id).payout;
}

std::shared_ptr<PayoutChannel> ChannelStore::pickPayout(const QString &type)
{
    const QString id = pickId(type);
    return id.isEmpty() ? nullptr : payout(id);
}

std::shared_ptr<Channel> ChannelStore::pick(const QString &type)
{
    const QString id = pickId(type);
    return id.isEmpty() ? nullptr : channel(id);
}

QString ChannelStore::pickId(const QString &type)
{
    QSqlQuery rows = sqlExec(m_database.threadConnection(),
                             u"SELECT id, weight FROM "_s + tableFor(type)
                                 + u" WHERE type = ? AND enabled = 1 AND weight > 0 ORDER BY id LIMIT 100"_s,
                             {type});
    QList<std::pair<QString, int>> candidates;
    qint64 total = 0;
    while (rows.next()) {
        candidates.append({rows.value(0).toString(), rows.value(1).toInt()});
        total += rows.value(1).toInt();
    }
    if (candidates.isEmpty())
        return {};
    // Weighted routing: a new configuration can take a share of the traffic (gray release).
    qint64 draw = QRandomGenerator::global()->bounded(total);
    for (const auto &[id, weight] : candidates) {
        if (draw < weight)
            return id;
        draw -= weight;
    }
    return candidates.last().first;
}

void ChannelStore::invalidate()
{
    QMutexLocker lock(&m_mutex);
    m_cache.clear();
}

} // namespace paydesk
