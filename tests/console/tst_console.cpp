// The console as a merchant uses it, against real server and sandbox processes: signing in (and
// being refused), trusting the server's certificate, collecting a payment with a QR code that
// turns into "Paid" when the customer pays, finding the order and refunding it.

#include "ConsoleDriver.h"

#include "CollectPage.h"
#include "MainWindow.h"
#include "OrdersPage.h"
#include "OrdersModel.h"
#include "QrCodeView.h"
#include "RefundDialog.h"
#include "SignInDialog.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTimer>

#include "common/crypto/Totp.h"

#include <qrcodegen.hpp>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;
using console::CollectPage;
using console::MainWindow;

namespace {

/// Clicks the button whose text is `text` on the next modal dialog that opens.
void clickOnNextModal(const QString &text)
{
    QTimer::singleShot(0, [text] {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal) {
            clickOnNextModal(text);
            return;
        }
        for (QAbstractButton *button : modal->findChildren<QAbstractButton *>()) {
            if (button->text() == text) {
                button->click();
                return;
            }
        }
        qWarning() << "no button" << text << "on" << modal->objectName();
    });
}

/// Runs `act` on the next modal dialog that opens (as a person would fill it in and click).
void onNextModal(std::function<void(QWidget *)> act)
{
    QTimer::singleShot(0, [act = std::move(act)]() mutable {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal) {
            onNextModal(std::move(act));
            return;
        }
        act(modal);
    });
}

QAbstractButton *buttonOn(QWidget *dialog, const QString &text)
{
    for (QAbstractButton *button : dialog->findChildren<QAbstractButton *>()) {
        if (button->text() == text)
            return button;
    }
    return nullptr;
}

qint64 rfc3339Ms(const QString &text)
{
    return QDateTime::fromString(text, Qt::ISODateWithMs).toMSecsSinceEpoch();
}

} // namespace

class tst_Console : public QObject
{
    Q_OBJECT

