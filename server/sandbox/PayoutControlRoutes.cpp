#include "server/sandbox/PayoutControlRoutes.h"

#include "server/sandbox/PayoutBook.h"
#include "server/sandbox/TradeBook.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace paydesk::sandbox {

namespace {

constexpr auto kInvalid = QLatin1StringView("VALIDATION_FAILED");
constexpr auto kNotFound = QLatin1StringView("PAYOUT_NOT_FOUND");

std::optional<QJsonObject> jsonBody(const HttpRequest &request)
{
    const QJsonDocument document = QJsonDocument::fromJson(request.body);
    if (!document.isObject())
        return std::nullopt;
    return document.object();
}

// "bankpay" (also when absent) or "wechat_transfer".
std::optional<SimChannel> readProvider(const QString &text)
{
    if (text.isEmpty())
        return SimChannel::Bankpay;
    const std::optional<SimChannel> provider = channelFromName(text);
    if (!provider || !isPayoutChannel(*provider))
        return std::nullopt;
    return provider;
}

} // namespace

PayoutControlRoutes::PayoutControlRoutes(PayoutBook &payouts, TradeBook &trades) : m_payouts(payouts), m_trades(trades)
{
}

void PayoutControlRoutes::registerRoutes(Router &router)
{
    router.get("/control/payouts/{payout_no}", [this](HttpRequest &request) { return payout(request); });
    router.post("/control/payouts/notify", [this](HttpRequest &request) { return notify(request); });
    router.post("/control/cards/invalid", [this](HttpRequest &request) { return addInvalidCard(request); });
    router.route("DELETE", "/control/cards/invalid", [this](HttpRequest &) {
        m_payouts.locked([](PayoutBook::Data &data) { data.invalidCards.clear(); });
        return jsonResponse(200, QJsonObject{{u"invalid_cards"_s, 0}});
    });
}

HttpResponse PayoutControlRoutes::payout(HttpRequest &request)
{
    const std::optional<SimChannel> provider = readProvider(request.queryItems().queryItemValue(u"provider"_s));
    if (!provider)
        return controlError(400, kInvalid, u"provider must be \"bankpay\" or \"wechat_transfer\""_s);
    const std::optional<PayoutRecord> payout = m_payouts.get(*provider, request.pathParams.value(u"payout_no"_s));
    if (!payout)
        return controlError(404, kNotFound, u"no payout with this payout_no"_s);
    QJsonObject object = payout->toJson();
    QJsonArray notifications;
    m_trades.locked([&](TradeBook::Data &data) {
        for (const QString &id : payout->notificationIds) {
            if (const NotificationRecord *record = data.notification(id))
                notifications.append(record->toJson());
        }
    });
    object.insert(u"notifications"_s, notifications);
    return jsonResponse(200, object);
}

HttpResponse PayoutControlRoutes::notify(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return controlError(400, kInvalid, u"the body must be a JSON object"_s);
    const std::optional<SimChannel> provider = readProvider(body->value(u"provider"_s).toString());
    if (!provider)
        return controlError(400, kInvalid, u"provider must be \"bankpay\" or \"wechat_transfer\""_s);
    const QString id = m_payouts.redeliver(*provider, body->value(u"payout_no"_s).toString());
    if (id.isEmpty()) {
        return controlError(409, QLatin1StringView("NO_NOTIFICATION"),
                            u"no such payout, not settled yet, or no notify_url"_s);
    }
    return jsonResponse(202, QJsonObject{{u"notification_id"_s, id}});
}

HttpResponse PayoutControlRoutes::addInvalidCard(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return controlError(400, kInvalid, u"the body must be a JSON object"_s);
    const QString cardNo = body->value(u"card_no"_s).toString();
    static const QRegularExpression digits(u"^[0-9]{12,19}$"_s);
    if (!digits.match(cardNo).hasMatch())
        return controlError(400, kInvalid, u"card_no must be 12 to 19 digits"_s);
    const qsizetype count = m_payouts.locked([&](PayoutBook::Data &data) -> qsizetype {
        if (data.invalidCards.size() >= PayoutBook::MaxInvalidCards && !data.invalidCards.contains(cardNo))
            return -1;
        data.invalidCards.insert(cardNo);
        return data.invalidCards.size();
    });
    if (count < 0)
        return controlError(409, QLatin1StringView("TOO_MANY_CARDS"), u"too many listed cards; DELETE them first"_s);
    return jsonResponse(200, QJsonObject{{u"invalid_cards"_s, count}});
}

} // namespace paydesk::sandbox
