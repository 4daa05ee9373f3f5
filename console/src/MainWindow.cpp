#include "MainWindow.h"

#include "AlertsPage.h"
#include "Appearance.h"
#include "CollectPage.h"
#include "ConsoleSession.h"
#include "ConsoleSettings.h"
#include "DashboardPage.h"
#include "OrdersPage.h"
#include "PasswordChangeDialog.h"
#include "ReconciliationPage.h"
#include "ReportsPage.h"
#include "SettingsDialog.h"
#include "SignInDialog.h"
#include "WithdrawalsPage.h"

#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace paydesk::console {

MainWindow::MainWindow(ConsoleSession &session, ConsoleSettings &settings, QWidget *parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_settings(settings)
    , m_nav(new QListWidget(this))
    , m_pages(new QStackedWidget(this))
    , m_userLabel(new QLabel(this))
    , m_liveLabel(new QLabel(this))
    , m_busy(new QProgressBar(this))
    , m_alertBadge(new QToolButton(this))
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("Paydesk Console"));
    setWindowIcon(QIcon(u":/icons/paydesk.svg"_s));
    setMinimumSize(900, 600);

    m_nav->setObjectName(u"navigation"_s);
    m_nav->setIconSize(QSize(24, 24));
    m_nav->setFixedWidth(190);
    m_nav->setFrameShape(QFrame::NoFrame);
    m_nav->setSpacing(2);
    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_nav);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);
    connect(m_nav, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0)
            return;
        m_pages->setCurrentIndex(row);
        refreshCurrent();
    });

    m_busy->setRange(0, 0);
    m_busy->setMaximumSize(120, 12);
    m_busy->setTextVisible(false);
    m_busy->setVisible(false);
    m_busy->setObjectName(u"busyIndicator"_s);
    m_alertBadge->setObjectName(u"alertBadge"_s);
    m_alertBadge->setIcon(QIcon(u":/icons/alerts.svg"_s));
    m_alertBadge->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_alertBadge->setAutoRaise(true);
    m_alertBadge->setVisible(false);
    statusBar()->addWidget(m_userLabel);
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->addPermanentWidget(m_alertBadge);
    statusBar()->addPermanentWidget(m_liveLabel);
    connect(m_alertBadge, &QToolButton::clicked, this, [this] { showPage(m_alerts); });

    connect(&session.api(), &client::RestClient::busyChanged, m_busy, &QWidget::setVisible);
    connect(&session.events(), &client::EventStream::connectedChanged, this, [this](bool connected) {
        m_liveLabel->setText(connected ? tr("● Live") : tr("○ Reconnecting…"));
        m_liveLabel->setStyleSheet(connected ? u"color: #2e7d32;"_s : u"color: #ef6c00;"_s);
        m_liveLabel->setToolTip(connected ? tr("Payments and reviews arrive the moment they happen.")
                                          : tr("The live connection is down; pages refresh by polling."));
    });
    connect(&session, &ConsoleSession::expired, this, &MainWindow::onSessionExpired);
    connect(&session.events(), &client::EventStream::eventReceived, this,
            [this](const QString &type, const QJsonObject &, qint64) {
                if (type.startsWith(u"alert."_s))
                    refreshAlertCount();
            });
    m_liveLabel->setText(session.events().isConnected() ? tr("● Live") : tr("○ Connecting…"));

    m_alertTimer.setInterval(30'000);
    connect(&m_alertTimer, &QTimer::timeout, this, &MainWindow::refreshAlertCount);

    buildPages();
    buildMenus();
    if (!restoreGeometry(settings.windowGeometry()))
        resize(1200, 780);
}

MainWindow::~MainWindow() = default;

void MainWindow::addPage(QWidget *page, const QString &iconName, const QString &title)
{
    m_pages->addWidget(page);
    auto *item = new QListWidgetItem(QIcon(u":/icons/%1.svg"_s.arg(iconName)), title, m_nav);
    item->setSizeHint(QSize(0, 40));
}

