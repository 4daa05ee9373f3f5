#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace paydesk {

class IdGenerator;

/// One line of a journal entry: a signed amount in minor units on one account (positive adds to
/// the account's balance, negative takes from it).
struct Posting
{
    QString accountId;
    qint64 amount = 0;
};

/// A business event's money movement; (kind, refType, refId) identifies the event, so posting it
/// again is a no-op that returns the first entry.
struct JournalEntry
{
    QString kind; ///< e.g. "order.paid", "refund.succeeded", "transfer"
    QString refType; ///< e.g. "order"
    QString refId;
    QString memo;
    QList<Posting> postings;
};

/// The double-entry ledger: accounts with balances that move only through balanced entries, in
/// the caller's transaction (call inside a DbWriter unit together with the state change).
class Ledger final
{
public:
    static constexpr int kMaxPostings = 64;

    /// The id of the account, created when missing. Ids are "<holder type>:<holder id>:<kind>:<currency>".
    static QString ensureAccount(const QSqlDatabase &db, const QString &holderType, const QString &holderId,
                                 const QString &kind, const QString &currency, bool allowNegative, qint64 nowMs);

    struct Posted
    {
        QString entryId;
        bool created = false; ///< false when the event had been posted before
    };
    /// Posts the entry atomically. Throws ApiError VALIDATION_FAILED (unbalanced, empty, mixed
    /// currencies, unknown account, zero lines) or INSUFFICIENT_FUNDS (a balance would go below
    /// zero); the caller's unit is then rolled back, so nothing is half-written.
    static Posted post(const QSqlDatabase &db, IdGenerator &ids, const JournalEntry &entry, qint64 nowMs);

    static qint64 balance(const QSqlDatabase &db, const QString &accountId);

    struct Check
    {
        bool ok = true;
        qint64 entries = 0;
        qint64 accounts = 0;
        QStringList problems; ///< unbalanced entries, accounts whose balance differs from their postings
    };
    /// Trial balance: every entry sums to zero per currency, and every stored balance equals the
    /// sum of its postings. Bounded report (first 100 problems).
    static Check check(const QSqlDatabase &db);
};

} // namespace paydesk
