#pragma once

#include "server/auth/SecurityConfig.h"
#include "server/http/HttpMessage.h"
#include "server/payments/Outbox.h"
#include "server/wallet/RiskEngine.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSqlDatabase>

#include <memory>

namespace paydesk {

class Database;
class DbWriter;
class FieldCipher;
class IdGenerator;
class PaymentService;
class ChannelStore;
struct IdempotencyContext;

/// Settings of the wallet flows ([wallet] in paydesk.ini).
struct WalletConfig
{
    int dayOffsetMinutes = 480; ///< business days start at 00:00 at UTC+8 (China Standard Time)
    qint64 fourEyesThreshold = 500'000; ///< withdrawals of 5,000.00 CNY or more need two admins
    qint64 maxTransfer = 5'000'000; ///< one transfer at most 50,000.00 CNY
    qint64 maxWithdrawal = 5'000'000; ///< one withdrawal at most 50,000.00 CNY
    int maxCardsPerHolder = 10;
};

/// One internal movement between holders (red packets use it: sender frozen → grabber available).
struct InternalTransfer
{
    Holder from;
    QString fromBucket = QStringLiteral("frozen"); ///< "available" or "frozen"
    Holder to;
    qint64 amount = 0;
    QString refType; ///< with refId: the business event; a second call with the same pair is a no-op
    QString refId;
    QString memo;
    /// Set when the caller knows no transfer for (refType, refId) can exist yet (it claimed the
    /// event in this unit): the look-up is skipped; the unique reference still guards the insert.
    bool knownNew = false;
    /// The transfer number to use (the caller may have recorded it already); a new one if empty.
    QString transferNo;
};

/// Wallets of app users and merchants: balances and statements, recharge, transfers, bank cards,
/// withdrawals with risk rules, admin review (four-eyes above a threshold) and payout, and the
/// per-holder consistency check. Every money movement is one balanced ledger entry committed in
/// the same writer unit as the record it belongs to.
class WalletService final
{
public:
    static constexpr auto kWalletMerchant = "wallet"; ///< the system merchant of recharge orders

    WalletService(Database &database, DbWriter &writer, FieldCipher &cipher, PaymentService &payments,
                  ChannelStore &channels, Clock clock, WalletConfig config, int nodeId);
    ~WalletService();

    void attach(JobRunner &jobs);
    const WalletConfig &config() const { return m_config; }

    /// Ledger account ids of a holder's two buckets.
    static QString availableAccount(const Holder &holder, const QString &currency = QStringLiteral("CNY"));
    static QString frozenAccount(const Holder &holder, const QString &currency = QStringLiteral("CNY"));
    /// Creates both accounts when missing (inside a writer unit).
    static void ensureAccounts(const QSqlDatabase &db, const Holder &holder, qint64 nowMs);

    QJsonObject wallet(const QSqlDatabase &db, const Holder &holder) const;
    /// Statement, newest first: one item per journal entry touching the holder (?before=&limit=).
    QJsonObject entries(const QSqlDatabase &db, const Holder &holder, const QString &before, int limit) const;

    /// POST /v1/app/recharges: an order of kind RECHARGE through the normal prepay path.
    QJsonObject recharge(const QString &userId, const QJsonObject &input);
    QJsonObject rechargeList(const QSqlDatabase &db, const QString &userId, const QString &before, int limit) const;

    /// POST /v1/app/transfers inside one writer unit (with the idempotent answer).
    /// Where a request came from, for the risk rules.
    struct Client
    {
        QString address;
        QString device;
    };
    HttpResponse transfer(const QSqlDatabase &db, const QString &userId, const QJsonObject &input,
                          const Client &client, IdempotencyContext *idempotency);
    QJsonObject transferList(const QSqlDatabase &db, const Holder &holder, const QString &before, int limit) const;
    /// Internal API (red packets): moves money between holders once per (refType, refId); inside
    /// the caller's writer unit. Returns the transfer number. Throws INSUFFICIENT_FUNDS.
    QString transferInternal(const QSqlDatabase &db, const InternalTransfer &transfer);
    /// A new transfer number, for callers that record it before the transfer (same unit).
    QString newTransferNo();

    /// Bank cards: validated (Luhn), verified with the payout provider, stored encrypted.
    QJsonObject bindCard(const Holder &holder, const QJsonObject &input);
    QJsonArray cards(const QSqlDatabase &db, const Holder &holder) const;
    QJsonObject unbindCard(const Holder &holder, const QString &cardId);

    /// Withdrawal application inside one writer unit: risk rules, freeze, PENDING_REVIEW; a rule's
    /// refusal is stored (REJECTED) and answered 422 RISK_REJECTED.
    HttpResponse applyWithdrawal(const QSqlDatabase &db, const Holder &holder, const QJsonObject &input,
                                 const Client &client, IdempotencyContext *idempotency);
    QJsonObject withdrawal(const QSqlDatabase &db, const QString &id) const;
    QJsonObject withdrawals(const QSqlDatabase &db, const QString &status, const Holder &holder, const QString &before,
                            int limit) const;
    /// Admin review, inside a writer unit. Approve: the first of two approvals (four-eyes) or the
    /// final one (→ APPROVED, payout scheduled). Reject: → INVALID, funds unfrozen.
    QJsonObject approveWithdrawal(const QSqlDatabase &db, const QString &id, const QString &adminId,
                                  const QString &reason);
    QJsonObject rejectWithdrawal(const QSqlDatabase &db, const QString &id, const QString &adminId,
                                 const QString &reason);
    /// A payout provider's asynchronous result, verified by the payout channel.
    HttpResponse handlePayoutNotification(const QString &channelId, const HttpRequest &request);

    /// Per holder: the balance equals what its records explain (recharges + income + transfers in
    /// − transfers out − withdrawals − …), frozen funds equal open withdrawals, and every record
    /// has its entry. Bounded report.
    struct Check
    {
        bool ok = true;
        qint64 holders = 0;
        QStringList problems;
    };
    static Check check(const QSqlDatabase &db);

    /// Card number rules: 12–19 digits, Luhn checksum.
    static bool validCardNumber(const QString &digits);
    static QString maskCard(const QString &digits);

    void wakeJobs();

    /// Page sizes of the list routes: 50 by default, at most 200.
    static int pageLimit(int limit) { return limit <= 0 ? 50 : std::min(limit, 200); }

private:
    JobResult submitPayout(const OutboxJob &job);
    JobResult pollPayout(const OutboxJob &job);
    /// A final payout result from channelId (checked against the withdrawal's provider and, when
    /// the provider states it, its amount), inside a writer unit.
    void applyPayoutResult(const QSqlDatabase &db, const QString &withdrawalId, const QString &channelId,
                           const QString &state, const QString &code, const QString &message, qint64 reportedAmount,
                           const QString &source);
    QString cardHash(const QString &digits) const;

    Database &m_database;
    DbWriter &m_writer;
    FieldCipher &m_cipher;
    PaymentService &m_payments;
    ChannelStore &m_channels;
    Clock m_clock;
    WalletConfig m_config;
    std::unique_ptr<IdGenerator> m_transferIds, m_cardIds, m_withdrawalIds, m_decisionIds, m_journalIds;
    JobRunner *m_jobs = nullptr;
};

} // namespace paydesk
