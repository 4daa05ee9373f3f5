#pragma once

#include "server/sandbox/SandboxSupport.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QMutexLocker>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace paydesk::sandbox {

/// One refund of a trade (Alipay out_request_no / WeChat out_refund_no).
struct RefundRecord
{
    QString outRefundNo;
    QString refundId; ///< WeChat refund_id; empty for Alipay, which has none
    qint64 amount = 0; ///< fen
    QString reason;
    QString notifyUrl; ///< WeChat only: where REFUND.SUCCESS goes
    qint64 createdAtMs = 0;
    bool succeeded = false; ///< WeChat refunds are PROCESSING for a (scaled) moment first
    /// WeChat: PROCESSING, SUCCESS, ABNORMAL (the bank returned it; apply-abnormal-refund retries)
    /// or CLOSED (the money stays with the merchant)
    QString status = QStringLiteral("PROCESSING");
    qint64 reportedAmount = 0; ///< > 0: the amount the channel states (in answers and notifications) instead
    qint64 succeededAtMs = 0;
};

/// How the channel's daily bills misstate one trade (POST /control/trades/{out_trade_no}/bill), so
/// that reconciliation has something to find.
struct BillFault
{
    static constexpr qint64 DayMs = 24 * 3600 * 1000;

    bool omit = false; ///< the payment line is left out of every bill
    std::optional<qint64> amount; ///< fen: the bills state this order amount instead of the paid one
    int dayShift = 0; ///< -1, 0 or 1: the payment is booked a day earlier or later (cross-midnight)
    bool billOnly = false; ///< made by POST /control/bill-trades: only the channel knows the trade

    bool isSet() const { return omit || amount || dayShift != 0 || billOnly; }
};

/// A trade as the simulated channel keeps it.
struct TradeRecord
{
    SimChannel channel = SimChannel::Alipay;
    QString outTradeNo;
    QString tradeNo; ///< Alipay trade_no / WeChat transaction_id (revealed once scanned / paid)
    QString tradeType; ///< Alipay: "precreate" | "app"; WeChat: "NATIVE" | "APP"
    qint64 amount = 0; ///< what the merchant asked for, fen
    qint64 paidAmount = 0; ///< what the buyer paid and the channel reports (differs when tampered)
    QString subject; ///< Alipay subject / WeChat description
    QString attach; ///< WeChat attach
    QString notifyUrl;
    QString code; ///< Alipay qr_code / WeChat code_url or prepay_id
    QString buyerId; ///< Alipay buyer_id (2088…) / WeChat openid
    QString buyerLogonId; ///< Alipay buyer_logon_id, masked
    qint64 createdAtMs = 0;
    qint64 paidAtMs = 0;
    bool scanned = false; ///< Alipay: a precreated trade exists for queries only once scanned
    bool paid = false;
    bool closed = false; ///< closed by the merchant (or before a forced payment after close)
    bool paidAfterClose = false;
    QList<RefundRecord> refunds;
    QStringList notificationIds;
    BillFault bill;

    /// When the bills book the payment: paidAtMs, moved by whole days under a day_shift fault.
    qint64 billedAtMs() const { return paidAtMs + bill.dayShift * BillFault::DayMs; }
    /// The order amount the bills state: the paid amount unless an amount fault replaces it.
    qint64 billedAmount() const { return bill.amount.value_or(paidAmount); }
    qint64 refundedAmount() const;
    qint64 succeededRefundAmount() const;
    const RefundRecord *refund(const QString &outRefundNo) const;
    RefundRecord *refund(const QString &outRefundNo);
    /// The channel's own word for the state: Alipay trade_status or WeChat trade_state.
    QString channelStatus() const;
};

