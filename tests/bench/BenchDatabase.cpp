#include "BenchDatabase.h"

#include "PgCluster.h"

#include "server/store/DatabaseConfig.h"

#include "common/crypto/Random.h"

#include <QCoreApplication>
#include <QDebug>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

std::unique_ptr<DatabaseProvider> DatabaseProvider::create(const QString &spec, QString *error)
{
    std::unique_ptr<DatabaseProvider> provider(new DatabaseProvider);
    if (spec.isEmpty() || spec == u"sqlite"_s)
        return provider;
    if (spec == u"postgresql"_s || spec == u"postgres"_s) {
        provider->m_kind = Kind::OwnCluster;
        if (!provider->startCluster(error))
            return nullptr;
        return provider;
    }
    if (spec.startsWith(u"postgresql://"_s) || spec.startsWith(u"postgres://"_s)) {
        provider->m_kind = Kind::ExistingServer;
        provider->m_url = spec;
        if (!provider->execute(u"SELECT 1"_s, error))
            return nullptr;
        return provider;
    }
    *error = u"--db must be sqlite, postgresql (a throwaway local cluster) or a postgresql:// URL"_s;
    return nullptr;
}

DatabaseProvider::~DatabaseProvider()
{
    dropCreated();
    if (m_started) {
        QString ignored;
        run(m_binDir + u"/pg_ctl"_s,
            {u"-D"_s, m_clusterDir->path() + u"/data"_s, u"-m"_s, u"fast"_s, u"-w"_s, u"stop"_s}, &ignored);
    }
}

bool DatabaseProvider::run(const QString &program, const QStringList &arguments, QString *error, int timeoutMs)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    if (m_asPostgresUser)
        process.start(u"runuser"_s, QStringList{u"-u"_s, u"postgres"_s, u"--"_s, program} + arguments);
    else
        process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0) {
        *error = u"%1 failed: %2"_s.arg(program, QString::fromLocal8Bit(process.readAll()).right(2000));
        return false;
    }
    return true;
}

bool DatabaseProvider::startCluster(QString *error)
{
    const QStringList versions
        = QDir(u"/usr/lib/postgresql"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    for (const QString &version : versions) {
        if (QFile::exists(u"/usr/lib/postgresql/%1/bin/initdb"_s.arg(version))) {
            m_binDir = u"/usr/lib/postgresql/%1/bin"_s.arg(version);
            break;
        }
    }
    if (m_binDir.isEmpty()) {
        *error = u"PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/install-deps.sh)"_s;
        return false;
    }
    m_clusterDir = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/paydesk-bench-pg-XXXXXX"_s);
    if (!m_clusterDir->isValid()) {
        *error = u"cannot create a temporary directory"_s;
        return false;
    }
    m_asPostgresUser = ::geteuid() == 0; // initdb and postgres refuse to run as root
    if (m_asPostgresUser)
        QProcess::execute(u"chown"_s, {u"postgres:postgres"_s, m_clusterDir->path()});
    const QString data = m_clusterDir->path() + u"/data"_s;
    // No --no-sync and no fsync=off: the bench compares durable commits with SQLite's.
    if (!run(m_binDir + u"/initdb"_s,
             {u"-D"_s, data, u"-U"_s, u"paydesk"_s, u"-A"_s, u"trust"_s, u"-E"_s, u"UTF8"_s, u"--locale=C"_s}, error))
        return false;
    for (int attempt = 0; attempt < 5 && !m_started; ++attempt) {
        m_port = paydesk::test::freeLoopbackPort();
        const QString options = u"-p %1 -k %2 -c listen_addresses=127.0.0.1 -c max_connections=300"_s.arg(m_port).arg(
            m_clusterDir->path());
        m_started = run(m_binDir + u"/pg_ctl"_s,
                        {u"-D"_s, data, u"-o"_s, options, u"-l"_s, m_clusterDir->path() + u"/server.log"_s, u"-w"_s,
                         u"-t"_s, u"60"_s, u"start"_s},
                        error);
    }
    return m_started;
}

bool DatabaseProvider::execute(const QString &sql, QString *error)
{
    const auto config = DatabaseConfig::parse(m_url, QDir::tempPath(), error);
    if (!config)
        return false;
    const QString name = u"paydesk-bench-admin-"_s + Random::alphanumeric(8);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(config->driverName(), name);
        db.setHostName(config->host);
        db.setPort(config->port);
        db.setUserName(config->user);
        db.setPassword(config->password);
        db.setDatabaseName(config->database);
        db.setConnectOptions(config->connectOptions);
        if (!db.open()) {
            *error = u"cannot connect to %1: %2"_s.arg(config->displayName(), db.lastError().text());
        } else {
            QSqlQuery query(db);
            ok = query.exec(sql);
            if (!ok)
                *error = u"%1: %2"_s.arg(sql, query.lastError().text());
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QString DatabaseProvider::newDatabase(const QString &dataDir, QString *error)
{
    const QString name = u"paydesk_bench_%1_%2"_s.arg(QCoreApplication::applicationPid()).arg(++m_counter);
    switch (m_kind) {
    case Kind::Sqlite: return dataDir + u"/paydesk.sqlite3"_s;
    case Kind::OwnCluster:
        if (!run(m_binDir + u"/createdb"_s,
                 {u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_port), u"-U"_s, u"paydesk"_s, name}, error))
            return {};
        return u"postgresql://paydesk@127.0.0.1:%1/%2"_s.arg(m_port).arg(name);
    case Kind::ExistingServer: {
        if (!execute(u"CREATE DATABASE "_s + name, error))
            return {};
        m_created.append(name);
        QUrl url(m_url);
        url.setPath(u"/"_s + name);
        return url.toString();
    }
    }
    return {};
}

void DatabaseProvider::dropCreated()
{
    for (const QString &name : std::as_const(m_created)) {
        QString error;
        if (!execute(u"DROP DATABASE IF EXISTS "_s + name, &error))
            qWarning().noquote() << "paydesk-bench: cannot drop" << name << ":" << error;
    }
    m_created.clear();
}

} // namespace paydesk::bench
