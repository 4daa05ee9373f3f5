// The double-entry ledger on both databases: balanced entries only, no balance below zero even
// under concurrency, one entry per business event, and a check that finds tampering.
#include "StoreFixture.h"

#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/ledger/Ledger.h"
#include "server/store/DbWriter.h"
#include "server/store/Migrator.h"
#include "server/store/Sql.h"

#include <QTest>

#include <atomic>
#include <future>
#include <thread>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

class tst_Ledger : public QObject
{
    Q_OBJECT

private:
    StoreFixture m_fixture;
    IdGenerator m_ids{u"JE"_s, 1};

    struct Books
    {
        std::unique_ptr<Database> database;
        std::unique_ptr<DbWriter> writer;
        QString clearing;
        QString merchant;
    };

    Books openBooks()
    {
        Books books;
        books.database = m_fixture.newMigratedDatabase();
        if (!books.database)
            return books;
        books.writer = std::make_unique<DbWriter>(*books.database, nullptr, DbWriter::Options{});
        books.writer->start();
        const auto accounts
            = books.writer
                  ->submit<std::pair<QString, QString>>([](const QSqlDatabase &db) {
                      return std::pair{
                          Ledger::ensureAccount(db, u"platform"_s, u"alipay"_s, u"clearing"_s, u"CNY"_s, true, 1),
                          Ledger::ensureAccount(db, u"merchant"_s, u"M1"_s, u"available"_s, u"CNY"_s, false, 1)};
                  })
                  .result();
        books.clearing = accounts.first;
        books.merchant = accounts.second;
        return books;
    }

    QFuture<Ledger::Posted> post(Books &books, JournalEntry entry)
    {
        IdGenerator &ids = m_ids;
        return books.writer->submit<Ledger::Posted>(
            [&ids, entry](const QSqlDatabase &db) { return Ledger::post(db, ids, entry, 2); });
    }

