#pragma once

// Orders found by the console's search, paged from the server with keyset cursors: the first page
// on search(), the next one when the view scrolls near the end (fetchMore). Sorting by creation time
// or amount is done by the server, so it holds over every page.

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QPointer>
#include <QUrlQuery>

#include <QNetworkReply>

namespace paydesk::console {

class ConsoleSession;

class OrdersModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Created, OrderNo, OutTradeNo, Subject, Channel, Amount, Refunded, Status, ColumnCount };
    static constexpr int kPageSize = 100;
    static constexpr int kMaxRows = 100'000; ///< a search never holds more than this in memory

    explicit OrdersModel(ConsoleSession &session, QObject *parent = nullptr);

    /// Starts a new search with these filters (the API's query parameters, without sort/cursor).
    void search(const QUrlQuery &filters);
    QUrlQuery filters() const { return m_filters; }
    /// The query of a page: filters + sort + order + limit (+ cursor).
    QUrlQuery pageQuery(const QString &cursor, int limit) const;
    bool isLoading() const { return m_reply != nullptr; }
    QString lastError() const { return m_error; }
    QJsonObject orderAt(int row) const { return m_rows.value(row); }
    /// Replaces a row's order after it changed (refund, close).
    void updateOrder(const QJsonObject &order);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order) override;

    static QString statusTitle(const QString &status);
    static QString channelTitle(const QString &channel);

signals:
    void loadingChanged(bool loading);
    void searchFinished(int rows, bool more);
    void failed(const QString &message);

private:
    void load(const QString &cursor);

    ConsoleSession &m_session;
    QUrlQuery m_filters;
    QString m_sortKey = QStringLiteral("created_at");
    Qt::SortOrder m_order = Qt::DescendingOrder;
    QList<QJsonObject> m_rows;
    QString m_nextCursor;
    QString m_error;
    QPointer<QNetworkReply> m_reply;
    quint64 m_generation = 0;
};

} // namespace paydesk::console