/// One delivery of a notification: one copy of one attempt.
struct DeliveryRecord
{
    qint64 atMs = 0;
    int sequence = 1; ///< attempt sequences: the first, then one per POST /control/notify
    int attempt = 0; ///< 1-based within the sequence
    int copy = 0; ///< 0 for the attempt itself, 1… for duplicates injected by a fault
    int httpStatus = 0; ///< 0 when no HTTP answer came back
    bool acknowledged = false;
    QString error;
};

/// A notification the channel owes the merchant, with everything needed to (re)render it.
struct NotificationRecord
{
    QString id; ///< Alipay notify_id / WeChat event id
    SimChannel channel = SimChannel::Alipay;
    QString kind; ///< "payment" | "refund" | "payout" (bankpay) | "transfer" (WeChat batch)
    QString outTradeNo; ///< or the payout_no of a payout result
    QString outRefundNo;
    QString url;
    /// Alipay: the form fields without notify_time, sign and sign_type (form-encoded);
    /// WeChat: the resource plaintext (JSON) that each attempt encrypts afresh.
    QByteArray payload;
    QString eventType; ///< WeChat event_type
    qint64 createdAtMs = 0;
    QList<DeliveryRecord> deliveries;
    int sequence = 0;
    int attempts = 0; ///< attempts made in the current sequence
    bool acknowledged = false;
    QString state; ///< "pending", "held", "delivering", "waiting", "acknowledged", "gave_up"
    qint64 nextAttemptAtMs = 0;

    QJsonObject toJson() const;
};

/// The sandbox's memory: every trade, refund and notification. Nothing is persisted, so all of
/// it is lost when the sandbox restarts (keys and TLS files are kept; Paydesk then sees trades it
/// created before the restart as unknown, like orders the channel never received).
///
/// Thread-safe: one mutex around everything, held only for in-memory work. Callers run their
/// read-check-write sequences inside locked() so that, e.g., two refunds cannot both pass the
/// refundable-amount check.
class TradeBook final
{
    Q_DISABLE_COPY_MOVE(TradeBook)

public:
    static constexpr qsizetype MaxTrades = 1'000'000;
    static constexpr qsizetype MaxRefundsPerTrade = 100;
    static constexpr qsizetype MaxNotifications = 2'000'000;
    static constexpr qsizetype MaxDeliveriesPerNotification = 1000;

    struct Data
    {
        QHash<QString, TradeRecord> trades; ///< by key(channel, out_trade_no)
        QHash<QString, QString> tradeKeyByCode; ///< qr_code / code_url / prepay_id → trade key
        QHash<QString, QString> tradeKeyByTradeNo; ///< key(channel, trade_no) → trade key
        QHash<QString, QString> tradeKeyByRefundNo; ///< key(channel, out_refund_no) → trade key
        QHash<QString, NotificationRecord> notifications;

        static QString key(SimChannel channel, const QString &id);
        TradeRecord *find(SimChannel channel, const QString &outTradeNo);
        TradeRecord *findByCode(const QString &code);
        TradeRecord *findByTradeNo(SimChannel channel, const QString &tradeNo);
        TradeRecord *findByRefundNo(SimChannel channel, const QString &outRefundNo);
        bool full() const { return trades.size() >= MaxTrades; }
        /// Adds a trade (callers check full() and uniqueness first) and indexes it.
        TradeRecord &add(TradeRecord trade);
        void indexRefund(const TradeRecord &trade, const QString &outRefundNo);
        /// Adds a notification to its trade; false when the book holds too many.
        bool addNotification(TradeRecord &trade, NotificationRecord notification);
        /// Adds a notification that belongs to no trade (a payout result); false when full.
        bool addDetachedNotification(NotificationRecord notification);
        NotificationRecord *notification(const QString &id);
        QJsonObject tradeJson(const TradeRecord &trade) const;
    };

    TradeBook() = default;

    template<typename F> auto locked(F &&fn)
    {
        QMutexLocker lock(&m_mutex);
        return std::forward<F>(fn)(m_data);
    }

private:
    QMutex m_mutex;
    Data m_data;
};

} // namespace paydesk::sandbox
