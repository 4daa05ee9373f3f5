#include "server/store/Migrator.h"

#include "common/crypto/Digest.h"
#include "server/store/Sql.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QMap>
#include <QLoggingCategory>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMigrations, "paydesk.store.migrations")

namespace paydesk {

QList<Migration> Migrator::available(bool sqlite)
{
    // SQL both dialects accept lives once, in common/; a dialect's own file of the same name
    // takes its place where the dialects differ.
    const QString dialect = sqlite ? u":/migrations/sqlite"_s : u":/migrations/postgresql"_s;
    const QString common = u":/migrations/common"_s;
    static const QRegularExpression pattern(u"^(\\d{4})_([a-z0-9_]+)\\.sql$"_s);
    QMap<QString, QString> folderOf;
    for (const QString &file : QDir(common).entryList({u"*.sql"_s}, QDir::Files, QDir::Name))
        folderOf.insert(file, common);
    for (const QString &file : QDir(dialect).entryList({u"*.sql"_s}, QDir::Files, QDir::Name))
        folderOf.insert(file, dialect);
    QList<Migration> migrations;
    for (auto it = folderOf.cbegin(); it != folderOf.cend(); ++it) {
        const QString &file = it.key();
        const QString &folder = it.value();
        const QRegularExpressionMatch match = pattern.match(file);
        if (!match.hasMatch())
            throw MigrationError((u"badly named migration "_s + file).toStdString());
        QFile f(folder + u'/' + file);
        if (!f.open(QIODevice::ReadOnly))
            throw MigrationError((u"cannot read migration "_s + file).toStdString());
        Migration migration;
        migration.version = match.captured(1).toInt();
        migration.name = match.captured(2);
        migration.sql = f.readAll();
        migration.checksum = Digest::sha256Hex(migration.sql);
        if (!migrations.isEmpty() && migrations.constLast().version + 1 != migration.version)
            throw MigrationError((u"migration versions must be consecutive at "_s + file).toStdString());
        migrations.append(std::move(migration));
    }
    return migrations;
}

QStringList Migrator::splitStatements(const QByteArray &sql)
{
    QStringList statements;
    QString current;
    for (const QString &line : QString::fromUtf8(sql).split(u'\n')) {
        const QString trimmed = line.trimmed();
        if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith(u"--"_s)))
            continue;
        current += line + u'\n';
        if (trimmed.endsWith(u';')) {
            statements.append(current.trimmed());
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        statements.append(current.trimmed());
    return statements;
}

namespace {

void ensureMigrationTable(const QSqlDatabase &db)
{
    if (db.tables().contains(u"schema_migrations"_s))
        return;
    sqlExecRaw(db,
               u"CREATE TABLE IF NOT EXISTS schema_migrations ("
               " version INTEGER PRIMARY KEY,"
               " name TEXT NOT NULL,"
               " checksum TEXT NOT NULL,"
               " applied_at TEXT NOT NULL)"_s);
}

} // namespace

int Migrator::currentVersion(const QSqlDatabase &db)
{
    if (!db.tables().contains(u"schema_migrations"_s))
        return 0;
    QSqlQuery query = sqlExec(db, u"SELECT COALESCE(MAX(version), 0) FROM schema_migrations"_s);
    return query.next() ? query.value(0).toInt() : 0;
}

Migrator::Outcome Migrator::migrate(const QSqlDatabase &db, bool sqlite)
{
    const QList<Migration> migrations = available(sqlite);
    const int known = migrations.isEmpty() ? 0 : migrations.constLast().version;

    // One instance migrates at a time: the exclusive transaction (SQLite) or advisory lock
    // (PostgreSQL) is held while the state is read and every pending migration applied.
    sqlExecRaw(db, sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s);
    try {
        if (!sqlite)
            sqlExecRaw(db, u"SELECT pg_advisory_xact_lock(727368)"_s);
        ensureMigrationTable(db);
        Outcome outcome;
        QHash<int, QByteArray> appliedChecksums;
        QSqlQuery query = sqlExec(db, u"SELECT version, checksum FROM schema_migrations ORDER BY version"_s);
        while (query.next()) {
            appliedChecksums.insert(query.value(0).toInt(), query.value(1).toByteArray());
            outcome.fromVersion = std::max(outcome.fromVersion, query.value(0).toInt());
        }
        if (outcome.fromVersion > known) {
            throw MigrationError(u"the database schema is at version %1 but this paydesk-server knows only up to %2; "
                                 "run a newer paydesk-server"_s.arg(outcome.fromVersion)
                                     .arg(known)
                                     .toStdString());
        }
        for (const Migration &migration : migrations) {
            if (appliedChecksums.contains(migration.version)) {
                if (appliedChecksums.value(migration.version) != migration.checksum) {
                    throw MigrationError(u"migration %1_%2 differs from the one applied to this database"_s
                                             .arg(migration.version, 4, 10, QChar(u'0'))
                                             .arg(migration.name)
                                             .toStdString());
                }
                continue;
            }
            for (const QString &statement : splitStatements(migration.sql))
                sqlExecRaw(db, statement);
            sqlExec(db, u"INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"_s,
                    {migration.version, migration.name, QString::fromLatin1(migration.checksum),
                     QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)});
            outcome.applied.append(migration.name);
            qCInfo(lcMigrations).noquote() << "applied migration" << migration.version << migration.name;
        }
        outcome.toVersion = std::max(outcome.fromVersion, known);
        sqlExecRaw(db, u"COMMIT"_s);
        return outcome;
    } catch (...) {
        QSqlQuery(db).exec(u"ROLLBACK"_s);
        throw;
    }
}

} // namespace paydesk
