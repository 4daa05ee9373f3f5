#pragma once

// The console's main window: a sidebar of the pages the signed-in role may use, menus with
// keyboard shortcuts, a status bar with the user, the live-event connection, a busy indicator for
// every call in flight and the unacknowledged-alert badge. A session that ends returns to sign-in
// over the window, so nothing typed is lost.

#include <QMainWindow>
#include <QTimer>

class QLabel;
class QListWidget;
class QProgressBar;
class QStackedWidget;
class QToolButton;

namespace paydesk::console {

class AlertsPage;
class CollectPage;
class ConsoleSession;
class ConsoleSettings;
class DashboardPage;
class OrdersPage;
class ReconciliationPage;
class ReportsPage;
class SignInDialog;
class WithdrawalsPage;

class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(ConsoleSession &session, ConsoleSettings &settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    CollectPage *collectPage() const { return m_collect; }
    OrdersPage *ordersPage() const { return m_orders; }
    WithdrawalsPage *withdrawalsPage() const { return m_withdrawals; }
    AlertsPage *alertsPage() const { return m_alerts; }
    DashboardPage *dashboardPage() const { return m_dashboard; }
    ReconciliationPage *reconciliationPage() const { return m_reconciliation; }
    ReportsPage *reportsPage() const { return m_reports; }
    QListWidget *navigation() const { return m_nav; }
    /// The open sign-in dialog after a session ended, else null.
    SignInDialog *signInDialog() const { return m_signIn; }
    int openAlertCount() const { return m_openAlerts; }
    bool isBusy() const;

    /// Shows the page (if this role has it); false otherwise.
    bool showPage(QWidget *page);

signals:
    void languageChanged();

public slots:
    void refreshCurrent();
    void refreshAlertCount();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildPages();
    void buildMenus();
    void addPage(QWidget *page, const QString &iconName, const QString &title);
    void onSessionExpired();
    void openSettings();
    void signOut();
    void setOpenAlerts(int count);

    ConsoleSession &m_session;
    ConsoleSettings &m_settings;
    QListWidget *m_nav;
    QStackedWidget *m_pages;
    CollectPage *m_collect = nullptr;
    OrdersPage *m_orders = nullptr;
    WithdrawalsPage *m_withdrawals = nullptr;
    AlertsPage *m_alerts = nullptr;
    DashboardPage *m_dashboard = nullptr;
    ReconciliationPage *m_reconciliation = nullptr;
    ReportsPage *m_reports = nullptr;
    QLabel *m_userLabel;
    QLabel *m_liveLabel;
    QProgressBar *m_busy;
    QToolButton *m_alertBadge;
    SignInDialog *m_signIn = nullptr;
    QTimer m_alertTimer;
    int m_openAlerts = 0;
};

} // namespace paydesk::console
