#include "server/recon/ReconService.h"

#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/ledger/Ledger.h"
#include "server/payments/Alerts.h"
#include "server/payments/ChannelStore.h"
#include "server/payments/FlowSupport.h"
#include "server/payments/PaymentService.h"
#include "server/recon/BillReader.h"
#include "server/recon/LocalIndex.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"
#include "server/wallet/WalletService.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QTimeZone>

#include <optional>

using namespace Qt::StringLiterals;

namespace paydesk {

Q_LOGGING_CATEGORY(lcRecon, "paydesk.server.recon")

namespace {

using flows::compact;
using flows::nonNull;
using flows::nullable;

constexpr qint64 kDayMs = 86'400'000;
constexpr qint64 kRunLeaseMs = 30 * 60'000; ///< a run whose holder died may be started again after this
constexpr int kLookupChunk = 200; ///< keys per IN (…) lookup
constexpr int kWriteChunk = 200; ///< items per writer unit

const QStringList kKinds{u"MISSING_LOCAL"_s,    u"MISSING_CHANNEL"_s, u"AMOUNT_MISMATCH"_s, u"STATUS_MISMATCH"_s,
                         u"SUMMARY_MISMATCH"_s, u"CROSS_DAY"_s,       u"INTERNAL"_s};
const QStringList kStatuses{u"OPEN"_s, u"CARRIED"_s, u"RESOLVED"_s};

/// A discrepancy as a run decides it, before it is written.
struct PlannedItem
{
    QString kind, refType, refId, merchantId, channelTradeNo, localStatus, channelStatus;
    QString status = QStringLiteral("OPEN");
    QString resolution; ///< with status RESOLVED
    QString message;
    std::optional<qint64> localAmount, channelAmount;
    QJsonObject details;
};

QVariant optionalAmount(const std::optional<qint64> &amount)
{
    return amount ? QVariant(*amount) : QVariant(QMetaType(QMetaType::LongLong));
}

QString placeholders(qsizetype count)
{
    QString text;
    text.reserve(count * 3);
    for (qsizetype i = 0; i < count; ++i)
        text += i == 0 ? u"?"_s : u", ?"_s;
    return text;
}

/// A forward-only query: rows are read once, so neither driver keeps them all.
QSqlQuery streamQuery(const QSqlDatabase &db, const QString &sql, const QVariantList &binds)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        throw DatabaseError(u"prepare: "_s + sql, query.lastError());
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (!query.exec())
        throw DatabaseError(u"exec: "_s + sql, query.lastError());
    return query;
}

QJsonObject countAmount(qint64 count, qint64 amount)
{
    return QJsonObject{{u"count"_s, count}, {u"amount"_s, amount}};
}

QJsonObject totalsJson(const recon::BillTotals &totals)
{
    return QJsonObject{{u"rows"_s, totals.rowCount},
                       {u"payments"_s, countAmount(totals.paymentCount, totals.paymentAmount)},
                       {u"refunds"_s, countAmount(totals.refundCount, totals.refundAmount)},
                       {u"fee_millifen"_s, totals.feeMillifen}};
}

/// The stable subject of a check's problem text ("entry J…", "account user:…"): its first two words.
QString problemSubject(const QString &problem)
{
    const qsizetype first = problem.indexOf(u' ');
    const qsizetype second = first < 0 ? -1 : problem.indexOf(u' ', first + 1);
    QString subject = second > 0 ? problem.left(second) : problem;
    if (subject.endsWith(u':'))
        subject.chop(1);
    return subject.left(200);
}

} // namespace

struct ReconService::Claim
{
    QString runId;
    QString channelId;
    QString channelType;
    bool busy = false; ///< another attempt holds the run
    qint64 startedAt = 0;
};

ReconService::ReconService(Database &database, DbWriter &writer, PaymentService &payments, Clock clock,
                           ReconConfig config, int nodeId, QString owner)
    : m_database(database), m_writer(writer), m_payments(payments), m_clock(std::move(clock)),
      m_config(std::move(config)), m_owner(std::move(owner)),
      m_runIds(std::make_unique<IdGenerator>(u"RC"_s, nodeId)),
      m_itemIds(std::make_unique<IdGenerator>(u"RI"_s, nodeId))
{
    if (m_config.billDir.isEmpty())
        m_config.billDir = QDir::temp().filePath(u"paydesk-bills"_s);
    m_pool.setMaxThreadCount(2);
    m_pool.setObjectName(u"recon"_s);
}

ReconService::~ReconService()
{
    m_pool.waitForDone();
}

void ReconService::attach(JobRunner &jobs)
{
    jobs.setHandler(u"recon.daily"_s, [this](const OutboxJob &job) { return dailyJob(job); });
}

void ReconService::start()
{
    if (!m_config.daily)
        return;
    m_writer
        .submit<bool>([this](const QSqlDatabase &db) {
            const qint64 now = m_clock();
            return Outbox::schedule(db, m_payments.outboxIds(), u"recon.daily"_s, u"-"_s, {}, nextDailyAt(now), now);
        })
        .result();
}

void ReconService::waitIdle()
{
    m_pool.waitForDone();
}

void ReconService::stop()
{
    m_stopping = true;
    m_pool.waitForDone();
}

QDate ReconService::billDay(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone(BillDayOffsetMinutes * 60)).date();
}

qint64 ReconService::dayStart(const QDate &day)
{
    return QDateTime(day, QTime(0, 0), QTimeZone(BillDayOffsetMinutes * 60)).toMSecsSinceEpoch();
}

qint64 ReconService::nextDailyAt(qint64 nowMs) const
{
    const qint64 today = dayStart(billDay(nowMs)) + qint64(m_config.dailyAtMinutes) * 60'000;
    return today > nowMs ? today : today + kDayMs;
}

std::shared_ptr<ReconService::Progress> ReconService::progressOf(const QString &runId)
{
    QMutexLocker lock(&m_progressMutex);
    std::shared_ptr<Progress> &progress = m_progress[runId];
    if (!progress)
        progress = std::make_shared<Progress>();
    return progress;
}

ReconService::Claim ReconService::claim(const QDate &day, const QString &channelId, const QString &channelType,
                                        const QString &requestedBy)
{
    const QString date = day.toString(Qt::ISODate);
    return m_writer
        .submit<Claim>([&](const QSqlDatabase &db) {
            const qint64 now = m_clock();
            Claim claimed{{}, channelId, channelType, false, now};
            QSqlQuery existing = sqlExec(db,
                                         u"SELECT id, status, lease_until FROM recon_runs WHERE business_date = ? AND"
                                         " channel_id = ?"_s,
                                         {date, channelId});
            if (existing.next()) {
                claimed.runId = existing.value(0).toString();
                const bool running = existing.value(1).toString() == u"RUNNING"_s;
                const qint64 leaseUntil = existing.value(2).toLongLong();
                existing.finish();
                if (running && leaseUntil > now) {
                    claimed.busy = true;
                    return claimed;
                }
                sqlExec(db,
                        u"UPDATE recon_runs SET status = 'RUNNING', phase = 'queued', attempts = attempts + 1,"
                        " lease_owner = ?, lease_until = ?, totals = '{}', matched = 0, discrepancies = 0,"
                        " started_at = ?, finished_at = NULL, duration_ms = 0, error = NULL, requested_by = ?,"
                        " channel_type = ?, updated_at = ? WHERE id = ?"_s,
                        {m_owner, now + kRunLeaseMs, now, requestedBy, channelType, now, claimed.runId});
                return claimed;
            }
            claimed.runId = m_runIds->next();
            sqlExec(db,
                    u"INSERT INTO recon_runs (id, business_date, channel_id, channel_type, status, phase, lease_owner,"
                    " lease_until, started_at, requested_by, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, 'RUNNING', 'queued', ?, ?, ?, ?, ?, ?)"_s,
                    {claimed.runId, date, channelId, channelType, m_owner, now + kRunLeaseMs, now, requestedBy, now,
                     now});
            return claimed;
        })
        .result();
}

