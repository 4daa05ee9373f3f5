// Reconciliation with real processes: paydesk-sandbox serves its bills in Alipay's and WeChat Pay's
// formats (with fees, and faults that misstate trades), paydesk-server downloads, reads and matches
// them, repairs what a channel query proves, and keeps discrepancy items for people to resolve.
// Runs on SQLite and PostgreSQL.
#include "PaymentStack.h"

#include "server/recon/ReconService.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"

#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QTest>
#include <QTime>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

class tst_Recon : public QObject
{
    Q_OBJECT

private:
    PaymentStack m_stack;
    QDate m_today, m_yesterday;

    std::optional<RawResponse> admin(const QByteArray &method, const QByteArray &target, const QJsonObject &body = {})
    {
        ApiClient api = m_stack.client();
        return api.bearer(m_stack.adminToken(), method, target, body.isEmpty() ? QByteArray() : compactJson(body));
    }

    qint64 merchantBalance()
    {
        return m_stack.balance(u"merchant:%1:settlement_available:CNY"_s.arg(m_stack.merchantId()));
    }

    // Starts the runs of a day (one account, "internal", or all) and waits until they are all done.
    QJsonArray reconcile(const QDate &day, const QString &channelId = {})
    {
        QJsonObject body{{u"date"_s, day.toString(Qt::ISODate)}};
        if (!channelId.isEmpty())
            body.insert(u"channel_id"_s, channelId);
        const auto started = admin("POST", "/v1/reconciliation/runs", body);
        if (!started || started->status != 202) {
            qWarning() << "start runs:" << (started ? started->status : 0) << (started ? started->body : "");
            return {};
        }
        QJsonArray runs = ApiClient::json(started).value(u"runs"_s).toArray();
        QJsonArray finished;
        for (const QJsonValue &value : std::as_const(runs)) {
            const QByteArray path = "/v1/reconciliation/runs/" + value.toObject().value(u"id"_s).toString().toUtf8();
            QJsonObject run;
            const bool done = waitFor([&] {
                run = ApiClient::json(admin("GET", path));
                return !run.isEmpty() && run.value(u"status"_s).toString() != u"RUNNING"_s;
            });
            if (!done || run.value(u"status"_s).toString() == u"FAILED"_s)
                qWarning() << "run:" << run;
            finished.append(run);
        }
        return finished;
    }

    static QJsonObject runOf(const QJsonArray &runs, const QString &channelId)
    {
        for (const QJsonValue &value : runs)
            if (value.toObject().value(u"channel_id"_s).toString() == channelId)
                return value.toObject();
        return {};
    }

    QJsonArray items(const QString &query)
    {
        return ApiClient::json(admin("GET", "/v1/reconciliation/items?limit=200&" + query.toUtf8()))
            .value(u"items"_s)
            .toArray();
    }

    QJsonObject itemFor(const QString &kind, const QString &refId)
    {
        for (const QJsonValue &value : items(u"kind="_s + kind))
            if (value.toObject().value(u"ref_id"_s).toString() == refId)
                return value.toObject();
        return {};
    }

    QStringList itemsOfKind(const QString &kind)
    {
        QStringList refs;
        for (const QJsonValue &value : items(u"kind="_s + kind))
            refs.append(value.toObject().value(u"ref_id"_s).toString());
        return refs;
    }

    QJsonObject paidOrder(const QString &channel, qint64 amount, const QJsonObject &payExtra = {})
    {
        const QJsonObject created = m_stack.createOrder(channel, amount);
        m_stack.pay(created, payExtra);
        const QString orderNo = created.value(u"order_no"_s).toString();
        if (!m_stack.waitForStatus(orderNo, u"SUCCESS"_s))
            qWarning() << "order" << orderNo << "was not paid";
        return m_stack.order(orderNo);
    }

    bool billFault(const QString &orderNo, const QJsonObject &fault)
    {
        int status = 0;
        const QJsonObject answer
            = m_stack.sandbox().control("POST", "/control/trades/" + orderNo.toUtf8() + "/bill", fault, &status);
        if (status != 200)
            qWarning() << "bill fault:" << status << answer;
        return status == 200;
    }

