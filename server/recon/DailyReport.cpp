#include "server/recon/DailyReport.h"

#include "common/money/Money.h"
#include "common/protocol/ApiError.h"
#include "server/recon/ReconService.h"
#include "server/store/Sql.h"

#include <QJsonArray>
#include <QMap>
#include <QSet>

#include <tuple>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

struct Row
{
    qint64 orders = 0, paidOfCreated = 0, paidCount = 0, paidAmount = 0, refundedCount = 0, refundedAmount = 0,
           feeMillifen = 0;
};

using Key = std::tuple<QDate, QString, QString>; // day, merchant, channel

QJsonObject rowJson(const Row &row)
{
    const qint64 fee = DailyReport::feeInFen(row.feeMillifen);
    return QJsonObject{{u"orders"_s, row.orders},
                       {u"paid_count"_s, row.paidCount},
                       {u"paid_amount"_s, row.paidAmount},
                       {u"refunded_count"_s, row.refundedCount},
                       {u"refunded_amount"_s, row.refundedAmount},
                       {u"fee_millifen"_s, row.feeMillifen},
                       {u"fee"_s, fee},
                       {u"net"_s, row.paidAmount - row.refundedAmount - fee},
                       {u"success_rate_bp"_s, row.orders > 0 ? row.paidOfCreated * 10'000 / row.orders : 0}};
}

QString yuan(qint64 fen)
{
    return Money::fromMinor(fen).toString();
}

} // namespace

qint64 DailyReport::feeInFen(qint64 feeMillifen)
{
    return feeMillifen >= 0 ? (feeMillifen + 500) / 1000 : -((-feeMillifen + 500) / 1000);
}

QJsonObject DailyReport::build(const QSqlDatabase &db, const Query &query)
{
    if (!query.from.isValid() || !query.to.isValid() || query.to < query.from)
        throw ApiError(ErrorCode::ValidationFailed, u"from and to are days (YYYY-MM-DD), from not after to."_s,
                       {{u"field"_s, u"from"_s}});
    if (query.from.daysTo(query.to) >= MaxDays)
        throw ApiError(ErrorCode::ValidationFailed, u"A report covers at most %1 days."_s.arg(MaxDays),
                       {{u"field"_s, u"to"_s}});
    const qint64 offset = qint64(ReconService::BillDayOffsetMinutes) * 60'000;
    const qint64 from = ReconService::dayStart(query.from);
    const qint64 to = ReconService::dayStart(query.to.addDays(1));
    const QDate epoch(1970, 1, 1);
    QMap<Key, Row> rows;
    const auto filters = [&](const QString &merchantColumn, const QString &channelColumn, QVariantList *binds) {
        QString sql;
        if (!query.merchantId.isEmpty()) {
            sql += u" AND "_s + merchantColumn + u" = ?"_s;
            binds->append(query.merchantId);
        }
        if (!query.channelId.isEmpty()) {
            sql += u" AND "_s + channelColumn + u" = ?"_s;
            binds->append(query.channelId);
        }
        return sql;
    };
    const auto each = [&](const QString &sql, const QVariantList &binds, auto &&apply) {
        QSqlQuery result = sqlExec(db, sql, binds);
        while (result.next()) {
            const Key key{epoch.addDays(result.value(0).toLongLong()), result.value(1).toString(),
                          result.value(2).toString()};
            apply(rows[key], result);
        }
    };

    // Orders created each day, and how many of them were paid (the success rate).
    QVariantList binds{from, to};
    QString where = filters(u"merchant_id"_s, u"channel_id"_s, &binds);
    each(u"SELECT (created_at + %1) / 86400000, merchant_id, channel_id, COUNT(*),"
         " SUM(CASE WHEN paid_amount > 0 THEN 1 ELSE 0 END) FROM orders WHERE created_at >= ? AND created_at < ?"_s.arg(offset)
             + where + u" GROUP BY 1, 2, 3"_s,
         binds, [](Row &row, const QSqlQuery &result) {
             row.orders += result.value(3).toLongLong();
             row.paidOfCreated += result.value(4).toLongLong();
         });
    // Payments by the day they were paid; abnormal ones sit in suspense, not with the merchant.
    binds = {from, to};
    where = filters(u"merchant_id"_s, u"channel_id"_s, &binds);
    each(u"SELECT (paid_at + %1) / 86400000, merchant_id, channel_id, COUNT(*), SUM(paid_amount) FROM orders"
         " WHERE paid_at >= ? AND paid_at < ? AND paid_amount > 0 AND COALESCE(status_reason, '') = ''"_s.arg(offset)
             + where + u" GROUP BY 1, 2, 3"_s,
         binds, [](Row &row, const QSqlQuery &result) {
             row.paidCount += result.value(3).toLongLong();
             row.paidAmount += result.value(4).toLongLong();
         });
    binds = {from, to};
    where = filters(u"r.merchant_id"_s, u"o.channel_id"_s, &binds);
    each(u"SELECT (r.succeeded_at + %1) / 86400000, r.merchant_id, o.channel_id, COUNT(*), SUM(r.amount) FROM refunds r"
         " JOIN orders o ON o.order_no = r.order_no WHERE r.succeeded_at >= ? AND r.succeeded_at < ? AND"
         " r.status = 'SUCCESS'"_s.arg(offset)
             + where + u" GROUP BY 1, 2, 3"_s,
         binds, [](Row &row, const QSqlQuery &result) {
             row.refundedCount += result.value(3).toLongLong();
             row.refundedAmount += result.value(4).toLongLong();
         });
    // Fees as the reconciled bills state them.
    {
        QVariantList feeBinds{query.from.toString(Qt::ISODate), query.to.toString(Qt::ISODate)};
        const QString feeWhere = filters(u"merchant_id"_s, u"channel_id"_s, &feeBinds);
        QSqlQuery result = sqlExec(db,
                                   u"SELECT business_date, merchant_id, channel_id, fee_millifen FROM recon_fees"
                                   " WHERE business_date >= ? AND business_date <= ? AND merchant_id <> ''"_s
                                       + feeWhere,
                                   feeBinds);
        while (result.next())
            rows[Key{QDate::fromString(result.value(0).toString(), Qt::ISODate), result.value(1).toString(),
                     result.value(2).toString()}]
                .feeMillifen
                += result.value(3).toLongLong();
    }

    QSet<QString> merchantIds;
    QSet<QString> channelIds;
    for (auto it = rows.cbegin(); it != rows.cend(); ++it) {
        merchantIds.insert(std::get<1>(it.key()));
        channelIds.insert(std::get<2>(it.key()));
    }
    QHash<QString, QString> names, types;
    for (const QString &id : std::as_const(merchantIds)) {
        QSqlQuery name = sqlExec(db, u"SELECT name FROM merchants WHERE id = ?"_s, {id});
        names.insert(id, name.next() ? name.value(0).toString() : QString());
    }
    for (const QString &id : std::as_const(channelIds)) {
        QSqlQuery type = sqlExec(db, u"SELECT type FROM channels WHERE id = ?"_s, {id});
        types.insert(id, type.next() ? type.value(0).toString() : QString());
    }

    QJsonArray items;
    Row total;
    for (auto it = rows.cbegin(); it != rows.cend(); ++it) {
        QJsonObject item = rowJson(it.value());
        item.insert(u"date"_s, std::get<0>(it.key()).toString(Qt::ISODate));
        item.insert(u"merchant_id"_s, std::get<1>(it.key()));
        item.insert(u"merchant_name"_s, names.value(std::get<1>(it.key())));
        item.insert(u"channel_id"_s, std::get<2>(it.key()));
        item.insert(u"channel_type"_s, types.value(std::get<2>(it.key())));
        items.append(item);
        const Row &row = it.value();
        total.orders += row.orders;
        total.paidOfCreated += row.paidOfCreated;
        total.paidCount += row.paidCount;
        total.paidAmount += row.paidAmount;
        total.refundedCount += row.refundedCount;
        total.refundedAmount += row.refundedAmount;
        total.feeMillifen += row.feeMillifen;
    }
    return QJsonObject{{u"from"_s, query.from.toString(Qt::ISODate)},
                       {u"to"_s, query.to.toString(Qt::ISODate)},
                       {u"rows"_s, items},
                       {u"totals"_s, rowJson(total)}};
}

QByteArray DailyReport::csv(const QJsonObject &report)
{
    QByteArray out("\xEF\xBB\xBF");
    out += "date,merchant_id,merchant_name,channel_id,channel_type,orders,paid_count,paid_amount,refunded_count,"
           "refunded_amount,fee,net,success_rate\r\n";
    const auto field = [](QString text) {
        // Free text: no separators, and nothing a spreadsheet would run as a formula.
        text.replace(u'"', u"\"\""_s);
        if (!text.isEmpty() && QStringLiteral("=+-@\t\r").contains(text.front()))
            text.prepend(u'\'');
        return u"\"%1\""_s.arg(text);
    };
    const auto line = [&](const QJsonObject &row, const QString &date, const QString &merchant,
                          const QString &merchantName, const QString &channel, const QString &type) {
        const qint64 rate = row.value(u"success_rate_bp"_s).toInteger();
        return QStringList{date,
                           field(merchant),
                           field(merchantName),
                           field(channel),
                           type,
                           QString::number(row.value(u"orders"_s).toInteger()),
                           QString::number(row.value(u"paid_count"_s).toInteger()),
                           yuan(row.value(u"paid_amount"_s).toInteger()),
                           QString::number(row.value(u"refunded_count"_s).toInteger()),
                           yuan(row.value(u"refunded_amount"_s).toInteger()),
                           yuan(row.value(u"fee"_s).toInteger()),
                           yuan(row.value(u"net"_s).toInteger()),
                           u"%1.%2%"_s.arg(rate / 100).arg(rate % 100, 2, 10, QLatin1Char('0'))}
                   .join(u',')
                   .toUtf8()
            + "\r\n";
    };
    for (const QJsonValue &value : report.value(u"rows"_s).toArray()) {
        const QJsonObject row = value.toObject();
        out += line(row, row.value(u"date"_s).toString(), row.value(u"merchant_id"_s).toString(),
                    row.value(u"merchant_name"_s).toString(), row.value(u"channel_id"_s).toString(),
                    row.value(u"channel_type"_s).toString());
    }
    out += line(report.value(u"totals"_s).toObject(), u"total"_s, {}, {}, {}, {});
    return out;
}

} // namespace paydesk
