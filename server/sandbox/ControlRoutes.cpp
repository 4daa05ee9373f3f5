#include "server/sandbox/ControlRoutes.h"

#include "common/money/Money.h"
#include "server/sandbox/AlipaySim.h"
#include "server/sandbox/Faults.h"
#include "server/sandbox/Notifier.h"
#include "server/sandbox/TradeBook.h"
#include "server/sandbox/WechatSim.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace paydesk::sandbox {

namespace {

constexpr auto kNotFound = QLatin1StringView("TRADE_NOT_FOUND");
constexpr auto kInvalid = QLatin1StringView("VALIDATION_FAILED");

std::optional<QJsonObject> jsonBody(const HttpRequest &request)
{
    if (request.body.isEmpty())
        return QJsonObject();
    const QJsonDocument document = QJsonDocument::fromJson(request.body);
    if (!document.isObject())
        return std::nullopt;
    return document.object();
}

// "alipay", "wechat" or absent (= look in both); anything else is an error.
bool readChannel(const QString &text, std::optional<SimChannel> *channel)
{
    if (text.isEmpty()) {
        channel->reset();
        return true;
    }
    *channel = channelFromName(text);
    return channel->has_value();
}

TradeRecord *findTrade(TradeBook::Data &data, std::optional<SimChannel> channel, const QString &outTradeNo)
{
    if (channel)
        return data.find(*channel, outTradeNo);
    if (TradeRecord *trade = data.find(SimChannel::Alipay, outTradeNo))
        return trade;
    return data.find(SimChannel::Wechat, outTradeNo);
}

} // namespace

ControlRoutes::ControlRoutes(TradeBook &book, Faults &faults, Notifier &notifier, AlipaySim &alipay, WechatSim &wechat,
                             std::function<QJsonObject()> info)
    : m_book(book), m_faults(faults), m_notifier(notifier), m_alipay(alipay), m_wechat(wechat), m_info(std::move(info))
{
}

void ControlRoutes::registerRoutes(Router &router)
{
    router.get("/control/info", [this](HttpRequest &) { return jsonResponse(200, m_info()); });
    router.post("/control/pay", [this](HttpRequest &request) { return pay(request); });
    router.get("/control/faults", [this](HttpRequest &) { return jsonResponse(200, m_faults.toJson()); });
    router.post("/control/faults", [this](HttpRequest &request) { return setFaults(request); });
    router.route("DELETE", "/control/faults", [this](HttpRequest &) {
        m_faults.clear();
        return jsonResponse(200, m_faults.toJson());
    });
    router.get("/control/trades/{out_trade_no}", [this](HttpRequest &request) { return trade(request); });
    router.post("/control/notify", [this](HttpRequest &request) { return notify(request); });
    router.get("/control/notifications", [this](HttpRequest &request) { return notifications(request); });
}

HttpResponse ControlRoutes::pay(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return controlError(400, kInvalid, u"the body must be a JSON object"_s);
    std::optional<SimChannel> channel;
    if (!readChannel(body->value(u"channel"_s).toString(), &channel))
        return controlError(400, kInvalid, u"channel must be \"alipay\" or \"wechat\""_s);
    const QString code = body->value(u"code"_s).toString();
    QString outTradeNo = body->value(u"out_trade_no"_s).toString();
    const QString orderString = body->value(u"order_string"_s).toString();
    const bool force = body->value(u"force"_s).toBool(false);
    std::optional<qint64> amount;
    if (body->contains(u"amount"_s)) {
        const std::optional<Money> money = Money::fromJsonMinorUnits(body->value(u"amount"_s));
        if (!money || !money->isPositive())
            return controlError(400, kInvalid, u"amount must be a positive integer number of fen"_s);
        amount = money->minorUnits();
    }
    if (!orderString.isEmpty()) {
        // The buyer's Alipay app receives the order string of alipay.trade.app.pay.
        const CryptoResult<QString> accepted = m_alipay.acceptAppOrder(orderString);
        if (!accepted)
            return controlError(400, QLatin1StringView("INVALID_ORDER_STRING"), accepted.error());
        outTradeNo = *accepted;
        channel = SimChannel::Alipay;
    }
    if (code.isEmpty() && outTradeNo.isEmpty())
        return controlError(400, kInvalid,
                            u"give code (qr_code, code_url or prepay_id), out_trade_no or order_string"_s);

    QString notificationId;
    HttpResponse response = m_book.locked([&](TradeBook::Data &data) {
        TradeRecord *trade = code.isEmpty() ? findTrade(data, channel, outTradeNo) : data.findByCode(code);
        if (!trade || (channel && trade->channel != *channel))
            return controlError(404, kNotFound, u"no trade with this code or out_trade_no"_s);
        if (trade->paid)
            return controlError(409, QLatin1StringView("ALREADY_PAID"), u"the trade is already paid"_s);
        if (trade->closed && !force) {
            return controlError(409, QLatin1StringView("TRADE_CLOSED"),
                                u"the trade is closed; pass \"force\": true to pay after close"_s);
        }
        trade->paid = true;
        trade->scanned = true;
        trade->paidAfterClose = trade->closed;
        trade->paidAmount = amount.value_or(trade->amount);
        trade->paidAtMs = nowMs();
        if (trade->channel == SimChannel::Alipay) {
            AlipaySim::assignBuyer(*trade);
            notificationId = m_alipay.addPaymentNotification(data, *trade);
        } else {
            WechatSim::assignPayer(*trade);
            notificationId = m_wechat.addPaymentNotification(data, *trade);
        }
        return jsonResponse(200,
                            QJsonObject{
                                {u"channel"_s, channelName(trade->channel)},
                                {u"out_trade_no"_s, trade->outTradeNo},
                                {u"trade_no"_s, trade->tradeNo},
                                {u"amount"_s, trade->paidAmount},
                                {u"status"_s, trade->channelStatus()},
                                {u"paid_after_close"_s, trade->paidAfterClose},
                                {u"notification_id"_s, notificationId},
                            });
    });
    if (!notificationId.isEmpty())
        m_notifier.deliver(notificationId);
    return response;
}

