#pragma once

#include "server/auth/SecurityConfig.h"

#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSqlDatabase>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <functional>

namespace paydesk {

class Database;
class DbWriter;
class IdGenerator;

/// One piece of scheduled work, as claimed from the outbox table.
struct OutboxJob
{
    QString id;
    QString kind; ///< e.g. "order.poll", "refund.poll", "merchant.notify", "alert.webhook"
    QString ref; ///< what it is about (order number, event id, …); (kind, ref) is unique
    QJsonObject payload;
    int attempts = 0; ///< attempts finished before this one
    qint64 nextAt = 0;
    qint64 generation = 0; ///< moved on by every rearm
    QString claim; ///< the lease this run holds: only it may record the result
};

/// What a job handler decided.
struct JobResult
{
    enum class Kind { Done, Retry, Failed };
    Kind kind = Kind::Done;
    qint64 nextAt = 0; ///< Retry: when to run again (ms since epoch)
    QString error; ///< Retry/Failed: kept in last_error

    static JobResult done() { return {}; }
    static JobResult retryAt(qint64 at, QString why = {}) { return {Kind::Retry, at, std::move(why)}; }
    static JobResult failed(QString why) { return {Kind::Failed, 0, std::move(why)}; }
};

/// Writing to the outbox, always inside the writer unit of the change that needs the work, so the
/// change and its follow-up commit together (the transactional outbox).
namespace Outbox {

/// Schedules (kind, ref) at nextAt; false when it exists already (then it is left as it is).
bool schedule(const QSqlDatabase &db, IdGenerator &ids, const QString &kind, const QString &ref,
              const QJsonObject &payload, qint64 nextAt, qint64 nowMs);
/// Makes (kind, ref) pending again at nextAt, from attempt 0 (e.g. a resend on demand); creates it
/// when missing.
void rearm(const QSqlDatabase &db, IdGenerator &ids, const QString &kind, const QString &ref,
           const QJsonObject &payload, qint64 nextAt, qint64 nowMs);
/// Marks (kind, ref) done: the work became unnecessary (e.g. a notification settled the order
/// that was being polled). A lease held on it simply expires unused.
void finish(const QSqlDatabase &db, const QString &kind, const QString &ref, qint64 nowMs);

} // namespace Outbox

/// Claims due outbox rows with a lease and runs their handlers on its own bounded pool (handlers
/// block on channels and merchant endpoints, never on the HTTP workers). Any number of server
/// instances may run one: PostgreSQL claims with FOR UPDATE SKIP LOCKED; a lease that expires
/// (its holder died) makes the row claimable again. Lives on the thread that creates it.
class JobRunner final : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<JobResult(const OutboxJob &)>;

    struct Options
    {
        QString owner; ///< unique per running instance, e.g. "node0:<random>"
        QString ownerPrefix; ///< the owner of this node in earlier lives: its leases are released at start
        int concurrency = 16;
        int batch = 32;
        int pollIntervalMs = 200;
        qint64 leaseMs = 120'000;
    };

    JobRunner(Database &database, DbWriter &writer, Clock clock, Options options, QObject *parent = nullptr);
    ~JobRunner() override;

    /// Registers before start().
    void setHandler(const QString &kind, Handler handler);
    void start();
    /// Stops claiming and waits for running handlers (their results are committed).
    void stop();
    /// Claims again now (after a commit that scheduled immediate work). Thread-safe.
    void wake();

    int running() const { return m_running.load(); }

private:
    void poll();
    void claimed(const QList<OutboxJob> &jobs, const QString &failure, int limit);
    void run(const OutboxJob &job);
    void complete(const OutboxJob &job, const JobResult &result);

    Database &m_database;
    DbWriter &m_writer;
    Clock m_clock;
    Options m_options;
    QHash<QString, Handler> m_handlers;
    QThreadPool m_pool;
    QTimer m_timer;
    std::atomic<int> m_running{0};
    std::atomic<bool> m_claiming{false};
    std::atomic<bool> m_stopping{false};
    std::atomic<quint64> m_claimSeq{0};
    QFuture<void> m_lastClaim; ///< the claim in flight (stop() waits for its unit)
};

} // namespace paydesk
