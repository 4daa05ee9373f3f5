#pragma once

#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"
#include "common/protocol/FormUrlEncoded.h"
#include "server/channels/Channel.h"

#include <QJsonObject>

#include <optional>

namespace paydesk {

/// Alipay open API (gateway.do, RSA2) as a Channel: requests signed with the app private key,
/// answers and notifications verified with the Alipay public key (platformKeys["alipay"]).
///
/// Outcomes follow one rule: only a verified answer with code 10000 (or a verified business
/// answer that settles the question, such as ACQ.TRADE_NOT_EXIST on a query) is Ok; a verified
/// business failure is Rejected; everything else (transport failure, timeout, non-200 status,
/// 20000 and system errors, an answer that does not verify) is Unknown. The one exception is an
/// unsigned gateway-level refusal, see GatewayAnswer in the .cpp.
///
/// Immutable after construction: the keys are parsed once, and every call builds its own request,
/// so calls from several worker threads at once are safe.
class AlipayChannel final : public Channel
{
public:
    /// Throws ApiError VALIDATION_FAILED (details.field names the setting) when the app id is
    /// empty, a key is missing or unreadable, or the gateway is not an http(s) URL.
    AlipayChannel(ChannelConfig config, HttpClient &http, Clock clock);
    ~AlipayChannel() override;

    const ChannelConfig &config() const override { return m_config; }
    PrepayResult prepay(const PrepayRequest &request) override;
    QueryResult query(const QString &outTradeNo) override;
    CloseResult close(const QString &outTradeNo) override;
    RefundResult refund(const RefundRequest &request) override;
    RefundResult queryRefund(const RefundRequest &request) override;
    NotificationResult parseNotification(const InboundNotification &notification) override;
    HttpResponse acknowledge(bool accepted, const QString &message) const override;
    BillResult downloadBill(const QDate &day) override;

    struct GatewayAnswer;

private:
    /// The system parameters of one request (app_id, method, …, timestamp from the clock).
    FormFields systemParams(const QString &method, bool withNotifyUrl) const;
    /// params plus a `sign` over all of them; empty when signing fails (reported by the caller).
    std::optional<FormFields> signedParams(FormFields params) const;
    /// One signed call to the gateway and the verified `<method>_response` it brings back.
    GatewayAnswer call(const QString &operation, const QString &method, const QJsonObject &biz,
                       bool withNotifyUrl = false) const;
    PrepayResult appPayOrder(const PrepayRequest &request) const;

    ChannelConfig m_config;
    HttpClient &m_http;
    Clock m_clock;
    PrivateKey m_appKey;
    PublicKey m_alipayKey;
    QUrl m_gateway; ///< gatewayUrl without query or fragment: the system parameters form the query
};

} // namespace paydesk
