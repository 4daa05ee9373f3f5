#include "server/payments/Dashboard.h"

#include "server/store/Sql.h"
#include "server/wallet/RiskEngine.h"

#include <QDate>
#include <QHash>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

constexpr qint64 kDay = 86'400'000;

struct DayFigures
{
    qint64 collected = 0;
    qint64 paidCount = 0;
    qint64 createdCount = 0;
};

} // namespace

QString Dashboard::dateOf(qint64 dayStartMs, int dayOffsetMinutes)
{
    const qint64 local = dayStartMs + qint64(dayOffsetMinutes) * 60'000;
    const qint64 dayNumber = (local - ((local % kDay) + kDay) % kDay) / kDay; // floor, also before 1970
    return QDate(1970, 1, 1).addDays(dayNumber).toString(Qt::ISODate);
}

QJsonObject Dashboard::build(const QSqlDatabase &db, const QString &merchantId, int days, qint64 nowMs,
                             int dayOffsetMinutes)
{
    Q_ASSERT(days >= 1 && days <= kMaxDays);
    const qint64 today = RiskEngine::dayStart(nowMs, dayOffsetMinutes);
    const qint64 first = today - qint64(days - 1) * kDay;
    const qint64 end = today + kDay;
    const QString merchantOnly = merchantId.isEmpty() ? QString() : u" AND merchant_id = ?"_s;
    const auto binds = [&merchantId](QVariantList values) {
        if (!merchantId.isEmpty())
            values.append(merchantId);
        return values;
    };

    QList<DayFigures> series(days);
    QHash<QString, DayFigures> channelsToday;
    // Collected is what reached the merchant's balance: an abnormal payment sits in suspense and
    // is not counted; a refunded one still is (refunds are reported on their own). Only SUCCESS,
    // PARTIALLY_REFUNDED, REFUNDED and ABNORMAL orders have a paid_at; "<> 'ABNORMAL'" says the
    // same as listing the other three, and keeps SQLite's planner on the paid_at index instead of
    // the status one (which would read most of the table).
    QSqlQuery paid = sqlExec(
        db,
        u"SELECT (paid_at - ?) / 86400000, channel_type, COUNT(*), CAST(COALESCE(SUM(paid_amount), 0) AS BIGINT)"
        " FROM orders WHERE paid_at >= ? AND paid_at < ? AND kind = 'PAYMENT' AND currency = 'CNY'"
        " AND status <> 'ABNORMAL'"_s
            + merchantOnly + u" GROUP BY 1, 2"_s,
        binds({first, first, end}));
    while (paid.next()) {
        const qint64 day = paid.value(0).toLongLong();
        if (day < 0 || day >= days)
            continue;
        const qint64 count = paid.value(2).toLongLong();
        const qint64 amount = paid.value(3).toLongLong();
        series[day].paidCount += count;
        series[day].collected += amount;
        if (day == days - 1) {
            DayFigures &channel = channelsToday[paid.value(1).toString()];
            channel.paidCount += count;
            channel.collected += amount;
        }
    }
    QSqlQuery created = sqlExec(db,
                                u"SELECT (created_at - ?) / 86400000, COUNT(*) FROM orders WHERE created_at >= ?"
                                " AND created_at < ? AND kind = 'PAYMENT' AND currency = 'CNY'"_s
                                    + merchantOnly + u" GROUP BY 1"_s,
                                binds({first, first, end}));
    while (created.next()) {
        const qint64 day = created.value(0).toLongLong();
        if (day >= 0 && day < days)
            series[day].createdCount += created.value(1).toLongLong();
    }
    QSqlQuery refunds = sqlExec(
        db,
        u"SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM refunds r JOIN orders o ON o.order_no = r.order_no"
        " WHERE r.status = 'SUCCESS' AND r.succeeded_at >= ? AND r.succeeded_at < ? AND o.kind = 'PAYMENT'"
        " AND r.currency = 'CNY'"_s
            + (merchantId.isEmpty() ? QString() : u" AND r.merchant_id = ?"_s),
        binds({today, end}));
    const qint64 refunded = refunds.next() ? refunds.value(0).toLongLong() : 0;

    QJsonArray dayRows;
    for (int i = 0; i < days; ++i) {
        dayRows.append(QJsonObject{{u"date"_s, dateOf(first + qint64(i) * kDay, dayOffsetMinutes)},
                                   {u"collected"_s, series.at(i).collected},
                                   {u"paid_count"_s, series.at(i).paidCount},
                                   {u"created_count"_s, series.at(i).createdCount}});
    }
    QJsonArray channels;
    for (const QString &type : {u"alipay"_s, u"wechat"_s}) {
        const DayFigures figures = channelsToday.value(type);
        channels.append(QJsonObject{
            {u"channel"_s, type}, {u"collected"_s, figures.collected}, {u"paid_count"_s, figures.paidCount}});
    }
    const DayFigures &todays = series.constLast();
    return QJsonObject{{u"currency"_s, u"CNY"_s},
                       {u"day_offset_minutes"_s, dayOffsetMinutes},
                       {u"today"_s,
                        QJsonObject{{u"date"_s, dateOf(today, dayOffsetMinutes)},
                                    {u"collected"_s, todays.collected},
                                    {u"paid_count"_s, todays.paidCount},
                                    {u"created_count"_s, todays.createdCount},
                                    {u"refunded"_s, refunded}}},
                       {u"channels"_s, channels},
                       {u"days"_s, dayRows}};
}

} // namespace paydesk
