#include "server/audit/AuditLog.h"

#include "common/crypto/Digest.h"
#include "server/store/Sql.h"

#include <QDateTime>
#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

constexpr int kVerifyPage = 1000;

const QString kColumns = u"seq, at, actor_type, actor_id, action, target_type, target_id, details, address, "
                         u"request_id, prev_hash, hash"_s;

bool isSqlite(const QSqlDatabase &db)
{
    return db.driverName() == u"QSQLITE"_s;
}

// Never NULL (a null QString binds as SQL NULL) and never longer than the bound.
QString bounded(const QString &text)
{
    if (text.size() <= AuditLog::MaxFieldChars)
        return text.isNull() ? u""_s : text;
    return text.first(AuditLog::MaxFieldChars - 1) + u'\u2026';
}

QString detailsText(const QJsonObject &details)
{
    const QString text = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
    if (text.size() <= AuditLog::MaxDetailsChars)
        return text;
    // The event itself still gets recorded; only its oversized description is dropped.
    const QJsonObject replacement{{u"truncated"_s, true}, {u"chars"_s, text.size()}};
    return QString::fromUtf8(QJsonDocument(replacement).toJson(QJsonDocument::Compact));
}

void appendField(QByteArray &out, const QString &field)
{
    const QByteArray bytes = field.toUtf8();
    const quint32 size = quint32(bytes.size());
    out.append(char(size >> 24)).append(char(size >> 16)).append(char(size >> 8)).append(char(size));
    out.append(bytes);
}

AuditRecord readRecord(const QSqlQuery &query)
{
    AuditRecord record;
    record.seq = query.value(0).toLongLong();
    record.at = query.value(1).toLongLong();
    record.actorType = query.value(2).toString();
    record.actorId = query.value(3).toString();
    record.action = query.value(4).toString();
    record.targetType = query.value(5).toString();
    record.targetId = query.value(6).toString();
    record.details = query.value(7).toString();
    record.address = query.value(8).toString();
    record.requestId = query.value(9).toString();
    record.prevHash = query.value(10).toString();
    record.hash = query.value(11).toString();
    return record;
}

AuditVerification broken(AuditVerification::Problem problem, qint64 entries, qint64 seq, const QString &reason)
{
    AuditVerification result;
    result.problem = problem;
    result.entries = entries;
    result.brokenSeq = seq;
    result.reason = reason;
    return result;
}

} // namespace

QJsonObject AuditRecord::toJson() const
{
    const QJsonDocument parsed = QJsonDocument::fromJson(details.toUtf8());
    return QJsonObject{
        {u"seq"_s, seq},
        {u"at"_s, at},
        {u"actor_type"_s, actorType},
        {u"actor_id"_s, actorId},
        {u"action"_s, action},
        {u"target_type"_s, targetType},
        {u"target_id"_s, targetId},
        {u"details"_s, parsed.isObject() ? QJsonValue(parsed.object()) : QJsonValue(details)},
        {u"address"_s, address},
        {u"request_id"_s, requestId},
        {u"prev_hash"_s, prevHash},
        {u"hash"_s, hash},
    };
}

const QString &AuditLog::genesisHash()
{
    static const QString zeros(64, u'0');
    return zeros;
}

QString AuditLog::computeHash(const AuditRecord &record)
{
    // Length-prefixed fields: moving text from one field into its neighbour changes the bytes,
    // which plain concatenation would not.
    QByteArray encoded = "paydesk-audit-v1";
    appendField(encoded, record.prevHash);
    appendField(encoded, QString::number(record.seq));
    appendField(encoded, QString::number(record.at));
    appendField(encoded, record.actorType);
    appendField(encoded, record.actorId);
    appendField(encoded, record.action);
    appendField(encoded, record.targetType);
    appendField(encoded, record.targetId);
    appendField(encoded, record.details);
    appendField(encoded, record.address);
    appendField(encoded, record.requestId);
    return QString::fromLatin1(Digest::sha256Hex(encoded));
}

AuditRecord AuditLog::append(const QSqlDatabase &db, const AuditEntry &entry)
{
    AuditRecord record;
    {
        // The lock on the head row is what keeps two appenders (on PostgreSQL, possibly two
        // servers) from both extending the same entry.
        QSqlQuery head
            = sqlExec(db,
                      isSqlite(db) ? u"SELECT last_seq, last_hash FROM audit_head WHERE id = 1"_s
                                   : u"SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE"_s);
        if (!head.next())
            throw DatabaseError(u"audit_head has no row (is migration 0003 applied?)"_s, QSqlError());
        record.seq = head.value(0).toLongLong() + 1;
        record.prevHash = head.value(1).toString();
    }
    record.at = entry.at != 0 ? entry.at : QDateTime::currentMSecsSinceEpoch();
    record.actorType = bounded(entry.actorType);
    record.actorId = bounded(entry.actorId);
    record.action = bounded(entry.action);
    record.targetType = bounded(entry.targetType);
    record.targetId = bounded(entry.targetId);
    record.details = detailsText(entry.details);
    record.address = bounded(entry.address);
    record.requestId = bounded(entry.requestId);
    record.hash = computeHash(record);

    sqlExec(db, u"INSERT INTO audit_log ("_s + kColumns + u") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
            {record.seq, record.at, record.actorType, record.actorId, record.action, record.targetType, record.targetId,
             record.details, record.address, record.requestId, record.prevHash, record.hash});
    const QSqlQuery moved
        = sqlExec(db, u"UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1 AND last_seq = ?"_s,
                  {record.seq, record.hash, record.seq - 1});
    if (moved.numRowsAffected() != 1)
        throw DatabaseError(u"audit_head moved during an append"_s, QSqlError());
    return record;
}

