#include "DailyReportModel.h"

#include "MoneyText.h"
#include "OrderCsvExport.h"

#include <QFont>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {

QString rateDecimal(const QJsonValue &basisPoints)
{
    if (!basisPoints.isDouble())
        return {};
    const qint64 bp = basisPoints.toInteger();
    const quint64 magnitude = bp < 0 ? quint64(0) - quint64(bp) : quint64(bp);
    return (bp < 0 ? u"-"_s : QString()) + QString::number(magnitude / 100) + u'.'
        + u"%1"_s.arg(magnitude % 100, 2, 10, QChar(u'0'));
}

} // namespace

DailyReportModel::DailyReportModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString DailyReportModel::rateText(const QJsonValue &basisPoints, const QLocale &locale)
{
    return basisPoints.isDouble() ? formatBasisPoints(basisPoints.toInteger(), locale) : u"—"_s;
}

void DailyReportModel::setReport(const QJsonObject &report)
{
    beginResetModel();
    m_rows.clear();
    m_paidPerDay.clear();
    m_refundedPerDay.clear();
    const QJsonArray rows = report.value(u"rows"_s).toArray();
    for (const QJsonValue &value : rows) {
        const QJsonObject row = value.toObject();
        m_rows.append(row);
        const QString date = row.value(u"date"_s).toString();
        m_paidPerDay[date] += row.value(u"paid_amount"_s).toInteger();
        m_refundedPerDay[date] += row.value(u"refunded_amount"_s).toInteger();
    }
    m_totals = report.value(u"totals"_s).toObject();
    endResetModel();
}

void DailyReportModel::clear()
{
    setReport({});
}

QString DailyReportModel::valueText(const QJsonObject &row, Column column, bool totals)
{
    const QLocale locale;
    const auto count = [&](const QString &key) { return locale.toString(row.value(key).toInteger()); };
    switch (column) {
    case Date:
        return totals ? tr("Total") : row.value(u"date"_s).toString();
    case Merchant: {
        if (totals)
            return {};
        const QString name = row.value(u"merchant_name"_s).toString();
        return name.isEmpty() ? row.value(u"merchant_id"_s).toString() : name;
    }
    case Channel:
        return totals ? QString() : row.value(u"channel_id"_s).toString();
    case Orders: return count(u"orders"_s);
    case PaidCount: return count(u"paid_count"_s);
    case PaidAmount: return formatFen(row.value(u"paid_amount"_s).toInteger(), locale);
    case RefundedCount: return count(u"refunded_count"_s);
    case RefundedAmount: return formatFen(row.value(u"refunded_amount"_s).toInteger(), locale);
    case Fee: return formatFen(row.value(u"fee"_s).toInteger(), locale);
    case Net: return formatFen(row.value(u"net"_s).toInteger(), locale);
    case SuccessRate: return rateText(row.value(u"success_rate_bp"_s), locale);
    case ColumnCount: break;
    }
    return {};
}

QString DailyReportModel::text(int row, Column column) const
{
    if (row >= 0 && row < m_rows.size())
        return valueText(m_rows.at(row), column, false);
    if (row == m_rows.size() && !m_rows.isEmpty())
        return valueText(m_totals, column, true);
    return {};
}

int DailyReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || m_rows.isEmpty() ? 0 : int(m_rows.size()) + 1;
}

int DailyReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DailyReportModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() > m_rows.size())
        return {};
    const auto column = Column(index.column());
    const bool totals = index.row() == m_rows.size();
    const QJsonObject &row = totals ? m_totals : m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return text(index.row(), column);
    case Qt::ToolTipRole:
        if (column == Fee)
            return tr("¥%1 as the bills state it").arg(formatMillifen(row.value(u"fee_millifen"_s).toInteger()));
        if (column == Merchant)
            return row.value(u"merchant_id"_s).toString();
        if (column == Channel)
            return row.value(u"channel_type"_s).toString();
        if (column == SuccessRate)
            return tr("Paid orders per created order");
        return text(index.row(), column);
    case Qt::TextAlignmentRole:
        return int(column >= Orders ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::FontRole:
        if (totals) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    default:
        return {};
    }
}

QVariant DailyReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return int(section >= Orders ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Date: return tr("Day");
    case Merchant: return tr("Merchant");
    case Channel: return tr("Channel account");
    case Orders: return tr("Orders");
    case PaidCount: return tr("Paid");
    case PaidAmount: return tr("Paid (¥)");
    case RefundedCount: return tr("Refunds");
    case RefundedAmount: return tr("Refunded (¥)");
    case Fee: return tr("Fee (¥)");
    case Net: return tr("Net (¥)");
    case SuccessRate: return tr("Success rate");
    default: return {};
    }
}

QByteArray DailyReportModel::toCsv() const
{
    QByteArray out("\xEF\xBB\xBF");
    out += "date,merchant_id,merchant_name,channel_id,channel_type,orders,paid_count,paid_amount,refunded_count,"
           "refunded_amount,fee,net,success_rate_percent\r\n";
    const auto line = [&out](const QJsonObject &row, bool totals) {
        const auto integer = [&row](const QString &key) { return QString::number(row.value(key).toInteger()); };
        const auto money = [&row](const QString &key) { return OrderCsvExport::amount(row.value(key).toInteger()); };
        const auto string = [&row, totals](const QString &key) {
            return totals ? QString() : OrderCsvExport::field(row.value(key).toString());
        };
        const QStringList fields{totals ? u"total"_s : OrderCsvExport::field(row.value(u"date"_s).toString()),
                                 string(u"merchant_id"_s),
                                 string(u"merchant_name"_s),
                                 string(u"channel_id"_s),
                                 string(u"channel_type"_s),
                                 integer(u"orders"_s),
                                 integer(u"paid_count"_s),
                                 money(u"paid_amount"_s),
                                 integer(u"refunded_count"_s),
                                 money(u"refunded_amount"_s),
                                 money(u"fee"_s),
                                 money(u"net"_s),
                                 rateDecimal(row.value(u"success_rate_bp"_s))};
        out += fields.join(u',').toUtf8() + "\r\n";
    };
    for (const QJsonObject &row : m_rows)
        line(row, false);
    if (!m_totals.isEmpty())
        line(m_totals, true);
    return out;
}

} // namespace paydesk::console
