#include "server/store/Sql.h"

#include <vector>

using namespace Qt::StringLiterals;

namespace paydesk {

DatabaseError::DatabaseError(const QString &what, QSqlError error)
    : std::runtime_error((what + u": "_s + error.text()).toStdString()), m_error(std::move(error))
{
}

bool DatabaseError::isUniqueViolation() const
{
    const QString code = m_error.nativeErrorCode();
    return code == u"23505"_s || code == u"2067"_s || code == u"1555"_s;
}

bool DatabaseError::isLockConflict() const
{
    const QString code = m_error.nativeErrorCode();
    return code == u"55P03"_s || code == u"40P01"_s || code == u"40001"_s || code == u"5"_s;
}

namespace {
thread_local std::vector<QSqlQuery> t_failedStatements;
thread_local StatementCache *t_cache = nullptr;
constexpr int kMaxCachedStatements = 512;
}

StatementCache::StatementCache(const QSqlDatabase &db, Install install) : m_connection(db.connectionName())
{
    if (install == Install::Now) {
        Q_ASSERT(!t_cache);
        t_cache = this;
    }
}

StatementCache *StatementCache::current()
{
    return t_cache;
}

StatementScope::StatementScope(StatementCache &cache)
{
    if (t_cache)
        return; // the thread's own cache (the writer's), or an enclosing scope, stays
    t_cache = &cache;
    m_installed = &cache;
}

StatementScope::~StatementScope()
{
    if (!m_installed)
        return;
    m_installed->reset();
    t_cache = nullptr;
}

StatementCache::~StatementCache()
{
    clear();
    if (t_cache == this)
        t_cache = nullptr;
}

void StatementCache::reset()
{
    for (auto &[sql, query] : m_statements)
        query.finish();
}

void StatementCache::clear()
{
    m_statements.clear();
}

void releaseFailedStatements()
{
    t_failedStatements.clear();
}

QSqlQuery sqlExec(const QSqlDatabase &db, const QString &sql, const QVariantList &binds)
{
    if (t_cache && db.connectionName() == t_cache->m_connection) {
        auto it = t_cache->m_statements.find(sql);
        if (it == t_cache->m_statements.end() && t_cache->m_statements.size() < kMaxCachedStatements) {
            QSqlQuery prepared(db);
            prepared.setForwardOnly(true);
            if (!prepared.prepare(sql))
                throw DatabaseError(u"prepare failed"_s, prepared.lastError());
            it = t_cache->m_statements.emplace(sql, std::move(prepared)).first;
        }
        if (it != t_cache->m_statements.end()) {
            QSqlQuery &cached = it->second;
            for (qsizetype i = 0; i < binds.size(); ++i)
                cached.bindValue(int(i), binds.at(i));
            if (!cached.exec()) {
                DatabaseError error(u"statement failed"_s, cached.lastError());
                if (t_failedStatements.size() < 64)
                    t_failedStatements.push_back(std::move(cached));
                t_cache->m_statements.erase(it); // prepared again next time
                throw error;
            }
            // The caller reads this execution's result through a second handle on the same
            // prepared statement: sharing it is the point of the cache, so the copy is wanted.
            QT_WARNING_PUSH
            QT_WARNING_DISABLE_DEPRECATED
            return QSqlQuery(cached);
            QT_WARNING_POP
        }
    }
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        throw DatabaseError(u"prepare failed"_s, query.lastError());
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (!query.exec()) {
        DatabaseError error(u"statement failed"_s, query.lastError());
        if (t_failedStatements.size() < 64)
            t_failedStatements.push_back(std::move(query));
        throw error;
    }
    return query;
}

void sqlExecRaw(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        throw DatabaseError(u"statement failed (%1)"_s.arg(sql.left(60)), query.lastError());
}

QSqlQuery sqlStream(const QSqlDatabase &db, const QString &sql, const QVariantList &binds)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        throw DatabaseError(QStringLiteral("prepare: ") + sql, query.lastError());
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (!query.exec())
        throw DatabaseError(QStringLiteral("statement failed: ") + sql, query.lastError());
    return query;
}

} // namespace paydesk
