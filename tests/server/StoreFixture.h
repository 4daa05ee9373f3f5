#pragma once

#include "PgCluster.h"

#include "server/store/Database.h"
#include "server/store/DatabaseConfig.h"
#include "server/store/Migrator.h"

#include <QDebug>

#include <QTemporaryDir>

#include <memory>

namespace paydesk::test {

/// A fresh database on the backend the ctest entry names: an SQLite file in a temporary
/// directory, or a new database in a throwaway PostgreSQL cluster.
class StoreFixture final
{
public:
    bool setUp(QString *error)
    {
        if (testBackend() == QLatin1String("postgresql")) {
            m_cluster = std::make_unique<PgCluster>();
            if (!m_cluster->start(error))
                return false;
        }
        return true;
    }

    /// A database spec (SQLite path or URL) for a new, empty database.
    QString newDatabaseSpec(QString *error)
    {
        const QString name = QStringLiteral("db%1").arg(++m_counter);
        if (m_cluster) {
            m_lastName = name;
            return m_cluster->createDatabase(name, error);
        }
        return m_dir.filePath(name + QStringLiteral(".sqlite3"));
    }

    std::unique_ptr<Database> newDatabase(QString *error)
    {
        const QString spec = newDatabaseSpec(error);
        if (spec.isEmpty())
            return nullptr;
        const auto config = DatabaseConfig::parse(spec, m_dir.path(), error);
        if (!config)
            return nullptr;
        return std::make_unique<Database>(*config);
    }

    /// A new database with every migration applied; nullptr (and a warning) when it cannot be made.
    std::unique_ptr<Database> newMigratedDatabase()
    {
        QString error;
        auto database = newDatabase(&error);
        if (!database) {
            qWarning() << error;
            return nullptr;
        }
        Migrator::migrate(database->threadConnection(), database->isSqlite());
        return database;
    }

    QString dir() const { return m_dir.path(); }
    /// pg_dump of the newest PostgreSQL database (empty for SQLite).
    QByteArray dump() { return m_cluster ? m_cluster->dump(m_lastName) : QByteArray(); }
    bool isPostgres() const { return m_cluster != nullptr; }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<PgCluster> m_cluster;
    int m_counter = 0;
    QString m_lastName;
};

} // namespace paydesk::test
