#include "server/app/MaintenanceCommands.h"

#include "server/app/ServerConfig.h"
#include "server/audit/AuditLog.h"
#include "server/security/FieldCipher.h"
#include "server/security/KeyRotation.h"
#include "server/store/Database.h"
#include "server/store/DatabaseConfig.h"
#include "server/store/Migrator.h"
#include "server/store/Sql.h"

#include <QJsonArray>
#include <QJsonObject>

#include <exception>
#include <memory>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFound = 1; // the command ran and found a problem
constexpr int kExitFailed = 2; // the command could not do its work

// The configured database with its schema brought up to date, or null with error set.
std::unique_ptr<Database> openMigrated(const ServerConfig &config, QString *error)
{
    const std::optional<DatabaseConfig> dbConfig = DatabaseConfig::parse(config.database, config.dataDir, error);
    if (!dbConfig)
        return nullptr;
    auto database = std::make_unique<Database>(*dbConfig);
    Migrator::migrate(database->threadConnection(), database->isSqlite());
    return database;
}

void recordRotation(Database &database, const QString &oldKeyId, const QString &newKeyId,
                    const QList<ReencryptCount> &counts)
{
    QJsonArray columns;
    for (const ReencryptCount &count : counts) {
        columns.append(QJsonObject{{u"column"_s, count.table + u'.' + count.column},
                                   {u"reencrypted"_s, count.reencrypted},
                                   {u"unreadable"_s, count.unreadable}});
    }
    AuditEntry entry;
    entry.actorType = u"cli"_s;
    entry.actorId = u"paydesk-server"_s;
    entry.action = u"field_key.rotated"_s;
    entry.targetType = u"field_key"_s;
    entry.targetId = newKeyId;
    entry.details = QJsonObject{{u"retired_key_id"_s, oldKeyId}, {u"columns"_s, columns}};

    const QSqlDatabase db = database.threadConnection();
    sqlExecRaw(db, database.isSqlite() ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s);
    try {
        AuditLog::append(db, entry);
        sqlExecRaw(db, u"COMMIT"_s);
    } catch (...) {
        QSqlQuery(db).exec(u"ROLLBACK"_s);
        throw;
    }
}

} // namespace

int runKeysRotate(const ServerConfig &config, QTextStream &out)
{
    try {
        QString error;
        // The database first: rotating a key for data that cannot be reached would only leave
        // every value under a retired key.
        const std::unique_ptr<Database> database = openMigrated(config, &error);
        if (!database) {
            out << "keys rotate: " << error << Qt::endl;
            return kExitFailed;
        }
        const std::unique_ptr<FieldCipher> before = FieldCipher::load(config.dataDir, &error);
        if (!before) {
            out << "keys rotate: " << error << Qt::endl;
            return kExitFailed;
        }
        const std::optional<QString> newKeyId = FieldCipher::rotate(config.dataDir, &error);
        if (!newKeyId) {
            out << "keys rotate: " << error << Qt::endl;
            return kExitFailed;
        }
        const std::unique_ptr<FieldCipher> cipher = FieldCipher::load(config.dataDir, &error);
        if (!cipher) {
            out << "keys rotate: " << error << Qt::endl;
            return kExitFailed;
        }
        out << "new field key " << *newKeyId << "; " << before->currentKeyId() << " moved to keys/retired/" << Qt::endl;

        const QList<ReencryptCount> counts = reencryptAll(*database, *cipher);
        qint64 unreadable = 0;
        for (const ReencryptCount &count : counts) {
            out << "  " << count.table << '.' << count.column << ": " << count.reencrypted << " re-encrypted";
            if (count.unreadable > 0)
                out << ", " << count.unreadable << " could not be decrypted";
            out << Qt::endl;
            unreadable += count.unreadable;
        }
        recordRotation(*database, before->currentKeyId(), *newKeyId, counts);
        if (unreadable > 0) {
            out << unreadable
                << " values were left as they were: the key they name is missing or they were altered "
                   "(the server log names each row)"
                << Qt::endl;
            return kExitFound;
        }
        out << "retired keys stay in keys/retired/ so that backups made before now can still be read" << Qt::endl;
        return kExitOk;
    } catch (const std::exception &e) {
        out << "keys rotate: " << QString::fromLocal8Bit(e.what()) << Qt::endl;
        return kExitFailed;
    }
}

int runAuditVerify(const ServerConfig &config, QTextStream &out)
{
    try {
        QString error;
        const std::unique_ptr<Database> database = openMigrated(config, &error);
        if (!database) {
            out << "audit verify: " << error << Qt::endl;
            return kExitFailed;
        }
        const AuditVerification result = AuditLog::verify(database->threadConnection());
        if (result.ok()) {
            out << "audit log OK: " << result.entries << " entries" << Qt::endl;
            return kExitOk;
        }
        out << "audit log BROKEN at seq " << result.brokenSeq << ": " << result.reason << Qt::endl;
        return kExitFound;
    } catch (const std::exception &e) {
        out << "audit verify: " << QString::fromLocal8Bit(e.what()) << Qt::endl;
        return kExitFailed;
    }
}

} // namespace paydesk
