// Refunds: reserve the amount and post it to "refunds in flight" before the channel is called, so
// a crash at any point leaves a PROCESSING refund that the poll job finishes; the result (by the
// call's answer, a notification or a query) settles it exactly once.
#include "server/payments/PaymentService.h"

#include "common/crypto/Digest.h"
#include "common/protocol/ApiError.h"
#include "common/util/Failpoint.h"
#include "common/util/IdGenerator.h"
#include "server/ledger/Ledger.h"
#include "server/payments/ChannelStore.h"
#include "server/payments/FlowSupport.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

using namespace Qt::StringLiterals;

namespace paydesk {

using namespace flows;

namespace {

struct RefundRow
{
    bool exists = false;
    QString refundNo, orderNo, merchantId, outRefundNo, requestHash, currency, reason, fundedFrom, status,
        channelRefundNo, channelStatus;
    qint64 amount = 0;
};

RefundRow loadRefund(const QSqlDatabase &db, const QString &where, const QVariantList &binds)
{
    QSqlQuery row = sqlExec(db,
                            u"SELECT refund_no, order_no, merchant_id, out_refund_no, request_hash, currency, reason,"
                            " funded_from, status, channel_refund_no, amount, channel_status FROM refunds WHERE "_s
                                + where,
                            binds);
    RefundRow refund;
    if (!row.next())
        return refund;
    refund.exists = true;
    refund.refundNo = row.value(0).toString();
    refund.orderNo = row.value(1).toString();
    refund.merchantId = row.value(2).toString();
    refund.outRefundNo = row.value(3).toString();
    refund.requestHash = row.value(4).toString();
    refund.currency = row.value(5).toString();
    refund.reason = row.value(6).toString();
    refund.fundedFrom = row.value(7).toString();
    refund.status = row.value(8).toString();
    refund.channelRefundNo = row.value(9).toString();
    refund.amount = row.value(10).toLongLong();
    refund.channelStatus = row.value(11).toString();
    return refund;
}

// Where a refund's money comes from: the merchant's balance, or suspense for money that never
// reached the merchant (an abnormal payment).
QString sourceAccount(const QSqlDatabase &db, const RefundRow &refund, qint64 now)
{
    return refund.fundedFrom == u"suspense"_s
        ? Ledger::ensureAccount(db, u"platform"_s, u"-"_s, u"suspense"_s, refund.currency, true, now)
        : Ledger::ensureAccount(db, u"merchant"_s, refund.merchantId, u"settlement_available"_s, refund.currency, false,
                                now);
}

QString inFlightAccount(const QSqlDatabase &db, const QString &currency, qint64 now)
{
    return Ledger::ensureAccount(db, u"platform"_s, u"-"_s, u"refunds_in_flight"_s, currency, false, now);
}

// A succeeded refund on its order: refunded_amount grows (and the order moves to PARTIALLY_REFUNDED
// or REFUNDED); reserveAgain also takes the amount back into refund_reserved, for a refund that had
// failed (its reservation released) and is now reported to have succeeded after all.
void bookRefundOnOrder(const QSqlDatabase &db, const QString &orderNo, qint64 amount, bool reserveAgain, qint64 now)
{
    sqlExec(db,
            u"UPDATE orders SET refund_reserved = refund_reserved + ?, refunded_amount = refunded_amount + ?,"
            " status = CASE WHEN status IN ('SUCCESS', 'PARTIALLY_REFUNDED') AND refunded_amount + ? = paid_amount"
            " THEN 'REFUNDED' WHEN status IN ('SUCCESS', 'PARTIALLY_REFUNDED') THEN 'PARTIALLY_REFUNDED'"
            " ELSE status END, updated_at = ?, version = version + 1 WHERE order_no = ?"_s,
            {reserveAgain ? amount : 0, amount, amount, now, orderNo});
}

RefundRequest channelRequest(const RefundRow &refund, const OrderRecord &order)
{
    RefundRequest request;
    request.outTradeNo = order.orderNo;
    request.channelTradeNo = order.channelTradeNo;
    request.outRefundNo = refund.refundNo;
    request.amount = refund.amount;
    request.totalAmount = order.paidAmount > 0 ? order.paidAmount : order.amount;
    request.currency = refund.currency;
    request.reason = refund.reason;
    return request;
}

} // namespace

QJsonObject PaymentService::refundJson(const QSqlDatabase &db, const QString &refundNo) const
{
    QSqlQuery row = sqlExec(db,
                            u"SELECT r.refund_no, r.order_no, o.out_trade_no, r.out_refund_no, r.amount, r.currency,"
                            " r.reason, r.status, r.channel_refund_no, r.failure, r.created_at, r.updated_at,"
                            " r.succeeded_at, r.merchant_id, r.channel_status FROM refunds r"
                            " JOIN orders o ON o.order_no = r.order_no"
                            " WHERE r.refund_no = ?"_s,
                            {refundNo});
    if (!row.next())
        return {};
    const auto text = [&row](int column) {
        return row.value(column).isNull() ? QJsonValue() : QJsonValue(row.value(column).toString());
    };
    return QJsonObject{
        {u"refund_no"_s, row.value(0).toString()},
        {u"order_no"_s, row.value(1).toString()},
        {u"out_trade_no"_s, row.value(2).toString()},
        {u"out_refund_no"_s, row.value(3).toString()},
        {u"amount"_s, row.value(4).toLongLong()},
        {u"currency"_s, row.value(5).toString()},
        {u"reason"_s, row.value(6).toString()},
        {u"status"_s, row.value(7).toString()},
        {u"channel_refund_no"_s, text(8)},
        {u"failure"_s, text(9)},
        {u"created_at"_s, row.value(10).toLongLong()},
        {u"updated_at"_s, row.value(11).toLongLong()},
        {u"succeeded_at"_s, row.value(12).isNull() ? QJsonValue() : QJsonValue(row.value(12).toLongLong())},
        {u"merchant_id"_s, row.value(13).toString()},
        {u"channel_status"_s, text(14)}};
}

PaymentService::CreateOutcome PaymentService::refund(const QString &merchantId, const QString &orderNo,
                                                     const QJsonObject &input, const ActionRecorder &record)
{
    refuseUnknown(input, {u"out_refund_no"_s, u"amount"_s, u"reason"_s});
    const QString outRefundNo = requiredText(input, u"out_refund_no"_s, 64, u"[A-Za-z0-9_-]+"_s);
    const qint64 amount = integerField(input, u"amount"_s, 1, 10'000'000'000LL, 0);
    if (amount == 0)
        invalid(u"amount"_s, u"amount is required: a positive integer number of fen."_s);
    const QString reason = optionalText(input, u"reason"_s, 80);
    const QString requestHash = QString::fromLatin1(
        Digest::sha256((orderNo + u'\n' + outRefundNo + u'\n' + QString::number(amount) + u'\n' + reason).toUtf8())
            .toHex());

    const auto replay = [&](const RefundRow &existing) -> CreateOutcome {
        if (existing.requestHash != requestHash)
            throw ApiError(ErrorCode::Conflict,
                           u"out_refund_no %1 was already used for a different refund."_s.arg(outRefundNo),
                           QJsonObject{{u"refund_no"_s, existing.refundNo}});
        return {200, refundJson(m_database.threadConnection(), existing.refundNo)};
    };
    const RefundRow known = loadRefund(m_database.threadConnection(), u"merchant_id = ? AND out_refund_no = ?"_s,
                                       {merchantId, outRefundNo});
    if (known.exists)
        return replay(known);
    const OrderRecord order = loadOrder(m_database.threadConnection(), orderNo);
    if (!order.exists || order.merchantId != merchantId)
        throw ApiError(ErrorCode::NotFound, u"No such order."_s);
    std::shared_ptr<Channel> channel = channelFor(order);

    const QString refundNo = m_refundIds->next();
    const RefundRow reserved
        = m_writer
              .submit<RefundRow>([&](const QSqlDatabase &db) {
                  const qint64 now = m_clock();
                  const RefundRow raced
                      = loadRefund(db, u"merchant_id = ? AND out_refund_no = ?"_s, {merchantId, outRefundNo});
                  if (raced.exists)
                      return raced;
                  const OrderRecord current = loadOrder(db, orderNo);
                  const bool refundable = current.status == u"SUCCESS"_s || current.status == u"PARTIALLY_REFUNDED"_s
                      || (current.status == u"ABNORMAL"_s && current.paidAmount > 0);
                  if (!refundable)
                      throw ApiError(ErrorCode::Conflict,
                                     u"The order is %1 and cannot be refunded."_s.arg(current.status),
                                     QJsonObject{{u"status"_s, current.status}});
                  QSqlQuery reserve
                      = sqlExec(db,
                                u"UPDATE orders SET refund_reserved = refund_reserved + ?, updated_at = ?,"
                                " version = version + 1 WHERE order_no = ?"
                                " AND refund_reserved + ? <= paid_amount"_s,
                                {amount, now, orderNo, amount});
                  if (reserve.numRowsAffected() != 1)
                      throw ApiError(
                          ErrorCode::Conflict,
                          u"The refund exceeds the refundable amount of %1 fen."_s.arg(current.paidAmount
                                                                                       - current.refundReserved),
                          QJsonObject{{u"refundable_amount"_s, current.paidAmount - current.refundReserved}});
                  RefundRow refund;
                  refund.exists = true;
                  refund.refundNo = refundNo;
                  refund.orderNo = orderNo;
                  refund.merchantId = merchantId;
                  refund.outRefundNo = outRefundNo;
                  refund.requestHash = requestHash;
                  refund.currency = current.currency;
                  refund.reason = reason;
                  refund.fundedFrom = current.status == u"ABNORMAL"_s ? u"suspense"_s : u"merchant"_s;
                  refund.status = u"PROCESSING"_s;
                  refund.amount = amount;
                  sqlExec(db,
                          u"INSERT INTO refunds (refund_no, order_no, merchant_id, out_refund_no, request_hash, amount,"
                          " currency, reason, funded_from, status, created_at, updated_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'PROCESSING', ?, ?)"_s,
                          {refundNo, orderNo, merchantId, outRefundNo, requestHash, amount, refund.currency,
                           nonNull(reason), refund.fundedFrom, now, now});
                  // Throws INSUFFICIENT_FUNDS when the merchant's balance cannot cover it: all rolls back.
                  Ledger::post(db, *m_journalIds,
                               JournalEntry{u"refund.reserved"_s,
                                            u"refund"_s,
                                            refundNo,
                                            outRefundNo,
                                            {{sourceAccount(db, refund, now), -amount},
                                             {inFlightAccount(db, refund.currency, now), amount}}},
                               now);
                  addEvent(db, orderNo, current.status, u"refund_requested"_s,
                           u"%1 for %2 fen"_s.arg(refundNo).arg(amount));
                  if (record)
                      record(db,
                             QJsonObject{{u"refund_no"_s, refundNo},
                                         {u"order_no"_s, orderNo},
                                         {u"out_refund_no"_s, outRefundNo},
                                         {u"amount"_s, amount},
                                         {u"currency"_s, refund.currency},
                                         {u"reason"_s, reason}});
                  Outbox::schedule(db, *m_outboxIds, u"refund.poll"_s, refundNo, {}, now + scaled(pollDelay(0)), now);
                  return refund;
              })
              .result();
    if (reserved.refundNo != refundNo)
        return replay(reserved);

    RefundResult result = channel->refund(channelRequest(reserved, order));
    result.exchange.operation = u"refund"_s;
    noteChannelOutcome(order.channelId, result.outcome);
    // Fault campaign: the refund reached the channel, its answer is lost (the poll settles it).
    if (failpoint::hit("payments.after_refund_call"))
        throw ApiError(ErrorCode::Unavailable, u"failpoint payments.after_refund_call"_s);
    m_writer
        .submit<void>([&](const QSqlDatabase &db) {
            logExchange(db, order.channelId, orderNo, refundNo, result.exchange, outcomeName(result.outcome));
            if (result.outcome == CallOutcome::Rejected)
                result.state = RefundState::Failed; // a definite refusal: the money goes back
            if (result.outcome != CallOutcome::Unknown)
                applyRefundResult(db, refundNo, result, u"refund call"_s);
        })
        .waitForFinished();
    wakeJobs();
    return {201, refundJson(m_database.threadConnection(), refundNo)};
}

PaymentService::Applied PaymentService::applyRefundResult(const QSqlDatabase &db, const QString &refundNo,
                                                          const RefundResult &result, const QString &source,
                                                          const QString &channelId)
{
    if (result.state != RefundState::Succeeded && result.state != RefundState::Failed
        && result.state != RefundState::Abnormal)
        return Applied::Ignored;
    const qint64 now = m_clock();
    const RefundRow refund = loadRefund(db, u"refund_no = ?"_s, {refundNo});
    if (!refund.exists) {
        raiseAlert(db, u"UNKNOWN_REFUND"_s, u"CRITICAL"_s, u"refund"_s, refundNo,
                   u"A channel reports refund %1, which Paydesk does not know."_s.arg(refundNo));
        return Applied::UnknownOrder;
    }
    const OrderRecord order = loadOrder(db, refund.orderNo);
    // Checked like payments: the account that speaks must be the order's, the amount the refund's.
    if (!channelId.isEmpty() && channelId != order.channelId) {
        raiseAlert(db, u"REFUND_WRONG_CHANNEL"_s, u"CRITICAL"_s, u"refund"_s, refundNo,
                   u"Channel %1 reports refund %2 of order %3, which belongs to channel %4."_s.arg(
                       channelId, refundNo, order.orderNo, order.channelId),
                   QJsonObject{{u"channel_id"_s, channelId}, {u"order_channel_id"_s, order.channelId}});
        return Applied::WrongChannel;
    }
    if (result.state == RefundState::Succeeded && result.refundAmount != refund.amount) {
        if (result.refundAmount == 0) {
            // The message does not state the amount (Alipay's refund notification): a query,
            // which does, decides, right away; also for a refund held as FAILED here, which the
            // poll would otherwise no longer look at ("confirm").
            Outbox::rearm(db, *m_outboxIds, u"refund.poll"_s, refundNo,
                          QJsonObject{{u"confirm"_s, refund.status == u"FAILED"_s}}, now, now);
            return Applied::Ignored;
        }
        raiseAlert(db, u"REFUND_AMOUNT_MISMATCH"_s, u"CRITICAL"_s, u"refund"_s, refundNo,
                   u"The channel reports refund %1 succeeded for %2 fen; it was asked for %3 fen. Not settled:"
                   " resolve it by hand."_s.arg(refundNo)
                       .arg(result.refundAmount)
                       .arg(refund.amount),
                   QJsonObject{
                       {u"stated_amount"_s, result.refundAmount}, {u"amount"_s, refund.amount}, {u"source"_s, source}});
        return Applied::Abnormal;
    }
    if (result.state == RefundState::Abnormal) {
        if (refund.status != u"PROCESSING"_s)
            return Applied::Ignored;
        QSqlQuery marked = sqlExec(db,
                                   u"UPDATE refunds SET channel_status = 'ABNORMAL', channel_refund_no ="
                                   " COALESCE(?, channel_refund_no), updated_at = ? WHERE refund_no = ?"
                                   " AND status = 'PROCESSING' AND COALESCE(channel_status, '') <> 'ABNORMAL'"_s,
                                   {nullable(result.channelRefundNo), now, refundNo});
        if (marked.numRowsAffected() == 1) {
            addEvent(db, refund.orderNo, order.status, u"refund_abnormal"_s,
                     u"%1: the bank returned the refund; retry it through the channel or resolve it by hand"_s.arg(
                         refundNo));
            raiseAlert(db, u"REFUND_ABNORMAL"_s, u"WARNING"_s, u"refund"_s, refundNo,
                       u"Refund %1 of order %2 (%3 fen) is ABNORMAL at %4: the bank returned it. The money stays in"
                       " flight; retry it through the channel's abnormal-refund path or resolve it by hand."_s
                           .arg(refundNo, refund.orderNo)
                           .arg(refund.amount)
                           .arg(order.channelId),
                       QJsonObject{{u"order_no"_s, refund.orderNo}, {u"amount"_s, refund.amount}});
        }
        return Applied::Abnormal;
    }
    const QString clearing
        = Ledger::ensureAccount(db, u"platform"_s, order.channelId, u"channel_clearing"_s, refund.currency, true, now);
    // A success, from the refund's status before it: the money leaves `debited` for the channel's
    // clearing account, the order counts it, the merchant is told. False if it was settled meanwhile.
    const auto bookSuccess = [&](const QString &before, const QString &debited, const QString &entryKind,
                                 bool reserveAgain, const QString &event, const QString &detail) {
        QSqlQuery update = sqlExec(
            db,
            u"UPDATE refunds SET status = 'SUCCESS', channel_status = NULL, channel_refund_no = ?, succeeded_at = ?,"
            " updated_at = ? WHERE refund_no = ? AND status = ?"_s,
            {nullable(result.channelRefundNo), result.succeededAtMs ? result.succeededAtMs : now, now, refundNo, before});
        if (update.numRowsAffected() != 1)
            return false;
        Ledger::post(db, *m_journalIds,
                     JournalEntry{entryKind,
                                  u"refund"_s,
                                  refundNo,
                                  result.channelRefundNo,
                                  {{debited, -refund.amount}, {clearing, refund.amount}}},
                     now);
        bookRefundOnOrder(db, refund.orderNo, refund.amount, reserveAgain, now);
        addEvent(db, refund.orderNo, loadOrder(db, refund.orderNo).status, event, detail);
        enqueueMerchantEvent(db, refund.merchantId, refund.orderNo, refundNo, u"refund.succeeded"_s,
                             refundJson(db, refundNo), order.notifyUrl);
        return true;
    };
    if (refund.status == u"FAILED"_s && result.state == RefundState::Succeeded) {
        // The channel paid the buyer after all, after Paydesk gave the money back: never dropped.
        // It comes from the merchant again, or from suspense when the merchant cannot cover it.
        QString from = sourceAccount(db, refund, now);
        if (refund.fundedFrom != u"suspense"_s && Ledger::balance(db, from) < refund.amount)
            from = Ledger::ensureAccount(db, u"platform"_s, u"-"_s, u"suspense"_s, refund.currency, true, now);
        if (!bookSuccess(u"FAILED"_s, from, u"refund.succeeded_after_failure"_s, true, u"refunded_after_failure"_s,
                         u"%1 for %2 fen via %3, booked from %4"_s.arg(refundNo).arg(refund.amount).arg(source, from)))
            return Applied::Ignored;
        raiseAlert(db, u"REFUND_SUCCEEDED_AFTER_FAILURE"_s, u"CRITICAL"_s, u"refund"_s, refundNo,
                   u"Refund %1 of order %2 had failed here, and the channel now reports it succeeded (%3 fen):"
                   " booked again from %4."_s.arg(refundNo, refund.orderNo)
                       .arg(refund.amount)
                       .arg(from),
                   QJsonObject{{u"order_no"_s, refund.orderNo}, {u"amount"_s, refund.amount}, {u"debited"_s, from}});
        return Applied::Success;
    }
    if (refund.status != u"PROCESSING"_s)
        return Applied::Duplicate; // settled before: a duplicate or late result changes nothing
    const QString inFlight = inFlightAccount(db, refund.currency, now);
    if (result.state == RefundState::Succeeded) {
        if (!bookSuccess(u"PROCESSING"_s, inFlight, u"refund.succeeded"_s, false, u"refunded"_s,
                         u"%1 for %2 fen via %3"_s.arg(refundNo).arg(refund.amount).arg(source)))
            return Applied::Ignored;
    } else {
        QSqlQuery update
            = sqlExec(db,
                      u"UPDATE refunds SET status = 'FAILED', channel_status = NULL, failure = ?, updated_at = ?"
                      " WHERE refund_no = ? AND status = 'PROCESSING'"_s,
                      {(result.error.code + u' ' + result.error.message).trimmed().left(300), now, refundNo});
        if (update.numRowsAffected() != 1)
            return Applied::Ignored;
        Ledger::post(db, *m_journalIds,
                     JournalEntry{u"refund.failed"_s,
                                  u"refund"_s,
                                  refundNo,
                                  result.error.code,
                                  {{inFlight, -refund.amount}, {sourceAccount(db, refund, now), refund.amount}}},
                     now);
        sqlExec(db,
                u"UPDATE orders SET refund_reserved = refund_reserved - ?, updated_at = ?, version = version + 1"
                " WHERE order_no = ?"_s,
                {refund.amount, now, refund.orderNo});
        addEvent(db, refund.orderNo, order.status, u"refund_failed"_s,
                 u"%1: %2 %3"_s.arg(refundNo, result.error.code, result.error.message));
        enqueueMerchantEvent(db, refund.merchantId, refund.orderNo, refundNo, u"refund.failed"_s,
                             refundJson(db, refundNo), order.notifyUrl);
    }
    Outbox::finish(db, u"refund.poll"_s, refundNo, now);
    return Applied::Success;
}

QJsonObject PaymentService::retryAbnormalRefund(const QString &refundNo, const QString &type,
                                                const ActionRecorder &record)
{
    if (type != u"MERCHANT_BANK_CARD"_s)
        throw ApiError(ErrorCode::ValidationFailed,
                       u"type must be MERCHANT_BANK_CARD (the refund goes to the merchant's settlement account)."_s,
                       QJsonObject{{u"field"_s, u"type"_s}});
    const QSqlDatabase reader = m_database.threadConnection();
    const RefundRow refund = loadRefund(reader, u"refund_no = ?"_s, {refundNo});
    if (!refund.exists)
        throw ApiError(ErrorCode::NotFound, u"No such refund."_s);
    if (refund.status != u"PROCESSING"_s || refund.channelStatus != u"ABNORMAL"_s)
        throw ApiError(ErrorCode::Conflict, u"Refund %1 is not ABNORMAL at its channel."_s.arg(refundNo),
                       QJsonObject{{u"status"_s, refund.status}});
    if (refund.channelRefundNo.isEmpty())
        throw ApiError(ErrorCode::Conflict,
                       u"The channel has not named refund %1 (no refund id): query it before retrying."_s.arg(
                           refundNo));
    const OrderRecord order = loadOrder(reader, refund.orderNo);
    std::shared_ptr<Channel> channel = channelFor(order);
    RefundResult result = channel->retryAbnormalRefund(channelRequest(refund, order), refund.channelRefundNo, type);
    result.exchange.operation = u"abnormal_refund"_s;
    noteChannelOutcome(order.channelId, result.outcome);
    m_writer
        .submit<void>([&](const QSqlDatabase &db) {
            logExchange(db, order.channelId, order.orderNo, refundNo, result.exchange, outcomeName(result.outcome));
            if (result.outcome != CallOutcome::Ok)
                return;
            const qint64 now = m_clock();
            QSqlQuery again = sqlExec(db,
                                      u"UPDATE refunds SET channel_status = NULL, updated_at = ? WHERE refund_no = ?"
                                      " AND status = 'PROCESSING' AND channel_status = 'ABNORMAL'"_s,
                                      {now, refundNo});
            if (again.numRowsAffected() == 1) {
                addEvent(db, order.orderNo, order.status, u"refund_abnormal_retried"_s,
                         u"%1 sent again (%2)"_s.arg(refundNo, type));
                Outbox::rearm(db, *m_outboxIds, u"refund.poll"_s, refundNo, {}, now + scaled(pollDelay(0)), now);
                if (record)
                    record(db, QJsonObject{{u"refund_no"_s, refundNo}, {u"type"_s, type}});
            }
            if (result.state != RefundState::Processing)
                applyRefundResult(db, refundNo, result, u"abnormal refund call"_s);
        })
        .waitForFinished();
    wakeJobs();
    if (result.outcome != CallOutcome::Ok)
        throw ApiError(
            result.outcome == CallOutcome::Rejected ? ErrorCode::Conflict : ErrorCode::Unavailable,
            u"The channel did not take the abnormal refund: %1 %2"_s.arg(result.error.code, result.error.message));
    return refundJson(m_database.threadConnection(), refundNo);
}

QJsonObject PaymentService::resolveRefund(const QString &refundNo, bool succeeded, const QString &note,
                                          const ActionRecorder &record)
{
    const RefundRow refund = loadRefund(m_database.threadConnection(), u"refund_no = ?"_s, {refundNo});
    if (!refund.exists)
        throw ApiError(ErrorCode::NotFound, u"No such refund."_s);
    m_writer
        .submit<void>([&](const QSqlDatabase &db) {
            const RefundRow current = loadRefund(db, u"refund_no = ?"_s, {refundNo});
            if (current.status != u"PROCESSING"_s)
                throw ApiError(
                    ErrorCode::Conflict,
                    u"Refund %1 is %2: only a refund in flight is resolved by hand."_s.arg(refundNo, current.status),
                    QJsonObject{{u"status"_s, current.status}});
            RefundResult decided;
            decided.outcome = CallOutcome::Ok;
            decided.state = succeeded ? RefundState::Succeeded : RefundState::Failed;
            decided.refundAmount = current.amount;
            decided.error = {u"RESOLVED_BY_HAND"_s, note};
            applyRefundResult(db, refundNo, decided, u"resolved by hand: "_s + note);
            if (record)
                record(db,
                       QJsonObject{{u"refund_no"_s, refundNo},
                                   {u"outcome"_s, succeeded ? u"succeeded"_s : u"failed"_s},
                                   {u"note"_s, note}});
        })
        .waitForFinished();
    wakeJobs();
    return refundJson(m_database.threadConnection(), refundNo);
}

PaymentService::Verified PaymentService::verifyRefund(const QString &refundNo, QString *detail)
{
    const RefundRow refund = loadRefund(m_database.threadConnection(), u"refund_no = ?"_s, {refundNo});
    if (!refund.exists) {
        *detail = u"No refund %1 here."_s.arg(refundNo);
        return Verified::Unknown;
    }
    if (refund.status == u"SUCCESS"_s) {
        *detail = u"The refund had already succeeded."_s;
        return Verified::Settled;
    }
    const OrderRecord order = loadOrder(m_database.threadConnection(), refund.orderNo);
    std::shared_ptr<Channel> channel = m_channels.channel(order.channelId);
    if (!channel) {
        *detail = u"Channel account %1 is not configured."_s.arg(order.channelId);
        return Verified::Unknown;
    }
    RefundResult result = channel->queryRefund(channelRequest(refund, order));
    result.exchange.operation = u"refund_query"_s;
    noteChannelOutcome(order.channelId, result.outcome);
    m_writer
        .submit<void>([&](const QSqlDatabase &db) {
            logExchange(db, order.channelId, order.orderNo, refund.refundNo, result.exchange,
                        outcomeName(result.outcome));
            // Only a proven success is applied here: a FAILED refund here that the channel shows
            // as refunded is for a person to look at, not to flip automatically.
            if (result.outcome == CallOutcome::Ok && result.state == RefundState::Succeeded
                && refund.status == u"PROCESSING"_s)
                applyRefundResult(db, refund.refundNo, result, u"reconciliation"_s);
        })
        .waitForFinished();
    wakeJobs();
    if (result.outcome != CallOutcome::Ok) {
        *detail = u"The channel's answer was not usable: %1 %2"_s.arg(result.error.code, result.error.message);
        return Verified::Unknown;
    }
    const RefundRow after = loadRefund(m_database.threadConnection(), u"refund_no = ?"_s, {refundNo});
    *detail = u"The channel reports the refund as %1; here it is %2."_s.arg(
        result.state == RefundState::Succeeded      ? u"succeeded"_s
            : result.state == RefundState::Failed   ? u"failed"_s
            : result.state == RefundState::NotFound ? u"unknown"_s
            : result.state == RefundState::Abnormal ? u"abnormal"_s
                                                    : u"processing"_s,
        after.status);
    return after.status == u"SUCCESS"_s ? Verified::Settled : Verified::NotProven;
}

JobResult PaymentService::pollRefund(const OutboxJob &job)
{
    if (m_config.skipPolls)
        return JobResult::done();
    const qint64 now = m_clock();
    const RefundRow refund = loadRefund(m_database.threadConnection(), u"refund_no = ?"_s, {job.ref});
    // A FAILED refund is queried once more when the channel announced a success without stating the
    // amount; a proven success is then booked as one reported after a failure.
    const bool confirmFailed = refund.status == u"FAILED"_s && job.payload.value(u"confirm"_s).toBool();
    if (!refund.exists || (refund.status != u"PROCESSING"_s && !confirmFailed))
        return JobResult::done();
    const OrderRecord order = loadOrder(m_database.threadConnection(), refund.orderNo);
    std::shared_ptr<Channel> channel = m_channels.channel(order.channelId);
    if (!channel)
        return JobResult::retryAt(now + scaled(300'000), u"channel %1 is not configured"_s.arg(order.channelId));
    const RefundRequest request = channelRequest(refund, order);
    RefundResult result = channel->queryRefund(request);
    result.exchange.operation = u"refund_query"_s;
    noteChannelOutcome(order.channelId, result.outcome);
    RefundResult retried;
    const bool resubmit = !confirmFailed && result.outcome == CallOutcome::Ok && result.state == RefundState::NotFound;
    if (resubmit) {
        // The refund call never reached the channel (e.g. a crash right after the reservation):
        // send it now; the channel dedupes on the refund number.
        retried = channel->refund(request);
        retried.exchange.operation = u"refund"_s;
        if (retried.outcome == CallOutcome::Rejected)
            retried.state = RefundState::Failed;
    }
    m_writer
        .submit<void>([&](const QSqlDatabase &db) {
            logExchange(db, order.channelId, order.orderNo, refund.refundNo, result.exchange,
                        outcomeName(result.outcome));
            if (result.outcome == CallOutcome::Ok)
                applyRefundResult(db, refund.refundNo, result, u"query"_s);
            if (resubmit) {
                logExchange(db, order.channelId, order.orderNo, refund.refundNo, retried.exchange,
                            outcomeName(retried.outcome));
                if (retried.outcome != CallOutcome::Unknown)
                    applyRefundResult(db, refund.refundNo, retried, u"refund call"_s);
            }
            if (job.attempts >= 20)
                raiseAlert(db, u"REFUND_STUCK"_s, u"WARNING"_s, u"refund"_s, refund.refundNo,
                           u"Refund %1 is still unsettled after %2 queries."_s.arg(refund.refundNo).arg(job.attempts));
        })
        .waitForFinished();
    wakeJobs();
    const RefundRow after = loadRefund(m_database.threadConnection(), u"refund_no = ?"_s, {job.ref});
    if (after.status != u"PROCESSING"_s && !(confirmFailed && result.outcome != CallOutcome::Ok))
        return JobResult::done(); // settled, or the confirming query answered (whatever it said)
    return JobResult::retryAt(now + scaled(pollDelay(job.attempts + 1)), result.error.code);
}

} // namespace paydesk
