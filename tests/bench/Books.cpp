#include "Books.h"

#include "server/store/Sql.h"

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

constexpr int kMaxListed = 10; // problems listed one by one before they are only counted

void note(QStringList *problems, int *count, const QString &problem)
{
    if (++*count <= kMaxListed)
        problems->append(problem);
}

void summarise(QStringList *problems, int count, const QString &what)
{
    if (count > kMaxListed)
        problems->append(u"… %1 %2 in all"_s.arg(count).arg(what));
}

} // namespace

QString Books::checkCreates(const QSqlDatabase &db, const QString &merchantId, const QString &prefix,
                            const QHash<QString, Created> &acknowledged, qint64 unanswered, QStringList *problems)
{
    QSqlQuery rows
        = sqlExec(db,
                  u"SELECT o.out_trade_no, o.order_no, o.amount, o.channel_type, o.status, o.prepay_outcome,"
                  " (SELECT COUNT(*) FROM outbox b WHERE b.kind = 'order.poll' AND b.ref = o.order_no),"
                  " (SELECT COUNT(*) FROM channel_logs l WHERE l.order_no = o.order_no AND l.operation = 'prepay'),"
                  " (SELECT COUNT(*) FROM order_events v WHERE v.order_no = o.order_no),"
                  " (SELECT COUNT(*) FROM journal_entries j WHERE j.kind = 'order.paid' AND j.ref_type = 'order'"
                  "  AND j.ref_id = o.order_no)"
                  " FROM orders o WHERE o.merchant_id = ? AND o.out_trade_no LIKE ?"_s,
                  {merchantId, prefix + u"%"_s});
    int wrong = 0;
    qint64 found = 0;
    qint64 unacknowledged = 0;
    QSet<QString> seen;
    while (rows.next()) {
        const QString outTradeNo = rows.value(0).toString();
        const auto ack = acknowledged.constFind(outTradeNo);
        if (ack == acknowledged.cend()) {
            ++unacknowledged; // created, but its answer was an error or never came
            continue;
        }
        ++found;
        seen.insert(outTradeNo);
        const QString orderNo = rows.value(1).toString();
        if (orderNo != ack->orderNo || rows.value(2).toLongLong() != ack->amount
            || rows.value(3).toString() != ack->channel)
            note(
                problems, &wrong,
                u"create %1: acknowledged as %2 (%3 fen, %4), stored as %5 (%6 fen, %7)"_s.arg(outTradeNo, ack->orderNo)
                    .arg(ack->amount)
                    .arg(ack->channel, orderNo)
                    .arg(rows.value(2).toLongLong())
                    .arg(rows.value(3).toString()));
        else if (rows.value(4).toString() != u"PAYING"_s || rows.value(5).toString() != u"OK"_s)
            note(problems, &wrong,
                 u"order %1 is %2 (prepay %3), not PAYING"_s.arg(orderNo, rows.value(4).toString(),
                                                                 rows.value(5).toString()));
        else if (rows.value(6).toInt() != 1 || rows.value(7).toInt() != 1 || rows.value(8).toInt() != 2
                 || rows.value(9).toInt() != 0)
            note(problems, &wrong,
                 u"order %1 has %2 poll jobs, %3 prepay logs, %4 timeline rows and %5 journal entries"
                 " (want 1, 1, 2, 0)"_s.arg(orderNo)
                     .arg(rows.value(6).toInt())
                     .arg(rows.value(7).toInt())
                     .arg(rows.value(8).toInt())
                     .arg(rows.value(9).toInt()));
    }
    for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it) {
        if (!seen.contains(it.key()))
            note(problems, &wrong, u"acknowledged create %1 (%2) is not in the database"_s.arg(it.key(), it->orderNo));
    }
    if (unacknowledged > unanswered)
        note(problems, &wrong,
             u"%1 orders exist whose create was not acknowledged, but only %2 requests went unanswered"_s
                 .arg(unacknowledged)
                 .arg(unanswered));
    summarise(problems, wrong, u"wrong creates"_s);
    return u"%1 of %2 acknowledged creates stored as answered (PAYING, amount, one poll job, one prepay log)"_s
        .arg(found)
        .arg(acknowledged.size());
}

