#pragma once

#include "server/channels/Channel.h"
#include "server/channels/wechatpay/WechatPayClient.h"

namespace paydesk {

/// WeChat Pay API v3 (direct merchant) as a Channel: JSON over HTTPS, requests signed with the
/// merchant key (WECHATPAY2-SHA256-RSA2048), every 2xx answer and every notification verified
/// against a platform key chosen by Wechatpay-Serial, notifications decrypted with the API v3 key.
///
/// Immutable after construction; all calls block and may run on several threads at once.
class WechatPayChannel final : public Channel
{
public:
    /// Throws ApiError(VALIDATION_FAILED, details {"field"}) for an unusable configuration.
    WechatPayChannel(ChannelConfig config, HttpClient &http, Clock clock);
    ~WechatPayChannel() override;

    /// Farthest a signed timestamp may be from our clock (both directions), as the SDKs allow.
    static constexpr qint64 MaxClockSkewSeconds = WechatPayClient::MaxClockSkewSeconds;

    const ChannelConfig &config() const override { return m_config; }
    PrepayResult prepay(const PrepayRequest &request) override;
    QueryResult query(const QString &outTradeNo) override;
    CloseResult close(const QString &outTradeNo) override;
    RefundResult refund(const RefundRequest &request) override;
    RefundResult queryRefund(const RefundRequest &request) override;
    RefundResult retryAbnormalRefund(const RefundRequest &request, const QString &channelRefundNo,
                                     const QString &type) override;
    NotificationResult parseNotification(const InboundNotification &notification) override;
    HttpResponse acknowledge(bool accepted, const QString &message) const override;
    BillResult downloadBill(const QDate &day) override;

private:
    using Reply = WechatPayReply;
    using Expect = WechatPayClient::Expect;

    QUrl apiUrl(const QByteArray &encodedPathAndQuery) const { return m_client.apiUrl(encodedPathAndQuery); }
    Reply send(const QString &operation, const QByteArray &method, const QUrl &url, const QByteArray &body,
               Expect expect) const
    {
        return m_client.send(operation, method, url, body, expect);
    }
    QString checkSignature(const HttpHeaders &headers, const QByteArray &body) const
    {
        return m_client.checkSignature(headers, body);
    }
    qint64 nowSeconds() const { return m_client.nowSeconds(); }
    /// A refund call's or query's answer (a Refund object about outRefundNo) as a RefundResult.
    RefundResult refundAnswer(const Reply &reply, const QString &outRefundNo) const;

    ChannelConfig m_config;
    WechatPayClient m_client;
};

} // namespace paydesk
