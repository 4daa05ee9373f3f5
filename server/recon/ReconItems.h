#pragma once

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace paydesk {
class IdGenerator;
}

namespace paydesk::recon {

/// A discrepancy as a run decides it, before it is written.
struct PlannedItem
{
    QString kind, refType, refId, merchantId, channelTradeNo, localStatus, channelStatus;
    QString status = QStringLiteral("OPEN"); ///< OPEN, CARRIED, or RESOLVED (with resolution)
    QString resolution;
    QString message;
    std::optional<qint64> localAmount, channelAmount;
    QJsonObject details;
};

/// The discrepancy items of reconciliation runs (table recon_items), keyed by (channel, kind,
/// ref_type, ref_id) so that running a day again updates rows instead of adding them. Writes run
/// inside the caller's writer unit; reads on any connection.
class ReconItems final
{
public:
    struct Query
    {
        QString date, channelId, kind, status, runId, cursor;
        int limit = 50;
    };
    /// Newest first, keyset-paged: {items, next_cursor}.
    static QJsonObject list(const QSqlDatabase &db, const Query &query);
    static QJsonObject get(const QSqlDatabase &db, const QString &id);
    /// OPEN or CARRIED → RESOLVED with a person's resolution and note.
    static QJsonObject resolve(const QSqlDatabase &db, const QString &id, const QString &resolution,
                               const QString &note, const QString &by, qint64 nowMs);
    static const QStringList &manualResolutions();

    /// Writes what a run found: new items are inserted; open ones take the new findings (an item a
    /// later day's run opened stays open); resolved ones stand, unless only a re-run cleared them.
    static void upsert(const QSqlDatabase &db, IdGenerator &ids, const QString &runId, const QString &date,
                       const QString &channelId, const QList<PlannedItem> &items, qint64 nowMs);
    /// Resolves CLEARED_ON_RERUN the open items a run no longer found (those it did not touch
    /// since runStamp): of the day and channel, or (date empty) every open item of the channel.
    static void clearStale(const QSqlDatabase &db, const QString &channelId, const QString &date, qint64 runStamp,
                           qint64 nowMs);
    /// Resolves BOOKED_NEXT_DAY the MISSING_CHANNEL items of these (ref type, key) pairs.
    static void settleBookedLater(const QSqlDatabase &db, const QString &channelId, const QString &date,
                                  const QList<std::pair<QString, QString>> &keys, qint64 nowMs);

    /// A MISSING_CHANNEL item carried from an earlier day that a later bill did not settle either.
    struct Carried
    {
        QString id, refType, refId, date;
        qint64 amount = 0;
    };
    /// Opens the carried items of days before date (at most 1,000) and returns them.
    static QList<Carried> openCarried(const QSqlDatabase &db, const QString &channelId, const QString &date,
                                      qint64 nowMs);
    /// The keys among these that a bill of another day matched already (CROSS_DAY items).
    static QSet<QString> crossDayKeys(const QSqlDatabase &db, const QString &channelId, const QString &refType,
                                      const QStringList &keys);

    /// The day's items as they stand (all open internal items for "internal").
    struct Counts
    {
        QJsonObject byKind;
        qint64 total = 0, open = 0, carried = 0;
    };
    static Counts count(const QSqlDatabase &db, const QString &channelId, const QString &date, bool internal);

    /// Items still OPEN created before the time and not alerted yet (at most 100); marks them alerted.
    static QList<QStringList> takeUnalerted(const QSqlDatabase &db, qint64 createdBefore);
};

/// "?, ?, ?" for an IN (…) list.
QString placeholders(qsizetype count);

} // namespace paydesk::recon
