#pragma once

// Alerts the server raised for humans (a payout that failed, a payment nobody ordered, a channel
// that keeps erring): newest first, filtered by status and kind, the selected alert's details
// below, and acknowledging the selected ones for roles that may. The open count feeds the main
// window's badge.

#include <QJsonObject>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace paydesk::console {

class AlertTableModel;
class ConsoleSession;

class AlertsPage final : public QWidget
{
    Q_OBJECT

public:
    enum Column { SeverityColumn, KindColumn, SubjectColumn, MessageColumn, TimeColumn, StatusColumn };
    Q_ENUM(Column)

    explicit AlertsPage(ConsoleSession &session, QWidget *parent = nullptr);
    ~AlertsPage() override;

    bool isBusy() const { return m_loading || m_acknowledging > 0; }
    /// The open count from the last answer; -1 before the first.
    int openCount() const { return m_openCount; }

    // Reached by tests and the screenshot tour.
    QTableView *view() const { return m_view; }
    QComboBox *statusFilter() const { return m_status; }
    QComboBox *kindFilter() const { return m_kind; }
    QPushButton *acknowledgeButton() const { return m_acknowledge; }
    QString messageText() const;
    QString detailsText() const;
    /// Alert ids in the order shown.
    QStringList alertIds() const;
    QString cell(const QString &id, Column column) const;
    /// Selects these alerts (those listed); returns how many were found.
    int selectAlerts(const QStringList &ids);
    /// Selects the status filter by its value: "OPEN", "ACKNOWLEDGED" or "" (all).
    void setStatusFilter(const QString &status);

public slots:
    void refresh();
    void acknowledgeSelected();

signals:
    /// Unacknowledged alerts, for the main window's badge.
    void openCountChanged(int count);
    void loaded();

private:
    void onSelectionChanged();
    void setMessage(const QString &text, bool error);
    void updateActions();
    void rememberKinds(const QStringList &kinds);
    QList<QJsonObject> selectedAlerts() const;

    ConsoleSession &m_session;
    AlertTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QComboBox *m_status;
    QComboBox *m_kind;
    QPushButton *m_refresh;
    QPushButton *m_acknowledge;
    QLabel *m_summary;
    QLabel *m_message;
    QLabel *m_details;
    QTimer m_liveRefresh;
    bool m_loading = false;
    bool m_reloadWanted = false;
    int m_acknowledging = 0;
    int m_openCount = -1;
};

} // namespace paydesk::console
