#pragma once

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace paydesk {

/// What happened, by whom, to what: one audit event as the code that records it describes it.
struct AuditEntry
{
    QString actorType; ///< "staff", "merchant" (an API key), "app_user", "system"
    QString actorId;
    QString action; ///< a dotted verb: "staff.login", "api_key.create", "refund.create"
    QString targetType;
    QString targetId;
    /// Stored as compact JSON. Never secrets; money as integer minor units plus currency.
    QJsonObject details;
    QString address; ///< the client's address, when there is a request
    QString requestId; ///< the X-Request-Id, to find the access log line
    qint64 at = 0; ///< milliseconds since the epoch (UTC); 0 means now
};

/// One stored row of the audit log.
struct AuditRecord
{
    qint64 seq = 0;
    qint64 at = 0;
    QString actorType;
    QString actorId;
    QString action;
    QString targetType;
    QString targetId;
    QString details; ///< the JSON text exactly as stored (and hashed)
    QString address;
    QString requestId;
    QString prevHash;
    QString hash;

    /// For the API: every column, details parsed back into an object.
    QJsonObject toJson() const;
};

/// Optional conditions for AuditLog::list(); empty strings and zero times do not filter.
struct AuditFilter
{
    QString actorType;
    QString actorId;
    QString action;
    QString targetType;
    QString targetId;
    qint64 fromAt = 0; ///< at >= fromAt
    qint64 toAt = 0; ///< at < toAt
};

/// The outcome of AuditLog::verify().
struct AuditVerification
{
    enum class Problem { None, HashMismatch, PrevMismatch, Gap, HeadMismatch };

    Problem problem = Problem::None;
    qint64 entries = 0; ///< rows checked (all of them when ok())
    qint64 brokenSeq = 0; ///< the first seq where the chain breaks
    QString reason; ///< human-readable, empty when ok()

    bool ok() const { return problem == Problem::None; }
};

/// The hash-chained audit log (tables audit_log and audit_head, migration 0003).
///
/// Each row's hash is SHA-256 over a length-prefixed encoding of the previous row's hash and of
/// every column, so changing, inserting or deleting a row is detected by verify() at that row,
/// and cutting rows off the end is detected through audit_head. Someone who can write the
/// database can still rebuild the whole chain; publishing the head hash elsewhere from time to
/// time (a later step) turns that into detectable tampering too.
class AuditLog final
{
public:
    AuditLog() = delete;

    /// The prev_hash of the first entry.
    static const QString &genesisHash();
    /// Text fields longer than this are cut (and marked) rather than failing the change they record.
    static constexpr qsizetype MaxFieldChars = 256;
    /// Details whose JSON is longer are replaced by {"truncated": true, "chars": N}.
    static constexpr qsizetype MaxDetailsChars = 16 * 1024;
    /// Upper bound on list()'s page size.
    static constexpr int MaxListLimit = 1000;

    /// Appends entry in the caller's transaction: call it inside the DbWriter unit that makes the
    /// change, so both commit or neither does. Locks audit_head until that transaction ends
    /// (SELECT ... FOR UPDATE on PostgreSQL, where several servers may append; SQLite's write
    /// transaction is exclusive already). Returns the stored row. Throws DatabaseError.
    static AuditRecord append(const QSqlDatabase &db, const AuditEntry &entry);

    /// Reads the rows up to the current head in seq order, a page at a time, and reports the first
    /// broken link, or OK with the number of rows. Safe beside running servers: what they append
    /// after the head was read is left for the next run. Throws DatabaseError.
    static AuditVerification verify(const QSqlDatabase &db);

    /// Up to limit rows (clamped to 1..MaxListLimit) with seq > afterSeq matching filter, oldest
    /// first; pass the last seq as afterSeq for the next page. Throws DatabaseError.
    static QList<AuditRecord> list(const QSqlDatabase &db, qint64 afterSeq, int limit, const AuditFilter &filter = {});

    /// The hash a row must carry: SHA-256 hex over its prev_hash and every other column.
    static QString computeHash(const AuditRecord &record);
};

} // namespace paydesk