void ReconService::setPhase(const QString &runId, const QString &phase)
{
    m_writer
        .submit<bool>([&](const QSqlDatabase &db) {
            sqlExec(db, u"UPDATE recon_runs SET phase = ?, updated_at = ? WHERE id = ?"_s, {phase, m_clock(), runId});
            return true;
        })
        .result();
}

void ReconService::fail(const QString &runId, qint64 startedAt, const QString &error)
{
    qCWarning(lcRecon).noquote() << "run" << runId << "failed:" << error;
    m_writer
        .submit<bool>([&](const QSqlDatabase &db) {
            const qint64 now = m_clock();
            sqlExec(db,
                    u"UPDATE recon_runs SET status = 'FAILED', phase = 'done', error = ?, finished_at = ?,"
                    " duration_ms = ?, lease_until = 0, updated_at = ? WHERE id = ?"_s,
                    {error.left(2000), now, now - startedAt, now, runId});
            return true;
        })
        .result();
}

QJsonArray ReconService::startRuns(const QDate &day, const QString &channelId, const QString &requestedBy)
{
    if (!day.isValid())
        throw ApiError(ErrorCode::ValidationFailed, u"date must be a day as YYYY-MM-DD."_s,
                       {{u"field"_s, u"date"_s}});
    if (day > billDay(m_clock()))
        throw ApiError(ErrorCode::ValidationFailed, u"date is in the future: bills exist for past days only."_s,
                       {{u"field"_s, u"date"_s}});
    QList<std::pair<QString, QString>> targets; // (id, type)
    {
        const QSqlDatabase db = m_database.threadConnection();
        if (channelId.isEmpty() || channelId != Internal) {
            QSqlQuery rows = channelId.isEmpty()
                ? sqlExec(db, u"SELECT id, type FROM channels WHERE enabled = 1 ORDER BY id"_s)
                : sqlExec(db, u"SELECT id, type FROM channels WHERE id = ?"_s, {channelId});
            while (rows.next())
                targets.append({rows.value(0).toString(), rows.value(1).toString()});
            if (!channelId.isEmpty() && targets.isEmpty())
                throw ApiError(ErrorCode::NotFound, u"No payment channel account %1."_s.arg(channelId),
                               {{u"field"_s, u"channel_id"_s}});
        }
        if (channelId.isEmpty() || channelId == Internal)
            targets.append({Internal, Internal});
    }
    QJsonArray started;
    for (const auto &[id, type] : std::as_const(targets)) {
        const Claim claimed = claim(day, id, type, requestedBy);
        if (!claimed.busy) {
            progressOf(claimed.runId);
            m_pool.start([this, claimed, day] {
                try {
                    execute(claimed, day, {}, {});
                } catch (const std::exception &error) {
                    fail(claimed.runId, claimed.startedAt, QString::fromUtf8(error.what()));
                }
            });
        }
        started.append(run(m_database.threadConnection(), claimed.runId));
    }
    return started;
}

QJsonObject ReconService::runChannel(const QDate &day, const QString &channelId, const QString &requestedBy,
                                     const QString &billFile, const QString &billFormat)
{
    QString type;
    {
        QSqlQuery row = sqlExec(m_database.threadConnection(), u"SELECT type FROM channels WHERE id = ?"_s, {channelId});
        if (!row.next())
            throw ApiError(ErrorCode::NotFound, u"No payment channel account %1."_s.arg(channelId));
        type = row.value(0).toString();
    }
    const Claim claimed = claim(day, channelId, type, requestedBy);
    if (claimed.busy)
        return run(m_database.threadConnection(), claimed.runId);
    try {
        return execute(claimed, day, billFile, billFormat);
    } catch (const std::exception &error) {
        fail(claimed.runId, claimed.startedAt, QString::fromUtf8(error.what()));
        return run(m_database.threadConnection(), claimed.runId);
    }
}

QJsonObject ReconService::runInternal(const QDate &day, const QString &requestedBy)
{
    const Claim claimed = claim(day, Internal, Internal, requestedBy);
    if (claimed.busy)
        return run(m_database.threadConnection(), claimed.runId);
    try {
        return execute(claimed, day, {}, {});
    } catch (const std::exception &error) {
        fail(claimed.runId, claimed.startedAt, QString::fromUtf8(error.what()));
        return run(m_database.threadConnection(), claimed.runId);
    }
}

