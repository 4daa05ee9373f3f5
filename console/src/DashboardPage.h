#pragma once

// Today at a glance: collected amount and count, success rate, refunds, the split between Alipay
// and WeChat Pay, and a bar chart of the amount collected per day over the last two weeks. Money is
// integer fen throughout; only the chart's bar heights are yuan as qreal, for drawing.

#include <QJsonObject>
#include <QTimer>
#include <QWidget>

class QBarCategoryAxis;
class QBarSeries;
class QBarSet;
class QChart;
class QChartView;
class QLabel;
class QPushButton;
class QValueAxis;

namespace paydesk::console {

class ConsoleSession;

class DashboardPage final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kDays = 14;

    explicit DashboardPage(ConsoleSession &session, QWidget *parent = nullptr);
    ~DashboardPage() override;

    bool isBusy() const { return m_loading; }
    /// The last answer of GET /v1/console/dashboard; empty before the first.
    const QJsonObject &figures() const { return m_figures; }

    /// paid / created as a percentage with two decimals, computed in basis points; "—" without orders.
    static QString successRateText(qint64 paidCount, qint64 createdCount, const QLocale &locale = QLocale());

    // Reached by tests and the screenshot tour.
    QLabel *collectedLabel() const { return m_collected; }
    QLabel *paidCountLabel() const { return m_paidCount; }
    QLabel *successRateLabel() const { return m_successRate; }
    QLabel *refundedLabel() const { return m_refunded; }
    QLabel *channelLabel(const QString &channel) const;
    QLabel *errorLabel() const { return m_error; }
    QChartView *chartView() const { return m_chartView; }
    /// The amount each bar stands for, in fen, oldest day first (what the chart's tooltips say).
    const QList<qint64> &dailyCollected() const { return m_dailyFen; }

public slots:
    void refresh();

signals:
    void loaded();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void apply(const QJsonObject &figures);
    void showError(const QString &message);

    ConsoleSession &m_session;
    QJsonObject m_figures;
    QList<qint64> m_dailyFen;
    QStringList m_dailyDates;

    QLabel *m_title;
    QLabel *m_collected;
    QLabel *m_paidCount;
    QLabel *m_successRate;
    QLabel *m_successDetail;
    QLabel *m_refunded;
    QLabel *m_alipay;
    QLabel *m_wechat;
    QLabel *m_error;
    QLabel *m_updated;
    QPushButton *m_refresh;
    QChart *m_chart;
    QChartView *m_chartView;
    QBarSeries *m_series;
    QBarSet *m_bars;
    QBarCategoryAxis *m_dateAxis;
    QValueAxis *m_amountAxis;

    QTimer m_liveRefresh; // coalesces a burst of payments into one reload
    QTimer m_poll; // platform staff get no payment events: they poll while the page is shown
    bool m_loading = false;
    bool m_reloadWanted = false;
};

} // namespace paydesk::console
