#pragma once

// Orders found by the console's search (GET /v1/console/orders), paged like every KeysetListModel.
// Sorting by creation time or amount is done by the server, so it holds over every page.

#include "KeysetListModel.h"

namespace paydesk::console {

class OrdersModel final : public KeysetListModel
{
    Q_OBJECT

public:
    enum Column { Created, OrderNo, OutTradeNo, Subject, Channel, Amount, Refunded, Status, ColumnCount };

    /// search() takes the API's query parameters without sort/cursor; a page adds sort + order.
    explicit OrdersModel(ConsoleSession &session, QObject *parent = nullptr);

    QJsonObject orderAt(int row) const { return rowAt(row); }
    /// Replaces a row's order after it changed (refund, close).
    void updateOrder(const QJsonObject &order) { updateRow(order); }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order) override;

    static QString statusTitle(const QString &status);
    static QString channelTitle(const QString &channel);

protected:
    void addOrdering(QUrlQuery &query) const override;

private:
    QString m_sortKey = QStringLiteral("created_at");
    Qt::SortOrder m_order = Qt::DescendingOrder;
};

} // namespace paydesk::console
