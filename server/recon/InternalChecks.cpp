#include "server/recon/InternalChecks.h"

#include "server/ledger/Ledger.h"
#include "server/store/Sql.h"
#include "server/wallet/WalletService.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace paydesk::recon {

namespace {

/// The stable subject of a check's problem text ("entry J…", "account user:…"): its first two words.
QString problemSubject(const QString &problem)
{
    const qsizetype first = problem.indexOf(u' ');
    const qsizetype second = first < 0 ? -1 : problem.indexOf(u' ', first + 1);
    QString subject = second > 0 ? problem.left(second) : problem;
    if (subject.endsWith(u':'))
        subject.chop(1);
    return subject.left(200);
}

} // namespace

QJsonArray InternalChecks::run(const QSqlDatabase &db, const std::function<void(PlannedItem)> &add)
{
    QJsonArray checks;
    const auto report = [&](const QString &name, qint64 checked, const QStringList &problems) {
        checks.append(QJsonObject{{u"name"_s, name},
                                  {u"ok"_s, problems.isEmpty()},
                                  {u"checked"_s, checked},
                                  {u"problems"_s, problems.size()}});
        for (const QString &problem : problems) {
            PlannedItem item;
            item.kind = u"INTERNAL"_s;
            item.refType = name;
            item.refId = problemSubject(problem);
            item.message = problem.left(1000);
            add(item);
        }
    };
    const Ledger::Check ledger = Ledger::check(db);
    report(u"ledger"_s, ledger.entries, ledger.problems);
    const WalletService::Check wallets = WalletService::check(db);
    report(u"wallets"_s, wallets.holders, wallets.problems);

    // Every paid order has exactly one payment entry, and no unpaid order has one.
    QStringList creditProblems;
    QSqlQuery credits = sqlStream(
        db,
        u"SELECT o.order_no, o.status, COUNT(e.id) FROM orders o LEFT JOIN journal_entries e ON"
        " e.ref_type = 'order' AND e.ref_id = o.order_no AND e.kind IN ('order.paid', 'recharge.paid',"
        " 'order.paid_abnormal') WHERE o.paid_amount > 0 GROUP BY o.order_no, o.status"
        " HAVING COUNT(e.id) <> 1 LIMIT 100"_s,
        {});
    while (credits.next())
        creditProblems.append(u"order %1 (%2) has %3 payment entries instead of one"_s.arg(
            credits.value(0).toString(), credits.value(1).toString(), credits.value(2).toString()));
    credits.finish();
    QSqlQuery strayCredits = sqlStream(
        db,
        u"SELECT o.order_no, o.status FROM journal_entries e JOIN orders o ON o.order_no = e.ref_id WHERE"
        " e.ref_type = 'order' AND e.kind IN ('order.paid', 'recharge.paid', 'order.paid_abnormal') AND"
        " o.paid_amount = 0 LIMIT 100"_s,
        {});
    while (strayCredits.next())
        creditProblems.append(u"order %1 (%2) has a payment entry but no payment"_s.arg(
            strayCredits.value(0).toString(), strayCredits.value(1).toString()));
    strayCredits.finish();
    qint64 paidOrders = 0;
    {
        QSqlQuery count = sqlExec(db, u"SELECT COUNT(*) FROM orders WHERE paid_amount > 0"_s);
        paidOrders = count.next() ? count.value(0).toLongLong() : 0;
    }
    report(u"order_credits"_s, paidOrders, creditProblems);

    // Every succeeded refund has exactly one debit (the normal one, or the one booked when the
    // channel reported success after Paydesk had failed it), and no other refund has one.
    QStringList debitProblems;
    QSqlQuery debits
        = sqlStream(db,
                    u"SELECT r.refund_no, r.status, COUNT(e.id) FROM refunds r LEFT JOIN journal_entries e ON"
                    " e.ref_type = 'refund' AND e.ref_id = r.refund_no"
                    " AND e.kind IN ('refund.succeeded', 'refund.succeeded_after_failure')"
                    " GROUP BY r.refund_no, r.status HAVING (r.status = 'SUCCESS' AND COUNT(e.id) <> 1) OR"
                    " (r.status <> 'SUCCESS' AND COUNT(e.id) <> 0) LIMIT 100"_s,
                    {});
    while (debits.next())
        debitProblems.append(u"refund %1 (%2) has %3 refund entries"_s.arg(
            debits.value(0).toString(), debits.value(1).toString(), debits.value(2).toString()));
    debits.finish();
    qint64 refundCount = 0;
    {
        QSqlQuery count = sqlExec(db, u"SELECT COUNT(*) FROM refunds"_s);
        refundCount = count.next() ? count.value(0).toLongLong() : 0;
    }
    report(u"refund_debits"_s, refundCount, debitProblems);
    return checks;
}

} // namespace paydesk::recon
