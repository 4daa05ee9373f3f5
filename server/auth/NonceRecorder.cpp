#include "server/auth/NonceRecorder.h"

#include "common/protocol/ApiError.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QLoggingCategory>
#include <QPromise>
#include <QSet>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcNonces, "paydesk.auth.nonces")

namespace paydesk {

namespace {

QString failureText(const std::exception_ptr &failure)
{
    if (!failure)
        return u"no answer"_s;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    } catch (...) {
        return u"unknown error"_s;
    }
}

} // namespace

struct NonceRecorder::Pending
{
    QString keyId;
    QString nonce;
    qint64 expiresAt = 0;
    bool behind = false; ///< admitted already (a read): nobody waits for the unit
    QPromise<void> promise;
};

NonceRecorder::NonceRecorder(DbWriter &writer, qint64 guardSpanMs, qint64 guardCapacity)
    : m_writer(writer), m_guard(guardSpanMs, guardCapacity)
{
}

NonceRecorder::~NonceRecorder() = default;

std::shared_ptr<NonceRecorder::Pending> NonceRecorder::makePending(const QString &keyId, const QByteArray &nonce,
                                                                   qint64 expiresAt, bool behind)
{
    auto pending = std::make_shared<Pending>();
    pending->keyId = keyId;
    pending->nonce = QString::fromLatin1(nonce);
    pending->expiresAt = expiresAt;
    pending->behind = behind;
    pending->promise.start();
    return pending;
}

QFuture<void> NonceRecorder::record(const QString &keyId, const QByteArray &nonce, qint64 expiresAt)
{
    std::shared_ptr<Pending> pending = makePending(keyId, nonce, expiresAt, false);
    QFuture<void> future = pending->promise.future();
    enqueue(std::move(pending));
    return future;
}

NonceRecorder::Fast NonceRecorder::admitRead(const QString &keyId, const QByteArray &nonce, qint64 expiresAt,
                                             qint64 now)
{
    switch (m_guard.admit(keyId, nonce, expiresAt, now)) {
    case NonceGuard::Verdict::Replayed:
        throw ApiError(ErrorCode::Replayed, u"This nonce was used already; sign each request anew."_s);
    case NonceGuard::Verdict::Unsure: return Fast::Unsure;
    case NonceGuard::Verdict::Admitted: break;
    }
    if (!enqueue(makePending(keyId, nonce, expiresAt, true)))
        throw ApiError(ErrorCode::Unavailable, u"The server is busy writing; retry shortly."_s);
    return Fast::Admitted;
}

bool NonceRecorder::enqueue(std::shared_ptr<Pending> pending)
{
    bool start = false;
    {
        std::unique_lock lock(m_mutex);
        if (int(m_pending.size()) < kMaxPending) {
            // Someone waits for a unit with a claim in it; reads written behind wait for
            // flushBehind() or for a batch of their own, so that many share each commit.
            const bool due = !pending->behind || int(m_pending.size()) + 1 - m_waiting >= kBehindBatch;
            m_waiting += pending->behind ? 0 : 1;
            m_pending.push_back(pending);
            if (due)
                start = !std::exchange(m_scheduled, true);
            pending.reset();
        }
    }
    const bool accepted = !pending;
    if (pending) {
        pending->promise.setException(
            std::make_exception_ptr(ApiError(ErrorCode::Unavailable, u"The server is busy writing; retry shortly."_s)));
        pending->promise.finish();
    }
    if (start)
        submitUnit(); // outside the lock: a refused submit finishes at once, on this thread
    return accepted;
}

void NonceRecorder::flushBehind()
{
    bool start = false;
    {
        std::unique_lock lock(m_mutex);
        if (!m_pending.empty())
            start = !std::exchange(m_scheduled, true);
    }
    if (start)
        submitUnit();
}

qint64 NonceRecorder::preload(const QSqlDatabase &db, qint64 now)
{
    qint64 count = 0;
    for (const QString &table : {u"read_nonces"_s, u"request_nonces"_s}) {
        QSqlQuery rows
            = sqlStream(db, u"SELECT key_id, nonce, expires_at FROM "_s + table + u" WHERE expires_at > ?"_s, {now});
        // What the guard cannot keep (expiring beyond its span, or once it is full) stays with the
        // database alone: a read with such a nonce is Unsure and asks the database.
        while (rows.next() && !m_guard.isFull()) {
            if (m_guard.admit(rows.value(0).toString(), rows.value(1).toString().toLatin1(), rows.value(2).toLongLong(),
                              now)
                == NonceGuard::Verdict::Admitted)
                ++count;
        }
    }
    return count;
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
            for (const std::shared_ptr<Pending> &pending : m_inFlight)
                m_waiting -= pending->behind ? 0 : 1;
        }
        // Reads admitted already are appended to read_nonces; the others are claimed in
        // request_nonces, and each new row admits one request.
        std::vector<size_t> waiting;
        std::vector<size_t> behind;
        for (size_t i = 0; i < m_inFlight.size(); ++i)
            (m_inFlight[i]->behind ? behind : waiting).push_back(i);
        auto insertRows
            = [this, &db](const std::vector<size_t> &rows, const QString &table, const QString &tail, auto &&onRow) {
                  for (size_t first = 0; first < rows.size(); first += kRowsPerStatement) {
                      const size_t last = std::min(rows.size(), first + size_t(kRowsPerStatement));
                      QString sql = u"INSERT INTO "_s + table + u" (key_id, nonce, expires_at) VALUES "_s;
                      QVariantList binds;
                      binds.reserve(qsizetype(last - first) * 3);
                      for (size_t i = first; i < last; ++i) {
                          const Pending &pending = *m_inFlight[rows[i]];
                          sql += i == first ? u"(?, ?, ?)"_s : u", (?, ?, ?)"_s;
                          binds << pending.keyId << pending.nonce << pending.expiresAt;
                      }
                      QSqlQuery inserted = sqlExec(db, sql + tail, binds);
                      while (!tail.isEmpty() && inserted.next())
                          onRow(inserted);
                  }
              };
        QSet<QString> inserted;
        insertRows(waiting, u"request_nonces"_s, u" ON CONFLICT DO NOTHING RETURNING key_id, nonce"_s,
                   [&inserted](const QSqlQuery &row) {
                       inserted.insert(row.value(0).toString() + u'\n' + row.value(1).toString());
                   });
        insertRows(behind, u"read_nonces"_s, QString(), [](const QSqlQuery &) {});
        // Another request with the same nonce, even in this unit, is a replay.
        std::vector<bool> admitted;
        admitted.reserve(m_inFlight.size());
        for (const std::shared_ptr<Pending> &pending : m_inFlight)
            admitted.push_back(pending->behind || inserted.remove(pending->keyId + u'\n' + pending->nonce));
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
            m_waiting = 0;
        }
        again = m_waiting > 0 || int(m_pending.size()) >= kBehindBatch;
        m_scheduled = again;
    }
    bool loggedFailure = false;
    for (size_t i = 0; i < finished.size(); ++i) {
        Pending &pending = *finished[i];
        if (pending.behind) {
            if (failure && !loggedFailure) {
                qCWarning(lcNonces).noquote()
                    << "the nonces of" << finished.size() << "reads could not be recorded:" << failureText(failure);
                loggedFailure = true;
            }
            pending.promise.finish();
            continue;
        }
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
