#pragma once

#include "server/channels/payout/PayoutChannel.h"
#include "server/channels/wechatpay/WechatPayClient.h"

namespace paydesk {

/// WeChat Pay API v3 transfers to a user's balance (商家转账到零钱) as a PayoutChannel: one batch
/// with one detail per payout, out_batch_no = out_detail_no = payout_no; user_name encrypted with
/// the platform key (RSA-OAEP); answers verified and MCHTRANSFER.BATCH.* notifications verified and
/// decrypted with the API v3 key. See docs/payouts.md.
///
/// Immutable after construction; all calls block and may run on several threads at once.
class WechatTransferChannel final : public PayoutChannel
{
public:
    /// Largest single payout, fen. WeChat's own per-transfer limits are lower for most merchants.
    static constexpr qint64 MaxAmount = 100'000'000;

    /// Throws ApiError(VALIDATION_FAILED, details {"field"}) for an unusable configuration.
    WechatTransferChannel(PayoutConfig config, HttpClient &http, Clock clock);
    ~WechatTransferChannel() override;

    const PayoutConfig &config() const override { return m_config; }
    PayoutResult submit(const PayoutRequest &request) override;
    PayoutResult query(const QString &payoutNo) override;
    CardCheckResult verifyCard(const QString &cardNo, const QString &holderName, const QString &bankCode) override;
    PayoutNotificationResult parseNotification(const InboundNotification &notification) override;

private:
    PayoutConfig m_config;
    WechatPayClient m_client;
};

} // namespace paydesk
