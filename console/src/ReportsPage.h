#pragma once

// The daily report for every role (merchant staff see their own merchant; the server filters): a
// date range (the last 30 days at first), a merchant filter for platform staff and a channel
// account filter, the table of days with its totals, paid against refunded per day as a chart, and
// the table as CSV.

#include <QWidget>

class QBarCategoryAxis;
class QBarSeries;
class QBarSet;
class QChart;
class QChartView;
class QComboBox;
class QDateEdit;
class QLabel;
class QPushButton;
class QTableView;
class QValueAxis;

namespace paydesk::console {

class ConsoleSession;
class DailyReportModel;

class ReportsPage final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kDefaultDays = 30;
    static constexpr int kMaxDays = 366; ///< a longer range is refused before asking the server

    explicit ReportsPage(ConsoleSession &session, QWidget *parent = nullptr);
    ~ReportsPage() override;

    bool isBusy() const { return m_loading; }

    // Reached by tests and the screenshot tour.
    DailyReportModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QDateEdit *fromEdit() const { return m_from; }
    QDateEdit *toEdit() const { return m_to; }
    QComboBox *merchantBox() const { return m_merchant; }
    QComboBox *channelBox() const { return m_channel; }
    QChartView *chartView() const { return m_chartView; }
    QString summaryText() const;
    /// The chart's days (ISO dates, oldest first) and the fen each bar stands for.
    const QStringList &chartDays() const { return m_days; }
    const QList<qint64> &chartPaid() const { return m_paid; }
    const QList<qint64> &chartRefunded() const { return m_refunded; }

    /// Writes the table as CSV without asking where; false with *error on failure.
    bool exportCsvTo(const QString &path, QString *error = nullptr);

public slots:
    void refresh();
    void exportCsv();

signals:
    void loaded();

private:
    void loadMerchants();
    void apply(const QJsonObject &report);
    void rememberChannels();

    ConsoleSession &m_session;
    DailyReportModel *m_model;
    QDateEdit *m_from;
    QDateEdit *m_to;
    QComboBox *m_merchant;
    QComboBox *m_channel;
    QPushButton *m_show;
    QPushButton *m_export;
    QLabel *m_summary;
    QTableView *m_table;
    QChart *m_chart;
    QChartView *m_chartView;
    QBarSeries *m_series;
    QBarSet *m_paidSet;
    QBarSet *m_refundedSet;
    QBarCategoryAxis *m_dayAxis;
    QValueAxis *m_amountAxis;
    QStringList m_days;
    QList<qint64> m_paid;
    QList<qint64> m_refunded;
    bool m_loading = false;
    bool m_reloadWanted = false;
    bool m_merchantsLoaded = false;
};

} // namespace paydesk::console
