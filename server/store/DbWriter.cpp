#include "server/store/DbWriter.h"

#include "common/protocol/ApiError.h"
#include "common/util/Failpoint.h"
#include "server/http/Metrics.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"

#include <QFile>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSet>
#include <QStringList>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcWriter, "paydesk.store.writer")

namespace paydesk {

struct DbWriter::Facts
{
    static constexpr qsizetype kMaxKnown = 100'000; ///< then forgotten and learnt again
    QSet<QString> known;
    QStringList pendingUnit; ///< learnt by the running unit
    QStringList pendingBatch; ///< learnt by the batch's units that succeeded
};

thread_local DbWriter::Facts *DbWriter::t_facts = nullptr;
thread_local bool DbWriter::t_completing = false;
thread_local bool DbWriter::t_syncThread = false;

bool DbWriter::knows(const QString &fact)
{
    return t_facts && t_facts->known.contains(fact);
}

void DbWriter::learnAfterCommit(const QString &fact)
{
    if (t_facts && t_facts->pendingUnit.size() < 1024)
        t_facts->pendingUnit.append(fact);
}

DbWriter::DbWriter(Database &database, Metrics *metrics, Options options)
    : m_database(database), m_metrics(metrics), m_options(options)
{
}

DbWriter::~DbWriter()
{
    stop();
}

void DbWriter::start()
{
    std::unique_lock lock(m_mutex);
    if (m_running)
        return;
    m_stopping = false;
    const QString path = m_database.config().sqlitePath;
    const bool mayDefer = m_options.syncAside && m_database.isSqlite() && !path.isEmpty() && path != u":memory:"_s
        && !path.startsWith(u"file:"_s);
    m_deferSync = false;
    bool opened = false;
    m_thread.reset(QThread::create([this, &opened, mayDefer] {
        {
            std::unique_lock inner(m_mutex);
            try {
                m_connection = m_database.openConnection(u"writer"_s);
                // Commits go into the log without waiting for the disk; the sync thread flushes
                // the log before any unit completes (see the class comment). Only in WAL mode, and
                // with the log's name as SQLite itself resolved it (a symbolic link, say).
                if (mayDefer) {
                    QSqlQuery mode = sqlExec(m_connection, u"PRAGMA journal_mode"_s);
                    QSqlQuery files = sqlExec(m_connection, u"PRAGMA database_list"_s);
                    QString file;
                    while (files.next()) {
                        if (files.value(1).toString() == u"main"_s)
                            file = files.value(2).toString();
                    }
                    if (mode.next() && mode.value(0).toString().compare(u"wal"_s, Qt::CaseInsensitive) == 0
                        && !file.isEmpty()) {
                        m_logPath = file + u"-wal"_s;
                        m_deferSync = true;
                        sqlExecRaw(m_connection, u"PRAGMA synchronous=NORMAL"_s);
                    }
                }
            } catch (...) {
                m_startError = std::current_exception();
            }
            opened = true;
            m_wake.notify_all();
        }
        if (!m_startError) {
            StatementCache statements(m_connection);
            Facts facts;
            m_statements = &statements;
            t_facts = &facts;
            loop();
            t_facts = nullptr;
            m_statements = nullptr;
        }
        m_connection = QSqlDatabase();
        // Units use OpenSSL (random ids, tokens, encryption); free this thread's OpenSSL state
        // (its random generator) now rather than rely on thread-exit hooks racing process exit.
        OPENSSL_thread_stop();
    }));
    m_thread->setObjectName(u"paydesk-db-writer"_s);
    m_thread->start();
    m_wake.wait(lock, [&] { return opened; });
    if (m_startError) {
        std::exception_ptr error = std::exchange(m_startError, nullptr);
        lock.unlock();
        m_thread->wait();
        m_thread.reset();
        std::rethrow_exception(error);
    }
    {
        std::unique_lock syncLock(m_syncMutex);
        m_syncStopping = false;
        m_tracking = true;
    }
    if (m_deferSync) {
        m_syncThread.reset(QThread::create([this] {
            t_syncThread = true;
            syncLoop();
            OPENSSL_thread_stop(); // completions may run continuations that use OpenSSL
        }));
        m_syncThread->setObjectName(u"paydesk-db-sync"_s);
        m_syncThread->start();
    }
    m_running = true;
}

void DbWriter::stop()
{
    {
        std::unique_lock lock(m_mutex);
        if (!m_running)
            return;
        m_stopping = true;
        m_wake.notify_all();
    }
    m_thread->wait();
    m_thread.reset();
    if (m_syncThread) { // the writer has handed over its last batch: flush and complete it
        {
            std::unique_lock syncLock(m_syncMutex);
            m_syncStopping = true;
            m_syncWake.notify_all();
        }
        m_syncThread->wait();
        m_syncThread.reset();
    }
    {
        std::unique_lock syncLock(m_syncMutex);
        m_tracking = false; // from now on nobody waits for a flush
    }
    markDurable(committedSeq()); // and nobody is left waiting
    std::unique_lock lock(m_mutex);
    m_running = false;
}

QFuture<void> DbWriter::whenDurable(quint64 seq)
{
    if (durableSeq() >= seq)
        return QtFuture::makeReadyFuture();
    std::unique_lock lock(m_syncMutex);
    if (durableSeq() >= seq || !m_tracking)
        return QtFuture::makeReadyFuture();
    auto promise = std::make_shared<QPromise<void>>();
    promise->start();
    m_durableWaiters.emplace_back(seq, promise);
    return promise->future();
}

bool DbWriter::waitDurable(quint64 seq, std::chrono::milliseconds timeout)
{
    Q_ASSERT_X(!t_syncThread, "DbWriter::waitDurable", "only the sync thread flushes: it cannot wait for a flush");
    std::unique_lock lock(m_syncMutex);
    return m_durableWake.wait_for(lock, timeout, [&] { return durableSeq() >= seq || !m_tracking; });
}

void DbWriter::markDurable(quint64 seq)
{
    std::vector<std::shared_ptr<QPromise<void>>> ready;
    {
        std::unique_lock lock(m_syncMutex);
        if (seq > durableSeq())
            m_durable.store(seq, std::memory_order_release);
        // Those still waiting to the front, the ones done to the back, taken in one go.
        const auto done = std::stable_partition(m_durableWaiters.begin(), m_durableWaiters.end(),
                                                [seq](const auto &waiter) { return waiter.first > seq; });
        for (auto it = done; it != m_durableWaiters.end(); ++it)
            ready.push_back(std::move(it->second));
        m_durableWaiters.erase(done, m_durableWaiters.end());
        m_durableWake.notify_all();
    }
    for (const auto &promise : ready)
        promise->finish();
}

bool DbWriter::flushLog()
{
    // The log exists while the writer's connection is open; SQLite removes it only when the last
    // connection closes, after copying it into the database file and flushing that.
    const QByteArray path = QFile::encodeName(m_logPath);
    struct stat byPath = {};
    if (::stat(path.constData(), &byPath) != 0) {
        const int error = errno;
        qCCritical(lcWriter) << "the database log" << path << "is gone:" << qt_error_string(error);
        return false;
    }
    struct stat byFd = {};
    if (m_logFd >= 0
        && (::fstat(m_logFd, &byFd) != 0 || byFd.st_dev != byPath.st_dev || byFd.st_ino != byPath.st_ino)) {
        ::close(m_logFd); // the log was removed and made anew; flush the new one
        m_logFd = -1;
    }
    if (m_logFd < 0)
        m_logFd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (m_logFd < 0 || ::fdatasync(m_logFd) != 0) {
        const int error = errno;
        qCCritical(lcWriter) << "cannot flush the database log" << path << ":" << qt_error_string(error);
        return false;
    }
    return true;
}

void DbWriter::syncLoop()
{
    for (;;) {
        std::deque<Finished> work;
        {
            std::unique_lock lock(m_syncMutex);
            m_syncWake.wait(lock, [this] { return !m_syncQueue.empty() || m_syncStopping; });
            if (m_syncQueue.empty())
                break;
            work.swap(m_syncQueue);
        }
        const quint64 top = work.back().seq;
        if (top > durableSeq() && !flushLog()) { // one flush for every batch committed since the last
            // Committed and visible, but perhaps not on disk, and a later flush might report
            // success for pages the kernel dropped. Like PostgreSQL after a failed fsync: stop, so
            // that nothing more is acknowledged, and let SQLite recover from what is on disk.
            qFatal("paydesk: the database log could not be flushed to disk; stopping so that no write is "
                   "acknowledged that may not be there (see the critical message above)");
        }
        markDurable(top);
        for (Finished &finished : work)
            complete(finished);
    }
    if (m_logFd >= 0)
        ::close(m_logFd);
    m_logFd = -1;
}

int DbWriter::queueDepth() const
{
    std::unique_lock lock(m_mutex);
    return int(m_queue.size());
}

void DbWriter::enqueue(Unit unit)
{
    std::unique_lock lock(m_mutex);
    if (!m_running || m_stopping) {
        lock.unlock();
        unit.fail(std::make_exception_ptr(ApiError(ErrorCode::Unavailable, u"The database writer is not running."_s)));
        return;
    }
    if (int(m_queue.size()) >= m_options.maxQueue) {
        lock.unlock();
        unit.fail(
            std::make_exception_ptr(ApiError(ErrorCode::Unavailable, u"The server is busy writing; retry shortly."_s)));
        return;
    }
    m_queue.push_back(std::move(unit));
    if (m_queue.size() == 1)
        m_wake.notify_one();
}

void DbWriter::loop()
{
    std::deque<Unit> batch;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return !m_queue.empty() || m_stopping; });
            if (m_queue.empty())
                return; // stopping with nothing left
            // Everything that queued up while the previous batch committed goes into this one.
            while (!m_queue.empty() && int(batch.size()) < m_options.maxBatch) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }
        runBatch(batch);
        batch.clear();
    }
}

