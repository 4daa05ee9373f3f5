#include "server/wallet/RedPacketService.h"

#include <QScopeGuard>

#include "common/money/RedPacketSplit.h"
#include "common/protocol/ApiError.h"
#include "common/util/Failpoint.h"
#include "common/util/IdGenerator.h"
#include "server/audit/AuditLog.h"
#include "server/auth/Idempotency.h"
#include "server/events/EventHub.h"
#include "server/ledger/Ledger.h"
#include "server/payments/FlowSupport.h"
#include "server/payments/PaymentService.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonArray>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcRedPackets, "paydesk.redpackets")

namespace paydesk {

using namespace flows;

namespace {

constexpr qint64 kCacheTtlMs = 1'000; // other instances' grabs show within a second
constexpr int kScanBatch = 500;
constexpr qint64 kMaxTotal = 10'000'000; // 100,000.00 CNY: the hard ceiling; risk rules set the real one

const QString kPacketColumns = u"id, sender_id, total, share_count, currency, greeting, pay_with, order_no, status,"
                               " grabbed_amount, grabbed_count, refunded_amount, expires_at, created_at"_s;

QJsonObject packetJson(const QSqlQuery &row)
{
    const qint64 total = row.value(2).toLongLong();
    const int count = row.value(3).toInt();
    const qint64 grabbed = row.value(9).toLongLong();
    const int grabbedCount = row.value(10).toInt();
    return QJsonObject{{u"id"_s, row.value(0).toString()},
                       {u"sender_id"_s, row.value(1).toString()},
                       {u"total"_s, total},
                       {u"count"_s, count},
                       {u"currency"_s, row.value(4).toString()},
                       {u"greeting"_s, row.value(5).toString()},
                       {u"pay_with"_s, row.value(6).toString()},
                       {u"order_no"_s, row.value(7).isNull() ? QJsonValue() : QJsonValue(row.value(7).toString())},
                       {u"status"_s, row.value(8).toString()},
                       {u"grabbed_amount"_s, grabbed},
                       {u"grabbed_count"_s, grabbedCount},
                       {u"refunded_amount"_s, row.value(11).toLongLong()},
                       {u"remaining_amount"_s, total - grabbed - row.value(11).toLongLong()},
                       {u"remaining_count"_s, count - grabbedCount},
                       {u"expires_at"_s, row.value(12).toLongLong()},
                       {u"created_at"_s, row.value(13).toLongLong()}};
}

} // namespace

struct RedPacketService::Parsed
{
    qint64 total = 0;
    int count = 0;
    QString greeting;
    int expireHours = 24;
    QString payWith;
    QString method;
    QStringList recipients; ///< told "red packet received" on their event streams once it is active
};

RedPacketService::RedPacketService(Database &database, DbWriter &writer, PaymentService &payments,
                                   WalletService &wallet, Clock clock, RedPacketConfig config, int nodeId)
    : m_database(database), m_writer(writer), m_payments(payments), m_wallet(wallet), m_clock(std::move(clock)),
      m_config(config), m_packetIds(std::make_unique<IdGenerator>(u"RP"_s, nodeId)),
      m_decisionIds(std::make_unique<IdGenerator>(u"RE"_s, nodeId)),
      m_journalIds(std::make_unique<IdGenerator>(u"JR"_s, nodeId))
{
}

RedPacketService::~RedPacketService() = default;

qint64 RedPacketService::scaled(qint64 delayMs) const
{
    return std::max<qint64>(1, delayMs / std::max(1, m_payments.config().timeScale));
}

void RedPacketService::attach(JobRunner &jobs)
{
    m_jobs = &jobs;
    jobs.setHandler(u"red_packet.expiry_scan"_s, [this](const OutboxJob &job) { return expiryScan(job); });
    jobs.setHandler(u"red_packet.compensation_scan"_s,
                    [this](const OutboxJob &job) { return compensationScan(job); });
    m_payments.setPaidHook(u"RED_PACKET"_s,
                           [this](const QSqlDatabase &db, const OrderRecord &order) { activate(db, order); });
}

void RedPacketService::start()
{
    // The two scans are single outbox rows that reschedule themselves: leased, so one instance
    // runs each at a time however many servers share the database.
    m_writer
        .submit<bool>([this](const QSqlDatabase &db) {
            const qint64 now = m_clock();
            Outbox::schedule(db, m_payments.outboxIds(), u"red_packet.expiry_scan"_s, u"-"_s, {}, now, now);
            Outbox::schedule(db, m_payments.outboxIds(), u"red_packet.compensation_scan"_s, u"-"_s, {}, now, now);
            return true;
        })
        .result();
}

RedPacketService::Parsed RedPacketService::parse(const QJsonObject &input, bool channel) const
{
    refuseUnknown(input, {u"total"_s, u"count"_s, u"greeting"_s, u"expire_hours"_s, u"pay_with"_s, u"method"_s,
                          u"recipients"_s});
    Parsed parsed;
    parsed.total = integerField(input, u"total"_s, 1, kMaxTotal, 0);
    if (parsed.total == 0)
        invalid(u"total"_s, u"total is required: 1 to %1 fen."_s.arg(kMaxTotal));
    parsed.count = int(integerField(input, u"count"_s, 1, m_config.maxShares, 0));
    if (parsed.count == 0)
        invalid(u"count"_s, u"count is required: 1 to %1 shares."_s.arg(m_config.maxShares));
    if (parsed.count > parsed.total)
        invalid(u"count"_s, u"Every share needs at least 0.01: at most %1 shares for this total."_s.arg(parsed.total));
    parsed.greeting = optionalText(input, u"greeting"_s, 64);
    if (parsed.greeting.isEmpty())
        parsed.greeting = u"恭喜发财，大吉大利"_s;
    parsed.expireHours
        = int(integerField(input, u"expire_hours"_s, 1, m_config.maxExpireHours, m_config.defaultExpireHours));
    parsed.payWith = requiredText(input, u"pay_with"_s, 16, u"balance|alipay|wechat"_s);
    if ((parsed.payWith != u"balance"_s) != channel)
        invalid(u"pay_with"_s, u"pay_with does not match the route."_s);
    const QJsonValue recipients = input.value(u"recipients"_s);
    if (!recipients.isUndefined()) {
        if (!recipients.isArray() || recipients.toArray().size() > 100)
            invalid(u"recipients"_s, u"recipients is a list of at most 100 user ids."_s);
        for (const QJsonValue &recipient : recipients.toArray()) {
            if (!recipient.isString() || recipient.toString().isEmpty() || recipient.toString().size() > 64)
                invalid(u"recipients"_s, u"recipients holds user ids."_s);
            parsed.recipients.append(recipient.toString());
        }
    }
    parsed.method = optionalText(input, u"method"_s, 8);
    if (parsed.method.isEmpty())
        parsed.method = u"app"_s;
    if (parsed.method != u"app"_s && parsed.method != u"qr"_s)
        invalid(u"method"_s, u"method must be app or qr."_s);
    return parsed;
}

void RedPacketService::insertPacket(const QSqlDatabase &db, const QString &id, const QString &userId,
                                    const Parsed &parsed, const QString &status, qint64 now)
{
    const QList<qint64> shares = RedPacketSplit::doubleAverage(parsed.total, parsed.count);
    if (shares.size() != parsed.count)
        invalid(u"count"_s, u"The total cannot be split into this many shares."_s);
    sqlExec(db,
            u"INSERT INTO red_packets (id, sender_id, total, share_count, currency, greeting, pay_with, status,"
            " recipients, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'CNY', ?, ?, ?, ?, ?, ?, ?)"_s,
            {id, userId, parsed.total, parsed.count, parsed.greeting, parsed.payWith, status,
             nonNull(parsed.recipients.join(u',')), now + qint64(parsed.expireHours) * 3'600'000, now, now});
    for (int seq = 0; seq < shares.size(); ++seq)
        sqlExec(db, u"INSERT INTO red_packet_shares (packet_id, seq, amount) VALUES (?, ?, ?)"_s,
                {id, seq, shares.at(seq)});
}

HttpResponse RedPacketService::sendFromBalance(const QSqlDatabase &db, const QString &userId,
                                               const QJsonObject &input, const WalletService::Client &client,
                                               IdempotencyContext *idempotency)
{
    const Parsed parsed = parse(input, false);
    const qint64 now = m_clock();
    const Holder sender{u"user"_s, userId};
    WalletService::ensureAccounts(db, sender, now);
    if (!m_database.isSqlite())
        sqlExec(db, u"SELECT balance FROM ledger_accounts WHERE id = ? FOR UPDATE"_s,
                {WalletService::availableAccount(sender)});
    const QString id = m_packetIds->next();
    const RiskDecision risk = RiskEngine::evaluate(
        db, *m_decisionIds, RiskInput{u"red_packet"_s, id, sender, parsed.total, {}, client.address, client.device, {}},
        now, m_wallet.config().dayOffsetMinutes);
    if (risk.outcome != u"pass"_s) {
        const HttpResponse refused
            = HttpResponse::error(ApiError(ErrorCode::RiskRejected, risk.message, {{u"rule"_s, risk.ruleId}}));
        if (idempotency)
            idempotency->record(db, refused);
        return refused;
    }
    insertPacket(db, id, userId, parsed, u"ACTIVE"_s, now);
    Ledger::post(db, *m_journalIds,
                 JournalEntry{u"red_packet.frozen"_s,
                              u"red_packet"_s,
                              id,
                              u"red packet sent"_s,
                              {{WalletService::availableAccount(sender), -parsed.total},
                               {WalletService::frozenAccount(sender), parsed.total}}},
                 now);
    AuditLog::append(db, AuditEntry{u"app_user"_s, userId, u"red_packet.sent"_s, u"red_packet"_s, id,
                                    {{u"total"_s, parsed.total}, {u"count"_s, parsed.count}}, client.address, {},
                                    now});
    announce(db, id, now);
    const HttpResponse done = HttpResponse::json(201, loadPacket(db, id));
    if (idempotency)
        idempotency->record(db, done);
    return done;
}

HttpResponse RedPacketService::sendByChannel(const QString &userId, const QJsonObject &input,
                                             const WalletService::Client &client)
{
    const Parsed parsed = parse(input, true);
    const QString id = m_packetIds->next();
    // First the packet, waiting for its money; then the order whose payment activates it (the
    // packet id is the order's out_trade_no, so a crash in between leaves nothing unexplained).
    const std::optional<HttpResponse> refused
        = m_writer
              .submit<std::optional<HttpResponse>>([&](const QSqlDatabase &db) -> std::optional<HttpResponse> {
                  const qint64 now = m_clock();
                  const Holder sender{u"user"_s, userId};
                  WalletService::ensureAccounts(db, sender, now);
                  if (!m_database.isSqlite()) // the sender's counters, one request at a time on every instance
                      sqlExec(db, u"SELECT balance FROM ledger_accounts WHERE id = ? FOR UPDATE"_s,
                              {WalletService::availableAccount(sender)});
                  const RiskDecision risk = RiskEngine::evaluate(
                      db, *m_decisionIds,
                      RiskInput{u"red_packet"_s, id, sender, parsed.total, {}, client.address, client.device, {}},
                      now, m_wallet.config().dayOffsetMinutes);
                  if (risk.outcome != u"pass"_s)
                      return HttpResponse::error(
                          ApiError(ErrorCode::RiskRejected, risk.message, {{u"rule"_s, risk.ruleId}}));
                  insertPacket(db, id, userId, parsed, u"PENDING_PAYMENT"_s, now);
                  AuditLog::append(db, AuditEntry{u"app_user"_s, userId, u"red_packet.sent"_s, u"red_packet"_s, id,
                                                  {{u"total"_s, parsed.total},
                                                   {u"count"_s, parsed.count},
                                                   {u"pay_with"_s, parsed.payWith}},
                                                  client.address, {}, now});
                  return std::nullopt;
              })
              .result();
    if (refused)
        return *refused;
    const PaymentService::CreateOutcome order = m_payments.createOrder(
        QString::fromLatin1(WalletService::kWalletMerchant),
        QJsonObject{{u"out_trade_no"_s, id},
                    {u"amount"_s, parsed.total},
                    {u"subject"_s, u"Red packet"_s},
                    {u"channel"_s, parsed.payWith},
                    {u"method"_s, parsed.method}},
        OrderKind{u"RED_PACKET"_s, userId});
    QJsonObject body = loadPacket(m_database.threadConnection(), id);
    body.insert(u"order"_s, order.body);
    return HttpResponse::json(201, body);
}

void RedPacketService::activate(const QSqlDatabase &db, const OrderRecord &order)
{
    // The payment landed in the sender's frozen funds (PaymentService credits RED_PACKET orders
    // there); the packet it paid for opens now.
    const qint64 now = m_clock();
    QSqlQuery update = sqlExec(db,
                               u"UPDATE red_packets SET status = 'ACTIVE', order_no = ?, updated_at = ?,"
                               " version = version + 1 WHERE id = ? AND sender_id = ? AND status = 'PENDING_PAYMENT'"
                               " AND total = ?"_s,
                               {order.orderNo, now, order.outTradeNo, order.payerUserId, order.amount});
    if (update.numRowsAffected() == 1) {
        announce(db, order.outTradeNo, now);
        invalidate(order.outTradeNo);
        return;
    }
    // The packet was cancelled meanwhile: the money goes to the sender's balance instead.
    const Holder sender{u"user"_s, order.payerUserId};
    WalletService::ensureAccounts(db, sender, now);
    Ledger::post(db, *m_journalIds,
                 JournalEntry{u"red_packet.unused"_s,
                              u"order"_s,
                              order.orderNo,
                              u"payment for a cancelled red packet"_s,
                              {{WalletService::frozenAccount(sender), -order.amount},
                               {WalletService::availableAccount(sender), order.amount}}},
                 now);
}

QJsonObject RedPacketService::grab(const QSqlDatabase &db, const QString &packetId, const QString &userId)
{
    QSqlQuery row = sqlExec(db, u"SELECT status, expires_at, sender_id FROM red_packets WHERE id = ?"_s, {packetId});
    if (!row.next())
        throw ApiError(ErrorCode::NotFound, u"No such red packet."_s);
    const QString status = row.value(0).toString();
    const qint64 expiresAt = row.value(1).toLongLong();
    const QString senderId = row.value(2).toString();
    const qint64 now = m_clock();
    // The user's own share, looked up only when the grab cannot go on (the success path does not
    // need it: the unique (packet, grabber) index refuses a second share).
    const auto refuseIfMine = [&] {
        QSqlQuery mine = sqlExec(db, u"SELECT amount FROM red_packet_shares WHERE packet_id = ? AND grabber_id = ?"_s,
                                 {packetId, userId});
        if (mine.next())
            throw ApiError(ErrorCode::AlreadyGrabbed, u"You already have a share of this red packet."_s,
                           {{u"amount"_s, mine.value(0).toLongLong()}});
    };
    if (status == u"PENDING_PAYMENT"_s || status == u"CANCELLED"_s)
        throw ApiError(ErrorCode::NotActive, u"The red packet is not paid for."_s);
    if (status == u"EXPIRED_REFUNDED"_s || expiresAt <= now) {
        refuseIfMine();
        throw ApiError(ErrorCode::Expired, u"The red packet has expired."_s);
    }
    if (status == u"FINISHED"_s) {
        refuseIfMine();
        throw ApiError(ErrorCode::SoldOut, u"Every share of the red packet is taken."_s);
    }

    // One statement claims one unclaimed share, records the grabber and (unless a test holds the
    // transfer back) the number of the transfer that pays it, which follows in this unit; the
    // unique (packet, grabber) index stops a second share for the same user, across instances too.
    const QString pick = m_database.isSqlite()
        ? u"SELECT seq FROM red_packet_shares WHERE packet_id = ? AND grabber_id IS NULL ORDER BY seq LIMIT 1"_s
        : u"SELECT seq FROM red_packet_shares WHERE packet_id = ? AND grabber_id IS NULL ORDER BY seq LIMIT 1"
          " FOR UPDATE SKIP LOCKED"_s;
    const QString transferNo = m_config.skipGrabTransfer ? QString() : m_wallet.newTransferNo();
    const auto claimShare = [&](const QString &select) {
        try {
            return sqlExec(db,
                           u"UPDATE red_packet_shares SET grabber_id = ?, grabbed_at = ?, transfer_no = ? WHERE"
                           " packet_id = ? AND grabber_id IS NULL AND seq = ("_s
                               + select + u") RETURNING seq, amount"_s,
                           {userId, now, transferNo.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : transferNo,
                            packetId, packetId});
        } catch (const DatabaseError &error) {
            // The unique (packet, grabber) index: this user's grab (here or on another instance) won.
            if (error.isUniqueViolation())
                throw ApiError(ErrorCode::AlreadyGrabbed, u"You already have a share of this red packet."_s);
            if (error.isLockConflict())
                throw ApiError(ErrorCode::Unavailable,
                               u"The red packet's shares are being claimed right now; try again."_s);
            throw;
        }
    };
    QSqlQuery claim = claimShare(pick);
    bool claimed = claim.next();
    int seq = claimed ? claim.value(0).toInt() : 0;
    qint64 amount = claimed ? claim.value(1).toLongLong() : 0;
    while (claim.next()) {
    } // read to the end: PostgreSQL hands rows over one at a time
    // PostgreSQL: SKIP LOCKED passes over shares another instance's batch has claimed but not yet
    // committed. They are not gone until it commits (it may roll back): while any share is still
    // unclaimed, wait for those locks (bounded) instead of answering SOLD_OUT.
    for (int round = 0; !claimed && !m_database.isSqlite() && round < 4; ++round) {
        QSqlQuery open = sqlExec(
            db, u"SELECT seq FROM red_packet_shares WHERE packet_id = ? AND grabber_id IS NULL LIMIT 1"_s, {packetId});
        const bool anyOpen = open.next();
        while (open.next()) { }
        if (!anyOpen)
            break;
        sqlExecRaw(db, u"SET LOCAL lock_timeout = '2s'"_s);
        // Never throws (an aborted transaction rolls the setting back with the unit anyway).
        const auto restore = qScopeGuard([&db] { QSqlQuery(db).exec(u"SET LOCAL lock_timeout = DEFAULT"_s); });
        claim = claimShare(u"SELECT seq FROM red_packet_shares WHERE packet_id = ? AND grabber_id IS NULL"
                           " ORDER BY seq LIMIT 1 FOR UPDATE"_s);
        claimed = claim.next();
        seq = claimed ? claim.value(0).toInt() : 0;
        amount = claimed ? claim.value(1).toLongLong() : 0;
        while (claim.next()) { }
    }
    if (!claimed) {
        refuseIfMine();
        throw ApiError(ErrorCode::SoldOut, u"Every share of the red packet is taken."_s);
    }
    QSqlQuery counted = sqlExec(db,
                                u"UPDATE red_packets SET grabbed_amount = grabbed_amount + ?, grabbed_count ="
                                " grabbed_count + 1, status = CASE WHEN grabbed_count + 1 = share_count THEN"
                                " 'FINISHED' ELSE status END, updated_at = ?, version = version + 1 WHERE id = ? AND"
                                " status = 'ACTIVE' AND expires_at > ? RETURNING status, total"_s,
                                {amount, now, packetId, now});
    const bool stillActive = counted.next();
    const bool finished = stillActive && counted.value(0).toString() == u"FINISHED"_s;
    const qint64 total = stillActive ? counted.value(1).toLongLong() : 0;
    while (counted.next()) {
    }
    if (!stillActive) // expired (and refunded) by another instance meanwhile
        throw ApiError(ErrorCode::Expired, u"The red packet has expired."_s);
    if (failpoint::hit("redpacket.between_claim_and_transfer"))
        throw ApiError(ErrorCode::Unavailable, u"failpoint redpacket.between_claim_and_transfer"_s);
    if (!transferNo.isEmpty())
        payShare(db, packetId, seq, Share{amount, userId, senderId, transferNo}, true); // claimed just now
    if (finished)
        EventHub::publish(db, u"user:"_s + senderId, u"red_packet.finished"_s,
                          {{u"packet_id"_s, packetId}, {u"total"_s, total}}, now);
    return QJsonObject{{u"packet_id"_s, packetId}, {u"amount"_s, amount}, {u"currency"_s, u"CNY"_s},
                       {u"grabbed_at"_s, now}};
}

QString RedPacketService::payShare(const QSqlDatabase &db, const QString &packetId, int seq, const Share &share,
                                   bool knownNew)
{
    InternalTransfer transfer;
    transfer.from = Holder{u"user"_s, share.senderId};
    transfer.fromBucket = u"frozen"_s;
    transfer.to = Holder{u"user"_s, share.grabberId};
    transfer.amount = share.amount;
    transfer.refType = u"red_packet_share"_s;
    transfer.refId = packetId + u':' + QString::number(seq);
    transfer.memo = u"red packet"_s;
    transfer.transferNo = share.transferNo;
    transfer.knownNew = knownNew;
    return m_wallet.transferInternal(db, transfer);
}

void RedPacketService::completeTransfer(const QSqlDatabase &db, const QString &packetId, int seq)
{
    // A share claimed without its transfer (a crash, or the test hook): pay it now, once.
    QSqlQuery row = sqlExec(db,
                            u"SELECT s.amount, s.grabber_id, s.transfer_no, p.sender_id FROM red_packet_shares s"
                            " JOIN red_packets p ON p.id = s.packet_id WHERE s.packet_id = ? AND s.seq = ?"_s,
                            {packetId, seq});
    if (!row.next() || row.value(1).isNull() || !row.value(2).isNull())
        return;
    const Share share{row.value(0).toLongLong(), row.value(1).toString(), row.value(3).toString(),
                      m_wallet.newTransferNo()};
    QSqlQuery recorded = sqlExec(db,
                                 u"UPDATE red_packet_shares SET transfer_no = ? WHERE packet_id = ? AND seq = ?"
                                 " AND transfer_no IS NULL"_s,
                                 {share.transferNo, packetId, seq});
    if (recorded.numRowsAffected() != 1)
        return;
    // Not knownNew: a transfer may exist from before shares recorded their transfer numbers.
    const QString transferNo = payShare(db, packetId, seq, share, false);
    if (transferNo != share.transferNo)
        sqlExec(db, u"UPDATE red_packet_shares SET transfer_no = ? WHERE packet_id = ? AND seq = ?"_s,
                {transferNo, packetId, seq});
}

void RedPacketService::refundExpired(const QSqlDatabase &db, const QString &packetId)
{
    QSqlQuery row = sqlExec(db,
                            u"SELECT status, version, total, grabbed_amount, sender_id, expires_at FROM red_packets"
                            " WHERE id = ?"_s,
                            {packetId});
    if (!row.next())
        return;
    const QString status = row.value(0).toString();
    const qint64 now = m_clock();
    if (row.value(5).toLongLong() > now)
        return;
    if (status == u"PENDING_PAYMENT"_s) {
        sqlExec(db,
                u"UPDATE red_packets SET status = 'CANCELLED', updated_at = ?, version = version + 1 WHERE id = ?"
                " AND version = ?"_s,
                {now, packetId, row.value(1).toInt()});
        invalidate(packetId);
        return;
    }
    if (status != u"ACTIVE"_s)
        return;
    const qint64 remaining = row.value(2).toLongLong() - row.value(3).toLongLong();
    QSqlQuery update = sqlExec(db,
                               u"UPDATE red_packets SET status = 'EXPIRED_REFUNDED', refunded_amount = ?,"
                               " updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND"
                               " status = 'ACTIVE'"_s,
                               {remaining, now, packetId, row.value(1).toInt()});
    if (update.numRowsAffected() != 1)
        return; // someone else got there first
    const Holder sender{u"user"_s, row.value(4).toString()};
    WalletService::ensureAccounts(db, sender, now);
    if (remaining > 0)
        Ledger::post(db, *m_journalIds,
                     JournalEntry{u"red_packet.expired"_s,
                                  u"red_packet"_s,
                                  packetId,
                                  u"red packet expired"_s,
                                  {{WalletService::frozenAccount(sender), -remaining},
                                   {WalletService::availableAccount(sender), remaining}}},
                     now);
    AuditLog::append(db, AuditEntry{u"system"_s, u"red_packets"_s, u"red_packet.expired"_s, u"red_packet"_s, packetId,
                                    {{u"refunded"_s, remaining}}, {}, {}, now});
    EventHub::publish(db, u"user:"_s + sender.id, u"red_packet.expired"_s,
                      {{u"packet_id"_s, packetId}, {u"refunded"_s, remaining}}, now);
    invalidate(packetId);
}

JobResult RedPacketService::expiryScan(const OutboxJob &)
{
    const qint64 now = m_clock();
    const qint64 since = now - qint64(m_config.lookbackDays) * 86'400'000;
    QSqlQuery rows = sqlExec(m_database.threadConnection(),
                             u"SELECT id FROM red_packets WHERE status IN ('ACTIVE', 'PENDING_PAYMENT') AND"
                             " expires_at <= ? AND expires_at > ? ORDER BY expires_at LIMIT "_s
                                 + QString::number(kScanBatch),
                             {now, since});
    QStringList ids;
    while (rows.next())
        ids.append(rows.value(0).toString());
    for (const QString &id : std::as_const(ids)) {
        try {
            m_writer.submit<bool>([&](const QSqlDatabase &db) {
                        refundExpired(db, id);
                        return true;
                    })
                .result();
        } catch (const std::exception &error) { // one bad packet must not stop the others
            qCWarning(lcRedPackets).noquote() << u"expiry of %1 failed: %2"_s.arg(id, QString::fromUtf8(error.what()));
        }
    }
    if (!ids.isEmpty())
        qCInfo(lcRedPackets).noquote() << u"expiry scan: %1 packets expired"_s.arg(ids.size());
    // A full batch means more are due: look again at once.
    return JobResult::retryAt(ids.size() == kScanBatch ? now : m_clock() + scaled(m_config.expiryScanMs));
}

JobResult RedPacketService::compensationScan(const OutboxJob &)
{
    const qint64 now = m_clock();
    // The fault hook stands for a crash between claim and transfer: until it is turned off, the
    // compensation has not run yet either (tests see the fault take effect first).
    if (m_config.skipGrabTransfer)
        return JobResult::retryAt(now + scaled(m_config.compensationScanMs));
    const qint64 since = now - qint64(m_config.lookbackDays) * 86'400'000;
    QSqlQuery rows = sqlExec(m_database.threadConnection(),
                             u"SELECT packet_id, seq FROM red_packet_shares WHERE grabber_id IS NOT NULL AND"
                             " transfer_no IS NULL AND grabbed_at > ? ORDER BY grabbed_at LIMIT "_s
                                 + QString::number(kScanBatch),
                             {since});
    QList<std::pair<QString, int>> shares;
    while (rows.next())
        shares.append({rows.value(0).toString(), rows.value(1).toInt()});
    for (const auto &[packetId, seq] : std::as_const(shares)) {
        try {
            m_writer.submit<bool>([&](const QSqlDatabase &db) {
                        completeTransfer(db, packetId, seq);
                        return true;
                    })
                .result();
        } catch (const std::exception &error) {
            qCWarning(lcRedPackets).noquote()
                << u"transfer of %1:%2 failed: %3"_s.arg(packetId).arg(seq).arg(QString::fromUtf8(error.what()));
        }
    }
    if (!shares.isEmpty())
        qCInfo(lcRedPackets).noquote() << u"compensation scan: %1 grabs completed"_s.arg(shares.size());
    return JobResult::retryAt(shares.size() == kScanBatch ? now : m_clock() + scaled(m_config.compensationScanMs));
}

void RedPacketService::announce(const QSqlDatabase &db, const QString &packetId, qint64 now)
{
    QSqlQuery row = sqlExec(db, u"SELECT sender_id, greeting, total, share_count, recipients FROM red_packets"
                                " WHERE id = ?"_s,
                            {packetId});
    if (!row.next())
        return;
    const QJsonObject data{{u"packet_id"_s, packetId},
                           {u"sender_id"_s, row.value(0).toString()},
                           {u"greeting"_s, row.value(1).toString()},
                           {u"total"_s, row.value(2).toLongLong()},
                           {u"count"_s, row.value(3).toInt()}};
    const QStringList recipients = row.value(4).toString().split(u',', Qt::SkipEmptyParts);
    for (const QString &recipient : recipients)
        EventHub::publish(db, u"user:"_s + recipient, u"red_packet.received"_s, data, now);
}

QJsonObject RedPacketService::loadPacket(const QSqlDatabase &db, const QString &packetId) const
{
    QSqlQuery row = sqlExec(db, u"SELECT "_s + kPacketColumns + u" FROM red_packets WHERE id = ?"_s, {packetId});
    if (!row.next())
        return {};
    QJsonObject packet = packetJson(row);
    QSqlQuery shares = sqlExec(db,
                               u"SELECT grabber_id, amount, grabbed_at FROM red_packet_shares WHERE packet_id = ? AND"
                               " grabber_id IS NOT NULL ORDER BY grabbed_at, seq LIMIT 1000"_s,
                               {packetId});
    QJsonArray grabs;
    while (shares.next())
        grabs.append(QJsonObject{{u"user_id"_s, shares.value(0).toString()},
                                 {u"amount"_s, shares.value(1).toLongLong()},
                                 {u"grabbed_at"_s, shares.value(2).toLongLong()}});
    packet.insert(u"grabs"_s, grabs);
    return packet;
}

void RedPacketService::invalidate(const QString &packetId)
{
    QMutexLocker lock(&m_cacheMutex);
    m_cache.remove(packetId);
}

QJsonObject RedPacketService::packet(const QSqlDatabase &db, const QString &packetId, const QString &userId)
{
    // Hot packets come from the cache; the caller's own share always from the database, so a
    // user never sees a packet without the share they just grabbed.
    QSqlQuery mine = sqlExec(db, u"SELECT amount, grabbed_at FROM red_packet_shares WHERE packet_id = ? AND"
                                 " grabber_id = ?"_s,
                             {packetId, userId});
    const bool hasShare = mine.next();
    const QJsonValue myShare = hasShare ? QJsonValue(QJsonObject{{u"amount"_s, mine.value(0).toLongLong()},
                                                                 {u"grabbed_at"_s, mine.value(1).toLongLong()}})
                                        : QJsonValue();
    const qint64 now = m_clock();
    QJsonObject packet;
    {
        QMutexLocker lock(&m_cacheMutex);
        if (const Cached *cached = m_cache.object(packetId); cached && now - cached->loadedAt < kCacheTtlMs)
            packet = cached->packet;
    }
    const auto listsMe = [&](const QJsonObject &candidate) {
        for (const QJsonValue &grab : candidate.value(u"grabs"_s).toArray())
            if (grab[u"user_id"_s].toString() == userId)
                return true;
        return false;
    };
    if (packet.isEmpty() || (hasShare && !listsMe(packet))) {
        packet = loadPacket(db, packetId);
        if (packet.isEmpty())
            throw ApiError(ErrorCode::NotFound, u"No such red packet."_s);
        QMutexLocker lock(&m_cacheMutex);
        m_cache.insert(packetId, new Cached{packet, now});
    }
    packet.insert(u"my_share"_s, myShare);
    return packet;
}

QJsonObject RedPacketService::list(const QSqlDatabase &db, const QString &userId, bool sent, const QString &before,
                                   int limit) const
{
    limit = WalletService::pageLimit(limit);
    QJsonArray items;
    QString next;
    if (sent) {
        QSqlQuery rows = sqlExec(db,
                                 u"SELECT "_s + kPacketColumns + u" FROM red_packets WHERE sender_id = ?"_s
                                     + (before.isEmpty() ? u""_s : u" AND id < ?"_s) + u" ORDER BY id DESC LIMIT "_s
                                     + QString::number(limit + 1),
                                 before.isEmpty() ? QVariantList{userId} : QVariantList{userId, before});
        while (rows.next())
            items.append(packetJson(rows));
    } else {
        QSqlQuery rows = sqlExec(db,
                                 u"SELECT packet_id, amount, grabbed_at FROM red_packet_shares WHERE grabber_id = ?"_s
                                     + (before.isEmpty() ? u""_s : u" AND packet_id < ?"_s)
                                     + u" ORDER BY packet_id DESC LIMIT "_s + QString::number(limit + 1),
                                 before.isEmpty() ? QVariantList{userId} : QVariantList{userId, before});
        while (rows.next())
            items.append(QJsonObject{{u"id"_s, rows.value(0).toString()},
                                     {u"amount"_s, rows.value(1).toLongLong()},
                                     {u"grabbed_at"_s, rows.value(2).toLongLong()}});
    }
    QJsonObject page;
    if (items.size() > limit) {
        items.removeLast();
        page.insert(u"next_before"_s, items.last()[u"id"_s].toString());
    }
    page.insert(u"items"_s, items);
    return page;
}

} // namespace paydesk
