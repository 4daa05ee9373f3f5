#pragma once

#include "server/auth/Principal.h"
#include "server/auth/SecurityConfig.h"
#include "server/channels/Channel.h"
#include "server/payments/Outbox.h"

#include <QJsonObject>
#include <QMutex>
#include <QSqlDatabase>
#include <QThreadPool>
#include <QPromise>

#include <functional>
#include <memory>

namespace paydesk {

class ChannelStore;
class Database;
class DbWriter;
class FieldCipher;
class HttpClient;
class IdGenerator;

/// Settings of the payment flows ([payments] and [alerts] in paydesk.ini).
struct PaymentsConfig
{
    QString publicUrl; ///< how channels reach this server: callbacks go to <publicUrl>/notify/<type>/<id>
    int timeScale = 1; ///< divides every scheduling delay (query backoff, notify retries); tests and demos only
    QList<QSslCertificate> notifyCa; ///< extra CAs trusted for merchant notify URLs and the alert webhook
    QString alertWebhookUrl; ///< optional: each new alert is POSTed here as JSON
    int jobThreads = 16; ///< concurrent channel calls and merchant notifications
    int channelErrorThreshold = 5; ///< channel calls with unknown outcome per minute that raise an alert
    bool skipPolls = false; ///< test fault hook: order and refund polls do nothing, as if their jobs were lost
};

/// What an order is for: a merchant's PAYMENT (default), or an app user's wallet RECHARGE.
struct OrderKind
{
    QString kind = QStringLiteral("PAYMENT");
    QString payerUserId; ///< RECHARGE: whose available balance the payment credits
};

/// An order row as the flows use it.
struct OrderRecord
{
    QString orderNo, merchantId, outTradeNo, kind, payerUserId, currency, subject, channelType, channelId, method, status, statusReason,
        prepayOutcome, qrCode, channelTradeNo, notifyUrl, requestHash;
    QJsonObject appParams;
    qint64 amount = 0, paidAmount = 0, paidAt = 0, refundReserved = 0, refundedAmount = 0, expiresAt = 0, createdAt = 0,
           updatedAt = 0;
    int version = 0;
    bool exists = false;

    QJsonObject toJson() const;
};

/// The payment flows: orders and their prepay, channel results from notifications and queries,
/// expiry, refunds, and the ledger postings, outbox rows and alerts that go with each change — all
/// in one writer unit per change, so a duplicate, late or forged message can never move money twice.
class PaymentService final
{
public:
    PaymentService(Database &database, DbWriter &writer, ChannelStore &channels, HttpClient &http, FieldCipher &cipher,
                   Clock clock, PaymentsConfig config, int nodeId);
    ~PaymentService();

    void attach(JobRunner &jobs);
    const PaymentsConfig &config() const { return m_config; }
    ChannelStore &channels() { return m_channels; }
    IdGenerator &outboxIds() { return *m_outboxIds; }
    IdGenerator &alertIds() { return *m_alertIds; }

    /// POST /v1/orders body (validated here). Blocking: run on the job pool via run().
    struct CreateOutcome
    {
        int status = 201;
        QJsonObject body;
    };
    CreateOutcome createOrder(const QString &merchantId, const QJsonObject &input,
                              const OrderKind &kind = OrderKind());
    /// Runs inside the writer unit that records an action a person took (the close, the refund's
    /// reservation), with what was done as audit details, so its audit row commits with the change.
    /// A repeat that changes nothing records nothing.
    using ActionRecorder = std::function<void(const QSqlDatabase &, const QJsonObject &details)>;
    /// Merchant close: the channel is told first; "already paid" turns into the payment.
    OrderRecord closeOrder(const QString &merchantId, const QString &orderNo, const ActionRecorder &record = {});
    /// POST /v1/orders/{no}/refunds.
    CreateOutcome refund(const QString &merchantId, const QString &orderNo, const QJsonObject &input,
                         const ActionRecorder &record = {});

    OrderRecord loadOrder(const QSqlDatabase &db, const QString &orderNo) const;
    OrderRecord loadOrderByOutTradeNo(const QSqlDatabase &db, const QString &merchantId,
                                      const QString &outTradeNo) const;
    QJsonObject refundJson(const QSqlDatabase &db, const QString &refundNo) const;
    /// Timeline, channel log, refunds and merchant notifications of one order (for staff).
    QJsonObject orderDetail(const QSqlDatabase &db, const QString &orderNo) const;

    /// A notification that arrived at /notify/<type>/<channelId>: verify (on the calling thread),
    /// apply in a writer unit, answer once it committed (or failed, and the channel retries).
    QFuture<HttpResponse> handleNotification(const QString &type, const QString &channelId,
                                             const InboundNotification &inbound);

    /// What asking the channel about one order or refund proved (reconciliation's repair).
    enum class Verified {
        Settled, ///< the channel proved it and it is now booked (or already was) the normal way
        Abnormal, ///< the channel proved a payment that cannot be a normal success (amount, closed order)
        NotProven, ///< the channel answered and does not confirm it
        Unknown, ///< no usable answer (transport, channel not configured, no such record)
    };
    /// Queries the order at its channel; a proven payment is applied exactly as a notification
    /// or a poll would apply it (one credit, the merchant notified). Blocking: channel call.
    Verified verifyPayment(const QString &orderNo, QString *detail);
    /// Queries a refund that is not SUCCESS here; a proven result is applied as a poll would.
    Verified verifyRefund(const QString &refundNo, QString *detail);

