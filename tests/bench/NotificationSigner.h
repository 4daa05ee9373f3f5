#pragma once

#include "common/crypto/PrivateKey.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <atomic>
#include <memory>

namespace paydesk::bench {

/// Payment notifications exactly as paydesk-sandbox sends them (server/sandbox/AlipaySim.cpp and
/// WechatSim.cpp): Alipay's trade_status_sync form signed with the sandbox's Alipay private key
/// (RSA2, rsaCheckV1 content), WeChat Pay's TRANSACTION.SUCCESS with the transaction sealed by
/// AES-256-GCM under the API v3 key and Wechatpay-* headers signed with the platform key. Built
/// from the key files in the sandbox's data directory, as complete HTTP/1.1 requests.
class NotificationSigner final
{
public:
    static std::unique_ptr<NotificationSigner> load(const QString &sandboxDir, const QJsonObject &manifest,
                                                    QString *error);
    Q_DISABLE_COPY_MOVE(NotificationSigner)

    /// A paid order, as the channel reports it.
    struct Payment
    {
        QString orderNo; ///< Paydesk's order_no, the channel's out_trade_no
        qint64 amount = 0; ///< fen
        QString subject;
        qint64 createdAtMs = 0;
        qint64 paidAtMs = 0;
    };
    /// POST /notify/alipay/<channelId>.
    QByteArray alipay(const Payment &payment, const QString &channelId) const;
    /// POST /notify/wechat/<channelId>.
    QByteArray wechat(const Payment &payment, const QString &channelId) const;

    /// Signs one notification per payment (Alipay for even indexes, WeChat for odd ones) on all
    /// cores; requests[i] belongs to payments[i].
    QList<QByteArray> signAll(const QList<Payment> &payments, const QString &alipayChannel,
                              const QString &wechatChannel) const;

private:
    NotificationSigner() = default;
    QString uniqueDigits(int width) const;

    PrivateKey m_alipayKey;
    PrivateKey m_platformKey;
    QString m_platformSerial;
    QByteArray m_apiV3Key;
    QString m_alipayAppId;
    QString m_alipaySellerId;
    QString m_wechatAppId;
    QString m_wechatMchId;
    mutable std::atomic<qint64> m_sequence{0};
    qint64 m_runTag = 0;
};

} // namespace paydesk::bench
