#pragma once

// The daily report (GET /v1/reports/daily): one row per day, merchant and channel account with
// orders, payments, refunds, fees and net in integer fen, the success rate from basis points, and
// the server's totals as the last row. Also the same as CSV, and the paid and refunded sums per day.

#include <QAbstractTableModel>
#include <QDate>
#include <QJsonObject>
#include <QMap>

namespace paydesk::console {

class DailyReportModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Date,
        Merchant,
        Channel,
        Orders,
        PaidCount,
        PaidAmount,
        RefundedCount,
        RefundedAmount,
        Fee,
        Net,
        SuccessRate,
        ColumnCount
    };

    explicit DailyReportModel(QObject *parent = nullptr);

    /// Takes an answer of GET /v1/reports/daily ({from, to, rows, totals}).
    void setReport(const QJsonObject &report);
    void clear();
    const QList<QJsonObject> &rows() const { return m_rows; }
    const QJsonObject &totals() const { return m_totals; }
    /// Paid and refunded fen per day (ISO date), over every row of that day.
    const QMap<QString, qint64> &paidPerDay() const { return m_paidPerDay; }
    const QMap<QString, qint64> &refundedPerDay() const { return m_refundedPerDay; }

    /// The text of a cell as shown; the totals row is row rows().size().
    QString text(int row, Column column) const;
    /// The report as CSV (UTF-8 with BOM, CRLF, fields escaped like the order export, amounts as
    /// "12.34", the success rate as "92.30"), the totals as a last line dated "total".
    QByteArray toCsv() const;

    /// "92.30%" from 9230 basis points; "—" without a rate (null, or no orders).
    static QString rateText(const QJsonValue &basisPoints, const QLocale &locale = QLocale());

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    static QString valueText(const QJsonObject &row, Column column, bool totals);

    QList<QJsonObject> m_rows;
    QJsonObject m_totals;
    QMap<QString, qint64> m_paidPerDay;
    QMap<QString, qint64> m_refundedPerDay;
};

} // namespace paydesk::console