AuditVerification AuditLog::verify(const QSqlDatabase &db)
{
    using Problem = AuditVerification::Problem;
    // The head is read first and the rows checked up to it, so entries that a running server
    // appends meanwhile are left for the next run instead of looking like a broken end.
    QSqlQuery head = sqlExec(db, u"SELECT last_seq, last_hash FROM audit_head WHERE id = 1"_s);
    if (!head.next())
        return broken(Problem::HeadMismatch, 0, 1, u"audit_head has no row"_s);
    const qint64 headSeq = head.value(0).toLongLong();
    const QString headHash = head.value(1).toString();
    head.finish();

    qint64 entries = 0;
    qint64 lastSeq = 0; // of the last row checked
    QString lastHash = genesisHash();
    for (;;) {
        // Paged by seq rather than one result set: QPSQL would otherwise hold the whole log in
        // memory. The first page has no lower bound, so rows with seq <= 0 are seen too.
        const bool first = entries == 0;
        QSqlQuery query = sqlExec(db,
                                  u"SELECT "_s + kColumns + u" FROM audit_log WHERE seq <= ?"_s
                                      + (first ? QString() : u" AND seq > ?"_s) + u" ORDER BY seq LIMIT "_s
                                      + QString::number(kVerifyPage),
                                  first ? QVariantList{headSeq} : QVariantList{headSeq, lastSeq});
        int rows = 0;
        while (query.next()) {
            ++rows;
            const AuditRecord record = readRecord(query);
            const qint64 expected = lastSeq + 1;
            if (record.seq != expected) {
                const QString reason = record.seq > expected
                    ? u"entry %1 is missing (the next one is %2)"_s.arg(expected).arg(record.seq)
                    : u"unexpected entry %1 before entry %2"_s.arg(record.seq).arg(expected);
                return broken(Problem::Gap, entries, expected, reason);
            }
            if (record.prevHash != lastHash) {
                return broken(
                    Problem::PrevMismatch, entries, record.seq,
                    u"entry %1 does not chain to entry %2 (prev_hash differs)"_s.arg(record.seq).arg(lastSeq));
            }
            if (computeHash(record) != record.hash) {
                return broken(Problem::HashMismatch, entries, record.seq,
                              u"entry %1 was altered (its hash does not match its content)"_s.arg(record.seq));
            }
            lastSeq = record.seq;
            lastHash = record.hash;
            ++entries;
        }
        if (rows < kVerifyPage)
            break;
    }

    if (lastSeq != headSeq) {
        return broken(
            Problem::HeadMismatch, entries, lastSeq + 1,
            u"the log ends at entry %1 but audit_head says it goes on to entry %2"_s.arg(lastSeq).arg(headSeq));
    }
    if (lastHash != headHash) {
        return broken(Problem::HeadMismatch, entries, lastSeq,
                      u"audit_head's hash differs from the hash of entry %1"_s.arg(lastSeq));
    }
    AuditVerification result;
    result.entries = entries;
    return result;
}

QList<AuditRecord> AuditLog::list(const QSqlDatabase &db, qint64 afterSeq, int limit, const AuditFilter &filter)
{
    QString sql = u"SELECT "_s + kColumns + u" FROM audit_log WHERE seq > ?"_s;
    QVariantList binds{afterSeq};
    const auto equals = [&](const QString &column, const QString &value) {
        if (value.isEmpty())
            return;
        sql += u" AND "_s + column + u" = ?"_s;
        binds.append(value);
    };
    equals(u"actor_type"_s, filter.actorType);
    equals(u"actor_id"_s, filter.actorId);
    equals(u"action"_s, filter.action);
    equals(u"target_type"_s, filter.targetType);
    equals(u"target_id"_s, filter.targetId);
    if (filter.fromAt != 0) {
        sql += u" AND at >= ?"_s;
        binds.append(filter.fromAt);
    }
    if (filter.toAt != 0) {
        sql += u" AND at < ?"_s;
        binds.append(filter.toAt);
    }
    sql += u" ORDER BY seq LIMIT "_s + QString::number(std::clamp(limit, 1, MaxListLimit));

    QList<AuditRecord> records;
    QSqlQuery query = sqlExec(db, sql, binds);
    while (query.next())
        records.append(readRecord(query));
    return records;
}

} // namespace paydesk
