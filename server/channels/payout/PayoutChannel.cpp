#include "server/channels/payout/PayoutChannel.h"

#include "common/money/Money.h"
#include "common/protocol/ApiError.h"
#include "server/channels/payout/BankpayChannel.h"
#include "server/channels/payout/WechatTransferChannel.h"

using namespace Qt::StringLiterals;

namespace paydesk {

QString payoutStateName(PayoutState state)
{
    switch (state) {
    case PayoutState::Processing: return u"PROCESSING"_s;
    case PayoutState::Success: return u"SUCCESS"_s;
    case PayoutState::Failed: return u"FAILED"_s;
    case PayoutState::NotFound: return u"NOT_FOUND"_s;
    }
    return {};
}

std::unique_ptr<PayoutChannel> createPayoutChannel(const PayoutConfig &config, HttpClient &http, Clock clock)
{
    if (config.type == u"bankpay"_s)
        return std::make_unique<BankpayChannel>(config, http, std::move(clock));
    if (config.type == u"wechat_transfer"_s)
        return std::make_unique<WechatTransferChannel>(config, http, std::move(clock));
    throw ApiError(ErrorCode::ValidationFailed,
                   u"Unknown payout channel type %1 (bankpay or wechat_transfer)."_s.arg(config.type),
                   QJsonObject{{u"field"_s, u"type"_s}});
}

std::optional<qint64> parseYuan(QStringView text, QString *error)
{
    // Money::parse holds the grammar (no sign here: a payout amount is never negative).
    Money::ParseError why = Money::ParseError::None;
    const std::optional<Money> money = Money::parse(text, Currency::CNY, Money::Sign::NonNegative, &why);
    if (!money) {
        if (error)
            *error = u"\"%1\" is not a yuan amount: %2"_s.arg(text.left(32), Money::describe(why));
        return std::nullopt;
    }
    return money->minorUnits();
}

QString formatYuan(qint64 amountFen)
{
    Q_ASSERT(amountFen >= 0);
    return Money::fromMinor(amountFen).toString();
}

QString maskCardNo(const QString &cardNo)
{
    if (cardNo.size() < 12)
        return u"****"_s;
    return cardNo.left(4) + QString(cardNo.size() - 8, u'*') + cardNo.right(4);
}

QString maskName(const QString &name)
{
    if (name.isEmpty())
        return {};
    // Surrogate pairs stay whole: a name may start with a character outside the BMP.
    const qsizetype first = name.at(0).isHighSurrogate() && name.size() > 1 ? 2 : 1;
    return name.left(first) + u"*"_s;
}

} // namespace paydesk
