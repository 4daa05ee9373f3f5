#include "server/ledger/Ledger.h"

#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QHash>
#include <QJsonObject>
#include <QSet>

using namespace Qt::StringLiterals;

namespace paydesk {

QString Ledger::ensureAccount(const QSqlDatabase &db, const QString &holderType, const QString &holderId,
                              const QString &kind, const QString &currency, bool allowNegative, qint64 nowMs)
{
    const QString id = holderType + u':' + holderId + u':' + kind + u':' + currency;
    // Accounts are never deleted: once the writer has committed one, it need not ask again.
    const QString fact = u"ledger_account:"_s + id;
    if (DbWriter::knows(fact))
        return id;
    sqlExec(
        db,
        u"INSERT INTO ledger_accounts (id, holder_type, holder_id, kind, currency, allow_negative, balance, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING"_s,
        {id, holderType, holderId, kind, currency, allowNegative ? 1 : 0, nowMs});
    DbWriter::learnAfterCommit(fact);
    return id;
}

Ledger::Posted Ledger::post(const QSqlDatabase &db, IdGenerator &ids, const JournalEntry &entry, qint64 nowMs)
{
    if (entry.kind.isEmpty() || entry.refType.isEmpty() || entry.refId.isEmpty())
        throw ApiError(ErrorCode::ValidationFailed, u"A journal entry needs a kind and a reference."_s);
    if (entry.postings.size() < 2 || entry.postings.size() > kMaxPostings)
        throw ApiError(ErrorCode::ValidationFailed, u"A journal entry has 2 to %1 postings."_s.arg(kMaxPostings));
    for (const Posting &posting : entry.postings) {
        if (posting.amount == 0)
            throw ApiError(ErrorCode::ValidationFailed, u"A posting of zero moves nothing."_s);
    }

    // The event's entry, once: the unique (kind, ref_type, ref_id) decides, without a look-up first.
    const QString entryId = ids.next();
    QSqlQuery inserted = sqlExec(db,
                                 u"INSERT INTO journal_entries (id, kind, ref_type, ref_id, memo, created_at)"
                                 " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, ref_type, ref_id) DO NOTHING"_s,
                                 {entryId, entry.kind, entry.refType, entry.refId,
                                  entry.memo.isNull() ? u""_s : entry.memo, nowMs});
    if (inserted.numRowsAffected() != 1) {
        QSqlQuery existing = sqlExec(
            db, u"SELECT id FROM journal_entries WHERE kind = ? AND ref_type = ? AND ref_id = ?"_s,
            {entry.kind, entry.refType, entry.refId});
        if (!existing.next())
            throw ApiError(ErrorCode::Internal, u"The journal entry for %1 %2 vanished."_s.arg(entry.refType, entry.refId));
        return Posted{existing.value(0).toString(), false};
    }

    // Each balance moves only if it stays at or above zero (or the account may go below); the
    // update names the account's currency, so the entry is checked to balance per currency after
    // the moves. Any failure throws, and the caller's unit rolls all of it back.
    QHash<QString, qint64> sums;
    QStringList currencies;
    currencies.reserve(entry.postings.size());
    for (const Posting &posting : entry.postings) {
        QSqlQuery update = sqlExec(db,
                                   u"UPDATE ledger_accounts SET balance = balance + ?"
                                   " WHERE id = ? AND (allow_negative = 1 OR balance + ? >= 0) RETURNING currency"_s,
                                   {posting.amount, posting.accountId, posting.amount});
        const bool moved = update.next();
        const QString currency = moved ? update.value(0).toString() : QString();
        while (update.next()) {
        } // read to the end: PostgreSQL hands rows over one at a time
        if (!moved) {
            QSqlQuery account = sqlExec(db, u"SELECT 1 FROM ledger_accounts WHERE id = ?"_s, {posting.accountId});
            const bool exists = account.next();
            while (account.next()) {
            }
            if (!exists)
                throw ApiError(ErrorCode::ValidationFailed, u"No ledger account %1."_s.arg(posting.accountId));
            throw ApiError(ErrorCode::InsufficientFunds,
                           u"Account %1 cannot cover %2."_s.arg(posting.accountId).arg(-posting.amount),
                           QJsonObject{{u"account_id"_s, posting.accountId}});
        }
        currencies.append(currency);
        qint64 &sum = sums[currency];
        if (qAddOverflow(sum, posting.amount, &sum))
            throw ApiError(ErrorCode::ValidationFailed, u"The entry's amounts overflow."_s);
    }
    for (auto it = sums.cbegin(); it != sums.cend(); ++it) {
        if (it.value() != 0)
            throw ApiError(ErrorCode::ValidationFailed,
                           u"The entry does not balance in %1 (off by %2)."_s.arg(it.key()).arg(it.value()));
    }

    // All lines in one statement (one prepared statement per line count).
    QString sql = u"INSERT INTO postings (entry_id, line, account_id, amount, currency) VALUES "_s;
    QVariantList binds;
    binds.reserve(entry.postings.size() * 5);
    for (qsizetype line = 0; line < entry.postings.size(); ++line) {
        sql += line == 0 ? u"(?, ?, ?, ?, ?)"_s : u", (?, ?, ?, ?, ?)"_s;
        binds << entryId << int(line) << entry.postings.at(line).accountId << entry.postings.at(line).amount
              << currencies.at(line);
    }
    sqlExec(db, sql, binds);
    return Posted{entryId, true};
}

qint64 Ledger::balance(const QSqlDatabase &db, const QString &accountId)
{
    QSqlQuery query = sqlExec(db, u"SELECT balance FROM ledger_accounts WHERE id = ?"_s, {accountId});
    if (!query.next())
        throw ApiError(ErrorCode::NotFound, u"No ledger account %1."_s.arg(accountId));
    return query.value(0).toLongLong();
}

Ledger::Check Ledger::check(const QSqlDatabase &db)
{
    Check result;
    auto problem = [&result](const QString &text) {
        result.ok = false;
        if (result.problems.size() < 100)
            result.problems.append(text);
    };
    QSqlQuery entries = sqlExec(db, u"SELECT COUNT(*) FROM journal_entries"_s);
    result.entries = entries.next() ? entries.value(0).toLongLong() : 0;
    QSqlQuery unbalanced = sqlExec(db,
                                   u"SELECT entry_id, currency, SUM(amount) FROM postings GROUP BY entry_id, currency"
                                   " HAVING SUM(amount) <> 0"_s);
    while (unbalanced.next()) {
        problem(u"entry %1 is off by %2 %3"_s.arg(unbalanced.value(0).toString(), unbalanced.value(2).toString(),
                                                  unbalanced.value(1).toString()));
    }
    QSqlQuery accounts = sqlExec(db,
                                 u"SELECT a.id, a.balance, COALESCE((SELECT SUM(p.amount) FROM postings p"
                                 " WHERE p.account_id = a.id), 0), a.allow_negative FROM ledger_accounts a"_s);
    while (accounts.next()) {
        ++result.accounts;
        const qint64 stored = accounts.value(1).toLongLong();
        const qint64 derived = accounts.value(2).toLongLong();
        if (stored != derived)
            problem(u"account %1 holds %2 but its postings sum to %3"_s.arg(accounts.value(0).toString())
                        .arg(stored)
                        .arg(derived));
        if (stored < 0 && accounts.value(3).toInt() == 0)
            problem(u"account %1 is below zero (%2)"_s.arg(accounts.value(0).toString()).arg(stored));
    }
    return result;
}

} // namespace paydesk
