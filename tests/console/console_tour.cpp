// paydesk-console-tour: takes screenshots of the console's main screens, in English and Chinese,
// against a real server and sandbox with some seeded business (paid and refunded orders, an order
// with a wrong amount that raised an alert, a withdrawal waiting for review). Meant to run under
// xvfb-run (scripts/console-screenshots.sh) so the pictures are what an X display shows.
//
//   paydesk-console-tour --out DIR [--theme light|dark]

#include "ConsoleDriver.h"

#include "AlertsPage.h"
#include "Appearance.h"
#include "CollectPage.h"
#include "DashboardPage.h"
#include "MainWindow.h"
#include "OrdersModel.h"
#include "OrdersPage.h"
#include "ReconciliationItemsModel.h"
#include "ReconciliationPage.h"
#include "DailyReportModel.h"
#include "ReportsPage.h"
#include "SignInDialog.h"
#include "WithdrawalsPage.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateEdit>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QTableView>
#include <QWindow>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

QString g_out;
int g_shots = 0;
int g_failures = 0;

void check(bool ok, const char *what)
{
    if (!ok) {
        ++g_failures;
        qWarning("tour step failed: %s", what);
    }
}

// What the X display shows of the window (falls back to rendering the widget off screen).
void shoot(QWidget *window, const QString &name)
{
    window->raise();
    window->activateWindow();
    QTest::qWait(400); // let the window manager-less display finish painting (pictures only)
    QPixmap picture;
    if (QScreen *screen = window->screen(); screen && QGuiApplication::platformName() == u"xcb"_s)
        picture = screen->grabWindow(window->winId());
    if (picture.isNull())
        picture = window->grab();
    const QString path = QDir(g_out).filePath(name + u".png"_s);
    check(picture.save(path), "save screenshot");
    ++g_shots;
    qInfo().noquote() << "screenshot" << path << picture.size();
}

