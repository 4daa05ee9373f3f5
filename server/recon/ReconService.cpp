#include "server/recon/ReconService.h"

#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/payments/Alerts.h"
#include "server/payments/ChannelStore.h"
#include "server/payments/FlowSupport.h"
#include "server/payments/PaymentService.h"
#include "server/recon/ChannelMatcher.h"
#include "server/recon/InternalChecks.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QTimeZone>

#include <optional>

using namespace Qt::StringLiterals;

namespace paydesk {

Q_LOGGING_CATEGORY(lcRecon, "paydesk.server.recon")

namespace {

using flows::compact;
using flows::nonNull;

constexpr qint64 kDayMs = 86'400'000;
constexpr qint64 kRunLeaseMs = 30 * 60'000; ///< a run whose holder died may be started again after this
constexpr int kWriteChunk = 200; ///< items per writer unit

[[noreturn]] void giveUp(const QString &why)
{
    throw std::runtime_error(why.toStdString());
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
    m_pool.setExpiryTimeout(-1); // reader connections are per thread: keep the threads
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
    QJsonArray started;
    for (const auto &[id, type] : targets(channelId)) {
        const Claim claimed = claim(day, id, type, requestedBy);
        if (!claimed.busy) {
            progressOf(claimed.runId);
            m_pool.start([this, claimed, day] { executeOrFail(claimed, day, {}, {}); });
        }
        started.append(run(m_database.threadConnection(), claimed.runId));
    }
    return started;
}

QList<std::pair<QString, QString>> ReconService::targets(const QString &channelId)
{
    QList<std::pair<QString, QString>> found;
    if (channelId != Internal) {
        const QSqlDatabase db = m_database.threadConnection();
        QSqlQuery rows = channelId.isEmpty()
            ? sqlExec(db, u"SELECT id, type FROM channels WHERE enabled = 1 ORDER BY id"_s)
            : sqlExec(db, u"SELECT id, type FROM channels WHERE id = ?"_s, {channelId});
        while (rows.next())
            found.append({rows.value(0).toString(), rows.value(1).toString()});
        if (!channelId.isEmpty() && found.isEmpty())
            throw ApiError(ErrorCode::NotFound, u"No payment channel account %1."_s.arg(channelId),
                           {{u"field"_s, u"channel_id"_s}});
    }
    if (channelId.isEmpty() || channelId == Internal)
        found.append({Internal, Internal});
    return found;
}

QJsonObject ReconService::runNow(const QDate &day, const QString &channelId, const QString &channelType,
                                 const QString &requestedBy, const QString &billFile, const QString &billFormat)
{
    const Claim claimed = claim(day, channelId, channelType, requestedBy);
    if (claimed.busy)
        return run(m_database.threadConnection(), claimed.runId);
    return executeOrFail(claimed, day, billFile, billFormat);
}

QJsonObject ReconService::executeOrFail(const Claim &claimed, const QDate &day, const QString &billFile,
                                        const QString &billFormat)
{
    try {
        return execute(claimed, day, billFile, billFormat);
    } catch (const std::exception &error) {
        fail(claimed.runId, claimed.startedAt, QString::fromUtf8(error.what()));
        return run(m_database.threadConnection(), claimed.runId);
    }
}

QJsonObject ReconService::runChannel(const QDate &day, const QString &channelId, const QString &requestedBy,
                                     const QString &billFile, const QString &billFormat)
{
    const QList<std::pair<QString, QString>> account = targets(channelId);
    return runNow(day, channelId, account.constFirst().second, requestedBy, billFile, billFormat);
}

QJsonObject ReconService::runInternal(const QDate &day, const QString &requestedBy)
{
    return runNow(day, Internal, Internal, requestedBy, {}, {});
}

// The whole of one run; throws on failure (the caller marks the run FAILED).
QJsonObject ReconService::execute(const Claim &claimed, const QDate &day, const QString &billFile,
                                  const QString &billFormat)
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
    const QSqlDatabase db = m_database.threadConnection();
    recon::ChannelMatcher::Result found;
    QString status = u"DONE"_s;
    QString billPath, billFormatName;

    if (internal) {
        setPhase(claimed.runId, u"checks"_s);
        const QJsonArray checks = recon::InternalChecks::run(db, [&](recon::PlannedItem item) {
            if (found.items.size() >= m_config.maxItems)
                giveUp(u"the internal checks found more than %1 problems"_s.arg(m_config.maxItems));
            found.items.append(std::move(item));
        });
        found.totals.insert(u"checks"_s, checks);
        // The books' daily look is also when discrepancies left open too long are raised.
        found.totals.insert(u"alerts_raised"_s, alertUnresolved());
    } else {
        setPhase(claimed.runId, u"download"_s);
        recon::BillFormat format = recon::BillFormat::WechatTradeCsv;
        billPath = billFile.isEmpty() ? downloadBill(day, channelId, &format) : billFile;
        if (!billFile.isEmpty()) {
            if (!billFormat.isEmpty()) {
                if (!recon::billFormatFromName(billFormat, &format))
                    giveUp(u"unknown bill format %1"_s.arg(billFormat));
            } else if (billFile.endsWith(u".zip"_s, Qt::CaseInsensitive)) {
                format = recon::BillFormat::AlipayTradeZip;
            } else if (billFile.endsWith(u".gz"_s, Qt::CaseInsensitive)) {
                format = recon::BillFormat::WechatTradeGzip;
            }
        }
        std::unique_ptr<recon::BillReader> reader;
        if (billPath.isEmpty()) {
            status = u"NO_BILL"_s; // every local success of the day is then carried
        } else {
            QString error;
            reader = recon::BillReader::openFile(format, billPath, &error);
            if (!reader)
                giveUp(u"cannot read the bill: %1"_s.arg(error));
            billFormatName = recon::billFormatName(format);
            progress->totalBytes = format == recon::BillFormat::WechatTradeCsv ? QFileInfo(billPath).size() : 0;
        }
        recon::ChannelMatcher matcher(
            db, m_payments, channelId, day, {m_config.maxItems, m_config.maxRepairs},
            {[&](const QString &phase) { setPhase(claimed.runId, phase); },
             [&](qint64 lines, qint64 bytes) {
                 progress->lines = lines;
                 progress->bytes = bytes;
             },
             [this] { return m_stopping.load(); }});
        found = matcher.run(reader.get());
    }