    ConsoleDriver m_driver;
    QString m_operatorPassword;
    QString m_bossPassword;

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_driver.setUp(&error), qPrintable(error));
        m_operatorPassword = m_driver.createStaff(u"counter1"_s, u"operator"_s, u"demo"_s);
        m_bossPassword = m_driver.createStaff(u"owner1"_s, u"merchant_admin"_s, u"demo"_s);
        QVERIFY(!m_operatorPassword.isEmpty() && !m_bossPassword.isEmpty());
    }

    void cleanupTestCase()
    {
        QByteArray output;
        QVERIFY2(m_driver.tearDown(&output), output.constData());
    }

    void cleanup() { m_driver.closeConsole(); }

    void wrongPasswordIsRefusedWithAClearMessage()
    {
        m_driver.newConsole();
        QString error;
        QVERIFY(!m_driver.signIn(u"counter1"_s, u"not-the-password"_s, &error));
        QCOMPARE(error, u"Wrong username or password."_s);
        // The password field is cleared for a retry, the username kept.
        QCOMPARE(m_driver.console()->signInDialog()->usernameEdit()->text(), u"counter1"_s);
    }

    void operatorSignsInAndSeesTheMerchantPages()
    {
        m_driver.newConsole();
        MainWindow *window = m_driver.signIn(u"counter1"_s, m_operatorPassword);
        QVERIFY(window);
        QVERIFY(window->collectPage());
        QVERIFY(window->ordersPage());
        QVERIFY(!window->withdrawalsPage()); // platform admins only
        const QStringList pages = pageTitles(window);
        QVERIFY2(!pages.contains(u"Withdrawals"_s), qPrintable(pages.join(u',')));
        QVERIFY(pages.contains(u"Collect"_s));
    }

    void secondFactorIsAskedForWhenTheAccountHasOne()
    {
        const QString token = m_driver.stack().staffToken(u"twofactor"_s, u"operator"_s, u"demo"_s);
        const QString password = u"twofactor-long-passphrase"_s;
        ApiClient api = m_driver.stack().client();
        const auto setup = api.bearer(token, "POST", "/v1/me/totp/setup", compactJson({{u"password"_s, password}}));
        QVERIFY(setup && setup->status == 200);
        const std::optional<QByteArray> secret = Base32::decode(ApiClient::json(setup).value(u"secret"_s).toString());
        QVERIFY(secret);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto confirmed = api.bearer(token, "POST", "/v1/me/totp/confirm",
                                          compactJson({{u"code"_s, Totp::code(*secret, now - 30)}}));
        QVERIFY(confirmed && confirmed->status == 204);

        m_driver.newConsole();
        QString error;
        QVERIFY(!m_driver.signIn(u"twofactor"_s, password, &error));
        QCOMPARE(error, u"This account uses a second factor: enter the one-time code."_s);
        console::SignInDialog *dialog = m_driver.console()->signInDialog();
        QVERIFY(dialog->totpEdit()->isVisible());
        QCOMPARE(dialog->passwordEdit()->text(), password); // kept: only the code is asked for
        QTest::keyClicks(dialog->totpEdit(), Totp::code(*secret, QDateTime::currentSecsSinceEpoch()));
        QTest::mouseClick(dialog->signInButton(), Qt::LeftButton);
        QVERIFY(waitUntil([&] { return m_driver.console()->mainWindow() != nullptr; }));
    }

    void unknownCertificateIsShownAndPinned()
    {
        const QUrl server = console::ConsoleSettings::normalizeServer(m_driver.serverAddress());
        {
            console::ConsoleSettings settings;
            settings.pinCertificate(server, {}); // forget the CA file: nothing trusted
        }
        m_driver.newConsole();
        QString question;
        connect(m_driver.console()->signInDialog(), &console::SignInDialog::certificateQuestion, this,
                [&question](const QString &fingerprint) {
                    question = fingerprint;
                    clickOnNextModal(u"&Trust this certificate"_s);
                });
        QVERIFY(m_driver.signIn(u"counter1"_s, m_operatorPassword));
        // The fingerprint shown is the server certificate's, and it is what got pinned.
        const QByteArray pinned = console::ConsoleSettings().trustFor(server).pinnedSha256;
        QCOMPARE(question, client::displayFingerprint(pinned));
        QCOMPARE(pinned.size(), 64);

        // A different certificate at the same address is refused, with a warning, without asking.
        m_driver.closeConsole();
        {
            console::ConsoleSettings settings;
            settings.pinCertificate(server, QByteArray(64, 'a'));
        }
        m_driver.newConsole();
        bool asked = false;
        connect(m_driver.console()->signInDialog(), &console::SignInDialog::certificateQuestion, this,
                [&asked](const QString &) { asked = true; });
        QString error;
        QVERIFY(!m_driver.signIn(u"counter1"_s, m_operatorPassword, &error));
        QVERIFY(!asked);
        QVERIFY2(error.startsWith(u"Refused: this server now presents a different certificate"_s), qPrintable(error));

        console::ConsoleSettings().trustCaFile(server, m_driver.stack().dataDir() + u"/tls/ca.pem"_s);
    }

    void collectShowsAScannableCodeAndTurnsPaidWhenTheCustomerPays_data()
    {
        QTest::addColumn<QString>("channel");
        QTest::newRow("alipay") << u"alipay"_s;
        QTest::newRow("wechat") << u"wechat"_s;
    }
    void collectShowsAScannableCodeAndTurnsPaidWhenTheCustomerPays()
    {
        QFETCH(QString, channel);
        m_driver.newConsole();
        MainWindow *window = m_driver.signIn(u"counter1"_s, m_operatorPassword);
        QVERIFY(window);
        QVERIFY(waitUntil([&] { return m_driver.console()->session().events().isConnected(); }));
        CollectPage *collect = window->collectPage();
        QVERIFY(window->showPage(collect));
        collect->selectChannel(channel);
        QTest::keyClicks(collect->amountEdit(), u"12.34"_s);
        QTest::mouseClick(collect->showQrButton(), Qt::LeftButton);
        QVERIFY(waitUntil([&] { return collect->state() != CollectPage::State::Creating; }));
        QCOMPARE(collect->state(), CollectPage::State::Waiting);
        const QJsonObject order = collect->order();
        QCOMPARE(order.value(u"amount"_s).toInteger(), 1234);
        QCOMPARE(order.value(u"channel"_s).toString(), channel);
        QCOMPARE(order.value(u"status"_s).toString(), u"PAYING"_s);

        // What the screen shows decodes to the order's code: compare the drawn image, module by
        // module, with QR-Code-generator's matrix for qr_code.
        const QString qrCode = order.value(u"qr_code"_s).toString();
        QVERIFY(!qrCode.isEmpty());
        QCOMPARE(collect->qrView()->text(), qrCode);
        window->resize(1200, 800);
        QCoreApplication::processEvents();
        const QImage drawn = collect->qrView()->grab().toImage();
        const QRect rect = collect->qrView()->codeRect();
        const int pixels = collect->qrView()->modulePixels();
        QVERIFY2(pixels >= 3, "too small for a phone camera");
        const qrcodegen::QrCode reference
            = qrcodegen::QrCode::encodeText(qrCode.toUtf8().constData(), qrcodegen::QrCode::Ecc::MEDIUM);
        const int quiet = console::QrCodeView::kQuietZone;
        for (int y = -quiet; y < reference.getSize() + quiet; ++y) {
            for (int x = -quiet; x < reference.getSize() + quiet; ++x) {
                const bool inside = x >= 0 && y >= 0 && x < reference.getSize() && y < reference.getSize();
                const QPoint centre(rect.left() + (x + quiet) * pixels + pixels / 2,
                                    rect.top() + (y + quiet) * pixels + pixels / 2);
                QCOMPARE(qGray(drawn.pixel(centre)) < 128, inside && reference.getModule(x, y));
            }
        }

        // The sandbox buyer pays; the page turns to "Paid" from the pushed event.
        QVERIFY(collect->simulateButton()->isVisible());
        QTest::mouseClick(collect->simulateButton(), Qt::LeftButton);
        QVERIFY(waitUntil([&] { return collect->state() == CollectPage::State::Paid; }, 15'000));
        QVERIFY2(collect->statusText().startsWith(u"Paid ¥12.34"_s), qPrintable(collect->statusText()));
        const QJsonObject paid = m_driver.stack().order(collect->orderNo());
        QCOMPARE(paid.value(u"status"_s).toString(), u"SUCCESS"_s);
        QCOMPARE(paid.value(u"paid_amount"_s).toInteger(), 1234);

        // "Paid" appears within 2 s of the notification being processed (paid_at) and acknowledged.
        const qint64 paidAt = paid.value(u"paid_at"_s).toInteger();
        const QByteArray path = "/control/notifications?channel=" + channel.toUtf8()
                                + "&out_trade_no=" + collect->orderNo().toUtf8(); // the channel knows our order number
        QJsonObject delivery;
        QVERIFY(waitUntil([&] {
            const QJsonArray deliveries = m_driver.stack().sandbox().controlList(path);
            delivery = deliveries.isEmpty() ? QJsonObject() : deliveries.first().toObject();
            return delivery.value(u"acknowledged"_s).toBool();
        }));
        const qint64 acknowledgedAt = rfc3339Ms(delivery.value(u"at"_s).toString());
        QVERIFY(acknowledgedAt > 0);
        qInfo("paid shown %lld ms after paid_at, %lld ms after the channel's notification was acknowledged",
              collect->paidSeenAtMs() - paidAt, collect->paidSeenAtMs() - acknowledgedAt);
        QVERIFY(collect->paidSeenAtMs() - paidAt <= 2000);
        QVERIFY(collect->paidSeenAtMs() - acknowledgedAt <= 2000);

        // One key press starts the next collection.
        QTest::keyClick(window, Qt::Key_F2);
        QCOMPARE(collect->state(), CollectPage::State::Idle);
        QVERIFY(collect->amountEdit()->text().isEmpty());
    }

    void anEndedSessionReturnsToSignInAndKeepsWhatWasTyped()
    {
        m_driver.newConsole();
        MainWindow *window = m_driver.signIn(u"counter1"_s, m_operatorPassword);
        QVERIFY(window);
        CollectPage *collect = window->collectPage();
        QVERIFY(window->showPage(collect));
        // The session ends elsewhere (signed out on another computer, expired, password changed).
        const QByteArray token = m_driver.console()->session().api().token().toUtf8();
        const auto ended = m_driver.stack().client().bearer(QString::fromUtf8(token), "DELETE", "/v1/sessions/current");
        QVERIFY(ended && ended->status == 204);

        QTest::keyClicks(collect->amountEdit(), u"9.99"_s);
        collect->subjectEdit()->setText(u"Two coffees"_s);
        QTest::mouseClick(collect->showQrButton(), Qt::LeftButton);
        QVERIFY(waitUntil([&] { return window->signInDialog() != nullptr; }));
        console::SignInDialog *again = window->signInDialog();
        QCOMPARE(again->usernameEdit()->text(), u"counter1"_s);
        QVERIFY(!again->serverEdit()->isEnabled());
        QCOMPARE(collect->amountEdit()->text(), u"9.99"_s);

        QTest::keyClicks(again->passwordEdit(), m_operatorPassword);
        QTest::mouseClick(again->signInButton(), Qt::LeftButton);
        QVERIFY(waitUntil([&] { return window->signInDialog() == nullptr; }));
        QCOMPARE(m_driver.console()->mainWindow(), window); // the same window, nothing lost
        QCOMPARE(collect->amountEdit()->text(), u"9.99"_s);
        QCOMPARE(collect->subjectEdit()->text(), u"Two coffees"_s);
        QTest::mouseClick(collect->showQrButton(), Qt::LeftButton);
        QVERIFY(waitUntil([&] { return collect->state() == CollectPage::State::Waiting; }));
        QCOMPARE(collect->order().value(u"amount"_s).toInteger(), 999);
    }

    void badAmountIsExplainedAndCreatesNothing()
    {
        m_driver.newConsole();
        MainWindow *window = m_driver.signIn(u"counter1"_s, m_operatorPassword);
        QVERIFY(window);
        CollectPage *collect = window->collectPage();
        QVERIFY(window->showPage(collect));
        QTest::keyClicks(collect->amountEdit(), u"0.00"_s);
        QTest::mouseClick(collect->showQrButton(), Qt::LeftButton);
        QCOMPARE(collect->state(), CollectPage::State::Idle);
        QCOMPARE(collect->findChild<QLabel *>(u"formError"_s)->text(),
                 u"Enter an amount greater than zero, at most two decimals."_s);
        QVERIFY(collect->order().isEmpty());
    }

    void orderSearchFindsThePaidOrderAndTheMerchantAdminRefundsPartOfIt()
    {
        const QJsonObject created = m_driver.stack().createOrder(u"alipay"_s, 5000);
        const QString orderNo = created.value(u"order_no"_s).toString();
        m_driver.stack().pay(created);
        QVERIFY(m_driver.stack().waitForStatus(orderNo, u"SUCCESS"_s));

        m_driver.newConsole();
        MainWindow *window = m_driver.signIn(u"owner1"_s, m_bossPassword);
        QVERIFY(window);
        console::OrdersPage *orders = window->ordersPage();
        QVERIFY(window->showPage(orders));
        orders->numberKindBox()->setCurrentIndex(orders->numberKindBox()->findData(u"out_trade_no"_s));
        orders->numberEdit()->setText(created.value(u"out_trade_no"_s).toString());
        QTest::keyClick(orders->numberEdit(), Qt::Key_Return);
        QVERIFY(waitUntil([&] { return !orders->model()->isLoading() && orders->model()->rowCount() == 1; }));
        QCOMPARE(orders->model()->orderAt(0).value(u"order_no"_s).toString(), orderNo);
        QCOMPARE(orders->model()->index(0, console::OrdersModel::Amount).data().toString(), u"50.00"_s);
        QCOMPARE(orders->model()->index(0, console::OrdersModel::Amount).data(Qt::TextAlignmentRole).toInt(),
                 int(Qt::AlignRight | Qt::AlignVCenter));

        // The detail pane: timeline, the channel's verified notification, refund allowed.
        orders->table()->selectRow(0);
        QVERIFY(waitUntil([&] { return orders->detail().value(u"order"_s).toObject().value(u"order_no"_s) == orderNo; }));
        const QString detail = orders->detailView()->toPlainText();
        QVERIFY2(detail.contains(u"Timeline"_s) && detail.contains(u"Channel log"_s), qPrintable(detail));
        QVERIFY2(detail.contains(u"signature: "_s), qPrintable(detail));
        QVERIFY(orders->refundButton()->isVisible());
        QVERIFY(orders->refundButton()->isEnabled());

        // Refund 20.00 of 50.00: fill the dialog, confirm, and the order shows it.
        onNextModal([](QWidget *dialog) {
            auto *refund = qobject_cast<console::RefundDialog *>(dialog);
            QVERIFY(refund);
            refund->amountEdit()->setText(u"20.00"_s);
            refund->reasonEdit()->setText(u"returned one item"_s);
            onNextModal([](QWidget *question) { buttonOn(question, u"&Yes"_s)->click(); });
            refund->refundButton()->click();
        });
        QTest::mouseClick(orders->refundButton(), Qt::LeftButton);
        QVERIFY(waitUntil([&] {
            return m_driver.stack().order(orderNo).value(u"refunded_amount"_s).toInteger() == 2000;
        }, 30'000));
        QCOMPARE(m_driver.stack().order(orderNo).value(u"status"_s).toString(), u"PARTIALLY_REFUNDED"_s);
        QVERIFY(waitUntil([&] {
            orders->refresh();
            return waitUntil([&] { return !orders->model()->isLoading(); })
                   && orders->model()->orderAt(0).value(u"refunded_amount"_s).toInteger() == 2000;
        }));
        QCOMPARE(orders->model()->index(0, console::OrdersModel::Status).data().toString(), u"Partially refunded"_s);
    }

    void operatorCannotRefund()
    {
        m_driver.newConsole();
        MainWindow *window = m_driver.signIn(u"counter1"_s, m_operatorPassword);
        QVERIFY(window);
        QVERIFY(!window->ordersPage()->refundButton()->isVisibleTo(window->ordersPage()));
    }

    void resultsPageInOnScrollAndExportToCsv()
    {
        // 105 unpaid orders of 7.77: more than one page of 100.
        QStringList created;
        for (int i = 0; i < 105; ++i)
            created << m_driver.stack().createOrder(i % 2 ? u"wechat"_s : u"alipay"_s, 777).value(u"order_no"_s).toString();
        QVERIFY(!created.contains(QString()));

        m_driver.newConsole();
        MainWindow *window = m_driver.signIn(u"owner1"_s, m_bossPassword);
        QVERIFY(window);
        console::OrdersPage *orders = window->ordersPage();
        QVERIFY(window->showPage(orders));
        orders->numberEdit()->clear();
        orders->minAmountEdit()->setText(u"7.77"_s);
        orders->maxAmountEdit()->setText(u"7.77"_s);
        orders->search();
        QVERIFY(waitUntil([&] { return !orders->model()->isLoading() && orders->model()->rowCount() > 0; }));
        QCOMPARE(orders->model()->rowCount(), console::OrdersModel::kPageSize);
        QVERIFY(orders->model()->canFetchMore({}));
        orders->table()->scrollToBottom();
        QVERIFY(waitUntil([&] { return orders->model()->rowCount() == 105; }));
        QVERIFY(!orders->model()->canFetchMore({}));
        QStringList shown;
        for (int row = 0; row < orders->model()->rowCount(); ++row)
            shown << orders->model()->orderAt(row).value(u"order_no"_s).toString();
        QStringList expected = created;
        std::reverse(expected.begin(), expected.end()); // newest first
        QCOMPARE(shown, expected);

        // Sorting by amount is done by the server: the same orders, again in full.
        orders->table()->sortByColumn(console::OrdersModel::Amount, Qt::AscendingOrder);
        QVERIFY(waitUntil([&] { return !orders->model()->isLoading() && orders->model()->rowCount() > 0; }));

        QTemporaryDir dir;
        const QString path = dir.filePath(u"orders.csv"_s);
        QString error;
        QVERIFY2(orders->exportCsvTo(path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.size(), 1 + 105 + 1); // header, rows, the empty piece after the last line break
        QVERIFY(lines.at(0).contains("order_no,out_trade_no"));
        int matched = 0;
        for (int i = 1; i <= 105; ++i) {
            const QList<QByteArray> fields = lines.at(i).trimmed().split(',');
            QCOMPARE(fields.at(7), QByteArray("7.77"));
            matched += created.contains(QString::fromUtf8(fields.at(0)));
        }
        QCOMPARE(matched, 105);
    }

    // Last: it locks sign-in from this address.
    void repeatedFailuresLockSignInWithAMessage()
    {
        m_driver.newConsole();
        QString error;
        for (int attempt = 0; attempt < 6 && !error.contains(u"locked"_s); ++attempt)
            QVERIFY(!m_driver.signIn(u"owner1"_s, u"wrong-%1"_s.arg(attempt), &error));
        QVERIFY2(error.startsWith(u"Too many failed sign-ins: sign-in is locked for 15 more minutes."_s),
                 qPrintable(error));
        // Even the right password is refused while locked.
        QVERIFY(!m_driver.signIn(u"owner1"_s, m_bossPassword, &error));
        QVERIFY2(error.contains(u"locked"_s), qPrintable(error));
    }
};

QTEST_MAIN(tst_Console)
#include "tst_console.moc"
