#include "server/sandbox/Faults.h"

#include <QJsonArray>
#include <QMutexLocker>

#include <algorithm>
#include <tuple>

using namespace Qt::StringLiterals;

namespace paydesk::sandbox {

namespace {

constexpr int kMaxFailTextLength = 128;

} // namespace

QJsonObject ChannelFaults::toJson(bool payout) const
{
    QStringList operations(timeoutOperations.cbegin(), timeoutOperations.cend());
    operations.sort();
    QJsonObject object{
        {u"duplicate_notifications"_s, duplicateNotifications},
        {u"drop_notifications"_s, dropNotifications},
        {u"delay_notifications_ms"_s, delayNotificationsMs},
        {u"reverse_order"_s, reverseOrder},
        {u"bad_signature"_s, badSignature},
        {u"timeout_operations"_s, QJsonArray::fromStringList(operations)},
        {u"down"_s, down},
    };
    if (!payout)
        object.insert(u"hold_refunds"_s, holdRefunds);
    if (payout) {
        object.insert(u"fail_next_payouts"_s, failNextPayouts);
        object.insert(u"fail_code"_s, failCode);
        object.insert(u"fail_message"_s, failMessage);
        object.insert(u"processing_ms"_s, processingMs);
        object.insert(u"processing_queries"_s, processingQueries);
    }
    return object;
}

const QStringList &Faults::operationNames()
{
    // Alipay: precreate, query, close, refund, refund_query, bill (the downloadurl query) and
    // bill_download; WeChat: native, app, query, close, refund, refund_query, bill (tradebill),
    // bill_download and certificates; payout providers: payout, payout_query, verify_card.
    static const QStringList names{u"*"_s,
                                   u"precreate"_s,
                                   u"native"_s,
                                   u"app"_s,
                                   u"query"_s,
                                   u"close"_s,
                                   u"refund"_s,
                                   u"refund_query"_s,
                                   u"bill"_s,
                                   u"bill_download"_s,
                                   u"certificates"_s,
                                   u"payout"_s,
                                   u"payout_query"_s,
                                   u"verify_card"_s};
    return names;
}

ChannelFaults Faults::get(SimChannel channel) const
{
    QMutexLocker lock(&m_mutex);
    return m_channels[int(channel)];
}

std::optional<PayoutFailure> Faults::takePayoutFailure(SimChannel channel)
{
    QMutexLocker lock(&m_mutex);
    ChannelFaults &faults = m_channels[int(channel)];
    if (faults.failNextPayouts <= 0)
        return std::nullopt;
    --faults.failNextPayouts;
    return PayoutFailure{faults.failCode, faults.failMessage};
}

std::optional<QString> Faults::merge(const QJsonObject &request)
{
    static const QStringList known{
        u"channel"_s,       u"duplicate_notifications"_s, u"drop_notifications"_s, u"delay_notifications_ms"_s,
        u"reverse_order"_s, u"bad_signature"_s,           u"timeout_operations"_s, u"down"_s,
        u"hold_refunds"_s,  u"fail_next_payouts"_s,       u"fail_code"_s,          u"fail_message"_s,
        u"processing_ms"_s, u"processing_queries"_s};
    static const QStringList payoutOnly{u"fail_next_payouts"_s, u"fail_code"_s, u"fail_message"_s, u"processing_ms"_s,
                                        u"processing_queries"_s};
    for (auto it = request.begin(); it != request.end(); ++it) {
        if (!known.contains(it.key()))
            return u"unknown field \"%1\""_s.arg(it.key());
    }
    const QString channelText = request.value(u"channel"_s).toString();
    const std::optional<SimChannel> channel = channelFromName(channelText);
    if (!channel && channelText != u"*"_s)
        return u"channel must be \"alipay\", \"wechat\", \"bankpay\", \"wechat_transfer\" or \"*\""_s;
    if (channel && !isPayoutChannel(*channel)) {
        for (const QString &name : payoutOnly) {
            if (request.contains(name))
                return u"%1 applies to the payout providers (bankpay, wechat_transfer) only"_s.arg(name);
        }
    }

    // Parse everything into a patch first, so a bad field leaves the faults untouched.
    ChannelFaults patch;
    QSet<QString> given;
    const auto readBool = [&](const QString &name, bool *target) -> std::optional<QString> {
        if (!request.contains(name))
            return std::nullopt;
        if (!request.value(name).isBool())
            return u"%1 must be a boolean"_s.arg(name);
        *target = request.value(name).toBool();
        given.insert(name);
        return std::nullopt;
    };
    const auto readInt = [&](const QString &name, int max, int *target) -> std::optional<QString> {
        if (!request.contains(name))
            return std::nullopt;
        const QJsonValue value = request.value(name);
        const double number = value.toDouble(-1);
        if (!value.isDouble() || number < 0 || number > max || number != double(qint64(number)))
            return u"%1 must be an integer from 0 to %2"_s.arg(name).arg(max);
        *target = int(number);
        given.insert(name);
        return std::nullopt;
    };
    const auto readText = [&](const QString &name, QString *target) -> std::optional<QString> {
        if (!request.contains(name))
            return std::nullopt;
        const QJsonValue value = request.value(name);
        if (!value.isString() || value.toString().size() > kMaxFailTextLength)
            return u"%1 must be a string of at most %2 characters"_s.arg(name).arg(kMaxFailTextLength);
        *target = value.toString();
        given.insert(name);
        return std::nullopt;
    };
    for (const auto &[name, max, target] :
         {std::tuple{u"duplicate_notifications"_s, MaxDuplicates, &patch.duplicateNotifications},
          std::tuple{u"delay_notifications_ms"_s, MaxDelayMs, &patch.delayNotificationsMs},
          std::tuple{u"fail_next_payouts"_s, MaxFailNextPayouts, &patch.failNextPayouts},
          std::tuple{u"processing_ms"_s, MaxDelayMs, &patch.processingMs},
          std::tuple{u"processing_queries"_s, MaxProcessingQueries, &patch.processingQueries}}) {
        if (auto error = readInt(name, max, target))
            return error;
    }
    for (const auto &[name, target] :
         {std::pair{u"drop_notifications"_s, &patch.dropNotifications},
          std::pair{u"reverse_order"_s, &patch.reverseOrder}, std::pair{u"bad_signature"_s, &patch.badSignature},
          std::pair{u"down"_s, &patch.down}, std::pair{u"hold_refunds"_s, &patch.holdRefunds}}) {
        if (auto error = readBool(name, target))
            return error;
    }
    for (const auto &[name, target] :
         {std::pair{u"fail_code"_s, &patch.failCode}, std::pair{u"fail_message"_s, &patch.failMessage}}) {
        if (auto error = readText(name, target))
            return error;
    }
    if (request.contains(u"timeout_operations"_s)) {
        const QJsonValue value = request.value(u"timeout_operations"_s);
        if (!value.isArray() || value.toArray().size() > MaxTimeoutOperations)
            return u"timeout_operations must be an array of at most %1 operation names"_s.arg(MaxTimeoutOperations);
        for (const QJsonValue &item : value.toArray()) {
            if (!operationNames().contains(item.toString()))
                return u"unknown operation \"%1\" in timeout_operations (known: %2)"_s.arg(
                    item.toString(), operationNames().join(u", "_s));
            patch.timeoutOperations.insert(item.toString());
        }
        given.insert(u"timeout_operations"_s);
    }

    const auto apply = [&](ChannelFaults &target, bool payout) {
        if (given.contains(u"duplicate_notifications"_s))
            target.duplicateNotifications = patch.duplicateNotifications;
        if (given.contains(u"delay_notifications_ms"_s))
            target.delayNotificationsMs = patch.delayNotificationsMs;
        if (given.contains(u"drop_notifications"_s))
            target.dropNotifications = patch.dropNotifications;
        if (given.contains(u"reverse_order"_s))
            target.reverseOrder = patch.reverseOrder;
        if (given.contains(u"bad_signature"_s))
            target.badSignature = patch.badSignature;
        if (given.contains(u"down"_s))
            target.down = patch.down;
        if (given.contains(u"hold_refunds"_s) && !payout)
            target.holdRefunds = patch.holdRefunds;
        if (given.contains(u"timeout_operations"_s))
            target.timeoutOperations = patch.timeoutOperations;
        if (!payout)
            return;
        if (given.contains(u"fail_next_payouts"_s))
            target.failNextPayouts = patch.failNextPayouts;
        if (given.contains(u"fail_code"_s))
            target.failCode = patch.failCode;
        if (given.contains(u"fail_message"_s))
            target.failMessage = patch.failMessage;
        if (given.contains(u"processing_ms"_s))
            target.processingMs = patch.processingMs;
        if (given.contains(u"processing_queries"_s))
            target.processingQueries = patch.processingQueries;
    };
    {
        QMutexLocker lock(&m_mutex);
        for (const SimChannel each : AllSimChannels) {
            if (!channel || *channel == each)
                apply(m_channels[int(each)], isPayoutChannel(each));
        }
    }
    emit changed();
    return std::nullopt;
}

void Faults::clear()
{
    {
        QMutexLocker lock(&m_mutex);
        for (ChannelFaults &faults : m_channels)
            faults = {};
    }
    emit changed();
}

QJsonObject Faults::toJson() const
{
    QMutexLocker lock(&m_mutex);
    QJsonObject object;
    for (const SimChannel channel : AllSimChannels)
        object.insert(channelName(channel), m_channels[int(channel)].toJson(isPayoutChannel(channel)));
    return object;
}

} // namespace paydesk::sandbox