    // Write the items (upserts keyed by channel, kind and key), then close the run.
    setPhase(claimed.runId, u"save"_s);
    const qint64 runStamp = m_clock();
    for (qsizetype start = 0; start < found.items.size(); start += kWriteChunk) {
        const QList<recon::PlannedItem> chunk = found.items.mid(start, kWriteChunk);
        m_writer
            .submit<bool>([&](const QSqlDatabase &writerDb) {
                recon::ReconItems::upsert(writerDb, *m_itemIds, claimed.runId, date, channelId, chunk,
                                          std::max(m_clock(), runStamp));
                return true;
            })
            .result();
    }
    return m_writer
        .submit<QJsonObject>([&](const QSqlDatabase &writerDb) {
            const qint64 now = std::max(m_clock(), runStamp);
            // Items this run no longer finds.
            recon::ReconItems::clearStale(writerDb, channelId, internal ? QString() : date, runStamp, now);
            if (!internal) {
                recon::ReconItems::settleBookedLater(writerDb, channelId, date, found.bookedLater, now);
                if (status == u"DONE"_s)
                    raiseNeverBilled(writerDb, channelId, recon::ReconItems::openCarried(writerDb, channelId, date, now),
                                     now);
                sqlExec(writerDb, u"DELETE FROM recon_fees WHERE business_date = ? AND channel_id = ?"_s,
                        {date, channelId});
                for (auto fee = found.fees.cbegin(); fee != found.fees.cend(); ++fee)
                    sqlExec(writerDb,
                            u"INSERT INTO recon_fees (business_date, channel_id, merchant_id, fee_millifen, lines)"
                            " VALUES (?, ?, ?, ?, ?)"_s,
                            {date, channelId, nonNull(fee.key()), fee.value().first, fee.value().second});
            }
            // The run's discrepancies are the day's items as they stand, so a re-run reports the same.
            const recon::ReconItems::Counts counts = recon::ReconItems::count(writerDb, channelId, date, internal);
            found.totals.insert(u"by_kind"_s, counts.byKind);
            found.totals.insert(u"open"_s, counts.open);
            found.totals.insert(u"carried"_s, counts.carried);
            sqlExec(writerDb,
                    u"UPDATE recon_runs SET status = ?, phase = 'done', bill_file = ?, bill_format = ?, totals = ?,"
                    " matched = ?, discrepancies = ?, finished_at = ?, duration_ms = ?, lease_until = 0, error = NULL,"
                    " updated_at = ? WHERE id = ?"_s,
                    {status, nonNull(billPath), nonNull(billFormatName), compact(found.totals), found.matched,
                     counts.total, now, elapsed.elapsed(), now, claimed.runId});
            return runJson(writerDb, u"id"_s, claimed.runId);
        })
        .result();
}

QString ReconService::downloadBill(const QDate &day, const QString &channelId, recon::BillFormat *format)
{
    const std::shared_ptr<Channel> channel = m_payments.channels().channel(channelId);
    if (!channel)
        giveUp(u"channel account %1 is not configured or disabled"_s.arg(channelId));
    const BillResult bill = channel->downloadBill(day);
    if (bill.outcome != CallOutcome::Ok)
        giveUp(u"the channel did not serve the bill: %1 %2"_s.arg(bill.error.code, bill.error.message));
    if (bill.noBill)
        return {};
    if (!recon::billFormatFromName(bill.format, format))
        giveUp(u"the channel served a bill in an unknown format %1"_s.arg(bill.format));
    // Kept as the channel served it: the evidence a discrepancy is argued from.
    const QString dir = QDir(m_config.billDir).filePath(channelId);
    if (!QDir().mkpath(dir))
        giveUp(u"cannot create %1"_s.arg(dir));
    const QString path = QDir(dir).filePath(day.toString(Qt::ISODate)
                                            + (*format == recon::BillFormat::AlipayTradeZip ? u".zip"_s : u".csv"_s));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bill.content) != bill.content.size() || !file.commit())
        giveUp(u"cannot keep the bill in %1: %2"_s.arg(path, file.errorString()));
    return path;
}

void ReconService::raiseNeverBilled(const QSqlDatabase &db, const QString &channelId,
                                    const QList<recon::ReconItems::Carried> &items, qint64 nowMs)
{
    for (const recon::ReconItems::Carried &item : items)
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
                      !m_payments.config().alertWebhookUrl.isEmpty(), nowMs);
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

int ReconService::alertUnresolved()
{
    return m_writer
        .submit<int>([this](const QSqlDatabase &db) {
            const qint64 now = m_clock();
            const QList<QStringList> found
                = recon::ReconItems::takeUnalerted(db, now - qint64(m_config.alertAfterDays) * kDayMs);
            for (const QStringList &item : found)
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
            return int(found.size());
        })
        .result();
}

JobResult ReconService::dailyJob(const OutboxJob &)
{
    const qint64 now = m_clock();
    const QDate day = billDay(now).addDays(-1);
    bool incomplete = false;
    for (const auto &[id, type] : targets({})) {
        if (id == Internal)
            continue; // last, below
        const QJsonObject result = runNow(day, id, type, u"system"_s, {}, {});
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
