#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <stdexcept>

namespace paydesk {

/// A versioned schema change, read from the resources (:/migrations/<dialect>/NNNN_name.sql).
struct Migration
{
    int version = 0;
    QString name;
    QByteArray sql;
    QByteArray checksum; ///< SHA-256 hex of the file, to notice an edited migration
};

class MigrationError final : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// Brings a database to the schema this binary knows, one transaction per migration; refuses a
/// database whose schema is newer than the binary or whose applied migrations were altered.
class Migrator final
{
public:
    struct Outcome
    {
        int fromVersion = 0;
        int toVersion = 0;
        QStringList applied;
    };

    static QList<Migration> available(bool sqlite);
    static Outcome migrate(const QSqlDatabase &db, bool sqlite);
    /// Version of the newest applied migration, 0 for an empty database.
    static int currentVersion(const QSqlDatabase &db);
    /// Splits a migration file into statements at lines that end with ';'.
    static QStringList splitStatements(const QByteArray &sql);
};

} // namespace paydesk
