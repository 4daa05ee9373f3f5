#pragma once

// Reconciliation for platform admins (auditors read): a day's runs per channel account with the
// bill's and Paydesk's totals side by side, matched against discrepancies over the last 30 days as
// a chart, the day's discrepancy items with their details and (admins) resolving them, starting a
// run for the day and following its progress, and the day's result as CSV or PDF.

#include <QDate>
#include <QDeadlineTimer>
#include <QHash>
#include <QJsonObject>
#include <QTimer>
#include <QWidget>

#include <functional>

class QBarCategoryAxis;
class QBarSet;
class QChart;
class QChartView;
class QComboBox;
class QDateEdit;
class QLabel;
class QProgressBar;
class QPushButton;
class QStackedBarSeries;
class QTableView;
class QTableWidget;
class QValueAxis;

namespace paydesk::console {

class ConsoleSession;
class ReconciliationItemsModel;

class ReconciliationPage final : public QWidget
{
    Q_OBJECT

public:
    enum RunColumn {
        RunChannel,
        RunStatus,
        RunBillPayments,
        RunLocalPayments,
        RunBillRefunds,
        RunLocalRefunds,
        RunFees,
        RunMatched,
        RunCrossDay,
        RunDiscrepancies,
        RunRepaired,
        RunDuration,
        RunColumnCount
    };
    Q_ENUM(RunColumn)
    static constexpr int kChartDays = 30;
    static constexpr int kPollMs = 500;

    explicit ReconciliationPage(ConsoleSession &session, QWidget *parent = nullptr);
    ~ReconciliationPage() override;

    /// A load, a run being followed, a resolution or an export is in flight.
    bool isBusy() const;
    /// A run of this console's or found RUNNING is being followed.
    bool isRunning() const { return !m_polling.isEmpty(); }
    bool canRun() const;

    // Reached by tests and the screenshot tour.
    QDateEdit *dateEdit() const { return m_date; }
    QComboBox *channelBox() const { return m_channel; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *resolveButton() const { return m_resolve; }
    QProgressBar *progressBar() const { return m_progress; }
    QTableWidget *runsTable() const { return m_runsTable; }
    QTableView *itemsView() const { return m_itemsView; }
    ReconciliationItemsModel *itemsModel() const { return m_items; }
    QComboBox *itemStatusFilter() const { return m_itemStatus; }
    QComboBox *itemKindFilter() const { return m_itemKind; }
    QChartView *chartView() const { return m_chartView; }
    QString messageText() const;
    QString detailsText() const;
    /// The day's runs as shown (newest per channel account).
    const QList<QJsonObject> &dayRuns() const { return m_dayRuns; }
    /// The text of a run's cell; empty when the channel account has no run that day.
    QString runCell(const QString &channelId, RunColumn column) const;
    /// The chart's days (ISO dates, oldest first) and what each bar stands for.
    const QStringList &chartDays() const { return m_chartDays; }
    const QList<qint64> &chartMatched() const { return m_chartMatched; }
    const QList<qint64> &chartDiscrepancies() const { return m_chartDiscrepancies; }
    /// Selects an item in the list; false when it is not listed.
    bool selectItem(const QString &id);
    QJsonObject selectedItem() const;

    /// Writes the day's result (every item of the day and channel, whatever the list's filters)
    /// without asking where; false with *error on failure.
    bool exportCsvTo(const QString &path, QString *error = nullptr);
    bool exportPdfTo(const QString &path, QString *error = nullptr);

public slots:
    void refresh();
    void runNow();
    void resolveSelected();
    void exportCsv();
    void exportPdf();

signals:
    void runsLoaded();
    void runFinished();
    void itemResolved(const QString &id);

private:
    void loadRuns();
    void applyRuns(const QList<QJsonObject> &runs);
    void searchItems();
    void follow(const QJsonObject &run);
    void poll();
    void finishFollowing(const QString &message, bool error);
    void updateProgress();
    void onItemSelectionChanged();
    void setMessage(const QString &text, bool error);
    void updateActions();
    /// Every item of the day (and channel), loaded page by page; false with *error.
    bool loadDayItems(QList<QJsonObject> *items, QString *error);
    /// Loads the day's items and hands them to write (CSV, PDF), one export at a time; false with *error.
    bool exportDay(const std::function<bool(const QList<QJsonObject> &items, QString *problem)> &write, QString *error);
    /// Asks where to save (a file named for the day with this suffix), then exports there with exportTo.
    void exportWithDialog(const QString &title, const QString &suffix, const QString &filter,
                          bool (ReconciliationPage::*exportTo)(const QString &path, QString *error));

    ConsoleSession &m_session;
    QDateEdit *m_date;
    QComboBox *m_channel;
    QPushButton *m_refresh;
    QPushButton *m_run;
    QPushButton *m_exportCsv;
    QPushButton *m_exportPdf;
    QLabel *m_message;
    QLabel *m_progressLabel;
    QProgressBar *m_progress;
    QTableWidget *m_runsTable;

    QChart *m_chart;
    QChartView *m_chartView;
    QStackedBarSeries *m_series;
    QBarSet *m_matchedSet;
    QBarSet *m_discrepancySet;
    QBarCategoryAxis *m_dayAxis;
    QValueAxis *m_countAxis;

    ReconciliationItemsModel *m_items;
    QComboBox *m_itemStatus;
    QComboBox *m_itemKind;
    QTableView *m_itemsView;
    QLabel *m_itemsSummary;
    QLabel *m_details;
    QPushButton *m_resolve;

    QList<QJsonObject> m_dayRuns;
    QStringList m_chartDays;
    QList<qint64> m_chartMatched;
    QList<qint64> m_chartDiscrepancies;
    bool m_runsLoading = false;
    bool m_reloadWanted = false;
    bool m_starting = false;
    bool m_resolving = false;
    bool m_exporting = false;

    QHash<QString, QJsonObject> m_polling; // run id → the run as last seen, while RUNNING
    QTimer m_pollTimer;
    QDeadlineTimer m_pollDeadline;
    int m_pollOutstanding = 0;
    int m_pollFailures = 0;
    QString m_followProblem; // why a run stopped being followed, shown when following ends
};

} // namespace paydesk::console