    static JournalEntry move(const QString &ref, const QString &from, const QString &to, qint64 amount)
    {
        return JournalEntry{u"test.move"_s, u"test"_s, ref, u"moving money"_s, {{from, -amount}, {to, amount}}};
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fixture.setUp(&error), qPrintable(error));
    }

    void balancedEntryMovesBothBalances()
    {
        Books books = openBooks();
        QVERIFY(books.writer);
        const Ledger::Posted posted = post(books, move(u"p1"_s, books.clearing, books.merchant, 1234)).result();
        QVERIFY(posted.created);
        QCOMPARE(Ledger::balance(books.database->threadConnection(), books.merchant), 1234);
        QCOMPARE(Ledger::balance(books.database->threadConnection(), books.clearing), -1234);
        QVERIFY(Ledger::check(books.database->threadConnection()).ok);
    }

    // The writer remembers committed accounts to skip their insert; an account created by a unit
    // that rolled back is not remembered, so the next unit creates it again and can post to it.
    void anAccountCreatedByARolledBackUnitIsCreatedAgain()
    {
        Books books = openBooks();
        QVERIFY(books.writer);
        // The failing unit shares a committed batch with a good one (savepoints): a gate holds the
        // writer until both are queued, so they are taken as one batch.
        auto gate = std::make_shared<std::promise<void>>();
        std::shared_future<void> opened = gate->get_future().share();
        auto held = books.writer->submit<void>([opened](const QSqlDatabase &) { opened.wait(); });
        auto doomed = books.writer->submit<void>([](const QSqlDatabase &db) {
            Ledger::ensureAccount(db, u"user"_s, u"U9"_s, u"available"_s, u"CNY"_s, false, 1);
            throw ApiError(ErrorCode::Conflict, u"rolled back"_s);
        });
        auto good = books.writer->submit<void>([](const QSqlDatabase &db) {
            Ledger::ensureAccount(db, u"user"_s, u"U11"_s, u"available"_s, u"CNY"_s, false, 1);
        });
        gate->set_value();
        held.waitForFinished();
        QVERIFY_THROWS_EXCEPTION(ApiError, doomed.waitForFinished());
        good.waitForFinished();
        // Queued behind a committed batch of its own, then used again.
        IdGenerator &ids = m_ids;
        const QString clearing = books.clearing;
        const auto posted = books.writer->submit<Ledger::Posted>([&ids, clearing](const QSqlDatabase &db) {
            const QString user = Ledger::ensureAccount(db, u"user"_s, u"U9"_s, u"available"_s, u"CNY"_s, false, 2);
            return Ledger::post(db, ids, move(u"r1"_s, clearing, user, 700), 2);
        });
        QVERIFY(posted.result().created);
        QCOMPARE(Ledger::balance(books.database->threadConnection(), u"user:U9:available:CNY"_s), 700);
        const auto facts = books.writer->submit<std::tuple<bool, bool, bool>>([](const QSqlDatabase &) {
            return std::tuple{DbWriter::knows(u"ledger_account:user:U9:available:CNY"_s),
                              DbWriter::knows(u"ledger_account:user:U11:available:CNY"_s),
                              DbWriter::knows(u"ledger_account:user:U10:available:CNY"_s)};
        });
        QCOMPARE(facts.result(), (std::tuple{true, true, false}));
        QVERIFY(!DbWriter::knows(u"ledger_account:user:U9:available:CNY"_s)); // not on this thread
        QVERIFY(Ledger::check(books.database->threadConnection()).ok);
    }

    void theSameEventPostedTwiceIsOneEntry()
    {
        Books books = openBooks();
        QVERIFY(books.writer);
        const auto first = post(books, move(u"order-7"_s, books.clearing, books.merchant, 500)).result();
        const auto again = post(books, move(u"order-7"_s, books.clearing, books.merchant, 500)).result();
        QVERIFY(first.created);
        QVERIFY(!again.created);
        QCOMPARE(again.entryId, first.entryId);
        QCOMPARE(Ledger::balance(books.database->threadConnection(), books.merchant), 500);
    }

    void unbalancedOrEmptyEntriesAreRejected()
    {
        Books books = openBooks();
        QVERIFY(books.writer);
        JournalEntry unbalanced{
            u"test.move"_s, u"test"_s, u"bad1"_s, {}, {{books.clearing, -100}, {books.merchant, 99}}};
        QVERIFY_THROWS_EXCEPTION(ApiError, post(books, unbalanced).waitForFinished());
        JournalEntry single{u"test.move"_s, u"test"_s, u"bad2"_s, {}, {{books.merchant, 100}}};
        QVERIFY_THROWS_EXCEPTION(ApiError, post(books, single).waitForFinished());
        JournalEntry unknown{u"test.move"_s, u"test"_s, u"bad3"_s, {}, {{books.clearing, -1}, {u"nobody"_s, 1}}};
        QVERIFY_THROWS_EXCEPTION(ApiError, post(books, unknown).waitForFinished());
        QSqlQuery count = sqlExec(books.database->threadConnection(), u"SELECT COUNT(*) FROM journal_entries"_s);
        QVERIFY(count.next());
        QCOMPARE(count.value(0).toInt(), 0);
    }

    void debitBelowZeroIsRefusedAndNothingIsHalfWritten()
    {
        Books books = openBooks();
        QVERIFY(books.writer);
        post(books, move(u"fund"_s, books.clearing, books.merchant, 100)).waitForFinished();
        try {
            post(books, move(u"too-much"_s, books.merchant, books.clearing, 101)).waitForFinished();
            QFAIL("a debit below zero was accepted");
        } catch (const ApiError &error) {
            QCOMPARE(error.code(), ErrorCode::InsufficientFunds);
        }
        const QSqlDatabase db = books.database->threadConnection();
        QCOMPARE(Ledger::balance(db, books.merchant), 100);
        QCOMPARE(Ledger::balance(db, books.clearing), -100);
        QVERIFY(Ledger::check(db).ok);
    }

    void hundredConcurrentDebitsAgainstTenCoveredSucceedExactlyTenTimes()
    {
        Books books = openBooks();
        QVERIFY(books.writer);
        post(books, move(u"fund"_s, books.clearing, books.merchant, 10 * 100)).waitForFinished();
        std::atomic<int> succeeded{0};
        std::atomic<int> refused{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                QList<QFuture<Ledger::Posted>> futures;
                for (int i = 0; i < 25; ++i)
                    futures.append(
                        post(books, move(u"debit-%1-%2"_s.arg(t).arg(i), books.merchant, books.clearing, 100)));
                for (auto &future : futures) {
                    try {
                        future.waitForFinished();
                        ++succeeded;
                    } catch (const ApiError &error) {
                        if (error.code() == ErrorCode::InsufficientFunds)
                            ++refused; // anything else counts as neither, and the totals below fail
                    }
                }
            });
        }
        for (auto &thread : threads)
            thread.join();
        QCOMPARE(succeeded.load(), 10);
        QCOMPARE(refused.load(), 90);
        const QSqlDatabase db = books.database->threadConnection();
        QCOMPARE(Ledger::balance(db, books.merchant), 0);
        const Ledger::Check check = Ledger::check(db);
        QVERIFY2(check.ok, qPrintable(check.problems.join(u"; "_s)));
        QCOMPARE(check.entries, 11);
    }

    void checkFindsABalanceThatDisagreesWithItsPostings()
    {
        Books books = openBooks();
        QVERIFY(books.writer);
        post(books, move(u"p1"_s, books.clearing, books.merchant, 700)).waitForFinished();
        const QSqlDatabase db = books.database->threadConnection();
        sqlExec(db, u"UPDATE ledger_accounts SET balance = balance + 1 WHERE id = ?"_s, {books.merchant});
        const Ledger::Check check = Ledger::check(db);
        QVERIFY(!check.ok);
        QVERIFY2(check.problems.join(u' ').contains(books.merchant), qPrintable(check.problems.join(u' ')));
    }
};

QTEST_GUILESS_MAIN(tst_Ledger)
#include "tst_ledger.moc"
