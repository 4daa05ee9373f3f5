#include "server/sandbox/PayoutBook.h"

#include "server/channels/payout/PayoutChannel.h"
#include "server/sandbox/Notifier.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QTimer>
#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcPayoutBook, "paydesk.sandbox.payouts")

namespace paydesk::sandbox {

QJsonObject PayoutRecord::toJson() const
{
    QJsonObject object{
        {u"provider"_s, channelName(provider)},
        {u"payout_no"_s, payoutNo},
        {u"payout_id"_s, payoutId},
        {u"amount"_s, amount},
        {u"status"_s, status},
        {u"created_at"_s, beijingRfc3339Ms(createdAtMs)},
        {u"queries"_s, queries},
        {u"submissions"_s, submissions},
        {u"notification_ids"_s, QJsonArray::fromStringList(notificationIds)},
    };
    if (!accountNo.isEmpty())
        object.insert(u"account_no"_s, maskCardNo(accountNo));
    if (!openId.isEmpty())
        object.insert(u"openid"_s, openId);
    if (!detailId.isEmpty())
        object.insert(u"detail_id"_s, detailId);
    if (!failCode.isEmpty()) {
        object.insert(u"fail_code"_s, failCode);
        object.insert(u"fail_message"_s, failMessage);
    }
    if (finishedAtMs > 0)
        object.insert(u"finished_at"_s, beijingRfc3339Ms(finishedAtMs));
    return object;
}

QString PayoutBook::Data::key(SimChannel provider, const QString &payoutNo)
{
    return channelName(provider) + u':' + payoutNo;
}

PayoutRecord *PayoutBook::Data::find(SimChannel provider, const QString &payoutNo)
{
    const auto it = payouts.find(key(provider, payoutNo));
    return it == payouts.end() ? nullptr : &*it;
}

PayoutBook::PayoutBook(TradeBook &trades, Faults &faults, Notifier &notifier, TimeScale timeScale, QObject *parent)
    : QObject(parent), m_trades(trades), m_faults(faults), m_notifier(notifier), m_timeScale(timeScale)
{
}

void PayoutBook::setNotificationBuilder(SimChannel provider, NotificationBuilder builder)
{
    m_builders.insert(int(provider), std::move(builder));
}

QString PayoutBook::defaultFailCode(SimChannel)
{
    // A code both real providers use: the payee's account is frozen.
    return u"ACCOUNT_FROZEN"_s;
}

PayoutBook::Acceptance PayoutBook::accept(PayoutRecord candidate, const Rule &rule, PayoutRecord *result)
{
    const ChannelFaults faults = m_faults.get(candidate.provider);
    qint64 settleInMs = 0;
    const Acceptance acceptance = locked([&](Data &data) {
        if (PayoutRecord *existing = data.find(candidate.provider, candidate.payoutNo)) {
            // Idempotent by payout_no: the same request again is the same payout, never a second one.
            const bool same = existing->amount == candidate.amount && existing->accountNo == candidate.accountNo
                && existing->accountName == candidate.accountName && existing->openId == candidate.openId;
            if (!same) {
                *result = *existing;
                return Acceptance::Conflict;
            }
            ++existing->submissions;
            *result = *existing;
            return Acceptance::Existing;
        }
        if (data.payouts.size() >= MaxPayouts)
            return Acceptance::Full;
        candidate.createdAtMs = nowMs();
        candidate.status = u"PROCESSING"_s;
        if (const std::optional<PayoutFailure> injected = m_faults.takePayoutFailure(candidate.provider)) {
            candidate.plannedFailCode = injected->code.isEmpty() ? defaultFailCode(candidate.provider) : injected->code;
            candidate.plannedFailMessage
                = injected->message.isEmpty() ? u"sandbox fault: fail_next_payouts"_s : injected->message;
        } else if (const std::optional<PayoutFailure> refused = rule(data, candidate)) {
            candidate.plannedFailCode = refused->code;
            candidate.plannedFailMessage = refused->message;
        }
        settleInMs = faults.processingMs > 0 ? faults.processingMs : m_timeScale.scaled(SettleMs);
        candidate.settleAtMs = candidate.createdAtMs + settleInMs;
        candidate.settleAfterQueries = faults.processingQueries;
        *result = candidate;
        data.payouts.insert(Data::key(candidate.provider, candidate.payoutNo), candidate);
        return Acceptance::Created;
    });
    if (acceptance == Acceptance::Created) {
        const SimChannel provider = result->provider;
        const QString payoutNo = result->payoutNo;
        QMetaObject::invokeMethod(
            this, [this, provider, payoutNo, settleInMs] { scheduleSettle(provider, payoutNo, settleInMs); },
            Qt::QueuedConnection);
    }
    return acceptance;
}

std::optional<PayoutRecord> PayoutBook::query(SimChannel provider, const QString &payoutNo)
{
    const bool known = locked([&](Data &data) {
        PayoutRecord *payout = data.find(provider, payoutNo);
        if (payout && !payout->isFinal())
            ++payout->queries;
        return payout != nullptr;
    });
    if (!known)
        return std::nullopt;
    settleIfDue(provider, payoutNo);
    return get(provider, payoutNo);
}

std::optional<PayoutRecord> PayoutBook::get(SimChannel provider, const QString &payoutNo)
{
    return locked([&](Data &data) -> std::optional<PayoutRecord> {
        const PayoutRecord *payout = data.find(provider, payoutNo);
        return payout ? std::optional<PayoutRecord>(*payout) : std::nullopt;
    });
}

void PayoutBook::scheduleSettle(SimChannel provider, const QString &payoutNo, qint64 delayMs)
{
    QTimer::singleShot(int(std::clamp<qint64>(delayMs, 0, Faults::MaxDelayMs)), Qt::PreciseTimer, this,
                       [this, provider, payoutNo] {
                           settleIfDue(provider, payoutNo);
                           // A timer may fire a little before the wall clock says it is due: wait
                           // out the rest. (One held back by processing_queries settles on a query.)
                           const std::optional<PayoutRecord> payout = get(provider, payoutNo);
                           if (payout && !payout->isFinal() && nowMs() < payout->settleAtMs)
                               scheduleSettle(provider, payoutNo, payout->settleAtMs - nowMs() + 1);
                       });
}

void PayoutBook::settleIfDue(SimChannel provider, const QString &payoutNo)
{
    // Decided under the lock, so a query and the timer cannot both settle (and notify) it.
    const std::optional<PayoutRecord> settled = locked([&](Data &data) -> std::optional<PayoutRecord> {
        PayoutRecord *payout = data.find(provider, payoutNo);
        if (!payout || payout->isFinal() || nowMs() < payout->settleAtMs)
            return std::nullopt;
        if (payout->settleAfterQueries > 0 && payout->queries <= payout->settleAfterQueries)
            return std::nullopt;
        payout->finishedAtMs = nowMs();
        if (payout->plannedFailCode.isEmpty()) {
            payout->status = u"SUCCESS"_s;
        } else {
            payout->status = u"FAILED"_s;
            payout->failCode = payout->plannedFailCode;
            payout->failMessage = payout->plannedFailMessage;
        }
        return *payout;
    });
    if (!settled || settled->notifyUrl.isEmpty())
        return;
    const NotificationBuilder builder = m_builders.value(int(provider));
    std::optional<NotificationRecord> record = builder ? builder(*settled) : std::nullopt;
    if (!record)
        return;
    record->id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record->channel = provider;
    record->outTradeNo = settled->payoutNo;
    record->url = settled->notifyUrl;
    record->createdAtMs = settled->finishedAtMs;
    record->state = u"pending"_s;
    const QString id = record->id;
    if (!m_trades.locked([&](TradeBook::Data &data) { return data.addDetachedNotification(std::move(*record)); })) {
        qCWarning(lcPayoutBook) << "too many notifications; the result of" << payoutNo << "is not sent";
        return;
    }
    locked([&](Data &data) {
        if (PayoutRecord *payout = data.find(provider, payoutNo))
            payout->notificationIds.append(id);
    });
    m_notifier.deliver(id);
}

QString PayoutBook::redeliver(SimChannel provider, const QString &payoutNo)
{
    const QString id = locked([&](Data &data) -> QString {
        const PayoutRecord *payout = data.find(provider, payoutNo);
        return payout && !payout->notificationIds.isEmpty() ? payout->notificationIds.constLast() : QString();
    });
    if (!id.isEmpty())
        m_notifier.deliver(id);
    return id;
}

} // namespace paydesk::sandbox
