#include "BenchDatabase.h"

#include "PgCluster.h"

#include "server/store/DatabaseConfig.h"

#include "common/crypto/Random.h"

#include <QCoreApplication>
#include <QDebug>
#include <QDir>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>


using namespace Qt::StringLiterals;

namespace paydesk::bench {

std::unique_ptr<DatabaseProvider> DatabaseProvider::create(const QString &spec, QString *error)
{
    std::unique_ptr<DatabaseProvider> provider(new DatabaseProvider);
    if (spec.isEmpty() || spec == u"sqlite"_s)
        return provider;
    if (spec == u"postgresql"_s || spec == u"postgres"_s) {
        provider->m_kind = Kind::OwnCluster;
        // Durable, unlike the test suite's clusters: the bench compares commits with SQLite's.
        provider->m_cluster = std::make_unique<test::PgCluster>(test::PgCluster::Durability::Durable);
        if (!provider->m_cluster->start(error))
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
    case Kind::OwnCluster: return m_cluster->createDatabase(name, error);
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
