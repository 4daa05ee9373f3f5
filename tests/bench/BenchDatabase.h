#pragma once

// Where the bench's servers keep their data. Every scenario gets a new, empty database:
//   sqlite          a file in the scenario's data directory (the server's own pragmas: WAL,
//                   synchronous=FULL, so every commit is durable)
//   postgresql      a database in a throwaway local cluster that this object starts and removes;
//                   unlike the test suite's cluster it keeps fsync and full_page_writes on, so
//                   commits are as durable as SQLite's
//   postgresql://…  a database created on that existing server (the URL's user must be allowed
//                   to CREATE DATABASE) and dropped again at the end
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace paydesk::test {
class PgCluster;
}

namespace paydesk::bench {

class DatabaseProvider final
{
public:
    /// spec: "sqlite", "postgresql" or a postgresql:// URL; nullptr with error when unusable.
    static std::unique_ptr<DatabaseProvider> create(const QString &spec, QString *error);
    ~DatabaseProvider();
    DatabaseProvider(const DatabaseProvider &) = delete;
    DatabaseProvider &operator=(const DatabaseProvider &) = delete;

    bool isPostgres() const { return m_kind != Kind::Sqlite; }
    /// "sqlite" or "postgresql", for reports.
    QString backend() const { return isPostgres() ? QStringLiteral("postgresql") : QStringLiteral("sqlite"); }
    /// A --db value for a new, empty database; SQLite files go into dataDir.
    QString newDatabase(const QString &dataDir, QString *error);
    /// Drops what newDatabase created on an existing server (the servers must have stopped).
    void dropCreated();

private:
    enum class Kind { Sqlite, OwnCluster, ExistingServer };
    DatabaseProvider() = default;
    bool execute(const QString &sql, QString *error);

    Kind m_kind = Kind::Sqlite;
    QString m_url; ///< the existing server's URL (its database is where CREATE DATABASE runs)
    std::unique_ptr<test::PgCluster> m_cluster; ///< Kind::OwnCluster

    int m_counter = 0;
    QStringList m_created;
};

} // namespace paydesk::bench
