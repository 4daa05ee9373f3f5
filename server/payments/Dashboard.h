#pragma once

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

namespace paydesk {

/// The console's collection figures (GET /v1/console/dashboard): today's totals, today by channel
/// and one row per business day, from GROUP BY queries over PAYMENT orders (recharges and red
/// packets are app users' money, not a merchant's takings). Integer fen throughout.
class Dashboard final
{
public:
    Dashboard() = delete;

    static constexpr int kMaxDays = 90;

    /// days (1..kMaxDays) business days ending with today's; merchantId empty: every merchant.
    /// Business days start at 00:00 UTC+dayOffsetMinutes, as the wallet's daily risk counters do.
    static QJsonObject build(const QSqlDatabase &db, const QString &merchantId, int days, qint64 nowMs,
                             int dayOffsetMinutes);

    /// "YYYY-MM-DD" of the business day that starts at dayStartMs.
    static QString dateOf(qint64 dayStartMs, int dayOffsetMinutes);
};

} // namespace paydesk