void MainWindow::buildPages()
{
    m_userLabel->setText(tr("%1 · %2 · %3")
                             .arg(m_session.user().value(u"display_name"_s).toString(m_session.username()),
                                  m_session.roleTitle(), m_session.api().baseUrl().authority()));
    if (m_session.canCollect()) {
        m_collect = new CollectPage(m_session, this);
        addPage(m_collect, u"collect"_s, tr("Collect"));
    }
    m_orders = new OrdersPage(m_session, m_settings, this);
    addPage(m_orders, u"orders"_s, tr("Orders"));
    if (m_session.canSeeWithdrawals()) {
        m_withdrawals = new WithdrawalsPage(m_session, this);
        addPage(m_withdrawals, u"withdrawals"_s, tr("Withdrawals"));
    }
    if (m_session.canSeeAlerts()) {
        m_alerts = new AlertsPage(m_session, this);
        addPage(m_alerts, u"alerts"_s, tr("Alerts"));
        connect(m_alerts, &AlertsPage::openCountChanged, this, &MainWindow::setOpenAlerts);
        m_alertTimer.start();
        refreshAlertCount();
    }
    m_dashboard = new DashboardPage(m_session, this);
    addPage(m_dashboard, u"dashboard"_s, tr("Dashboard"));
    if (m_session.canSeeReconciliation()) {
        m_reconciliation = new ReconciliationPage(m_session, this);
        addPage(m_reconciliation, u"reconciliation"_s, tr("Reconciliation"));
    }
    m_reports = new ReportsPage(m_session, this);
    addPage(m_reports, u"reports"_s, tr("Reports"));
    m_nav->setCurrentRow(0);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    if (m_collect) {
        QAction *collect = file->addAction(QIcon(u":/icons/collect.svg"_s), tr("&New collection"), this, [this] {
            showPage(m_collect);
            m_collect->newCollection();
        });
        collect->setShortcut(QKeySequence::New);
    }
    QAction *exportCsv = file->addAction(QIcon(u":/icons/export.svg"_s), tr("&Export orders to CSV…"), this, [this] {
        showPage(m_orders);
        QMetaObject::invokeMethod(m_orders, "exportCsv");
    });
    exportCsv->setShortcut(QKeySequence(u"Ctrl+E"_s));
    if (m_reconciliation) {
        file->addAction(QIcon(u":/icons/export.svg"_s), tr("Export &reconciliation to PDF…"), this, [this] {
            showPage(m_reconciliation);
            m_reconciliation->exportPdf();
        });
    }
    file->addAction(QIcon(u":/icons/export.svg"_s), tr("Export the daily &report to CSV…"), this, [this] {
        showPage(m_reports);
        m_reports->exportCsv();
    });
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int row = 0; row < m_nav->count(); ++row) {
        QListWidgetItem *item = m_nav->item(row);
        QAction *go = view->addAction(item->icon(), item->text(), this, [this, row] { m_nav->setCurrentRow(row); });
        go->setShortcut(QKeySequence(u"Ctrl+%1"_s.arg(row + 1)));
    }
    view->addSeparator();
    QAction *refresh = view->addAction(QIcon(u":/icons/refresh.svg"_s), tr("&Refresh"), this, &MainWindow::refreshCurrent);
    refresh->setShortcut(QKeySequence::Refresh);
    if (m_collect) {
        QAction *display = view->addAction(tr("&Customer display"), this, [this] {
            showPage(m_collect);
            m_collect->toggleCustomerDisplay();
        });
        display->setShortcut(QKeySequence(Qt::Key_F11));
        display->setShortcutContext(Qt::WidgetShortcut); // the page's own F11 handles it
    }

    QMenu *account = menuBar()->addMenu(tr("&Account"));
    account->addAction(tr("Change &password…"), this, [this] {
        PasswordChangeDialog dialog(m_session.api(), this);
        if (dialog.exec() == QDialog::Accepted)
            QMessageBox::information(this, tr("Password changed"), tr("Your password was changed."));
    });
    QAction *signOutAction = account->addAction(QIcon(u":/icons/signout.svg"_s), tr("Sign &out"), this, &MainWindow::signOut);
    signOutAction->setShortcut(QKeySequence(u"Ctrl+Shift+L"_s));

    QMenu *tools = menuBar()->addMenu(tr("&Tools"));
    QAction *settingsAction = tools->addAction(QIcon(u":/icons/settings.svg"_s), tr("&Settings…"), this, &MainWindow::openSettings);
    settingsAction->setShortcut(QKeySequence::Preferences);
    if (settingsAction->shortcut().isEmpty())
        settingsAction->setShortcut(QKeySequence(u"Ctrl+,"_s));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Paydesk"), this, [this] {
        QMessageBox::about(this, tr("About Paydesk"),
                           tr("<h3>Paydesk Console %1</h3><p>Collect payments with Alipay and WeChat Pay, "
                              "search orders, approve withdrawals, follow alerts, reconcile with the channels' bills and "
                              "report on each day.</p>")
                               .arg(QApplication::applicationVersion()));
    });
}

bool MainWindow::showPage(QWidget *page)
{
    const int index = page ? m_pages->indexOf(page) : -1;
    if (index < 0)
        return false;
    m_nav->setCurrentRow(index);
    return true;
}

bool MainWindow::isBusy() const
{
    return m_session.api().busyCount() > 0;
}

void MainWindow::refreshCurrent()
{
    QWidget *page = m_pages->currentWidget();
    if (page && page != m_collect)
        QMetaObject::invokeMethod(page, "refresh");
}

void MainWindow::refreshAlertCount()
{
    if (!m_session.canSeeAlerts() || !m_session.isSignedIn())
        return;
    m_session.api().get(u"/v1/alerts?status=OPEN&limit=1"_s, this, [this](const client::RestResult &result) {
        if (result.ok())
            setOpenAlerts(int(result.object().value(u"open_count"_s).toInteger()));
    });
}

void MainWindow::setOpenAlerts(int count)
{
    m_openAlerts = count;
    m_alertBadge->setText(tr("%n open alert(s)", nullptr, count));
    m_alertBadge->setVisible(count > 0);
    if (m_alerts)
        m_nav->item(m_pages->indexOf(m_alerts))
            ->setText(count > 0 ? tr("Alerts (%1)").arg(count) : tr("Alerts"));
}

void MainWindow::onSessionExpired()
{
    if (m_signIn)
        return;
    m_signIn = new SignInDialog(m_session, m_settings, this);
    m_signIn->setReason(tr("Your session has ended. Sign in again to continue; what you entered is kept."));
    m_signIn->serverEdit()->setEnabled(false);
    m_signIn->usernameEdit()->setText(m_session.username());
    m_signIn->usernameEdit()->setReadOnly(true); // the same user continues; others sign out first
    m_signIn->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_signIn, &QDialog::finished, this, [this](int result) {
        m_signIn = nullptr;
        if (result != QDialog::Accepted)
            close();
        else
            refreshCurrent();
    });
    m_signIn->open();
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(m_settings, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    applyTheme(m_settings.theme());
    if (dialog.languageChanged()) {
        applyLanguage(m_settings.language());
        emit languageChanged(); // the application rebuilds the window in the new language
    }
}

void MainWindow::signOut()
{
    m_session.signOut(); // the application returns to the sign-in dialog
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_settings.setWindowGeometry(saveGeometry());
    QMainWindow::closeEvent(event);
}

} // namespace paydesk::console
