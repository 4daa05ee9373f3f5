#include "OrdersModel.h"

#include "MoneyText.h"

#include <QColor>
#include <QDateTime>

using namespace Qt::StringLiterals;

namespace paydesk::console {

OrdersModel::OrdersModel(ConsoleSession &session, QObject *parent)
    : KeysetListModel(session, u"/v1/console/orders"_s, u"order_no"_s, parent)
{
}

QString OrdersModel::statusTitle(const QString &status)
{
    if (status == u"CREATED"_s)
        return tr("Created");
    if (status == u"PAYING"_s)
        return tr("Waiting for payment");
    if (status == u"SUCCESS"_s)
        return tr("Paid");
    if (status == u"PARTIALLY_REFUNDED"_s)
        return tr("Partially refunded");
    if (status == u"REFUNDED"_s)
        return tr("Refunded");
    if (status == u"CLOSED"_s)
        return tr("Closed");
    if (status == u"ABNORMAL"_s)
        return tr("Needs attention");
    return status;
}

QString OrdersModel::channelTitle(const QString &channel)
{
    if (channel == u"alipay"_s)
        return tr("Alipay");
    if (channel == u"wechat"_s)
        return tr("WeChat Pay");
    return channel;
}

void OrdersModel::addOrdering(QUrlQuery &query) const
{
    query.addQueryItem(u"sort"_s, m_sortKey);
    query.addQueryItem(u"order"_s, m_order == Qt::AscendingOrder ? u"asc"_s : u"desc"_s);
}

int OrdersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OrdersModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= items().size())
        return {};
    const QJsonObject &order = items().at(index.row());
    if (role == Qt::TextAlignmentRole) {
        if (index.column() == Amount || index.column() == Refunded)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
    if (role == Qt::UserRole)
        return order.value(u"order_no"_s).toString();
    if (role == Qt::ForegroundRole && index.column() == Status) {
        const QString status = order.value(u"status"_s).toString();
        if (status == u"ABNORMAL"_s)
            return QColor(0xc6, 0x28, 0x28);
        if (status == u"SUCCESS"_s)
            return QColor(0x2e, 0x7d, 0x32);
        return {};
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Created:
        return QDateTime::fromMSecsSinceEpoch(order.value(u"created_at"_s).toInteger())
            .toString(u"yyyy-MM-dd HH:mm:ss"_s);
    case OrderNo:
        return order.value(u"order_no"_s).toString();
    case OutTradeNo:
        return order.value(u"out_trade_no"_s).toString();
    case Subject:
        return order.value(u"subject"_s).toString();
    case Channel:
        return channelTitle(order.value(u"channel"_s).toString());
    case Amount:
        return formatFen(order.value(u"amount"_s).toInteger());
    case Refunded: {
        const qint64 refunded = order.value(u"refunded_amount"_s).toInteger();
        return refunded > 0 ? formatFen(refunded) : QString();
    }
    case Status:
        return statusTitle(order.value(u"status"_s).toString());
    default:
        return {};
    }
}

QVariant OrdersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole && (section == Amount || section == Refunded))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && section != Created && section != Amount)
        return tr("Sort by creation time or amount");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Created:
        return tr("Created", "column: when the order was created");
    case OrderNo:
        return tr("Order no.");
    case OutTradeNo:
        return tr("Merchant order no.");
    case Subject:
        return tr("Subject");
    case Channel:
        return tr("Channel");
    case Amount:
        return tr("Amount (¥)");
    case Refunded:
        return tr("Refunded (¥)");
    case Status:
        return tr("Status");
    default:
        return {};
    }
}

void OrdersModel::sort(int column, Qt::SortOrder order)
{
    // The server sorts by creation time or amount (with the order number breaking ties).
    const QString key = column == Amount ? u"amount"_s : u"created_at"_s;
    if (key == m_sortKey && order == m_order)
        return;
    m_sortKey = key;
    m_order = order;
    search(filters());
}

} // namespace paydesk::console
