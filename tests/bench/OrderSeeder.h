#pragma once

// Orders written straight into the server's database, for scenarios that need many of them
// before the timed phase:
//  - PayingOrders: orders waiting for the buyer, cloned row by row from orders the server itself
//    created through POST /v1/orders (the order, its CREATED and PAYING timeline rows, its prepay
//    channel log and its order.poll job), so that the server cannot tell them from its own.
//  - OrderHistory: a large table of past orders (90 days, several merchants, both channels, the
//    usual mix of statuses) for the look-up and search scenarios, which read orders only.
//  - PaidDay: one business day of paid orders and succeeded refunds of one channel account, for
//    the reconciliation scenario, which reads orders and refunds only.
#include <QByteArray>
#include <QDate>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include <functional>
#include <vector>

namespace paydesk::bench {

/// Multi-row INSERTs into one table: rows are collected and sent rowsPerStatement at a time
/// through one prepared statement. Throws DatabaseError.
class BulkInserter final
{
public:
    BulkInserter(const QSqlDatabase &db, QString table, QStringList columns, int rowsPerStatement);
    void add(const QVariantList &row);
    void flush();

private:
    QString sql(int rows) const;

    QSqlDatabase m_db;
    QString m_table;
    QStringList m_columns;
    int m_rowsPerStatement;
    QSqlQuery m_full;
    QVariantList m_pending;
};

/// An order the server created, with every row createOrder wrote for it.
struct OrderTemplate
{
    QSqlRecord order;
    QList<QSqlRecord> events;
    QList<QSqlRecord> logs;
    QSqlRecord poll;
};

/// What a seeded PAYING order is: the channel will report it paid with this amount.
struct SeededOrder
{
    QString orderNo;
    QString outTradeNo;
    QString channelType;
    QString subject;
    qint64 amount = 0;
    qint64 createdAt = 0;
};

class PayingOrders final
{
public:
    /// Reads the rows of an order created through the API; false with error if incomplete.
    static bool loadTemplate(const QSqlDatabase &db, const QString &orderNo, OrderTemplate *out, QString *error);
    /// count new orders alternating between the templates (alipay first): numbers, out_trade_no
    /// prefix + index, amounts from amountOf(index). Nothing is written yet, so that the channel's
    /// notifications can be signed before the orders exist.
    static QList<SeededOrder> plan(const QList<OrderTemplate> &templates, int count, const QString &prefix,
                                   const std::function<qint64(int)> &amountOf);
    /// Writes the planned orders, created now (their poll job due as the server would schedule
    /// it), in transactions of a few thousand orders. The server should be stopped.
    static void insert(const QSqlDatabase &db, const QList<OrderTemplate> &templates, QList<SeededOrder> &orders);
};

/// The past-orders table for the query and search scenarios.
class OrderHistory final
{
public:
    struct Plan
    {
        qint64 orders = 1'000'000;
        QStringList merchantIds; ///< the first gets half of all orders, the rest share the other half
        QString alipayChannel;
        QString wechatChannel;
        qint64 endMs = 0; ///< the newest order is created just before this
        int days = 90;
        QString copyUrl; ///< PostgreSQL: the database's URL, for COPY through psql
    };
    /// The seeded orders' numbers (fixed width) and amounts, for building requests.
    struct Index
    {
        int width = 0;
        QByteArray numbers; ///< orders × width characters
        std::vector<qint64> amounts;
        qint64 size() const { return qint64(amounts.size()); }
        QByteArray number(qint64 i) const { return numbers.mid(i * width, width); }
    };
    /// Writes plan.orders orders (the server must be stopped); returns their index.
    static Index insert(const QSqlDatabase &db, bool postgres, const Plan &plan,
                        const std::function<void(qint64 done)> &progress = {});
    /// The out_trade_no of the i-th order (for exact-number searches).
    static QString outTradeNo(qint64 i);
    /// The merchant that owns the i-th order.
    static int merchantOf(qint64 i, int merchants);
};

/// One business day (UTC+8) of paid orders of one channel account, with a succeeded refund for
/// every 50th order. Numbers, amounts and times are functions of the index, so the channel's bill
/// of the day can be written afterwards, streaming, without holding the day in memory.
class PaidDay final
{
public:
    struct Plan
    {
        qint64 orders = 1'000'000;
        QString merchantId;
        QString channelId;
        QString channelType; ///< alipay or wechat: the shape of the channel's trade numbers
        /// Tells the days of several channel accounts apart: the node id in the order and refund
        /// numbers, and the first letter of the merchant's out_trade_no and out_refund_no.
        int nodeId = 9999;
        QChar series = u'W';
        QDate day; ///< a business day in China Standard Time
        QString copyUrl; ///< PostgreSQL: the database's URL, for COPY through psql
    };
    struct Order
    {
        QString orderNo; ///< the channel's out_trade_no
        QString outTradeNo; ///< the merchant's
        QString channelTradeNo;
        qint64 amount = 0; ///< fen, paid in full
        qint64 createdAt = 0;
        qint64 paidAt = 0; ///< inside the day, increasing with the index
    };
    struct Refund
    {
        QString refundNo; ///< the channel's out_refund_no
        QString channelRefundNo;
        qint64 amount = 0; ///< the whole order for even refunds, half of it for odd ones
        qint64 createdAt = 0;
        qint64 succeededAt = 0; ///< inside the day
    };

    explicit PaidDay(Plan plan);
    const Plan &plan() const { return m_plan; }
    qint64 dayStartMs() const { return m_startMs; }
    Order order(qint64 i) const;
    bool hasRefund(qint64 i) const { return i % 50 == 7; }
    Refund refund(qint64 i) const;
    qint64 refunds() const { return (m_plan.orders + 42) / 50; }
    /// A number of Paydesk's shape that no seeded order has (another node id).
    QString unknownOrderNo(qint64 k) const;

    /// Writes the orders and refunds (the server must be stopped).
    void insert(const QSqlDatabase &db, bool postgres, const std::function<void(qint64 done)> &progress = {}) const;

private:
    Plan m_plan;
    qint64 m_startMs = 0;
    double m_stepMs = 0;
};

} // namespace paydesk::bench
