#include "server/recon/ChannelMatcher.h"

#include "server/payments/PaymentService.h"
#include "server/recon/ReconService.h"
#include "server/store/Sql.h"

#include <QJsonArray>

#include <stdexcept>

using namespace Qt::StringLiterals;

namespace paydesk::recon {

namespace {

constexpr int kLookupChunk = 200; ///< keys per IN (…) list

QJsonObject countAmount(qint64 count, qint64 amount)
{
    return QJsonObject{{u"count"_s, count}, {u"amount"_s, amount}};
}

QJsonObject totalsJson(const BillTotals &totals)
{
    return QJsonObject{{u"rows"_s, totals.rowCount},
                       {u"payments"_s, countAmount(totals.paymentCount, totals.paymentAmount)},
                       {u"refunds"_s, countAmount(totals.refundCount, totals.refundAmount)},
                       {u"fee_millifen"_s, totals.feeMillifen}};
}

[[noreturn]] void giveUp(const QString &why)
{
    throw std::runtime_error(why.toStdString());
}

QString dayOf(qint64 ms)
{
    return ReconService::billDay(ms).toString(Qt::ISODate);
}

} // namespace

ChannelMatcher::ChannelMatcher(const QSqlDatabase &db, PaymentService &payments, QString channelId, const QDate &day,
                               Limits limits, Hooks hooks)
    : m_db(db), m_payments(payments), m_channelId(std::move(channelId)), m_day(day),
      m_date(day.toString(Qt::ISODate)), m_limits(limits), m_hooks(std::move(hooks))
{
}

ChannelMatcher::Result ChannelMatcher::run(BillReader *bill)
{
    m_noBill = bill == nullptr;
    m_hooks.phase(u"load"_s);
    loadLocal();
    m_hooks.phase(u"match"_s);
    if (bill)
        matchBill(*bill);
    m_hooks.phase(u"repair"_s);
    placeUnmatched();
    carryMissing();
    for (qsizetype i = 0; i < m_merchants.size(); ++i)
        if (m_merchantLines.value(i) > 0)
            m_result.fees.insert(m_merchants.at(i), {m_merchantFees.value(i), m_merchantLines.value(i)});
    if (m_unattributedLines > 0)
        m_result.fees.insert(QString(), {m_unattributedFee, m_unattributedLines});
    m_result.totals = totals();
    return std::move(m_result);
}

void ChannelMatcher::add(PlannedItem item)
{
    if (m_result.items.size() >= m_limits.maxItems)
        giveUp(u"more than %1 discrepancies: is this the bill of this account and day?"_s.arg(m_limits.maxItems));
    m_result.items.append(std::move(item));
}

quint32 ChannelMatcher::merchantOf(const QString &id)
{
    const auto found = m_merchantIndex.constFind(id);
    if (found != m_merchantIndex.cend())
        return *found;
    const quint32 next = quint32(m_merchants.size());
    m_merchants.append(id);
    m_merchantFees.append(0);
    m_merchantLines.append(0);
    m_merchantIndex.insert(id, next);
    return next;
}

void ChannelMatcher::addFee(quint32 merchant, qint64 feeMillifen)
{
    m_merchantFees[merchant] += feeMillifen;
    ++m_merchantLines[merchant];
}

// 1. The day's local records, into the hash table.
void ChannelMatcher::loadLocal()
{
    const qint64 from = ReconService::dayStart(m_day);
    const qint64 to = ReconService::dayStart(m_day.addDays(1));
    const auto load = [&](LocalIndex::Type type, const QString &sql, qint64 *count, qint64 *sum) {
        QSqlQuery rows = sqlStream(m_db, sql, {from, to, m_channelId});
        while (rows.next()) {
            const QByteArray key = rows.value(0).toString().toLatin1();
            const qint64 amount = rows.value(1).toLongLong();
            if (m_index.add(type, key, amount, merchantOf(rows.value(2).toString()))) {
                ++*count;
                *sum += amount;
            }
        }
    };
    load(LocalIndex::Type::Payment,
         u"SELECT order_no, paid_amount, merchant_id FROM orders WHERE paid_at >= ? AND paid_at < ? AND"
         " channel_id = ? AND paid_amount > 0"_s,
         &m_localPayments, &m_localPaymentAmount);
    load(LocalIndex::Type::Refund,
         u"SELECT r.refund_no, r.amount, r.merchant_id FROM refunds r JOIN orders o ON o.order_no = r.order_no"
         " WHERE r.succeeded_at >= ? AND r.succeeded_at < ? AND r.status = 'SUCCESS' AND o.channel_id = ?"_s,
         &m_localRefunds, &m_localRefundAmount);
    m_index.build();
}

// 2. The bill, line by line, against the table.
void ChannelMatcher::matchBill(BillReader &bill)
{
    BillLine line;
    while (bill.next(line)) {
        if ((++m_lines & 0xFFF) == 0) {
            if (m_hooks.stopping())
                giveUp(u"interrupted: the server is stopping; run the day again"_s);
            m_hooks.progress(m_lines, bill.bytesRead());
        }
        const bool refund = line.kind == BillLine::Kind::Refund;
        if (!line.status.isEmpty() && line.status != "SUCCESS") {
            ++m_skipped; // e.g. a refund still PROCESSING at the channel: no money moved yet
            continue;
        }
        ++m_billed.rowCount;
        (refund ? m_billed.refundCount : m_billed.paymentCount) += 1;
        (refund ? m_billed.refundAmount : m_billed.paymentAmount) += line.amount;
        m_billed.feeMillifen += line.feeMillifen;
        const QByteArray &key = refund ? line.outRefundNo : line.outTradeNo;
        LocalIndex::Entry *entry = m_index.find(refund ? LocalIndex::Type::Refund : LocalIndex::Type::Payment, key);
        if (!entry) {
            if (m_unmatched.size() >= m_limits.maxItems)
                giveUp(u"more than %1 bill lines match nothing of the day: is this the right bill?"_s.arg(
                    m_limits.maxItems));
            m_unmatched.append(line);
            continue;
        }
        PlannedItem item;
        item.refType = refund ? u"refund"_s : u"order"_s;
        item.refId = QString::fromLatin1(key);
        item.channelTradeNo = QString::fromLatin1(line.channelTradeNo);
        item.channelAmount = line.amount;
        if (entry->seen) {
            item.kind = u"STATUS_MISMATCH"_s;
            item.message = u"The bill has this %1 more than once (again on line %2)."_s.arg(
                                 refund ? u"refund"_s : u"payment"_s)
                               .arg(line.lineNumber);
            add(item);
            continue;
        }
        entry->seen = true;
        addFee(entry->merchant, line.feeMillifen);
        if (entry->amount != line.amount) {
            item.kind = u"AMOUNT_MISMATCH"_s;
            item.merchantId = m_merchants.value(qsizetype(entry->merchant));
            item.localAmount = entry->amount;
            item.localStatus = u"SUCCESS"_s;
            item.channelStatus = u"SUCCESS"_s;
            item.message = u"The bill states %1 fen (line %2); Paydesk booked %3 fen."_s.arg(line.amount)
                               .arg(line.lineNumber)
                               .arg(entry->amount);
            add(item);
            continue;
        }
        ++m_result.matched;
    }
    if (!bill.error().isEmpty())
        giveUp(u"the bill is malformed: %1"_s.arg(bill.error()));
    m_hooks.progress(m_lines, bill.bytesRead());
    m_hasDeclared = bill.hasDeclared();
    m_declared = bill.declared();
    const BillTotals computed = bill.computed();
    if (m_hasDeclared && !(m_declared == computed)) {
        PlannedItem item;
        item.kind = u"SUMMARY_MISMATCH"_s;
        item.refType = u"bill"_s;
        item.refId = m_date;
        item.message = u"The bill's summary lines do not add up to its rows."_s;
        item.details = QJsonObject{{u"declared"_s, totalsJson(m_declared)}, {u"rows"_s, totalsJson(computed)}};
        add(item);
    }
}

QHash<QString, ChannelMatcher::LocalRow> ChannelMatcher::lookup(bool refund, const QStringList &keys) const
{
    QHash<QString, LocalRow> found;
    for (qsizetype start = 0; start < keys.size(); start += kLookupChunk) {
        const QStringList chunk = keys.mid(start, kLookupChunk);
        QVariantList binds;
        for (const QString &key : chunk)
            binds.append(key);
        QSqlQuery rows = sqlExec(
            m_db,
            refund ? u"SELECT r.refund_no, r.status, o.channel_id, r.merchant_id, o.channel_trade_no, '', r.amount,"
                     " COALESCE(r.succeeded_at, 0) FROM refunds r JOIN orders o ON o.order_no = r.order_no"
                     " WHERE r.refund_no IN (%1)"_s.arg(placeholders(chunk.size()))
                   : u"SELECT order_no, status, channel_id, merchant_id, channel_trade_no, COALESCE(status_reason, ''),"
                     " paid_amount, COALESCE(paid_at, 0) FROM orders WHERE order_no IN (%1)"_s.arg(
                         placeholders(chunk.size())),
            binds);
        while (rows.next())
            found.insert(rows.value(0).toString(),
                         LocalRow{rows.value(1).toString(), rows.value(2).toString(), rows.value(3).toString(),
                                  rows.value(4).toString(), rows.value(5).toString(), rows.value(6).toLongLong(),
                                  rows.value(7).toLongLong()});
    }
    return found;
}

// 3. What the table could not place: look each line up, and query what a query can prove.
void ChannelMatcher::placeUnmatched()
{
    QStringList paymentKeys, refundKeys;
    for (const BillLine &line : std::as_const(m_unmatched)) {
        const bool refund = line.kind == BillLine::Kind::Refund;
        (refund ? refundKeys : paymentKeys).append(QString::fromLatin1(refund ? line.outRefundNo : line.outTradeNo));
    }
    const QHash<QString, LocalRow> orders = lookup(false, paymentKeys);
    const QHash<QString, LocalRow> refunds = lookup(true, refundKeys);
    for (const BillLine &line : std::as_const(m_unmatched)) {
        const bool refund = line.kind == BillLine::Kind::Refund;
        const QString key = QString::fromLatin1(refund ? line.outRefundNo : line.outTradeNo);
        const QHash<QString, LocalRow> &rows = refund ? refunds : orders;
        const auto local = rows.constFind(key);
        PlannedItem item;
        item.refType = refund ? u"refund"_s : u"order"_s;
        item.refId = key;
        item.channelTradeNo = QString::fromLatin1(line.channelTradeNo);
        item.channelAmount = line.amount;
        item.channelStatus = u"SUCCESS"_s;
        item.details = QJsonObject{{u"bill_line"_s, line.lineNumber}};
        if (local == rows.cend()) {
            item.kind = u"MISSING_LOCAL"_s;
            item.message = refund ? u"The bill has refund %1 of trade %2, which Paydesk does not know."_s.arg(
                                        key, item.channelTradeNo)
                                  : u"The bill has a payment of %1 fen for %2 (trade %3), which matches no order."_s
                                        .arg(line.amount)
                                        .arg(key, item.channelTradeNo);
            ++m_unattributedLines;
            m_unattributedFee += line.feeMillifen;
            add(item);
            continue;
        }
        item.merchantId = local->merchantId;
        item.localStatus = local->status;
        addFee(merchantOf(local->merchantId), line.feeMillifen);
        if (local->channelId != m_channelId) {
            item.kind = u"STATUS_MISMATCH"_s;
            item.localAmount = local->amount;
            item.message = u"The bill of %1 has %2, which Paydesk booked with channel account %3."_s.arg(
                m_channelId, key, local->channelId);
            add(item);
            continue;
        }
        const bool settledHere = refund ? local->status == u"SUCCESS"_s : local->amount > 0;
        if (settledHere) {
            item.localAmount = local->amount;
            if (local->amount != line.amount) {
                item.kind = u"AMOUNT_MISMATCH"_s;
                item.message = u"The bill states %1 fen (line %2); Paydesk booked %3 fen on %4."_s.arg(line.amount)
                                   .arg(line.lineNumber)
                                   .arg(local->amount)
                                   .arg(dayOf(local->at));
                add(item);
                continue;
            }
            // Booked on another day here: a match across midnight.
            ++m_result.matched;
            ++m_crossDay;
            item.kind = u"CROSS_DAY"_s;
            item.status = u"RESOLVED"_s;
            item.resolution = u"BOOKED_ON_OTHER_DAY"_s;
            item.message = u"Booked by the channel on %1 and by Paydesk on %2."_s.arg(m_date, dayOf(local->at));
            item.details.insert(u"local_date"_s, dayOf(local->at));
            m_result.bookedLater.append({item.refType, key});
            add(item);
            continue;
        }
        // The channel has money moved that Paydesk has not booked: ask the channel.
        item.kind = refund ? u"STATUS_MISMATCH"_s : u"MISSING_LOCAL"_s;
        item.localAmount = refund ? std::optional<qint64>(local->amount) : std::nullopt;
        QString detail;
        PaymentService::Verified verified = PaymentService::Verified::Unknown;
        if (refund && local->status != u"PROCESSING"_s) {
            detail = u"Paydesk recorded the refund as %1."_s.arg(local->status);
        } else if (m_repairs < m_limits.maxRepairs) {
            ++m_repairs;
            verified = refund ? m_payments.verifyRefund(key, &detail) : m_payments.verifyPayment(key, &detail);
        } else {
            detail = u"Not queried: this run reached its limit of %1 channel queries."_s.arg(m_limits.maxRepairs);
        }
        item.details.insert(u"query"_s, detail);
        if (verified != PaymentService::Verified::Settled) {
            item.message = refund ? u"The bill has refund %1 as succeeded; Paydesk has it %2. %3"_s.arg(
                                        key, local->status, detail)
                                  : u"The bill has a payment of %1 fen for order %2, which is %3 here. %4"_s
                                        .arg(line.amount)
                                        .arg(key, local->status, detail);
            add(item);
            continue;
        }
        // Booked now, the normal way: it counts as matched, so that running the day again reports the same.
        item.status = u"RESOLVED"_s;
        item.resolution = u"REPAIRED_BY_QUERY"_s;
        item.localStatus = u"SUCCESS"_s;
        item.message = u"Missing here, proven by a channel query and booked: %1"_s.arg(detail);
        ++m_repaired;
        ++m_result.matched;
        if (refund) {
            ++m_localRefunds;
            m_localRefundAmount += line.amount;
        } else {
            ++m_localPayments;
            m_localPaymentAmount += line.amount;
        }
        add(item);
    }
}

// 4. Local successes the bill lacks: matched across midnight already, or carried once.
void ChannelMatcher::carryMissing()
{
    QStringList missingPayments, missingRefunds;
    for (const LocalIndex::Entry &entry : m_index.entries()) {
        if (entry.seen)
            continue;
        (entry.type == LocalIndex::Type::Refund ? missingRefunds : missingPayments)
            .append(QString::fromLatin1(m_index.key(entry)));
        if (missingPayments.size() + missingRefunds.size() > m_limits.maxItems)
            giveUp(u"more than %1 of the day's records are not in the bill: is this the right bill?"_s.arg(
                m_limits.maxItems));
    }
    for (const bool refund : {false, true}) {
        const QStringList &keys = refund ? missingRefunds : missingPayments;
        if (keys.isEmpty())
            continue;
        const QString refType = refund ? u"refund"_s : u"order"_s;
        const QSet<QString> elsewhere = ReconItems::crossDayKeys(m_db, m_channelId, refType, keys);
        const QHash<QString, LocalRow> rows = lookup(refund, keys);
        for (const QString &key : keys) {
            if (elsewhere.contains(key)) {
                ++m_result.matched;
                ++m_crossDay;
                continue;
            }
            const LocalRow row = rows.value(key);
            PlannedItem item;
            item.kind = u"MISSING_CHANNEL"_s;
            item.status = u"CARRIED"_s;
            item.refType = refType;
            item.refId = key;
            item.merchantId = row.merchantId;
            item.channelTradeNo = row.channelTradeNo;
            item.localAmount = row.amount;
            item.localStatus = row.status;
            item.message = m_noBill
                ? u"The channel has no bill for %1, but Paydesk booked this %2 that day; carried to the next day's bill."_s
                      .arg(m_date, refund ? u"refund"_s : u"payment"_s)
                : u"Not in the bill of %1; carried to the next day's bill, as the channel may book it after midnight."_s
                      .arg(m_date);
            add(item);
        }
    }
}

QJsonObject ChannelMatcher::totals() const
{
    return QJsonObject{
        {u"bill"_s, QJsonObject{{u"lines"_s, m_lines},
                                {u"skipped"_s, m_skipped},
                                {u"payments"_s, countAmount(m_billed.paymentCount, m_billed.paymentAmount)},
                                {u"refunds"_s, countAmount(m_billed.refundCount, m_billed.refundAmount)},
                                {u"fee_millifen"_s, m_billed.feeMillifen},
                                {u"declared"_s, m_hasDeclared ? QJsonValue(totalsJson(m_declared)) : QJsonValue()}}},
        {u"local"_s, QJsonObject{{u"payments"_s, countAmount(m_localPayments, m_localPaymentAmount)},
                                 {u"refunds"_s, countAmount(m_localRefunds, m_localRefundAmount)}}},
        {u"cross_day"_s, m_crossDay},
        {u"repaired"_s, m_repaired},
        {u"index_bytes"_s, m_index.memoryBytes()}};
}

} // namespace paydesk::recon
