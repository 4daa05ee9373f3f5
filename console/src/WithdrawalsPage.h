#pragma once

// Withdrawal review for platform admins (auditors see the same, read-only): the queue of
// withdrawals waiting for review with their four-eyes state, approve (after a confirmation that
// names amount and card) and reject (with a required reason), the selected withdrawal's risk
// decisions, and a history of past withdrawals filtered by status and date. The queue follows
// the event stream, so a new application shows up without a click.

#include <QJsonObject>
#include <QTimer>
#include <QWidget>

#include <optional>

class QComboBox;
class QDateEdit;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace paydesk::console {

class ConsoleSession;
class WithdrawalTableModel;

class WithdrawalsPage final : public QWidget
{
    Q_OBJECT

public:
    /// The columns the tables show (the queue has Risk and Approvals, the history Status and Outcome).
    enum Column {
        CreatedColumn,
        HolderColumn,
        CardColumn,
        AmountColumn,
        RiskColumn,
        ApprovalsColumn,
        StatusColumn,
        OutcomeColumn
    };
    Q_ENUM(Column)

    explicit WithdrawalsPage(ConsoleSession &session, QWidget *parent = nullptr);
    ~WithdrawalsPage() override;

    /// A load or a review call is in flight.
    bool isBusy() const { return m_queueLoading || m_historyLoading || m_acting; }
    bool canReview() const;

    // Reached by tests and the screenshot tour.
    QTabWidget *tabs() const { return m_tabs; }
    QTableView *queueView() const { return m_queueView; }
    QTableView *historyView() const { return m_historyView; }
    QPushButton *approveButton() const { return m_approve; }
    QPushButton *rejectButton() const { return m_reject; }
    QComboBox *historyStatusFilter() const { return m_historyStatus; }
    QDateEdit *historyFromEdit() const { return m_historyFrom; }
    QDateEdit *historyToEdit() const { return m_historyTo; }
    /// The outcome of the last action or load: what the server said when it refused.
    QString messageText() const;
    /// The selected withdrawal as the server described it (with its risk decisions once loaded).
    QString detailsText() const;
    /// Ids in the queue / history, in the order shown.
    QStringList queueIds() const;
    QStringList historyIds() const;
    /// The text a table shows for a withdrawal in a column; empty when not listed.
    QString queueCell(const QString &id, Column column) const;
    QString historyCell(const QString &id, Column column) const;
    /// Selects a withdrawal in the queue; false when it is not listed.
    bool selectWithdrawal(const QString &id);
    QJsonObject selectedWithdrawal() const;

public slots:
    void refresh();
    void approveSelected();
    void rejectSelected();
    void loadHistory();

signals:
    void queueLoaded();
    void historyLoaded();

private:
    void loadQueue();
    void loadQueuePage(const QString &before, QList<QJsonObject> rows);
    void loadHistoryPage(const QString &before, int generation);
    void onSelectionChanged();
    void showDetails(const QJsonObject &withdrawal);
    void review(const QJsonObject &withdrawal, bool approve, const QString &reason);
    void setMessage(const QString &text, bool error);
    void updateActions();
    std::optional<QString> askRejectReason(const QJsonObject &withdrawal);

    ConsoleSession &m_session;
    QTabWidget *m_tabs;

    WithdrawalTableModel *m_queue;
    QSortFilterProxyModel *m_queueProxy;
    QTableView *m_queueView;
    QPushButton *m_approve;
    QPushButton *m_reject;
    QPushButton *m_refresh;
    QLabel *m_queueSummary;
    QLabel *m_message;
    QLabel *m_details;

    WithdrawalTableModel *m_history;
    QSortFilterProxyModel *m_historyProxy;
    QTableView *m_historyView;
    QComboBox *m_historyStatus;
    QDateEdit *m_historyFrom;
    QDateEdit *m_historyTo;
    QPushButton *m_historyLoad;
    QLabel *m_historySummary;

    QTimer m_liveRefresh; // coalesces a burst of events into one reload
    bool m_queueLoading = false;
    bool m_historyLoading = false;
    bool m_acting = false;
    int m_historyGeneration = 0;
    int m_historyPages = 0;
    QString m_detailsId;
};

} // namespace paydesk::console
