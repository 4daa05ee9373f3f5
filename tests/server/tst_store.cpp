// Storage on both backends: migrations and the group-commit writer.
#include "StoreFixture.h"

#include "common/protocol/ApiError.h"
#include "server/http/Metrics.h"
#include "server/store/DbWriter.h"
#include "server/store/Migrator.h"
#include "server/store/Sql.h"

#include <QFuture>
#include <QScopeGuard>
#include <QSemaphore>
#include <QTest>

#include <thread>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

/// Occupies the writer with a unit that waits until release(), so that units submitted
/// meanwhile queue up and are committed together: batching without timing guesses.
struct WriterHold
{
    explicit WriterHold(DbWriter &writer)
    {
        finished = writer.submit<void>([this](const QSqlDatabase &) {
            m_entered.release();
            m_gate.acquire();
        });
    }
    bool isHolding() { return m_entered.tryAcquire(1, 10'000); }
    void release() { m_gate.release(); }

    QFuture<void> finished;

private:
    QSemaphore m_entered;
    QSemaphore m_gate;
};

} // namespace

class tst_Store : public QObject
{
    Q_OBJECT

private:
    StoreFixture m_fixture;

    static qint64 countRows(Database &database, const QString &table)
    {
        QSqlQuery query = sqlExec(database.threadConnection(), u"SELECT COUNT(*) FROM "_s + table);
        return query.next() ? query.value(0).toLongLong() : -1;
    }

    std::unique_ptr<Database> migratedDatabase()
    {
        auto database = m_fixture.newMigratedDatabase();
        if (database)
            sqlExecRaw(database->threadConnection(),
                       u"CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)"_s);
        return database;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fixture.setUp(&error), qPrintable(error));
    }

    void migrationsApplyToAnEmptyDatabaseOnce()
    {
        QString error;
        auto database = m_fixture.newDatabase(&error);
        QVERIFY2(database, qPrintable(error));
        const QSqlDatabase db = database->threadConnection();
        QCOMPARE(Migrator::currentVersion(db), 0);
        const auto first = Migrator::migrate(db, database->isSqlite());
        const int known = Migrator::available(database->isSqlite()).constLast().version;
        QCOMPARE(first.fromVersion, 0);
        QCOMPARE(first.toVersion, known);
        QCOMPARE(first.applied.size(), known);
        QVERIFY(db.tables().contains(u"settings"_s));
        const auto second = Migrator::migrate(db, database->isSqlite());
        QVERIFY(second.applied.isEmpty());
        QCOMPARE(second.toVersion, known);
        QCOMPARE(countRows(*database, u"schema_migrations"_s), qint64(known));
    }

    void bothDialectsHaveTheSameMigrations()
    {
        const auto sqlite = Migrator::available(true);
        const auto postgres = Migrator::available(false);
        QCOMPARE(sqlite.size(), postgres.size());
        for (qsizetype i = 0; i < sqlite.size(); ++i)
            QCOMPARE(sqlite.at(i).name, postgres.at(i).name);
    }

    void refusesADatabaseWithANewerSchema()
    {
        QString error;
        auto database = m_fixture.newDatabase(&error);
        QVERIFY(database);
        const QSqlDatabase db = database->threadConnection();
        Migrator::migrate(db, database->isSqlite());
        sqlExec(
            db,
            u"INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', 'now')"_s);
        try {
            Migrator::migrate(db, database->isSqlite());
            QFAIL("a newer schema was accepted");
        } catch (const MigrationError &e) {
            QVERIFY2(QByteArray(e.what()).contains("version 999"), e.what());
        }
    }

    void refusesAnAlteredMigration()
    {
        QString error;
        auto database = m_fixture.newDatabase(&error);
        QVERIFY(database);
        const QSqlDatabase db = database->threadConnection();
        Migrator::migrate(db, database->isSqlite());
        sqlExec(db, u"UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"_s);
        QVERIFY_THROWS_EXCEPTION(MigrationError, Migrator::migrate(db, database->isSqlite()));
    }

    void statementSplitterKeepsMultiLineStatements()
    {
        const QStringList statements
            = Migrator::splitStatements("-- comment\nCREATE TABLE a (\n  x INTEGER\n);\n\nINSERT INTO a VALUES (1);\n");
        QCOMPARE(statements.size(), 2);
        QVERIFY(statements.at(0).startsWith(u"CREATE TABLE a"_s));
    }

