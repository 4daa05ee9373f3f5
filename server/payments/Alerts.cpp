#include "server/payments/Alerts.h"

#include "common/crypto/Digest.h"
#include "common/util/IdGenerator.h"
#include "server/events/EventHub.h"
#include "server/payments/Outbox.h"
#include "server/store/Sql.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

const QString kColumns = u"id, kind, severity, ref_type, ref_id, message, details, status, created_at,"
                         " acknowledged_by, acknowledged_at"_s;

QJsonObject alertJson(const QSqlQuery &row)
{
    return QJsonObject{
        {u"id"_s, row.value(0).toString()},
        {u"kind"_s, row.value(1).toString()},
        {u"severity"_s, row.value(2).toString()},
        {u"ref_type"_s, row.value(3).toString()},
        {u"ref_id"_s, row.value(4).toString()},
        {u"message"_s, row.value(5).toString()},
        {u"details"_s, QJsonDocument::fromJson(row.value(6).toString().toUtf8()).object()},
        {u"status"_s, row.value(7).toString()},
        {u"created_at"_s, row.value(8).toLongLong()},
        {u"acknowledged_by"_s, row.value(9).isNull() ? QJsonValue() : QJsonValue(row.value(9).toString())},
        {u"acknowledged_at"_s, row.value(10).isNull() ? QJsonValue() : QJsonValue(row.value(10).toLongLong())},
    };
}

} // namespace

QString Alerts::raise(const QSqlDatabase &db, IdGenerator &alertIds, IdGenerator &outboxIds, const Raise &alert,
                      bool webhook, qint64 nowMs)
{
    const QString id = alertIds.next();
    // One alert per problem, yet an escalation (a higher severity) or a new fact (other details,
    // e.g. a further duplicate payment's trade number) is a new alert that reaches the admin.
    const QByteArray facts = QJsonDocument(alert.details).toJson(QJsonDocument::Compact);
    const QString key = alert.dedupeKey.isEmpty() ? alert.kind + u':' + alert.refType + u':' + alert.refId + u':'
            + alert.severity + u':' + QString::fromLatin1(Digest::sha256Hex(facts).left(16))
                                                  : alert.dedupeKey;
    QSqlQuery insert = sqlExec(
        db,
        u"INSERT INTO alerts (id, kind, severity, ref_type, ref_id, message, details, dedupe_key, status,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'OPEN', ?) ON CONFLICT (dedupe_key) DO NOTHING"_s,
        {id, alert.kind, alert.severity, alert.refType.isNull() ? u""_s : alert.refType,
         alert.refId.isNull() ? u""_s : alert.refId, alert.message.left(1000),
         QString::fromUtf8(QJsonDocument(alert.details).toJson(QJsonDocument::Compact)), key.left(300), nowMs});
    if (insert.numRowsAffected() != 1)
        return {};
    // Consoles of platform staff update their alert badge at once.
    EventHub::publish(db, u"platform"_s, u"alert.raised"_s,
                      QJsonObject{{u"id"_s, id},
                                  {u"kind"_s, alert.kind},
                                  {u"severity"_s, alert.severity},
                                  {u"ref_type"_s, alert.refType},
                                  {u"ref_id"_s, alert.refId},
                                  {u"message"_s, alert.message.left(1000)}},
                      nowMs);
    if (webhook)
        Outbox::schedule(db, outboxIds, u"alert.webhook"_s, id, {}, nowMs, nowMs);
    return id;
}

QJsonArray Alerts::list(const QSqlDatabase &db, const QString &status, const QString &kind, int limit,
                        const QString &before)
{
    QString sql = u"SELECT "_s + kColumns + u" FROM alerts WHERE 1 = 1"_s;
    QVariantList binds;
    if (!status.isEmpty()) {
        sql += u" AND status = ?"_s;
        binds << status;
    }
    if (!kind.isEmpty()) {
        sql += u" AND kind = ?"_s;
        binds << kind;
    }
    if (!before.isEmpty()) {
        sql += u" AND id < ?"_s;
        binds << before;
    }
    sql += u" ORDER BY id DESC LIMIT ?"_s;
    binds << std::clamp(limit, 1, 500);
    QSqlQuery rows = sqlExec(db, sql, binds);
    QJsonArray items;
    while (rows.next())
        items.append(alertJson(rows));
    return items;
}

QJsonObject Alerts::get(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery row = sqlExec(db, u"SELECT "_s + kColumns + u" FROM alerts WHERE id = ?"_s, {id});
    return row.next() ? alertJson(row) : QJsonObject{};
}

bool Alerts::acknowledge(const QSqlDatabase &db, const QString &id, const QString &by, qint64 nowMs)
{
    QSqlQuery update = sqlExec(db,
                               u"UPDATE alerts SET status = 'ACKNOWLEDGED', acknowledged_by = ?, acknowledged_at = ?"
                               " WHERE id = ? AND status = 'OPEN'"_s,
                               {by, nowMs, id});
    return update.numRowsAffected() == 1;
}

int Alerts::openCount(const QSqlDatabase &db)
{
    QSqlQuery row = sqlExec(db, u"SELECT COUNT(*) FROM alerts WHERE status = 'OPEN'"_s);
    return row.next() ? row.value(0).toInt() : 0;
}

} // namespace paydesk
