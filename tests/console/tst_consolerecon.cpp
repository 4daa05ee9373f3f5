// Reconciliation and reports in the console, against real server and sandbox processes: a platform
// admin runs today's reconciliation, follows it to its end, finds the payment only the channel's
// bill has, resolves it with a note and exports the day; auditors read without acting; merchant
// staff get no reconciliation but their daily report; the report shows what was paid today.

#include "ConsoleDriver.h"

#include "DailyReportModel.h"
#include "MainWindow.h"
#include "MoneyText.h"
#include "ReconciliationItemsModel.h"
#include "ReconciliationPage.h"
#include "ReportsPage.h"

#include <QApplication>
#include <QComboBox>
#include <QDateEdit>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;
using console::MainWindow;
using console::ReconciliationItemsModel;
using console::ReconciliationPage;
using console::ReportsPage;

namespace {

/// Today as the server's business day (UTC+8).
QDate businessToday()
{
    return QDateTime::currentDateTimeUtc().toOffsetFromUtc(8 * 3600).date();
}

} // namespace

class tst_ConsoleRecon : public QObject
{
    Q_OBJECT

    ConsoleDriver m_driver;
    QString m_auditorPassword;
    QString m_ownerPassword;
    bool m_stackUp = false;
    qint64 m_paidToday = 0; // what this test paid today, through the sandbox
    QString m_billOnlyTradeNo;

    PaymentStack &stack() { return m_driver.stack(); }

    QJsonObject asAdmin(const QByteArray &method, const QByteArray &target, const QJsonObject &body = {})
    {
        ApiClient api = stack().client();
        return ApiClient::json(
            api.bearer(stack().adminToken(), method, target, body.isEmpty() ? QByteArray() : compactJson(body)));
    }

    ReconciliationPage *openReconciliation(const QString &username, const QString &password, MainWindow **out = nullptr)
    {
        m_driver.newConsole();
        MainWindow *window = m_driver.signIn(username, password);
        if (!window)
            return nullptr;
        if (out)
            *out = window;
        ReconciliationPage *page = window->reconciliationPage();
        if (!page || !window->showPage(page))
            return nullptr;
        if (!waitUntil([&] { return !page->isBusy(); }))
            return nullptr;
        return page;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_driver.setUp(&error), qPrintable(error));
        m_stackUp = true;
        m_auditorPassword = m_driver.createStaff(u"auditor1"_s, u"auditor"_s);
        m_ownerPassword = m_driver.createStaff(u"owner1"_s, u"merchant_admin"_s, u"demo"_s);
        QVERIFY(!m_auditorPassword.isEmpty() && !m_ownerPassword.isEmpty());

        // Today's business: one payment both sides know (it matches) ...
        const QJsonObject order = stack().createOrder(u"alipay"_s, 12'345);
        QVERIFY(!order.isEmpty());
        stack().pay(order);
        QVERIFY(stack().waitForStatus(order.value(u"order_no"_s).toString(), u"SUCCESS"_s));
        m_paidToday = 12'345;
        // ... and one only the channel knows: its bill of the day lists a trade for an order
        // Paydesk never created (MISSING_LOCAL; the channel query cannot repair an unknown order).
        m_billOnlyTradeNo = u"P%1UNKNOWN"_s.arg(QUuid::createUuid().toString(QUuid::Id128).left(12).toUpper());
        int status = 0;
        const QJsonObject trade = stack().sandbox().control(
            "POST", "/control/bill-trades",
            {{u"channel"_s, u"alipay"_s}, {u"out_trade_no"_s, m_billOnlyTradeNo}, {u"amount"_s, 777}}, &status);
        QVERIFY2(status / 100 == 2, compactJson(trade).constData());
    }

    void cleanupTestCase()
    {
        if (!m_stackUp)
            return;
        const QJsonObject check = stack().walletCheck();
        QVERIFY2(check.value(u"ok"_s).toBool(), compactJson(check).constData());
        QByteArray output;
        QVERIFY2(m_driver.tearDown(&output), output.constData());
    }

