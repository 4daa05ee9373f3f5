#include "server/recon/ReconItems.h"

#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/payments/FlowSupport.h"
#include "server/store/Sql.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace paydesk::recon {

using flows::compact;
using flows::nullable;

namespace {

constexpr int kLookupChunk = 200; ///< keys per IN (…) list

QVariant optionalAmount(const std::optional<qint64> &amount)
{
    return amount ? QVariant(*amount) : QVariant(QMetaType(QMetaType::LongLong));
}

const QString kSystem = QStringLiteral("system");
const QString kAutomatic = QStringLiteral("Resolved automatically by the reconciliation run.");

} // namespace

QString placeholders(qsizetype count)
{
    QString text;
    text.reserve(count * 3);
    for (qsizetype i = 0; i < count; ++i)
        text += i == 0 ? u"?"_s : u", ?"_s;
    return text;
}

namespace {

QJsonObject itemJson(const QSqlQuery &row)
{
    const auto text = [&row](int column) {
        return row.value(column).isNull() ? QJsonValue() : QJsonValue(row.value(column).toString());
    };
    const auto number = [&row](int column) {
        return row.value(column).isNull() ? QJsonValue() : QJsonValue(row.value(column).toLongLong());
    };
    return QJsonObject{{u"id"_s, row.value(0).toString()},
                       {u"run_id"_s, row.value(1).toString()},
                       {u"date"_s, row.value(2).toString()},
                       {u"channel_id"_s, row.value(3).toString()},
                       {u"kind"_s, row.value(4).toString()},
                       {u"ref_type"_s, row.value(5).toString()},
                       {u"ref_id"_s, row.value(6).toString()},
                       {u"merchant_id"_s, text(7)},
                       {u"channel_trade_no"_s, text(8)},
                       {u"local_amount"_s, number(9)},
                       {u"channel_amount"_s, number(10)},
                       {u"local_status"_s, text(11)},
                       {u"channel_status"_s, text(12)},
                       {u"status"_s, row.value(13).toString()},
                       {u"message"_s, row.value(14).toString()},
                       {u"details"_s, QJsonDocument::fromJson(row.value(15).toString().toUtf8()).object()},
                       {u"resolution"_s, text(16)},
                       {u"note"_s, text(17)},
                       {u"resolved_by"_s, text(18)},
                       {u"resolved_at"_s, number(19)},
                       {u"created_at"_s, row.value(20).toLongLong()},
                       {u"updated_at"_s, row.value(21).toLongLong()}};
}

const QString kItemColumns = u"id, run_id, business_date, channel_id, kind, ref_type, ref_id, merchant_id,"
                             " channel_trade_no, local_amount, channel_amount, local_status, channel_status, status,"
                             " message, details, resolution, note, resolved_by, resolved_at, created_at, updated_at"_s;

} // namespace

QJsonObject ReconItems::list(const QSqlDatabase &db, const Query &query)
{
    QString sql = u"SELECT "_s + kItemColumns + u" FROM recon_items WHERE 1 = 1"_s;
    QVariantList binds;
    const auto filter = [&](const QString &value, const QString &clause) {
        if (!value.isEmpty()) {
            sql += clause;
            binds.append(value);
        }
    };
    filter(query.date, u" AND business_date = ?"_s);
    filter(query.channelId, u" AND channel_id = ?"_s);
    filter(query.kind, u" AND kind = ?"_s);
    filter(query.status, u" AND status = ?"_s);
    filter(query.runId, u" AND run_id = ?"_s);
    if (!query.cursor.isEmpty()) {
        static const QRegularExpression cursorPattern(u"^([0-9]{1,15})\\.([0-9A-Z]{1,32})$"_s);
        const QRegularExpressionMatch match = cursorPattern.match(query.cursor);
        if (!match.hasMatch())
            throw ApiError(ErrorCode::ValidationFailed, u"cursor is not one this server gave out."_s,
                           {{u"field"_s, u"cursor"_s}});
        sql += u" AND (created_at < ? OR (created_at = ? AND id < ?))"_s;
        const qint64 at = match.captured(1).toLongLong();
        binds << at << at << match.captured(2);
    }
    sql += u" ORDER BY created_at DESC, id DESC LIMIT ?"_s;
    binds.append(query.limit + 1);
    QSqlQuery rows = sqlExec(db, sql, binds);
    QJsonArray items;
    QString next;
    while (rows.next()) {
        if (items.size() == query.limit) {
            const QJsonObject last = items.last().toObject();
            next = u"%1.%2"_s.arg(last.value(u"created_at"_s).toInteger()).arg(last.value(u"id"_s).toString());
            break;
        }
        items.append(itemJson(rows));
    }
    return QJsonObject{{u"items"_s, items}, {u"next_cursor"_s, next.isEmpty() ? QJsonValue() : QJsonValue(next)}};
}

