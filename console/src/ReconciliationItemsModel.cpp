#include "ReconciliationItemsModel.h"

#include "MoneyText.h"

#include <QColor>
#include <QDateTime>
#include <QFont>

using namespace Qt::StringLiterals;

namespace paydesk::console {

ReconciliationItemsModel::ReconciliationItemsModel(ConsoleSession &session, QObject *parent)
    : KeysetListModel(session, u"/v1/reconciliation/items"_s, u"id"_s, parent)
{
}

const QStringList &ReconciliationItemsModel::kinds()
{
    static const QStringList all{u"MISSING_LOCAL"_s,   u"MISSING_CHANNEL"_s,  u"AMOUNT_MISMATCH"_s, u"STATUS_MISMATCH"_s,
                                 u"SUMMARY_MISMATCH"_s, u"INTERNAL"_s,        u"CROSS_DAY"_s};
    return all;
}

const QStringList &ReconciliationItemsModel::manualResolutions()
{
    static const QStringList all{u"ADJUSTED"_s,  u"REFUNDED"_s,  u"CHANNEL_ERROR"_s,
                                 u"WRITTEN_OFF"_s, u"DUPLICATE"_s, u"OTHER"_s};
    return all;
}

QString ReconciliationItemsModel::kindTitle(const QString &kind)
{
    if (kind == u"MISSING_LOCAL"_s)
        return tr("Only in the bill");
    if (kind == u"MISSING_CHANNEL"_s)
        return tr("Missing from the bill");
    if (kind == u"AMOUNT_MISMATCH"_s)
        return tr("Amounts differ");
    if (kind == u"STATUS_MISMATCH"_s)
        return tr("States differ");
    if (kind == u"SUMMARY_MISMATCH"_s)
        return tr("Bill summary does not add up");
    if (kind == u"INTERNAL"_s)
        return tr("Internal check failed");
    if (kind == u"CROSS_DAY"_s)
        return tr("Booked on another day");
    return kind;
}

QString ReconciliationItemsModel::statusTitle(const QString &status)
{
    if (status == u"OPEN"_s)
        return tr("Open");
    if (status == u"CARRIED"_s)
        return tr("Carried to the next day");
    if (status == u"RESOLVED"_s)
        return tr("Resolved");
    return status;
}

QString ReconciliationItemsModel::resolutionTitle(const QString &resolution)
{
    if (resolution == u"ADJUSTED"_s)
        return tr("Books corrected");
    if (resolution == u"REFUNDED"_s)
        return tr("Money returned to the payer");
    if (resolution == u"CHANNEL_ERROR"_s)
        return tr("The channel's bill was wrong");
    if (resolution == u"WRITTEN_OFF"_s)
        return tr("Written off");
    if (resolution == u"DUPLICATE"_s)
        return tr("Duplicate");
    if (resolution == u"OTHER"_s)
        return tr("Other");
    if (resolution == u"REPAIRED_BY_QUERY"_s)
        return tr("Repaired by a channel query");
    if (resolution == u"BOOKED_NEXT_DAY"_s)
        return tr("Booked the next day");
    if (resolution == u"BOOKED_ON_OTHER_DAY"_s)
        return tr("Booked on another day");
    if (resolution == u"CLEARED_ON_RERUN"_s)
        return tr("Cleared by a re-run");
    return resolution;
}

QString ReconciliationItemsModel::channelTitle(const QString &channelId)
{
    return channelId == u"internal"_s ? tr("Internal checks") : channelId;
}

QString ReconciliationItemsModel::keyText(const QJsonObject &item)
{
    const QString ref = item.value(u"ref_id"_s).toString();
    return ref.isEmpty() ? item.value(u"channel_trade_no"_s).toString() : ref;
}

QString ReconciliationItemsModel::amountText(const QJsonValue &fen)
{
    return fen.isDouble() ? formatFen(fen.toInteger()) : u"—"_s;
}

QString ReconciliationItemsModel::text(const QJsonObject &item, Column column)
{
    switch (column) {
    case Created: {
        const qint64 ms = item.value(u"created_at"_s).toInteger();
        return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(u"yyyy-MM-dd HH:mm:ss"_s) : QString();
    }
    case Channel:
        return channelTitle(item.value(u"channel_id"_s).toString());
    case Kind:
        return kindTitle(item.value(u"kind"_s).toString());
    case Key:
        return keyText(item);
    case LocalAmount:
        return amountText(item.value(u"local_amount"_s));
    case ChannelAmount:
        return amountText(item.value(u"channel_amount"_s));
    case Status:
        return statusTitle(item.value(u"status"_s).toString());
    case Resolution: {
        const QString resolution = item.value(u"resolution"_s).toString();
        return resolution.isEmpty() ? QString() : resolutionTitle(resolution);
    }
    case ColumnCount:
        break;
    }
    return {};
}

int ReconciliationItemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReconciliationItemsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= items().size())
        return {};
    const QJsonObject &item = items().at(index.row());
    const auto column = Column(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return text(item, column);
    case Qt::ToolTipRole:
        if (column == Kind)
            return item.value(u"kind"_s).toString();
        if (column == Resolution)
            return item.value(u"note"_s).toString();
        return text(item, column);
    case Qt::TextAlignmentRole:
        return int(column == LocalAmount || column == ChannelAmount ? Qt::AlignRight | Qt::AlignVCenter
                                                                    : Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (column == Status) {
            const QString status = item.value(u"status"_s).toString();
            if (status == u"OPEN"_s)
                return QColor(0xc6, 0x28, 0x28);
            if (status == u"RESOLVED"_s)
                return QColor(0x2e, 0x7d, 0x32);
            if (status == u"CARRIED"_s)
                return QColor(0xef, 0x6c, 0x00);
        }
        return {};
    case Qt::FontRole:
        if (item.value(u"status"_s).toString() == u"OPEN"_s) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::UserRole:
        return item.value(u"id"_s).toString();
    default:
        return {};
    }
}

QVariant ReconciliationItemsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return int(section == LocalAmount || section == ChannelAmount ? Qt::AlignRight | Qt::AlignVCenter
                                                                      : Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Created:
        return tr("Found");
    case Channel:
        return tr("Channel account");
    case Kind:
        return tr("Kind");
    case Key:
        return tr("Order / refund no.");
    case LocalAmount:
        return tr("Paydesk (¥)");
    case ChannelAmount:
        return tr("Bill (¥)");
    case Status:
        return tr("Status");
    case Resolution:
        return tr("Resolution");
    default:
        return {};
    }
}

} // namespace paydesk::console
