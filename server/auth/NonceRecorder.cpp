#include "server/auth/NonceRecorder.h"

#include "common/protocol/ApiError.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QPromise>
#include <QSet>

using namespace Qt::StringLiterals;

namespace paydesk {

struct NonceRecorder::Pending
{
    QString keyId;
    QString nonce;
    qint64 expiresAt = 0;
    QPromise<void> promise;
};

NonceRecorder::NonceRecorder(DbWriter &writer) : m_writer(writer) {}

NonceRecorder::~NonceRecorder() = default;

QFuture<void> NonceRecorder::record(const QString &keyId, const QByteArray &nonce, qint64 expiresAt)
{
    auto pending = std::make_shared<Pending>();
    pending->keyId = keyId;
    pending->nonce = QString::fromLatin1(nonce);
    pending->expiresAt = expiresAt;
    QFuture<void> future = pending->promise.future();
    pending->promise.start();
    bool start = false;
    {
        std::unique_lock lock(m_mutex);
        if (int(m_pending.size()) < kMaxPending) {
            m_pending.push_back(pending);
            start = !std::exchange(m_scheduled, true);
            pending.reset();
        }
    }
    if (pending) {
        pending->promise.setException(
            std::make_exception_ptr(ApiError(ErrorCode::Unavailable, u"The server is busy writing; retry shortly."_s)));
        pending->promise.finish();
    }
    if (start)
        submitUnit(); // outside the lock: a refused submit finishes at once, on this thread
    return future;
}

void NonceRecorder::submitUnit()
{
    // The unit takes what is pending when it runs, not when it was queued: everything that
    // arrived meanwhile shares it.
    QFuture<std::vector<bool>> unit = m_writer.submit<std::vector<bool>>([this](const QSqlDatabase &db) {
        {
            std::unique_lock lock(m_mutex);
            const qsizetype count = std::min<qsizetype>(qsizetype(m_pending.size()), kMaxPerUnit);
            m_inFlight.assign(std::make_move_iterator(m_pending.begin()),
                              std::make_move_iterator(m_pending.begin() + count));
            m_pending.erase(m_pending.begin(), m_pending.begin() + count);
        }
        QSet<QString> inserted;
        for (size_t first = 0; first < m_inFlight.size(); first += kRowsPerStatement) {
            const size_t last = std::min(m_inFlight.size(), first + size_t(kRowsPerStatement));
            QString sql = u"INSERT INTO request_nonces (key_id, nonce, expires_at) VALUES "_s;
            QVariantList binds;
            binds.reserve(qsizetype(last - first) * 3);
            for (size_t i = first; i < last; ++i) {
                sql += i == first ? u"(?, ?, ?)"_s : u", (?, ?, ?)"_s;
                binds << m_inFlight[i]->keyId << m_inFlight[i]->nonce << m_inFlight[i]->expiresAt;
            }
            sql += u" ON CONFLICT DO NOTHING RETURNING key_id, nonce"_s;
            QSqlQuery rows = sqlExec(db, sql, binds);
            while (rows.next())
                inserted.insert(rows.value(0).toString() + u'\n' + rows.value(1).toString());
        }
        // Each new row admits one request; another with the same nonce, even in this unit, is a replay.
        std::vector<bool> admitted;
        admitted.reserve(m_inFlight.size());
        for (const std::shared_ptr<Pending> &pending : m_inFlight)
            admitted.push_back(inserted.remove(pending->keyId + u'\n' + pending->nonce));
        return admitted;
    });
    unit.then(QtFuture::Launch::Sync, [this](QFuture<std::vector<bool>> done) {
        std::vector<bool> admitted;
        std::exception_ptr failure;
        try {
            admitted = done.result();
        } catch (...) {
            failure = std::current_exception();
        }
        finishUnit(failure, admitted);
    });
}

void NonceRecorder::finishUnit(const std::exception_ptr &failure, const std::vector<bool> &admitted)
{
    std::vector<std::shared_ptr<Pending>> finished;
    bool again = false;
    {
        std::unique_lock lock(m_mutex);
        finished.swap(m_inFlight);
        if (failure && finished.empty()) {
            // The writer refused the unit before running it (stopping, queue full): what waits
            // would only be refused again.
            finished.swap(m_pending);
        }
        again = !m_pending.empty();
        m_scheduled = again;
    }
    for (size_t i = 0; i < finished.size(); ++i) {
        Pending &pending = *finished[i];
        if (failure)
            pending.promise.setException(failure);
        else if (i >= admitted.size() || !admitted[i])
            pending.promise.setException(std::make_exception_ptr(
                ApiError(ErrorCode::Replayed, u"This nonce was used already; sign each request anew."_s)));
        pending.promise.finish();
    }
    if (again)
        submitUnit();
}

} // namespace paydesk
