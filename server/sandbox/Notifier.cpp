#include "server/sandbox/Notifier.h"

#include <QLoggingCategory>
#include <QTimer>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcNotifier, "paydesk.sandbox.notify")

namespace paydesk::sandbox {

namespace {

constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kHour = 60 * kMinute;

} // namespace

Notifier::Notifier(TradeBook &book, Faults &faults, TimeScale timeScale, QList<QSslCertificate> trustedCa,
                   QObject *parent)
    : QObject(parent), m_book(book), m_faults(faults), m_timeScale(timeScale), m_trustedCa(std::move(trustedCa))
{
    // Queued: Faults changes on HTTP worker threads, the holds belong to this thread.
    connect(&m_faults, &Faults::changed, this, &Notifier::onFaultsChanged, Qt::QueuedConnection);
}

Notifier::~Notifier() = default;

void Notifier::setChannel(SimChannel channel, Renderer renderer, AckCheck ackCheck)
{
    m_renderers.insert(int(channel), std::move(renderer));
    m_ackChecks.insert(int(channel), std::move(ackCheck));
}

QList<qint64> Notifier::retryIntervalsMs(SimChannel channel)
{
    if (channel == SimChannel::Alipay) {
        // About 25 h in 8 attempts (opendocs.alipay.com/open/270/105902; PROTOCOLS.md A.4).
        return {4 * kMinute, 10 * kMinute, 10 * kMinute, kHour, 2 * kHour, 6 * kHour, 15 * kHour};
    }
    if (channel == SimChannel::Bankpay) {
        // bankpay payout results: 9 retries over about a day (docs/payouts.md).
        return {kMinute, 2 * kMinute, 5 * kMinute, 15 * kMinute, 30 * kMinute, kHour, 2 * kHour, 6 * kHour, 15 * kHour};
    }
    // WeChat Pay v3 (payments, refunds and transfer batches): 15 retries over 24 h 4 min (PROTOCOLS.md B.3).
    return {15 * kSecond, 15 * kSecond, 30 * kSecond, 3 * kMinute,  10 * kMinute,
            20 * kMinute, 30 * kMinute, 30 * kMinute, 30 * kMinute, 60 * kMinute,
            3 * kHour,    3 * kHour,    3 * kHour,    6 * kHour,    6 * kHour};
}

void Notifier::deliver(const QString &notificationId)
{
    QMetaObject::invokeMethod(
        this, [this, notificationId] { startSequence(notificationId); }, Qt::QueuedConnection);
}

void Notifier::startSequence(const QString &id)
{
    Job job;
    const bool known = m_book.locked([&](TradeBook::Data &data) {
        NotificationRecord *record = data.notification(id);
        if (!record)
            return false;
        ++record->sequence;
        record->attempts = 0;
        record->acknowledged = false;
        record->state = u"pending"_s;
        job.channel = record->channel;
        job.sequence = record->sequence;
        return true;
    });
    if (!known)
        return;
    // A redelivery supersedes whatever the previous sequence still had scheduled: its timers and
    // in-flight copies see a different sequence number and stop.
    m_jobs.insert(id, job);
    runAttempt(id, job.sequence, false, false);
}

void Notifier::schedule(const QString &id, int sequence, qint64 delayMs, bool delayApplied)
{
    setState(id, u"waiting"_s, nowMs() + delayMs);
    // QTimer takes int milliseconds; the longest unscaled wait (15 h) fits, a fault delay too.
    const int ms = int(std::min<qint64>(delayMs, std::numeric_limits<int>::max()));
    QTimer::singleShot(ms, this, [this, id, sequence, delayApplied] { runAttempt(id, sequence, delayApplied, false); });
}

void Notifier::runAttempt(const QString &id, int sequence, bool delayApplied, bool released)
{
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end() || it->sequence != sequence || it->outstanding > 0) {
        if (released)
            continueRelease();
        return;
    }
    Job &job = *it;
    const ChannelFaults faults = m_faults.get(job.channel);
    if (!delayApplied && faults.delayNotificationsMs > 0) {
        schedule(id, sequence, faults.delayNotificationsMs, true);
        return;
    }
    if (faults.reverseOrder && !released) {
        QList<Held> &held = m_held[int(job.channel)];
        if (held.size() < MaxHeld) {
            held.append({id, sequence});
            setState(id, u"held"_s);
            return;
        }
        qCWarning(lcNotifier) << "too many held notifications; delivering" << id << "in order";
    }

    ++job.attempt;
    job.acknowledged = false;
    job.releasing = released;
    const int attempt = job.attempt;
    m_book.locked([&](TradeBook::Data &data) {
        if (NotificationRecord *record = data.notification(id))
            record->attempts = attempt;
    });
    if (faults.dropNotifications) {
        DeliveryRecord delivery;
        delivery.atMs = nowMs();
        delivery.sequence = sequence;
        delivery.attempt = attempt;
        delivery.error = u"dropped by the drop_notifications fault"_s;
        recordDelivery(id, delivery);
        finishAttempt(id, job);
        return;
    }

