#pragma once

#include <QByteArray>
#include <QFuture>
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
class NonceRecorder final
{
public:
    static constexpr int kMaxPerUnit = 1'000; ///< nonces per writer unit (the rest go to the next)
    static constexpr int kRowsPerStatement = 200; ///< rows per INSERT (3 parameters each)
    static constexpr int kMaxPending = 20'000; ///< beyond it record() fails with UNAVAILABLE

    explicit NonceRecorder(DbWriter &writer);
    ~NonceRecorder();

    QFuture<void> record(const QString &keyId, const QByteArray &nonce, qint64 expiresAt);

private:
    struct Pending;
    void submitUnit();
    void finishUnit(const std::exception_ptr &failure, const std::vector<bool> &admitted);

    DbWriter &m_writer;
    std::mutex m_mutex;
    std::vector<std::shared_ptr<Pending>> m_pending; ///< waiting for the next unit
    std::vector<std::shared_ptr<Pending>> m_inFlight; ///< taken by the unit that runs (one at a time)
    bool m_scheduled = false; ///< a unit is queued or running
};

} // namespace paydesk