// The whole of one run; throws on failure (the caller marks the run FAILED).
QJsonObject ReconService::execute(const Claim &claimed, const QDate &day, const QString &billFileIn,
                                  const QString &billFormatIn)
{
    QElapsedTimer elapsed;
    elapsed.start();
    const std::shared_ptr<Progress> progress = progressOf(claimed.runId);
    const auto forgetProgress = qScopeGuard([&] {
        QMutexLocker lock(&m_progressMutex);
        m_progress.remove(claimed.runId);
    });
    const QString date = day.toString(Qt::ISODate);
    const QString channelId = claimed.channelId;
    const bool internal = channelId == Internal;
    QList<PlannedItem> planned;
    QJsonObject totals;
    qint64 matched = 0;
    QString finalStatus = u"DONE"_s;
    QString billPath;
    QString billFormatName;
    // Keys whose MISSING_CHANNEL items a bill line of this day settles (booked across midnight).
    QList<std::pair<QString, QString>> bookedLater; // (ref type, key)
    QMap<QString, std::pair<qint64, qint64>> fees; // merchant → (fee, lines)

    const auto addItem = [&](PlannedItem item) {
        if (planned.size() >= m_config.maxItems)
            throw std::runtime_error(
                QStringLiteral("more than %1 discrepancies: is this the bill of this account and day?")
                    .arg(m_config.maxItems)
                    .toStdString());
        planned.append(std::move(item));
    };

    if (internal) {
        setPhase(claimed.runId, u"checks"_s);
        const QSqlDatabase db = m_database.threadConnection();
        QJsonArray checks;
        const auto report = [&](const QString &name, qint64 checked, const QStringList &problems) {
            checks.append(QJsonObject{{u"name"_s, name},
                                      {u"ok"_s, problems.isEmpty()},
                                      {u"checked"_s, checked},
                                      {u"problems"_s, problems.size()}});
            for (const QString &problem : problems) {
                PlannedItem item;
                item.kind = u"INTERNAL"_s;
                item.refType = name;
                item.refId = problemSubject(problem);
                item.message = problem.left(1000);
                addItem(item);
            }
        };
        const Ledger::Check ledger = Ledger::check(db);
        report(u"ledger"_s, ledger.entries, ledger.problems);
        const WalletService::Check wallets = WalletService::check(db);
        report(u"wallets"_s, wallets.holders, wallets.problems);

        // Every paid order has exactly one payment entry, and no unpaid order has one.
        QStringList creditProblems;
        QSqlQuery credits = streamQuery(
            db,
            u"SELECT o.order_no, o.status, COUNT(e.id) FROM orders o LEFT JOIN journal_entries e ON"
            " e.ref_type = 'order' AND e.ref_id = o.order_no AND e.kind IN ('order.paid', 'recharge.paid',"
            " 'order.paid_abnormal') WHERE o.paid_amount > 0 GROUP BY o.order_no, o.status"
            " HAVING COUNT(e.id) <> 1 LIMIT 100"_s,
            {});
        while (credits.next())
            creditProblems.append(u"order %1 (%2) has %3 payment entries instead of one"_s.arg(
                credits.value(0).toString(), credits.value(1).toString(), credits.value(2).toString()));
        credits.finish();
        QSqlQuery strayCredits = streamQuery(
            db,
            u"SELECT o.order_no, o.status FROM journal_entries e JOIN orders o ON o.order_no = e.ref_id WHERE"
            " e.ref_type = 'order' AND e.kind IN ('order.paid', 'recharge.paid', 'order.paid_abnormal') AND"
            " o.paid_amount = 0 LIMIT 100"_s,
            {});
        while (strayCredits.next())
            creditProblems.append(u"order %1 (%2) has a payment entry but no payment"_s.arg(
                strayCredits.value(0).toString(), strayCredits.value(1).toString()));
        strayCredits.finish();
        qint64 paidOrders = 0;
        {
            QSqlQuery count = sqlExec(db, u"SELECT COUNT(*) FROM orders WHERE paid_amount > 0"_s);
            paidOrders = count.next() ? count.value(0).toLongLong() : 0;
        }
        report(u"order_credits"_s, paidOrders, creditProblems);

        // Every succeeded refund has exactly one debit, and no other refund has one.
        QStringList debitProblems;
        QSqlQuery debits = streamQuery(
            db,
            u"SELECT r.refund_no, r.status, COUNT(e.id) FROM refunds r LEFT JOIN journal_entries e ON"
            " e.ref_type = 'refund' AND e.ref_id = r.refund_no AND e.kind = 'refund.succeeded'"
            " GROUP BY r.refund_no, r.status HAVING (r.status = 'SUCCESS' AND COUNT(e.id) <> 1) OR"
            " (r.status <> 'SUCCESS' AND COUNT(e.id) <> 0) LIMIT 100"_s,
            {});
        while (debits.next())
            debitProblems.append(u"refund %1 (%2) has %3 refund entries"_s.arg(
                debits.value(0).toString(), debits.value(1).toString(), debits.value(2).toString()));
        debits.finish();
        qint64 refundCount = 0;
        {
            QSqlQuery count = sqlExec(db, u"SELECT COUNT(*) FROM refunds"_s);
            refundCount = count.next() ? count.value(0).toLongLong() : 0;
        }
        report(u"refund_debits"_s, refundCount, debitProblems);
        totals.insert(u"checks"_s, checks);
        // The books' daily look is also when discrepancies left open too long are raised.
        totals.insert(u"alerts_raised"_s, alertUnresolved());
    } else {
        // 1. The bill: downloaded and kept, or the file given.
        setPhase(claimed.runId, u"download"_s);
        recon::BillFormat format = recon::BillFormat::WechatTradeCsv;
        bool noBill = false;
        billPath = billFileIn;
        if (billPath.isEmpty()) {
            const std::shared_ptr<Channel> channel = m_payments.channels().channel(channelId);
            if (!channel)
                throw std::runtime_error(
                    QStringLiteral("channel account %1 is not configured or disabled").arg(channelId).toStdString());
            const BillResult bill = channel->downloadBill(day);
            if (bill.outcome != CallOutcome::Ok)
                throw std::runtime_error(QStringLiteral("the channel did not serve the bill: %1 %2")
                                             .arg(bill.error.code, bill.error.message)
                                             .toStdString());
            noBill = bill.noBill;
            if (!noBill) {
                if (!recon::billFormatFromName(bill.format, &format))
                    throw std::runtime_error(
                        QStringLiteral("the channel served a bill in an unknown format %1").arg(bill.format).toStdString());
                const QString dir = QDir(m_config.billDir).filePath(channelId);
                if (!QDir().mkpath(dir))
                    throw std::runtime_error(QStringLiteral("cannot create %1").arg(dir).toStdString());
                billPath = QDir(dir).filePath(
                    date + (format == recon::BillFormat::AlipayTradeZip ? u".zip"_s : u".csv"_s));
                QSaveFile file(billPath);
                if (!file.open(QIODevice::WriteOnly) || file.write(bill.content) != bill.content.size()
                    || !file.commit())
                    throw std::runtime_error(
                        QStringLiteral("cannot keep the bill in %1: %2").arg(billPath, file.errorString()).toStdString());
            }
        } else {
            if (!billFormatIn.isEmpty()) {
                if (!recon::billFormatFromName(billFormatIn, &format))
                    throw std::runtime_error(QStringLiteral("unknown bill format %1").arg(billFormatIn).toStdString());
            } else if (billPath.endsWith(u".zip"_s, Qt::CaseInsensitive)) {
                format = recon::BillFormat::AlipayTradeZip;
            } else if (billPath.endsWith(u".gz"_s, Qt::CaseInsensitive)) {
                format = recon::BillFormat::WechatTradeGzip;
            }
        }
        if (!noBill)
            billFormatName = recon::billFormatName(format);

        // 2. The day's local records, into the hash table.
        setPhase(claimed.runId, u"load"_s);
        const qint64 from = dayStart(day);
        const qint64 to = dayStart(day.addDays(1));
        const QSqlDatabase db = m_database.threadConnection();
        recon::LocalIndex index;
        QStringList merchants;
        QHash<QString, quint32> merchantIndex;
        const auto merchantOf = [&](const QString &id) {
            auto found = merchantIndex.constFind(id);
            if (found != merchantIndex.cend())
                return *found;
            const quint32 next = quint32(merchants.size());
            merchants.append(id);
            merchantIndex.insert(id, next);
            return next;
        };
        qint64 localPayments = 0, localPaymentAmount = 0, localRefunds = 0, localRefundAmount = 0;
        {
            QSqlQuery rows = streamQuery(db,
                                         u"SELECT order_no, paid_amount, merchant_id FROM orders WHERE paid_at >= ? AND"
                                         " paid_at < ? AND channel_id = ? AND paid_amount > 0"_s,
                                         {from, to, channelId});
            while (rows.next()) {
                const QByteArray key = rows.value(0).toString().toLatin1();
                const qint64 amount = rows.value(1).toLongLong();
                if (index.add(recon::LocalIndex::Type::Payment, key, amount, merchantOf(rows.value(2).toString()))) {
                    ++localPayments;
                    localPaymentAmount += amount;
                }
            }
        }
        {
            QSqlQuery rows = streamQuery(db,
                                         u"SELECT r.refund_no, r.amount, r.merchant_id FROM refunds r JOIN orders o ON"
                                         " o.order_no = r.order_no WHERE r.succeeded_at >= ? AND r.succeeded_at < ? AND"
                                         " r.status = 'SUCCESS' AND o.channel_id = ?"_s,
                                         {from, to, channelId});
            while (rows.next()) {
                const QByteArray key = rows.value(0).toString().toLatin1();
                const qint64 amount = rows.value(1).toLongLong();
                if (index.add(recon::LocalIndex::Type::Refund, key, amount, merchantOf(rows.value(2).toString()))) {
                    ++localRefunds;
                    localRefundAmount += amount;
                }
            }
        }
        index.build();

        // 3. The bill, line by line, against the table.
        setPhase(claimed.runId, u"match"_s);
        QList<recon::BillLine> unmatched;
        recon::BillTotals computed, declared;
        bool hasDeclared = false;
        qint64 lines = 0, skipped = 0;
        recon::BillTotals billed; // the lines as matched: payments by 订单金额, refunds by their amount
        QList<qint64> merchantFees(merchants.size(), 0);
        QList<qint64> merchantLines(merchants.size(), 0);
        qint64 unattributedFee = 0, unattributedLines = 0;
        if (!noBill) {
            QString error;
            std::unique_ptr<recon::BillReader> reader = recon::BillReader::openFile(format, billPath, &error);
            if (!reader)
                throw std::runtime_error(QStringLiteral("cannot read the bill: %1").arg(error).toStdString());
            progress->totalBytes = format == recon::BillFormat::WechatTradeCsv ? QFileInfo(billPath).size() : 0;
            recon::BillLine line;
            while (reader->next(line)) {
                if ((++lines & 0xFFF) == 0) {
                    if (m_stopping)
                        throw std::runtime_error("interrupted: the server is stopping; run the day again");
                    progress->lines = lines;
                    progress->bytes = reader->bytesRead();
                }
                const bool refund = line.kind == recon::BillLine::Kind::Refund;
                if (!line.status.isEmpty() && line.status != "SUCCESS") {
                    ++skipped; // e.g. a refund still PROCESSING at the channel: not money moved yet
                    continue;
                }
                ++billed.rowCount;
                (refund ? billed.refundCount : billed.paymentCount) += 1;
                (refund ? billed.refundAmount : billed.paymentAmount) += line.amount;
                billed.feeMillifen += line.feeMillifen;
                const QByteArray &key = refund ? line.outRefundNo : line.outTradeNo;
                recon::LocalIndex::Entry *entry
                    = index.find(refund ? recon::LocalIndex::Type::Refund : recon::LocalIndex::Type::Payment, key);
                if (!entry || entry->seen) {
                    if (entry) {
                        PlannedItem item;
                        item.kind = u"STATUS_MISMATCH"_s;
                        item.refType = refund ? u"refund"_s : u"order"_s;
                        item.refId = QString::fromLatin1(key);
                        item.channelTradeNo = QString::fromLatin1(line.channelTradeNo);
                        item.channelAmount = line.amount;
                        item.message = u"The bill has this %1 more than once (again on line %2)."_s.arg(
                            refund ? u"refund"_s : u"payment"_s).arg(line.lineNumber);
                        addItem(item);
                        continue;
                    }
                    if (unmatched.size() >= m_config.maxItems)
                        throw std::runtime_error(
                            QStringLiteral("more than %1 bill lines match nothing of the day: is this the right bill?")
                                .arg(m_config.maxItems)
                                .toStdString());
                    unmatched.append(line);
                    continue;
                }
                entry->seen = true;
                merchantFees[entry->merchant] += line.feeMillifen;
                ++merchantLines[entry->merchant];
                if (entry->amount != line.amount) {
                    PlannedItem item;
                    item.kind = u"AMOUNT_MISMATCH"_s;
                    item.refType = refund ? u"refund"_s : u"order"_s;
                    item.refId = QString::fromLatin1(key);
                    item.merchantId = merchants.value(qsizetype(entry->merchant));
                    item.channelTradeNo = QString::fromLatin1(line.channelTradeNo);
                    item.localAmount = entry->amount;
                    item.channelAmount = line.amount;
                    item.localStatus = u"SUCCESS"_s;
                    item.channelStatus = u"SUCCESS"_s;
                    item.message = u"The bill states %1 fen (line %2); Paydesk booked %3 fen."_s.arg(line.amount)
                                       .arg(line.lineNumber)
                                       .arg(entry->amount);
                    addItem(item);
                    continue;
                }
                ++matched;
            }
            if (!reader->error().isEmpty())
                throw std::runtime_error(QStringLiteral("the bill is malformed: %1").arg(reader->error()).toStdString());
            computed = reader->computed();
            hasDeclared = reader->hasDeclared();
            declared = reader->declared();
            progress->lines = lines;
            progress->bytes = reader->bytesRead();
            if (hasDeclared && !(declared == computed)) {
                PlannedItem item;
                item.kind = u"SUMMARY_MISMATCH"_s;
                item.refType = u"bill"_s;
                item.refId = date;
                item.message = u"The bill's summary lines do not add up to its rows."_s;
                item.details = QJsonObject{{u"declared"_s, totalsJson(declared)}, {u"rows"_s, totalsJson(computed)}};
                addItem(item);
            }
        } else {
            finalStatus = u"NO_BILL"_s;
        }

        // 4. What the table could not place: look each up, query what a query can prove.
        setPhase(claimed.runId, u"repair"_s);
        int repairs = 0;
        qint64 crossDay = 0, repaired = 0;
        struct LocalRow
        {
            QString status, channelId, merchantId, channelTradeNo, reason;
            qint64 amount = 0, at = 0;
        };
        const auto lookup = [&](bool refund, const QStringList &keys) {
            QHash<QString, LocalRow> found;
            for (qsizetype start = 0; start < keys.size(); start += kLookupChunk) {
                const QStringList chunk = keys.mid(start, kLookupChunk);
                QVariantList binds;
                for (const QString &key : chunk)
                    binds.append(key);
                QSqlQuery rows = sqlExec(
                    db,
                    refund ? u"SELECT r.refund_no, r.status, o.channel_id, r.merchant_id, o.channel_trade_no, '',"
                             " r.amount, COALESCE(r.succeeded_at, 0) FROM refunds r JOIN orders o ON"
                             " o.order_no = r.order_no WHERE r.refund_no IN (%1)"_s.arg(placeholders(chunk.size()))
                           : u"SELECT order_no, status, channel_id, merchant_id, channel_trade_no,"
                             " COALESCE(status_reason, ''), paid_amount, COALESCE(paid_at, 0) FROM orders"
                             " WHERE order_no IN (%1)"_s.arg(placeholders(chunk.size())),
                    binds);
                while (rows.next())
                    found.insert(rows.value(0).toString(),
                                 LocalRow{rows.value(1).toString(), rows.value(2).toString(), rows.value(3).toString(),
                                          rows.value(4).toString(), rows.value(5).toString(),
                                          rows.value(6).toLongLong(), rows.value(7).toLongLong()});
            }
            return found;
        };
        QStringList paymentKeys, refundKeys;
        for (const recon::BillLine &line : std::as_const(unmatched))
            (line.kind == recon::BillLine::Kind::Refund ? refundKeys : paymentKeys)
                .append(QString::fromLatin1(line.kind == recon::BillLine::Kind::Refund ? line.outRefundNo
                                                                                      : line.outTradeNo));
        const QHash<QString, LocalRow> orders = lookup(false, paymentKeys);
        const QHash<QString, LocalRow> refunds = lookup(true, refundKeys);
        for (const recon::BillLine &line : std::as_const(unmatched)) {
            const bool refund = line.kind == recon::BillLine::Kind::Refund;
            const QString key = QString::fromLatin1(refund ? line.outRefundNo : line.outTradeNo);
            const auto local = (refund ? refunds : orders).constFind(key);
            PlannedItem item;
            item.refType = refund ? u"refund"_s : u"order"_s;
            item.refId = key;
            item.channelTradeNo = QString::fromLatin1(line.channelTradeNo);
            item.channelAmount = line.amount;
            item.channelStatus = u"SUCCESS"_s;
            item.details = QJsonObject{{u"bill_line"_s, line.lineNumber}};
            if (local == (refund ? refunds : orders).cend()) {
                item.kind = u"MISSING_LOCAL"_s;
                item.message = refund ? u"The bill has refund %1 of trade %2, which Paydesk does not know."_s.arg(
                                            key, item.channelTradeNo)
                                      : u"The bill has a payment of %1 fen for %2 (trade %3), which matches no order."_s
                                            .arg(line.amount)
                                            .arg(key, item.channelTradeNo);
                ++unattributedLines;
                unattributedFee += line.feeMillifen;
                addItem(item);
                continue;
            }
            item.merchantId = local->merchantId;
            item.localStatus = local->status;
            const qsizetype merchant = merchants.indexOf(local->merchantId);
            if (merchant >= 0) {
                merchantFees[merchant] += line.feeMillifen;
                ++merchantLines[merchant];
            } else {
                merchants.append(local->merchantId);
                merchantFees.append(line.feeMillifen);
                merchantLines.append(1);
            }
            if (local->channelId != channelId) {
                item.kind = u"STATUS_MISMATCH"_s;
                item.localAmount = local->amount;
                item.message = u"The bill of %1 has %2, which Paydesk booked with channel account %3."_s.arg(
                    channelId, key, local->channelId);
                addItem(item);
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
                                       .arg(billDay(local->at).toString(Qt::ISODate));
                    addItem(item);
                    continue;
                }
                // Booked on another day here: a match across midnight.
                ++matched;
                ++crossDay;
                item.kind = u"CROSS_DAY"_s;
                item.status = u"RESOLVED"_s;
                item.resolution = u"BOOKED_ON_OTHER_DAY"_s;
                item.localAmount = local->amount;
                item.message = u"Booked by the channel on %1 and by Paydesk on %2."_s.arg(
                    date, billDay(local->at).toString(Qt::ISODate));
                item.details.insert(u"local_date"_s, billDay(local->at).toString(Qt::ISODate));
                bookedLater.append({item.refType, key});
                addItem(item);
                continue;
            }
            // The channel has money moved that Paydesk has not booked: ask the channel.
            item.kind = refund ? u"STATUS_MISMATCH"_s : u"MISSING_LOCAL"_s;
            item.localAmount = refund ? std::optional<qint64>(local->amount) : std::nullopt;
            QString detail;
            PaymentService::Verified verified = PaymentService::Verified::Unknown;
            if (refund && local->status != u"PROCESSING"_s) {
                detail = u"Paydesk recorded the refund as %1."_s.arg(local->status);
            } else if (repairs < m_config.maxRepairs) {
                ++repairs;
                verified = refund ? m_payments.verifyRefund(key, &detail) : m_payments.verifyPayment(key, &detail);
            } else {
                detail = u"Not queried: this run reached its limit of %1 channel queries."_s.arg(m_config.maxRepairs);
            }
            item.details.insert(u"query"_s, detail);
            if (verified == PaymentService::Verified::Settled) {
                item.status = u"RESOLVED"_s;
                item.resolution = u"REPAIRED_BY_QUERY"_s;
                item.localStatus = refund ? u"SUCCESS"_s : u"SUCCESS"_s;
                item.message = u"Missing here, proven by a channel query and booked: %1"_s.arg(detail);
                ++repaired;
                ++matched;
                if (refund) {
                    ++localRefunds;
                    localRefundAmount += line.amount;
                } else {
                    ++localPayments;
                    localPaymentAmount += line.amount;
                }
            } else {
                item.message = refund ? u"The bill has refund %1 as succeeded; Paydesk has it %2. %3"_s.arg(
                                            key, local->status, detail)
                                      : u"The bill has a payment of %1 fen for order %2, which is %3 here. %4"_s
                                            .arg(line.amount)
                                            .arg(key, local->status, detail);
            }
            addItem(item);
        }

        // 5. Local successes the bill lacks: matched across midnight already, or carried once.
        QStringList missingPayments, missingRefunds;
        for (const recon::LocalIndex::Entry &entry : index.entries()) {
            if (entry.seen)
                continue;
            (entry.type == recon::LocalIndex::Type::Refund ? missingRefunds : missingPayments)
                .append(QString::fromLatin1(index.key(entry)));
            if (missingPayments.size() + missingRefunds.size() > m_config.maxItems)
                throw std::runtime_error(
                    QStringLiteral("more than %1 of the day's records are not in the bill: is this the right bill?")
                        .arg(m_config.maxItems)
                        .toStdString());
        }
        const auto crossDayKeys = [&](const QString &refType, const QStringList &keys) {
            QSet<QString> found;
            for (qsizetype start = 0; start < keys.size(); start += kLookupChunk) {
                const QStringList chunk = keys.mid(start, kLookupChunk);
                QVariantList binds{channelId, refType};
                for (const QString &key : chunk)
                    binds.append(key);
                QSqlQuery rows = sqlExec(db,
                                         u"SELECT ref_id FROM recon_items WHERE channel_id = ? AND kind = 'CROSS_DAY'"
                                         " AND ref_type = ? AND ref_id IN (%1)"_s.arg(placeholders(chunk.size())),
                                         binds);
                while (rows.next())
                    found.insert(rows.value(0).toString());
            }
            return found;
        };
        for (const bool refund : {false, true}) {
            const QStringList &keys = refund ? missingRefunds : missingPayments;
            if (keys.isEmpty())
                continue;
            const QString refType = refund ? u"refund"_s : u"order"_s;
            const QSet<QString> elsewhere = crossDayKeys(refType, keys);
            const QHash<QString, LocalRow> rows = lookup(refund, keys);
            for (const QString &key : keys) {
                if (elsewhere.contains(key)) {
                    ++matched;
                    ++crossDay;
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
                item.message = noBill
                    ? u"The channel has no bill for %1, but Paydesk booked this %2 that day; carried to the next day's bill."_s
                          .arg(date, refund ? u"refund"_s : u"payment"_s)
                    : u"Not in the bill of %1; carried to the next day's bill, as the channel may book it after midnight."_s
                          .arg(date);
                addItem(item);
            }
        }

        for (qsizetype i = 0; i < merchants.size(); ++i)
            if (merchantLines.value(i) > 0)
                fees.insert(merchants.at(i), {merchantFees.value(i), merchantLines.value(i)});
        if (unattributedLines > 0)
            fees.insert(QString(), {unattributedFee, unattributedLines});

        totals.insert(u"bill"_s, QJsonObject{{u"lines"_s, lines},
                                             {u"skipped"_s, skipped},
                                             {u"payments"_s, countAmount(billed.paymentCount, billed.paymentAmount)},
                                             {u"refunds"_s, countAmount(billed.refundCount, billed.refundAmount)},
                                             {u"fee_millifen"_s, billed.feeMillifen},
                                             {u"declared"_s, hasDeclared ? QJsonValue(totalsJson(declared))
                                                                         : QJsonValue()}});
        totals.insert(u"local"_s, QJsonObject{{u"payments"_s, countAmount(localPayments, localPaymentAmount)},
                                              {u"refunds"_s, countAmount(localRefunds, localRefundAmount)}});
        totals.insert(u"cross_day"_s, crossDay);
        totals.insert(u"repaired"_s, repaired);
        totals.insert(u"index_bytes"_s, index.memoryBytes());
    }

    // 6. Write the items (upserts keyed by channel, kind and key), then close the run.
    setPhase(claimed.runId, u"save"_s);
    const qint64 runStamp = m_clock();
    for (qsizetype start = 0; start < planned.size(); start += kWriteChunk) {
        const QList<PlannedItem> chunk = planned.mid(start, kWriteChunk);
        m_writer
            .submit<bool>([&](const QSqlDatabase &db) {
                const qint64 now = std::max(m_clock(), runStamp);
                for (const PlannedItem &item : chunk) {
                    QSqlQuery existing = sqlExec(db,
                                                 u"SELECT id, status, resolution FROM recon_items WHERE channel_id = ?"
                                                 " AND kind = ? AND ref_type = ? AND ref_id = ?"_s,
                                                 {channelId, item.kind, item.refType, item.refId});
                    if (!existing.next()) {
                        const bool resolved = item.status == u"RESOLVED"_s;
                        sqlExec(db,
                                u"INSERT INTO recon_items (id, run_id, business_date, channel_id, kind, ref_type, ref_id,"
                                " merchant_id, channel_trade_no, local_amount, channel_amount, local_status,"
                                " channel_status, status, message, details, resolution, note, resolved_by,"
                                " resolved_at, created_at, updated_at)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                                {m_itemIds->next(), claimed.runId, date, channelId, item.kind, item.refType, item.refId,
                                 nullable(item.merchantId), nullable(item.channelTradeNo),
                                 optionalAmount(item.localAmount), optionalAmount(item.channelAmount),
                                 nullable(item.localStatus), nullable(item.channelStatus), item.status, item.message,
                                 compact(item.details), nullable(item.resolution),
                                 resolved ? QVariant(u"Resolved automatically by the reconciliation run."_s)
                                          : QVariant(QMetaType(QMetaType::QString)),
                                 resolved ? QVariant(u"system"_s) : QVariant(QMetaType(QMetaType::QString)),
                                 resolved ? QVariant(now) : QVariant(QMetaType(QMetaType::LongLong)), now, now});
                        continue;
                    }
                    const QString id = existing.value(0).toString();
                    const QString status = existing.value(1).toString();
                    const QString resolution = existing.value(2).toString();
                    existing.finish();
                    if (status == u"RESOLVED"_s && resolution != u"CLEARED_ON_RERUN"_s)
                        continue; // a person's (or an earlier repair's) decision stands
                    // An item a later day's run opened stays open; otherwise it takes what this run found.
                    const QString newStatus
                        = status == u"OPEN"_s && item.status == u"CARRIED"_s ? u"OPEN"_s : item.status;
                    const bool resolved = newStatus == u"RESOLVED"_s;
                    sqlExec(db,
                            u"UPDATE recon_items SET run_id = ?, merchant_id = ?, channel_trade_no = ?, local_amount = ?,"
                            " channel_amount = ?, local_status = ?, channel_status = ?, status = ?, message = ?,"
                            " details = ?, resolution = ?, note = ?, resolved_by = ?, resolved_at = ?, updated_at = ?"
                            " WHERE id = ?"_s,
                            {claimed.runId, nullable(item.merchantId), nullable(item.channelTradeNo),
                             optionalAmount(item.localAmount), optionalAmount(item.channelAmount),
                             nullable(item.localStatus), nullable(item.channelStatus), newStatus, item.message,
                             compact(item.details), resolved ? QVariant(item.resolution) : QVariant(QMetaType(QMetaType::QString)),
                             resolved ? QVariant(u"Resolved automatically by the reconciliation run."_s)
                                      : QVariant(QMetaType(QMetaType::QString)),
                             resolved ? QVariant(u"system"_s) : QVariant(QMetaType(QMetaType::QString)),
                             resolved ? QVariant(now) : QVariant(QMetaType(QMetaType::LongLong)), now, id});
                }
                return true;
            })
            .result();
    }

    return m_writer
        .submit<QJsonObject>([&](const QSqlDatabase &db) {
            const qint64 now = std::max(m_clock(), runStamp);
            const QString system = u"system"_s;
            // Items of this day that this run no longer finds.
            if (internal)
                sqlExec(db,
                        u"UPDATE recon_items SET status = 'RESOLVED', resolution = 'CLEARED_ON_RERUN',"
                        " note = 'No longer found by the internal checks.', resolved_by = ?, resolved_at = ?,"
                        " updated_at = ? WHERE channel_id = ? AND status IN ('OPEN', 'CARRIED') AND updated_at < ?"_s,
                        {system, now, now, channelId, runStamp});
            else
                sqlExec(db,
                        u"UPDATE recon_items SET status = 'RESOLVED', resolution = 'CLEARED_ON_RERUN',"
                        " note = 'No longer found when the day was reconciled again.', resolved_by = ?,"
                        " resolved_at = ?, updated_at = ? WHERE business_date = ? AND channel_id = ? AND"
                        " status IN ('OPEN', 'CARRIED') AND kind <> 'CROSS_DAY' AND updated_at < ?"_s,
                        {system, now, now, date, channelId, runStamp});
            if (!internal) {
                // Carried items the bill of this day settles: booked after midnight.
                for (const auto &[refType, key] : std::as_const(bookedLater))
                    sqlExec(db,
                            u"UPDATE recon_items SET status = 'RESOLVED', resolution = 'BOOKED_NEXT_DAY', note = ?,"
                            " resolved_by = ?, resolved_at = ?, updated_at = ? WHERE channel_id = ? AND"
                            " kind = 'MISSING_CHANNEL' AND ref_type = ? AND ref_id = ? AND status <> 'RESOLVED'"_s,
                            {u"In the channel's bill of %1."_s.arg(date), system, now, now, channelId, refType, key});
                // Carried items of earlier days that this day's bill does not settle either.
                if (finalStatus == u"DONE"_s) {
                    QSqlQuery carried = sqlExec(db,
                                                u"SELECT id, ref_type, ref_id, business_date, local_amount FROM"
                                                " recon_items WHERE channel_id = ? AND kind = 'MISSING_CHANNEL' AND"
                                                " status = 'CARRIED' AND business_date < ? LIMIT 1000"_s,
                                                {channelId, date});
                    struct Carried
                    {
                        QString id, refType, refId, date;
                        qint64 amount;
                    };
                    QList<Carried> open;
                    while (carried.next())
                        open.append({carried.value(0).toString(), carried.value(1).toString(),
                                     carried.value(2).toString(), carried.value(3).toString(),
                                     carried.value(4).toLongLong()});
                    for (const Carried &item : std::as_const(open)) {
                        sqlExec(db,
                                u"UPDATE recon_items SET status = 'OPEN', message = ?, updated_at = ? WHERE id = ?"_s,
                                {u"Paydesk booked this %1 on %2; it is in neither that day's bill nor the next."_s.arg(
                                     item.refType == u"refund"_s ? u"refund"_s : u"payment"_s, item.date),
                                 now, item.id});
                        Alerts::raise(db, m_payments.alertIds(), m_payments.outboxIds(),
                                      Alerts::Raise{u"RECON_MISSING_CHANNEL"_s,
                                                    u"CRITICAL"_s,
                                                    item.refType,
                                                    item.refId,
                                                    u"Channel account %1 never billed %2 %3 of %4 fen (booked here on %5)."_s
                                                        .arg(channelId, item.refType, item.refId)
                                                        .arg(item.amount)
                                                        .arg(item.date),
                                                    QJsonObject{{u"item_id"_s, item.id}, {u"channel_id"_s, channelId}},
                                                    u"recon:"_s + item.id},
                                      !m_payments.config().alertWebhookUrl.isEmpty(), now);
                    }
                }
                sqlExec(db, u"DELETE FROM recon_fees WHERE business_date = ? AND channel_id = ?"_s, {date, channelId});
                for (auto fee = fees.cbegin(); fee != fees.cend(); ++fee)
                    sqlExec(db,
                            u"INSERT INTO recon_fees (business_date, channel_id, merchant_id, fee_millifen, lines)"
                            " VALUES (?, ?, ?, ?, ?)"_s,
                            {date, channelId, nonNull(fee.key()), fee.value().first, fee.value().second});
            }
            // The run's discrepancies are the day's items as they stand, so a re-run reports the same.
            QJsonObject byKind;
            qint64 discrepancies = 0, open = 0, carriedCount = 0;
            QSqlQuery counts = sqlExec(db,
                                       internal ? u"SELECT kind, status, COUNT(*) FROM recon_items WHERE channel_id = ?"
                                                  " AND (business_date = ? OR status <> 'RESOLVED') AND"
                                                  " COALESCE(resolution, '') <> 'CLEARED_ON_RERUN'"
                                                  " GROUP BY kind, status"_s
                                                : u"SELECT kind, status, COUNT(*) FROM recon_items WHERE channel_id = ?"
                                                  " AND business_date = ? AND kind <> 'CROSS_DAY' AND"
                                                  " COALESCE(resolution, '') <> 'CLEARED_ON_RERUN'"
                                                  " GROUP BY kind, status"_s,
                                       {channelId, date});
            while (counts.next()) {
                const QString kind = counts.value(0).toString();
                const qint64 count = counts.value(2).toLongLong();
                byKind.insert(kind, byKind.value(kind).toInteger() + count);
                discrepancies += count;
                if (counts.value(1).toString() == u"OPEN"_s)
                    open += count;
                else if (counts.value(1).toString() == u"CARRIED"_s)
                    carriedCount += count;
            }
            totals.insert(u"by_kind"_s, byKind);
            totals.insert(u"open"_s, open);
            totals.insert(u"carried"_s, carriedCount);
            sqlExec(db,
                    u"UPDATE recon_runs SET status = ?, phase = 'done', bill_file = ?, bill_format = ?, totals = ?,"
                    " matched = ?, discrepancies = ?, finished_at = ?, duration_ms = ?, lease_until = 0, error = NULL,"
                    " updated_at = ? WHERE id = ?"_s,
                    {finalStatus, nonNull(billPath), nonNull(billFormatName), compact(totals), matched, discrepancies,
                     now, elapsed.elapsed(), now, claimed.runId});
            return runJson(db, u"id"_s, claimed.runId);
        })
        .result();
}

