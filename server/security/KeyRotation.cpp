#include "server/security/KeyRotation.h"

#include "server/security/FieldCipher.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"

#include <QLoggingCategory>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {
Q_LOGGING_CATEGORY(lcRotation, "paydesk.security.rotation")

constexpr int kMaxBatch = 1000;
} // namespace

ReencryptBatch reencryptBatch(const QSqlDatabase &db, const FieldCipher &cipher, const EncryptedColumn &column,
                              const std::optional<QString> &afterPrimaryKey, int limit)
{
    limit = std::clamp(limit, 1, kMaxBatch);
    const bool sqlite = db.driverName() == u"QSQLITE"_s;
    // Identifiers come from the EncryptedColumns registry, never from input.
    const QString prefix = u"v1."_s + cipher.currentKeyId() + u'.';
    QString select = u"SELECT %1, %2 FROM %3 WHERE %2 IS NOT NULL AND substr(%2, 1, %4) <> ?"_s.arg(
        column.primaryKey, column.column, column.table, QString::number(prefix.size()));
    QVariantList binds{prefix};
    if (afterPrimaryKey) {
        select += u" AND %1 > ?"_s.arg(column.primaryKey);
        binds.append(*afterPrimaryKey);
    }
    select += u" ORDER BY %1 LIMIT %2"_s.arg(column.primaryKey).arg(limit);
    if (!sqlite)
        select += u" FOR UPDATE"_s;

    struct Row
    {
        QString primaryKey;
        QString value;
    };
    QList<Row> rows;
    {
        QSqlQuery query = sqlExec(db, select, binds);
        while (query.next())
            rows.append({query.value(0).toString(), query.value(1).toString()});
    }

    ReencryptBatch batch;
    batch.rows = int(rows.size());
    const QString update
        = u"UPDATE %1 SET %2 = ? WHERE %3 = ? AND %2 = ?"_s.arg(column.table, column.column, column.primaryKey);
    for (const Row &row : std::as_const(rows)) {
        batch.lastPrimaryKey = row.primaryKey;
        const QString context = column.context(row.primaryKey);
        const CryptoResult<QByteArray> plaintext = cipher.decryptWithReason(row.value, context);
        if (!plaintext) {
            ++batch.unreadable;
            qCWarning(lcRotation).noquote() << "cannot re-encrypt" << context << "-" << plaintext.error();
            continue;
        }
        const QString fresh = cipher.encrypt(*plaintext, context);
        if (sqlExec(db, update, {fresh, row.primaryKey, row.value}).numRowsAffected() == 1)
            ++batch.reencrypted;
    }
    return batch;
}

QList<ReencryptCount> reencryptAll(Database &database, const FieldCipher &cipher, int batchSize)
{
    const QSqlDatabase db = database.openConnection(u"reencrypt"_s);
    const bool sqlite = database.isSqlite();
    QList<ReencryptCount> counts;
    for (const EncryptedColumn &column : EncryptedColumns::all()) {
        ReencryptCount count{column.table, column.column};
        std::optional<QString> after;
        for (;;) {
            ReencryptBatch batch;
            sqlExecRaw(db, sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s);
            try {
                batch = reencryptBatch(db, cipher, column, after, batchSize);
                sqlExecRaw(db, u"COMMIT"_s);
            } catch (...) {
                QSqlQuery(db).exec(u"ROLLBACK"_s);
                releaseFailedStatements();
                throw;
            }
            count.reencrypted += batch.reencrypted;
            count.unreadable += batch.unreadable;
            if (batch.rows < std::clamp(batchSize, 1, kMaxBatch))
                break;
            after = batch.lastPrimaryKey;
        }
        counts.append(count);
    }
    return counts;
}

} // namespace paydesk
