// Orders: create with prepay, merchant close, the poll job (active query, expiry, unknown prepay),
// the order detail for staff and merchant notification resends.
#include "server/payments/PaymentService.h"

#include "common/crypto/Digest.h"
#include "common/protocol/ApiError.h"
#include "common/util/Failpoint.h"
#include "common/util/IdGenerator.h"
#include "server/payments/ChannelStore.h"
#include "server/payments/FlowSupport.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace paydesk {

using namespace flows;

namespace {

QString notifyUrlField(const QJsonObject &input)
{
    const QString text = optionalText(input, u"notify_url"_s, 512);
    if (text.isEmpty())
        return text;
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"https"_s && url.scheme() != u"http"_s) || url.host().isEmpty())
        invalid(u"notify_url"_s, u"notify_url must be an http(s) URL."_s);
    return text;
}

constexpr qint64 kPrepayUnknownWindowMs = 60'000; // then the order is listed as abnormal for a human

} // namespace

PaymentService::CreateOutcome PaymentService::createOrder(const QString &merchantId, const QJsonObject &input,
                                                          const OrderKind &kind)
{
    refuseUnknown(input,
                  {u"out_trade_no"_s, u"amount"_s, u"currency"_s, u"subject"_s, u"channel"_s, u"method"_s,
                   u"expire_minutes"_s, u"notify_url"_s});
    const QString outTradeNo = requiredText(input, u"out_trade_no"_s, 64, u"[A-Za-z0-9_-]+"_s);
    const qint64 amount = integerField(input, u"amount"_s, 1, 10'000'000'000LL, 0);
    if (amount == 0)
        invalid(u"amount"_s, u"amount is required: a positive integer number of fen."_s);
    const QString currency
        = optionalText(input, u"currency"_s, 3).isEmpty() ? u"CNY"_s : input.value(u"currency"_s).toString();
    if (currency != u"CNY"_s)
        invalid(u"currency"_s, u"Only CNY is supported."_s);
    const QString subject = requiredText(input, u"subject"_s, 128);
    const QString channelType = requiredText(input, u"channel"_s, 16, u"alipay|wechat"_s);
    const QString method = requiredText(input, u"method"_s, 8, u"qr|app"_s);
    const qint64 expireMinutes = integerField(input, u"expire_minutes"_s, 1, 1440, 30);
    const QString notifyUrl = notifyUrlField(input);
    const QJsonObject normalised{{u"out_trade_no"_s, outTradeNo},
                                 {u"amount"_s, amount},
                                 {u"currency"_s, currency},
                                 {u"subject"_s, subject},
                                 {u"channel"_s, channelType},
                                 {u"method"_s, method},
                                 {u"expire_minutes"_s, expireMinutes},
                                 {u"notify_url"_s, notifyUrl}};
    const QString requestHash
        = QString::fromLatin1(Digest::sha256(QJsonDocument(normalised).toJson(QJsonDocument::Compact)).toHex());

    // A repeat of the same create answers with the same order and calls no channel again.
    const auto replay = [&](const OrderRecord &existing) -> CreateOutcome {
        if (existing.requestHash != requestHash)
            throw ApiError(ErrorCode::Conflict,
                           u"out_trade_no %1 was already used for a different order."_s.arg(outTradeNo),
                           QJsonObject{{u"order_no"_s, existing.orderNo}});
        return {200, existing.toJson()};
    };
    std::shared_ptr<Channel> channel;
    {
        Database::ReadScope scope(m_database); // statements kept prepared; reset before the writes below
        const OrderRecord known = loadOrderByOutTradeNo(m_database.threadConnection(), merchantId, outTradeNo);
        if (known.exists)
            return replay(known);
        channel = m_channels.pick(channelType);
    }
    if (!channel)
        throw ApiError(ErrorCode::Unavailable, u"No %1 channel is enabled."_s.arg(channelType));
    const QString channelId = channel->config().id;
    const QString orderNo = m_orderIds->next();
    const qint64 now = m_clock();
    const qint64 expiresAt = now + expireMinutes * 60'000;

    const OrderRecord inserted
        = m_writer
              .submit<OrderRecord>([&](const QSqlDatabase &db) {
                  QSqlQuery merchant = sqlExec(db, u"SELECT status FROM merchants WHERE id = ?"_s, {merchantId});
                  if (!merchant.next() || merchant.value(0).toString() != u"ACTIVE"_s)
                      throw ApiError(ErrorCode::Forbidden, u"The merchant is not active."_s);
                  QSqlQuery insert = sqlExec(
                      db,
                      u"INSERT INTO orders (order_no, merchant_id, out_trade_no, request_hash,"
                      " amount, currency, subject, channel_type, channel_id, method, status,"
                      " notify_url, expires_at, created_at, updated_at, kind, payer_user_id) VALUES (?, ?, ?, ?, ?,"
                      " ?, ?, ?, ?, ?, 'CREATED', ?, ?, ?, ?, ?, ?)"
                      " ON CONFLICT (merchant_id, out_trade_no) DO NOTHING"_s,
                      {orderNo, merchantId, outTradeNo, requestHash, amount, currency, subject, channelType, channelId,
                       method, nullable(notifyUrl), expiresAt, now, now, kind.kind, nullable(kind.payerUserId)});
                  if (insert.numRowsAffected() != 1) // a concurrent create won
                      return loadOrderByOutTradeNo(db, merchantId, outTradeNo);
                  addEvent(db, orderNo, u"CREATED"_s, u"created"_s,
                           u"%1 %2 via %3"_s.arg(channelType, method, channelId));
                  // Active query starts now: it also resolves a prepay that
                  // never returns, and survives a crash right after this commit.
                  Outbox::schedule(db, *m_outboxIds, u"order.poll"_s, orderNo, {}, now + scaled(pollDelay(0)), now);
                  return loadOrder(db, orderNo);
              })
              .result();
    if (inserted.orderNo != orderNo)
        return replay(inserted);

    PrepayRequest prepay;
    prepay.outTradeNo = orderNo;
    prepay.amount = amount;
    prepay.currency = currency;
    prepay.subject = subject;
    prepay.expiresAtMs = expiresAt;
    prepay.method = method == u"app"_s ? PayMethod::App : PayMethod::Qr;
    PrepayResult result = channel->prepay(prepay);
    result.exchange.operation = u"prepay"_s;
    noteChannelOutcome(channelId, result.outcome);
    // Fault campaign: the channel call happened, its answer is lost before it is recorded.
    if (failpoint::hit("payments.after_prepay_call"))
        throw ApiError(ErrorCode::Unavailable, u"failpoint payments.after_prepay_call"_s);

    const OrderRecord order
        = m_writer
              .submit<OrderRecord>([&](const QSqlDatabase &db) {
                  logExchange(db, channelId, orderNo, {}, result.exchange, outcomeName(result.outcome));
                  const qint64 at = m_clock();
                  switch (result.outcome) {
                  case CallOutcome::Ok:
                      sqlExec(
                          db,
                          u"UPDATE orders SET status = 'PAYING', prepay_outcome = 'OK', qr_code = ?, app_params = ?,"
                          " updated_at = ?, version = version + 1 WHERE order_no = ? AND status = 'CREATED'"_s,
                          {result.qrCode.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(result.qrCode),
                           result.appParams.isEmpty()
                               ? QVariant(QMetaType::fromType<QString>())
                               : QVariant(
                                   QString::fromUtf8(QJsonDocument(result.appParams).toJson(QJsonDocument::Compact))),
                           at, orderNo});
                      addEvent(db, orderNo, u"PAYING"_s, u"prepay"_s, u"waiting for the buyer"_s);
                      break;
                  case CallOutcome::Rejected:
                      sqlExec(db,
                              u"UPDATE orders SET status = 'CLOSED', prepay_outcome = 'REJECTED', status_reason = ?,"
                              " updated_at = ?, version = version + 1 WHERE order_no = ? AND status = 'CREATED'"_s,
                              {(u"PREPAY_REJECTED: "_s + result.error.code + u' ' + result.error.message).left(300), at,
                               orderNo});
                      addEvent(db, orderNo, u"CLOSED"_s, u"prepay_rejected"_s,
                               result.error.code + u' ' + result.error.message);
                      Outbox::finish(db, u"order.poll"_s, orderNo, at);
                      break;
                  case CallOutcome::Unknown:
                      // Maybe created at the channel, maybe not: the poll job finds out.
                      sqlExec(db,
                              u"UPDATE orders SET status = 'PAYING', prepay_outcome = 'UNKNOWN', updated_at = ?,"
                              " version = version + 1 WHERE order_no = ? AND status = 'CREATED'"_s,
                              {at, orderNo});
                      addEvent(db, orderNo, u"PAYING"_s, u"prepay_unknown"_s,
                               result.error.code + u' ' + result.error.message);
                      break;
                  }
                  return loadOrder(db, orderNo);
              })
              .result();
    if (result.outcome == CallOutcome::Rejected)
        throw ApiError(ErrorCode::ChannelError,
                       u"The channel refused the order: %1 %2"_s.arg(result.error.code, result.error.message),
                       QJsonObject{{u"order_no"_s, orderNo}, {u"channel_code"_s, result.error.code}});
    return {201, order.toJson()};
}

OrderRecord PaymentService::closeOrder(const QString &merchantId, const QString &orderNo, const ActionRecorder &record)
{
    const OrderRecord order = loadOrder(m_database.threadConnection(), orderNo);
    if (!order.exists || order.merchantId != merchantId)
        throw ApiError(ErrorCode::NotFound, u"No such order."_s);
    if (order.status == u"CLOSED"_s)
        return order;
    if (order.status != u"CREATED"_s && order.status != u"PAYING"_s)
        throw ApiError(ErrorCode::Conflict, u"The order is %1 and cannot be closed."_s.arg(order.status),
                       QJsonObject{{u"status"_s, order.status}});
    std::shared_ptr<Channel> channel = channelFor(order);
    CloseResult closed = channel->close(orderNo);
    closed.exchange.operation = u"close"_s;
    noteChannelOutcome(order.channelId, closed.outcome);
    logExchangeNow(order.channelId, orderNo, {}, closed.exchange, outcomeName(closed.outcome));
    if (closed.alreadyPaid) {
        // The buyer paid before the close: that payment is processed, never lost.
        QueryResult queried = channel->query(orderNo);
        queried.exchange.operation = u"query"_s;
        const OrderRecord now
            = m_writer
                  .submit<OrderRecord>([&](const QSqlDatabase &db) {
                      logExchange(db, order.channelId, orderNo, {}, queried.exchange, outcomeName(queried.outcome));
                      if (queried.outcome == CallOutcome::Ok && wasPaid(queried.trade.state))
                          applyTrade(db, order.channelId, queried.trade, u"close"_s);
                      return loadOrder(db, orderNo);
                  })
                  .result();
        wakeJobs();
        throw ApiError(ErrorCode::Conflict, u"The buyer has already paid; the order is %1."_s.arg(now.status),
                       QJsonObject{{u"status"_s, now.status}});
    }
    if (closed.outcome != CallOutcome::Ok)
        throw ApiError(ErrorCode::Unavailable,
                       u"The channel did not confirm the close (%1); try again."_s.arg(closed.error.code));
    return m_writer
        .submit<OrderRecord>([&](const QSqlDatabase &db) {
            const OrderRecord current = loadOrder(db, orderNo);
            if (markClosed(db, current, u"MERCHANT_CLOSED"_s) && record)
                record(db,
                       QJsonObject{{u"order_no"_s, orderNo},
                                   {u"status_before"_s, current.status},
                                   {u"amount"_s, current.amount},
                                   {u"currency"_s, current.currency},
                                   {u"out_trade_no"_s, current.outTradeNo}});
            return loadOrder(db, orderNo);
        })
        .result();
}

PaymentService::Verified PaymentService::verifyPayment(const QString &orderNo, QString *detail)
{
    const OrderRecord order = loadOrder(m_database.threadConnection(), orderNo);
    if (!order.exists) {
        *detail = u"No order %1 here."_s.arg(orderNo);
        return Verified::Unknown;
    }
    std::shared_ptr<Channel> channel = m_channels.channel(order.channelId);
    if (!channel) {
        *detail = u"Channel account %1 is not configured."_s.arg(order.channelId);
        return Verified::Unknown;
    }
    QueryResult queried = channel->query(order.orderNo);
    queried.exchange.operation = u"query"_s;
    noteChannelOutcome(order.channelId, queried.outcome);
    const bool paid = queried.outcome == CallOutcome::Ok && wasPaid(queried.trade.state);
    const Applied applied = m_writer
                                .submit<Applied>([&](const QSqlDatabase &db) {
                                    logExchange(db, order.channelId, order.orderNo, {}, queried.exchange,
                                                outcomeName(queried.outcome));
                                    return paid ? applyTrade(db, order.channelId, queried.trade, u"reconciliation"_s)
                                                : Applied::Ignored;
                                })
                                .result();
    if (paid)
        wakeJobs();
    if (queried.outcome != CallOutcome::Ok) {
        *detail = u"The channel's answer was not usable: %1 %2"_s.arg(queried.error.code, queried.error.message);
        return Verified::Unknown;
    }
    if (!paid) {
        *detail = u"The channel reports the trade as %1."_s.arg(queried.trade.rawState);
        return Verified::NotProven;
    }
    const OrderRecord after = loadOrder(m_database.threadConnection(), orderNo);
    *detail = u"The channel reports %1 paid %2 by trade %3; the order is %4."_s.arg(queried.trade.rawState)
                  .arg(queried.trade.totalAmount)
                  .arg(queried.trade.channelTradeNo, after.status);
    if (applied == Applied::Abnormal || after.status == u"ABNORMAL"_s)
        return Verified::Abnormal;
    return applied == Applied::Success || applied == Applied::Duplicate ? Verified::Settled : Verified::Unknown;
}

JobResult PaymentService::pollOrder(const OutboxJob &job)
{
    if (m_config.skipPolls)
        return JobResult::done();
    const OrderRecord order = loadOrder(m_database.threadConnection(), job.ref);
    if (!order.exists || (order.status != u"CREATED"_s && order.status != u"PAYING"_s))
        return JobResult::done();
    const qint64 now = m_clock();
    std::shared_ptr<Channel> channel = m_channels.channel(order.channelId);
    if (!channel)
        return JobResult::retryAt(now + scaled(300'000), u"channel %1 is not configured"_s.arg(order.channelId));

    QueryResult queried = channel->query(order.orderNo);
    queried.exchange.operation = u"query"_s;
    noteChannelOutcome(order.channelId, queried.outcome);
    const bool settles = queried.outcome == CallOutcome::Ok
        && (wasPaid(queried.trade.state) || queried.trade.state == TradeState::Closed);
    m_writer
        .submit<void>([&](const QSqlDatabase &db) {
            logExchange(db, order.channelId, order.orderNo, {}, queried.exchange, outcomeName(queried.outcome));
            if (settles)
                applyTrade(db, order.channelId, queried.trade, u"query"_s);
        })
        .waitForFinished();
    if (settles) {
        wakeJobs();
        return JobResult::done();
    }

    const bool unknownPrepay = order.status == u"CREATED"_s || order.prepayOutcome == u"UNKNOWN"_s;
    // A CREATED order's prepay call may still be running, for up to the channel's timeout; that
    // is real time and never scaled, so a compressed time scale must not judge it unknown sooner.
    const qint64 inFlightUntil
        = order.status == u"CREATED"_s ? order.createdAt + qint64(channel->config().timeoutMs) + 1'000 : 0;
    const qint64 unknownDeadline = std::max(order.createdAt + scaled(kPrepayUnknownWindowMs), inFlightUntil);
    const bool expired = now >= order.expiresAt;
    if (expired || (unknownPrepay && now >= unknownDeadline)) {
        // Close at the channel first, so the buyer can no longer pay; "already paid" is a payment.
        CloseResult closed = channel->close(order.orderNo);
        closed.exchange.operation = u"close"_s;
        noteChannelOutcome(order.channelId, closed.outcome);
        QueryResult paid;
        if (closed.alreadyPaid) {
            paid = channel->query(order.orderNo);
            paid.exchange.operation = u"query"_s;
        }
        const bool done
            = m_writer
                  .submit<bool>([&](const QSqlDatabase &db) {
                      logExchange(db, order.channelId, order.orderNo, {}, closed.exchange, outcomeName(closed.outcome));
                      if (closed.alreadyPaid) {
                          logExchange(db, order.channelId, order.orderNo, {}, paid.exchange, outcomeName(paid.outcome));
                          if (paid.outcome == CallOutcome::Ok && wasPaid(paid.trade.state)) {
                              applyTrade(db, order.channelId, paid.trade, u"close"_s);
                              return true;
                          }
                          return false;
                      }
                      if (closed.outcome != CallOutcome::Ok)
                          return false;
                      const OrderRecord current = loadOrder(db, order.orderNo);
                      if (expired)
                          markClosed(db, current, u"EXPIRED"_s);
                      else
                          markAbnormal(db, current, u"PREPAY_UNKNOWN"_s,
                                       u"Order %1: the prepay call's outcome stayed unknown; the order was"
                                       " closed at the channel and needs a look."_s.arg(order.orderNo));
                      return true;
                  })
                  .result();
        wakeJobs();
        return done
            ? JobResult::done()
            : JobResult::retryAt(now + scaled(30'000), u"close: "_s + closed.error.code + u' ' + closed.error.message);
    }

    qint64 next = now + scaled(pollDelay(job.attempts + 1));
    if (unknownPrepay)
        next = std::min(next, unknownDeadline);
    next = std::min(next, order.expiresAt);
    return JobResult::retryAt(std::max(next, now + 1), queried.error.code);
}

QJsonObject PaymentService::orderDetail(const QSqlDatabase &db, const QString &orderNo) const
{
    const OrderRecord order = loadOrder(db, orderNo);
    QJsonArray timeline;
    QSqlQuery timelineRows = sqlExec(db,
                                     u"SELECT at, status, event, detail FROM order_events WHERE order_no = ?"
                                     " ORDER BY seq LIMIT 200"_s,
                                     {orderNo});
    while (timelineRows.next())
        timeline.append(QJsonObject{{u"at"_s, timelineRows.value(0).toLongLong()},
                                    {u"status"_s, timelineRows.value(1).toString()},
                                    {u"event"_s, timelineRows.value(2).toString()},
                                    {u"detail"_s, timelineRows.value(3).toString()}});
    QJsonArray logs;
    QSqlQuery rows
        = sqlExec(db,
                  u"SELECT id, refund_no, channel_id, operation, direction, url, http_status, outcome, request,"
                  " response, verification, elapsed_ms, created_at FROM channel_logs WHERE order_no = ?"
                  " ORDER BY created_at, id LIMIT 200"_s,
                  {orderNo});
    while (rows.next())
        logs.append(QJsonObject{{u"id"_s, rows.value(0).toString()},
                                {u"refund_no"_s, rows.value(1).toString()},
                                {u"channel_id"_s, rows.value(2).toString()},
                                {u"operation"_s, rows.value(3).toString()},
                                {u"direction"_s, rows.value(4).toString()},
                                {u"url"_s, rows.value(5).toString()},
                                {u"http_status"_s, rows.value(6).toInt()},
                                {u"outcome"_s, rows.value(7).toString()},
                                {u"request"_s, rows.value(8).toString()},
                                {u"response"_s, rows.value(9).toString()},
                                {u"verification"_s, rows.value(10).toString()},
                                {u"elapsed_ms"_s, rows.value(11).toLongLong()},
                                {u"at"_s, rows.value(12).toLongLong()}});
    // Each list is read to the end before the next query: PostgreSQL's driver drops a query's
    // unread rows when another runs on the connection.
    QStringList refundNos;
    QSqlQuery refundRows
        = sqlExec(db, u"SELECT refund_no FROM refunds WHERE order_no = ? ORDER BY created_at LIMIT 100"_s, {orderNo});
    while (refundRows.next())
        refundNos.append(refundRows.value(0).toString());
    QJsonArray refunds;
    for (const QString &refundNo : std::as_const(refundNos))
        refunds.append(refundJson(db, refundNo));
    QList<QJsonObject> events;
    QSqlQuery eventRows = sqlExec(db,
                                  u"SELECT event_id, type, status, attempts, delivered_at, url FROM merchant_events"
                                  " WHERE order_no = ? ORDER BY created_at LIMIT 100"_s,
                                  {orderNo});
    while (eventRows.next())
        events.append(QJsonObject{
            {u"event_id"_s, eventRows.value(0).toString()},
            {u"type"_s, eventRows.value(1).toString()},
            {u"status"_s, eventRows.value(2).toString()},
            {u"attempts"_s, eventRows.value(3).toInt()},
            {u"delivered_at"_s, eventRows.value(4).isNull() ? QJsonValue() : QJsonValue(eventRows.value(4).toLongLong())},
            {u"url"_s, eventRows.value(5).toString()}});
    QJsonArray notifications;
    for (QJsonObject event : std::as_const(events)) {
        QJsonArray attempts;
        QSqlQuery attemptRows = sqlExec(db,
                                        u"SELECT attempt, at, http_status, response, error, elapsed_ms FROM"
                                        " notify_attempts WHERE event_id = ? ORDER BY attempt LIMIT 20"_s,
                                        {event.value(u"event_id"_s).toString()});
        while (attemptRows.next())
            attempts.append(QJsonObject{{u"attempt"_s, attemptRows.value(0).toInt()},
                                        {u"at"_s, attemptRows.value(1).toLongLong()},
                                        {u"http_status"_s, attemptRows.value(2).toInt()},
                                        {u"response"_s, attemptRows.value(3).toString()},
                                        {u"error"_s, attemptRows.value(4).toString()},
                                        {u"elapsed_ms"_s, attemptRows.value(5).toLongLong()}});
        event.insert(u"deliveries"_s, attempts);
        notifications.append(event);
    }
    return QJsonObject{{u"order"_s, order.toJson()},
                       {u"timeline"_s, timeline},
                       {u"channel_logs"_s, logs},
                       {u"refunds"_s, refunds},
                       {u"notifications"_s, notifications}};
}

QJsonArray PaymentService::resendNotifications(const QString &orderNo)
{
    const QJsonArray events
        = m_writer
              .submit<QJsonArray>([&](const QSqlDatabase &db) {
                  const qint64 now = m_clock();
                  QSqlQuery rows = sqlExec(
                      db, u"SELECT event_id, type FROM merchant_events WHERE order_no = ? LIMIT 100"_s, {orderNo});
                  QJsonArray resent;
                  while (rows.next())
                      resent.append(QJsonObject{{u"event_id"_s, rows.value(0).toString()},
                                                {u"type"_s, rows.value(1).toString()}});
                  for (const QJsonValue &event : std::as_const(resent)) {
                      const QString eventId = event[u"event_id"_s].toString();
                      // A given-up event is pending again; a delivered one stays DELIVERED (its
                      // status never moves back) and is simply sent once more.
                      sqlExec(
                          db,
                          u"UPDATE merchant_events SET status = 'PENDING' WHERE event_id = ? AND status = 'FAILED'"_s,
                          {eventId});
                      Outbox::rearm(db, *m_outboxIds, u"merchant.notify"_s, eventId, QJsonObject{{u"resend"_s, true}},
                                    now, now);
                  }
                  if (!resent.isEmpty())
                      addEvent(db, orderNo, loadOrder(db, orderNo).status, u"notification_resent"_s,
                               u"%1 event(s) sent again on demand"_s.arg(resent.size()));
                  return resent;
              })
              .result();
    wakeJobs();
    return events;
}

} // namespace paydesk
