#include "OrderSeeder.h"

#include "server/store/Sql.h"

#include "common/crypto/Digest.h"
#include "common/crypto/Random.h"
#include "common/util/IdGenerator.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlField>
#include <QTimeZone>

#include <cmath>
#include <memory>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

// Numbers the bench issues carry this node id, so they never collide with the server's (node 0).
constexpr int kBenchNodeId = 9999;
constexpr int kRowsPerStatement = 500;
constexpr int kOrdersPerTransaction = 5'000;

quint64 mix(quint64 x)
{
    // splitmix64: a cheap, well-spread hash of the index, so the table is the same on every run.
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

QVariant nullText()
{
    return QVariant(QMetaType::fromType<QString>());
}

QVariant nullNumber()
{
    return QVariant(QMetaType::fromType<qlonglong>());
}

// A random tail in place of the template's: qr_code and code_url end in a random token.
QString freshCode(const QString &code)
{
    qsizetype start = code.size();
    while (start > 0 && code.at(start - 1).isLetterOrNumber() && code.at(start - 1).unicode() < 128)
        --start;
    return code.left(start) + Random::alphanumeric(code.size() - start).toLower();
}

QVariantList cloned(const QSqlRecord &record, const QHash<QString, QVariant> &changes)
{
    QVariantList row;
    row.reserve(record.count());
    for (int i = 0; i < record.count(); ++i) {
        const auto change = changes.constFind(record.fieldName(i));
        row.append(change != changes.cend() ? *change : record.value(i));
    }
    return row;
}

QStringList columnsOf(const QSqlRecord &record)
{
    QStringList columns;
    for (int i = 0; i < record.count(); ++i)
        columns.append(record.fieldName(i));
    return columns;
}

QList<QSqlRecord> records(const QSqlDatabase &db, const QString &sql, const QVariantList &binds)
{
    QList<QSqlRecord> rows;
    QSqlQuery query = sqlExec(db, sql, binds);
    while (query.next())
        rows.append(query.record());
    return rows;
}

// The request hash createOrder stores: SHA-256 of its normalised input (keys sorted by QJsonObject).
QString requestHash(const QString &outTradeNo, qint64 amount, const QString &subject, const QString &channel)
{
    const QJsonObject normalised{{u"out_trade_no"_s, outTradeNo}, {u"amount"_s, amount},
                                 {u"currency"_s, u"CNY"_s},       {u"subject"_s, subject},
                                 {u"channel"_s, channel},         {u"method"_s, u"qr"_s},
                                 {u"expire_minutes"_s, 30},       {u"notify_url"_s, QString()}};
    return QString::fromLatin1(Digest::sha256(QJsonDocument(normalised).toJson(QJsonDocument::Compact)).toHex());
}

// Indexes that no constraint owns, by name, with the statement that creates them.
QList<std::pair<QString, QString>> secondaryIndexes(const QSqlDatabase &db, bool postgres, const QString &table)
{
    QList<std::pair<QString, QString>> indexes;
    QSqlQuery rows = postgres
        ? sqlExec(db,
                  u"SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ?"
                  " AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
                  " WHERE c.conname = i.indexname) ORDER BY i.indexname"_s,
                  {table})
        : sqlExec(db,
                  u"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
                  " ORDER BY name"_s,
                  {table});
    while (rows.next())
        indexes.append({rows.value(0).toString(), rows.value(1).toString()});
    return indexes;
}

// PostgreSQL's COPY through psql (QtSql cannot send COPY data): CSV rows streamed to its stdin,
// one transaction. Values here never hold an empty string, so an empty field is NULL.
class CopyWriter final
{
public:
    CopyWriter(const QString &url, const QString &table, const QStringList &columns)
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(u"psql"_s,
                        {u"-X"_s, u"-q"_s, u"-v"_s, u"ON_ERROR_STOP=1"_s, u"-d"_s, url, u"-c"_s,
                         u"SET synchronous_commit = off"_s, u"-c"_s,
                         u"COPY %1 (%2) FROM STDIN WITH (FORMAT csv)"_s.arg(table, columns.join(u", "_s))});
        if (!m_process.waitForStarted(10'000))
            throw std::runtime_error("cannot start psql for COPY");
    }

    void add(const QVariantList &row)
    {
        for (qsizetype i = 0; i < row.size(); ++i) {
            if (i > 0)
                m_buffer += ',';
            const QVariant &value = row.at(i);
            if (value.isNull())
                continue;
            const QByteArray text = value.toString().toUtf8();
            if (text.contains(',') || text.contains('"') || text.contains('\n'))
                m_buffer += '"' + QByteArray(text).replace("\"", "\"\"") + '"';
            else
                m_buffer += text;
        }
        m_buffer += '\n';
        if (m_buffer.size() > 4 * 1024 * 1024)
            send();
    }

    void finish()
    {
        send();
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(600'000) || m_process.exitCode() != 0)
            throw std::runtime_error("psql COPY failed: " + m_process.readAll().toStdString());
    }

private:
    void send()
    {
        m_process.write(m_buffer);
        while (m_process.bytesToWrite() > 0)
            if (!m_process.waitForBytesWritten(60'000))
                throw std::runtime_error("psql does not take the COPY data: " + m_process.readAll().toStdString());
        m_buffer.clear();
    }

    QProcess m_process;
    QByteArray m_buffer;
};

// A bulk load done like a DBA would: the tables' secondary indexes are dropped first and built
// again at the end from their own definitions (the constraint indexes stay), so the schema ends
// as it began; commits are not made durable one by one, since seeding is not the workload.
class BulkLoad final
{
public:
    BulkLoad(const QSqlDatabase &db, bool postgres, const QStringList &tables)
        : m_db(db), m_postgres(postgres), m_tables(tables)
    {
        for (const QString &table : tables) {
            m_indexes.append(secondaryIndexes(db, postgres, table));
            for (const auto &[name, definition] : m_indexes.last())
                sqlExecRaw(db, u"DROP INDEX "_s + name);
        }
        if (postgres) {
            sqlExecRaw(db, u"SET synchronous_commit = off"_s);
            sqlExecRaw(db, u"SET maintenance_work_mem = '256MB'"_s);
        } else {
            // No fsync per commit, and room for the indexes in memory.
            sqlExecRaw(db, u"PRAGMA synchronous=OFF"_s);
            sqlExecRaw(db, u"PRAGMA cache_size=-1000000"_s);
        }
    }

    void finish()
    {
        for (qsizetype t = 0; t < m_tables.size(); ++t) {
            for (const auto &[name, definition] : m_indexes.at(t))
                sqlExecRaw(m_db, definition);
            if (secondaryIndexes(m_db, m_postgres, m_tables.at(t)) != m_indexes.at(t))
                throw std::runtime_error("the indexes of " + m_tables.at(t).toStdString()
                                         + " differ after the bulk load");
        }
        if (m_postgres) {
            for (const QString &table : m_tables) // what autovacuum does shortly after a bulk load anyway
                sqlExecRaw(m_db, u"ANALYZE "_s + table);
        } else {
            sqlExecRaw(m_db, u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
        }
    }

private:
    QSqlDatabase m_db;
    bool m_postgres;
    QStringList m_tables;
    QList<QList<std::pair<QString, QString>>> m_indexes;
};

// The columns OrderHistory and PaidDay write, in the order of their rows.
const QStringList &orderColumns()
{
    static const QStringList columns{
        u"order_no"_s,        u"merchant_id"_s,      u"out_trade_no"_s,  u"kind"_s,           u"request_hash"_s,
        u"amount"_s,          u"currency"_s,         u"subject"_s,       u"channel_type"_s,   u"channel_id"_s,
        u"method"_s,          u"status"_s,           u"status_reason"_s, u"prepay_outcome"_s, u"qr_code"_s,
        u"app_params"_s,      u"channel_trade_no"_s, u"paid_amount"_s,   u"paid_at"_s,        u"refund_reserved"_s,
        u"refunded_amount"_s, u"notify_url"_s,       u"expires_at"_s,    u"created_at"_s,     u"updated_at"_s,
        u"version"_s,         u"payer_user_id"_s};
    return columns;
}

// Amounts spread log-uniformly from 1.00 to 1,000.00 CNY, from a hash of the index.
qint64 logUniformAmount(quint64 h)
{
    return qint64(std::llround(100.0 * std::pow(1000.0, double((h >> 16) % 10'000) / 10'000.0)));
}
} // namespace

BulkInserter::BulkInserter(const QSqlDatabase &db, QString table, QStringList columns, int rowsPerStatement)
    : m_db(db), m_table(std::move(table)), m_columns(std::move(columns)), m_rowsPerStatement(rowsPerStatement),
      m_full(db)
{
    if (!m_full.prepare(sql(m_rowsPerStatement)))
        throw DatabaseError(u"cannot prepare the bulk insert into "_s + m_table, m_full.lastError());
}

QString BulkInserter::sql(int rows) const
{
    const QString marks = u"("_s + QStringList(m_columns.size(), u"?"_s).join(u", "_s) + u")"_s;
    return u"INSERT INTO %1 (%2) VALUES "_s.arg(m_table, m_columns.join(u", "_s))
        + QStringList(rows, marks).join(u", "_s);
}

void BulkInserter::add(const QVariantList &row)
{
    Q_ASSERT(row.size() == m_columns.size());
    m_pending += row;
    if (m_pending.size() < qsizetype(m_rowsPerStatement) * m_columns.size())
        return;
    for (qsizetype i = 0; i < m_pending.size(); ++i)
        m_full.bindValue(int(i), m_pending.at(i));
    if (!m_full.exec())
        throw DatabaseError(u"bulk insert into "_s + m_table, m_full.lastError());
    m_pending.clear();
}

void BulkInserter::flush()
{
    if (m_pending.isEmpty())
        return;
    sqlExec(m_db, sql(int(m_pending.size() / m_columns.size())), m_pending);
    m_pending.clear();
}

bool PayingOrders::loadTemplate(const QSqlDatabase &db, const QString &orderNo, OrderTemplate *out, QString *error)
{
    const QList<QSqlRecord> order = records(db, u"SELECT * FROM orders WHERE order_no = ?"_s, {orderNo});
    out->events = records(db, u"SELECT * FROM order_events WHERE order_no = ? ORDER BY seq"_s, {orderNo});
    out->logs = records(db, u"SELECT * FROM channel_logs WHERE order_no = ?"_s, {orderNo});
    const QList<QSqlRecord> poll
        = records(db, u"SELECT * FROM outbox WHERE kind = 'order.poll' AND ref = ?"_s, {orderNo});
    if (order.size() != 1 || order.first().value(u"status"_s).toString() != u"PAYING"_s || out->events.size() != 2
        || out->logs.size() != 1 || poll.size() != 1) {
        *error = u"order %1 is not a PAYING order with 2 timeline rows, 1 channel log and 1 poll job"_s.arg(orderNo);
        return false;
    }
    out->order = order.first();
    out->poll = poll.first();
    return true;
}

QList<SeededOrder> PayingOrders::plan(const QList<OrderTemplate> &templates, int count, const QString &prefix,
                                      const std::function<qint64(int)> &amountOf)
{
    IdGenerator orderIds(u"P"_s, kBenchNodeId);
    QList<SeededOrder> planned;
    planned.reserve(count);
    for (int i = 0; i < count; ++i) {
        const OrderTemplate &t = templates.at(i % templates.size());
        SeededOrder order;
        order.orderNo = orderIds.next();
        order.outTradeNo = prefix + QString::number(i);
        order.channelType = t.order.value(u"channel_type"_s).toString();
        order.subject = u"Bench order %1"_s.arg(i);
        order.amount = amountOf(i);
        order.createdAt = QDateTime::currentMSecsSinceEpoch();
        planned.append(order);
    }
    return planned;
}

void PayingOrders::insert(const QSqlDatabase &db, const QList<OrderTemplate> &templates, QList<SeededOrder> &planned)
{
    IdGenerator outboxIds(u"OB"_s, kBenchNodeId);
    IdGenerator logIds(u"CL"_s, kBenchNodeId);
    const OrderTemplate &first = templates.first();
    BulkInserter orders(db, u"orders"_s, columnsOf(first.order), kRowsPerStatement / 2);
    BulkInserter events(db, u"order_events"_s, columnsOf(first.events.first()), kRowsPerStatement);
    BulkInserter logs(db, u"channel_logs"_s, columnsOf(first.logs.first()), kRowsPerStatement / 4);
    BulkInserter polls(db, u"outbox"_s, columnsOf(first.poll), kRowsPerStatement);
    const qint64 count = planned.size();
    for (qint64 begin = 0; begin < count; begin += kOrdersPerTransaction) {
        sqlExecRaw(db, u"BEGIN"_s);
        for (qint64 i = begin; i < std::min(count, begin + kOrdersPerTransaction); ++i) {
            const OrderTemplate &t = templates.at(i % templates.size());
            SeededOrder &order = planned[i];
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            order.createdAt = now;
            const qint64 templateCreated = t.order.value(u"created_at"_s).toLongLong();
            const auto shifted = [templateCreated, now](const QVariant &at) {
                return QVariant(now + (at.toLongLong() - templateCreated));
            };
            const QString templateNo = t.order.value(u"order_no"_s).toString();
            const QString templateCode = t.order.value(u"qr_code"_s).toString();
            const QString code = freshCode(templateCode);
            orders.add(cloned(
                t.order,
                {{u"order_no"_s, order.orderNo},
                 {u"out_trade_no"_s, order.outTradeNo},
                 {u"request_hash"_s, requestHash(order.outTradeNo, order.amount, order.subject, order.channelType)},
                 {u"amount"_s, order.amount},
                 {u"subject"_s, order.subject},
                 {u"qr_code"_s, code},
                 {u"expires_at"_s, shifted(t.order.value(u"expires_at"_s))},
                 {u"created_at"_s, now},
                 {u"updated_at"_s, shifted(t.order.value(u"updated_at"_s))}}));
            for (const QSqlRecord &event : t.events)
                events.add(cloned(event, {{u"order_no"_s, order.orderNo}, {u"at"_s, shifted(event.value(u"at"_s))}}));
            for (const QSqlRecord &log : t.logs) {
                QString request = log.value(u"request"_s).toString();
                QString response = log.value(u"response"_s).toString();
                request.replace(templateNo, order.orderNo);
                response.replace(templateNo, order.orderNo).replace(templateCode, code);
                logs.add(cloned(log,
                                {{u"id"_s, logIds.next()},
                                 {u"order_no"_s, order.orderNo},
                                 {u"request"_s, request},
                                 {u"response"_s, response},
                                 {u"created_at"_s, shifted(log.value(u"created_at"_s))}}));
            }
            // A fresh job, as the template's was when its create committed.
            polls.add(cloned(t.poll,
                             {{u"id"_s, outboxIds.next()},
                              {u"ref"_s, order.orderNo},
                              {u"status"_s, u"PENDING"_s},
                              {u"attempts"_s, 0},
                              {u"next_at"_s, shifted(t.poll.value(u"next_at"_s))},
                              {u"lease_owner"_s, nullText()},
                              {u"lease_until"_s, 0},
                              {u"last_error"_s, nullText()},
                              {u"created_at"_s, now},
                              {u"updated_at"_s, now}}));
        }
        // Parents before children: the timeline and the logs name their order.
        orders.flush();
        events.flush();
        logs.flush();
        polls.flush();
        sqlExecRaw(db, u"COMMIT"_s);
    }
}

QString OrderHistory::outTradeNo(qint64 i)
{
    return u"H%1"_s.arg(i, 10, 10, QChar(u'0'));
}

int OrderHistory::merchantOf(qint64 i, int merchants)
{
    if (merchants <= 1)
        return 0;
    const quint64 h = mix(quint64(i) ^ 0xA5A5A5A5ULL);
    // Half of all orders belong to the first (big) merchant, the rest spread evenly.
    return (h & 1) == 0 ? 0 : 1 + int((h >> 1) % quint64(merchants - 1));
}

OrderHistory::Index OrderHistory::insert(const QSqlDatabase &db, bool postgres, const Plan &plan,
                                         const std::function<void(qint64 done)> &progress)
{
    const QStringList &columns = orderColumns();
    static const QStringList subjects{u"Coffee"_s,    u"Lunch set"_s,    u"Parking 2h"_s, u"Monthly plan"_s,
                                      u"Groceries"_s, u"Movie ticket"_s, u"Taxi"_s,       u"Phone top-up"_s};
    const qint64 startMs = plan.endMs - qint64(plan.days) * 86'400'000;
    const double stepMs = double(plan.endMs - startMs - 60'000) / double(std::max<qint64>(1, plan.orders));
    qint64 clockMs = startMs;
    IdGenerator orderIds(IdGenerator::Options{u"P"_s, kBenchNodeId, [&clockMs] { return clockMs; }, {}});

    Index index;
    index.width = int(orderIds.width());
    index.numbers.reserve(plan.orders * index.width);
    index.amounts.reserve(size_t(plan.orders));
    BulkLoad load(db, postgres, {u"orders"_s});
    // SQLite: prepared multi-row INSERTs in one transaction; PostgreSQL: COPY (multi-row INSERTs
    // without a URL for psql).
    const bool copy = postgres && !plan.copyUrl.isEmpty();
    std::unique_ptr<CopyWriter> copyWriter
        = copy ? std::make_unique<CopyWriter>(plan.copyUrl, u"orders"_s, columns) : nullptr;
    std::unique_ptr<BulkInserter> inserter
        = copy ? nullptr : std::make_unique<BulkInserter>(db, u"orders"_s, columns, kRowsPerStatement);
    const qint64 perTransaction = postgres ? 100'000 : plan.orders;
    if (!copy)
        sqlExecRaw(db, u"BEGIN"_s);
    for (qint64 i = 0; i < plan.orders; ++i) {
        const quint64 h = mix(quint64(i));
        clockMs = startMs + qint64(double(i) * stepMs);
        const qint64 createdAt = clockMs;
        const QString orderNo = orderIds.next();
        const int merchant = merchantOf(i, int(plan.merchantIds.size()));
        const bool alipay = (h >> 8) % 2 == 0;
        const qint64 amount = logUniformAmount(h);
        const int roll = int((h >> 40) % 1000);
        const bool recent = plan.endMs - createdAt < 30 * 60'000;
        QString status = roll < 700 ? u"SUCCESS"_s
            : roll < 920            ? u"CLOSED"_s
            : roll < 950            ? u"REFUNDED"_s
            : roll < 980            ? u"PARTIALLY_REFUNDED"_s
            : roll < 985            ? u"ABNORMAL"_s
                                    : u"CLOSED"_s;
        if (recent && roll >= 985)
            status = u"PAYING"_s;
        const bool paid = status != u"CLOSED"_s && status != u"PAYING"_s;
        const qint64 paidAt = createdAt + 5'000 + qint64((h >> 24) % 115'000);
        const qint64 paidAmount = !paid ? 0 : status == u"ABNORMAL"_s ? amount + 1 : amount;
        const qint64 refunded = status == u"REFUNDED"_s ? amount : status == u"PARTIALLY_REFUNDED"_s ? amount / 2 : 0;
        const QString day
            = QDateTime::fromMSecsSinceEpoch(createdAt, Qt::OffsetFromUTC, 8 * 3600).toString(u"yyyyMMdd"_s);
        const QString tradeNo = alipay ? day + u"22001"_s + u"%1"_s.arg(i, 15, 10, QChar(u'0'))
                                       : u"4200"_s + u"%1"_s.arg(i, 24, 10, QChar(u'0'));
        const QString outTradeNo = OrderHistory::outTradeNo(i);
        const QString code = alipay
            ? u"https://qr.alipay.com/bax"_s + u"%1"_s.arg(h % 100'000'000'000ULL, 22, 10, QChar(u'0'))
            : u"weixin://wxpay/bizpayurl?pr="_s + u"%1"_s.arg(h % 10'000'000ULL, 7, 10, QChar(u'0'));
        const QVariantList row{orderNo,
                               plan.merchantIds.at(merchant),
                               outTradeNo,
                               u"PAYMENT"_s,
                               QString::fromLatin1(Digest::sha256Hex(outTradeNo.toLatin1())),
                               amount,
                               u"CNY"_s,
                               subjects.at(int((h >> 52) % quint64(subjects.size()))),
                               alipay ? u"alipay"_s : u"wechat"_s,
                               alipay ? plan.alipayChannel : plan.wechatChannel,
                               u"qr"_s,
                               status,
                               status == u"CLOSED"_s         ? QVariant(u"EXPIRED"_s)
                                   : status == u"ABNORMAL"_s ? QVariant(u"AMOUNT_MISMATCH"_s)
                                                             : nullText(),
                               u"OK"_s,
                               code,
                               nullText(),
                               paid ? QVariant(tradeNo) : nullText(),
                               paidAmount,
                               paid ? QVariant(paidAt) : nullNumber(),
                               refunded,
                               refunded,
                               nullText(),
                               createdAt + 30 * 60'000,
                               createdAt,
                               paid ? paidAt : createdAt + (status == u"CLOSED"_s ? 30 * 60'000 : 1'000),
                               paid                        ? 2 + (refunded > 0 ? 2 : 0)
                                   : status == u"CLOSED"_s ? 2
                                                           : 1,
                               nullText()};
        if (copyWriter)
            copyWriter->add(row);
        else
            inserter->add(row);
        index.numbers += orderNo.toLatin1();
        index.amounts.push_back(amount);
        if (!copy && ((i + 1) % perTransaction == 0 || i + 1 == plan.orders)) {
            inserter->flush();
            sqlExecRaw(db, u"COMMIT"_s);
            if (i + 1 < plan.orders)
                sqlExecRaw(db, u"BEGIN"_s);
        }
        if (progress && (i + 1) % 100'000 == 0)
            progress(i + 1);
    }
    if (copyWriter)
        copyWriter->finish();
    load.finish();
    return index;
}

} // namespace paydesk::bench

namespace paydesk::bench {

namespace {

constexpr qint64 kRefundLagMs = 10 * 60'000;

QString utcStamp(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(u"yyyyMMddHHmmsszzz"_s);
}

QString base36(qint64 value, int width)
{
    return QString::number(value, 36).toUpper().rightJustified(width, u'0');
}

} // namespace

PaidDay::PaidDay(Plan plan) : m_plan(std::move(plan))
{
    m_startMs = QDateTime(m_plan.day, QTime(0, 0), QTimeZone(8 * 3600)).toMSecsSinceEpoch();
    // Payments over the day; the last refund (ten minutes after its payment at most) still in it.
    m_stepMs = double(86'400'000 - 2'000) / double(std::max<qint64>(1, m_plan.orders));
}

PaidDay::Order PaidDay::order(qint64 i) const
{
    const quint64 h = mix(quint64(i) ^ 0x5EEDDA7ULL);
    Order order;
    order.paidAt = m_startMs + 1'000 + qint64(double(i) * m_stepMs);
    order.createdAt = order.paidAt - 5'000 - qint64((h >> 24) % 55'000);
    // Paydesk's shape (IdGenerator): prefix, UTC time, node 9999, the index as the instance.
    order.orderNo = u"P"_s + utcStamp(order.createdAt) + QString::number(m_plan.nodeId) + base36(i, 7) + u"00"_s;
    order.outTradeNo = m_plan.series + u"%1"_s.arg(i, 10, 10, QChar(u'0'));
    order.amount = logUniformAmount(h);
    const QString day = m_plan.day.toString(u"yyyyMMdd"_s);
    order.channelTradeNo = m_plan.channelType == u"alipay"_s ? day + u"22001"_s + u"%1"_s.arg(i, 15, 10, QChar(u'0'))
                                                             : u"420000"_s + day + u"%1"_s.arg(i, 14, 10, QChar(u'0'));
    return order;
}

PaidDay::Refund PaidDay::refund(qint64 i) const
{
    const Order paid = order(i);
    Refund refund;
    refund.succeededAt = std::min(paid.paidAt + kRefundLagMs, m_startMs + 86'400'000 - 1'000);
    refund.createdAt = refund.succeededAt - 3'000;
    refund.refundNo = u"R"_s + utcStamp(refund.createdAt) + QString::number(m_plan.nodeId) + base36(i, 7) + u"00"_s;
    refund.channelRefundNo = u"503000"_s + m_plan.day.toString(u"yyyyMMdd"_s) + u"%1"_s.arg(i, 14, 10, QChar(u'0'));
    refund.amount = (i / 50) % 2 == 0 ? paid.amount : std::max<qint64>(1, paid.amount / 2);
    return refund;
}

QString PaidDay::unknownOrderNo(qint64 k) const
{
    // Node 9000 is nobody's: no day seeds it.
    return u"P"_s + utcStamp(m_startMs + 3'600'000 + k) + u"9000"_s + base36(k, 7) + u"00"_s;
}

void PaidDay::insert(const QSqlDatabase &db, bool postgres, const std::function<void(qint64 done)> &progress) const
{
    static const QStringList refundColumns{
        u"refund_no"_s,  u"order_no"_s,   u"merchant_id"_s, u"out_refund_no"_s, u"request_hash"_s,      u"amount"_s,
        u"currency"_s,   u"reason"_s,     u"funded_from"_s, u"status"_s,        u"channel_refund_no"_s, u"failure"_s,
        u"created_at"_s, u"updated_at"_s, u"succeeded_at"_s};
    const QString qrPrefix
        = m_plan.channelType == u"alipay"_s ? u"https://qr.alipay.com/bax"_s : u"weixin://wxpay/bizpayurl?pr="_s;
    const auto orderRow = [&](qint64 i) {
        const Order paid = order(i);
        const bool refunded = hasRefund(i);
        const Refund back = refunded ? refund(i) : Refund{};
        const QString status = !refunded ? u"SUCCESS"_s
            : back.amount == paid.amount ? u"REFUNDED"_s
                                         : u"PARTIALLY_REFUNDED"_s;
        return QVariantList{paid.orderNo,
                            m_plan.merchantId,
                            paid.outTradeNo,
                            u"PAYMENT"_s,
                            QString::fromLatin1(Digest::sha256Hex(paid.outTradeNo.toLatin1())),
                            paid.amount,
                            u"CNY"_s,
                            u"Bench order %1"_s.arg(i),
                            m_plan.channelType,
                            m_plan.channelId,
                            u"qr"_s,
                            status,
                            nullText(),
                            u"OK"_s,
                            qrPrefix + u"%1"_s.arg(i, 12, 10, QChar(u'0')),
                            nullText(),
                            paid.channelTradeNo,
                            paid.amount,
                            paid.paidAt,
                            back.amount,
                            back.amount,
                            nullText(),
                            paid.createdAt + 30 * 60'000,
                            paid.createdAt,
                            refunded ? back.succeededAt : paid.paidAt,
                            refunded ? 4 : 2,
                            nullText()};
    };
    const auto refundRow = [&](qint64 i) {
        const Order paid = order(i);
        const Refund back = refund(i);
        const QString outRefundNo = m_plan.series + u"R%1"_s.arg(i, 10, 10, QChar(u'0'));
        return QVariantList{back.refundNo,
                            paid.orderNo,
                            m_plan.merchantId,
                            outRefundNo,
                            QString::fromLatin1(Digest::sha256Hex(outRefundNo.toLatin1())),
                            back.amount,
                            u"CNY"_s,
                            u"Bench refund"_s,
                            u"merchant"_s,
                            u"SUCCESS"_s,
                            m_plan.channelType == u"alipay"_s ? nullText() : QVariant(back.channelRefundNo),
                            nullText(),
                            back.createdAt,
                            back.succeededAt,
                            back.succeededAt};
    };

    BulkLoad load(db, postgres, {u"orders"_s, u"refunds"_s});
    const qint64 count = m_plan.orders;
    if (postgres && !m_plan.copyUrl.isEmpty()) {
        // COPY through psql: the orders first (their own transaction), then the refunds naming them.
        CopyWriter orders(m_plan.copyUrl, u"orders"_s, orderColumns());
        for (qint64 i = 0; i < count; ++i) {
            orders.add(orderRow(i));
            if (progress && (i + 1) % 100'000 == 0)
                progress(i + 1);
        }
        orders.finish();
        CopyWriter refunds(m_plan.copyUrl, u"refunds"_s, refundColumns);
        for (qint64 i = 0; i < count; ++i)
            if (hasRefund(i))
                refunds.add(refundRow(i));
        refunds.finish();
    } else {
        BulkInserter orders(db, u"orders"_s, orderColumns(), kRowsPerStatement);
        BulkInserter refunds(db, u"refunds"_s, refundColumns, kRowsPerStatement);
        const qint64 perTransaction = postgres ? 100'000 : count;
        std::vector<qint64> refunded; // of this transaction: parents before children
        sqlExecRaw(db, u"BEGIN"_s);
        for (qint64 i = 0; i < count; ++i) {
            orders.add(orderRow(i));
            if (hasRefund(i))
                refunded.push_back(i);
            if ((i + 1) % perTransaction == 0 || i + 1 == count) {
                orders.flush();
                for (const qint64 j : refunded)
                    refunds.add(refundRow(j));
                refunds.flush();
                refunded.clear();
                sqlExecRaw(db, u"COMMIT"_s);
                if (i + 1 < count)
                    sqlExecRaw(db, u"BEGIN"_s);
            }
            if (progress && (i + 1) % 100'000 == 0)
                progress(i + 1);
        }
    }
    load.finish();
}

} // namespace paydesk::bench
