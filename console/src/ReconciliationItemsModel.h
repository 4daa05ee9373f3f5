#pragma once

// Discrepancy items of the reconciliation (GET /v1/reconciliation/items), paged from the server with
// keyset cursors like the orders: the first page on search(), the next one when the view scrolls
// near the end (fetchMore), or every page for an export (loadAll).

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QPointer>
#include <QUrlQuery>

#include <QNetworkReply>

namespace paydesk::console {

class ConsoleSession;

class ReconciliationItemsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Created, Channel, Kind, Key, LocalAmount, ChannelAmount, Status, Resolution, ColumnCount };
    static constexpr int kPageSize = 100;
    static constexpr int kMaxRows = 100'000; ///< a list never holds more than this in memory

    explicit ReconciliationItemsModel(ConsoleSession &session, QObject *parent = nullptr);

    /// Starts a new list with these filters (date, channel_id, kind, status; without limit/cursor).
    void search(const QUrlQuery &filters);
    QUrlQuery filters() const { return m_filters; }
    /// Appends one answer of GET /v1/reconciliation/items ({"items": [...], "next_cursor": "..."}).
    void appendPage(const QJsonObject &page);
    /// Loads every page not yet loaded (up to kMaxRows), then emits allLoaded.
    void loadAll();
    bool isLoading() const { return m_reply != nullptr; }
    bool hasMore() const { return !m_nextCursor.isEmpty(); }
    QString lastError() const { return m_error; }
    const QList<QJsonObject> &items() const { return m_rows; }
    QJsonObject itemAt(int row) const { return m_rows.value(row); }
    int rowOf(const QString &id) const;
    /// Replaces a row's item after it changed (resolved).
    void updateItem(const QJsonObject &item);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    /// The text of a cell as shown (tests, the PDF).
    static QString text(const QJsonObject &item, Column column);
    static QString kindTitle(const QString &kind);
    static QString statusTitle(const QString &status);
    static QString resolutionTitle(const QString &resolution);
    /// A channel account id as shown; "internal" is the internal checks.
    static QString channelTitle(const QString &channelId);
    /// The item's key: the order or refund number, else the channel's trade number.
    static QString keyText(const QJsonObject &item);
    /// An amount that may be null (the side that lacks the record): "—" then.
    static QString amountText(const QJsonValue &fen);
    /// The kinds a person filters by, and the resolutions a person may choose, in the API's words.
    static const QStringList &kinds();
    static const QStringList &manualResolutions();

signals:
    void loadingChanged(bool loading);
    void pageLoaded(int rows, bool more);
    void failed(const QString &message);
    /// After loadAll: every page is here (ok), or one could not be loaded.
    void allLoaded(bool ok);

private:
    void load(const QString &cursor);

    ConsoleSession &m_session;
    QUrlQuery m_filters;
    QList<QJsonObject> m_rows;
    QString m_nextCursor;
    QString m_error;
    QPointer<QNetworkReply> m_reply;
    quint64 m_generation = 0;
    bool m_loadAll = false;
};

} // namespace paydesk::console
