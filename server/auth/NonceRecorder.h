#pragma once

#include "server/auth/NonceGuard.h"

#include <QByteArray>
#include <QFuture>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <mutex>
#include <vector>

namespace paydesk {

class DbWriter;

/// Records the single-use nonces of signed requests that need nothing else written before their
/// handler (reads such as GET /v1/orders/{no}), many per writer unit: the nonces that arrive while
/// the writer is busy go into one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING, which names
/// the new ones; the others are replays. Durable and exact like one insert per request, at a
/// fraction of the writer's time. Each future completes after the COMMIT, or fails with REPLAYED.
///
/// Reads (GET) take a faster path when the process's NonceGuard can decide: a nonce it has seen
/// is refused at once, a new one is admitted at once and written behind (in the next writer
/// unit, not waited for). The database then still holds every nonce, for the other instances,
/// for a restart (preload() fills the guard from it) and for the record; a read replayed to
/// another instance before the first one's unit committed is found by that unit and logged.
/// Writes always wait for their nonce's commit.
class NonceRecorder final
{
public:
    enum class Fast { Admitted, Unsure };

    static constexpr int kMaxPerUnit = 1'000; ///< nonces per writer unit (the rest go to the next)
    static constexpr int kRowsPerStatement = 200; ///< rows per INSERT (3 parameters each)
    static constexpr int kMaxPending = 20'000; ///< beyond it record() fails with UNAVAILABLE
    static constexpr int kBehindBatch = 2'000; ///< reads' nonces that start a unit without waiting
    static constexpr int kBehindFlushMs = 100;
    static constexpr qint64 kGuardCapacity = 1'000'000; ///< read nonces per guard generation (16 MiB)

    ~NonceRecorder();

    NonceRecorder(DbWriter &writer, qint64 guardSpanMs, qint64 guardCapacity);

    QFuture<void> record(const QString &keyId, const QByteArray &nonce, qint64 expiresAt);
    /// The read path: Admitted (recorded behind), Unsure (call record() and wait), or throws
    /// ApiError REPLAYED.
    Fast admitRead(const QString &keyId, const QByteArray &nonce, qint64 expiresAt, qint64 now);
    /// Starts a unit for the reads' nonces written behind, if any wait (the server calls it
    /// every kBehindFlushMs, and before it stops).
    void flushBehind();
    /// Fills the guard with the unexpired nonces the database holds; returns how many.
    qint64 preload(const QSqlDatabase &db, qint64 now);
    const NonceGuard &guard() const { return m_guard; }

private:
    struct Pending;
    static std::shared_ptr<Pending> makePending(const QString &keyId, const QByteArray &nonce, qint64 expiresAt,
                                                bool behind);
    bool enqueue(std::shared_ptr<Pending> pending); ///< false when the queue is full (refused)
    void submitUnit();
    void finishUnit(const std::exception_ptr &failure, const std::vector<bool> &admitted);

    DbWriter &m_writer;
    NonceGuard m_guard;
    std::mutex m_mutex;
    std::vector<std::shared_ptr<Pending>> m_pending; ///< waiting for the next unit
    std::vector<std::shared_ptr<Pending>> m_inFlight; ///< taken by the unit that runs (one at a time)
    bool m_scheduled = false; ///< a unit is queued or running
    int m_waiting = 0; ///< entries of m_pending that someone waits for (not written behind)
};

} // namespace paydesk