QString bindCard(PaymentStack &stack, const PaymentStack::AppUser &user)
{
    const auto bound = stack.app(user, "POST", "/v1/app/bank-cards",
                                 {{u"card_no"_s, u"6222021234567890128"_s},
                                  {u"holder_name"_s, u"Zhang San"_s},
                                  {u"bank"_s, u"ICBC"_s}});
    return bound && bound->status == 201 ? ApiClient::json(bound).value(u"id"_s).toString() : QString();
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption out(u"out"_s, u"Folder for the PNG files."_s, u"dir"_s, u"console-screenshots"_s);
    const QCommandLineOption theme(u"theme"_s, u"light or dark."_s, u"theme"_s, u"light"_s);
    parser.addOptions({out, theme});
    parser.process(app);
    g_out = QDir(parser.value(out)).absolutePath();
    QDir().mkpath(g_out);

    ConsoleDriver driver;
    QString error;
    if (!driver.setUp(&error)) {
        qCritical().noquote() << "the payment stack did not start:" << error;
        return 1;
    }
    PaymentStack &stack = driver.stack();
    const QString operatorPassword = driver.createStaff(u"counter1"_s, u"operator"_s, u"demo"_s);
    const QString ownerPassword = driver.createStaff(u"owner1"_s, u"merchant_admin"_s, u"demo"_s);
    console::ConsoleSettings().setTheme(parser.value(theme));

    // Business to look at: paid orders on both channels, one refunded in part, one with a wrong
    // amount from the channel (abnormal, with an alert), a few unpaid, a withdrawal to review.
    const qint64 amounts[] = {1280, 4550, 990, 12800, 3600, 25000, 799, 6666};
    for (int i = 0; i < 8; ++i) {
        const QJsonObject created = stack.createOrder(i % 3 ? u"alipay"_s : u"wechat"_s, amounts[i]);
        if (i < 6)
            stack.pay(created);
    }
    const QJsonObject refunded = stack.createOrder(u"alipay"_s, 8800);
    stack.pay(refunded);
    check(stack.waitForStatus(refunded.value(u"order_no"_s).toString(), u"SUCCESS"_s), "order paid");
    stack.merchant("POST", "/v1/orders/" + refunded.value(u"order_no"_s).toString().toUtf8() + "/refunds",
                   {{u"out_refund_no"_s, u"TOUR-R1"_s}, {u"amount"_s, 3000}, {u"reason"_s, u"one item returned"_s}});
    const QJsonObject wrong = stack.createOrder(u"wechat"_s, 5000);
    stack.pay(wrong, {{u"amount"_s, 500}});
    const PaymentStack::AppUser user = stack.newAppUser();
    check(stack.recharge(user, 200000), "recharge");
    const QString card = bindCard(stack, user);
    const auto withdrawal = stack.app(user, "POST", "/v1/app/withdrawals",
                                      {{u"amount"_s, 150000}, {u"bank_card_id"_s, card}},
                                      stack.actionHeaders(user, u"withdrawal"_s));
    check(withdrawal && withdrawal->status == 201, "withdrawal requested");

    // Reconciliation of today against the sandbox's bills, with discrepancies to look at: a trade only
    // the channel knows, a bill that states another amount, a payment the bill leaves out.
    int status = 0;
    stack.sandbox().control("POST", "/control/bill-trades",
                            {{u"channel"_s, u"alipay"_s}, {u"out_trade_no"_s, u"P20261130TOURUNKNOWN"_s}, {u"amount"_s, 1999}},
                            &status);
    check(status == 201, "bill-only trade");
    for (const auto &[channel, fault] :
         {std::pair{u"wechat"_s, QJsonObject{{u"amount"_s, 6601}}}, std::pair{u"alipay"_s, QJsonObject{{u"omit"_s, true}}}}) {
        const QJsonObject created = stack.createOrder(channel, 6600);
        stack.pay(created);
        const QString orderNo = created.value(u"order_no"_s).toString();
        check(stack.waitForStatus(orderNo, u"SUCCESS"_s), "order paid");
        stack.sandbox().control("POST", "/control/trades/" + orderNo.toUtf8() + "/bill", fault, &status);
        check(status == 200, "bill fault");
    }
    const QDate today = QDateTime::currentDateTimeUtc().addSecs(8 * 3600).date();
    {
        ApiClient api = stack.client();
        const auto started = api.bearer(stack.adminToken(), "POST", "/v1/reconciliation/runs",
                                        compactJson({{u"date"_s, today.toString(Qt::ISODate)}}));
        check(started && started->status == 202, "reconciliation started");
        check(waitUntil([&] {
                  const QJsonArray runs
                      = ApiClient::json(api.bearer(stack.adminToken(), "GET", "/v1/reconciliation/runs"))
                            .value(u"runs"_s)
                            .toArray();
                  for (const QJsonValue &run : runs)
                      if (run.toObject().value(u"status"_s).toString() == u"RUNNING"_s)
                          return false;
                  return runs.size() >= 3;
              },
                        60'000),
              "reconciliation finished");
    }

    for (const QString &language : {u"en"_s, u"zh_CN"_s}) {
        const QString suffix = u"-"_s + language;
        console::applyTheme(parser.value(theme));

        // Sign-in, as a merchant's cashier would see it.
        console::ConsoleApp &console = driver.newConsole(language);
        console::SignInDialog *dialog = console.signInDialog();
        dialog->usernameEdit()->setText(u"counter1"_s);
        dialog->passwordEdit()->setText(operatorPassword);
        shoot(dialog, u"01-sign-in"_s + suffix);

        console::MainWindow *window = driver.signIn(u"counter1"_s, operatorPassword);
        check(window, "operator signs in");
        if (!window)
            continue;
        window->resize(1280, 820);
        waitUntil([&] { return console.session().events().isConnected(); });

        // Collect: the QR code waiting for the customer, then "Paid".
        console::CollectPage *collect = window->collectPage();
        window->showPage(collect);
        collect->selectChannel(language == u"en"_s ? u"alipay"_s : u"wechat"_s);
        collect->amountEdit()->setText(u"88.88"_s);
        collect->showQr();
        check(waitUntil([&] { return collect->state() == console::CollectPage::State::Waiting; }), "QR shown");
        shoot(window, u"02-collect-qr"_s + suffix);
        collect->simulateBuyerPayment();
        check(waitUntil([&] { return collect->state() == console::CollectPage::State::Paid; }), "paid");
        shoot(window, u"03-collect-paid"_s + suffix);

        // Orders, as the merchant's admin, with the refunded order's detail open.
        driver.newConsole(language);
        window = driver.signIn(u"owner1"_s, ownerPassword);
        check(window, "merchant admin signs in");
        if (!window)
            continue;
        window->resize(1280, 820);
        console::OrdersPage *orders = window->ordersPage();
        window->showPage(orders);
        orders->clearFilters();
        check(waitUntil([&] { return !orders->model()->isLoading() && orders->model()->rowCount() > 0; }),
              "orders listed");
        for (int row = 0; row < orders->model()->rowCount(); ++row) {
            if (orders->model()->orderAt(row).value(u"order_no"_s) == refunded.value(u"order_no"_s)) {
                orders->table()->selectRow(row);
                break;
            }
        }
        waitUntil([&] { return !orders->detail().isEmpty(); });
        shoot(window, u"04-orders"_s + suffix);
        window->showPage(window->dashboardPage());
        window->refreshCurrent();
        QTest::qWait(800);
        shoot(window, u"05-dashboard"_s + suffix);

        // Withdrawals and alerts, as the platform admin.
        driver.newConsole(language);
        window = driver.signIn(u"admin"_s, u"admin-long-passphrase"_s);
        check(window, "platform admin signs in");
        if (!window)
            continue;
        window->resize(1280, 820);
        if (window->withdrawalsPage()) {
            window->showPage(window->withdrawalsPage());
            window->refreshCurrent();
            QTest::qWait(800);
            shoot(window, u"06-withdrawals"_s + suffix);
        }
        if (window->alertsPage()) {
            window->showPage(window->alertsPage());
            window->refreshCurrent();
            QTest::qWait(800);
            shoot(window, u"07-alerts"_s + suffix);
        }
        window->resize(1400, 900);
        if (console::ReconciliationPage *recon = window->reconciliationPage()) {
            window->showPage(recon);
            recon->dateEdit()->setDate(today);
            check(waitUntil([&] { return !recon->isBusy() && recon->itemsModel()->rowCount() > 0; }),
                  "discrepancies listed");
            recon->itemsView()->selectRow(0);
            QTest::qWait(500);
            shoot(window, u"08-reconciliation"_s + suffix);
            // The day's result as the PDF report a person would send on.
            QString pdfError;
            check(recon->exportPdfTo(QDir(g_out).filePath(u"reconciliation-report"_s + suffix + u".pdf"_s), &pdfError),
                  "PDF report written");
        }
        if (console::ReportsPage *reports = window->reportsPage()) {
            window->showPage(reports);
            reports->refresh();
            check(waitUntil([&] { return !reports->isBusy() && reports->model()->rowCount() > 0; }), "report loaded");
            QTest::qWait(500);
            shoot(window, u"09-reports"_s + suffix);
        }
    }

    QByteArray output;
    if (!driver.tearDown(&output))
        qWarning().noquote() << "teardown:" << output;
    qInfo("%d screenshots in %s, %d failed steps", g_shots, qPrintable(g_out), g_failures);
    return g_failures == 0 ? 0 : 1;
}
