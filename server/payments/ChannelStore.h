#pragma once

#include "server/auth/SecurityConfig.h"
#include "server/channels/Channel.h"

#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <QSqlDatabase>

#include <memory>

namespace paydesk {

class Database;
class FieldCipher;
class HttpClient;
class PayoutChannel;

/// Channel accounts — payment channels (alipay, wechat; table channels) and payout providers
/// (bankpay, wechat_transfer; table payout_channels), managed alike — stored with their secrets
/// encrypted, validated by building the channel, and served as cached Channel / PayoutChannel
/// objects (rebuilt when their row's version moves).
class ChannelStore final
{
public:
    ChannelStore(Database &database, FieldCipher &cipher, HttpClient &http, Clock clock, QString publicUrl);

    /// A create (all required fields) or a change (only the given fields) as an admin sends it:
    /// {id, type, name, app_id, merchant_id, private_key, merchant_serial, platform_keys {serial: PEM},
    ///  api_v3_key, app_cert_sn, alipay_root_cert_sn, gateway_url, gateway_ca, notify_url, enabled,
    ///  weight, timeout_ms}. Inside a writer unit; throws ApiError VALIDATION_FAILED / CONFLICT /
    /// NOT_FOUND. Returns the public description.
    QJsonObject create(const QSqlDatabase &db, const QJsonObject &input, qint64 nowMs) const;
    QJsonObject change(const QSqlDatabase &db, const QString &id, const QJsonObject &input, qint64 nowMs) const;

    /// Public descriptions (no secrets).
    QJsonArray list(const QSqlDatabase &db) const;
    QJsonObject describe(const QSqlDatabase &db, const QString &id) const;

    /// The channel account, or nullptr when unknown. Any thread.
    std::shared_ptr<Channel> channel(const QString &id);
    /// An enabled account of the type, chosen by routing weight; nullptr when none.
    std::shared_ptr<Channel> pick(const QString &type);
    /// The payout provider account, or nullptr when unknown. Any thread.
    std::shared_ptr<PayoutChannel> payout(const QString &id);
    /// An enabled payout account of the type ("bankpay", "wechat_transfer") by routing weight.
    std::shared_ptr<PayoutChannel> pickPayout(const QString &type);
    /// Forget cached channels (after a change in this process).
    void invalidate();

    QString defaultNotifyUrl(const QString &type, const QString &id) const;

private:
    ChannelConfig load(const QSqlDatabase &db, const QString &id, int *version, bool *enabled) const;
    void store(const QSqlDatabase &db, const ChannelConfig &config, const QString &name, bool enabled, int weight,
               bool creating, qint64 nowMs) const;

    Database &m_database;
    FieldCipher &m_cipher;
    HttpClient &m_http;
    Clock m_clock;
    QString m_publicUrl;

    struct Cached
    {
        std::shared_ptr<Channel> channel;
        std::shared_ptr<PayoutChannel> payout;
        int version = 0;
        qint64 checkedAt = 0;
    };
    Cached cached(const QString &table, const QString &id);
    QString pickId(const QString &type);
    QMutex m_mutex;
    QHash<QString, Cached> m_cache;
};

} // namespace paydesk
