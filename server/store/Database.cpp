#include "server/store/Database.h"

#include "server/store/Sql.h"

#include <QAtomicInt>
#include <QDir>
#include <QFileInfo>
#include <QMutexLocker>
#include <QThread>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {
QAtomicInt s_instanceCounter;
}

Database::Database(DatabaseConfig config)
    : m_config(std::move(config)), m_namePrefix(u"paydesk-db%1-"_s.arg(s_instanceCounter.fetchAndAddRelaxed(1)))
{
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
    if (m_config.isSqlite()) {
        // WAL lets readers run beside the writer; FULL makes each commit durable (one fsync per
        // batch thanks to group commit).
        sqlExecRaw(db, u"PRAGMA journal_mode=WAL"_s);
        sqlExecRaw(db, u"PRAGMA synchronous=FULL"_s);
        sqlExecRaw(db, u"PRAGMA foreign_keys=ON"_s);
        sqlExecRaw(db, u"PRAGMA busy_timeout=10000"_s);
    } else {
        sqlExecRaw(db, u"SET TIME ZONE 'UTC'"_s);
    }
    return db;
}

QSqlDatabase Database::threadConnection()
{
    const Qt::HANDLE thread = QThread::currentThreadId();
    QString name;
    {
        QMutexLocker lock(&m_mutex);
        name = m_threadConnections.value(thread);
    }
    if (!name.isEmpty()) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen())
            return db;
        QSqlDatabase::removeDatabase(name);
    }
    QSqlDatabase db = openConnection(u"reader"_s);
    QMutexLocker lock(&m_mutex);
    m_threadConnections.insert(thread, db.connectionName());
    return db;
}

void Database::closeAll()
{
    QStringList names;
    {
        QMutexLocker lock(&m_mutex);
        names.swap(m_allConnections);
        m_threadConnections.clear();
    }
    // removeDatabase closes the driver; it needs no handle, so it works for connections that
    // were opened on worker threads as well.
    for (const QString &name : std::as_const(names))
        QSqlDatabase::removeDatabase(name);
}

} // namespace paydesk