QJsonObject ReconService::runJson(const QSqlDatabase &db, const QString &where, const QVariant &value) const
{
    QSqlQuery row = sqlExec(db,
                            u"SELECT id, business_date, channel_id, channel_type, status, phase, attempts, totals,"
                            " matched, discrepancies, started_at, finished_at, duration_ms, error, requested_by,"
                            " bill_format FROM recon_runs WHERE "_s
                                + where + u" = ?"_s,
                            {value});
    if (!row.next())
        return {};
    QJsonObject run = QJsonDocument::fromJson(row.value(7).toString().toUtf8()).object();
    run.insert(u"id"_s, row.value(0).toString());
    run.insert(u"date"_s, row.value(1).toString());
    run.insert(u"channel_id"_s, row.value(2).toString());
    run.insert(u"channel_type"_s, row.value(3).toString());
    run.insert(u"status"_s, row.value(4).toString());
    run.insert(u"phase"_s, row.value(5).toString());
    run.insert(u"attempts"_s, row.value(6).toInt());
    run.insert(u"matched"_s, row.value(8).toLongLong());
    run.insert(u"discrepancies"_s, row.value(9).toLongLong());
    run.insert(u"started_at"_s, row.value(10).toLongLong());
    run.insert(u"finished_at"_s, row.value(11).isNull() ? QJsonValue() : QJsonValue(row.value(11).toLongLong()));
    run.insert(u"duration_ms"_s, row.value(12).toLongLong());
    run.insert(u"error"_s, row.value(13).isNull() ? QJsonValue() : QJsonValue(row.value(13).toString()));
    run.insert(u"requested_by"_s, row.value(14).toString());
    run.insert(u"bill_format"_s, row.value(15).toString());
    return run;
}

