#pragma once

#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"
#include "server/channels/payout/PayoutChannel.h"

#include <QJsonObject>
#include <QMap>

namespace paydesk {

/// The bankpay pay-to-bank-account protocol as a PayoutChannel (docs/payouts.md): JSON over
/// HTTPS, every request signed with our key and every answer and notification verified against the
/// provider key named by its key_id, within ±300 s. Card numbers and names are masked in the
/// channel log.
///
/// Immutable after construction; all calls block and may run on several threads at once.
class BankpayChannel final : public PayoutChannel
{
public:
    /// Largest single payout, fen (one million yuan): anything larger is refused before sending.
    static constexpr qint64 MaxAmount = 100'000'000;

    /// Throws ApiError(VALIDATION_FAILED, details {"field"}) for an unusable configuration.
    BankpayChannel(PayoutConfig config, HttpClient &http, Clock clock);
    ~BankpayChannel() override;

    const PayoutConfig &config() const override { return m_config; }
    PayoutResult submit(const PayoutRequest &request) override;
    PayoutResult query(const QString &payoutNo) override;
    CardCheckResult verifyCard(const QString &cardNo, const QString &holderName, const QString &bankCode) override;
    PayoutNotificationResult parseNotification(const InboundNotification &notification) override;

private:
    struct Reply
    {
        CallOutcome outcome = CallOutcome::Unknown;
        QJsonObject json; ///< the verified answer
        ChannelError error;
        ChannelExchange exchange;
    };

    Reply call(const QString &operation, const QByteArray &path, QJsonObject fields) const;
    /// Empty when the message is signed by a provider key we hold, fresh and for our merchant id.
    QString checkMessage(const QJsonObject &message) const;
    qint64 nowSeconds() const;

    PayoutConfig m_config;
    HttpClient &m_http;
    Clock m_clock;
    PrivateKey m_key;
    QMap<QString, PublicKey> m_providerKeys; ///< by key_id
};

} // namespace paydesk