    void unitsCompleteOnlyOnceTheirBatchIsOnDisk()
    {
        auto database = migratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        QCOMPARE(writer.durableSeq(), writer.committedSeq());
        WriterHold hold(writer); // what is submitted now queues up behind it
        const auto releaseOnFailure = qScopeGuard([&hold] { hold.release(); });
        QVERIFY(hold.isHolding());
        // A flush not yet made: the batch after the one holding the writer.
        const quint64 next = writer.committedSeq() + 2;
        QFuture<void> flushed = writer.whenDurable(next);
        QVERIFY(!flushed.isFinished());
        struct Seen
        {
            quint64 durable = 0;
            quint64 committed = 0;
            bool completing = false;
        };
        QFuture<Seen> seen
            = writer
                  .submit<int>([](const QSqlDatabase &db) {
                      sqlExec(db, u"INSERT INTO items (id, label) VALUES (1, 'kept')"_s);
                      return 1;
                  })
                  .then(QtFuture::Launch::Sync, [&writer](int) {
                      return Seen{writer.durableSeq(), writer.committedSeq(), DbWriter::completingDurably()};
                  });
        QVERIFY(!seen.isFinished());
        hold.release();
        QTRY_VERIFY_WITH_TIMEOUT(flushed.isFinished(), 10'000);
        const Seen at = seen.result();
        // Completed from the flush of its own batch: everything up to it was on disk by then.
        QVERIFY2(at.durable >= next, qPrintable(u"durable %1, expected at least %2"_s.arg(at.durable).arg(next)));
        QVERIFY(at.completing);
        QVERIFY(!DbWriter::completingDurably()); // only during a completion
        QVERIFY(writer.waitDurable(writer.committedSeq(), std::chrono::seconds(10)));
        QVERIFY(writer.whenDurable(writer.committedSeq()).isFinished());
        QCOMPARE(countRows(*database, u"items"_s), qint64(1));
        writer.stop();
        // Nothing waits on a stopped writer.
        QVERIFY(writer.whenDurable(writer.committedSeq() + 1).isFinished());
    }

    void sqliteWriterLeavesTheFlushToItsSyncThread()
    {
        auto database = migratedDatabase();
        QVERIFY(database);
        if (!database->isSqlite())
            QSKIP("PostgreSQL commits are durable when COMMIT returns");
        const auto synchronousMode = [&](bool syncAside) {
            DbWriter::Options options;
            options.syncAside = syncAside;
            DbWriter writer(*database, nullptr, options);
            writer.start();
            return writer
                .submit<int>([](const QSqlDatabase &db) {
                    QSqlQuery mode = sqlExec(db, u"PRAGMA synchronous"_s);
                    return mode.next() ? mode.value(0).toInt() : -1;
                })
                .result();
        };
        QCOMPARE(synchronousMode(true), 1); // NORMAL: the sync thread flushes the log
        QCOMPARE(synchronousMode(false), 2); // FULL: each COMMIT flushes it
    }

    void writerCommitsQueuedUnitsTogether()
    {
        auto database = migratedDatabase();
        QVERIFY(database);
        Metrics metrics;
        DbWriter writer(*database, &metrics, {256, 10'000});
        writer.start();
        // Hold the writer in a first unit so the next 500 queue up behind it.
        WriterHold hold(writer); // what is submitted now queues up behind it
        QVERIFY(hold.isHolding());
        QList<QFuture<int>> futures;
        for (int i = 0; i < 500; ++i) {
            futures.append(writer.submit<int>([i](const QSqlDatabase &db) {
                sqlExec(db, u"INSERT INTO items (id, label) VALUES (?, ?)"_s, {i, u"item %1"_s.arg(i)});
                return i;
            }));
        }
        hold.release();
        for (int i = 0; i < futures.size(); ++i)
            QCOMPARE(futures[i].result(), i);
        hold.finished.waitForFinished();
        QCOMPARE(countRows(*database, u"items"_s), qint64(500));
        // 1 blocker batch + 500 units in batches of at most 256 → exactly 3 transactions.
        QVERIFY2(metrics.render().contains("paydesk_db_batch_units_count 3"), metrics.render().constData());
    }

    void failingUnitRollsBackAloneInsideABatch()
    {
        auto database = migratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        WriterHold hold(writer); // what is submitted now queues up behind it
        QVERIFY(hold.isHolding());
        auto before = writer.submit<void>(
            [](const QSqlDatabase &db) { sqlExec(db, u"INSERT INTO items (id, label) VALUES (1, 'before')"_s); });
        auto failing = writer.submit<void>([](const QSqlDatabase &db) {
            sqlExec(db, u"INSERT INTO items (id, label) VALUES (2, 'half-written')"_s);
            throw ApiError(ErrorCode::InsufficientFunds, u"not enough"_s);
        });
        auto duplicate = writer.submit<void>(
            [](const QSqlDatabase &db) { sqlExec(db, u"INSERT INTO items (id, label) VALUES (1, 'duplicate')"_s); });
        auto after = writer.submit<void>(
            [](const QSqlDatabase &db) { sqlExec(db, u"INSERT INTO items (id, label) VALUES (3, 'after')"_s); });
        hold.release();
        before.waitForFinished();
        after.waitForFinished();
        try {
            failing.waitForFinished();
            QFAIL("the failing unit reported success");
        } catch (const ApiError &error) {
            QCOMPARE(error.code(), ErrorCode::InsufficientFunds);
        }
        try {
            duplicate.waitForFinished();
            QFAIL("the duplicate insert reported success");
        } catch (const DatabaseError &error) {
            QVERIFY(error.isUniqueViolation());
        }
        hold.finished.waitForFinished();
        QSqlQuery query = sqlExec(database->threadConnection(), u"SELECT id, label FROM items ORDER BY id"_s);
        QStringList rows;
        while (query.next())
            rows << query.value(0).toString() + u':' + query.value(1).toString();
        QCOMPARE(rows, (QStringList{u"1:before"_s, u"3:after"_s}));
    }

    void failedUndoRollsBackTheWholeBatch()
    {
        // A unit whose writes cannot be undone (here: it released the writer's savepoint itself,
        // so ROLLBACK TO SAVEPOINT fails) must not have them committed while its caller hears
        // "failed": the whole batch rolls back and every unit in it fails.
        auto database = migratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        WriterHold hold(writer); // what is submitted now queues up behind it
        QVERIFY(hold.isHolding());
        auto before = writer.submit<void>(
            [](const QSqlDatabase &db) { sqlExec(db, u"INSERT INTO items (id, label) VALUES (1, 'before')"_s); });
        auto saboteur = writer.submit<void>([](const QSqlDatabase &db) {
            sqlExec(db, u"INSERT INTO items (id, label) VALUES (2, 'half-written')"_s);
            sqlExecRaw(db, u"RELEASE SAVEPOINT unit"_s);
            throw ApiError(ErrorCode::InsufficientFunds, u"not enough"_s);
        });
        auto after = writer.submit<void>(
            [](const QSqlDatabase &db) { sqlExec(db, u"INSERT INTO items (id, label) VALUES (3, 'after')"_s); });
        hold.release();
        const auto failsWith = [](QFuture<void> &future, ErrorCode code) {
            try {
                future.waitForFinished();
            } catch (const ApiError &error) {
                return error.code() == code;
            }
            return false;
        };
        QVERIFY(failsWith(saboteur, ErrorCode::InsufficientFunds));
        QVERIFY2(failsWith(before, ErrorCode::Unavailable), "a unit of the broken batch reported success");
        QVERIFY2(failsWith(after, ErrorCode::Unavailable), "a unit of the broken batch reported success");
        hold.finished.waitForFinished();
        QCOMPARE(countRows(*database, u"items"_s), qint64(0));
        // The writer goes on: the next unit commits.
        writer
            .submit<void>(
                [](const QSqlDatabase &db) { sqlExec(db, u"INSERT INTO items (id, label) VALUES (4, 'next')"_s); })
            .waitForFinished();
        QCOMPARE(countRows(*database, u"items"_s), qint64(1));
    }

    void concurrentSubmittersAllCommitExactlyOnce()
    {
        auto database = migratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {64, 100'000});
        writer.start();
        constexpr int threads = 4;
        constexpr int perThread = 250;
        std::vector<std::thread> submitters;
        std::vector<QList<QFuture<void>>> futures(threads);
        for (int t = 0; t < threads; ++t) {
            submitters.emplace_back([&, t] {
                for (int i = 0; i < perThread; ++i) {
                    const int id = t * perThread + i;
                    futures[t].append(writer.submit<void>([id](const QSqlDatabase &db) {
                        sqlExec(db, u"INSERT INTO items (id, label) VALUES (?, 'x')"_s, {id});
                    }));
                }
            });
        }
        for (auto &thread : submitters)
            thread.join();
        for (auto &list : futures)
            for (auto &future : list)
                future.waitForFinished();
        QCOMPARE(countRows(*database, u"items"_s), qint64(threads * perThread));
    }

    void stopCommitsEverythingQueued()
    {
        auto database = migratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        QList<QFuture<void>> futures;
        for (int i = 0; i < 200; ++i) {
            futures.append(writer.submit<void>(
                [i](const QSqlDatabase &db) { sqlExec(db, u"INSERT INTO items (id, label) VALUES (?, 'x')"_s, {i}); }));
        }
        writer.stop();
        for (auto &future : futures)
            QVERIFY(future.isFinished());
        QCOMPARE(countRows(*database, u"items"_s), qint64(200));
        // After stop, new work is refused cleanly instead of being lost silently.
        auto late = writer.submit<void>([](const QSqlDatabase &) {});
        QVERIFY_THROWS_EXCEPTION(ApiError, late.waitForFinished());
    }

    void queueLimitRefusesExcessWork()
    {
        auto database = migratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {16, 5});
        writer.start();
        WriterHold hold(writer); // what is submitted now queues up behind it
        QVERIFY(hold.isHolding());
        QList<QFuture<void>> queued;
        for (int i = 0; i < 5; ++i)
            queued.append(writer.submit<void>([](const QSqlDatabase &) {}));
        auto refused = writer.submit<void>([](const QSqlDatabase &) {});
        try {
            refused.waitForFinished();
            QFAIL("work beyond the queue limit was accepted");
        } catch (const ApiError &error) {
            QCOMPARE(error.code(), ErrorCode::Unavailable);
        }
        hold.release();
        for (auto &future : queued)
            future.waitForFinished();
        hold.finished.waitForFinished();
    }

    void readScopesKeepStatementsPreparedButNoSnapshot()
    {
        auto database = migratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {256, 10'000});
        writer.start();
        const QString count = u"SELECT COUNT(*) FROM items WHERE label <> ?"_s;
        const auto insert = [&writer](int id) {
            writer
                .submit<void>([id](const QSqlDatabase &db) {
                    sqlExec(db, u"INSERT INTO items (id, label) VALUES (?, ?)"_s, {id, u"item"_s});
                })
                .waitForFinished();
        };
        const auto read = [&] {
            QSqlQuery rows = sqlExec(database->threadConnection(), count, {u"-"_s});
            return rows.next() ? rows.value(0).toLongLong() : -1; // the statement is left mid-result
        };
        // Another statement: on SQLite it would run inside the read transaction a statement left
        // mid-result still holds, and see the data as it was then.
        const auto readOther = [&] {
            QSqlQuery rows = sqlExec(database->threadConnection(), u"SELECT COUNT(*) FROM items WHERE id > ?"_s, {0});
            return rows.next() ? rows.value(0).toLongLong() : -1;
        };
        QCOMPARE(StatementCache::current(), nullptr);
        {
            Database::ReadScope scope(*database);
            QVERIFY(StatementCache::current() != nullptr);
            QCOMPARE(read(), qint64(0));
            // The same statement again inside the scope: the prepared one, a fresh execution.
            QCOMPARE(read(), qint64(0));
        }
        QCOMPARE(StatementCache::current(), nullptr); // only inside a scope
        insert(1);
        {
            // The statement the last scope left mid-result was reset when it ended: another
            // statement sees the commit made since.
            Database::ReadScope scope(*database);
            QCOMPARE(readOther(), qint64(1));
            QCOMPARE(read(), qint64(1));
            {
                Database::ReadScope nested(*database); // nested: the outer scope's cache stays
                QCOMPARE(read(), qint64(1));
            }
            QVERIFY(StatementCache::current() != nullptr);
        }
        insert(2);
        {
            Database::ReadScope scope(*database);
            QCOMPARE(readOther(), qint64(2));
        }
        writer.stop();
        // Closing with prepared reader statements alive drops them first (no driver crash).
        {
            Database::ReadScope scope(*database);
            QCOMPARE(read(), qint64(2));
        }
        database->closeAll();
    }

    void sqliteConnectionsUseWalAndFullSync()
    {
        if (m_fixture.isPostgres())
            QSKIP("SQLite settings");
        QString error;
        auto database = m_fixture.newDatabase(&error);
        QVERIFY(database);
        const QSqlDatabase db = database->threadConnection();
        QSqlQuery mode = sqlExec(db, u"PRAGMA journal_mode"_s);
        QVERIFY(mode.next());
        QCOMPARE(mode.value(0).toString().toLower(), u"wal"_s);
        QSqlQuery sync = sqlExec(db, u"PRAGMA synchronous"_s);
        QVERIFY(sync.next());
        QCOMPARE(sync.value(0).toInt(), 2); // FULL
    }

    void databaseUrlsAreParsedStrictly()
    {
        QString error;
        auto pg
            = DatabaseConfig::parse(u"postgresql://u:p%40ss@db.example:6543/pay?sslmode=require"_s, u"/d"_s, &error);
        QVERIFY(pg);
        QCOMPARE(pg->host, u"db.example"_s);
        QCOMPARE(pg->port, 6543);
        QCOMPARE(pg->password, u"p@ss"_s);
        QCOMPARE(pg->database, u"pay"_s);
        QVERIFY(!pg->displayName().contains(u"p@ss"_s));
        QVERIFY(!DatabaseConfig::parse(u"postgresql://u@h/pay?evil=1"_s, u"/d"_s, &error));
        QVERIFY(!DatabaseConfig::parse(u"mysql://u@h/pay"_s, u"/d"_s, &error));
        auto sqlite = DatabaseConfig::parse(u"pay.sqlite3"_s, u"/data"_s, &error);
        QVERIFY(sqlite);
        QCOMPARE(sqlite->sqlitePath, u"/data/pay.sqlite3"_s);
    }
};

QTEST_GUILESS_MAIN(tst_Store)
#include "tst_store.moc"
