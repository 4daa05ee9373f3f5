#pragma once

#include "server/store/DatabaseConfig.h"

#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QString>

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
    /// The calling thread's reader connection, opened on first use and reopened if it broke.
    QSqlDatabase threadConnection();
    /// Closes and forgets every connection opened through this object.
    void closeAll();

private:
    DatabaseConfig m_config;
    QString m_namePrefix;
    QMutex m_mutex;
    QHash<Qt::HANDLE, QString> m_threadConnections;
    QStringList m_allConnections;
};

} // namespace paydesk
