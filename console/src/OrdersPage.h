#pragma once

// Orders: search by number, status, channel, amount and date; the results page in from the server
// as the table scrolls; the selected order's detail (timeline, channel log, merchant notifications,
// refunds) with the actions the role allows (refund, close, resend notification); CSV export.

#include <QJsonObject>
#include <QUrlQuery>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTextBrowser;

namespace paydesk::console {

class ConsoleSession;
class ConsoleSettings;
class OrdersModel;

class OrdersPage final : public QWidget
{
    Q_OBJECT

public:
    OrdersPage(ConsoleSession &session, ConsoleSettings &settings, QWidget *parent = nullptr);

    OrdersModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLineEdit *numberEdit() const { return m_number; }
    QComboBox *numberKindBox() const { return m_numberKind; }
    QComboBox *statusBox() const { return m_status; }
    QComboBox *channelBox() const { return m_channel; }
    QLineEdit *minAmountEdit() const { return m_minAmount; }
    QLineEdit *maxAmountEdit() const { return m_maxAmount; }
    QPushButton *refundButton() const { return m_refund; }
    QPushButton *closeButton() const { return m_close; }
    QPushButton *resendButton() const { return m_resend; }
    QPushButton *settleRefundButton() const { return m_settleRefund; }
    QTextBrowser *detailView() const { return m_detail; }
    const QJsonObject &detail() const { return m_detailJson; }
    QString statusMessage() const;

    /// The filters as the API takes them; empty and an error message if the input is not valid.
    QUrlQuery filtersFromInputs(QString *error) const;

public slots:
    void refresh();
    void search();
    void clearFilters();
    void exportCsv();
    /// Exports the current search to a file without asking where (tests, scripts); false on failure.
    bool exportCsvTo(const QString &path, QString *error = nullptr);
    void refundSelected();
    void closeSelected();
    void resendSelected();
    void settleRefund();

signals:
    void detailLoaded(const QString &orderNo);

private:
    void showDetail(const QString &orderNo);
    void renderDetail();
    void updateActions();
    void saveSearch() const;
    void restoreSearch();

    ConsoleSession &m_session;
    ConsoleSettings &m_settings;
    OrdersModel *m_model;
    QComboBox *m_numberKind;
    QLineEdit *m_number;
    QComboBox *m_status;
    QComboBox *m_channel;
    QLineEdit *m_minAmount;
    QLineEdit *m_maxAmount;
    QCheckBox *m_useDates;
    QDateEdit *m_from;
    QDateEdit *m_to;
    QPushButton *m_search;
    QLabel *m_summary;
    QTableView *m_table;
    QTextBrowser *m_detail;
    QPushButton *m_refund;
    QPushButton *m_close;
    QPushButton *m_resend;
    QPushButton *m_settleRefund; ///< platform admins: retry an ABNORMAL refund, or decide one by hand
    QJsonObject m_detailJson;
    QString m_detailOrderNo;
};

} // namespace paydesk::console