QJsonObject ReconItems::get(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery row = sqlExec(db, u"SELECT "_s + kItemColumns + u" FROM recon_items WHERE id = ?"_s, {id});
    if (!row.next())
        throw ApiError(ErrorCode::NotFound, u"No reconciliation item %1."_s.arg(id));
    return itemJson(row);
}

const QStringList &ReconItems::manualResolutions()
{
    static const QStringList resolutions{u"ADJUSTED"_s,    u"REFUNDED"_s,  u"CHANNEL_ERROR"_s,
                                         u"WRITTEN_OFF"_s, u"DUPLICATE"_s, u"OTHER"_s};
    return resolutions;
}

QJsonObject ReconItems::resolve(const QSqlDatabase &db, const QString &id, const QString &resolution,
                                const QString &note, const QString &by, qint64 nowMs)
{
    if (!manualResolutions().contains(resolution))
        throw ApiError(ErrorCode::ValidationFailed,
                       u"resolution must be one of %1."_s.arg(manualResolutions().join(u", "_s)),
                       {{u"field"_s, u"resolution"_s}});
    const QString trimmed = note.trimmed();
    if (trimmed.isEmpty() || trimmed.size() > 500)
        throw ApiError(ErrorCode::ValidationFailed, u"note must say what was done, in 1 to 500 characters."_s,
                       {{u"field"_s, u"note"_s}});
    const QJsonObject current = get(db, id);
    if (current.value(u"status"_s).toString() == u"RESOLVED"_s)
        throw ApiError(ErrorCode::Conflict, u"This item is resolved already (%1)."_s.arg(
                                                current.value(u"resolution"_s).toString()));
    const qint64 now = nowMs;
    QSqlQuery update = sqlExec(db,
                               u"UPDATE recon_items SET status = 'RESOLVED', resolution = ?, note = ?, resolved_by = ?,"
                               " resolved_at = ?, updated_at = ? WHERE id = ? AND status <> 'RESOLVED'"_s,
                               {resolution, trimmed, by, now, now, id});
    if (update.numRowsAffected() != 1)
        throw ApiError(ErrorCode::Conflict, u"The item changed meanwhile; reload it."_s);
    return get(db, id);
}