HttpResponse ControlRoutes::trade(HttpRequest &request)
{
    std::optional<SimChannel> channel;
    if (!readChannel(request.queryItems().queryItemValue(u"channel"_s), &channel))
        return controlError(400, kInvalid, u"channel must be \"alipay\" or \"wechat\""_s);
    const QString outTradeNo = request.pathParams.value(u"out_trade_no"_s);
    return m_book.locked([&](TradeBook::Data &data) {
        const TradeRecord *trade = findTrade(data, channel, outTradeNo);
        if (!trade)
            return controlError(404, kNotFound, u"no trade with this out_trade_no"_s);
        return jsonResponse(200, data.tradeJson(*trade));
    });
}

HttpResponse ControlRoutes::notify(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return controlError(400, kInvalid, u"the body must be a JSON object"_s);
    std::optional<SimChannel> channel;
    if (!readChannel(body->value(u"channel"_s).toString(), &channel))
        return controlError(400, kInvalid, u"channel must be \"alipay\" or \"wechat\""_s);
    const QString outTradeNo = body->value(u"out_trade_no"_s).toString();
    const QString outRefundNo = body->value(u"out_refund_no"_s).toString();
    QString notificationId;
    HttpResponse response = m_book.locked([&](TradeBook::Data &data) {
        const TradeRecord *trade = findTrade(data, channel, outTradeNo);
        if (!trade)
            return controlError(404, kNotFound, u"no trade with this out_trade_no"_s);
        for (const QString &id : trade->notificationIds) {
            const NotificationRecord *record = data.notification(id);
            if (record && record->kind == (outRefundNo.isEmpty() ? u"payment"_s : u"refund"_s)
                && record->outRefundNo == outRefundNo) {
                notificationId = id;
            }
        }
        if (notificationId.isEmpty()) {
            return controlError(
                409, QLatin1StringView("NO_NOTIFICATION"),
                u"the channel owes no such notification (not paid, refund pending, or no notify_url)"_s);
        }
        return jsonResponse(202, QJsonObject{{u"notification_id"_s, notificationId}});
    });
    if (!notificationId.isEmpty())
        m_notifier.deliver(notificationId);
    return response;
}

HttpResponse ControlRoutes::notifications(HttpRequest &request)
{
    const QUrlQuery query = request.queryItems();
    std::optional<SimChannel> channel;
    if (!readChannel(query.queryItemValue(u"channel"_s), &channel))
        return controlError(400, kInvalid, u"channel must be \"alipay\" or \"wechat\""_s);
    const QString outTradeNo = query.queryItemValue(u"out_trade_no"_s, QUrl::FullyDecoded);
    return m_book.locked([&](TradeBook::Data &data) {
        const TradeRecord *trade = findTrade(data, channel, outTradeNo);
        if (!trade)
            return controlError(404, kNotFound, u"no trade with this out_trade_no"_s);
        // One flat list of deliveries, by notification and in order, each naming its notification.
        QJsonArray deliveries;
        for (const QString &id : trade->notificationIds) {
            const NotificationRecord *record = data.notification(id);
            if (!record)
                continue;
            const QJsonObject summary = record->toJson();
            for (const QJsonValue &value : summary.value(u"deliveries"_s).toArray()) {
                QJsonObject delivery = value.toObject();
                delivery.insert(u"notification_id"_s, id);
                delivery.insert(u"kind"_s, record->kind);
                deliveries.append(delivery);
            }
        }
        HttpResponse response;
        response.body = QJsonDocument(deliveries).toJson(QJsonDocument::Compact);
        response.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
        return response;
    });
}

HttpResponse ControlRoutes::setFaults(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return controlError(400, kInvalid, u"the body must be a JSON object"_s);
    if (const std::optional<QString> error = m_faults.merge(*body))
        return controlError(400, kInvalid, *error);
    return jsonResponse(200, m_faults.toJson());
}

} // namespace paydesk::sandbox