    // The server again with extra settings in paydesk.ini (the test hooks).
    void reconfigure(const QByteArray &extra)
    {
        QString error;
        QVERIFY2(m_stack.reconfigure(extra, &error), qPrintable(error));
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_stack.setUp(&error), qPrintable(error));
        m_today = ReconService::billDay(QDateTime::currentMSecsSinceEpoch());
        m_yesterday = m_today.addDays(-1);
    }

    void cleanupTestCase()
    {
        QByteArray output;
        QVERIFY2(m_stack.tearDown(&output), output.constData());
    }

    // Everything paid and refunded today is in the bills, to the fen: 100% matched, fees kept.
    void cleanDayMatchesEverything()
    {
        qint64 paid = 0;
        int payments = 0;
        QStringList refundNos;
        for (const QString &channel : {u"alipay"_s, u"wechat"_s}) {
            for (const qint64 amount : {1000, 2345, 99'999}) {
                const QJsonObject order = paidOrder(channel, amount);
                QCOMPARE(order.value(u"status"_s).toString(), u"SUCCESS"_s);
                paid += amount;
                ++payments;
                if (amount == 2345) {
                    const QString orderNo = order.value(u"order_no"_s).toString();
                    const auto refund = m_stack.merchant("POST", "/v1/orders/" + orderNo.toUtf8() + "/refunds",
                                                         {{u"out_refund_no"_s, u"R-"_s + orderNo}, {u"amount"_s, 345}});
                    QCOMPARE(refund->status, 201);
                    refundNos.append(ApiClient::json(refund).value(u"refund_no"_s).toString());
                }
            }
        }
        for (const QString &refundNo : std::as_const(refundNos))
            QVERIFY(waitFor([&] {
                return ApiClient::json(m_stack.merchant("GET", "/v1/refunds/" + refundNo.toUtf8()))
                           .value(u"status"_s)
                           .toString()
                    == u"SUCCESS"_s;
            }));

        const QJsonArray runs = reconcile(m_today);
        QCOMPARE(runs.size(), 3); // both channel accounts and the internal checks
        qint64 billed = 0, matched = 0, fees = 0;
        // The fee the channels charge (0.6%): WeChat states it exactly in 1e-5 yuan (6 millifen a
        // fen), Alipay rounds it half up to whole fen; a refund gives back the fee of what it
        // refunds, counted cumulatively. Here: 1000, 2345 less a refund of 345, and 99999 fen.
        const auto alipayFee = [](qint64 fen) { return (fen * 6 + 500) / 1000 * 1000; };
        const QHash<QString, qint64> expectedFees{
            {u"wechat-sbx"_s, 6 * (1000 + 2345 + 99'999 - 345)},
            {u"alipay-sbx"_s, alipayFee(1000) + alipayFee(2345) + alipayFee(99'999) - alipayFee(345)}};
        for (const QString &channel : {u"alipay-sbx"_s, u"wechat-sbx"_s}) {
            const QJsonObject run = runOf(runs, channel);
            QVERIFY2(!run.isEmpty(), qPrintable(channel));
            QCOMPARE(run.value(u"status"_s).toString(), u"DONE"_s);
            QCOMPARE(run.value(u"discrepancies"_s).toInteger(), 0);
            const QJsonObject bill = run.value(u"bill"_s).toObject();
            const QJsonObject local = run.value(u"local"_s).toObject();
            QCOMPARE(bill.value(u"payments"_s).toObject(), local.value(u"payments"_s).toObject());
            QCOMPARE(bill.value(u"refunds"_s).toObject(), local.value(u"refunds"_s).toObject());
            QCOMPARE(run.value(u"matched"_s).toInteger(), bill.value(u"payments"_s).toObject().value(u"count"_s).toInteger()
                                                              + bill.value(u"refunds"_s).toObject().value(u"count"_s).toInteger());
            billed += bill.value(u"payments"_s).toObject().value(u"amount"_s).toInteger();
            matched += run.value(u"matched"_s).toInteger();
            QCOMPARE(bill.value(u"fee_millifen"_s).toInteger(), expectedFees.value(channel));
            fees += bill.value(u"fee_millifen"_s).toInteger();
        }
        QCOMPARE(billed, paid);
        QCOMPARE(matched, payments + refundNos.size());
        QCOMPARE(fees, qint64(617'994 + 618'000));
        const QJsonObject internal = runOf(runs, u"internal"_s);
        QCOMPARE(internal.value(u"status"_s).toString(), u"DONE"_s);
        QCOMPARE(internal.value(u"discrepancies"_s).toInteger(), 0);
        QCOMPARE(internal.value(u"checks"_s).toArray().size(), 4);
        const auto listed = admin("GET", "/v1/reconciliation/runs?from=" + m_today.addDays(-29).toString(Qt::ISODate).toUtf8()
                                             + "&to=" + m_today.toString(Qt::ISODate).toUtf8());
        QCOMPARE(listed->status, 200);
        QCOMPARE(ApiClient::json(listed).value(u"runs"_s).toArray().size(), 3);

        // The daily report has the day's money and the bills' fees.
        const QJsonObject report = ApiClient::json(
            admin("GET", "/v1/reports/daily?from=" + m_today.toString(Qt::ISODate).toUtf8()
                             + "&to=" + m_today.toString(Qt::ISODate).toUtf8()));
        const QJsonObject totals = report.value(u"totals"_s).toObject();
        QCOMPARE(totals.value(u"paid_amount"_s).toInteger(), paid);
        QCOMPARE(totals.value(u"refunded_amount"_s).toInteger(), 690);
        QCOMPARE(totals.value(u"fee_millifen"_s).toInteger(), fees);
        QCOMPARE(totals.value(u"net"_s).toInteger(), paid - 690 - totals.value(u"fee"_s).toInteger());
        const auto csv = admin("GET", "/v1/reports/daily?format=csv&from=" + m_today.toString(Qt::ISODate).toUtf8());
        QCOMPARE(csv->status, 200);
        QVERIFY(csv->body.startsWith("\xEF\xBB\xBF" "date,merchant_id,"));
        QVERIFY(csv->body.contains("\r\ntotal,"));
    }

    // Each sandbox fault lands in its bucket; re-running the day changes nothing.
    void discrepanciesLandInTheirBuckets()
    {
        // A trade only the channel knows.
        int status = 0;
        const QJsonObject billOnly = m_stack.sandbox().control(
            "POST", "/control/bill-trades", {{u"channel"_s, u"alipay"_s}, {u"out_trade_no"_s, u"UNKNOWN-1"_s}, {u"amount"_s, 777}},
            &status);
        QCOMPARE(status, 201);
        // A bill that states another amount.
        const QString changed = paidOrder(u"wechat"_s, 5000).value(u"order_no"_s).toString();
        QVERIFY(billFault(changed, {{u"amount"_s, 5001}}));
        // A payment the bill leaves out.
        const QString omitted = paidOrder(u"alipay"_s, 4200).value(u"order_no"_s).toString();
        QVERIFY(billFault(omitted, {{u"omit"_s, true}}));

        const QJsonArray runs = reconcile(m_today);
        const QJsonObject alipay = runOf(runs, u"alipay-sbx"_s);
        QCOMPARE(alipay.value(u"status"_s).toString(), u"DONE"_s);
        QJsonObject item = itemFor(u"MISSING_LOCAL"_s, u"UNKNOWN-1"_s);
        QCOMPARE(item.value(u"status"_s).toString(), u"OPEN"_s);
        QCOMPARE(item.value(u"channel_amount"_s).toInteger(), 777);
        item = itemFor(u"AMOUNT_MISMATCH"_s, changed);
        QCOMPARE(item.value(u"status"_s).toString(), u"OPEN"_s);
        QCOMPARE(item.value(u"local_amount"_s).toInteger(), 5000);
        QCOMPARE(item.value(u"channel_amount"_s).toInteger(), 5001);
        item = itemFor(u"MISSING_CHANNEL"_s, omitted);
        QCOMPARE(item.value(u"status"_s).toString(), u"CARRIED"_s);
        QCOMPARE(item.value(u"local_amount"_s).toInteger(), 4200);
        QCOMPARE(alipay.value(u"by_kind"_s).toObject().value(u"MISSING_LOCAL"_s).toInteger(), 1);
        QCOMPARE(alipay.value(u"by_kind"_s).toObject().value(u"MISSING_CHANNEL"_s).toInteger(), 1);

        // Again: the same items, the same totals, no new entries.
        // (Only updated_at moves: each run confirms the items it finds again.)
        const auto stable = [this] {
            QJsonArray found = items({});
            for (qsizetype i = 0; i < found.size(); ++i) {
                QJsonObject stripped = found.at(i).toObject();
                stripped.remove(u"updated_at"_s);
                found.replace(i, stripped);
            }
            return found;
        };
        const QJsonArray before = stable();
        const QJsonArray again = reconcile(m_today);
        QCOMPARE(stable(), before);
        for (const QString &channel : {u"alipay-sbx"_s, u"wechat-sbx"_s}) {
            QJsonObject first = runOf(runs, channel), second = runOf(again, channel);
            for (const QString &volatileField : {u"duration_ms"_s, u"started_at"_s, u"finished_at"_s, u"attempts"_s,
                                                 u"index_bytes"_s}) {
                first.remove(volatileField);
                second.remove(volatileField);
            }
            QCOMPARE(second, first);
        }
    }

    // A payment booked by the channel on the other side of midnight matches across the two days;
    // one in neither day's bill is carried once, then opened with an alert.
    void crossMidnightBookingAndCarry()
    {
        const qint64 lateYesterday = ReconService::dayStart(m_today) - 60'000;
        // Paid at 23:59 yesterday; the channel books it on today's bill.
        const QString late = paidOrder(u"alipay"_s, 3100, {{u"paid_at"_s, lateYesterday}}).value(u"order_no"_s).toString();
        QVERIFY(billFault(late, {{u"day_shift"_s, 1}}));
        // Paid at 23:59 yesterday and in no bill at all.
        const QString lost = paidOrder(u"alipay"_s, 3200, {{u"paid_at"_s, lateYesterday}}).value(u"order_no"_s).toString();
        QVERIFY(billFault(lost, {{u"omit"_s, true}}));

        const QJsonObject yesterday = reconcile(m_yesterday, u"alipay-sbx"_s).at(0).toObject();
        QCOMPARE(yesterday.value(u"status"_s).toString(), u"DONE"_s);
        QCOMPARE(itemFor(u"MISSING_CHANNEL"_s, late).value(u"status"_s).toString(), u"CARRIED"_s);
        QCOMPARE(itemFor(u"MISSING_CHANNEL"_s, lost).value(u"status"_s).toString(), u"CARRIED"_s);

        const QJsonObject today = reconcile(m_today, u"alipay-sbx"_s).at(0).toObject();
        QCOMPARE(today.value(u"status"_s).toString(), u"DONE"_s);
        QVERIFY(today.value(u"cross_day"_s).toInteger() >= 1);
        const QJsonObject booked = itemFor(u"MISSING_CHANNEL"_s, late);
        QCOMPARE(booked.value(u"status"_s).toString(), u"RESOLVED"_s);
        QCOMPARE(booked.value(u"resolution"_s).toString(), u"BOOKED_NEXT_DAY"_s);
        const QJsonObject opened = itemFor(u"MISSING_CHANNEL"_s, lost);
        QCOMPARE(opened.value(u"status"_s).toString(), u"OPEN"_s);
        QVERIFY(waitFor([&] {
            for (const QJsonValue &alert : m_stack.alerts(u"RECON_MISSING_CHANNEL"_s))
                if (alert.toObject().value(u"ref_id"_s).toString() == lost)
                    return true;
            return false;
        }));
        QCOMPARE(itemFor(u"CROSS_DAY"_s, late).value(u"resolution"_s).toString(), u"BOOKED_ON_OTHER_DAY"_s);
    }

    // A payment the channel has and Paydesk missed (notification dropped, its poll lost) is proven by
    // a query and booked once, through the normal payment path.
    void missingLocalProvenByQueryIsRepairedOnce()
    {
        reconfigure("[testing]\nroutes=true\nfault_skip_polls=true\n");
        QVERIFY(m_stack.setFaults({{u"channel"_s, u"alipay"_s}, {u"drop_notifications"_s, true}}));
        const QJsonObject created = m_stack.createOrder(u"alipay"_s, 8800);
        const QString orderNo = created.value(u"order_no"_s).toString();
        m_stack.pay(created);
        // Its notification is dropped (the sandbox keeps dropping the retries while this test runs)
        // and its poll is lost: the order is left waiting, paid at the channel.
        QCOMPARE(m_stack.order(orderNo).value(u"status"_s).toString(), u"PAYING"_s);
        const qint64 before = merchantBalance();

        const QJsonObject run = reconcile(m_today, u"alipay-sbx"_s).at(0).toObject();
        QCOMPARE(run.value(u"status"_s).toString(), u"DONE"_s);
        const QJsonObject item = itemFor(u"MISSING_LOCAL"_s, orderNo);
        QCOMPARE(item.value(u"status"_s).toString(), u"RESOLVED"_s);
        QCOMPARE(item.value(u"resolution"_s).toString(), u"REPAIRED_BY_QUERY"_s);
        QCOMPARE(m_stack.order(orderNo).value(u"status"_s).toString(), u"SUCCESS"_s);
        QCOMPARE(merchantBalance(), before + 8800);
        QCOMPARE(m_stack.journalEntries(orderNo), 1);

        const QJsonObject again = reconcile(m_today, u"alipay-sbx"_s).at(0).toObject();
        QCOMPARE(again.value(u"matched"_s), run.value(u"matched"_s));
        QCOMPARE(again.value(u"local"_s), run.value(u"local"_s));
        QCOMPARE(merchantBalance(), before + 8800);
        QCOMPARE(m_stack.journalEntries(orderNo), 1);
        QCOMPARE(itemFor(u"MISSING_LOCAL"_s, orderNo).value(u"resolution"_s).toString(), u"REPAIRED_BY_QUERY"_s);
        QVERIFY(m_stack.setFaults({}));
    }

    // A refund the channel completed while Paydesk heard nothing (its notification dropped, its
    // poll lost): the bill has it succeeded, Paydesk PROCESSING. The query proves it; booked once.
    void refundStatusMismatchIsRepairedByQuery()
    {
        const QString orderNo = paidOrder(u"wechat"_s, 7000).value(u"order_no"_s).toString();
        QVERIFY(m_stack.setFaults({{u"channel"_s, u"wechat"_s}, {u"drop_notifications"_s, true}}));
        const auto requested = m_stack.merchant("POST", "/v1/orders/" + orderNo.toUtf8() + "/refunds",
                                                {{u"out_refund_no"_s, u"RS-"_s + orderNo}, {u"amount"_s, 700}});
        QCOMPARE(requested->status, 201);
        const QString refundNo = ApiClient::json(requested).value(u"refund_no"_s).toString();
        QVERIFY(waitFor([&] {
            const QJsonArray refunds = m_stack.sandbox()
                                           .control("GET", "/control/trades/" + orderNo.toUtf8() + "?channel=wechat")
                                           .value(u"refunds"_s)
                                           .toArray();
            return !refunds.isEmpty() && refunds.at(0).toObject().value(u"status"_s).toString() == u"SUCCESS"_s;
        }));
        const auto refund = [&] {
            return ApiClient::json(m_stack.merchant("GET", "/v1/refunds/" + refundNo.toUtf8()));
        };
        QCOMPARE(refund().value(u"status"_s).toString(), u"PROCESSING"_s);
        const int entries = m_stack.journalEntries(refundNo); // the reservation

        const QJsonObject run = reconcile(m_today, u"wechat-sbx"_s).at(0).toObject();
        QCOMPARE(run.value(u"status"_s).toString(), u"DONE"_s);
        const QJsonObject item = itemFor(u"STATUS_MISMATCH"_s, refundNo);
        QCOMPARE(item.value(u"status"_s).toString(), u"RESOLVED"_s);
        QCOMPARE(item.value(u"resolution"_s).toString(), u"REPAIRED_BY_QUERY"_s);
        QCOMPARE(item.value(u"channel_amount"_s).toInteger(), 700);
        QCOMPARE(refund().value(u"status"_s).toString(), u"SUCCESS"_s);
        QCOMPARE(m_stack.journalEntries(refundNo), entries + 1);
        reconcile(m_today, u"wechat-sbx"_s);
        QCOMPARE(m_stack.journalEntries(refundNo), entries + 1);
        QCOMPARE(m_stack.order(orderNo).value(u"refunded_amount"_s).toInteger(), 700);

        QVERIFY(m_stack.setFaults({}));
        reconfigure({});
    }

    // A day the channel has no bill for (WeChat Pay has none for a day without trades).
    void dayWithoutBill()
    {
        const QJsonObject run = reconcile(m_yesterday, u"wechat-sbx"_s).at(0).toObject();
        QCOMPARE(run.value(u"status"_s).toString(), u"NO_BILL"_s);
        QCOMPARE(run.value(u"discrepancies"_s).toInteger(), 0);
    }

    // A corrupted ledger row is named by the internal check, and cleared once repaired.
    void internalCheckNamesACorruptedLedgerRow()
    {
        const QString account = u"merchant:%1:settlement_available:CNY"_s.arg(m_stack.merchantId());
        sqlExec(m_stack.reader().threadConnection(), u"UPDATE ledger_accounts SET balance = balance + 1 WHERE id = ?"_s,
                {account});
        QJsonObject run = reconcile(m_today, u"internal"_s).at(0).toObject();
        QCOMPARE(run.value(u"status"_s).toString(), u"DONE"_s);
        QVERIFY(run.value(u"open"_s).toInteger() >= 1);
        const QJsonObject item = itemFor(u"INTERNAL"_s, u"account "_s + account);
        QCOMPARE(item.value(u"status"_s).toString(), u"OPEN"_s);
        QVERIFY2(item.value(u"message"_s).toString().contains(account), qPrintable(item.value(u"message"_s).toString()));

        sqlExec(m_stack.reader().threadConnection(), u"UPDATE ledger_accounts SET balance = balance - 1 WHERE id = ?"_s,
                {account});
        run = reconcile(m_today, u"internal"_s).at(0).toObject();
        QCOMPARE(run.value(u"open"_s).toInteger(), 0);
        QCOMPARE(itemFor(u"INTERNAL"_s, u"account "_s + account).value(u"resolution"_s).toString(),
                 u"CLEARED_ON_RERUN"_s);
    }

    // Discrepancies left open longer than alert_after_days (3) raise an alert, once each.
    void longOpenItemsRaiseAnAlert()
    {
        const QJsonObject open = itemFor(u"AMOUNT_MISMATCH"_s, itemsOfKind(u"AMOUNT_MISMATCH"_s).value(0));
        QCOMPARE(open.value(u"status"_s).toString(), u"OPEN"_s);
        sqlExec(m_stack.reader().threadConnection(), u"UPDATE recon_items SET created_at = created_at - ? WHERE id = ?"_s,
                {qint64(4) * 86'400'000, open.value(u"id"_s).toString()});
        QJsonObject run = reconcile(m_today, u"internal"_s).at(0).toObject();
        QCOMPARE(run.value(u"alerts_raised"_s).toInteger(), 1);
        QVERIFY(waitFor([&] {
            for (const QJsonValue &alert : m_stack.alerts(u"RECON_UNRESOLVED"_s))
                if (alert.toObject().value(u"ref_id"_s).toString() == open.value(u"id"_s).toString())
                    return true;
            return false;
        }));
        run = reconcile(m_today, u"internal"_s).at(0).toObject();
        QCOMPARE(run.value(u"alerts_raised"_s).toInteger(), 0);
    }

    // The daily job (an outbox row that reschedules itself, leased) reconciles yesterday for every
    // enabled account and runs the internal checks; it is made due now instead of waiting for 02:00.
    void dailyJobReconcilesYesterday()
    {
        const QSqlDatabase db = m_stack.reader().threadConnection();
        QSqlQuery scheduled = sqlExec(db, u"SELECT next_at FROM outbox WHERE kind = 'recon.daily'"_s);
        QVERIFY(scheduled.next());
        const qint64 firstAt = scheduled.value(0).toLongLong();
        scheduled.finish();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(firstAt > now && firstAt <= now + 86'400'000, qPrintable(QString::number(firstAt - now)));
        QCOMPARE(QDateTime::fromMSecsSinceEpoch(firstAt, Qt::UTC).addSecs(8 * 3600).time(), QTime(2, 0));
        sqlExec(db, u"UPDATE outbox SET next_at = ? WHERE kind = 'recon.daily'"_s, {now});

        const QByteArray path = "/v1/reconciliation/runs?from=" + m_yesterday.toString(Qt::ISODate).toUtf8()
            + "&to=" + m_yesterday.toString(Qt::ISODate).toUtf8();
        QJsonArray runs;
        QVERIFY(waitFor([&] {
            runs = ApiClient::json(admin("GET", path)).value(u"runs"_s).toArray();
            int bySystem = 0;
            for (const QJsonValue &run : std::as_const(runs))
                if (run.toObject().value(u"requested_by"_s).toString() == u"system"_s
                    && run.toObject().value(u"status"_s).toString() != u"RUNNING"_s)
                    ++bySystem;
            return bySystem == 3;
        }));
        QCOMPARE(runOf(runs, u"alipay-sbx"_s).value(u"status"_s).toString(), u"DONE"_s);
        QCOMPARE(runOf(runs, u"wechat-sbx"_s).value(u"status"_s).toString(), u"NO_BILL"_s);
        QCOMPARE(runOf(runs, u"internal"_s).value(u"status"_s).toString(), u"DONE"_s);
        // Rescheduled: the next 02:00, or in two hours while a bill is missing (before 14:00).
        QVERIFY(waitFor([&] {
            QSqlQuery next = sqlExec(db, u"SELECT next_at, status FROM outbox WHERE kind = 'recon.daily'"_s);
            return next.next() && next.value(1).toString() == u"PENDING"_s && next.value(0).toLongLong() > now;
        }));
    }

    // People resolve items with a reason and a note; it is audited; the rules hold.
    void resolvingAnItem()
    {
        const QJsonObject item = itemFor(u"MISSING_LOCAL"_s, u"UNKNOWN-1"_s);
        QVERIFY(!item.isEmpty());
        const QByteArray path = "/v1/reconciliation/items/" + item.value(u"id"_s).toString().toUtf8() + "/resolve";
        auto response = admin("POST", path, {{u"resolution"_s, u"LOST"_s}, {u"note"_s, u"x"_s}});
        QCOMPARE(response->status, 400);
        response = admin("POST", path, {{u"resolution"_s, u"REFUNDED"_s}, {u"note"_s, u"   "_s}});
        QCOMPARE(response->status, 400);
        const QString operatorToken = m_stack.staffToken(u"recon-operator"_s, u"operator"_s, u"demo"_s);
        ApiClient api = m_stack.client();
        response = api.bearer(operatorToken, "POST", path,
                              compactJson({{u"resolution"_s, u"REFUNDED"_s}, {u"note"_s, u"no"_s}}));
        QCOMPARE(response->status, 403);
        response = admin("POST", path,
                         {{u"resolution"_s, u"REFUNDED"_s}, {u"note"_s, u"Returned to the buyer by the channel desk."_s}});
        QCOMPARE(response->status, 200);
        const QJsonObject resolved = ApiClient::json(response);
        QCOMPARE(resolved.value(u"status"_s).toString(), u"RESOLVED"_s);
        QCOMPARE(resolved.value(u"resolution"_s).toString(), u"REFUNDED"_s);
        QCOMPARE(admin("POST", path, {{u"resolution"_s, u"OTHER"_s}, {u"note"_s, u"again"_s}})->status, 409);
        const QJsonArray audit = ApiClient::json(admin("GET", "/v1/audit-log?action=recon_item.resolved"))
                                     .value(u"items"_s)
                                     .toArray();
        QCOMPARE(audit.size(), 1);
        // Unknown filters are refused, and merchant staff cannot read reconciliation.
        QCOMPARE(admin("GET", "/v1/reconciliation/items?state=OPEN")->status, 400);
        QCOMPARE(api.bearer(operatorToken, "GET", "/v1/reconciliation/runs")->status, 403);
        QCOMPARE(admin("POST", "/v1/reconciliation/runs", {{u"date"_s, m_today.addDays(1).toString(Qt::ISODate)}})->status,
                 400);
    }
};

QTEST_GUILESS_MAIN(tst_Recon)
#include "tst_recon.moc"