    void cleanup() { m_driver.closeConsole(); }

    void adminRunsTodayAndResolvesTheBillOnlyPayment()
    {
        MainWindow *window = nullptr;
        ReconciliationPage *page = openReconciliation(u"admin"_s, kAdminPassword, &window);
        QVERIFY(page);
        // The page starts on yesterday; today is chosen like a person would.
        QCOMPARE(page->dateEdit()->date(), businessToday().addDays(-1));
        page->dateEdit()->setDate(businessToday());
        QVERIFY(waitUntil([&] { return !page->isBusy(); }));
        QVERIFY(page->runButton()->isVisible() && page->runButton()->isEnabled());

        // Run now: the progress shows while the run is RUNNING, and the page refreshes at the end.
        QTest::mouseClick(page->runButton(), Qt::LeftButton);
        QVERIFY2(waitUntil([&] { return !page->runButton()->isEnabled() || page->isRunning(); }, 5'000),
                 qPrintable(page->messageText()));
        QVERIFY2(waitUntil([&] { return !page->isBusy() && page->runButton()->isEnabled(); }, 120'000),
                 qPrintable(page->messageText()));
        QVERIFY(page->progressBar()->isHidden());
        QVERIFY2(page->messageText() == u"The reconciliation finished."_s, qPrintable(page->messageText()));

        // The sandbox's Alipay account: done, with the bill-only trade as a discrepancy.
        const QString channel = u"alipay-sbx"_s;
        QVERIFY2(!page->runCell(channel, ReconciliationPage::RunStatus).isEmpty(),
                 qPrintable(QString::number(page->dayRuns().size())));
        QVERIFY2(page->runCell(channel, ReconciliationPage::RunStatus).startsWith(u"Done, "_s),
                 qPrintable(page->runCell(channel, ReconciliationPage::RunStatus)));
        QJsonObject run;
        for (const QJsonObject &candidate : page->dayRuns())
            if (candidate.value(u"channel_id"_s).toString() == channel)
                run = candidate;
        QVERIFY(run.value(u"discrepancies"_s).toInteger() >= 1);
        QVERIFY(run.value(u"matched"_s).toInteger() >= 1);
        QCOMPARE(page->runCell(channel, ReconciliationPage::RunMatched),
                 QLocale().toString(run.value(u"matched"_s).toInteger()));
        // The bill has one payment more than Paydesk: the bill-only trade of 7.77.
        const QJsonObject bill = run[u"bill"_s][u"payments"_s].toObject();
        const QJsonObject local = run[u"local"_s][u"payments"_s].toObject();
        QCOMPARE(bill.value(u"count"_s).toInteger(), local.value(u"count"_s).toInteger() + 1);
        QCOMPARE(bill.value(u"amount"_s).toInteger(), local.value(u"amount"_s).toInteger() + 777);
        // The chart's last day is today, with what the runs say.
        QCOMPARE(page->chartDays().size(), ReconciliationPage::kChartDays);
        QCOMPARE(page->chartDays().last(), businessToday().toString(Qt::ISODate));
        QVERIFY(page->chartDiscrepancies().last() >= 1);

        // The list has the bill-only payment, open.
        ReconciliationItemsModel *items = page->itemsModel();
        QString itemId;
        QVERIFY(waitUntil([&] {
            for (const QJsonObject &item : items->items())
                if (ReconciliationItemsModel::keyText(item) == m_billOnlyTradeNo)
                    itemId = item.value(u"id"_s).toString();
            return !itemId.isEmpty() && !page->isBusy();
        }));
        const int row = items->rowOf(itemId);
        QCOMPARE(items->index(row, ReconciliationItemsModel::Kind).data().toString(), u"Only in the bill"_s);
        QCOMPARE(items->index(row, ReconciliationItemsModel::ChannelAmount).data().toString(), console::formatFen(777));
        QCOMPARE(items->index(row, ReconciliationItemsModel::LocalAmount).data().toString(), u"—"_s);
        QCOMPARE(items->index(row, ReconciliationItemsModel::Status).data().toString(), u"Open"_s);

        // Selecting it shows the details; Resolve asks for a resolution and a note.
        QVERIFY(page->selectItem(itemId));
        QVERIFY2(page->detailsText().contains(m_billOnlyTradeNo), qPrintable(page->detailsText()));
        QVERIFY(page->resolveButton()->isEnabled());
        const QString note = u"Test trade at the sandbox; no goods were sold."_s;
        bool refusedEmpty = false;
        onNextModal(u"resolveDialog"_s, [&](QWidget *modal) {
            auto *box = modal->findChild<QComboBox *>(u"resolutionBox"_s);
            auto *edit = modal->findChild<QPlainTextEdit *>(u"resolveNoteEdit"_s);
            auto *confirm = modal->findChild<QPushButton *>(u"confirmResolveButton"_s);
            refusedEmpty = !confirm->isEnabled();
            box->setCurrentIndex(box->findData(u"WRITTEN_OFF"_s));
            QTest::keyClicks(edit, note);
            QTest::mouseClick(confirm, Qt::LeftButton);
        });
        QTest::mouseClick(page->resolveButton(), Qt::LeftButton);
        QVERIFY(refusedEmpty);
        QVERIFY2(waitUntil([&] {
                     return items->index(items->rowOf(itemId), ReconciliationItemsModel::Status).data().toString()
                         == u"Resolved"_s;
                 }),
                 qPrintable(page->messageText()));
        QCOMPARE(items->index(items->rowOf(itemId), ReconciliationItemsModel::Resolution).data().toString(),
                 u"Written off"_s);
        QVERIFY(!page->resolveButton()->isEnabled());
        QVERIFY2(page->detailsText().contains(note), qPrintable(page->detailsText()));

        // The server agrees, with the note and who resolved it.
        const QJsonObject stored = asAdmin("GET", "/v1/reconciliation/items/" + itemId.toUtf8());
        QCOMPARE(stored.value(u"status"_s).toString(), u"RESOLVED"_s);
        QCOMPARE(stored.value(u"resolution"_s).toString(), u"WRITTEN_OFF"_s);
        QCOMPARE(stored.value(u"note"_s).toString(), note);
        QVERIFY(!stored.value(u"resolved_by"_s).toString().isEmpty());

        // The day's result as CSV and PDF.
        QTemporaryDir dir;
        QString error;
        QVERIFY2(page->exportCsvTo(dir.filePath(u"day.csv"_s), &error), qPrintable(error));
        QFile csv(dir.filePath(u"day.csv"_s));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray csvBytes = csv.readAll();
        QVERIFY(csvBytes.startsWith("\xEF\xBB\xBFrun_id,"));
        // ref_id, channel_trade_no, local_amount (none: Paydesk has no such order), channel_amount.
        QVERIFY(csvBytes.contains(m_billOnlyTradeNo.toUtf8() + "," + stored.value(u"channel_trade_no"_s).toString().toUtf8()
                                  + ",,7.77,"));
        QVERIFY(csvBytes.contains(",RESOLVED,WRITTEN_OFF,"));
        QVERIFY2(page->exportPdfTo(dir.filePath(u"day.pdf"_s), &error), qPrintable(error));
        QFile pdf(dir.filePath(u"day.pdf"_s));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.readAll().startsWith("%PDF-"));
    }

    void auditorReadsTheReconciliationWithoutActing()
    {
        ReconciliationPage *page = openReconciliation(u"auditor1"_s, m_auditorPassword);
        QVERIFY(page);
        QVERIFY(page->runButton()->isHidden());
        QVERIFY(page->resolveButton()->isHidden());
        auto *note = page->findChild<QLabel *>(u"readOnlyNote"_s);
        QVERIFY(note && note->isVisible());
        page->dateEdit()->setDate(businessToday());
        QVERIFY(waitUntil([&] { return !page->dayRuns().isEmpty() && !page->isBusy(); }));
        page->runNow(); // refused without asking the server
        QVERIFY(!page->isBusy());
    }

    void merchantStaffGetReportsButNoReconciliation()
    {
        m_driver.newConsole();
        MainWindow *window = m_driver.signIn(u"owner1"_s, m_ownerPassword);
        QVERIFY(window);
        QCOMPARE(window->reconciliationPage(), nullptr);
        const QStringList pages = pageTitles(window);
        QVERIFY2(!pages.contains(u"Reconciliation"_s), qPrintable(pages.join(u',')));
        QVERIFY2(pages.contains(u"Reports"_s), qPrintable(pages.join(u',')));
        ReportsPage *reports = window->reportsPage();
        QVERIFY(reports);
        QVERIFY(reports->merchantBox()->isHidden());
    }

    void reportShowsWhatWasPaidToday()
    {
        const QString today = businessToday().toString(Qt::ISODate);
        const QJsonObject report = asAdmin("GET", "/v1/reports/daily?from=" + today.toUtf8() + "&to=" + today.toUtf8());
        QVERIFY2(report.contains(u"rows"_s), compactJson(report).constData());
        const qint64 paid = report[u"totals"_s][u"paid_amount"_s].toInteger();
        QVERIFY2(paid >= m_paidToday, compactJson(report).constData());

        m_driver.newConsole();
        MainWindow *window = m_driver.signIn(u"admin"_s, kAdminPassword);
        QVERIFY(window);
        ReportsPage *page = window->reportsPage();
        QVERIFY(window->showPage(page));
        QVERIFY(waitUntil([&] { return !page->isBusy() && !page->chartDays().isEmpty(); }));
        QCOMPARE(page->fromEdit()->date(), businessToday().addDays(1 - ReportsPage::kDefaultDays));
        QCOMPARE(page->chartDays().size(), ReportsPage::kDefaultDays);
        const qsizetype index = page->chartDays().indexOf(today);
        QVERIFY2(index >= 0, qPrintable(page->chartDays().join(u',')));
        QCOMPARE(page->chartPaid().at(index), paid);

        // Only today: the totals row says the same amount, formatted.
        page->fromEdit()->setDate(businessToday());
        page->toEdit()->setDate(businessToday());
        QTest::mouseClick(page->findChild<QPushButton *>(u"reportShowButton"_s), Qt::LeftButton);
        QVERIFY(waitUntil([&] { return !page->isBusy() && page->chartDays().size() == 1; }));
        console::DailyReportModel *model = page->model();
        QVERIFY(model->rowCount() >= 2);
        const int totals = model->rowCount() - 1;
        QCOMPARE(model->index(totals, console::DailyReportModel::Date).data().toString(), u"Total"_s);
        QCOMPARE(model->index(totals, console::DailyReportModel::PaidAmount).data().toString(),
                 console::formatFen(paid));
        QVERIFY2(page->summaryText().startsWith(console::formatCny(paid)), qPrintable(page->summaryText()));

        // The merchant's owner sees the same day for the demo merchant.
        m_driver.newConsole();
        window = m_driver.signIn(u"owner1"_s, m_ownerPassword);
        QVERIFY(window);
        page = window->reportsPage();
        QVERIFY(window->showPage(page));
        QVERIFY(waitUntil([&] { return !page->isBusy() && !page->chartDays().isEmpty(); }));
        QVERIFY(page->chartPaid().at(page->chartDays().indexOf(today)) >= m_paidToday);
    }
};

QTEST_MAIN(tst_ConsoleRecon)
#include "tst_consolerecon.moc"
