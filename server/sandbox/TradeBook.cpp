#include "server/sandbox/TradeBook.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace paydesk::sandbox {

qint64 TradeRecord::refundedAmount() const
{
    qint64 total = 0;
    for (const RefundRecord &refund : refunds)
        total += refund.status == QLatin1String("CLOSED") ? 0 : refund.amount;
    return total;
}

qint64 TradeRecord::succeededRefundAmount() const
{
    qint64 total = 0;
    for (const RefundRecord &refund : refunds)
        total += refund.succeeded ? refund.amount : 0;
    return total;
}

const RefundRecord *TradeRecord::refund(const QString &outRefundNo) const
{
    for (const RefundRecord &refund : refunds) {
        if (refund.outRefundNo == outRefundNo)
            return &refund;
    }
    return nullptr;
}

RefundRecord *TradeRecord::refund(const QString &outRefundNo)
{
    return const_cast<RefundRecord *>(std::as_const(*this).refund(outRefundNo));
}

QString TradeRecord::channelStatus() const
{
    if (channel == SimChannel::Alipay) {
        // A full refund closes an Alipay trade; a partial one leaves it TRADE_SUCCESS.
        if (paid)
            return refundedAmount() >= paidAmount ? u"TRADE_CLOSED"_s : u"TRADE_SUCCESS"_s;
        return closed ? u"TRADE_CLOSED"_s : u"WAIT_BUYER_PAY"_s;
    }
    // WeChat: any refund turns the trade into REFUND ("转入退款").
    if (paid)
        return refunds.isEmpty() ? u"SUCCESS"_s : u"REFUND"_s;
    return closed ? u"CLOSED"_s : u"NOTPAY"_s;
}

QJsonObject NotificationRecord::toJson() const
{
    QJsonArray list;
    for (const DeliveryRecord &delivery : deliveries) {
        list.append(QJsonObject{
            {u"at"_s, beijingRfc3339Ms(delivery.atMs)},
            {u"sequence"_s, delivery.sequence},
            {u"attempt"_s, delivery.attempt},
            {u"copy"_s, delivery.copy},
            {u"http_status"_s, delivery.httpStatus},
            {u"acknowledged"_s, delivery.acknowledged},
            {u"error"_s, delivery.error},
        });
    }
    QJsonObject object{
        {u"id"_s, id},
        {u"channel"_s, channelName(channel)},
        {u"kind"_s, kind},
        {u"out_trade_no"_s, outTradeNo},
        {u"url"_s, url},
        {u"state"_s, state},
        {u"sequence"_s, sequence},
        {u"attempts"_s, attempts},
        {u"acknowledged"_s, acknowledged},
        {u"deliveries"_s, list},
    };
    if (!outRefundNo.isEmpty())
        object.insert(u"out_refund_no"_s, outRefundNo);
    if (nextAttemptAtMs > 0)
        object.insert(u"next_attempt_at"_s, beijingRfc3339Ms(nextAttemptAtMs));
    return object;
}

QString TradeBook::Data::key(SimChannel channel, const QString &id)
{
    return channelName(channel) + u':' + id;
}

TradeRecord *TradeBook::Data::find(SimChannel channel, const QString &outTradeNo)
{
    const auto it = trades.find(key(channel, outTradeNo));
    return it == trades.end() ? nullptr : &*it;
}

TradeRecord *TradeBook::Data::findByCode(const QString &code)
{
    const auto it = tradeKeyByCode.constFind(code);
    if (it == tradeKeyByCode.constEnd())
        return nullptr;
    const auto trade = trades.find(*it);
    return trade == trades.end() ? nullptr : &*trade;
}

TradeRecord *TradeBook::Data::findByTradeNo(SimChannel channel, const QString &tradeNo)
{
    const auto it = tradeKeyByTradeNo.constFind(key(channel, tradeNo));
    if (it == tradeKeyByTradeNo.constEnd())
        return nullptr;
    const auto trade = trades.find(*it);
    return trade == trades.end() ? nullptr : &*trade;
}

TradeRecord *TradeBook::Data::findByRefundNo(SimChannel channel, const QString &outRefundNo)
{
    const auto it = tradeKeyByRefundNo.constFind(key(channel, outRefundNo));
    if (it == tradeKeyByRefundNo.constEnd())
        return nullptr;
    const auto trade = trades.find(*it);
    return trade == trades.end() ? nullptr : &*trade;
}

