#include "server/channels/alipay/AlipayChannel.h"

#include "server/net/HttpClient.h"

namespace paydesk {

AlipayChannel::AlipayChannel(ChannelConfig config, HttpClient &http, Clock clock)
    : m_config(std::move(config)), m_http(http), m_clock(std::move(clock))
{
}

AlipayChannel::~AlipayChannel() = default;

PrepayResult AlipayChannel::prepay(const PrepayRequest &)
{
    return {};
}
QueryResult AlipayChannel::query(const QString &)
{
    return {};
}
CloseResult AlipayChannel::close(const QString &)
{
    return {};
}
RefundResult AlipayChannel::refund(const RefundRequest &)
{
    return {};
}
RefundResult AlipayChannel::queryRefund(const RefundRequest &)
{
    return {};
}
NotificationResult AlipayChannel::parseNotification(const InboundNotification &)
{
    return {};
}
HttpResponse AlipayChannel::acknowledge(bool, const QString &) const
{
    return HttpResponse::noContent();
}
BillResult AlipayChannel::downloadBill(const QDate &)
{
    return {};
}

} // namespace paydesk