void ReconItems::upsert(const QSqlDatabase &db, IdGenerator &ids, const QString &runId, const QString &date,
                        const QString &channelId, const QList<PlannedItem> &items, qint64 nowMs)
{
    const qint64 now = nowMs;
    for (const PlannedItem &item : items) {
        QSqlQuery existing = sqlExec(db,
                                     u"SELECT id, status, resolution FROM recon_items WHERE channel_id = ?"
                                     " AND kind = ? AND ref_type = ? AND ref_id = ?"_s,
                                     {channelId, item.kind, item.refType, item.refId});
        if (!existing.next()) {
            const bool resolved = item.status == u"RESOLVED"_s;
            sqlExec(db,
                    u"INSERT INTO recon_items (id, run_id, business_date, channel_id, kind, ref_type, ref_id,"
                    " merchant_id, channel_trade_no, local_amount, channel_amount, local_status,"
                    " channel_status, status, message, details, resolution, note, resolved_by,"
                    " resolved_at, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                    {ids.next(), runId, date, channelId, item.kind, item.refType, item.refId,
                     nullable(item.merchantId), nullable(item.channelTradeNo),
                     optionalAmount(item.localAmount), optionalAmount(item.channelAmount),
                     nullable(item.localStatus), nullable(item.channelStatus), item.status, item.message,
                     compact(item.details), nullable(item.resolution),
                     resolved ? QVariant(kAutomatic)
                              : QVariant(QMetaType(QMetaType::QString)),
                     resolved ? QVariant(kSystem) : QVariant(QMetaType(QMetaType::QString)),
                     resolved ? QVariant(now) : QVariant(QMetaType(QMetaType::LongLong)), now, now});
            continue;
        }
        const QString id = existing.value(0).toString();
        const QString status = existing.value(1).toString();
        const QString resolution = existing.value(2).toString();
        existing.finish();
        if (status == u"RESOLVED"_s && resolution != u"CLEARED_ON_RERUN"_s)
            continue; // a person's (or an earlier repair's) decision stands
        // An item a later day's run opened stays open; otherwise it takes what this run found.
        const QString newStatus
            = status == u"OPEN"_s && item.status == u"CARRIED"_s ? u"OPEN"_s : item.status;
        const bool resolved = newStatus == u"RESOLVED"_s;
        sqlExec(db,
                u"UPDATE recon_items SET run_id = ?, merchant_id = ?, channel_trade_no = ?, local_amount = ?,"
                " channel_amount = ?, local_status = ?, channel_status = ?, status = ?, message = ?,"
                " details = ?, resolution = ?, note = ?, resolved_by = ?, resolved_at = ?, updated_at = ?"
                " WHERE id = ?"_s,
                {runId, nullable(item.merchantId), nullable(item.channelTradeNo),
                 optionalAmount(item.localAmount), optionalAmount(item.channelAmount),
                 nullable(item.localStatus), nullable(item.channelStatus), newStatus, item.message,
                 compact(item.details), resolved ? QVariant(item.resolution) : QVariant(QMetaType(QMetaType::QString)),
                 resolved ? QVariant(kAutomatic)
                          : QVariant(QMetaType(QMetaType::QString)),
                 resolved ? QVariant(kSystem) : QVariant(QMetaType(QMetaType::QString)),
                 resolved ? QVariant(now) : QVariant(QMetaType(QMetaType::LongLong)), now, id});
    }
}

void ReconItems::clearStale(const QSqlDatabase &db, const QString &channelId, const QString &date, qint64 runStamp,
                            qint64 nowMs)
{
    if (date.isEmpty())
        sqlExec(db,
                u"UPDATE recon_items SET status = 'RESOLVED', resolution = 'CLEARED_ON_RERUN',"
                " note = 'No longer found by the internal checks.', resolved_by = ?, resolved_at = ?,"
                " updated_at = ? WHERE channel_id = ? AND status IN ('OPEN', 'CARRIED') AND updated_at < ?"_s,
                {kSystem, nowMs, nowMs, channelId, runStamp});
    else
        sqlExec(db,
                u"UPDATE recon_items SET status = 'RESOLVED', resolution = 'CLEARED_ON_RERUN',"
                " note = 'No longer found when the day was reconciled again.', resolved_by = ?,"
                " resolved_at = ?, updated_at = ? WHERE business_date = ? AND channel_id = ? AND"
                " status IN ('OPEN', 'CARRIED') AND kind <> 'CROSS_DAY' AND updated_at < ?"_s,
                {kSystem, nowMs, nowMs, date, channelId, runStamp});
}

void ReconItems::settleBookedLater(const QSqlDatabase &db, const QString &channelId, const QString &date,
                                   const QList<std::pair<QString, QString>> &keys, qint64 nowMs)
{
    for (const auto &[refType, key] : keys)
        sqlExec(db,
                u"UPDATE recon_items SET status = 'RESOLVED', resolution = 'BOOKED_NEXT_DAY', note = ?,"
                " resolved_by = ?, resolved_at = ?, updated_at = ? WHERE channel_id = ? AND"
                " kind = 'MISSING_CHANNEL' AND ref_type = ? AND ref_id = ? AND status <> 'RESOLVED'"_s,
                {u"In the channel's bill of %1."_s.arg(date), kSystem, nowMs, nowMs, channelId, refType, key});
}

