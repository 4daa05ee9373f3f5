#pragma once

#include "server/store/DatabaseConfig.h"
#include "server/store/Sql.h"

#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>
#include <unordered_map>

namespace paydesk {

/// Opens and configures QtSql connections to one database. QtSql connections belong to the
/// thread that opened them, so readers get one per thread; the writer opens its own.
class Database final
{
    Q_DISABLE_COPY_MOVE(Database)

public:
    explicit Database(DatabaseConfig config);
    ~Database();

    const DatabaseConfig &config() const { return m_config; }
    bool isSqlite() const { return m_config.isSqlite(); }

    /// A new connection with Paydesk's settings (WAL, synchronous=FULL, busy timeout, foreign
    /// keys on SQLite). Throws DatabaseError when it cannot be opened.
    QSqlDatabase openConnection(const QString &purpose);
    /// Applies Paydesk's settings to an open connection (openConnection does; a reopened one needs
    /// them again).
    void configure(const QSqlDatabase &db, const QString &purpose);
    /// The calling thread's reader connection, opened on first use and reopened if it broke.
    QSqlDatabase threadConnection();
    /// Closes and forgets every connection opened through this object.
    void closeAll();

    /// While it lives, the calling thread's reader connection keeps its statements prepared
    /// (they are prepared once per thread, not once per request) and every one is reset when
    /// it ends, so no read snapshot outlives it. Request handlers run inside one; nested
    /// scopes, and threads with a cache of their own (the writer), are left as they are.
    class ReadScope final
    {
    public:
        explicit ReadScope(Database &database);
        ~ReadScope();
        Q_DISABLE_COPY_MOVE(ReadScope)

    private:
        std::optional<StatementScope> m_scope;
    };

private:
    /// The calling thread's reader statements (kept here, not by the thread, so that closeAll()
    /// can drop them before the connections they were prepared on).
    StatementCache &readerStatements();

    DatabaseConfig m_config;
    QString m_namePrefix;
    QMutex m_mutex;
    QHash<Qt::HANDLE, QString> m_threadConnections;
    QStringList m_allConnections;
    std::unordered_map<Qt::HANDLE, std::unique_ptr<StatementCache>> m_readerStatements;
};

} // namespace paydesk