QJsonObject ReconService::run(const QSqlDatabase &db, const QString &id) const
{
    QJsonObject found = runJson(db, u"id"_s, id);
    if (found.isEmpty())
        throw ApiError(ErrorCode::NotFound, u"No reconciliation run %1."_s.arg(id));
    if (found.value(u"status"_s).toString() == u"RUNNING"_s) {
        QMutexLocker lock(&m_progressMutex);
        if (const auto progress = m_progress.value(id))
            found.insert(u"progress"_s, QJsonObject{{u"lines"_s, progress->lines.load()},
                                                    {u"bytes"_s, progress->bytes.load()},
                                                    {u"total_bytes"_s, progress->totalBytes.load()}});
    }
    return found;
}

QJsonArray ReconService::runs(const QSqlDatabase &db, const QDate &from, const QDate &to,
                              const QString &channelId) const
{
    QStringList ids;
    {
        QSqlQuery rows = sqlExec(db,
                                 u"SELECT id FROM recon_runs WHERE business_date >= ? AND business_date <= ? AND"
                                 " (? = '' OR channel_id = ?) ORDER BY business_date DESC, channel_id LIMIT 400"_s,
                                 {from.toString(Qt::ISODate), to.toString(Qt::ISODate), nonNull(channelId), nonNull(channelId)});
        while (rows.next())
            ids.append(rows.value(0).toString());
    }
    QJsonArray result;
    for (const QString &id : std::as_const(ids))
        result.append(run(db, id));
    return result;
}

