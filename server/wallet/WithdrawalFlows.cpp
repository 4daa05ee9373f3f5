// Bank cards and withdrawals: bind (Luhn, provider verification, encrypted at rest), apply (risk
// rules, freeze), admin review with four-eyes, payout through a PayoutChannel, result by
// notification or by query on a backoff schedule, and the ledger entry of each outcome.
#include "server/wallet/WalletService.h"

#include "common/protocol/ApiError.h"
#include "common/util/Failpoint.h"
#include "common/util/IdGenerator.h"
#include "server/audit/AuditLog.h"
#include "server/auth/Idempotency.h"
#include "server/channels/payout/PayoutChannel.h"
#include "server/events/EventHub.h"
#include "server/ledger/Ledger.h"
#include "server/payments/Alerts.h"
#include "server/payments/ChannelStore.h"
#include "server/payments/FlowSupport.h"
#include "server/payments/PaymentService.h"
#include "server/security/EncryptedColumns.h"
#include "server/security/FieldCipher.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcWallet, "paydesk.wallet")

namespace paydesk {

using namespace flows;

namespace {

/// Backoff of payout queries: 5 s, 30 s, 1 m, 5 m, 15 m, then every 30 m.
qint64 payoutPollDelay(int attempt)
{
    static constexpr qint64 kDelays[] = {5'000, 30'000, 60'000, 300'000, 900'000};
    return attempt < int(std::size(kDelays)) ? kDelays[attempt] : 1'800'000;
}

constexpr int kMaxPayoutPolls = 200; // about four days: then a human looks (alert)

const QString kWithdrawalColumns
    = u"w.id, w.holder_type, w.holder_id, w.bank_card_id, w.amount, w.currency, w.status, w.risk_rule,"
      " w.risk_outcome, w.approvals_needed, w.first_approver, w.first_approved_at, w.second_approver, w.reviewed_by,"
      " w.review_reason, w.payout_channel_id, w.payout_ref, w.failure_code, w.failure_message, w.created_at,"
      " w.updated_at, w.version, c.masked, c.bank"_s;

QJsonValue textOrNull(const QVariant &value)
{
    return value.isNull() || value.toString().isEmpty() ? QJsonValue() : QJsonValue(value.toString());
}

QJsonObject withdrawalJson(const QSqlQuery &row)
{
    return QJsonObject{
        {u"id"_s, row.value(0).toString()},
        {u"holder_type"_s, row.value(1).toString()},
        {u"holder_id"_s, row.value(2).toString()},
        {u"bank_card"_s, QJsonObject{{u"id"_s, row.value(3).toString()},
                                     {u"masked"_s, row.value(22).toString()},
                                     {u"bank"_s, row.value(23).toString()}}},
        {u"amount"_s, row.value(4).toLongLong()},
        {u"currency"_s, row.value(5).toString()},
        {u"status"_s, row.value(6).toString()},
        {u"risk"_s, QJsonObject{{u"outcome"_s, row.value(8).toString()}, {u"rule"_s, textOrNull(row.value(7))}}},
        {u"approvals_needed"_s, row.value(9).toInt()},
        {u"first_approver"_s, textOrNull(row.value(10))},
        {u"first_approved_at"_s, row.value(11).isNull() ? QJsonValue() : QJsonValue(row.value(11).toLongLong())},
        {u"second_approver"_s, textOrNull(row.value(12))},
        {u"reviewed_by"_s, textOrNull(row.value(13))},
        {u"review_reason"_s, textOrNull(row.value(14))},
        {u"payout"_s, QJsonObject{{u"channel_id"_s, textOrNull(row.value(15))},
                                  {u"ref"_s, textOrNull(row.value(16))},
                                  {u"failure_code"_s, textOrNull(row.value(17))},
                                  {u"failure_message"_s, textOrNull(row.value(18))}}},
        {u"created_at"_s, row.value(19).toLongLong()},
        {u"updated_at"_s, row.value(20).toLongLong()},
    };
}

struct WithdrawalRow
{
    bool exists = false;
    QString id, status, cardId, payoutChannelId, firstApprover;
    Holder holder;
    qint64 amount = 0;
    int approvalsNeeded = 1;
    int version = 0;
};

WithdrawalRow loadWithdrawal(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery row = sqlExec(db,
                            u"SELECT id, holder_type, holder_id, bank_card_id, amount, status, approvals_needed,"
                            " first_approver, payout_channel_id, version FROM withdrawals WHERE id = ?"_s,
                            {id});
    WithdrawalRow w;
    if (!row.next())
        return w;
    w.exists = true;
    w.id = row.value(0).toString();
    w.holder = {row.value(1).toString(), row.value(2).toString()};
    w.cardId = row.value(3).toString();
    w.amount = row.value(4).toLongLong();
    w.status = row.value(5).toString();
    w.approvalsNeeded = row.value(6).toInt();
    w.firstApprover = row.value(7).toString();
    w.payoutChannelId = row.value(8).toString();
    w.version = row.value(9).toInt();
    return w;
}

AuditEntry audit(const QString &actorType, const QString &actorId, const QString &action, const QString &targetId,
                 const QJsonObject &details, qint64 now, const QString &address = {})
{
    return AuditEntry{actorType, actorId, action, u"withdrawal"_s, targetId, details, address, {}, now};
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Bank cards

bool WalletService::validCardNumber(const QString &digits)
{
    static const QRegularExpression pattern(u"^[0-9]{12,19}$"_s);
    if (!pattern.match(digits).hasMatch())
        return false;
    int sum = 0;
    bool twice = false;
    for (qsizetype i = digits.size() - 1; i >= 0; --i) {
        int digit = digits.at(i).digitValue();
        if (twice) {
            digit *= 2;
            if (digit > 9)
                digit -= 9;
        }
        sum += digit;
        twice = !twice;
    }
    return sum % 10 == 0;
}

QString WalletService::maskCard(const QString &digits)
{
    return digits.left(4) + u" **** **** "_s + digits.right(4);
}

QString WalletService::cardHash(const QString &digits) const
{
    return m_cipher.lookupHash(u"bank_cards.card_no"_s, digits);
}

QJsonObject WalletService::bindCard(const Holder &holder, const QJsonObject &input)
{
    refuseUnknown(input, {u"card_no"_s, u"holder_name"_s, u"bank"_s});
    QString cardNo = requiredText(input, u"card_no"_s, 40);
    cardNo.remove(u' ').remove(u'-');
    if (!validCardNumber(cardNo))
        invalid(u"card_no"_s, u"card_no must be a bank card number of 12 to 19 digits with a valid check digit."_s);
    const QString holderName = requiredText(input, u"holder_name"_s, 64).trimmed();
    static const QRegularExpression namePattern(u"^[\\p{L}\\p{M} .'·-]{1,64}$"_s);
    if (holderName.isEmpty() || !namePattern.match(holderName).hasMatch())
        invalid(u"holder_name"_s, u"holder_name must be the card holder's name (letters, spaces, . ' · -)."_s);
    const QString bank = requiredText(input, u"bank"_s, 16, u"[A-Z0-9_]+"_s);
    const QString hash = cardHash(cardNo);

    {
        const QSqlDatabase &db = m_database.threadConnection();
        QSqlQuery count = sqlExec(db,
                                  u"SELECT COUNT(*), SUM(CASE WHEN card_hash = ? THEN 1 ELSE 0 END) FROM bank_cards"
                                  " WHERE holder_type = ? AND holder_id = ? AND status = 'ACTIVE'"_s,
                                  {hash, holder.type, holder.id});
        count.next();
        if (count.value(1).toInt() > 0)
            throw ApiError(ErrorCode::Conflict, u"This card is already bound."_s);
        if (count.value(0).toInt() >= m_config.maxCardsPerHolder)
            throw ApiError(ErrorCode::Conflict,
                           u"At most %1 cards can be bound; unbind one first."_s.arg(m_config.maxCardsPerHolder));
    }

    // The payout provider checks that the card exists and belongs to the named holder.
    std::shared_ptr<PayoutChannel> provider = m_channels.pickPayout(u"bankpay"_s);
    if (!provider)
        throw ApiError(ErrorCode::Unavailable, u"No bank payout provider is enabled to verify cards."_s);
    const CardCheckResult verification = provider->verifyCard(cardNo, holderName, bank);
    m_payments.logPayoutExchange(provider->config().id, {}, verification.exchange, outcomeName(verification.outcome));
    if (verification.outcome == CallOutcome::Unknown || verification.check == CardCheck::Unknown)
        throw ApiError(ErrorCode::Unavailable, u"The bank could not verify the card right now; try again."_s);
    if (verification.outcome == CallOutcome::Rejected)
        throw ApiError(ErrorCode::CardRejected, u"The bank refused the card check: %1"_s.arg(verification.error.message));
    if (verification.check != CardCheck::Verified)
        throw ApiError(ErrorCode::CardRejected,
                       verification.message.isEmpty() ? u"The bank does not know this card with this holder name."_s
                                                      : verification.message);

    const QString id = m_cardIds->next();
    const qint64 now = m_clock();
    return m_writer
        .submit<QJsonObject>([&](const QSqlDatabase &db) {
            // Checked again where it counts: a concurrent bind may have added the card meanwhile.
            QSqlQuery again = sqlExec(db,
                                      u"SELECT COUNT(*), SUM(CASE WHEN card_hash = ? THEN 1 ELSE 0 END) FROM bank_cards"
                                      " WHERE holder_type = ? AND holder_id = ? AND status = 'ACTIVE'"_s,
                                      {hash, holder.type, holder.id});
            again.next();
            if (again.value(1).toInt() > 0)
                throw ApiError(ErrorCode::Conflict, u"This card is already bound."_s);
            if (again.value(0).toInt() >= m_config.maxCardsPerHolder)
                throw ApiError(ErrorCode::Conflict,
                               u"At most %1 cards can be bound; unbind one first."_s.arg(m_config.maxCardsPerHolder));
            sqlExec(db,
                    u"INSERT INTO bank_cards (id, holder_type, holder_id, card_hash, card_no_enc, holder_name_enc,"
                    " masked, bank, status, verification, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
                    " 'ACTIVE', 'VERIFIED', ?, ?)"_s,
                    {id, holder.type, holder.id, hash,
                     m_cipher.encrypt(cardNo.toUtf8(), EncryptedColumns::bankCardNumber().context(id)),
                     m_cipher.encrypt(holderName.toUtf8(), EncryptedColumns::bankCardHolder().context(id)),
                     maskCard(cardNo), bank, now, now});
            AuditLog::append(db, AuditEntry{holder.isUser() ? u"app_user"_s : u"merchant"_s, holder.id,
                                            u"bank_card.bound"_s, u"bank_card"_s, id,
                                            QJsonObject{{u"masked"_s, maskCard(cardNo)}, {u"bank"_s, bank}}, {}, {},
                                            now});
            return QJsonObject{{u"id"_s, id},         {u"masked"_s, maskCard(cardNo)},
                               {u"bank"_s, bank},     {u"status"_s, u"ACTIVE"_s},
                               {u"verification"_s, u"VERIFIED"_s}, {u"created_at"_s, now}};
        })
        .result();
}

QJsonArray WalletService::cards(const QSqlDatabase &db, const Holder &holder) const
{
    QSqlQuery rows = sqlExec(db,
                             u"SELECT id, masked, bank, status, verification, created_at FROM bank_cards WHERE"
                             " holder_type = ? AND holder_id = ? AND status = 'ACTIVE' ORDER BY created_at LIMIT 50"_s,
                             {holder.type, holder.id});
    QJsonArray out;
    while (rows.next())
        out.append(QJsonObject{{u"id"_s, rows.value(0).toString()},
                               {u"masked"_s, rows.value(1).toString()},
                               {u"bank"_s, rows.value(2).toString()},
                               {u"status"_s, rows.value(3).toString()},
                               {u"verification"_s, rows.value(4).toString()},
                               {u"created_at"_s, rows.value(5).toLongLong()}});
    return out;
}

QJsonObject WalletService::unbindCard(const Holder &holder, const QString &cardId)
{
    const qint64 now = m_clock();
    return m_writer
        .submit<QJsonObject>([&](const QSqlDatabase &db) {
            QSqlQuery open = sqlExec(db,
                                     u"SELECT COUNT(*) FROM withdrawals WHERE bank_card_id = ? AND holder_type = ? AND"
                                     " holder_id = ? AND status IN ('PENDING_REVIEW', 'APPROVED', 'PROCESSING')"_s,
                                     {cardId, holder.type, holder.id});
            open.next();
            if (open.value(0).toInt() > 0)
                throw ApiError(ErrorCode::Conflict, u"A withdrawal to this card is still open."_s);
            QSqlQuery update = sqlExec(db,
                                       u"UPDATE bank_cards SET status = 'UNBOUND', updated_at = ? WHERE id = ? AND"
                                       " holder_type = ? AND holder_id = ? AND status = 'ACTIVE'"_s,
                                       {now, cardId, holder.type, holder.id});
            if (update.numRowsAffected() != 1)
                throw ApiError(ErrorCode::NotFound, u"No such bank card."_s);
            AuditLog::append(db, AuditEntry{holder.isUser() ? u"app_user"_s : u"merchant"_s, holder.id,
                                            u"bank_card.unbound"_s, u"bank_card"_s, cardId, {}, {}, {}, now});
            return QJsonObject{{u"id"_s, cardId}, {u"status"_s, u"UNBOUND"_s}};
        })
        .result();
}

// ---------------------------------------------------------------------------------------------
// Withdrawals

HttpResponse WalletService::applyWithdrawal(const QSqlDatabase &db, const Holder &holder, const QJsonObject &input,
                                            const Client &client, IdempotencyContext *idempotency)
{
    const QString &address = client.address;
    refuseUnknown(input, {u"amount"_s, u"bank_card_id"_s});
    const qint64 amount = integerField(input, u"amount"_s, 1, m_config.maxWithdrawal, 0);
    if (amount == 0)
        invalid(u"amount"_s, u"amount is required: 1 to %1 fen."_s.arg(m_config.maxWithdrawal));
    const QString cardId = requiredText(input, u"bank_card_id"_s, 64, u"[A-Za-z0-9]+"_s);
    QSqlQuery card = sqlExec(db,
                             u"SELECT card_hash FROM bank_cards WHERE id = ? AND holder_type = ? AND holder_id = ?"
                             " AND status = 'ACTIVE'"_s,
                             {cardId, holder.type, holder.id});
    if (!card.next())
        throw ApiError(ErrorCode::NotFound, u"No such bank card."_s, {{u"field"_s, u"bank_card_id"_s}});
    const QString hash = card.value(0).toString();

    const qint64 now = m_clock();
    ensureAccounts(db, holder, now);
    // One holder's applications are counted and frozen one at a time, on every instance.
    if (!m_database.isSqlite())
        sqlExec(db, u"SELECT balance FROM ledger_accounts WHERE id = ? FOR UPDATE"_s, {availableAccount(holder)});

    const QString id = m_withdrawalIds->next();
    const RiskDecision risk
        = RiskEngine::evaluate(db, *m_decisionIds, RiskInput{u"withdrawal"_s, id, holder, amount, hash, address, client.device, {}},
                               now, m_config.dayOffsetMinutes);
    const QString actorType = holder.isUser() ? u"app_user"_s : u"merchant"_s;
    if (risk.outcome == u"reject"_s) {
        sqlExec(db,
                u"INSERT INTO withdrawals (id, holder_type, holder_id, bank_card_id, amount, currency, status,"
                " risk_rule, risk_outcome, client_ip, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'CNY', 'REJECTED',"
                " ?, 'reject', ?, ?, ?)"_s,
                {id, holder.type, holder.id, cardId, amount, risk.ruleId, nonNull(address), now, now});
        AuditLog::append(db, audit(actorType, holder.id, u"withdrawal.risk_rejected"_s, id,
                                   {{u"rule"_s, risk.ruleId}, {u"amount"_s, amount}}, now, address));
        const HttpResponse refused = HttpResponse::error(
            ApiError(ErrorCode::RiskRejected, risk.message, {{u"rule"_s, risk.ruleId}, {u"withdrawal_id"_s, id}}));
        if (idempotency)
            idempotency->record(db, refused);
        return refused;
    }
    const bool review = risk.outcome == u"review"_s;
    const int approvals = (review || amount >= m_config.fourEyesThreshold) ? 2 : 1;
    sqlExec(db,
            u"INSERT INTO withdrawals (id, holder_type, holder_id, bank_card_id, amount, currency, status, risk_rule,"
            " risk_outcome, approvals_needed, client_ip, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'CNY',"
            " 'PENDING_REVIEW', ?, ?, ?, ?, ?, ?)"_s,
            {id, holder.type, holder.id, cardId, amount, nullable(risk.ruleId), risk.outcome, approvals,
             nonNull(address), now, now});
    Ledger::post(db, *m_journalIds,
                 JournalEntry{u"withdrawal.frozen"_s,
                              u"withdrawal"_s,
                              id,
                              u"withdrawal applied"_s,
                              {{availableAccount(holder), -amount}, {frozenAccount(holder), amount}}},
                 now);
    // The review queue in admins' consoles updates from this.
    EventHub::publish(db, u"platform"_s, u"withdrawal.pending_review"_s,
                      {{u"withdrawal_id"_s, id}, {u"amount"_s, amount}, {u"approvals_needed"_s, approvals}}, now);
    AuditLog::append(db, audit(actorType, holder.id, u"withdrawal.applied"_s, id,
                               {{u"amount"_s, amount}, {u"approvals_needed"_s, approvals}, {u"risk"_s, risk.outcome}},
                               now, address));
    const HttpResponse done = HttpResponse::json(201, withdrawal(db, id));
    if (idempotency)
        idempotency->record(db, done);
    return done;
}

QJsonObject WalletService::withdrawal(const QSqlDatabase &db, const QString &id) const
{
    QSqlQuery row = sqlExec(db,
                            u"SELECT "_s + kWithdrawalColumns
                                + u" FROM withdrawals w JOIN bank_cards c ON c.id = w.bank_card_id WHERE w.id = ?"_s,
                            {id});
    if (!row.next())
        return {};
    QJsonObject out = withdrawalJson(row);
    QSqlQuery decisions = sqlExec(db,
                                  u"SELECT rule_id, outcome, inputs, created_at FROM risk_decisions WHERE ref_id = ?"
                                  " ORDER BY created_at, id LIMIT 50"_s,
                                  {id});
    QJsonArray list;
    while (decisions.next())
        list.append(QJsonObject{{u"rule"_s, decisions.value(0).toString()},
                                {u"outcome"_s, decisions.value(1).toString()},
                                {u"inputs"_s, QJsonDocument::fromJson(decisions.value(2).toString().toUtf8()).object()},
                                {u"at"_s, decisions.value(3).toLongLong()}});
    out.insert(u"risk_decisions"_s, list);
    return out;
}

QJsonObject WalletService::withdrawals(const QSqlDatabase &db, const QString &status, const Holder &holder,
                                       const QString &before, int limit) const
{
    limit = pageLimit(limit);
    QString where = u" WHERE 1 = 1"_s;
    QVariantList values;
    if (!status.isEmpty()) {
        where += u" AND w.status = ?"_s;
        values.append(status);
    }
    if (!holder.id.isEmpty()) {
        where += u" AND w.holder_type = ? AND w.holder_id = ?"_s;
        values << holder.type << holder.id;
    }
    if (!before.isEmpty()) {
        where += u" AND w.id < ?"_s;
        values.append(before);
    }
    QSqlQuery rows = sqlExec(db,
                             u"SELECT "_s + kWithdrawalColumns
                                 + u" FROM withdrawals w JOIN bank_cards c ON c.id = w.bank_card_id"_s + where
                                 + u" ORDER BY w.id DESC LIMIT "_s + QString::number(limit + 1),
                             values);
    QJsonArray items;
    while (rows.next())
        items.append(withdrawalJson(rows));
    QJsonObject page;
    if (items.size() > limit) {
        items.removeLast();
        page.insert(u"next_before"_s, items.last()[u"id"_s].toString());
    }
    page.insert(u"items"_s, items);
    return page;
}

QJsonObject WalletService::approveWithdrawal(const QSqlDatabase &db, const QString &id, const QString &adminId,
                                             const QString &reason)
{
    const WithdrawalRow w = loadWithdrawal(db, id);
    if (!w.exists)
        throw ApiError(ErrorCode::NotFound, u"No such withdrawal."_s);
    if (w.status != u"PENDING_REVIEW"_s)
        throw ApiError(ErrorCode::Conflict, u"The withdrawal is %1 and cannot be approved."_s.arg(w.status));
    const qint64 now = m_clock();
    if (w.approvalsNeeded >= 2 && w.firstApprover.isEmpty()) {
        QSqlQuery first = sqlExec(db,
                                  u"UPDATE withdrawals SET first_approver = ?, first_approved_at = ?, review_reason = ?,"
                                  " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?"_s,
                                  {adminId, now, nullable(reason), now, id, w.version});
        if (first.numRowsAffected() != 1)
            throw ApiError(ErrorCode::Conflict, u"The withdrawal changed meanwhile; reload it."_s);
        AuditLog::append(db, audit(u"staff"_s, adminId, u"withdrawal.first_approval"_s, id,
                                   {{u"amount"_s, w.amount}, {u"reason"_s, reason}}, now));
        return withdrawal(db, id);
    }
    if (w.approvalsNeeded >= 2 && w.firstApprover == adminId)
        throw ApiError(ErrorCode::Conflict,
                       u"Four-eyes rule: a second, different platform admin must approve this withdrawal."_s);
    QSqlQuery update = sqlExec(db,
                               u"UPDATE withdrawals SET status = 'APPROVED', reviewed_by = ?, second_approver = ?,"
                               " review_reason = COALESCE(?, review_reason), updated_at = ?, version = version + 1"
                               " WHERE id = ? AND version = ? AND status = 'PENDING_REVIEW'"_s,
                               {adminId, w.approvalsNeeded >= 2 ? QVariant(adminId) : QVariant(QMetaType::fromType<QString>()),
                                nullable(reason), now, id, w.version});
    if (update.numRowsAffected() != 1)
        throw ApiError(ErrorCode::Conflict, u"The withdrawal changed meanwhile; reload it."_s);
    Outbox::schedule(db, m_payments.outboxIds(), u"withdrawal.payout"_s, id, {}, now, now);
    AuditLog::append(db, audit(u"staff"_s, adminId, u"withdrawal.approved"_s, id,
                               {{u"amount"_s, w.amount}, {u"reason"_s, reason}}, now));
    return withdrawal(db, id);
}

QJsonObject WalletService::rejectWithdrawal(const QSqlDatabase &db, const QString &id, const QString &adminId,
                                            const QString &reason)
{
    if (reason.trimmed().isEmpty())
        invalid(u"reason"_s, u"A rejection needs a reason."_s);
    const WithdrawalRow w = loadWithdrawal(db, id);
    if (!w.exists)
        throw ApiError(ErrorCode::NotFound, u"No such withdrawal."_s);
    if (w.status != u"PENDING_REVIEW"_s)
        throw ApiError(ErrorCode::Conflict, u"The withdrawal is %1 and cannot be rejected."_s.arg(w.status));
    const qint64 now = m_clock();
    QSqlQuery update = sqlExec(db,
                               u"UPDATE withdrawals SET status = 'INVALID', reviewed_by = ?, review_reason = ?,"
                               " updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND"
                               " status = 'PENDING_REVIEW'"_s,
                               {adminId, reason, now, id, w.version});
    if (update.numRowsAffected() != 1)
        throw ApiError(ErrorCode::Conflict, u"The withdrawal changed meanwhile; reload it."_s);
    Ledger::post(db, *m_journalIds,
                 JournalEntry{u"withdrawal.unfrozen"_s,
                              u"withdrawal"_s,
                              id,
                              u"rejected: "_s + reason,
                              {{frozenAccount(w.holder), -w.amount}, {availableAccount(w.holder), w.amount}}},
                 now);
    AuditLog::append(db, audit(u"staff"_s, adminId, u"withdrawal.rejected"_s, id,
                               {{u"amount"_s, w.amount}, {u"reason"_s, reason}}, now));
    return withdrawal(db, id);
}

// ---------------------------------------------------------------------------------------------
// Payout

void WalletService::attach(JobRunner &jobs)
{
    m_jobs = &jobs;
    jobs.setHandler(u"withdrawal.payout"_s, [this](const OutboxJob &job) { return submitPayout(job); });
    jobs.setHandler(u"withdrawal.poll"_s, [this](const OutboxJob &job) { return pollPayout(job); });
}

void WalletService::wakeJobs()
{
    if (m_jobs)
        m_jobs->wake();
}

JobResult WalletService::submitPayout(const OutboxJob &job)
{
    const QSqlDatabase &reader = m_database.threadConnection();
    WithdrawalRow w = loadWithdrawal(reader, job.ref);
    if (!w.exists || (w.status != u"APPROVED"_s && w.status != u"PROCESSING"_s))
        return JobResult::done();
    const qint64 timeScale = std::max(1, m_payments.config().timeScale);
    const bool firstSubmission = w.status == u"APPROVED"_s;
    std::shared_ptr<PayoutChannel> provider
        = firstSubmission ? m_channels.pickPayout(u"bankpay"_s) : m_channels.payout(w.payoutChannelId);
    if (!provider)
        return JobResult::retryAt(m_clock() + std::max<qint64>(1, 60'000 / timeScale),
                                  u"no bank payout provider is enabled"_s);
    const QString channelId = provider->config().id;
    QSqlQuery card = sqlExec(reader, u"SELECT card_no_enc, holder_name_enc, bank FROM bank_cards WHERE id = ?"_s,
                             {w.cardId});
    const bool cardFound = card.next();
    const auto cardNo = cardFound ? m_cipher.decrypt(card.value(0).toString(),
                                                     EncryptedColumns::bankCardNumber().context(w.cardId))
                                  : std::nullopt;
    const auto holderName = cardFound ? m_cipher.decrypt(card.value(1).toString(),
                                                         EncryptedColumns::bankCardHolder().context(w.cardId))
                                      : std::nullopt;
    if (!cardNo || !holderName) {
        // Nothing can be paid without the card: a human decides (the funds stay frozen).
        m_writer
            .submit<bool>([&](const QSqlDatabase &db) {
                Alerts::raise(db, m_payments.alertIds(), m_payments.outboxIds(),
                              Alerts::Raise{u"PAYOUT_BLOCKED"_s, u"CRITICAL"_s, u"withdrawal"_s, w.id,
                                            u"Withdrawal %1 cannot be paid out: its bank card cannot be read."_s.arg(
                                                w.id),
                                            {},
                                            {}},
                              !m_payments.config().alertWebhookUrl.isEmpty(), m_clock());
                return true;
            })
            .result();
        return JobResult::failed(u"the bank card cannot be read"_s);
    }

    // The provider is recorded before it is called, so a re-run (after a crash or an unknown
    // outcome) asks the same provider with the same payout number and never pays twice.
    if (firstSubmission) {
        const bool claimed = m_writer
                                 .submit<bool>([&](const QSqlDatabase &db) {
                                     const qint64 now = m_clock();
                                     QSqlQuery update = sqlExec(
                                         db,
                                         u"UPDATE withdrawals SET status = 'PROCESSING', payout_channel_id = ?,"
                                         " updated_at = ?, version = version + 1 WHERE id = ? AND status ="
                                         " 'APPROVED'"_s,
                                         {channelId, now, w.id});
                                     if (update.numRowsAffected() != 1)
                                         return false;
                                     Outbox::rearm(db, m_payments.outboxIds(), u"withdrawal.poll"_s, w.id, {},
                                                   now + std::max<qint64>(1, payoutPollDelay(0) / timeScale), now);
                                     AuditLog::append(db, audit(u"system"_s, u"payout"_s, u"withdrawal.submitted"_s,
                                                                w.id, {{u"channel_id"_s, channelId}}, now));
                                     return true;
                                 })
                                 .result();
        if (!claimed)
            return JobResult::done();
        wakeJobs();
    }

    PayoutRequest request;
    request.payoutNo = w.id;
    request.amount = w.amount;
    request.currency = u"CNY"_s;
    request.cardNo = QString::fromUtf8(*cardNo);
    request.holderName = QString::fromUtf8(*holderName);
    request.bankCode = card.value(2).toString();
    request.memo = u"Paydesk withdrawal"_s;
    const PayoutResult result = provider->submit(request);
    // Fault campaign: the payout was submitted, its answer is lost (the query settles it).
    if (failpoint::hit("withdrawal.after_payout_call"))
        return JobResult::retryAt(m_clock() + 1'000, u"failpoint withdrawal.after_payout_call"_s);
    m_payments.logPayoutExchange(channelId, w.id, result.exchange, outcomeName(result.outcome));

    m_writer
        .submit<bool>([&](const QSqlDatabase &db) {
            if (!result.payout.providerPayoutId.isEmpty())
                sqlExec(db, u"UPDATE withdrawals SET payout_ref = ? WHERE id = ? AND payout_ref IS NULL"_s,
                        {result.payout.providerPayoutId, w.id});
            const PayoutState state = result.payout.state;
            if (result.outcome == CallOutcome::Rejected && firstSubmission) {
                // A definite refusal of a new payout; on a re-run the query decides instead.
                applyPayoutResult(db, w.id, channelId, u"FAILED"_s, result.error.code, result.error.message, 0,
                                  u"submit"_s);
            } else if (result.outcome == CallOutcome::Ok
                       && (state == PayoutState::Success || state == PayoutState::Failed)) {
                applyPayoutResult(db, w.id, channelId, state == PayoutState::Success ? u"SUCCESS"_s : u"FAILED"_s,
                                  result.payout.failureCode, result.payout.failureReason, result.payout.amount,
                                  u"submit"_s);
            }
            // Otherwise the result comes by notification or by the poll scheduled above.
            return true;
        })
        .result();
    wakeJobs();
    return JobResult::done();
}

JobResult WalletService::pollPayout(const OutboxJob &job)
{
    const WithdrawalRow w = loadWithdrawal(m_database.threadConnection(), job.ref);
    if (!w.exists || w.status != u"PROCESSING"_s)
        return JobResult::done();
    const qint64 timeScale = std::max(1, m_payments.config().timeScale);
    const qint64 next = m_clock() + std::max<qint64>(1, payoutPollDelay(job.attempts + 1) / timeScale);
    std::shared_ptr<PayoutChannel> provider = m_channels.payout(w.payoutChannelId);
    if (!provider)
        return JobResult::retryAt(next, u"payout channel %1 is not configured"_s.arg(w.payoutChannelId));
    const PayoutResult result = provider->query(w.id);
    m_payments.logPayoutExchange(w.payoutChannelId, w.id, result.exchange, outcomeName(result.outcome));
    const PayoutState state = result.payout.state;
    if (result.outcome == CallOutcome::Ok && (state == PayoutState::Success || state == PayoutState::Failed)) {
        m_writer
            .submit<bool>([&](const QSqlDatabase &db) {
                applyPayoutResult(db, w.id, w.payoutChannelId,
                                  state == PayoutState::Success ? u"SUCCESS"_s : u"FAILED"_s, result.payout.failureCode,
                                  result.payout.failureReason, result.payout.amount, u"query"_s);
                return true;
            })
            .result();
        return JobResult::done();
    }
    if (result.outcome == CallOutcome::Ok && state == PayoutState::NotFound) {
        // The submission never arrived: submit again (same payout number, so never twice).
        m_writer
            .submit<bool>([&](const QSqlDatabase &db) {
                const qint64 now = m_clock();
                Outbox::rearm(db, m_payments.outboxIds(), u"withdrawal.payout"_s, w.id, {}, now, now);
                return true;
            })
            .result();
        wakeJobs();
        return JobResult::retryAt(next, u"resubmitted: the provider did not know the payout"_s);
    }
    if (job.attempts + 1 >= kMaxPayoutPolls) {
        m_writer
            .submit<bool>([&](const QSqlDatabase &db) {
                Alerts::raise(db, m_payments.alertIds(), m_payments.outboxIds(),
                              Alerts::Raise{u"PAYOUT_STUCK"_s, u"CRITICAL"_s, u"withdrawal"_s, w.id,
                                            u"Withdrawal %1 has no payout result after %2 queries."_s.arg(w.id).arg(
                                                kMaxPayoutPolls),
                                            {},
                                            {}},
                              !m_payments.config().alertWebhookUrl.isEmpty(), m_clock());
                return true;
            })
            .result();
        return JobResult::failed(u"no payout result"_s);
    }
    return JobResult::retryAt(next, result.outcome == CallOutcome::Ok ? u"processing"_s : result.error.message);
}

void WalletService::applyPayoutResult(const QSqlDatabase &db, const QString &withdrawalId, const QString &channelId,
                                      const QString &state, const QString &code, const QString &message,
                                      qint64 reportedAmount, const QString &source)
{
    const WithdrawalRow w = loadWithdrawal(db, withdrawalId);
    if (!w.exists || w.status != u"PROCESSING"_s)
        return; // settled before: a duplicate or late result changes nothing
    const qint64 now = m_clock();
    if (w.payoutChannelId != channelId || (reportedAmount != 0 && reportedAmount != w.amount)) {
        // Not the provider this payout went to, or not its amount: a human looks, nothing moves.
        Alerts::raise(db, m_payments.alertIds(), m_payments.outboxIds(),
                      Alerts::Raise{u"PAYOUT_MISMATCH"_s, u"CRITICAL"_s, u"withdrawal"_s, w.id,
                                    u"Withdrawal %1: %2 reported %3 for %4 fen by %5 (expected %6 fen via %7)."_s
                                        .arg(w.id, channelId, state)
                                        .arg(reportedAmount)
                                        .arg(source)
                                        .arg(w.amount)
                                        .arg(w.payoutChannelId),
                                    {},
                                    {}},
                      !m_payments.config().alertWebhookUrl.isEmpty(), now);
        return;
    }
    QSqlQuery update = sqlExec(db,
                               u"UPDATE withdrawals SET status = ?, failure_code = ?, failure_message = ?,"
                               " updated_at = ?, version = version + 1 WHERE id = ? AND status = 'PROCESSING'"_s,
                               {state, nullable(code), nullable(message), now, w.id});
    if (update.numRowsAffected() != 1)
        return;
    EventHub::publish(db, w.holder.type + u':' + w.holder.id,
                      state == u"SUCCESS"_s ? u"withdrawal.paid"_s : u"withdrawal.failed"_s,
                      {{u"withdrawal_id"_s, w.id}, {u"amount"_s, w.amount}, {u"code"_s, code}}, now);
    if (state == u"SUCCESS"_s) {
        const QString clearing
            = Ledger::ensureAccount(db, u"platform"_s, w.payoutChannelId, u"payout_clearing"_s, u"CNY"_s, false, now);
        Ledger::post(db, *m_journalIds,
                     JournalEntry{u"withdrawal.paid"_s,
                                  u"withdrawal"_s,
                                  w.id,
                                  u"paid out via "_s + source,
                                  {{frozenAccount(w.holder), -w.amount}, {clearing, w.amount}}},
                     now);
    } else {
        Ledger::post(db, *m_journalIds,
                     JournalEntry{u"withdrawal.unfrozen"_s,
                                  u"withdrawal"_s,
                                  w.id,
                                  u"payout failed: "_s + nonNull(code),
                                  {{frozenAccount(w.holder), -w.amount}, {availableAccount(w.holder), w.amount}}},
                     now);
        Alerts::raise(db, m_payments.alertIds(), m_payments.outboxIds(),
                      Alerts::Raise{u"PAYOUT_FAILED"_s, u"WARNING"_s, u"withdrawal"_s, w.id,
                                    u"Payout of withdrawal %1 failed (%2): the amount went back to the holder."_s.arg(
                                        w.id, nonNull(code)),
                                    {{u"code"_s, code}, {u"message"_s, message}},
                                    {}},
                      !m_payments.config().alertWebhookUrl.isEmpty(), now);
    }
    Outbox::finish(db, u"withdrawal.poll"_s, w.id, now);
    AuditLog::append(db, audit(u"system"_s, u"payout"_s,
                               state == u"SUCCESS"_s ? u"withdrawal.paid"_s : u"withdrawal.failed"_s, w.id,
                               {{u"amount"_s, w.amount}, {u"source"_s, source}, {u"code"_s, code}}, now));
}

HttpResponse WalletService::handlePayoutNotification(const QString &channelId, const HttpRequest &request)
{
    std::shared_ptr<PayoutChannel> provider = m_channels.payout(channelId);
    if (!provider)
        throw ApiError(ErrorCode::NotFound, u"No such payout channel."_s);
    const PayoutNotificationResult notification
        = provider->parseNotification(InboundNotification{request.headers, request.body});
    m_payments.logPayoutExchange(channelId, notification.payout.payoutNo, notification.exchange,
                                 notification.accepted ? u"OK"_s : u"REJECTED"_s);
    if (!notification.accepted) {
        qCWarning(lcWallet).noquote() << u"payout notification on %1 rejected: %2"_s.arg(channelId,
                                                                                         notification.rejectReason);
        return notification.answer;
    }
    const PayoutState state = notification.payout.state;
    if (state == PayoutState::Success || state == PayoutState::Failed) {
        m_writer
            .submit<bool>([&](const QSqlDatabase &db) {
                applyPayoutResult(db, notification.payout.payoutNo, channelId,
                                  state == PayoutState::Success ? u"SUCCESS"_s : u"FAILED"_s,
                                  notification.payout.failureCode, notification.payout.failureReason,
                                  notification.payout.amount, u"notification"_s);
                return true;
            })
            .result();
    }
    return notification.answer;
}

} // namespace paydesk
