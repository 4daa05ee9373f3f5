#pragma once

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include <stdexcept>
#include <unordered_map>

namespace paydesk {

/// A failed SQL statement; carries the driver's error so callers can tell constraint violations.
class DatabaseError final : public std::runtime_error
{
public:
    DatabaseError(const QString &what, QSqlError error);
    const QSqlError &sqlError() const { return m_error; }
    /// A UNIQUE or PRIMARY KEY violation (SQLite extended codes 2067/1555, PostgreSQL 23505).
    bool isUniqueViolation() const;
    /// Lost a race for a row that another transaction holds: a lock wait that timed out, a
    /// deadlock or a serialization failure (PostgreSQL 55P03, 40P01, 40001; SQLite BUSY 5).
    bool isLockConflict() const;

private:
    QSqlError m_error;
};

/// Prepared statements of one connection, kept for the thread that uses it (the writer's, which
/// runs the same few dozen statements all day): while installed, sqlExec on that connection
/// prepares each SQL text once. A statement's result is valid until the same SQL runs again on
/// the thread, so read a result before running its statement again. reset() after each
/// transaction (no statement keeps a read snapshot open); clear() before the connection closes.
class StatementCache final
{
public:
    enum class Install { Now, Later };
    /// Installs itself for the calling thread, unless Later: then a StatementScope does, for a scope.
    explicit StatementCache(const QSqlDatabase &db, Install install = Install::Now);
    ~StatementCache();
    Q_DISABLE_COPY_MOVE(StatementCache)

    void reset();
    void clear();
    const QString &connectionName() const { return m_connection; }
    /// The cache installed for the calling thread, if any.
    static StatementCache *current();

private:
    friend class StatementScope;
    friend QSqlQuery sqlExec(const QSqlDatabase &db, const QString &sql, const QVariantList &binds);
    QString m_connection;
    std::unordered_map<QString, QSqlQuery> m_statements;
};

/// Installs a cache for the calling thread for as long as it lives (when none is installed), and
/// resets its statements when it ends, so that no read snapshot outlives the scope. A reader
/// thread (an HTTP worker) keeps its prepared statements across requests this way.
class StatementScope final
{
public:
    explicit StatementScope(StatementCache &cache);
    ~StatementScope();
    Q_DISABLE_COPY_MOVE(StatementScope)

private:
    StatementCache *m_installed = nullptr;
};

/// Prepares, binds positionally and runs one statement; throws DatabaseError on failure.
QSqlQuery sqlExec(const QSqlDatabase &db, const QString &sql, const QVariantList &binds = {});
/// Prepares and runs a forward-only statement, for results read once from start to end (large
/// scans): neither driver keeps the rows already read. Not cached; throws DatabaseError.
QSqlQuery sqlStream(const QSqlDatabase &db, const QString &sql, const QVariantList &binds = {});
/// Runs a statement that is not prepared (transaction control, PRAGMA, DDL).
void sqlExecRaw(const QSqlDatabase &db, const QString &sql);
/// Frees the statements that failed on this thread since the last call. PostgreSQL cannot
/// DEALLOCATE a prepared statement while its transaction is aborted, so sqlExec keeps failed
/// queries alive until the writer has rolled back (else each failure would leak one on the server).
void releaseFailedStatements();

} // namespace paydesk
