#pragma once

#include "server/net/HttpClient.h"
#include "server/sandbox/Faults.h"
#include "server/sandbox/SandboxSupport.h"
#include "server/sandbox/TradeBook.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSslCertificate>

#include <functional>

namespace paydesk::sandbox {

/// Delivers notifications the way the channels do: an immediate attempt, then retries on the
/// channel's schedule (divided by the time scale) until the merchant acknowledges or the schedule
/// ends, with the faults of Faults applied to every attempt. Every delivery is recorded in the
/// TradeBook for the control API.
///
/// Lives on the main thread and schedules with timers there; deliver() may be called from any
/// thread.
class Notifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Notifier)

public:
    /// Builds one HTTP request for a notification; called for every copy of every attempt, so the
    /// timestamps, nonces and signatures are fresh each time, as with the real channels.
    using Renderer = std::function<OutboundRequest(const NotificationRecord &record, bool badSignature)>;
    /// Whether the merchant's answer acknowledges the notification.
    using AckCheck = std::function<bool(const OutboundResponse &response)>;

    static constexpr int RequestTimeoutMs = 10'000;
    static constexpr qsizetype MaxResponseBytes = 64 * 1024;
    static constexpr qsizetype MaxHeld = 10'000;

    Notifier(TradeBook &book, Faults &faults, TimeScale timeScale, QList<QSslCertificate> trustedCa,
             QObject *parent = nullptr);
    ~Notifier() override;

    void setChannel(SimChannel channel, Renderer renderer, AckCheck ackCheck);

    /// Starts a new attempt sequence for the notification now (first delivery, or a redelivery
    /// ordered through the control API). Thread-safe.
    void deliver(const QString &notificationId);

    /// Retry intervals after the first, immediate attempt (unscaled).
    static QList<qint64> retryIntervalsMs(SimChannel channel);

private:
    struct Job
    {
        SimChannel channel = SimChannel::Alipay;
        int sequence = 0;
        int attempt = 0; ///< attempts started in this sequence
        int outstanding = 0; ///< copies of the current attempt still in flight
        bool acknowledged = false; ///< by some copy of the current attempt
        bool releasing = false; ///< the current attempt was released from a reverse-order hold
    };
    struct Held
    {
        QString id;
        int sequence = 0;
    };

    void startSequence(const QString &id);
    void schedule(const QString &id, int sequence, qint64 delayMs, bool delayApplied);
    void runAttempt(const QString &id, int sequence, bool delayApplied, bool released);
    void onDelivered(SimChannel channel, const QString &id, int sequence, int attempt, int copy,
                     const OutboundResponse &response);
    void finishAttempt(const QString &id, Job &job);
    void recordDelivery(const QString &id, const DeliveryRecord &delivery);
    void setState(const QString &id, const QString &state, qint64 nextAttemptAtMs = 0);
    void onFaultsChanged();
    void releaseNext();
    void continueRelease();

    TradeBook &m_book;
    Faults &m_faults;
    TimeScale m_timeScale;
    QList<QSslCertificate> m_trustedCa;
    HttpClient m_http;
    QHash<int, Renderer> m_renderers;
    QHash<int, AckCheck> m_ackChecks;
    QHash<QString, Job> m_jobs;
    QHash<int, QList<Held>> m_held; ///< per channel, oldest first
    QList<Held> m_releaseQueue; ///< newest first
    bool m_releaseRunning = false;
};

} // namespace paydesk::sandbox