    const std::optional<NotificationRecord> record
        = m_book.locked([&](TradeBook::Data &data) -> std::optional<NotificationRecord> {
              const NotificationRecord *found = data.notification(id);
              return found ? std::optional<NotificationRecord>(*found) : std::nullopt;
          });
    const Renderer renderer = m_renderers.value(int(job.channel));
    if (!record || !renderer) {
        m_jobs.remove(id);
        if (released)
            continueRelease();
        return;
    }
    setState(id, u"delivering"_s);
    const int copies = 1 + faults.duplicateNotifications;
    job.outstanding = copies;
    for (int copy = 0; copy < copies; ++copy) {
        OutboundRequest request = renderer(*record, faults.badSignature);
        request.url = QUrl(record->url);
        request.extraCa = m_trustedCa;
        request.timeoutMs = RequestTimeoutMs;
        request.maxResponseBytes = MaxResponseBytes;
        m_http.send(std::move(request))
            .then(this, [this, channel = job.channel, id, sequence, attempt, copy](OutboundResponse response) {
                onDelivered(channel, id, sequence, attempt, copy, response);
            });
    }
}

void Notifier::onDelivered(SimChannel channel, const QString &id, int sequence, int attempt, int copy,
                           const OutboundResponse &response)
{
    const AckCheck ackCheck = m_ackChecks.value(int(channel));
    DeliveryRecord delivery;
    delivery.atMs = nowMs();
    delivery.sequence = sequence;
    delivery.attempt = attempt;
    delivery.copy = copy;
    delivery.httpStatus = response.status;
    delivery.acknowledged = response.ok() && ackCheck && ackCheck(response);
    if (!response.ok())
        delivery.error = response.error.isEmpty() ? u"no answer"_s : response.error;
    else if (!delivery.acknowledged)
        delivery.error = u"not acknowledged: HTTP %1, %2 bytes"_s.arg(response.status).arg(response.body.size());
    recordDelivery(id, delivery);

    const auto it = m_jobs.find(id);
    if (it == m_jobs.end() || it->sequence != sequence || it->attempt != attempt)
        return; // superseded by a redelivery
    it->acknowledged = it->acknowledged || delivery.acknowledged;
    if (--it->outstanding == 0)
        finishAttempt(id, *it);
}

void Notifier::finishAttempt(const QString &id, Job &job)
{
    const bool released = job.releasing;
    job.releasing = false;
    if (job.acknowledged) {
        m_book.locked([&](TradeBook::Data &data) {
            if (NotificationRecord *record = data.notification(id)) {
                record->acknowledged = true;
                record->state = u"acknowledged"_s;
                record->nextAttemptAtMs = 0;
            }
        });
        m_jobs.remove(id);
    } else {
        const QList<qint64> intervals = retryIntervalsMs(job.channel);
        if (job.attempt - 1 < intervals.size()) {
            schedule(id, job.sequence, m_timeScale.scaled(intervals.at(job.attempt - 1)), false);
        } else {
            setState(id, u"gave_up"_s);
            m_jobs.remove(id);
        }
    }
    if (released)
        continueRelease();
}

void Notifier::recordDelivery(const QString &id, const DeliveryRecord &delivery)
{
    m_book.locked([&](TradeBook::Data &data) {
        NotificationRecord *record = data.notification(id);
        if (!record)
            return;
        if (record->deliveries.size() >= TradeBook::MaxDeliveriesPerNotification)
            record->deliveries.removeFirst();
        record->deliveries.append(delivery);
    });
    qCInfo(lcNotifier).noquote() << "notification" << id << "attempt" << delivery.attempt << "copy" << delivery.copy
                                 << "status" << delivery.httpStatus
                                 << (delivery.acknowledged ? "acknowledged" : qPrintable(delivery.error));
}

void Notifier::setState(const QString &id, const QString &state, qint64 nextAttemptAtMs)
{
    m_book.locked([&](TradeBook::Data &data) {
        if (NotificationRecord *record = data.notification(id)) {
            record->state = state;
            record->nextAttemptAtMs = nextAttemptAtMs;
        }
    });
}

void Notifier::onFaultsChanged()
{
    // Out-of-order delivery: what was held while reverse_order was on goes out newest first, one
    // at a time, so the merchant really sees them in that order.
    for (const SimChannel channel : AllSimChannels) {
        QList<Held> &held = m_held[int(channel)];
        if (held.isEmpty() || m_faults.get(channel).reverseOrder)
            continue;
        std::reverse(held.begin(), held.end());
        m_releaseQueue += held;
        held.clear();
    }
    if (!m_releaseRunning)
        releaseNext();
}

void Notifier::continueRelease()
{
    // Queued, so that an attempt finishing synchronously (a dropped one) never recurses.
    QMetaObject::invokeMethod(this, &Notifier::releaseNext, Qt::QueuedConnection);
}

void Notifier::releaseNext()
{
    m_releaseRunning = false;
    while (!m_releaseQueue.isEmpty()) {
        const Held next = m_releaseQueue.takeFirst();
        const auto it = m_jobs.constFind(next.id);
        if (it == m_jobs.constEnd() || it->sequence != next.sequence)
            continue; // redelivered meanwhile
        // Every path of a released attempt ends in continueRelease(), which sends the next one.
        m_releaseRunning = true;
        runAttempt(next.id, next.sequence, true, true);
        return;
    }
}

} // namespace paydesk::sandbox