TradeRecord &TradeBook::Data::add(TradeRecord trade)
{
    const QString tradeKey = key(trade.channel, trade.outTradeNo);
    if (!trade.code.isEmpty())
        tradeKeyByCode.insert(trade.code, tradeKey);
    if (!trade.tradeNo.isEmpty())
        tradeKeyByTradeNo.insert(key(trade.channel, trade.tradeNo), tradeKey);
    return *trades.insert(tradeKey, std::move(trade));
}

void TradeBook::Data::indexRefund(const TradeRecord &trade, const QString &outRefundNo)
{
    tradeKeyByRefundNo.insert(key(trade.channel, outRefundNo), key(trade.channel, trade.outTradeNo));
}

bool TradeBook::Data::addNotification(TradeRecord &trade, NotificationRecord notification)
{
    if (notifications.size() >= MaxNotifications)
        return false;
    trade.notificationIds.append(notification.id);
    notifications.insert(notification.id, std::move(notification));
    return true;
}

bool TradeBook::Data::addDetachedNotification(NotificationRecord notification)
{
    if (notifications.size() >= MaxNotifications)
        return false;
    notifications.insert(notification.id, std::move(notification));
    return true;
}

NotificationRecord *TradeBook::Data::notification(const QString &id)
{
    const auto it = notifications.find(id);
    return it == notifications.end() ? nullptr : &*it;
}

QJsonObject TradeBook::Data::tradeJson(const TradeRecord &trade) const
{
    QJsonArray refunds;
    for (const RefundRecord &refund : trade.refunds) {
        QJsonObject object{
            {u"out_refund_no"_s, refund.outRefundNo},
            {u"amount"_s, refund.amount},
            {u"status"_s, refund.status},
            {u"created_at"_s, beijingRfc3339(refund.createdAtMs)},
        };
        if (!refund.refundId.isEmpty())
            object.insert(u"refund_id"_s, refund.refundId);
        if (refund.succeeded)
            object.insert(u"succeeded_at"_s, beijingRfc3339(refund.succeededAtMs));
        refunds.append(object);
    }
    QJsonArray notes;
    for (const QString &id : trade.notificationIds) {
        const auto it = notifications.constFind(id);
        if (it == notifications.constEnd())
            continue;
        QJsonObject summary = it->toJson();
        summary.remove(u"deliveries"_s); // GET /control/notifications has them
        summary.insert(u"deliveries"_s, int(it->deliveries.size()));
        notes.append(summary);
    }
    QJsonObject object{
        {u"channel"_s, channelName(trade.channel)},
        {u"out_trade_no"_s, trade.outTradeNo},
        {u"trade_type"_s, trade.tradeType},
        {u"amount"_s, trade.amount},
        {u"paid_amount"_s, trade.paidAmount},
        {u"refunded_amount"_s, trade.refundedAmount()},
        {u"status"_s, trade.channelStatus()},
        {u"code"_s, trade.code},
        {u"subject"_s, trade.subject},
        {u"notify_url"_s, trade.notifyUrl},
        {u"scanned"_s, trade.scanned},
        {u"paid"_s, trade.paid},
        {u"closed"_s, trade.closed},
        {u"paid_after_close"_s, trade.paidAfterClose},
        {u"created_at"_s, beijingRfc3339(trade.createdAtMs)},
        {u"refunds"_s, refunds},
        {u"notifications"_s, notes},
    };
    // The channel's trade number exists for the buyer only once the code was scanned.
    object.insert(u"trade_no"_s, trade.paid || trade.scanned ? trade.tradeNo : QString());
    if (trade.paid)
        object.insert(u"paid_at"_s, beijingRfc3339Ms(trade.paidAtMs));
    if (trade.bill.isSet()) {
        QJsonObject bill{
            {u"omit"_s, trade.bill.omit}, {u"day_shift"_s, trade.bill.dayShift}, {u"bill_only"_s, trade.bill.billOnly}};
        if (trade.bill.amount)
            bill.insert(u"amount"_s, *trade.bill.amount);
        object.insert(u"bill"_s, bill);
    }
    return object;
}

} // namespace paydesk::sandbox
