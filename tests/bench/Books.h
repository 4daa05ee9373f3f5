#pragma once

// What the database must say after a scenario, checked with plain SQL through a reader of the
// server's database. Every discrepancy is one line in problems; the returned text summarises
// what was checked.
#include "OrderSeeder.h"

#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <vector>

namespace paydesk::bench {

class Books final
{
public:
    Books() = delete;

    /// An order POST /v1/orders acknowledged (201), by out_trade_no.
    struct Created
    {
        QString orderNo;
        qint64 amount = 0;
        QString channel;
    };
    /// Every acknowledged create exists once with its number, amount and channel, PAYING, with
    /// one order.poll job, one prepay channel log and its two timeline rows; nothing of the
    /// merchant with the run's prefix exists beyond them and the unanswered requests.
    static QString checkCreates(const QSqlDatabase &db, const QString &merchantId, const QString &prefix,
                                const QHash<QString, Created> &acknowledged, qint64 unanswered, QStringList *problems);

    /// What became of a seeded PAYING order's notification.
    enum class Sent : char { No, Acknowledged, Unanswered };
    /// Every acknowledged notification left its order SUCCESS with the paid amount, exactly one
    /// order.paid journal entry, one merchant_events row with one merchant.notify job, and its
    /// poll job done; orders never notified are untouched (PAYING, no entry, no event).
    static QString checkNotified(const QSqlDatabase &db, const QString &merchantId, const QString &prefix,
                                 const QList<SeededOrder> &orders, const std::vector<Sent> &sent,
                                 QStringList *problems);

    /// The merchant's settlement balance (fen): what its paid orders credited.
    static qint64 merchantBalance(const QSqlDatabase &db, const QString &merchantId);
    static qint64 orderCount(const QSqlDatabase &db);

    /// Across the database: no (kind, ref) twice in the outbox, no event type twice for an order,
    /// no business event with two journal entries, no rejected channel notification, no alert.
    static QString checkWhole(const QSqlDatabase &db, QStringList *problems);
};

} // namespace paydesk::bench
