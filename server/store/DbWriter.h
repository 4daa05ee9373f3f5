#pragma once

#include <QFuture>
#include <QPromise>
#include <QSqlDatabase>
#include <QThread>

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace paydesk {

class Database;
class Metrics;

/// The one writer of a database: runs units of work on its own thread and commits many of them
/// per transaction (group commit), each inside a savepoint so one failing unit rolls back alone.
/// A unit's future completes only after the COMMIT that made it durable.
class DbWriter final
{
    Q_DISABLE_COPY_MOVE(DbWriter)

public:
    struct Options
    {
        int maxBatch = 256; ///< units per transaction
        int maxQueue = 20'000; ///< queued units; beyond it submit() fails with UNAVAILABLE
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
    void enqueue(Unit unit);
    void loop();
    void runBatch(std::deque<Unit> &batch);

    Database &m_database;
    Metrics *m_metrics;
    Options m_options;
    QSqlDatabase m_connection;
    class StatementCache *m_statements = nullptr; ///< the writer thread's prepared statements
    struct Facts; ///< what knows()/learnAfterCommit() keep
    static thread_local Facts *t_facts; ///< the running writer's, on its thread
    std::unique_ptr<QThread> m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Unit> m_queue;
    bool m_stopping = false;
    bool m_running = false;
    std::exception_ptr m_startError;
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