    /// An ABNORMAL refund sent again through the channel's abnormal-refund path (WeChat Pay:
    /// MERCHANT_BANK_CARD); the refund as JSON. Throws CONFLICT when it is not ABNORMAL.
    QJsonObject retryAbnormalRefund(const QString &refundNo, const QString &type, const ActionRecorder &record);
    /// A refund still PROCESSING decided by a person: "succeeded" (the buyer got the money some
    /// other way) or "failed" (the money goes back to where it came from); the refund as JSON.
    QJsonObject resolveRefund(const QString &refundNo, bool succeeded, const QString &note,
                              const ActionRecorder &record);

    /// Makes the order's merchant notifications pending again from attempt 1.
    QJsonArray resendNotifications(const QString &orderNo);

    /// Runs blocking flow code on the job pool (channel calls never run on the HTTP workers).
    template<typename F> auto run(F &&work) -> QFuture<decltype(work())>;

    QThreadPool &pool() { return m_pool; }

    /// Runs inside the unit that records the payment of an order of this kind (after its ledger
    /// entry), e.g. the red packet a RED_PACKET order paid for. Register before the jobs start.
    using PaidHook = std::function<void(const QSqlDatabase &, const OrderRecord &)>;
    void setPaidHook(const QString &kind, PaidHook hook) { m_paidHooks.insert(kind, std::move(hook)); }

    /// Keeps a payout provider call or notification in the channel log, by withdrawal.
    void logPayoutExchange(const QString &channelId, const QString &withdrawalId, const ChannelExchange &exchange,
                           const QString &outcome);

private:
    enum class Applied { Success, Duplicate, Abnormal, Closed, UnknownOrder, WrongChannel, Ignored };
    /// A payment notification older than this (scaled, at least 2 s: the channels state payment times
    /// to the second) is confirmed by a query before it is applied.
    static constexpr qint64 kLateNotificationMs = 60'000;
    HttpResponse confirmLateNotification(const std::shared_ptr<Channel> &channel, const QString &channelId,
                                         const NotificationResult &notification);
    Applied applyTrade(const QSqlDatabase &db, const QString &channelId, const TradeInfo &trade, const QString &source);
    /// Settles (or marks ABNORMAL) a refund from what its channel said. channelId: the account that
    /// said it (a notification); empty for answers to Paydesk's own calls on the order's account.
    Applied applyRefundResult(const QSqlDatabase &db, const QString &refundNo, const RefundResult &result,
                              const QString &source, const QString &channelId = {});
    /// True when this call closed the order (false: it was no longer open).
    bool markClosed(const QSqlDatabase &db, const OrderRecord &order, const QString &reason);
    void markAbnormal(const QSqlDatabase &db, const OrderRecord &order, const QString &reason, const QString &message);
    void addEvent(const QSqlDatabase &db, const QString &orderNo, const QString &status, const QString &event,
                  const QString &detail) const;
    void logExchange(const QSqlDatabase &db, const QString &channelId, const QString &orderNo, const QString &refundNo,
                     const ChannelExchange &exchange, const QString &outcome, const QString &withdrawalId = {}) const;
    void logExchangeNow(const QString &channelId, const QString &orderNo, const QString &refundNo,
                        const ChannelExchange &exchange, const QString &outcome);
    void enqueueMerchantEvent(const QSqlDatabase &db, const QString &merchantId, const QString &orderNo,
                              const QString &refundNo, const QString &type, const QJsonObject &data,
                              const QString &url);
    QString raiseAlert(const QSqlDatabase &db, const QString &kind, const QString &severity, const QString &refType,
                       const QString &refId, const QString &message, const QJsonObject &details = {},
                       const QString &dedupeKey = {});
    void noteChannelOutcome(const QString &channelId, CallOutcome outcome);
    std::shared_ptr<Channel> channelFor(const OrderRecord &order);

    JobResult pollOrder(const OutboxJob &job);
    JobResult pollRefund(const OutboxJob &job);
    JobResult deliverMerchantEvent(const OutboxJob &job);
    JobResult deliverAlert(const OutboxJob &job);

    qint64 scaled(qint64 delayMs) const;
    void wakeJobs();

    Database &m_database;
    DbWriter &m_writer;
    ChannelStore &m_channels;
    HttpClient &m_http;
    FieldCipher &m_cipher;
    Clock m_clock;
    PaymentsConfig m_config;
    std::unique_ptr<IdGenerator> m_orderIds, m_refundIds, m_logIds, m_outboxIds, m_alertIds, m_journalIds;
    JobRunner *m_jobs = nullptr;
    QThreadPool m_pool;
    QMutex m_errorsMutex;
    QHash<QString, QList<qint64>> m_recentErrors; ///< channel id → times of unknown outcomes
    QHash<QString, PaidHook> m_paidHooks;
};

template<typename F> auto PaymentService::run(F &&work) -> QFuture<decltype(work())>
{
    // Not QtConcurrent::run: it would wrap an ApiError in QUnhandledException, losing its answer.
    using T = decltype(work());
    auto promise = std::make_shared<QPromise<T>>();
    promise->start();
    QFuture<T> future = promise->future();
    m_pool.start([promise, work = std::forward<F>(work)]() mutable {
        try {
            promise->addResult(work());
        } catch (...) {
            promise->setException(std::current_exception());
        }
        promise->finish();
    });
    return future;
}

} // namespace paydesk
