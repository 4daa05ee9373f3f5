// Wallets: balances and statements, recharge, transfers, the internal transfer API and the
// consistency check. Bank cards and withdrawals are in WithdrawalFlows.cpp.
#include "server/wallet/WalletService.h"

#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/audit/AuditLog.h"
#include "server/auth/Idempotency.h"
#include "server/ledger/Ledger.h"
#include "server/payments/FlowSupport.h"
#include "server/payments/PaymentService.h"
#include "server/security/FieldCipher.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"
#include "server/channels/payout/PayoutChannel.h"
#include "server/payments/ChannelStore.h"

#include <QHash>
#include <QJsonDocument>
#include <QScopeGuard>

using namespace Qt::StringLiterals;

namespace paydesk {

using namespace flows;

namespace {

QString bucketKind(const Holder &holder, bool frozen)
{
    if (holder.isUser())
        return frozen ? u"frozen"_s : u"available"_s;
    return frozen ? u"settlement_frozen"_s : u"settlement_available"_s;
}

} // namespace

WalletService::WalletService(Database &database, DbWriter &writer, FieldCipher &cipher, PaymentService &payments,
                             ChannelStore &channels, Clock clock, WalletConfig config, int nodeId)
    : m_database(database), m_writer(writer), m_cipher(cipher), m_payments(payments), m_channels(channels),
      m_clock(std::move(clock)), m_config(config), m_transferIds(std::make_unique<IdGenerator>(u"T"_s, nodeId)),
      m_cardIds(std::make_unique<IdGenerator>(u"BC"_s, nodeId)),
      m_withdrawalIds(std::make_unique<IdGenerator>(u"W"_s, nodeId)),
      m_decisionIds(std::make_unique<IdGenerator>(u"RD"_s, nodeId)),
      m_journalIds(std::make_unique<IdGenerator>(u"JW"_s, nodeId))
{
}

WalletService::~WalletService() = default;

QString WalletService::availableAccount(const Holder &holder, const QString &currency)
{
    return holder.type + u':' + holder.id + u':' + bucketKind(holder, false) + u':' + currency;
}

QString WalletService::frozenAccount(const Holder &holder, const QString &currency)
{
    return holder.type + u':' + holder.id + u':' + bucketKind(holder, true) + u':' + currency;
}

void WalletService::ensureAccounts(const QSqlDatabase &db, const Holder &holder, qint64 nowMs)
{
    Ledger::ensureAccount(db, holder.type, holder.id, bucketKind(holder, false), u"CNY"_s, false, nowMs);
    Ledger::ensureAccount(db, holder.type, holder.id, bucketKind(holder, true), u"CNY"_s, false, nowMs);
}

QJsonObject WalletService::wallet(const QSqlDatabase &db, const Holder &holder) const
{
    QSqlQuery rows = sqlExec(db, u"SELECT id, balance FROM ledger_accounts WHERE id IN (?, ?)"_s,
                             {availableAccount(holder), frozenAccount(holder)});
    qint64 available = 0;
    qint64 frozen = 0;
    while (rows.next())
        (rows.value(0).toString() == availableAccount(holder) ? available : frozen) = rows.value(1).toLongLong();
    return QJsonObject{{u"holder_type"_s, holder.type}, {u"holder_id"_s, holder.id}, {u"currency"_s, u"CNY"_s},
                       {u"available"_s, available},     {u"frozen"_s, frozen},       {u"total"_s, available + frozen}};
}

QJsonObject WalletService::entries(const QSqlDatabase &db, const Holder &holder, const QString &before,
                                   int limit) const
{
    limit = pageLimit(limit);
    const QString available = availableAccount(holder);
    const QString frozen = frozenAccount(holder);
    // Newest first by time (entry ids come from several generators), then by id; the cursor is
    // "<created_at>:<entry id>" of the last item.
    QString cursorSql;
    QVariantList values{available, frozen};
    if (!before.isEmpty()) {
        const qsizetype colon = before.indexOf(u':');
        bool ok = colon > 0;
        const qint64 at = ok ? before.left(colon).toLongLong(&ok) : 0;
        if (!ok)
            invalid(u"before"_s, u"before must be the next_before of the previous page."_s);
        cursorSql = u" AND (e.created_at < ? OR (e.created_at = ? AND e.id < ?))"_s;
        values << at << at << before.mid(colon + 1);
    }
    QSqlQuery ids = sqlExec(db,
                            u"SELECT e.id, e.created_at FROM journal_entries e WHERE e.id IN (SELECT entry_id FROM"
                            " postings WHERE account_id IN (?, ?))"_s
                                + cursorSql + u" ORDER BY e.created_at DESC, e.id DESC LIMIT "_s
                                + QString::number(limit + 1),
                            values);
    QList<std::pair<QString, qint64>> entryIds;
    while (ids.next())
        entryIds.append({ids.value(0).toString(), ids.value(1).toLongLong()});
    const bool more = entryIds.size() > limit;
    if (more)
        entryIds.removeLast();
    QJsonArray items;
    for (const auto &[entryId, createdAt] : std::as_const(entryIds)) {
        QSqlQuery entry = sqlExec(db,
                                  u"SELECT e.kind, e.ref_type, e.ref_id, e.memo, e.created_at, p.account_id, p.amount"
                                  " FROM journal_entries e JOIN postings p ON p.entry_id = e.id WHERE e.id = ?"
                                  " ORDER BY p.line"_s,
                                  {entryId});
        QJsonObject item{{u"entry_id"_s, entryId}};
        qint64 availableChange = 0;
        qint64 frozenChange = 0;
        while (entry.next()) {
            item[u"kind"_s] = entry.value(0).toString();
            item[u"ref_type"_s] = entry.value(1).toString();
            item[u"ref_id"_s] = entry.value(2).toString();
            item[u"memo"_s] = entry.value(3).toString();
            item[u"at"_s] = entry.value(4).toLongLong();
            const QString account = entry.value(5).toString();
            if (account == available)
                availableChange += entry.value(6).toLongLong();
            else if (account == frozen)
                frozenChange += entry.value(6).toLongLong();
        }
        item[u"available_change"_s] = availableChange;
        item[u"frozen_change"_s] = frozenChange;
        items.append(item);
    }
    QJsonObject page{{u"items"_s, items}};
    if (more)
        page.insert(u"next_before"_s, u"%1:%2"_s.arg(entryIds.constLast().second).arg(entryIds.constLast().first));
    return page;
}

QJsonObject WalletService::recharge(const QString &userId, const QJsonObject &input)
{
    refuseUnknown(input, {u"amount"_s, u"channel"_s, u"method"_s, u"expire_minutes"_s});
    const qint64 amount = integerField(input, u"amount"_s, 1, 5'000'000, 0);
    if (amount == 0)
        invalid(u"amount"_s, u"amount is required: 1 to 5000000 fen."_s);
    QJsonObject order{{u"out_trade_no"_s, m_transferIds->next().replace(0, 1, u"RC"_s)},
                      {u"amount"_s, amount},
                      {u"subject"_s, u"Wallet recharge"_s},
                      {u"channel"_s, requiredText(input, u"channel"_s, 16, u"alipay|wechat"_s)},
                      {u"method"_s, requiredText(input, u"method"_s, 8, u"qr|app"_s)}};
    if (input.contains(u"expire_minutes"_s))
        order.insert(u"expire_minutes"_s, integerField(input, u"expire_minutes"_s, 1, 120, 30));
    const PaymentService::CreateOutcome created
        = m_payments.createOrder(QString::fromLatin1(kWalletMerchant), order, OrderKind{u"RECHARGE"_s, userId});
    return created.body;
}

QJsonObject WalletService::rechargeList(const QSqlDatabase &db, const QString &userId, const QString &before,
                                        int limit) const
{
    limit = pageLimit(limit);
    QSqlQuery rows = sqlExec(db,
                             u"SELECT order_no FROM orders WHERE payer_user_id = ? AND kind = 'RECHARGE'"_s
                                 + (before.isEmpty() ? u""_s : u" AND order_no < ?"_s)
                                 + u" ORDER BY order_no DESC LIMIT "_s + QString::number(limit + 1),
                             before.isEmpty() ? QVariantList{userId} : QVariantList{userId, before});
    QStringList orderNos;
    while (rows.next())
        orderNos.append(rows.value(0).toString());
    const bool more = orderNos.size() > limit;
    if (more)
        orderNos.removeLast();
    QJsonArray items;
    for (const QString &orderNo : std::as_const(orderNos))
        items.append(m_payments.loadOrder(db, orderNo).toJson());
    QJsonObject page{{u"items"_s, items}};
    if (more)
        page.insert(u"next_before"_s, orderNos.constLast());
    return page;
}

namespace {

QJsonObject transferJson(QSqlQuery &row)
{
    return QJsonObject{{u"transfer_no"_s, row.value(0).toString()},  {u"kind"_s, row.value(1).toString()},
                       {u"from_type"_s, row.value(2).toString()},    {u"from_id"_s, row.value(3).toString()},
                       {u"from_bucket"_s, row.value(4).toString()},  {u"to_type"_s, row.value(5).toString()},
                       {u"to_id"_s, row.value(6).toString()},        {u"amount"_s, row.value(7).toLongLong()},
                       {u"currency"_s, row.value(8).toString()},     {u"memo"_s, row.value(9).toString()},
                       {u"status"_s, row.value(10).toString()},      {u"entry_id"_s, row.value(11).toString()},
                       {u"created_at"_s, row.value(12).toLongLong()}};
}

const QString kTransferColumns = u"transfer_no, kind, from_type, from_id, from_bucket, to_type, to_id, amount,"
                                 " currency, memo, status, entry_id, created_at"_s;

} // namespace

HttpResponse WalletService::transfer(const QSqlDatabase &db, const QString &userId, const QJsonObject &input,
                                     const Client &client, IdempotencyContext *idempotency)
{
    const QString &address = client.address;
    refuseUnknown(input, {u"to_user"_s, u"amount"_s, u"memo"_s});
    const QString toUser = requiredText(input, u"to_user"_s, 64, u"[A-Za-z0-9]+"_s);
    const qint64 amount = integerField(input, u"amount"_s, 1, m_config.maxTransfer, 0);
    if (amount == 0)
        invalid(u"amount"_s, u"amount is required: 1 to %1 fen."_s.arg(m_config.maxTransfer));
    const QString memo = optionalText(input, u"memo"_s, 64);
    if (toUser == userId)
        invalid(u"to_user"_s, u"A transfer goes to another user."_s);
    QSqlQuery receiver = sqlExec(db, u"SELECT status FROM app_users WHERE id = ?"_s, {toUser});
    if (!receiver.next() || receiver.value(0).toString() != u"ACTIVE"_s)
        throw ApiError(ErrorCode::NotFound, u"No such user to receive the transfer."_s,
                       QJsonObject{{u"field"_s, u"to_user"_s}});

    const qint64 now = m_clock();
    const Holder from{u"user"_s, userId};
    const Holder to{u"user"_s, toUser};
    ensureAccounts(db, from, now);
    ensureAccounts(db, to, now);
    if (!m_database.isSqlite()) // counters and balance checked under the holder's lock
        sqlExec(db, u"SELECT balance FROM ledger_accounts WHERE id = ? FOR UPDATE"_s, {availableAccount(from)});
    const QString transferNo = m_transferIds->next();
    const RiskDecision risk = RiskEngine::evaluate(
        db, *m_decisionIds, RiskInput{u"transfer"_s, transferNo, from, amount, {}, address, client.device, toUser}, now,
        m_config.dayOffsetMinutes);
    if (risk.outcome != u"pass"_s) {
        const HttpResponse refused
            = HttpResponse::error(ApiError(ErrorCode::RiskRejected, risk.message, {{u"rule"_s, risk.ruleId}}));
        AuditLog::append(db, AuditEntry{u"app_user"_s, userId, u"transfer.rejected"_s, u"transfer"_s, transferNo,
                                        {{u"rule"_s, risk.ruleId}, {u"amount"_s, amount}, {u"to_user"_s, toUser}},
                                        address, {}, now});
        if (idempotency)
            idempotency->record(db, refused); // the decision rows and the answer commit together
        return refused;
    }
    const Ledger::Posted posted = Ledger::post(
        db, *m_journalIds,
        JournalEntry{u"transfer"_s,
                     u"transfer"_s,
                     transferNo,
                     memo,
                     {{availableAccount(from), -amount}, {availableAccount(to), amount}}},
        now);
    sqlExec(db,
            u"INSERT INTO transfers (transfer_no, kind, from_type, from_id, from_bucket, to_type, to_id, amount,"
            " currency, memo, status, entry_id, created_at) VALUES (?, 'USER', 'user', ?, 'available', 'user', ?,"
            " ?, 'CNY', ?, 'SUCCESS', ?, ?)"_s,
            {transferNo, userId, toUser, amount, nonNull(memo), posted.entryId, now});
    AuditLog::append(db, AuditEntry{u"app_user"_s, userId, u"transfer.created"_s, u"transfer"_s, transferNo,
                                    {{u"amount"_s, amount}, {u"currency"_s, u"CNY"_s}, {u"to_user"_s, toUser}},
                                    address, {}, now});
    QSqlQuery row = sqlExec(db, u"SELECT "_s + kTransferColumns + u" FROM transfers WHERE transfer_no = ?"_s,
                            {transferNo});
    row.next();
    const HttpResponse done = HttpResponse::json(201, transferJson(row));
    if (idempotency)
        idempotency->record(db, done);
    return done;
}

QJsonObject WalletService::transferList(const QSqlDatabase &db, const Holder &holder, const QString &before,
                                        int limit) const
{
    limit = pageLimit(limit);
    QSqlQuery rows = sqlExec(db,
                             u"SELECT "_s + kTransferColumns
                                 + u" FROM transfers WHERE ((from_type = ? AND from_id = ?) OR (to_type = ? AND"
                                   " to_id = ?))"_s
                                 + (before.isEmpty() ? u""_s : u" AND transfer_no < ?"_s)
                                 + u" ORDER BY transfer_no DESC LIMIT "_s + QString::number(limit + 1),
                             before.isEmpty() ? QVariantList{holder.type, holder.id, holder.type, holder.id}
                                              : QVariantList{holder.type, holder.id, holder.type, holder.id, before});
    QJsonArray items;
    while (rows.next())
        items.append(transferJson(rows));
    QJsonObject page;
    if (items.size() > limit) {
        items.removeLast();
        page.insert(u"next_before"_s, items.last()[u"transfer_no"_s].toString());
    }
    page.insert(u"items"_s, items);
    return page;
}

QString WalletService::transferInternal(const QSqlDatabase &db, const InternalTransfer &transfer)
{
    if (transfer.amount <= 0 || transfer.refType.isEmpty() || transfer.refId.isEmpty())
        throw ApiError(ErrorCode::ValidationFailed, u"An internal transfer needs an amount and a reference."_s);
    if (transfer.fromBucket != u"available"_s && transfer.fromBucket != u"frozen"_s)
        throw ApiError(ErrorCode::ValidationFailed, u"An internal transfer moves available or frozen funds."_s);
    if (!transfer.knownNew) {
        QSqlQuery done = sqlExec(
            db, u"SELECT transfer_no FROM transfers WHERE ref_type = ? AND ref_id = ? AND ref_id <> ''"_s,
            {transfer.refType, transfer.refId});
        if (done.next())
            return done.value(0).toString();
    }
    const qint64 now = m_clock();
    ensureAccounts(db, transfer.from, now);
    ensureAccounts(db, transfer.to, now);
    const QString transferNo = transfer.transferNo.isEmpty() ? m_transferIds->next() : transfer.transferNo;
    const QString source = transfer.fromBucket == u"frozen"_s ? frozenAccount(transfer.from)
                                                             : availableAccount(transfer.from);
    const Ledger::Posted posted
        = Ledger::post(db, *m_journalIds,
                       JournalEntry{u"transfer.internal"_s,
                                    u"transfer"_s,
                                    transferNo,
                                    nonNull(transfer.memo),
                                    {{source, -transfer.amount}, {availableAccount(transfer.to), transfer.amount}}},
                       now);
    sqlExec(db,
            u"INSERT INTO transfers (transfer_no, kind, from_type, from_id, from_bucket, to_type, to_id, amount,"
            " currency, memo, status, ref_type, ref_id, entry_id, created_at) VALUES (?, 'INTERNAL', ?, ?, ?, ?, ?,"
            " ?, 'CNY', ?, 'SUCCESS', ?, ?, ?, ?)"_s,
            {transferNo, transfer.from.type, transfer.from.id, transfer.fromBucket, transfer.to.type, transfer.to.id,
             transfer.amount, nonNull(transfer.memo), transfer.refType, transfer.refId, posted.entryId, now});
    return transferNo;
}

QString WalletService::newTransferNo()
{
    return m_transferIds->next();
}

WalletService::Check WalletService::check(const QSqlDatabase &reader)
{
    // One snapshot for every number, so money moving meanwhile is never half counted.
    QSqlDatabase db = reader;
    const bool postgres = db.driverName() == u"QPSQL"_s;
    // SET/BEGIN cannot be prepared: plain statements, not sqlExec.
    const bool snapshot = postgres ? QSqlQuery(db).exec(u"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"_s)
                                   : db.transaction();
    const auto endSnapshot = qScopeGuard([&] {
        if (snapshot && postgres)
            QSqlQuery(db).exec(u"ROLLBACK"_s);
        else if (snapshot)
            db.rollback();
    });
    Check result;
    const auto problem = [&](const QString &text) {
        result.ok = false;
        if (result.problems.size() < 100)
            result.problems.append(text);
    };
    const auto scalar = [&](const QString &sql, const QVariantList &values) {
        QSqlQuery row = sqlExec(db, sql, values);
        return row.next() ? row.value(0).toLongLong() : 0;
    };

    // Every holder with a wallet account.
    QSqlQuery holderRows = sqlExec(db,
                                   u"SELECT DISTINCT holder_type, holder_id FROM ledger_accounts WHERE holder_type IN"
                                   " ('user', 'merchant') ORDER BY holder_type, holder_id"_s);
    QList<Holder> holders;
    while (holderRows.next())
        holders.append({holderRows.value(0).toString(), holderRows.value(1).toString()});

    for (const Holder &holder : std::as_const(holders)) {
        ++result.holders;
        const QString available = availableAccount(holder);
        const QString frozen = frozenAccount(holder);
        const QString name = holder.type + u' ' + holder.id;
        const qint64 availableBalance
            = scalar(u"SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE id = ?"_s, {available});
        const qint64 frozenBalance
            = scalar(u"SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE id = ?"_s, {frozen});

        // What the business records say moved in and out of the holder.
        qint64 recharges = 0, income = 0, refunds = 0;
        if (holder.isUser()) {
            // Recharges, and channel payments for red packets (they land in frozen funds).
            recharges = scalar(u"SELECT COALESCE(SUM(amount), 0) FROM orders WHERE kind IN ('RECHARGE', 'RED_PACKET')"
                               " AND payer_user_id = ? AND status IN ('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED')"_s,
                               {holder.id});
        } else {
            // Abnormal payments (status_reason set) sit in suspense, never with the merchant.
            income = scalar(u"SELECT COALESCE(SUM(amount), 0) FROM orders WHERE kind = 'PAYMENT' AND"
                            " merchant_id = ? AND status IN ('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED') AND"
                            " COALESCE(status_reason, '') = ''"_s,
                            {holder.id});
            refunds = scalar(u"SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE merchant_id = ? AND status IN"
                             " ('PROCESSING', 'SUCCESS') AND funded_from <> 'suspense'"_s,
                             {holder.id});
        }
        const qint64 transfersIn
            = scalar(u"SELECT COALESCE(SUM(amount), 0) FROM transfers WHERE to_type = ? AND to_id = ? AND"
                     " status = 'SUCCESS'"_s,
                     {holder.type, holder.id});
        const qint64 transfersOutAvailable
            = scalar(u"SELECT COALESCE(SUM(amount), 0) FROM transfers WHERE from_type = ? AND from_id = ? AND"
                     " from_bucket = 'available' AND status = 'SUCCESS'"_s,
                     {holder.type, holder.id});
        const qint64 transfersOutFrozen
            = scalar(u"SELECT COALESCE(SUM(amount), 0) FROM transfers WHERE from_type = ? AND from_id = ? AND"
                     " from_bucket = 'frozen' AND status = 'SUCCESS'"_s,
                     {holder.type, holder.id});
        const qint64 withdrawalsOpen
            = scalar(u"SELECT COALESCE(SUM(amount), 0) FROM withdrawals WHERE holder_type = ? AND holder_id = ? AND"
                     " status IN ('PENDING_REVIEW', 'APPROVED', 'PROCESSING')"_s,
                     {holder.type, holder.id});
        const qint64 withdrawalsPaid
            = scalar(u"SELECT COALESCE(SUM(amount), 0) FROM withdrawals WHERE holder_type = ? AND holder_id = ? AND"
                     " status = 'SUCCESS'"_s,
                     {holder.type, holder.id});
        // Red packets hold their total minus what was refunded and what grabbers received.
        qint64 packetsHeld = 0;
        if (holder.isUser())
            packetsHeld = scalar(u"SELECT COALESCE(SUM(total - refunded_amount), 0) FROM red_packets WHERE"
                                 " sender_id = ? AND status IN ('ACTIVE', 'FINISHED', 'EXPIRED_REFUNDED')"_s,
                                 {holder.id})
                - scalar(u"SELECT COALESCE(SUM(s.amount), 0) FROM red_packet_shares s JOIN red_packets p ON"
                         " p.id = s.packet_id WHERE p.sender_id = ? AND s.transfer_no IS NOT NULL"_s,
                         {holder.id});

        const qint64 expectedTotal
            = recharges + income - refunds + transfersIn - transfersOutAvailable - transfersOutFrozen - withdrawalsPaid;
        if (expectedTotal != availableBalance + frozenBalance)
            problem(u"%1: recharges %2 + income %3 - refunds %4 + transfers in %5 - transfers out %6 - withdrawals %7"
                    " = %8, but the wallet holds %9 (available %10 + frozen %11)"_s.arg(name)
                        .arg(recharges)
                        .arg(income)
                        .arg(refunds)
                        .arg(transfersIn)
                        .arg(transfersOutAvailable + transfersOutFrozen)
                        .arg(withdrawalsPaid)
                        .arg(expectedTotal)
                        .arg(availableBalance + frozenBalance)
                        .arg(availableBalance)
                        .arg(frozenBalance));
        if (withdrawalsOpen + packetsHeld != frozenBalance)
            problem(u"%1: frozen %2, but open withdrawals (%3) and unfinished red packets (%4) add up to %5"_s.arg(name)
                        .arg(frozenBalance)
                        .arg(withdrawalsOpen)
                        .arg(packetsHeld)
                        .arg(withdrawalsOpen + packetsHeld));
    }

    // Every record has exactly its entry.
    const auto missing = [&](const QString &sql, const QString &what) {
        QSqlQuery rows = sqlExec(db, sql + u" LIMIT 20"_s);
        while (rows.next())
            problem(what.arg(rows.value(0).toString()));
    };
    missing(u"SELECT o.order_no FROM orders o WHERE o.kind IN ('RECHARGE', 'RED_PACKET') AND o.status IN ('SUCCESS',"
            " 'PARTIALLY_REFUNDED', 'REFUNDED') AND NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.kind ="
            " 'recharge.paid' AND e.ref_id = o.order_no)"_s,
            u"recharge %1 succeeded without its credit entry"_s);
    missing(u"SELECT t.transfer_no FROM transfers t WHERE t.status = 'SUCCESS' AND NOT EXISTS (SELECT 1 FROM"
            " journal_entries e WHERE e.id = t.entry_id)"_s,
            u"transfer %1 has no journal entry"_s);
    missing(u"SELECT w.id FROM withdrawals w WHERE w.status IN ('PENDING_REVIEW', 'APPROVED', 'PROCESSING',"
            " 'SUCCESS', 'FAILED', 'INVALID') AND NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.kind ="
            " 'withdrawal.frozen' AND e.ref_id = w.id)"_s,
            u"withdrawal %1 never froze its amount"_s);
    missing(u"SELECT w.id FROM withdrawals w WHERE w.status = 'SUCCESS' AND NOT EXISTS (SELECT 1 FROM"
            " journal_entries e WHERE e.kind = 'withdrawal.paid' AND e.ref_id = w.id)"_s,
            u"withdrawal %1 succeeded without its payout entry"_s);
    missing(u"SELECT w.id FROM withdrawals w WHERE w.status IN ('FAILED', 'INVALID') AND NOT EXISTS (SELECT 1 FROM"
            " journal_entries e WHERE e.kind = 'withdrawal.unfrozen' AND e.ref_id = w.id)"_s,
            u"withdrawal %1 ended without giving its amount back"_s);
    return result;
}

} // namespace paydesk
