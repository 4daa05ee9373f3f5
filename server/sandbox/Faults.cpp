#include "server/sandbox/Faults.h"

#include <QJsonArray>
#include <QMutexLocker>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace paydesk::sandbox {

QJsonObject ChannelFaults::toJson() const
{
    QStringList operations(timeoutOperations.cbegin(), timeoutOperations.cend());
    operations.sort();
    return QJsonObject{
        {u"duplicate_notifications"_s, duplicateNotifications},
        {u"drop_notifications"_s, dropNotifications},
        {u"delay_notifications_ms"_s, delayNotificationsMs},
        {u"reverse_order"_s, reverseOrder},
        {u"bad_signature"_s, badSignature},
        {u"timeout_operations"_s, QJsonArray::fromStringList(operations)},
        {u"down"_s, down},
    };
}

const QStringList &Faults::operationNames()
{
    // Alipay: precreate, query, close, refund, refund_query, bill (the downloadurl query) and
    // bill_download; WeChat: native, app, query, close, refund, refund_query, bill (tradebill),
    // bill_download and certificates.
    static const QStringList names{u"*"_s,     u"precreate"_s,     u"native"_s,      u"app"_s,
                                   u"query"_s, u"close"_s,         u"refund"_s,      u"refund_query"_s,
                                   u"bill"_s,  u"bill_download"_s, u"certificates"_s};
    return names;
}

ChannelFaults Faults::get(SimChannel channel) const
{
    QMutexLocker lock(&m_mutex);
    return channel == SimChannel::Alipay ? m_alipay : m_wechat;
}

std::optional<QString> Faults::merge(const QJsonObject &request)
{
    static const QStringList known{
        u"channel"_s,       u"duplicate_notifications"_s, u"drop_notifications"_s, u"delay_notifications_ms"_s,
        u"reverse_order"_s, u"bad_signature"_s,           u"timeout_operations"_s, u"down"_s};
    for (auto it = request.begin(); it != request.end(); ++it) {
        if (!known.contains(it.key()))
            return u"unknown field \"%1\""_s.arg(it.key());
    }
    const QString channel = request.value(u"channel"_s).toString();
    if (channel != u"alipay"_s && channel != u"wechat"_s && channel != u"*"_s)
        return u"channel must be \"alipay\", \"wechat\" or \"*\""_s;

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
    if (auto error = readInt(u"duplicate_notifications"_s, MaxDuplicates, &patch.duplicateNotifications))
        return error;
    if (auto error = readInt(u"delay_notifications_ms"_s, MaxDelayMs, &patch.delayNotificationsMs))
        return error;
    for (const auto &[name, target] :
         {std::pair{u"drop_notifications"_s, &patch.dropNotifications},
          std::pair{u"reverse_order"_s, &patch.reverseOrder}, std::pair{u"bad_signature"_s, &patch.badSignature},
          std::pair{u"down"_s, &patch.down}}) {
        if (auto error = readBool(name, target))
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

    const auto apply = [&](ChannelFaults &target) {
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
        if (given.contains(u"timeout_operations"_s))
            target.timeoutOperations = patch.timeoutOperations;
    };
    {
        QMutexLocker lock(&m_mutex);
        if (channel != u"wechat"_s)
            apply(m_alipay);
        if (channel != u"alipay"_s)
            apply(m_wechat);
    }
    emit changed();
    return std::nullopt;
}

void Faults::clear()
{
    {
        QMutexLocker lock(&m_mutex);
        m_alipay = {};
        m_wechat = {};
    }
    emit changed();
}

QJsonObject Faults::toJson() const
{
    QMutexLocker lock(&m_mutex);
    return QJsonObject{{u"alipay"_s, m_alipay.toJson()}, {u"wechat"_s, m_wechat.toJson()}};
}

} // namespace paydesk::sandbox