namespace {

QJsonObject itemJson(const QSqlQuery &row)
{
    const auto text = [&row](int column) {
        return row.value(column).isNull() ? QJsonValue() : QJsonValue(row.value(column).toString());
    };
    const auto number = [&row](int column) {
        return row.value(column).isNull() ? QJsonValue() : QJsonValue(row.value(column).toLongLong());
    };
    return QJsonObject{{u"id"_s, row.value(0).toString()},
                       {u"run_id"_s, row.value(1).toString()},
                       {u"date"_s, row.value(2).toString()},
                       {u"channel_id"_s, row.value(3).toString()},
                       {u"kind"_s, row.value(4).toString()},
                       {u"ref_type"_s, row.value(5).toString()},
                       {u"ref_id"_s, row.value(6).toString()},
                       {u"merchant_id"_s, text(7)},
                       {u"channel_trade_no"_s, text(8)},
                       {u"local_amount"_s, number(9)},
                       {u"channel_amount"_s, number(10)},
                       {u"local_status"_s, text(11)},
                       {u"channel_status"_s, text(12)},
                       {u"status"_s, row.value(13).toString()},
                       {u"message"_s, row.value(14).toString()},
                       {u"details"_s, QJsonDocument::fromJson(row.value(15).toString().toUtf8()).object()},
                       {u"resolution"_s, text(16)},
                       {u"note"_s, text(17)},
                       {u"resolved_by"_s, text(18)},
                       {u"resolved_at"_s, number(19)},
                       {u"created_at"_s, row.value(20).toLongLong()},
                       {u"updated_at"_s, row.value(21).toLongLong()}};
}

const QString kItemColumns = u"id, run_id, business_date, channel_id, kind, ref_type, ref_id, merchant_id,"
                             " channel_trade_no, local_amount, channel_amount, local_status, channel_status, status,"
                             " message, details, resolution, note, resolved_by, resolved_at, created_at, updated_at"_s;

} // namespace

