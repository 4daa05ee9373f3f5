#pragma once

// A table of JSON rows paged from the server with keyset cursors: the first page on search(), the
// next one when the view scrolls near the end (fetchMore), or every page for an export (loadAll).
// A subclass names the path, the columns and how a row is shown.

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QPointer>
#include <QUrlQuery>

#include <QNetworkReply>

namespace paydesk::console {

class ConsoleSession;

class KeysetListModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeysetListModel)

public:
    static constexpr int kPageSize = 100;
    static constexpr int kMaxRows = 100'000; ///< a list never holds more than this in memory

    /// path: the list's endpoint ("/v1/console/orders"); keyField: the field that names a row.
    KeysetListModel(ConsoleSession &session, QString path, QString keyField, QObject *parent = nullptr);

    /// Starts a new list with these filters (the API's query parameters, without limit/cursor).
    void search(const QUrlQuery &filters);
    QUrlQuery filters() const { return m_filters; }
    /// The query of a page: filters (+ the subclass's ordering) + limit (+ cursor).
    QUrlQuery pageQuery(const QString &cursor, int limit) const;
    /// Appends one answer of the list ({"items": [...], "next_cursor": "..."}).
    void appendPage(const QJsonObject &page);
    /// Loads every page not yet loaded (up to kMaxRows), then emits allLoaded.
    void loadAll();
    bool isLoading() const { return m_reply != nullptr; }
    bool hasMore() const { return !m_nextCursor.isEmpty(); }
    QString lastError() const { return m_error; }
    const QList<QJsonObject> &items() const { return m_rows; }
    /// The row whose key field is this key, or -1.
    int rowOf(const QString &key) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

signals:
    void loadingChanged(bool loading);
    void pageLoaded(int rows, bool more);
    void failed(const QString &message);
    /// After loadAll: every page is here (ok), or one could not be loaded.
    void allLoaded(bool ok);

protected:
    /// Adds what orders the list (sort, order) to a page's query; nothing by default.
    virtual void addOrdering(QUrlQuery &query) const;
    QJsonObject rowAt(int row) const { return m_rows.value(row); }
    /// Replaces the row with the same key after it changed; a row not shown is ignored.
    void updateRow(const QJsonObject &row);

private:
    void load(const QString &cursor);

    ConsoleSession &m_session;
    const QString m_path;
    const QString m_keyField;
    QUrlQuery m_filters;
    QList<QJsonObject> m_rows;
    QString m_nextCursor;
    QString m_error;
    QPointer<QNetworkReply> m_reply;
    quint64 m_generation = 0;
    bool m_loadAll = false;
};

} // namespace paydesk::console