void DbWriter::runBatch(std::deque<Unit> &batch)
{
    const auto started = std::chrono::steady_clock::now();
    const bool sqlite = m_database.isSqlite();
    std::vector<std::exception_ptr> errors(batch.size());
    try {
        if (!m_connection.isOpen()) {
            if (!m_connection.open())
                throw DatabaseError(u"writer connection lost"_s, m_connection.lastError());
            m_database.configure(m_connection, u"writer"_s); // a new connection has SQLite's defaults
            if (m_deferSync)
                sqlExecRaw(m_connection, u"PRAGMA synchronous=NORMAL"_s);
        }
        sqlExecRaw(m_connection, sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s);
    } catch (...) {
        const std::exception_ptr error = std::current_exception();
        qCWarning(lcWriter) << "cannot begin a transaction; failing" << batch.size() << "units";
        for (Unit &unit : batch)
            unit.fail(error);
        if (m_statements)
            m_statements->clear(); // prepared on the old connection
        m_connection.close(); // reopened on the next batch
        return;
    }
    // A lone unit needs no savepoint: if it fails the whole transaction is rolled back.
    const bool useSavepoints = batch.size() > 1;
    bool anySucceeded = false;
    // SQLite prepares savepoint statements once (through the statement cache); PostgreSQL cannot
    // prepare them, so they go as plain text there.
    const auto transactionControl = [this, sqlite](const QString &sql) {
        if (sqlite)
            sqlExec(m_connection, sql);
        else
            sqlExecRaw(m_connection, sql);
    };
    // A failed unit whose writes could not be undone leaves the transaction holding them: then
    // nothing of the batch may commit, and every unit in it fails.
    bool broken = false;
    for (size_t i = 0; i < batch.size() && !broken; ++i) {
        if (t_facts)
            t_facts->pendingUnit.clear();
        try {
            if (useSavepoints)
                transactionControl(u"SAVEPOINT unit"_s);
            batch[i].run(m_connection);
            if (useSavepoints)
                transactionControl(u"RELEASE SAVEPOINT unit"_s);
            anySucceeded = true;
            if (t_facts)
                t_facts->pendingBatch += t_facts->pendingUnit;
        } catch (...) {
            errors[i] = std::current_exception();
            if (useSavepoints) {
                QSqlQuery undo(m_connection);
                if (!undo.exec(u"ROLLBACK TO SAVEPOINT unit"_s) || !undo.exec(u"RELEASE SAVEPOINT unit"_s)) {
                    qCWarning(lcWriter) << "savepoint rollback failed, rolling back the whole batch of" << batch.size()
                                        << "units:" << undo.lastError().text();
                    broken = true;
                }
            }
            if (useSavepoints)
                releaseFailedStatements();
        }
    }
    if (broken)
        anySucceeded = false; // roll everything back below
    bool committed = false;
    // Numbered before the COMMIT: a reader that sees its rows sees this number too.
    const quint64 seq = anySucceeded ? m_committed.fetch_add(1, std::memory_order_acq_rel) + 1 : committedSeq();
    {
        QSqlQuery end(m_connection);
        if (anySucceeded) {
            // Fault campaign: a crash (or a failed COMMIT) just before the batch commits.
            committed = !failpoint::hit("writer.before_commit") && end.exec(u"COMMIT"_s);
            if (committed && failpoint::hit("writer.after_commit"))
                qCWarning(lcWriter) << "failpoint writer.after_commit"; // kill acts inside hit()
            if (!committed) {
                qCWarning(lcWriter) << "commit failed:" << end.lastError().text();
                QSqlQuery(m_connection).exec(u"ROLLBACK"_s);
            }
        } else {
            end.exec(u"ROLLBACK"_s);
        }
    }
    if (m_statements)
        m_statements->reset();
    releaseFailedStatements();
    if (t_facts) {
        if (committed) {
            if (t_facts->known.size() + t_facts->pendingBatch.size() > Facts::kMaxKnown)
                t_facts->known.clear();
            for (const QString &fact : std::as_const(t_facts->pendingBatch))
                t_facts->known.insert(fact);
        }
        t_facts->pendingUnit.clear();
        t_facts->pendingBatch.clear();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (m_metrics)
        m_metrics->recordDbBatch(int(batch.size()), seconds);
    Finished finished;
    finished.seq = seq;
    finished.units = std::move(batch);
    finished.errors = std::move(errors);
    if (!committed && anySucceeded)
        finished.batchError
            = std::make_exception_ptr(ApiError(ErrorCode::Unavailable, u"The database did not commit; retry."_s));
    if (broken)
        finished.batchError = std::make_exception_ptr(ApiError(
            ErrorCode::Unavailable, u"The database could not undo a failed write; nothing was saved. Retry."_s));
    if (!m_deferSync) {
        markDurable(finished.seq); // a COMMIT returns once durable
        complete(finished);
        return;
    }
    // Even a failure waits: it may tell of rows committed before and not yet on disk.
    std::unique_lock lock(m_syncMutex);
    m_syncQueue.push_back(std::move(finished));
    if (m_syncQueue.size() == 1)
        m_syncWake.notify_one();
}

void DbWriter::complete(Finished &finished)
{
    t_completing = true;
    const auto done = qScopeGuard([] { t_completing = false; });
    for (size_t i = 0; i < finished.units.size(); ++i) {
        Unit &unit = finished.units[i];
        if (finished.errors[i])
            unit.fail(finished.errors[i]);
        else if (finished.batchError)
            unit.fail(finished.batchError);
        else
            unit.succeed();
    }
}

} // namespace paydesk
