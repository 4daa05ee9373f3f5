#include "server/sandbox/ControlRoutes.h"

#include "common/money/Money.h"
#include "server/sandbox/AlipaySim.h"
#include "server/sandbox/Faults.h"
#include "server/sandbox/Notifier.h"
#include "server/sandbox/TradeBook.h"
#include "server/sandbox/WechatSim.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace paydesk::sandbox {

namespace {

constexpr auto kNotFound = QLatin1StringView("TRADE_NOT_FOUND");
constexpr auto kInvalid = QLatin1StringView("VALIDATION_FAILED");
// The channels' own limit on amounts (WeChat's; Alipay's is higher): 100 million yuan.
constexpr qint64 kMaxAmountFen = 10'000'000'000;

// A positive whole number of fen within kMaxAmountFen, as a JSON integer.
std::optional<qint64> billAmount(const QJsonValue &value)
{
    const std::optional<Money> money = Money::fromJsonMinorUnits(value);
    if (!money || !money->isPositive() || money->minorUnits() > kMaxAmountFen)
        return std::nullopt;
    return money->minorUnits();
}

// The field names of body that are not in allowed, for a 400 that names them.
QStringList unknownFields(const QJsonObject &body, const QStringList &allowed)
{
    QStringList unknown;
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!allowed.contains(it.key()))
            unknown.append(it.key());
    }
    return unknown;
}

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
    router.post("/control/trades/{out_trade_no}/bill", [this](HttpRequest &request) { return setBillFault(request); });
    router.post("/control/bill-trades", [this](HttpRequest &request) { return addBillTrade(request); });
    router.post("/control/refunds/{out_refund_no}/settle",
                [this](HttpRequest &request) { return settleRefund(request); });
    router.post("/control/trades/{out_trade_no}/refund",
                [this](HttpRequest &request) { return refundOutOfBand(request); });
}

HttpResponse ControlRoutes::settleRefund(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return controlError(400, kInvalid, u"the body must be a JSON object"_s);
    const QStringList unknown = unknownFields(*body, {u"channel"_s, u"status"_s, u"amount"_s, u"notify_url"_s});
    if (!unknown.isEmpty())
        return controlError(400, kInvalid, u"unknown fields: %1"_s.arg(unknown.join(u", "_s)));
    if (body->contains(u"channel"_s) && body->value(u"channel"_s).toString() != u"wechat"_s)
        return controlError(400, kInvalid, u"only WeChat refunds are settled by hand"_s);
    qint64 reported = 0;
    if (body->contains(u"amount"_s)) {
        const std::optional<Money> money = Money::fromJsonMinorUnits(body->value(u"amount"_s));
        if (!money || !money->isPositive())
            return controlError(400, kInvalid, u"amount must be a positive integer number of fen"_s);
        reported = money->minorUnits();
    }
    const QString outRefundNo = request.pathParams.value(u"out_refund_no"_s);
    const QString notifyUrl = body->value(u"notify_url"_s).toString();
    if (!notifyUrl.isEmpty() && !notifyUrl.startsWith(u"https://127."_s)
        && !notifyUrl.startsWith(u"https://localhost"_s))
        return controlError(400, kInvalid, u"notify_url must be a loopback https address"_s);
    const QString error = m_wechat.settleRefund(outRefundNo, body->value(u"status"_s).toString(), reported, notifyUrl);
    if (!error.isEmpty())
        return error.startsWith(u"no "_s) ? controlError(404, "REFUND_NOT_FOUND"_L1, error)
                                          : controlError(400, kInvalid, error);
    return jsonResponse(202, QJsonObject{{u"out_refund_no"_s, outRefundNo}, {u"status"_s, body->value(u"status"_s)}});
}