QList<ReconItems::Carried> ReconItems::openCarried(const QSqlDatabase &db, const QString &channelId,
                                                   const QString &date, qint64 nowMs)
{
    QList<Carried> open;
    {
        QSqlQuery carried = sqlExec(db,
                                    u"SELECT id, ref_type, ref_id, business_date, local_amount FROM recon_items"
                                    " WHERE channel_id = ? AND kind = 'MISSING_CHANNEL' AND status = 'CARRIED' AND"
                                    " business_date < ? LIMIT 1000"_s,
                                    {channelId, date});
        while (carried.next())
            open.append({carried.value(0).toString(), carried.value(1).toString(), carried.value(2).toString(),
                         carried.value(3).toString(), carried.value(4).toLongLong()});
    }
    for (const Carried &item : std::as_const(open))
        sqlExec(db, u"UPDATE recon_items SET status = 'OPEN', message = ?, updated_at = ? WHERE id = ?"_s,
                {u"Paydesk booked this %1 on %2; it is in neither that day's bill nor the next."_s.arg(
                     item.refType == u"refund"_s ? u"refund"_s : u"payment"_s, item.date),
                 nowMs, item.id});
    return open;
}

QSet<QString> ReconItems::crossDayKeys(const QSqlDatabase &db, const QString &channelId, const QString &refType,
                                       const QStringList &keys)
{
    QSet<QString> found;
    for (qsizetype start = 0; start < keys.size(); start += kLookupChunk) {
        const QStringList chunk = keys.mid(start, kLookupChunk);
        QVariantList binds{channelId, refType};
        for (const QString &key : chunk)
            binds.append(key);
        QSqlQuery rows = sqlExec(db,
                                 u"SELECT ref_id FROM recon_items WHERE channel_id = ? AND kind = 'CROSS_DAY'"
                                 " AND ref_type = ? AND ref_id IN (%1)"_s.arg(placeholders(chunk.size())),
                                 binds);
        while (rows.next())
            found.insert(rows.value(0).toString());
    }
    return found;
}

ReconItems::Counts ReconItems::count(const QSqlDatabase &db, const QString &channelId, const QString &date,
                                     bool internal)
{
    Counts counts;
    QSqlQuery rows = sqlExec(db,
                             internal ? u"SELECT kind, status, COUNT(*) FROM recon_items WHERE channel_id = ?"
                                        " AND (business_date = ? OR status <> 'RESOLVED') AND"
                                        " COALESCE(resolution, '') <> 'CLEARED_ON_RERUN' GROUP BY kind, status"_s
                                      : u"SELECT kind, status, COUNT(*) FROM recon_items WHERE channel_id = ?"
                                        " AND business_date = ? AND kind <> 'CROSS_DAY' AND"
                                        " COALESCE(resolution, '') <> 'CLEARED_ON_RERUN' GROUP BY kind, status"_s,
                             {channelId, date});
    while (rows.next()) {
        const QString kind = rows.value(0).toString();
        const qint64 count = rows.value(2).toLongLong();
        counts.byKind.insert(kind, counts.byKind.value(kind).toInteger() + count);
        counts.total += count;
        if (rows.value(1).toString() == u"OPEN"_s)
            counts.open += count;
        else if (rows.value(1).toString() == u"CARRIED"_s)
            counts.carried += count;
    }
    return counts;
}

QList<QStringList> ReconItems::takeUnalerted(const QSqlDatabase &db, qint64 createdBefore)
{
    QList<QStringList> found;
    {
        QSqlQuery rows = sqlExec(db,
                                 u"SELECT id, business_date, channel_id, kind, ref_type, ref_id FROM recon_items"
                                 " WHERE status = 'OPEN' AND created_at < ? AND alerted = 0"
                                 " ORDER BY created_at LIMIT 100"_s,
                                 {createdBefore});
        while (rows.next())
            found.append({rows.value(0).toString(), rows.value(1).toString(), rows.value(2).toString(),
                          rows.value(3).toString(), rows.value(4).toString(), rows.value(5).toString()});
    }
    for (const QStringList &item : std::as_const(found))
        sqlExec(db, u"UPDATE recon_items SET alerted = 1 WHERE id = ?"_s, {item.at(0)});
    return found;
}

} // namespace paydesk::recon
