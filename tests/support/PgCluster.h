#pragma once

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace paydesk::test {

/// A throwaway PostgreSQL cluster for one test executable: initdb + pg_ctl on a free loopback
/// port, removed when the object is destroyed. As root (CI) it runs the server binaries as the
/// `postgres` system user, which owns the cluster's directory.
class PgCluster final
{
public:
    enum class Durability {
        Fast, ///< fsync and full-page writes off: tests, where a crash loses nothing that matters
        Durable, ///< every commit on disk, as in production: benchmarks that compare with SQLite
    };

    explicit PgCluster(Durability durability = Durability::Fast);
    ~PgCluster();
    PgCluster(const PgCluster &) = delete;
    PgCluster &operator=(const PgCluster &) = delete;

    /// Starts the cluster; false with error set when PostgreSQL is missing or fails to start.
    bool start(QString *error);
    /// Creates a fresh database and returns its postgresql:// URL.
    QString createDatabase(const QString &name, QString *error);
    int port() const { return m_port; }
    /// pg_dump of a database as plain SQL (what an attacker with a backup would read).
    QByteArray dump(const QString &name);

private:
    bool run(const QString &program, const QStringList &arguments, QString *error, int timeoutMs = 60'000);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_binDir;
    int m_port = 0;
    bool m_asPostgresUser = false;
    bool m_started = false;
    Durability m_durability;
};

/// The backend the current ctest entry asked for (PAYDESK_TEST_DB): "sqlite" or "postgresql".
QString testBackend();

/// A free TCP port on 127.0.0.1 (bound and released; good enough for tests on one machine).
int freeLoopbackPort();

} // namespace paydesk::test
