#pragma once

#include <QJsonArray>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <optional>

namespace paydesk {

/// What the console asks of GET /v1/console/orders: exact matches, filters, a sort and a page.
struct OrderSearchQuery
{
    enum class Sort { CreatedAt, Amount };

    QString merchantId; ///< empty: every merchant (platform staff only; the route decides)
    QString orderNo, outTradeNo, channelTradeNo;
    QStringList statuses;
    QString channel, kind;
    std::optional<qint64> amountMin, amountMax; ///< fen, both inclusive
    std::optional<qint64> from, to; ///< created_at in ms since the epoch; to is exclusive
    Sort sort = Sort::CreatedAt;
    bool ascending = false;
    int limit = 50;

    /// The keyset position of the last row of the previous page.
    struct Position
    {
        qint64 value = 0; ///< that row's sort column
        QString orderNo;
    };
    std::optional<Position> after;
};

/// Order search for the console, keyset-paged on (sort column, order_no) so a page costs the same
/// at the millionth order as at the first (never OFFSET), each shape served by an index of
/// migration 0009.
class OrderSearch final
{
public:
    OrderSearch() = delete;

    static constexpr int kMaxLimit = 200;
    /// On SQLite, a range on the non-sort column with more rows than this walks the sort index.
    static constexpr int kWideRange = 2'000;

    /// The query parameters (all optional) as a query; merchant_id is left to the caller, who
    /// knows the principal. Throws VALIDATION_FAILED with details.field for the first bad one.
    static OrderSearchQuery parse(const QUrlQuery &query);

    struct Page
    {
        QJsonArray items; ///< order summaries
        QString nextCursor; ///< empty on the last page
    };
    static Page run(const QSqlDatabase &db, const OrderSearchQuery &query);

    /// The parameters parse() knows, for callers that refuse unknown ones.
    static const QStringList &parameterNames();
    /// Order statuses and kinds, as stored.
    static const QStringList &statuses();
    static const QStringList &kinds();

private:
    /// More than kWideRange orders (of the merchant, if any) in the query's range on column?
    static bool isWideRange(const QSqlDatabase &db, const OrderSearchQuery &query, const QString &column);
};

} // namespace paydesk
