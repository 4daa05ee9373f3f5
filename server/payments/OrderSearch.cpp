#include "server/payments/OrderSearch.h"
#include "common/util/Patterns.h"

#include "server/payments/FlowSupport.h"
#include "server/store/Sql.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

using namespace Qt::StringLiterals;

namespace paydesk {

using flows::invalid;

namespace {

constexpr qint64 kMaxAmount = 10'000'000'000LL; // the largest order POST /v1/orders accepts
constexpr qint64 kMaxTime = 253'402'300'799'999LL; // 9999-12-31T23:59:59.999Z
constexpr qsizetype kMaxCursor = 256;

QString exactText(const QString &field, const QString &value, const QString &characters)
{
    if (!matchesWhole(value, characters + u"{1,64}"_s))
        invalid(field, u"%1 must be 1 to 64 characters of %2."_s.arg(field, characters));
    return value;
}

qint64 integer(const QString &field, const QString &value, qint64 min, qint64 max)
{
    bool ok = matchesWhole(value, u"-?[0-9]{1,19}"_s);
    const qint64 number = ok ? value.toLongLong(&ok) : 0;
    if (!ok || number < min || number > max)
        invalid(field, u"%1 must be an integer from %2 to %3."_s.arg(field).arg(min).arg(max));
    return number;
}

QString sortName(OrderSearchQuery::Sort sort)
{
    return sort == OrderSearchQuery::Sort::Amount ? u"amount"_s : u"created_at"_s;
}

QString encodeCursor(const OrderSearchQuery &query, qint64 value, const QString &orderNo)
{
    const QString text
        = u"%1:%2:%3:%4"_s.arg(sortName(query.sort), query.ascending ? u"asc"_s : u"desc"_s).arg(value).arg(orderNo);
    return QString::fromLatin1(
        text.toLatin1().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

// The cursor names its sort and direction, so one from another search cannot skip or repeat rows.
OrderSearchQuery::Position decodeCursor(const QString &cursor, const OrderSearchQuery &query)
{
    const auto malformed = [] { invalid(u"cursor"_s, u"cursor is not one this search returned."_s); };
    if (cursor.isEmpty() || cursor.size() > kMaxCursor || !matchesWhole(cursor, u"[A-Za-z0-9_-]+"_s))
        malformed();
    const QByteArray::FromBase64Result decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        malformed();
    const QStringList parts = QString::fromLatin1(*decoded).split(u':');
    if (parts.size() != 4 || !matchesWhole(parts.at(2), u"-?[0-9]{1,19}"_s)
        || !matchesWhole(parts.at(3), u"[A-Za-z0-9]{1,64}"_s))
        malformed();
    if (parts.at(0) != sortName(query.sort) || parts.at(1) != (query.ascending ? u"asc"_s : u"desc"_s))
        invalid(u"cursor"_s, u"cursor belongs to a search with another sort or order; start again without it."_s);
    bool ok = false;
    OrderSearchQuery::Position position{parts.at(2).toLongLong(&ok), parts.at(3)};
    if (!ok)
        malformed();
    return position;
}

QJsonValue textOrNull(const QVariant &value)
{
    return value.isNull() || value.toString().isEmpty() ? QJsonValue() : QJsonValue(value.toString());
}

} // namespace

const QStringList &OrderSearch::parameterNames()
{
    static const QStringList names{u"merchant_id"_s, u"order_no"_s, u"out_trade_no"_s, u"channel_trade_no"_s,
                                   u"status"_s,      u"channel"_s,  u"kind"_s,         u"amount_min"_s,
                                   u"amount_max"_s,  u"from"_s,     u"to"_s,           u"sort"_s,
                                   u"order"_s,       u"limit"_s,    u"cursor"_s};
    return names;
}

const QStringList &OrderSearch::statuses()
{
    static const QStringList names{u"CREATED"_s,  u"PAYING"_s, u"SUCCESS"_s, u"PARTIALLY_REFUNDED"_s,
                                   u"REFUNDED"_s, u"CLOSED"_s, u"ABNORMAL"_s};
    return names;
}

const QStringList &OrderSearch::kinds()
{
    static const QStringList names{u"PAYMENT"_s, u"RECHARGE"_s, u"RED_PACKET"_s};
    return names;
}

OrderSearchQuery OrderSearch::parse(const QUrlQuery &query)
{
    QSet<QString> seen;
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!parameterNames().contains(name))
            invalid(name.left(64),
                    u"Unknown parameter %1; known: %2."_s.arg(name.left(64), parameterNames().join(u", "_s)));
        if (seen.contains(name))
            invalid(name, u"%1 is given more than once."_s.arg(name));
        seen.insert(name);
    }
    const auto value = [&query](const QString &name) { return query.queryItemValue(name, QUrl::FullyDecoded); };
    const auto given = [&query](const QString &name) { return query.hasQueryItem(name); };

