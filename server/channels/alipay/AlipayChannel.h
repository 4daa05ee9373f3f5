#pragma once

#include "server/channels/Channel.h"

namespace paydesk {

/// Alipay open API (gateway.do, RSA2) as a Channel.
class AlipayChannel final : public Channel
{
public:
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

private:
    ChannelConfig m_config;
    HttpClient &m_http;
    Clock m_clock;
};

} // namespace paydesk