QJsonObject ReconService::items(const QSqlDatabase &db, const ItemQuery &query) const
{
    QString sql = u"SELECT "_s + kItemColumns + u" FROM recon_items WHERE 1 = 1"_s;
    QVariantList binds;
    const auto filter = [&](const QString &value, const QString &clause) {
        if (!value.isEmpty()) {
            sql += clause;
            binds.append(value);
        }
    };
    filter(query.date, u" AND business_date = ?"_s);
    filter(query.channelId, u" AND channel_id = ?"_s);
    filter(query.kind, u" AND kind = ?"_s);
    filter(query.status, u" AND status = ?"_s);
    filter(query.runId, u" AND run_id = ?"_s);
    if (!query.cursor.isEmpty()) {
        static const QRegularExpression cursorPattern(u"^([0-9]{1,15})\\.([0-9A-Z]{1,32})$"_s);
        const QRegularExpressionMatch match = cursorPattern.match(query.cursor);
        if (!match.hasMatch())
            throw ApiError(ErrorCode::ValidationFailed, u"cursor is not one this server gave out."_s,
                           {{u"field"_s, u"cursor"_s}});
        sql += u" AND (created_at < ? OR (created_at = ? AND id < ?))"_s;
        const qint64 at = match.captured(1).toLongLong();
        binds << at << at << match.captured(2);
    }
    sql += u" ORDER BY created_at DESC, id DESC LIMIT ?"_s;
    binds.append(query.limit + 1);
    QSqlQuery rows = sqlExec(db, sql, binds);
    QJsonArray items;
    QString next;
    while (rows.next()) {
        if (items.size() == query.limit) {
            const QJsonObject last = items.last().toObject();
            next = u"%1.%2"_s.arg(last.value(u"created_at"_s).toInteger()).arg(last.value(u"id"_s).toString());
            break;
        }
        items.append(itemJson(rows));
    }
    return QJsonObject{{u"items"_s, items}, {u"next_cursor"_s, next.isEmpty() ? QJsonValue() : QJsonValue(next)}};
}

