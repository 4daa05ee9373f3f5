#include "server/payments/Outbox.h"

#include "common/util/IdGenerator.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcJobs, "paydesk.jobs")

namespace paydesk {

namespace {

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

bool Outbox::schedule(const QSqlDatabase &db, IdGenerator &ids, const QString &kind, const QString &ref,
                      const QJsonObject &payload, qint64 nextAt, qint64 nowMs)
{
    QSqlQuery insert = sqlExec(db,
                               u"INSERT INTO outbox (id, kind, ref, payload, status, attempts, next_at, created_at,"
                               " updated_at) VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?, ?)"
                               " ON CONFLICT (kind, ref) DO NOTHING"_s,
                               {ids.next(), kind, ref, compact(payload), nextAt, nowMs, nowMs});
    return insert.numRowsAffected() == 1;
}

void Outbox::rearm(const QSqlDatabase &db, IdGenerator &ids, const QString &kind, const QString &ref,
                   const QJsonObject &payload, qint64 nextAt, qint64 nowMs)
{
    if (schedule(db, ids, kind, ref, payload, nextAt, nowMs))
        return;
    // A new generation: a run in flight now (it holds the lease) cannot record its result over
    // this; it only gives its lease back, and the job runs again at nextAt.
    sqlExec(db,
            u"UPDATE outbox SET status = 'PENDING', attempts = 0, next_at = ?, payload = ?, last_error = NULL,"
            " generation = generation + 1, updated_at = ? WHERE kind = ? AND ref = ?"_s,
            {nextAt, compact(payload), nowMs, kind, ref});
}

void Outbox::finish(const QSqlDatabase &db, const QString &kind, const QString &ref, qint64 nowMs)
{
    sqlExec(db,
            u"UPDATE outbox SET status = 'DONE', updated_at = ? WHERE kind = ? AND ref = ? AND status = 'PENDING'"_s,
            {nowMs, kind, ref});
}

JobRunner::JobRunner(Database &database, DbWriter &writer, Clock clock, Options options, QObject *parent)
    : QObject(parent), m_database(database), m_writer(writer), m_clock(std::move(clock)), m_options(std::move(options))
{
    m_pool.setMaxThreadCount(m_options.concurrency);
    m_pool.setExpiryTimeout(-1); // reader connections are per thread
    m_timer.setInterval(m_options.pollIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &JobRunner::poll);
}

JobRunner::~JobRunner()
{
    stop();
}

void JobRunner::setHandler(const QString &kind, Handler handler)
{
    m_handlers.insert(kind, std::move(handler));
}

void JobRunner::start()
{
    // Leases this node held before a crash would otherwise block its work until they expire.
    const QString prefix = m_options.ownerPrefix;
    if (!prefix.isEmpty()) {
        m_writer
            .submit<void>([prefix](const QSqlDatabase &db) {
                sqlExec(db,
                        u"UPDATE outbox SET lease_owner = NULL, lease_until = 0 WHERE status = 'PENDING'"
                        " AND lease_owner LIKE ?"_s,
                        {prefix + u"%"_s});
            })
            .waitForFinished();
    }
    m_timer.start();
    poll();
}

void JobRunner::stop()
{
    m_stopping = true;
    m_timer.stop();
    m_lastClaim.waitForFinished(); // the claim's unit is done; its jobs are not started any more
    m_pool.waitForDone();
}

void JobRunner::wake()
{
    QMetaObject::invokeMethod(this, &JobRunner::poll, Qt::QueuedConnection);
}

void JobRunner::poll()
{
    if (m_stopping || m_claiming.exchange(true))
        return;
    const int capacity = m_options.concurrency - m_running.load();
    if (capacity <= 0) {
        m_claiming = false;
        return;
    }
    const int limit = std::min(capacity, m_options.batch);
    const qint64 now = m_clock();
    const QString claim = m_options.owner + u":"_s + QString::number(++m_claimSeq);
    const qint64 leaseUntil = now + m_options.leaseMs;
    const bool skipLocked = !m_database.isSqlite();
    QFuture<QList<OutboxJob>> claimed = m_writer.submit<QList<OutboxJob>>([=](const QSqlDatabase &db) {
        // One statement leases the due jobs and hands them over (no second look-up by lease,
        // which no index serves).
        QSqlQuery rows = sqlExec(db,
                                 u"UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id IN (SELECT id FROM"
                                 " outbox WHERE status = 'PENDING' AND next_at <= ? AND lease_until <= ?"
                                 " ORDER BY next_at LIMIT ?"_s
                                     + (skipLocked ? u" FOR UPDATE SKIP LOCKED)"_s : u")"_s)
                                     + u" RETURNING id, kind, ref, payload, attempts, next_at, generation"_s,
                                 {claim, leaseUntil, now, now, limit});
        QList<OutboxJob> jobs;
        while (rows.next()) {
            OutboxJob job;
            job.id = rows.value(0).toString();
            job.kind = rows.value(1).toString();
            job.ref = rows.value(2).toString();
            job.payload = QJsonDocument::fromJson(rows.value(3).toString().toUtf8()).object();
            job.attempts = rows.value(4).toInt();
            job.nextAt = rows.value(5).toLongLong();
            job.generation = rows.value(6).toLongLong();
            job.claim = claim;
            jobs.append(job);
        }
        return jobs;
    });
    // Handed back to this runner's thread without a context-bound continuation: a runner that is
    // destroyed while a claim is in flight must not be called (its claimed jobs' leases expire).
    QPointer<JobRunner> self(this);
    m_lastClaim = claimed.then(QtFuture::Launch::Sync, [self, limit](QFuture<QList<OutboxJob>> done) {
        QList<OutboxJob> jobs;
        QString failure;
        try {
            jobs = done.result();
        } catch (const std::exception &error) {
            failure = QString::fromUtf8(error.what());
        }
        if (JobRunner *runner = self.data())
            QMetaObject::invokeMethod(
                runner,
                [self, jobs, failure, limit] {
                    if (self)
                        self->claimed(jobs, failure, limit);
                },
                Qt::QueuedConnection);
    });
}

void JobRunner::claimed(const QList<OutboxJob> &jobs, const QString &failure, int limit)
{
    m_claiming = false;
    if (!failure.isEmpty()) {
        qCWarning(lcJobs).noquote() << "claiming jobs failed:" << failure;
        return;
    }
    if (m_stopping)
        return; // claimed while stopping: the leases expire, or the next start releases them
    for (const OutboxJob &job : jobs)
        run(job);
    if (jobs.size() == limit) // more may be due: claim again without waiting
        wake();
}

void JobRunner::run(const OutboxJob &job)
{
    const auto handler = m_handlers.constFind(job.kind);
    if (handler == m_handlers.cend()) {
        complete(job, JobResult::failed(u"no handler for %1"_s.arg(job.kind)));
        return;
    }
    ++m_running;
    Handler work = *handler;
    m_pool.start([this, job, work] {
        JobResult result;
        try {
            result = work(job);
        } catch (const std::exception &error) {
            // A database or programming error: try again a little later rather than lose the work.
            result = JobResult::retryAt(m_clock() + 30'000, QString::fromUtf8(error.what()));
        }
        complete(job, result);
        // Half the workers free: claim more now rather than at the next tick (due work waits
        // otherwise, e.g. a backlog of merchant notifications).
        if (--m_running <= m_options.concurrency / 2)
            wake();
    });
}

void JobRunner::complete(const OutboxJob &job, const JobResult &result)
{
    const qint64 now = m_clock();
    const QString status = result.kind == JobResult::Kind::Done ? u"DONE"_s
        : result.kind == JobResult::Kind::Retry                 ? u"PENDING"_s
                                                                : u"FAILED"_s;
    const qint64 nextAt = result.kind == JobResult::Kind::Retry ? result.nextAt : job.nextAt;
    if (result.kind != JobResult::Kind::Done)
        qCInfo(lcJobs).noquote() << job.kind << job.ref << status << result.error;
    QFuture<void> written = m_writer.submit<void>([=](const QSqlDatabase &db) {
        // Only by the claim that ran it, on the generation it ran, and while pending: a handler
        // that outlived its lease finds another claim's lease and changes nothing; one that ran
        // while the job was re-armed only gives its lease back (the rearm stands).
        QSqlQuery recorded
            = sqlExec(db,
                      u"UPDATE outbox SET status = ?, attempts = attempts + 1, next_at = ?, last_error = ?,"
                      " lease_owner = NULL, lease_until = 0, last_owner = lease_owner, updated_at = ? WHERE id = ?"
                      " AND status = 'PENDING' AND lease_owner = ? AND generation = ?"_s,
                      {status, nextAt, result.error.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : result.error,
                       now, job.id, job.claim, job.generation});
        if (recorded.numRowsAffected() == 1)
            return;
        QSqlQuery released
            = sqlExec(db, u"UPDATE outbox SET lease_owner = NULL, lease_until = 0 WHERE id = ? AND lease_owner = ?"_s,
                      {job.id, job.claim});
        qCInfo(lcJobs).noquote() << job.kind << job.ref
                                 << (released.numRowsAffected() == 1 ? u"re-armed while running: runs again"_s
                                                                     : u"lease lost: result not recorded"_s);
    });
    try {
        written.waitForFinished();
    } catch (const std::exception &error) {
        qCWarning(lcJobs) << "recording job result failed:" << error.what();
    }
}

} // namespace paydesk
