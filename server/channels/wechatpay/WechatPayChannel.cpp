#include "server/channels/wechatpay/WechatPayChannel.h"

#include "server/net/HttpClient.h"

namespace paydesk {

WechatPayChannel::WechatPayChannel(ChannelConfig config, HttpClient &http, Clock clock)
    : m_config(std::move(config)), m_http(http), m_clock(std::move(clock))
{
}

WechatPayChannel::~WechatPayChannel() = default;

PrepayResult WechatPayChannel::prepay(const PrepayRequest &)
{
    return {};
}
QueryResult WechatPayChannel::query(const QString &)
{
    return {};
}
CloseResult WechatPayChannel::close(const QString &)
{
    return {};
}
RefundResult WechatPayChannel::refund(const RefundRequest &)
{
    return {};
}
RefundResult WechatPayChannel::queryRefund(const RefundRequest &)
{
    return {};
}
NotificationResult WechatPayChannel::parseNotification(const InboundNotification &)
{
    return {};
}
HttpResponse WechatPayChannel::acknowledge(bool, const QString &) const
{
    return HttpResponse::noContent();
}
BillResult WechatPayChannel::downloadBill(const QDate &)
{
    return {};
}

} // namespace paydesk
