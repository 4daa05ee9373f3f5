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

namespace {
thread_local std::vector<QSqlQuery> t_failedStatements;
}

void releaseFailedStatements()
{
    t_failedStatements.clear();
}

QSqlQuery sqlExec(const QSqlDatabase &db, const QString &sql, const QVariantList &binds)
{
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

} // namespace paydesk
