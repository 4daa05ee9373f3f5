#include "ReconciliationItemsModel.h"

#include "ConsoleSession.h"
#include "MoneyText.h"

#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QJsonArray>
#include <QNetworkReply>

#include <utility>

using namespace Qt::StringLiterals;

namespace paydesk::console {

ReconciliationItemsModel::ReconciliationItemsModel(ConsoleSession &session, QObject *parent)
    : QAbstractTableModel(parent)
    , m_session(session)
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

void ReconciliationItemsModel::search(const QUrlQuery &filters)
{
    // The generation moves first: abort() reports the old call finished at once, and its callback
    // must see that it was replaced rather than show "did not answer in time".
    ++m_generation;
    if (QNetworkReply *previous = std::exchange(m_reply, nullptr))
        previous->abort();
    if (m_loadAll) {
        m_loadAll = false;
        emit allLoaded(false); // an export waiting for the old list gives up
    }
    beginResetModel();
    m_filters = filters;
    m_rows.clear();
    m_nextCursor.clear();
    m_error.clear();
    endResetModel();
    load(QString());
}

void ReconciliationItemsModel::appendPage(const QJsonObject &page)
{
    const QJsonArray items = page.value(u"items"_s).toArray();
    m_nextCursor = page.value(u"next_cursor"_s).toString();
    const int room = kMaxRows - int(m_rows.size());
    const int count = std::min<int>(int(items.size()), room);
    if (count > 0) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size()) + count - 1);
        for (int i = 0; i < count; ++i)
            m_rows.append(items.at(i).toObject());
        endInsertRows();
    }
    if (int(m_rows.size()) >= kMaxRows)
        m_nextCursor.clear();
}

void ReconciliationItemsModel::load(const QString &cursor)
{
    QUrlQuery query = m_filters;
    query.addQueryItem(u"limit"_s, QString::number(kPageSize));
    if (!cursor.isEmpty())
        query.addQueryItem(u"cursor"_s, cursor);
    const quint64 generation = m_generation;
    m_reply = m_session.api().get(
        u"/v1/reconciliation/items?"_s + query.toString(QUrl::FullyEncoded), this,
        [this, generation](const client::RestResult &result) {
            if (generation != m_generation)
                return; // a newer list replaced this one
            m_reply = nullptr;
            emit loadingChanged(false);
            if (!result.ok()) {
                if (result.failure != client::RestResult::Failure::Canceled) {
                    m_error = result.message;
                    emit failed(result.message);
                }
                if (m_loadAll) {
                    m_loadAll = false;
                    emit allLoaded(false);
                }
                return;
            }
            m_error.clear();
            appendPage(result.object());
            emit pageLoaded(int(m_rows.size()), hasMore());
            if (m_loadAll) {
                if (hasMore()) {
                    load(m_nextCursor);
                    return;
                }
                m_loadAll = false;
                emit allLoaded(true);
            }
        });
    emit loadingChanged(true);
}

void ReconciliationItemsModel::loadAll()
{
    m_loadAll = true;
    if (m_reply)
        return; // continues once the page on its way is here
    if (hasMore()) {
        load(m_nextCursor);
        return;
    }
    m_loadAll = false;
    emit allLoaded(m_error.isEmpty());
}

int ReconciliationItemsModel::rowOf(const QString &id) const
{
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows.at(row).value(u"id"_s).toString() == id)
            return row;
    return -1;
}

void ReconciliationItemsModel::updateItem(const QJsonObject &item)
{
    const int row = rowOf(item.value(u"id"_s).toString());
    if (row < 0)
        return;
    m_rows[row] = item;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int ReconciliationItemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ReconciliationItemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReconciliationItemsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const QJsonObject &item = m_rows.at(index.row());
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

bool ReconciliationItemsModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && hasMore() && !m_reply;
}

void ReconciliationItemsModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        load(m_nextCursor);
}

} // namespace paydesk::console
