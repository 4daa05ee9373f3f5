#pragma once

#include <QDate>
#include <QDateTime>

namespace paydesk {

/// Paydesk's business day runs on China Standard Time (UTC+8), like the channels' bills: daily
/// reports and reconciliation count days that way whatever the time zone of the machine.
inline constexpr int kBusinessUtcOffsetSeconds = 8 * 3600;

/// Today's business day.
inline QDate businessToday()
{
    return QDateTime::currentDateTimeUtc().toOffsetFromUtc(kBusinessUtcOffsetSeconds).date();
}

} // namespace paydesk
