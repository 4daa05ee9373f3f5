#pragma once

#include <QFuture>
#include <QPromise>
#include <QSqlDatabase>
#include <QThread>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace paydesk {

class Database;
class Metrics;

/// The one writer of a database: runs units of work on its own thread and commits many of them
/// per transaction (group commit), each inside a savepoint so one failing unit rolls back alone.
/// A unit's future completes only once the COMMIT that made it durable has reached the disk.
///
/// On SQLite the writer does not wait for the disk itself: it commits into the write-ahead log
/// and goes on with the next batch while a second thread flushes the log (one fdatasync for
/// every batch committed meanwhile) and only then completes the units. What a reader sees may
/// therefore be committed but not yet on disk for that moment; committedSeq()/whenDurable() let
/// anything that answers from a reader wait until it is (the request pipeline does, for every
/// response). On PostgreSQL a COMMIT returns once durable, so both numbers move together.
class DbWriter final
{
    Q_DISABLE_COPY_MOVE(DbWriter)

public:
    struct Options
    {
        int maxBatch = 256; ///< units per transaction
        int maxQueue = 20'000; ///< queued units; beyond it submit() fails with UNAVAILABLE
        /// SQLite: flush the log on a second thread while the writer goes on (else every commit
        /// waits for its own fsync on the writer's thread).
        bool syncAside = true;
    };

    DbWriter(Database &database, Metrics *metrics, Options options);
    ~DbWriter();

    /// Opens the writer connection on the writer thread; throws DatabaseError if it cannot.
    void start();
    /// Finishes and commits everything queued, then stops the thread.
    void stop();

    /// Queues a unit of work. It runs on the writer thread with the writer's connection inside a
    /// transaction; throwing rolls back just this unit and fails its future with the exception.
    template<typename T> QFuture<T> submit(std::function<T(const QSqlDatabase &)> work);

    int queueDepth() const;

    /// Batches committed so far (visible to readers), and those known to be on disk.
    quint64 committedSeq() const { return m_committed.load(std::memory_order_acquire); }
    quint64 durableSeq() const { return m_durable.load(std::memory_order_acquire); }
    /// Completes once every batch up to seq is on disk (at once if it already is, or if the
    /// writer is not running).
    QFuture<void> whenDurable(quint64 seq);
    /// Blocks until every batch up to seq is on disk, at most timeout; false on timeout.
    bool waitDurable(quint64 seq, std::chrono::milliseconds timeout);
    /// True while the calling thread runs the completion of a unit whose batch is on disk (and
    /// the continuations attached with QtFuture::Launch::Sync): an answer made there from the
    /// unit's result tells only of what is on disk, whatever the readers see by then. Such
    /// continuations must not read through a reader and answer from that.
    static bool completingDurably() { return t_completing; }

    /// Facts about committed rows that never change afterwards (e.g. "ledger account X exists"),
    /// remembered by the writer of one database so units can skip statements that would only
    /// confirm them. On the writer thread only; elsewhere knows() is false and learn() does nothing.
    static bool knows(const QString &fact);
    /// Remembers the fact once the current unit has committed (not if it rolls back).
    static void learnAfterCommit(const QString &fact);

private:
    struct Unit
    {
        std::function<void(const QSqlDatabase &)> run;
        std::function<void()> succeed;
        std::function<void(std::exception_ptr)> fail;
    };
    /// A finished batch: its units with what each came to, completed once the log is flushed.
    struct Finished
    {
        quint64 seq = 0; ///< the batches committed when it finished (this one included)
        std::deque<Unit> units;
        std::vector<std::exception_ptr> errors; ///< per unit
        std::exception_ptr batchError; ///< the whole batch failed (its COMMIT did)
    };
    static void complete(Finished &finished);
    void enqueue(Unit unit);
    void loop();
    void runBatch(std::deque<Unit> &batch);
    void syncLoop();
    /// fdatasync of the SQLite write-ahead log; false (and a critical message) if it failed.
    bool flushLog();
    void markDurable(quint64 seq);

    Database &m_database;
    Metrics *m_metrics;
    Options m_options;
    QSqlDatabase m_connection;
    class StatementCache *m_statements = nullptr; ///< the writer thread's prepared statements
    struct Facts; ///< what knows()/learnAfterCommit() keep
    static thread_local Facts *t_facts; ///< the running writer's, on its thread
    static thread_local bool t_completing;
    static thread_local bool t_syncThread;
    std::unique_ptr<QThread> m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Unit> m_queue;
    bool m_stopping = false;
    bool m_running = false;
    std::exception_ptr m_startError;

    std::atomic<quint64> m_committed{0};
    std::atomic<quint64> m_durable{0};
    bool m_deferSync = false; ///< SQLite with a log file: the sync thread flushes it
    std::unique_ptr<QThread> m_syncThread;
    std::mutex m_syncMutex;
    std::condition_variable m_syncWake; ///< work for the sync thread
    std::condition_variable m_durableWake; ///< m_durable moved (waitDurable)
    std::deque<Finished> m_syncQueue;
    bool m_syncStopping = false;
    bool m_tracking = false; ///< whenDurable()/waitDurable() wait only while the writer runs
    std::vector<std::pair<quint64, std::shared_ptr<QPromise<void>>>> m_durableWaiters;
    QString m_logPath; ///< the write-ahead log, as SQLite names it
    int m_logFd = -1; ///< the write-ahead log, opened by the sync thread
};

template<typename T> QFuture<T> DbWriter::submit(std::function<T(const QSqlDatabase &)> work)
{
    auto promise = std::make_shared<QPromise<T>>();
    QFuture<T> future = promise->future();
    promise->start();
    Unit unit;
    if constexpr (std::is_void_v<T>) {
        unit.run = std::move(work);
        unit.succeed = [promise] { promise->finish(); };
    } else {
        auto result = std::make_shared<std::optional<T>>();
        unit.run = [work = std::move(work), result](const QSqlDatabase &db) { result->emplace(work(db)); };
        unit.succeed = [promise, result] {
            promise->addResult(std::move(**result));
            promise->finish();
        };
    }
    unit.fail = [promise](std::exception_ptr error) {
        promise->setException(error);
        promise->finish();
    };
    enqueue(std::move(unit));
    return future;
}

} // namespace paydesk