QJsonObject ReconService::item(const QSqlDatabase &db, const QString &id) const
{
    QSqlQuery row = sqlExec(db, u"SELECT "_s + kItemColumns + u" FROM recon_items WHERE id = ?"_s, {id});
    if (!row.next())
        throw ApiError(ErrorCode::NotFound, u"No reconciliation item %1."_s.arg(id));
    return itemJson(row);
}

const QStringList &ReconService::manualResolutions()
{
    static const QStringList resolutions{u"ADJUSTED"_s,    u"REFUNDED"_s,  u"CHANNEL_ERROR"_s,
                                         u"WRITTEN_OFF"_s, u"DUPLICATE"_s, u"OTHER"_s};
    return resolutions;
}

QJsonObject ReconService::resolve(const QSqlDatabase &db, const QString &id, const QString &resolution,
                                  const QString &note, const QString &by)
{
    if (!manualResolutions().contains(resolution))
        throw ApiError(ErrorCode::ValidationFailed,
                       u"resolution must be one of %1."_s.arg(manualResolutions().join(u", "_s)),
                       {{u"field"_s, u"resolution"_s}});
    const QString trimmed = note.trimmed();
    if (trimmed.isEmpty() || trimmed.size() > 500)
        throw ApiError(ErrorCode::ValidationFailed, u"note must say what was done, in 1 to 500 characters."_s,
                       {{u"field"_s, u"note"_s}});
    const QJsonObject current = item(db, id);
    if (current.value(u"status"_s).toString() == u"RESOLVED"_s)
        throw ApiError(ErrorCode::Conflict, u"This item is resolved already (%1)."_s.arg(
                                                current.value(u"resolution"_s).toString()));
    const qint64 now = m_clock();
    QSqlQuery update = sqlExec(db,
                               u"UPDATE recon_items SET status = 'RESOLVED', resolution = ?, note = ?, resolved_by = ?,"
                               " resolved_at = ?, updated_at = ? WHERE id = ? AND status <> 'RESOLVED'"_s,
                               {resolution, trimmed, by, now, now, id});
    if (update.numRowsAffected() != 1)
        throw ApiError(ErrorCode::Conflict, u"The item changed meanwhile; reload it."_s);
    return item(db, id);
}

int ReconService::alertUnresolved()
{
    return m_writer
        .submit<int>([this](const QSqlDatabase &db) {
            const qint64 now = m_clock();
            const qint64 before = now - qint64(m_config.alertAfterDays) * kDayMs;
            QSqlQuery rows = sqlExec(db,
                                     u"SELECT id, business_date, channel_id, kind, ref_type, ref_id FROM recon_items"
                                     " WHERE status = 'OPEN' AND created_at < ? AND alerted = 0"
                                     " ORDER BY created_at LIMIT 100"_s,
                                     {before});
            QList<QStringList> found;
            while (rows.next())
                found.append({rows.value(0).toString(), rows.value(1).toString(), rows.value(2).toString(),
                              rows.value(3).toString(), rows.value(4).toString(), rows.value(5).toString()});
            for (const QStringList &item : std::as_const(found)) {
                Alerts::raise(db, m_payments.alertIds(), m_payments.outboxIds(),
                              Alerts::Raise{u"RECON_UNRESOLVED"_s,
                                            u"WARNING"_s,
                                            u"recon_item"_s,
                                            item.at(0),
                                            u"Reconciliation item %1 (%2 of %3 %4, %5, %6) has been open for more than %7 days."_s
                                                .arg(item.at(0), item.at(3), item.at(4), item.at(5), item.at(2),
                                                     item.at(1))
                                                .arg(m_config.alertAfterDays),
                                            QJsonObject{{u"item_id"_s, item.at(0)}},
                                            u"recon-unresolved:"_s + item.at(0)},
                              !m_payments.config().alertWebhookUrl.isEmpty(), now);
                sqlExec(db, u"UPDATE recon_items SET alerted = 1 WHERE id = ?"_s, {item.at(0)});
            }
            return int(found.size());
        })
        .result();
}

JobResult ReconService::dailyJob(const OutboxJob &)
{
    const qint64 now = m_clock();
    const QDate day = billDay(now).addDays(-1);
    QStringList channels;
    {
        QSqlQuery rows = sqlExec(m_database.threadConnection(), u"SELECT id FROM channels WHERE enabled = 1 ORDER BY id"_s);
        while (rows.next())
            channels.append(rows.value(0).toString());
    }
    bool incomplete = false;
    for (const QString &id : std::as_const(channels)) {
        const QJsonObject result = runChannel(day, id, u"system"_s);
        const QString status = result.value(u"status"_s).toString();
        qCInfo(lcRecon).noquote() << "daily run" << day.toString(Qt::ISODate) << id << status
                                  << result.value(u"discrepancies"_s).toInteger() << "discrepancies";
        incomplete = incomplete || status == u"NO_BILL"_s || status == u"FAILED"_s;
    }
    runInternal(day, u"system"_s); // which also raises alerts for items left open too long
    // Channels publish bills through the morning (Alipay recommends after 10:00): a missing or
    // failed bill is tried again every two hours until 14:00.
    const qint64 retryAt = now + 2 * 3'600'000;
    if (incomplete && retryAt < dayStart(billDay(now)) + 14 * 3'600'000)
        return JobResult::retryAt(retryAt, u"a bill was missing or failed"_s);
    return JobResult::retryAt(nextDailyAt(now));
}

} // namespace paydesk
