#include "server/store/DbWriter.h"

#include "common/protocol/ApiError.h"
#include "server/http/Metrics.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"

#include <QLoggingCategory>
#include <QSet>
#include <QStringList>

#include <chrono>

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
    bool opened = false;
    m_thread.reset(QThread::create([this, &opened] {
        {
            std::unique_lock inner(m_mutex);
            try {
                m_connection = m_database.openConnection(u"writer"_s);
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
    std::unique_lock lock(m_mutex);
    m_running = false;
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
        if (!m_connection.isOpen() && !m_connection.open())
            throw DatabaseError(u"writer connection lost"_s, m_connection.lastError());
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
    for (size_t i = 0; i < batch.size(); ++i) {
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
                if (!undo.exec(u"ROLLBACK TO SAVEPOINT unit"_s) || !undo.exec(u"RELEASE SAVEPOINT unit"_s))
                    qCWarning(lcWriter) << "savepoint rollback failed:" << undo.lastError().text();
            }
            if (useSavepoints)
                releaseFailedStatements();
        }
    }
    bool committed = false;
    {
        QSqlQuery end(m_connection);
        if (anySucceeded) {
            committed = end.exec(u"COMMIT"_s);
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
    const std::exception_ptr commitError = committed || !anySucceeded
        ? nullptr
        : std::make_exception_ptr(ApiError(ErrorCode::Unavailable, u"The database did not commit; retry."_s));
    for (size_t i = 0; i < batch.size(); ++i) {
        if (errors[i])
            batch[i].fail(errors[i]);
        else if (commitError)
            batch[i].fail(commitError);
        else
            batch[i].succeed();
    }
}

} // namespace paydesk
