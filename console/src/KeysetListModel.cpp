#include "KeysetListModel.h"

#include "ConsoleSession.h"

#include <QJsonArray>
#include <QNetworkReply>

#include <utility>

using namespace Qt::StringLiterals;

namespace paydesk::console {

KeysetListModel::KeysetListModel(ConsoleSession &session, QString path, QString keyField, QObject *parent)
    : QAbstractTableModel(parent), m_session(session), m_path(std::move(path)), m_keyField(std::move(keyField))
{
}

void KeysetListModel::addOrdering(QUrlQuery &) const
{
}

QUrlQuery KeysetListModel::pageQuery(const QString &cursor, int limit) const
{
    QUrlQuery query = m_filters;
    addOrdering(query);
    query.addQueryItem(u"limit"_s, QString::number(limit));
    if (!cursor.isEmpty())
        query.addQueryItem(u"cursor"_s, cursor);
    return query;
}

void KeysetListModel::search(const QUrlQuery &filters)
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

void KeysetListModel::appendPage(const QJsonObject &page)
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

void KeysetListModel::load(const QString &cursor)
{
    const quint64 generation = m_generation;
    m_reply = m_session.api().get(m_path + u'?' + pageQuery(cursor, kPageSize).toString(QUrl::FullyEncoded), this,
                                  [this, generation](const client::RestResult &result) {
                                      if (generation != m_generation)
                                          return; // a newer search replaced this one
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

void KeysetListModel::loadAll()
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

int KeysetListModel::rowOf(const QString &key) const
{
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows.at(row).value(m_keyField).toString() == key)
            return row;
    return -1;
}

void KeysetListModel::updateRow(const QJsonObject &row)
{
    const int at = rowOf(row.value(m_keyField).toString());
    if (at < 0)
        return;
    m_rows[at] = row;
    emit dataChanged(index(at, 0), index(at, columnCount() - 1));
}

int KeysetListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

bool KeysetListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && hasMore() && !m_reply;
}

void KeysetListModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        load(m_nextCursor);
}

} // namespace paydesk::console