QString Books::checkNotified(const QSqlDatabase &db, const QString &merchantId, const QString &prefix,
                             const QList<SeededOrder> &orders, const std::vector<Sent> &sent, QStringList *problems)
{
    QHash<QString, qsizetype> byOutTradeNo;
    for (qsizetype i = 0; i < orders.size(); ++i)
        byOutTradeNo.insert(orders.at(i).outTradeNo, i);
    QSqlQuery rows = sqlExec(
        db,
        u"SELECT o.out_trade_no, o.order_no, o.status, o.amount, o.paid_amount,"
        " (SELECT COUNT(*) FROM journal_entries j WHERE j.kind = 'order.paid' AND j.ref_type = 'order'"
        "  AND j.ref_id = o.order_no),"
        " (SELECT COUNT(*) FROM merchant_events e WHERE e.order_no = o.order_no),"
        " (SELECT COUNT(*) FROM outbox b WHERE b.kind = 'merchant.notify' AND b.ref IN"
        "  (SELECT e.event_id FROM merchant_events e WHERE e.order_no = o.order_no)),"
        " (SELECT COUNT(*) FROM outbox p WHERE p.kind = 'order.poll' AND p.ref = o.order_no AND p.status = 'DONE')"
        " FROM orders o WHERE o.merchant_id = ? AND o.out_trade_no LIKE ?"_s,
        {merchantId, prefix + u"%"_s});
    int wrong = 0;
    qint64 paid = 0;
    qint64 untouched = 0;
    qint64 rowCount = 0;
    while (rows.next()) {
        ++rowCount;
        const auto at = byOutTradeNo.constFind(rows.value(0).toString());
        if (at == byOutTradeNo.cend()) {
            note(problems, &wrong, u"order %1 was not seeded by this run"_s.arg(rows.value(1).toString()));
            continue;
        }
        const SeededOrder &order = orders.at(*at);
        const Sent state = sent.at(size_t(*at));
        const QString status = rows.value(2).toString();
        const qint64 amount = rows.value(3).toLongLong();
        const qint64 paidAmount = rows.value(4).toLongLong();
        const int entries = rows.value(5).toInt(); // order.paid entries; other kinds change the status
        const int events = rows.value(6).toInt();
        const int notifyJobs = rows.value(7).toInt();
        const int pollDone = rows.value(8).toInt();
        if (rows.value(1).toString() != order.orderNo || amount != order.amount) {
            note(problems, &wrong, u"order %1 changed its number or amount"_s.arg(order.orderNo));
        } else if (state == Sent::Acknowledged) {
            if (status != u"SUCCESS"_s || paidAmount != amount || entries != 1 || events != 1 || notifyJobs != 1
                || pollDone != 1)
                note(problems, &wrong,
                     u"notified order %1: %2, paid %3 of %4 fen, %5 journal entries, %6 merchant events,"
                     " %7 notify jobs, poll job %8 (want SUCCESS, paid in full, 1, 1, 1, done)"_s
                         .arg(order.orderNo, status)
                         .arg(paidAmount)
                         .arg(amount)
                         .arg(entries)
                         .arg(events)
                         .arg(notifyJobs)
                         .arg(pollDone ? u"done"_s : u"not done"_s));
            else
                ++paid;
        } else if (state == Sent::No) {
            if (status != u"PAYING"_s || paidAmount != 0 || entries != 0 || events != 0)
                note(problems, &wrong,
                     u"order %1 was never notified but is %2 with %3 journal entries and %4 merchant events"_s
                         .arg(order.orderNo, status)
                         .arg(entries)
                         .arg(events));
            else
                ++untouched;
        } else if (entries > 1 || events > 1 || notifyJobs > 1) { // unanswered: either outcome, never twice
            note(problems, &wrong, u"order %1 was credited more than once"_s.arg(order.orderNo));
        }
    }
    if (rowCount != orders.size())
        note(problems, &wrong, u"%1 seeded orders in the database, %2 expected"_s.arg(rowCount).arg(orders.size()));
    summarise(problems, wrong, u"wrong orders"_s);
    return u"%1 notified orders SUCCESS once (one journal entry, one merchant event and notify job), %2 others"
           " untouched"_s.arg(paid)
               .arg(untouched);
}

qint64 Books::merchantBalance(const QSqlDatabase &db, const QString &merchantId)
{
    QSqlQuery row = sqlExec(db,
                            u"SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE holder_type = 'merchant'"
                            " AND holder_id = ? AND kind = 'settlement_available'"_s,
                            {merchantId});
    return row.next() ? row.value(0).toLongLong() : 0;
}

qint64 Books::orderCount(const QSqlDatabase &db)
{
    QSqlQuery row = sqlExec(db, u"SELECT COUNT(*) FROM orders"_s);
    return row.next() ? row.value(0).toLongLong() : -1;
}

QString Books::checkWhole(const QSqlDatabase &db, QStringList *problems)
{
    const auto listAll = [&](const QString &sql, const QString &what) {
        QSqlQuery rows = sqlExec(db, sql);
        int count = 0;
        while (rows.next()) {
            QStringList values;
            for (int i = 0; i < rows.record().count(); ++i)
                values.append(rows.value(i).toString());
            note(problems, &count, what + u": "_s + values.join(u", "_s));
        }
        summarise(problems, count, what);
    };
    listAll(u"SELECT kind, ref, COUNT(*) FROM outbox GROUP BY kind, ref HAVING COUNT(*) > 1"_s,
            u"duplicate outbox rows"_s);
    listAll(u"SELECT order_no, type, COUNT(*) FROM merchant_events GROUP BY order_no, type HAVING COUNT(*) > 1"_s,
            u"duplicate merchant events"_s);
    listAll(u"SELECT ref_type, ref_id, COUNT(*) FROM journal_entries WHERE kind = 'order.paid'"
            " GROUP BY ref_type, ref_id HAVING COUNT(*) > 1"_s,
            u"orders paid twice in the ledger"_s);
    listAll(u"SELECT channel_id, operation, COUNT(*) FROM channel_logs WHERE outcome = 'REJECTED'"
            " GROUP BY channel_id, operation"_s,
            u"rejected channel messages"_s);
    listAll(u"SELECT kind, severity, COUNT(*) FROM alerts GROUP BY kind, severity"_s, u"alerts raised"_s);
    return u"no duplicate outbox rows, merchant events or journal entries, no rejected notification, no alert"_s;
}

} // namespace paydesk::bench
