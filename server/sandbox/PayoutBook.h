#pragma once

#include "server/sandbox/Faults.h"
#include "server/sandbox/SandboxSupport.h"
#include "server/sandbox/TradeBook.h"

#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace paydesk::sandbox {

class Notifier;

/// One payout as a simulated provider keeps it (bankpay payout or WeChat transfer batch with its
/// single detail).
struct PayoutRecord
{
    SimChannel provider = SimChannel::Bankpay;
    QString payoutNo; ///< bankpay payout_no / WeChat out_batch_no (= out_detail_no)
    QString payoutId; ///< bankpay payout_id / WeChat batch_id
    QString detailId; ///< WeChat detail_id
    qint64 amount = 0; ///< fen
    QString accountNo; ///< bankpay card number (shown masked by the control API)
    QString accountName; ///< bankpay holder name / WeChat user_name (decrypted)
    QString bankCode;
    QString bankName;
    QString openId; ///< WeChat
    QString appId; ///< WeChat
    QString memo; ///< bankpay memo / WeChat transfer_remark
    QString notifyUrl;
    QString status = QStringLiteral("PROCESSING"); ///< PROCESSING | SUCCESS | FAILED
    QString plannedFailCode; ///< decided on acceptance: empty = it will succeed
    QString plannedFailMessage;
    QString failCode; ///< once FAILED
    QString failMessage;
    qint64 createdAtMs = 0;
    qint64 settleAtMs = 0; ///< not before this
    qint64 finishedAtMs = 0;
    int queries = 0; ///< queries answered so far
    int settleAfterQueries = 0; ///< processing_queries fault: stays PROCESSING for this many queries
    int submissions = 1; ///< the same payout submitted again counts here, never pays again
    QStringList notificationIds;

    bool isFinal() const { return status != QStringLiteral("PROCESSING"); }
    /// For the control API: card number masked.
    QJsonObject toJson() const;
};

/// The payout providers' memory and their settlement: payouts are accepted PROCESSING, decided on
/// acceptance (fail_next_payouts fault, invalid card or name), and settled SettleMs (scaled) later
/// or after the processing_ms / processing_queries faults, whereupon the result notification goes
/// out through the Notifier. Nothing is persisted.
///
/// Thread-safe (handlers call it on HTTP workers); the object lives on the main thread, where the
/// settlement timers run.
class PayoutBook final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PayoutBook)

public:
    static constexpr qsizetype MaxPayouts = 100'000;
    static constexpr qsizetype MaxInvalidCards = 10'000;
    /// A payout settles this long (scaled) after it was accepted, unless a fault slows it.
    static constexpr qint64 SettleMs = 1000;

    /// The notification of a settled payout (payload, event type, kind); id, url and state are
    /// filled in by the book. nullopt: nothing to send.
    using NotificationBuilder = std::function<std::optional<NotificationRecord>(const PayoutRecord &payout)>;

    struct Data
    {
        QHash<QString, PayoutRecord> payouts; ///< by key(provider, payout_no)
        QSet<QString> invalidCards; ///< card numbers whose verification and payouts fail

        static QString key(SimChannel provider, const QString &payoutNo);
        PayoutRecord *find(SimChannel provider, const QString &payoutNo);
    };

    enum class Acceptance {
        Created, ///< a new payout
        Existing, ///< the same payout_no with the same details: the existing payout, paid once
        Conflict, ///< the same payout_no with other details
        Full, ///< the sandbox holds too many payouts
    };
    /// Decides how a new payout will end: nullopt = success, or the failure.
    using Rule = std::function<std::optional<PayoutFailure>(const Data &data, const PayoutRecord &payout)>;

    PayoutBook(TradeBook &trades, Faults &faults, Notifier &notifier, TimeScale timeScale, QObject *parent = nullptr);

    void setNotificationBuilder(SimChannel provider, NotificationBuilder builder);

    /// Accepts candidate or finds the payout with its payout_no; *result is the payout as stored.
    Acceptance accept(PayoutRecord candidate, const Rule &rule, PayoutRecord *result);
    /// Counts a query, settles the payout when due, and returns it; nullopt when unknown.
    std::optional<PayoutRecord> query(SimChannel provider, const QString &payoutNo);
    std::optional<PayoutRecord> get(SimChannel provider, const QString &payoutNo);
    /// A new attempt sequence of the payout's result notification; its id, or empty when none.
    QString redeliver(SimChannel provider, const QString &payoutNo);

    template<typename F> auto locked(F &&fn)
    {
        QMutexLocker lock(&m_mutex);
        return std::forward<F>(fn)(m_data);
    }

    /// The fail code of a fail_next_payouts fault that names none.
    static QString defaultFailCode(SimChannel provider);

private:
    /// On the book's thread: settles the payout once delayMs have passed (and it is due).
    void scheduleSettle(SimChannel provider, const QString &payoutNo, qint64 delayMs);
    void settleIfDue(SimChannel provider, const QString &payoutNo);

    TradeBook &m_trades;
    Faults &m_faults;
    Notifier &m_notifier;
    TimeScale m_timeScale;
    QHash<int, NotificationBuilder> m_builders; ///< set before the server starts, read-only afterwards
    QMutex m_mutex;
    Data m_data;
};

} // namespace paydesk::sandbox
