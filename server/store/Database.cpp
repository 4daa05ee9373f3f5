#include "server/store/Database.h"

#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QAtomicInt>
#include <QDir>
#include <QFileInfo>
#include <QMutexLocker>
#include <QThread>

#include <sqlite3.h>

#include <mutex>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {
QAtomicInt s_instanceCounter;
}

Database::ReadScope::ReadScope(Database &database)
{
    if (StatementCache::current())
        return;
    m_scope.emplace(database.readerStatements());
}

Database::ReadScope::~ReadScope() = default;

Database::Database(DatabaseConfig config)
    : m_config(std::move(config)), m_namePrefix(u"paydesk-db%1-"_s.arg(s_instanceCounter.fetchAndAddRelaxed(1)))
{
    // SQLite counts every allocation under one process-wide mutex, which the writer and the
    // readers then queue on; Paydesk never reads those counts. Possible only before SQLite's
    // first use in the process (else SQLITE_MISUSE, and the counting stays: harmless).
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

Database::~Database()
{
    closeAll();
}

QSqlDatabase Database::openConnection(const QString &purpose)
{
    QString name;
    {
        QMutexLocker lock(&m_mutex);
        name = m_namePrefix + purpose + u'-' + QString::number(m_allConnections.size());
        m_allConnections.append(name);
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(m_config.driverName(), name);
    if (m_config.isSqlite()) {
        QDir().mkpath(QFileInfo(m_config.sqlitePath).absolutePath());
        db.setDatabaseName(m_config.sqlitePath);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
    } else {
        db.setHostName(m_config.host);
        db.setPort(m_config.port);
        db.setUserName(m_config.user);
        db.setPassword(m_config.password);
        db.setDatabaseName(m_config.database);
        db.setConnectOptions(m_config.connectOptions);
    }
    if (!db.open())
        throw DatabaseError(u"cannot open %1"_s.arg(m_config.displayName()), db.lastError());
    configure(db, purpose);
    return db;
}

void Database::configure(const QSqlDatabase &db, const QString &purpose)
{
    if (m_config.isSqlite()) {
        // WAL lets readers run beside the writer; FULL makes each commit durable (one fsync per
        // batch thanks to group commit).
        sqlExecRaw(db, u"PRAGMA journal_mode=WAL"_s);
        sqlExecRaw(db, u"PRAGMA synchronous=FULL"_s);
        sqlExecRaw(db, u"PRAGMA foreign_keys=ON"_s);
        sqlExecRaw(db, u"PRAGMA busy_timeout=10000"_s);
        // One writer transaction carries a whole group commit (hundreds of payments): with the
        // default 2 MiB page cache its dirty pages spilled into the WAL before the commit and were
        // written twice. The cache grows only as pages are used.
        if (purpose == u"writer"_s)
            sqlExecRaw(db, u"PRAGMA cache_size=-32768"_s);
        // Statement journals (a statement's undo inside a long transaction) stay in memory
        // instead of spilling to a temporary file past 64 KiB.
        sqlExecRaw(db, u"PRAGMA temp_store=MEMORY"_s);
    } else {
        sqlExecRaw(db, u"SET TIME ZONE 'UTC'"_s);
    }
}

QSqlDatabase Database::threadConnection()
{
    // An answer made while a writer unit completes skips the wait for the log flush: it may tell
    // only of the unit's own result, never of what a reader sees by then (DbWriter).
    Q_ASSERT_X(!DbWriter::completingDurably(), "Database::threadConnection",
               "a reader used inside a writer unit's completion");
    const Qt::HANDLE thread = QThread::currentThreadId();
    QString name;
    {
        QMutexLocker lock(&m_mutex);
        name = m_threadConnections.value(thread);
    }
    if (!name.isEmpty()) {
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            if (db.isOpen())
                return db;
        }
        // Statements prepared on the old connection go first: they must not outlive its driver.
        std::unique_ptr<StatementCache> stale;
        {
            QMutexLocker lock(&m_mutex);
            if (auto it = m_readerStatements.find(thread); it != m_readerStatements.end()) {
                stale = std::move(it->second);
                m_readerStatements.erase(it);
            }
        }
        stale.reset();
        QSqlDatabase::removeDatabase(name);
    }
    QSqlDatabase db = openConnection(u"reader"_s);
    QMutexLocker lock(&m_mutex);
    m_threadConnections.insert(thread, db.connectionName());
    return db;
}

StatementCache &Database::readerStatements()
{
    const QSqlDatabase connection = threadConnection();
    const Qt::HANDLE thread = QThread::currentThreadId();
    QMutexLocker lock(&m_mutex);
    std::unique_ptr<StatementCache> &cache = m_readerStatements[thread];
    // A thread that reopened its connection (or a new thread with a reused id) starts afresh.
    if (!cache || cache->connectionName() != connection.connectionName())
        cache = std::make_unique<StatementCache>(connection, StatementCache::Install::Later);
    return *cache;
}

void Database::closeAll()
{
    QStringList names;
    std::unordered_map<Qt::HANDLE, std::unique_ptr<StatementCache>> statements;
    {
        QMutexLocker lock(&m_mutex);
        names.swap(m_allConnections);
        m_threadConnections.clear();
        statements.swap(m_readerStatements);
    }
    // The readers' prepared statements go before their connections (a statement outliving its
    // driver crashes in the driver). Their threads are idle by now: nothing else touches them.
    statements.clear();
    // removeDatabase closes the driver; it needs no handle, so it works for connections that
    // were opened on worker threads as well.
    for (const QString &name : std::as_const(names))
        QSqlDatabase::removeDatabase(name);
}

} // namespace paydesk