    OrderSearchQuery result;
    if (given(u"order_no"_s))
        result.orderNo = exactText(u"order_no"_s, value(u"order_no"_s), u"[A-Za-z0-9]"_s);
    if (given(u"out_trade_no"_s))
        result.outTradeNo = exactText(u"out_trade_no"_s, value(u"out_trade_no"_s), u"[A-Za-z0-9_-]"_s);
    if (given(u"channel_trade_no"_s))
        result.channelTradeNo = exactText(u"channel_trade_no"_s, value(u"channel_trade_no"_s), u"[!-~]"_s);
    if (given(u"status"_s)) {
        const QStringList wanted = value(u"status"_s).split(u',');
        for (const QString &status : wanted) {
            if (!statuses().contains(status))
                invalid(u"status"_s, u"status is a comma-separated list of %1."_s.arg(statuses().join(u", "_s)));
            if (!result.statuses.contains(status))
                result.statuses.append(status);
        }
    }
    if (given(u"channel"_s)) {
        result.channel = value(u"channel"_s);
        if (result.channel != u"alipay"_s && result.channel != u"wechat"_s)
            invalid(u"channel"_s, u"channel must be alipay or wechat."_s);
    }
    if (given(u"kind"_s)) {
        result.kind = value(u"kind"_s);
        if (!kinds().contains(result.kind))
            invalid(u"kind"_s, u"kind must be one of %1."_s.arg(kinds().join(u", "_s)));
    }
    if (given(u"amount_min"_s))
        result.amountMin = integer(u"amount_min"_s, value(u"amount_min"_s), 0, kMaxAmount);
    if (given(u"amount_max"_s))
        result.amountMax = integer(u"amount_max"_s, value(u"amount_max"_s), 0, kMaxAmount);
    if (result.amountMin && result.amountMax && *result.amountMin > *result.amountMax)
        invalid(u"amount_max"_s, u"amount_max must not be below amount_min."_s);
    if (given(u"from"_s))
        result.from = integer(u"from"_s, value(u"from"_s), 0, kMaxTime);
    if (given(u"to"_s))
        result.to = integer(u"to"_s, value(u"to"_s), 0, kMaxTime);
    if (result.from && result.to && *result.to <= *result.from)
        invalid(u"to"_s, u"to must be after from (to is exclusive)."_s);
    if (given(u"sort"_s)) {
        const QString sort = value(u"sort"_s);
        if (sort != u"created_at"_s && sort != u"amount"_s)
            invalid(u"sort"_s, u"sort must be created_at or amount."_s);
        result.sort = sort == u"amount"_s ? OrderSearchQuery::Sort::Amount : OrderSearchQuery::Sort::CreatedAt;
    }
    if (given(u"order"_s)) {
        const QString order = value(u"order"_s);
        if (order != u"desc"_s && order != u"asc"_s)
            invalid(u"order"_s, u"order must be desc or asc."_s);
        result.ascending = order == u"asc"_s;
    }
    if (given(u"limit"_s))
        result.limit = int(integer(u"limit"_s, value(u"limit"_s), 1, kMaxLimit));
    if (given(u"cursor"_s))
        result.after = decodeCursor(value(u"cursor"_s), result);
    return result;
}

bool OrderSearch::isWideRange(const QSqlDatabase &db, const OrderSearchQuery &query, const QString &column)
{
    // At most kWideRange + 1 entries of the (merchant_id, column) or (column) index are read.
    QStringList where;
    QVariantList binds;
    if (!query.merchantId.isEmpty()) {
        where.append(u"merchant_id = ?"_s);
        binds.append(query.merchantId);
    }
    const bool amount = column == u"amount"_s;
    const std::optional<qint64> low = amount ? query.amountMin : query.from;
    const std::optional<qint64> high = amount ? query.amountMax : query.to;
    if (low) {
        where.append(column + u" >= ?"_s);
        binds.append(*low);
    }
    if (high) {
        where.append(column + (amount ? u" <= ?"_s : u" < ?"_s));
        binds.append(*high);
    }
    binds.append(kWideRange + 1);
    QSqlQuery count = sqlExec(db,
                              u"SELECT COUNT(*) FROM (SELECT 1 FROM orders WHERE "_s + where.join(u" AND "_s)
                                  + u" LIMIT ?)"_s,
                              binds);
    return count.next() && count.value(0).toLongLong() > kWideRange;
}

OrderSearch::Page OrderSearch::run(const QSqlDatabase &db, const OrderSearchQuery &query)
{
    Q_ASSERT(query.limit >= 1 && query.limit <= kMaxLimit);
    static const QString columns
        = u"order_no, merchant_id, out_trade_no, kind, amount, paid_amount, refunded_amount, refund_reserved, currency,"
          " subject, channel_type, channel_id, method, status, channel_trade_no, created_at, paid_at, expires_at"_s;
    const QString column = sortName(query.sort);
    QStringList exact, where;
    QVariantList exactBinds, binds;
    const auto condition = [&where, &binds](const QString &sql, const QVariantList &values) {
        where.append(sql);
        binds.append(values);
    };

    // An exact number matches a handful of rows at most (one per merchant or channel account).
    // They are found first, behind a fence: without statistics SQLite's planner would rather walk
    // a merchant's whole (merchant_id, created_at, order_no) range to avoid sorting those few rows.
    if (!query.orderNo.isEmpty()) {
        exact.append(u"order_no = ?"_s);
        exactBinds.append(query.orderNo);
    }
    if (!query.outTradeNo.isEmpty()) {
        exact.append(u"out_trade_no = ?"_s);
        exactBinds.append(query.outTradeNo);
        if (!query.merchantId.isEmpty()) { // the UNIQUE (merchant_id, out_trade_no) index
            exact.append(u"merchant_id = ?"_s);
            exactBinds.append(query.merchantId);
        }
    }
    if (!query.channelTradeNo.isEmpty()) {
        exact.append(u"channel_trade_no = ?"_s);
        exactBinds.append(query.channelTradeNo);
    }
    if (!query.merchantId.isEmpty())
        condition(u"merchant_id = ?"_s, {query.merchantId});
    if (!query.statuses.isEmpty()) {
        QStringList marks;
        QVariantList values;
        for (const QString &status : query.statuses) {
            marks.append(u"?"_s);
            values.append(status);
        }
        condition(u"status IN ("_s + marks.join(u", "_s) + u')', values);
    }
    if (!query.channel.isEmpty())
        condition(u"channel_type = ?"_s, {query.channel});
    if (!query.kind.isEmpty())
        condition(u"kind = ?"_s, {query.kind});
    // A range on the column that is not the sort: narrow, its index plus a small sort is best;
    // wide, walking the sort index and filtering finds a page at once. PostgreSQL's statistics
    // tell the two apart; SQLite has none, so a bounded count on the range's index decides, and
    // a wide range is written so that its index is not used ("+column").
    const bool amountRange = query.amountMin || query.amountMax;
    const bool timeRange = query.from || query.to;
    const bool otherRange = query.sort == OrderSearchQuery::Sort::CreatedAt ? amountRange : timeRange;
    QString rangeColumn = query.sort == OrderSearchQuery::Sort::CreatedAt ? u"amount"_s : u"created_at"_s;
    if (exact.isEmpty() && otherRange && db.driverName() == u"QSQLITE"_s
        && isWideRange(db, query, rangeColumn))
        rangeColumn.prepend(u'+');
    const QString amountColumn = rangeColumn.endsWith(u"amount"_s) ? rangeColumn : u"amount"_s;
    const QString timeColumn = rangeColumn.endsWith(u"created_at"_s) ? rangeColumn : u"created_at"_s;
    if (query.amountMin)
        condition(amountColumn + u" >= ?"_s, {*query.amountMin});
    if (query.amountMax)
        condition(amountColumn + u" <= ?"_s, {*query.amountMax});
    if (query.from)
        condition(timeColumn + u" >= ?"_s, {*query.from});
    if (query.to)
        condition(timeColumn + u" < ?"_s, {*query.to});
    // A row value: both SQLite and PostgreSQL turn it into a range on the (…, column, order_no) index.
    if (query.after)
        condition(u"(%1, order_no) %2 (?, ?)"_s.arg(column, query.ascending ? u">"_s : u"<"_s),
                  {query.after->value, query.after->orderNo});

    QString sql;
    if (!exact.isEmpty()) {
        sql = u"WITH matched AS MATERIALIZED (SELECT "_s + columns + u" FROM orders WHERE "_s + exact.join(u" AND "_s)
            + u") SELECT "_s + columns + u" FROM matched"_s;
        binds = exactBinds + binds;
    } else {
        sql = u"SELECT "_s + columns + u" FROM orders"_s;
    }
    if (!where.isEmpty())
        sql += u" WHERE "_s + where.join(u" AND "_s);
    const QString direction = query.ascending ? u"ASC"_s : u"DESC"_s;
    sql += u" ORDER BY %1 %2, order_no %2 LIMIT ?"_s.arg(column, direction);
    binds.append(query.limit + 1); // one more than the page says whether another page follows

    Page page;
    qint64 lastValue = 0;
    QString lastOrderNo;
    QSqlQuery rows = sqlExec(db, sql, binds);
    while (rows.next()) {
        if (page.items.size() == query.limit) {
            page.nextCursor = encodeCursor(query, lastValue, lastOrderNo);
            break;
        }
        const qint64 amount = rows.value(4).toLongLong();
        const qint64 paidAmount = rows.value(5).toLongLong();
        const qint64 createdAt = rows.value(15).toLongLong();
        lastOrderNo = rows.value(0).toString();
        lastValue = query.sort == OrderSearchQuery::Sort::Amount ? amount : createdAt;
        page.items.append(QJsonObject{
            {u"order_no"_s, lastOrderNo},
            {u"merchant_id"_s, rows.value(1).toString()},
            {u"out_trade_no"_s, rows.value(2).toString()},
            {u"kind"_s, rows.value(3).toString()},
            {u"amount"_s, amount},
            {u"paid_amount"_s, paidAmount},
            {u"refunded_amount"_s, rows.value(6).toLongLong()},
            {u"refundable_amount"_s, paidAmount - rows.value(7).toLongLong()},
            {u"currency"_s, rows.value(8).toString()},
            {u"subject"_s, rows.value(9).toString()},
            {u"channel"_s, rows.value(10).toString()},
            {u"channel_id"_s, rows.value(11).toString()},
            {u"method"_s, rows.value(12).toString()},
            {u"status"_s, rows.value(13).toString()},
            {u"channel_trade_no"_s, textOrNull(rows.value(14))},
            {u"created_at"_s, createdAt},
            {u"paid_at"_s, rows.value(16).isNull() ? QJsonValue() : QJsonValue(rows.value(16).toLongLong())},
            {u"expires_at"_s, rows.value(17).toLongLong()},
        });
    }
    return page;
}

} // namespace paydesk
