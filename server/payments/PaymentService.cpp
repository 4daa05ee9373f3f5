#include "server/payments/PaymentService.h"

#include "common/crypto/Digest.h"
#include "common/money/Money.h"
#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/events/EventHub.h"
#include "server/ledger/Ledger.h"
#include "server/net/HttpClient.h"
#include "server/payments/Alerts.h"
#include "server/payments/ChannelStore.h"
#include "server/payments/FlowSupport.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QUrl>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcPayments, "paydesk.payments")

namespace paydesk {

using namespace flows;

namespace {

const QString kOrderColumns
    = u"order_no, merchant_id, out_trade_no, amount, currency, subject, channel_type, channel_id, method, status,"
      " status_reason, prepay_outcome, qr_code, app_params, channel_trade_no, paid_amount, paid_at, refund_reserved,"
      " refunded_amount, notify_url, expires_at, created_at, updated_at, version, request_hash, kind, payer_user_id"_s;

OrderRecord readOrder(QSqlQuery &row)
{
    OrderRecord order;
    if (!row.next())
        return order;
    order.exists = true;
    order.orderNo = row.value(0).toString();
    order.merchantId = row.value(1).toString();
    order.outTradeNo = row.value(2).toString();
    order.amount = row.value(3).toLongLong();
    order.currency = row.value(4).toString();
    order.subject = row.value(5).toString();
    order.channelType = row.value(6).toString();
    order.channelId = row.value(7).toString();
    order.method = row.value(8).toString();
    order.status = row.value(9).toString();
    order.statusReason = row.value(10).toString();
    order.prepayOutcome = row.value(11).toString();
    order.qrCode = row.value(12).toString();
    order.appParams = QJsonDocument::fromJson(row.value(13).toString().toUtf8()).object();
    order.channelTradeNo = row.value(14).toString();
    order.paidAmount = row.value(15).toLongLong();
    order.paidAt = row.value(16).toLongLong();
    order.refundReserved = row.value(17).toLongLong();
    order.refundedAmount = row.value(18).toLongLong();
    order.notifyUrl = row.value(19).toString();
    order.expiresAt = row.value(20).toLongLong();
    order.createdAt = row.value(21).toLongLong();
    order.updatedAt = row.value(22).toLongLong();
    order.version = row.value(23).toInt();
    order.requestHash = row.value(24).toString();
    order.kind = row.value(25).toString();
    order.payerUserId = row.value(26).toString();
    return order;
}

} // namespace

QJsonObject OrderRecord::toJson() const
{
    return QJsonObject{
        {u"order_no"_s, orderNo},
        {u"merchant_id"_s, merchantId},
        {u"out_trade_no"_s, outTradeNo},
        {u"kind"_s, kind},
        {u"amount"_s, amount},
        {u"currency"_s, currency},
        {u"subject"_s, subject},
        {u"channel"_s, channelType},
        {u"channel_id"_s, channelId},
        {u"method"_s, method},
        {u"status"_s, status},
        {u"status_reason"_s, statusReason.isEmpty() ? QJsonValue() : QJsonValue(statusReason)},
        {u"prepay"_s, prepayOutcome},
        {u"qr_code"_s, qrCode.isEmpty() ? QJsonValue() : QJsonValue(qrCode)},
        {u"app_params"_s, appParams.isEmpty() ? QJsonValue() : QJsonValue(appParams)},
        {u"channel_trade_no"_s, channelTradeNo.isEmpty() ? QJsonValue() : QJsonValue(channelTradeNo)},
        {u"paid_amount"_s, paidAmount},
        {u"paid_at"_s, paidAt ? QJsonValue(paidAt) : QJsonValue()},
        {u"refunded_amount"_s, refundedAmount},
        {u"refundable_amount"_s, paidAmount - refundReserved},
        {u"notify_url"_s, notifyUrl.isEmpty() ? QJsonValue() : QJsonValue(notifyUrl)},
        {u"expires_at"_s, expiresAt},
        {u"created_at"_s, createdAt},
        {u"updated_at"_s, updatedAt},
    };
}

PaymentService::PaymentService(Database &database, DbWriter &writer, ChannelStore &channels, HttpClient &http,
                               FieldCipher &cipher, Clock clock, PaymentsConfig config, int nodeId)
    : m_database(database), m_writer(writer), m_channels(channels), m_http(http), m_cipher(cipher),
      m_clock(std::move(clock)), m_config(std::move(config)), m_orderIds(std::make_unique<IdGenerator>(u"P"_s, nodeId)),
      m_refundIds(std::make_unique<IdGenerator>(u"R"_s, nodeId)),
      m_logIds(std::make_unique<IdGenerator>(u"CL"_s, nodeId)),
      m_outboxIds(std::make_unique<IdGenerator>(u"OB"_s, nodeId)),
      m_alertIds(std::make_unique<IdGenerator>(u"AL"_s, nodeId)),
      m_journalIds(std::make_unique<IdGenerator>(u"JE"_s, nodeId))
{
    m_config.timeScale = std::max(1, m_config.timeScale);
    m_pool.setMaxThreadCount(std::max(2, m_config.jobThreads));
    m_pool.setExpiryTimeout(-1); // reader connections are per thread
}

PaymentService::~PaymentService()
{
    m_pool.waitForDone();
}

void PaymentService::attach(JobRunner &jobs)
{
    m_jobs = &jobs;
    jobs.setHandler(u"order.poll"_s, [this](const OutboxJob &job) { return pollOrder(job); });
    jobs.setHandler(u"refund.poll"_s, [this](const OutboxJob &job) { return pollRefund(job); });
    jobs.setHandler(u"merchant.notify"_s, [this](const OutboxJob &job) { return deliverMerchantEvent(job); });
    jobs.setHandler(u"alert.webhook"_s, [this](const OutboxJob &job) { return deliverAlert(job); });
}

qint64 PaymentService::scaled(qint64 delayMs) const
{
    return std::max<qint64>(1, delayMs / m_config.timeScale);
}

void PaymentService::wakeJobs()
{
    if (m_jobs)
        m_jobs->wake();
}

OrderRecord PaymentService::loadOrder(const QSqlDatabase &db, const QString &orderNo) const
{
    QSqlQuery row = sqlExec(db, u"SELECT "_s + kOrderColumns + u" FROM orders WHERE order_no = ?"_s, {orderNo});
    return readOrder(row);
}

OrderRecord PaymentService::loadOrderByOutTradeNo(const QSqlDatabase &db, const QString &merchantId,
                                                  const QString &outTradeNo) const
{
    QSqlQuery row
        = sqlExec(db, u"SELECT "_s + kOrderColumns + u" FROM orders WHERE merchant_id = ? AND out_trade_no = ?"_s,
                  {merchantId, outTradeNo});
    return readOrder(row);
}

void PaymentService::addEvent(const QSqlDatabase &db, const QString &orderNo, const QString &status,
                              const QString &event, const QString &detail) const
{
    sqlExec(db,
            u"INSERT INTO order_events (order_no, seq, at, status, event, detail) VALUES (?, (SELECT COALESCE(MAX(seq),"
            " 0) + 1 FROM order_events WHERE order_no = ?), ?, ?, ?, ?)"_s,
            {orderNo, orderNo, m_clock(), status, event, nonNull(detail.left(500))});
}

void PaymentService::logExchange(const QSqlDatabase &db, const QString &channelId, const QString &orderNo,
                                 const QString &refundNo, const ChannelExchange &exchange, const QString &outcome,
                                 const QString &withdrawalId) const
{
    constexpr qsizetype kMaxLogText = 16 * 1024;
    sqlExec(db,
            u"INSERT INTO channel_logs (id, order_no, refund_no, withdrawal_id, channel_id, operation, direction, url,"
            " http_status, outcome, request, response, verification, elapsed_ms, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
            {m_logIds->next(), nullable(orderNo), nullable(refundNo), nullable(withdrawalId), channelId,
             nonNull(exchange.operation),
             exchange.direction.isEmpty() ? u"out"_s : exchange.direction, nonNull(exchange.url.left(1000)),
             exchange.httpStatus, nonNull(outcome), nonNull(QString::fromUtf8(exchange.request.left(kMaxLogText))),
             nonNull(QString::fromUtf8(exchange.response.left(kMaxLogText))), nonNull(exchange.verification.left(500)),
             exchange.elapsedMs, m_clock()});
}

void PaymentService::logPayoutExchange(const QString &channelId, const QString &withdrawalId,
                                       const ChannelExchange &exchange, const QString &outcome)
{
    m_writer
        .submit<void>([this, channelId, withdrawalId, exchange, outcome](const QSqlDatabase &db) {
            logExchange(db, channelId, {}, {}, exchange, outcome, withdrawalId);
        })
        .waitForFinished();
}

void PaymentService::logExchangeNow(const QString &channelId, const QString &orderNo, const QString &refundNo,
                                    const ChannelExchange &exchange, const QString &outcome)
{
    m_writer
        .submit<void>([this, channelId, orderNo, refundNo, exchange, outcome](const QSqlDatabase &db) {
            logExchange(db, channelId, orderNo, refundNo, exchange, outcome);
        })
        .waitForFinished();
}

QString PaymentService::raiseAlert(const QSqlDatabase &db, const QString &kind, const QString &severity,
                                   const QString &refType, const QString &refId, const QString &message,
                                   const QJsonObject &details, const QString &dedupeKey)
{
    Alerts::Raise alert{kind, severity, refType, refId, message, details, dedupeKey};
    const QString id
        = Alerts::raise(db, *m_alertIds, *m_outboxIds, alert, !m_config.alertWebhookUrl.isEmpty(), m_clock());
    if (!id.isEmpty())
        qCWarning(lcPayments).noquote() << u"alert %1 %2 %3: %4"_s.arg(kind, refType, refId, message);
    return id;
}

void PaymentService::noteChannelOutcome(const QString &channelId, CallOutcome outcome)
{
    if (outcome != CallOutcome::Unknown)
        return;
    const qint64 now = m_clock();
    int recent = 0;
    {
        QMutexLocker lock(&m_errorsMutex);
        QList<qint64> &times = m_recentErrors[channelId];
        times.append(now);
        while (!times.isEmpty() && times.first() < now - 60'000)
            times.removeFirst();
        recent = int(times.size());
    }
    if (recent < m_config.channelErrorThreshold)
        return;
    const QString hour = QString::number(now / 3'600'000);
    m_writer
        .submit<void>([this, channelId, recent, hour](const QSqlDatabase &db) {
            raiseAlert(db, u"CHANNEL_ERRORS"_s, u"CRITICAL"_s, u"channel"_s, channelId,
                       u"%1 calls to channel %2 ended without a verified answer in the last minute."_s.arg(recent).arg(
                           channelId),
                       {}, u"CHANNEL_ERRORS:%1:%2"_s.arg(channelId, hour));
        })
        .waitForFinished();
}

std::shared_ptr<Channel> PaymentService::channelFor(const OrderRecord &order)
{
    std::shared_ptr<Channel> channel = m_channels.channel(order.channelId);
    if (!channel)
        throw ApiError(ErrorCode::Unavailable, u"The order's channel %1 is not configured."_s.arg(order.channelId));
    return channel;
}

void PaymentService::enqueueMerchantEvent(const QSqlDatabase &db, const QString &merchantId, const QString &orderNo,
                                          const QString &refundNo, const QString &type, const QJsonObject &data,
                                          const QString &url)
{
    // The event id is derived from what happened, so it is the same however often it is sent.
    const QString eventId = u"EV"_s + (refundNo.isEmpty() ? orderNo : refundNo) + u'.' + type.section(u'.', 1);
    const qint64 now = m_clock();
    const QJsonObject body{{u"event_id"_s, eventId}, {u"type"_s, type}, {u"created_at"_s, now}, {u"data"_s, data}};
    QSqlQuery insert
        = sqlExec(db,
                  u"INSERT INTO merchant_events (event_id, merchant_id, order_no, refund_no, type, url, body,"
                  " status, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?)"
                  " ON CONFLICT (event_id) DO NOTHING"_s,
                  {eventId, merchantId, orderNo, nullable(refundNo), type, nullable(url), compact(body), now});
    if (insert.numRowsAffected() == 1)
        Outbox::schedule(db, *m_outboxIds, u"merchant.notify"_s, eventId, {}, now, now);
}

bool PaymentService::markClosed(const QSqlDatabase &db, const OrderRecord &order, const QString &reason)
{
    const qint64 now = m_clock();
    QSqlQuery update = sqlExec(db,
                               u"UPDATE orders SET status = 'CLOSED', status_reason = ?, updated_at = ?,"
                               " version = version + 1 WHERE order_no = ? AND status IN ('CREATED', 'PAYING')"_s,
                               {reason, now, order.orderNo});
    if (update.numRowsAffected() != 1)
        return false;
    addEvent(db, order.orderNo, u"CLOSED"_s, u"closed"_s, reason);
    Outbox::finish(db, u"order.poll"_s, order.orderNo, now);
    if (order.kind == u"PAYMENT"_s) // wallet orders have no merchant back end to tell
        enqueueMerchantEvent(db, order.merchantId, order.orderNo, {}, u"order.closed"_s,
                             loadOrder(db, order.orderNo).toJson(), order.notifyUrl);
    return true;
}

void PaymentService::markAbnormal(const QSqlDatabase &db, const OrderRecord &order, const QString &reason,
                                  const QString &message)
{
    const qint64 now = m_clock();
    QSqlQuery update = sqlExec(db,
                               u"UPDATE orders SET status = 'ABNORMAL', status_reason = ?, updated_at = ?,"
                               " version = version + 1 WHERE order_no = ? AND status IN ('CREATED', 'PAYING')"_s,
                               {reason, now, order.orderNo});
    if (update.numRowsAffected() != 1)
        return;
    addEvent(db, order.orderNo, u"ABNORMAL"_s, reason, message);
    Outbox::finish(db, u"order.poll"_s, order.orderNo, now);
    raiseAlert(db, u"ORDER_ABNORMAL"_s, u"WARNING"_s, u"order"_s, order.orderNo, message,
               QJsonObject{{u"reason"_s, reason}});
}

PaymentService::Applied PaymentService::applyTrade(const QSqlDatabase &db, const QString &channelId,
                                                   const TradeInfo &trade, const QString &source)
{
    const qint64 now = m_clock();
    const OrderRecord order = loadOrder(db, trade.outTradeNo);
    if (!order.exists) {
        raiseAlert(db, u"UNKNOWN_TRADE"_s, u"CRITICAL"_s, u"channel_trade"_s, trade.channelTradeNo,
                   u"Channel %1 reports trade %2 (out_trade_no %3) that matches no order."_s.arg(
                       channelId, trade.channelTradeNo, trade.outTradeNo),
                   QJsonObject{{u"channel_id"_s, channelId},
                               {u"out_trade_no"_s, trade.outTradeNo},
                               {u"amount"_s, trade.totalAmount}});
        return Applied::UnknownOrder;
    }
    if (order.channelId != channelId) {
        raiseAlert(db, u"WRONG_CHANNEL"_s, u"CRITICAL"_s, u"order"_s, order.orderNo,
                   u"Channel %1 reports order %2, which belongs to channel %3."_s.arg(channelId, order.orderNo,
                                                                                      order.channelId));
        return Applied::WrongChannel;
    }
    if (!wasPaid(trade.state)) {
        if (trade.state == TradeState::Closed && (order.status == u"CREATED"_s || order.status == u"PAYING"_s)) {
            markClosed(db, order, u"CLOSED_BY_CHANNEL"_s);
            return Applied::Closed;
        }
        return Applied::Ignored;
    }

    const bool settled = order.paidAmount > 0;
    if (settled) {
        if (!trade.channelTradeNo.isEmpty() && trade.channelTradeNo != order.channelTradeNo)
            raiseAlert(db, u"DUPLICATE_PAYMENT"_s, u"CRITICAL"_s, u"order"_s, order.orderNo,
                       u"Order %1 was paid by trade %2 and is now reported paid by trade %3."_s.arg(
                           order.orderNo, order.channelTradeNo, trade.channelTradeNo),
                       QJsonObject{{u"channel_trade_no"_s, order.channelTradeNo},
                                   {u"reported_trade_no"_s, trade.channelTradeNo},
                                   {u"amount"_s, trade.totalAmount}});
        return Applied::Duplicate;
    }

    const QString clearing
        = Ledger::ensureAccount(db, u"platform"_s, channelId, u"channel_clearing"_s, order.currency, true, now);
    const bool amountMatches = trade.totalAmount == order.amount && trade.currency == order.currency;
    const bool open = order.status == u"CREATED"_s || order.status == u"PAYING"_s;
    // Paid and since refunded at the channel (out of band) before Paydesk settled the order.
    const bool refundedAtChannel = trade.state == TradeState::Refunded;
    if (!amountMatches || !open || refundedAtChannel) {
        // Money arrived that cannot be a normal success: keep it in suspense, visible and refundable.
        const QString reason = !amountMatches ? u"AMOUNT_MISMATCH"_s
            : refundedAtChannel               ? u"REFUNDED_AT_CHANNEL"_s
            : order.status == u"CLOSED"_s     ? u"PAID_AFTER_CLOSE"_s
                                              : u"PAID_WHILE_"_s + order.status;
        const qint64 paid = trade.totalAmount;
        QSqlQuery update = sqlExec(db,
                                   u"UPDATE orders SET status = 'ABNORMAL', status_reason = ?, channel_trade_no = ?,"
                                   " paid_amount = ?, paid_at = ?, updated_at = ?, version = version + 1"
                                   " WHERE order_no = ? AND version = ?"_s,
                                   {reason, nullable(trade.channelTradeNo), paid, trade.paidAtMs ? trade.paidAtMs : now,
                                    now, order.orderNo, order.version});
        if (update.numRowsAffected() != 1)
            throw ApiError(ErrorCode::Conflict, u"The order changed concurrently; the channel will retry."_s);
        const QString suspense
            = Ledger::ensureAccount(db, u"platform"_s, u"-"_s, u"suspense"_s, order.currency, true, now);
        Ledger::post(
            db, *m_journalIds,
            JournalEntry{
                u"order.paid_abnormal"_s, u"order"_s, order.orderNo, reason, {{clearing, -paid}, {suspense, paid}}},
            now);
        addEvent(db, order.orderNo, u"ABNORMAL"_s, reason,
                 u"%1 reported paid %2 (order amount %3) by %4"_s.arg(trade.channelTradeNo)
                     .arg(paid)
                     .arg(order.amount)
                     .arg(source));
        Outbox::finish(db, u"order.poll"_s, order.orderNo, now);
        raiseAlert(db, u"ORDER_ABNORMAL"_s, u"CRITICAL"_s, u"order"_s, order.orderNo,
                   u"Order %1: %2 (channel trade %3, paid %4, order amount %5)."_s
                       .arg(order.orderNo, reason, trade.channelTradeNo)
                       .arg(paid)
                       .arg(order.amount),
                   QJsonObject{{u"reason"_s, reason}, {u"paid_amount"_s, paid}, {u"amount"_s, order.amount}});
        return Applied::Abnormal;
    }

    // The order as this update leaves it (the version check makes the row read above current).
    OrderRecord paid = order;
    paid.status = u"SUCCESS"_s;
    paid.statusReason.clear();
    paid.channelTradeNo = trade.channelTradeNo;
    paid.paidAmount = order.amount;
    paid.paidAt = trade.paidAtMs ? trade.paidAtMs : now;
    paid.updatedAt = now;
    paid.version = order.version + 1;
    QSqlQuery update = sqlExec(
        db,
        u"UPDATE orders SET status = 'SUCCESS', status_reason = NULL, channel_trade_no = ?,"
        " paid_amount = amount, paid_at = ?, updated_at = ?, version = version + 1"
        " WHERE order_no = ? AND version = ? AND status IN ('CREATED', 'PAYING')"_s,
        {nullable(trade.channelTradeNo), paid.paidAt, now, order.orderNo, order.version});
    if (update.numRowsAffected() != 1)
        throw ApiError(ErrorCode::Conflict, u"The order changed concurrently; the channel will retry."_s);
    // A recharge credits the app user's available funds, a red packet's payment the sender's
    // frozen funds; any other payment credits the merchant.
    const bool recharge = order.kind == u"RECHARGE"_s || order.kind == u"RED_PACKET"_s;
    const QString credited = recharge
        ? Ledger::ensureAccount(db, u"user"_s, order.payerUserId,
                                order.kind == u"RED_PACKET"_s ? u"frozen"_s : u"available"_s, order.currency, false,
                                now)
        : Ledger::ensureAccount(db, u"merchant"_s, order.merchantId, u"settlement_available"_s, order.currency,
                                false, now);
    Ledger::post(db, *m_journalIds,
                 JournalEntry{recharge ? u"recharge.paid"_s : u"order.paid"_s,
                              u"order"_s,
                              order.orderNo,
                              trade.channelTradeNo,
                              {{clearing, -order.amount}, {credited, order.amount}}},
                 now);
    addEvent(db, order.orderNo, u"SUCCESS"_s, u"paid"_s,
             u"channel trade %1 via %2"_s.arg(trade.channelTradeNo, source));
    Outbox::finish(db, u"order.poll"_s, order.orderNo, now);
    if (const auto hook = m_paidHooks.constFind(order.kind); hook != m_paidHooks.cend())
        (*hook)(db, paid);
    if (!recharge) {
        const QJsonObject paidJson = paid.toJson();
        enqueueMerchantEvent(db, order.merchantId, order.orderNo, {}, u"order.paid"_s, paidJson, order.notifyUrl);
        // The console showing the QR code switches to "Paid" from this event.
        EventHub::publish(db, u"merchant:"_s + order.merchantId, u"order.paid"_s, paidJson, now);
    }
    return Applied::Success;
}

HttpResponse PaymentService::confirmLateNotification(const std::shared_ptr<Channel> &channel, const QString &channelId,
                                                     const NotificationResult &notification)
{
    QueryResult queried = channel->query(notification.trade.outTradeNo);
    queried.exchange.operation = u"query"_s;
    noteChannelOutcome(channelId, queried.outcome);
    // The channel's word now, not the notification's, decides; without a usable answer the
    // notification is refused, so the channel sends it again.
    const bool usable = queried.outcome == CallOutcome::Ok && queried.trade.outTradeNo == notification.trade.outTradeNo;
    const Applied applied
        = m_writer
              .submit<Applied>([&](const QSqlDatabase &db) {
                  logExchange(db, channelId, notification.trade.outTradeNo, {}, notification.exchange,
                              usable ? u"ACCEPTED"_s : u"DEFERRED"_s);
                  logExchange(db, channelId, notification.trade.outTradeNo, {}, queried.exchange,
                              outcomeName(queried.outcome));
                  if (!usable)
                      return Applied::Ignored;
                  return wasPaid(queried.trade.state)
                      ? applyTrade(db, channelId, queried.trade, u"late notification, confirmed by query"_s)
                      : Applied::Ignored;
              })
              .result();
    wakeJobs();
    if (!usable)
        return channel->acknowledge(false, u"temporarily unavailable"_s);
    if (applied == Applied::WrongChannel)
        return channel->acknowledge(false, u"wrong channel"_s);
    return channel->acknowledge(true, {});
}

QFuture<HttpResponse> PaymentService::handleNotification(const QString &type, const QString &channelId,
                                                         const InboundNotification &inbound)
{
    std::shared_ptr<Channel> channel = m_channels.channel(channelId);
    if (!channel || channel->config().type != type)
        throw ApiError(ErrorCode::NotFound, u"No such channel."_s);
    auto result = std::make_shared<NotificationResult>(channel->parseNotification(inbound));
    result->exchange.operation = u"notify"_s;
    result->exchange.direction = u"in"_s;
    if (!result->accepted) {
        qCWarning(lcPayments).noquote() << u"notification on %1 rejected: %2"_s.arg(channelId, result->rejectReason);
        if (result->exchange.verification.isEmpty())
            result->exchange.verification = u"failed: "_s + result->rejectReason;
        logExchangeNow(channelId, {}, {}, result->exchange, u"REJECTED"_s);
        noteChannelOutcome(channelId, CallOutcome::Unknown);
        return QtFuture::makeReadyFuture(channel->acknowledge(false, result->rejectReason));
    }
    // A payment notification that comes long after the payment (a retry, or one held up) may tell
    // of a trade that has since been refunded at the channel (the merchant's portal): it is
    // confirmed by a query before anything is credited. A fresh one is applied as it is.
    if (result->kind == NotificationKind::Payment && result->trade.paidAtMs > 0
        && m_clock() - result->trade.paidAtMs > std::max<qint64>(scaled(kLateNotificationMs), 2'000))
        return run([this, channel, channelId, result] { return confirmLateNotification(channel, channelId, *result); });
    // Verified: applied in the next writer unit. Nothing waits on a thread meanwhile, so every
    // notification that arrives during a commit joins the next one.
    QFuture<Applied> applied = m_writer.submit<Applied>([this, result, channelId](const QSqlDatabase &db) {
        Applied outcome = Applied::Ignored;
        if (result->kind == NotificationKind::Payment) {
            outcome = applyTrade(db, channelId, result->trade, u"notification"_s);
        } else if (result->kind == NotificationKind::Refund) {
            RefundResult refund;
            refund.outcome = CallOutcome::Ok;
            refund.state = result->refundState;
            refund.channelRefundNo = result->channelRefundNo;
            refund.refundAmount = result->refundAmount;
            outcome = applyRefundResult(db, result->outRefundNo, refund, u"notification"_s, channelId);
        }
        logExchange(db, channelId, result->trade.outTradeNo, result->outRefundNo, result->exchange, u"ACCEPTED"_s);
        return outcome;
    });
    return applied.then(QtFuture::Launch::Sync, [this, channel, channelId](QFuture<Applied> done) {
        try {
            const Applied outcome = done.result();
            wakeJobs();
            // A notification for another channel account is not ours to settle: let it be retried.
            if (outcome == Applied::WrongChannel)
                return channel->acknowledge(false, u"wrong channel"_s);
            return channel->acknowledge(true, {});
        } catch (const std::exception &error) {
            // Not recorded: the channel must retry, so the notification is never lost.
            qCWarning(lcPayments).noquote()
                << u"notification on %1 not applied: %2"_s.arg(channelId, QString::fromUtf8(error.what()));
            return channel->acknowledge(false, u"temporarily unavailable"_s);
        }
    });
}

} // namespace paydesk
