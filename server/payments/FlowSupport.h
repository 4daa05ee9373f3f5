#pragma once

// Small helpers shared by the payment flow files (request fields, names, JSON text).

#include "common/protocol/ApiError.h"
#include "common/util/Patterns.h"
#include "server/channels/Channel.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QVariant>

namespace paydesk::flows {

[[noreturn]] inline void invalid(const QString &field, const QString &message)
{
    throw ApiError(ErrorCode::ValidationFailed, message, QJsonObject{{QStringLiteral("field"), field}});
}

inline QString requiredText(const QJsonObject &input, const QString &field, qsizetype maxLength,
                            const QString &pattern = {})
{
    const QJsonValue value = input.value(field);
    if (!value.isString() || value.toString().isEmpty() || value.toString().size() > maxLength)
        invalid(field, QStringLiteral("%1 is required: a string of 1 to %2 characters.").arg(field).arg(maxLength));
    if (!pattern.isEmpty() && !matchesWhole(value.toString(), pattern))
        invalid(field, QStringLiteral("%1 has an invalid format.").arg(field));
    return value.toString();
}

inline QString optionalText(const QJsonObject &input, const QString &field, qsizetype maxLength)
{
    const QJsonValue value = input.value(field);
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isString() || value.toString().size() > maxLength)
        invalid(field, QStringLiteral("%1 must be a string of at most %2 characters.").arg(field).arg(maxLength));
    return value.toString();
}

/// JSON numbers arrive as doubles; only exact integers in range are accepted.
inline qint64 integerField(const QJsonObject &input, const QString &field, qint64 min, qint64 max, qint64 fallback)
{
    const QJsonValue value = input.value(field);
    if (value.isUndefined() || value.isNull())
        return fallback;
    const double number = value.toDouble();
    if (!value.isDouble() || number != double(qint64(number)) || qint64(number) < min || qint64(number) > max)
        invalid(field, QStringLiteral("%1 must be an integer from %2 to %3.").arg(field).arg(min).arg(max));
    return qint64(number);
}

inline void refuseUnknown(const QJsonObject &input, const QStringList &allowed)
{
    for (auto it = input.constBegin(); it != input.constEnd(); ++it)
        if (!allowed.contains(it.key()))
            invalid(it.key(), QStringLiteral("Unknown field %1.").arg(it.key()));
}

inline QString outcomeName(CallOutcome outcome)
{
    return outcome == CallOutcome::Ok      ? QStringLiteral("OK")
        : outcome == CallOutcome::Rejected ? QStringLiteral("REJECTED")
                                           : QStringLiteral("UNKNOWN");
}

/// The buyer's money is with the merchant: a payment that can settle an order.
inline bool isPaid(TradeState state)
{
    return state == TradeState::Paid || state == TradeState::Finished;
}

/// The buyer paid at some point, though the trade may since have been refunded at the channel
/// (e.g. from the merchant's portal): money moved and must be accounted for, yet a refunded trade
/// never settles an order as paid.
inline bool wasPaid(TradeState state)
{
    return isPaid(state) || state == TradeState::Refunded;
}

/// Backoff for queries while an outcome is open: 10 s, 30 s, 1 m, 5 m, 15 m, then every 30 m.
inline qint64 pollDelay(int attempt)
{
    static constexpr qint64 kDelays[] = {10'000, 30'000, 60'000, 300'000, 900'000};
    return attempt < int(std::size(kDelays)) ? kDelays[attempt] : 1'800'000;
}

/// QtSql binds a null QString as SQL NULL: text for NOT NULL columns goes through this.
inline QString nonNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

inline QVariant nullable(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

inline QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace paydesk::flows
