#include "server/channels/Channel.h"

#include "common/protocol/ApiError.h"
#include "server/channels/alipay/AlipayChannel.h"
#include "server/channels/wechatpay/WechatPayChannel.h"

using namespace Qt::StringLiterals;

namespace paydesk {

std::unique_ptr<Channel> createChannel(const ChannelConfig &config, HttpClient &http, Clock clock)
{
    if (config.type == u"alipay"_s)
        return std::make_unique<AlipayChannel>(config, http, std::move(clock));
    if (config.type == u"wechat"_s)
        return std::make_unique<WechatPayChannel>(config, http, std::move(clock));
    throw ApiError(ErrorCode::ValidationFailed, u"Unknown channel type %1 (alipay or wechat)."_s.arg(config.type),
                   QJsonObject{{u"field"_s, u"type"_s}});
}

RefundResult Channel::retryAbnormalRefund(const RefundRequest &, const QString &, const QString &)
{
    RefundResult result;
    result.outcome = CallOutcome::Rejected;
    result.error = {QStringLiteral("NOT_SUPPORTED"),
                    QStringLiteral("Channel %1 has no abnormal-refund path.").arg(config().type)};
    return result;
}

} // namespace paydesk
