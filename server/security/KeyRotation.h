#pragma once

#include "server/security/EncryptedColumns.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace paydesk {

class Database;
class FieldCipher;

/// What re-encryption did to one registered column.
struct ReencryptCount
{
    QString table;
    QString column;
    qint64 reencrypted = 0; ///< values moved to the current key
    qint64 unreadable = 0; ///< values that did not decrypt (key missing, altered); left as they were
};

/// The outcome of one batch of one column.
struct ReencryptBatch
{
    int rows = 0; ///< rows looked at; fewer than the limit means the column is done
    qint64 reencrypted = 0;
    qint64 unreadable = 0;
    QString lastPrimaryKey; ///< where the next batch continues
};

/// Re-encrypts, inside the caller's transaction (a DbWriter unit, say), up to limit values of one
/// column that are not under the cipher's current key, in primary-key order after afterPrimaryKey
/// (from the start when nullopt). Rows are locked while they are rewritten (FOR UPDATE on
/// PostgreSQL; SQLite's write transaction is exclusive), and each UPDATE also requires the value it
/// read, so a concurrent change is never overwritten. Throws DatabaseError.
ReencryptBatch reencryptBatch(const QSqlDatabase &db, const FieldCipher &cipher, const EncryptedColumn &column,
                              const std::optional<QString> &afterPrimaryKey, int limit);

/// Moves every value of every registered column (EncryptedColumns::all()) to the cipher's current
/// key, batchSize rows per transaction, on a connection of its own, so that a running server
/// waits for one short transaction at a time rather than for the whole run. Throws DatabaseError;
/// the batches committed before a failure stay committed, which is safe (every value stays
/// readable under whichever key it is under) and a second run continues the work.
QList<ReencryptCount> reencryptAll(Database &database, const FieldCipher &cipher, int batchSize = 200);

} // namespace paydesk