HttpResponse ControlRoutes::refundOutOfBand(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return controlError(400, kInvalid, u"the body must be a JSON object"_s);
    const QStringList unknown = unknownFields(*body, {u"channel"_s, u"amount"_s});
    if (!unknown.isEmpty())
        return controlError(400, kInvalid, u"unknown fields: %1"_s.arg(unknown.join(u", "_s)));
    if (body->contains(u"channel"_s) && body->value(u"channel"_s).toString() != u"wechat"_s)
        return controlError(400, kInvalid, u"out-of-band refunds are simulated for WeChat only"_s);
    const std::optional<Money> money = Money::fromJsonMinorUnits(body->value(u"amount"_s));
    if (!money || !money->isPositive())
        return controlError(400, kInvalid, u"amount must be a positive integer number of fen"_s);
    QString error;
    const QJsonObject refund
        = m_wechat.refundOutOfBand(request.pathParams.value(u"out_trade_no"_s), money->minorUnits(), &error);
    if (!error.isEmpty())
        return error.startsWith(u"no "_s) ? controlError(404, kNotFound, error)
                                          : controlError(409, "REFUND_REFUSED"_L1, error);
    return jsonResponse(201, refund);
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
    // paid_at (ms since the epoch, within the last two days): a payment the buyer made earlier, e.g.
    // just before midnight, so that bills of past days have something in them.
    std::optional<qint64> paidAt;
    if (body->contains(u"paid_at"_s)) {
        const qint64 at = body->value(u"paid_at"_s).toInteger(-1);
        if (at < nowMs() - 2 * 86'400'000LL || at > nowMs())
            return controlError(400, kInvalid, u"paid_at must be a time (ms since the epoch) within the last two days"_s);
        paidAt = at;
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
        trade->paidAtMs = paidAt.value_or(nowMs());
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

HttpResponse ControlRoutes::setBillFault(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return controlError(400, kInvalid, u"the body must be a JSON object"_s);
    const QStringList unknown = unknownFields(*body, {u"channel"_s, u"omit"_s, u"amount"_s, u"day_shift"_s});
    if (!unknown.isEmpty())
        return controlError(400, kInvalid, u"unknown fields: %1"_s.arg(unknown.join(u", "_s)));
    std::optional<SimChannel> channel;
    if (!readChannel(body->value(u"channel"_s).toString(), &channel))
        return controlError(400, kInvalid, u"channel must be \"alipay\" or \"wechat\""_s);
    if (!body->contains(u"omit"_s) && !body->contains(u"amount"_s) && !body->contains(u"day_shift"_s))
        return controlError(400, kInvalid, u"give omit, amount and/or day_shift"_s);

    const QJsonValue omit = body->value(u"omit"_s);
    if (!omit.isUndefined() && !omit.isBool())
        return controlError(400, kInvalid, u"omit must be true or false"_s);
    // amount: null clears the fault.
    const QJsonValue amountValue = body->value(u"amount"_s);
    const std::optional<qint64> amount = amountValue.isNull() ? std::nullopt : billAmount(amountValue);
    if (!amountValue.isUndefined() && !amountValue.isNull() && !amount) {
        return controlError(
            400, kInvalid,
            u"amount must be a positive integer number of fen (at most %1), or null"_s.arg(kMaxAmountFen));
    }
    const QJsonValue dayShift = body->value(u"day_shift"_s);
    const bool dayShiftOk = dayShift.isUndefined()
        || (dayShift.isDouble() && (dayShift.toDouble() == -1 || dayShift.toDouble() == 0 || dayShift.toDouble() == 1));
    if (!dayShiftOk)
        return controlError(400, kInvalid, u"day_shift must be -1, 0 or 1"_s);

    const QString outTradeNo = request.pathParams.value(u"out_trade_no"_s);
    return m_book.locked([&](TradeBook::Data &data) {
        TradeRecord *trade = findTrade(data, channel, outTradeNo);
        if (!trade || isPayoutChannel(trade->channel))
            return controlError(404, kNotFound, u"no trade with this out_trade_no"_s);
        if (omit.isBool())
            trade->bill.omit = omit.toBool();
        if (!amountValue.isUndefined())
            trade->bill.amount = amount;
        if (!dayShift.isUndefined())
            trade->bill.dayShift = dayShift.toInt();
        return jsonResponse(200, data.tradeJson(*trade));
    });
}

HttpResponse ControlRoutes::addBillTrade(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return controlError(400, kInvalid, u"the body must be a JSON object"_s);
    const QStringList unknown = unknownFields(*body, {u"channel"_s, u"out_trade_no"_s, u"amount"_s});
    if (!unknown.isEmpty())
        return controlError(400, kInvalid, u"unknown fields: %1"_s.arg(unknown.join(u", "_s)));
    const std::optional<SimChannel> channel = channelFromName(body->value(u"channel"_s).toString());
    if (!channel || isPayoutChannel(*channel))
        return controlError(400, kInvalid, u"channel must be \"alipay\" or \"wechat\""_s);
    // The channel's own rules for out_trade_no (PROTOCOLS.md A.6, B.4).
    static const QRegularExpression alipayNo(u"^[0-9A-Za-z_\\-]{1,64}$"_s);
    static const QRegularExpression wechatNo(u"^[0-9A-Za-z_\\-|*]{6,32}$"_s);
    const QString outTradeNo = body->value(u"out_trade_no"_s).toString();
    if (!(*channel == SimChannel::Alipay ? alipayNo : wechatNo).match(outTradeNo).hasMatch()) {
        return controlError(400, kInvalid,
                            *channel == SimChannel::Alipay
                                ? u"out_trade_no must be 1-64 letters, digits, _ or -"_s
                                : u"out_trade_no must be 6-32 letters, digits, _, -, | or *"_s);
    }
    const std::optional<qint64> amount = billAmount(body->value(u"amount"_s));
    if (!amount) {
        return controlError(400, kInvalid,
                            u"amount must be a positive integer number of fen (at most %1)"_s.arg(kMaxAmountFen));
    }

    return m_book.locked([&](TradeBook::Data &data) {
        if (data.find(*channel, outTradeNo))
            return controlError(409, QLatin1StringView("TRADE_EXISTS"), u"a trade with this out_trade_no exists"_s);
        if (data.full())
            return controlError(503, QLatin1StringView("SANDBOX_FULL"), u"the sandbox holds too many trades"_s);
        // Paid at once and known to queries, but no notification: Paydesk never created it.
        TradeRecord trade;
        trade.channel = *channel;
        trade.outTradeNo = outTradeNo;
        trade.amount = *amount;
        trade.paidAmount = *amount;
        trade.subject = u"bill-only trade"_s;
        trade.createdAtMs = nowMs();
        trade.paidAtMs = trade.createdAtMs;
        trade.scanned = true;
        trade.paid = true;
        trade.bill.billOnly = true;
        if (*channel == SimChannel::Alipay) {
            trade.tradeType = u"precreate"_s;
            trade.tradeNo = AlipaySim::newTradeNo(trade.createdAtMs);
            AlipaySim::assignBuyer(trade);
        } else {
            trade.tradeType = u"NATIVE"_s;
            trade.tradeNo = WechatSim::newTransactionId(trade.createdAtMs);
            WechatSim::assignPayer(trade);
        }
        return jsonResponse(201, data.tradeJson(data.add(std::move(trade))));
    });
}

} // namespace paydesk::sandbox
