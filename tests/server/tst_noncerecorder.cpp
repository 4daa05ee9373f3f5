// Nonces of signed requests, recorded many per writer unit, on both databases: each nonce admits
// one request, whether its twin arrives in the same unit or later; what is admitted is durable.
// Reads go through the process's NonceGuard first and are written behind; a new recorder (a
// restarted server) remembers them from the database.
#include "StoreFixture.h"

#include "common/protocol/ApiError.h"
#include "server/auth/NonceGuard.h"
#include "server/auth/NonceRecorder.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QTest>

#include <future>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

class tst_NonceRecorder : public QObject
{
    Q_OBJECT

    StoreFixture m_fixture;
    static constexpr qint64 kSpanMs = 400'000;
    static constexpr qint64 kCapacity = 10'000;
    static constexpr qint64 kNow = 1'800'000'000'000;

    static qint64 count(Database &database, const QString &table)
    {
        QSqlQuery rows = sqlExec(database.threadConnection(), u"SELECT COUNT(*) FROM "_s + table);
        return rows.next() ? rows.value(0).toLongLong() : -1;
    }

    static bool admitted(QFuture<void> future)
    {
        try {
            future.waitForFinished();
            return true;
        } catch (const ApiError &error) {
            if (error.code() != ErrorCode::Replayed)
                throw; // not the refusal the tests expect: fails the test
            return false;
        }
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fixture.setUp(&error), qPrintable(error));
    }

    void eachNonceAdmitsOneRequestInOneUnitAndLater()
    {
        std::unique_ptr<Database> database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, DbWriter::Options{});
        writer.start();
        NonceRecorder nonces(writer, kSpanMs, kCapacity);

        // Hold the writer so that everything below is pending at once and shares units: 1,500
        // distinct nonces (more than one unit takes), and three copies of one of them.
        auto gate = std::make_shared<std::promise<void>>();
        std::shared_future<void> opened = gate->get_future().share();
        QFuture<void> held = writer.submit<void>([opened](const QSqlDatabase &) { opened.wait(); });
        QList<QFuture<void>> distinct;
        for (int i = 0; i < 1'500; ++i)
            distinct.append(nonces.record(u"AK1"_s, "nonce-"_ba + QByteArray::number(i), 4'000'000'000'000));
        QList<QFuture<void>> twins;
        for (int i = 0; i < 3; ++i)
            twins.append(nonces.record(u"AK1"_s, "twin-nonce-0001", 4'000'000'000'000));
        // The same nonce under another key is another nonce.
        QFuture<void> otherKey = nonces.record(u"AK2"_s, "twin-nonce-0001", 4'000'000'000'000);
        gate->set_value();
        held.waitForFinished();

        int admittedDistinct = 0;
        for (const QFuture<void> &future : distinct)
            admittedDistinct += admitted(future) ? 1 : 0;
        QCOMPARE(admittedDistinct, 1'500);
        int admittedTwins = 0;
        for (const QFuture<void> &future : twins)
            admittedTwins += admitted(future) ? 1 : 0;
        QCOMPARE(admittedTwins, 1);
        QVERIFY(admitted(otherKey));

        // Later, in a unit of its own: still a replay.
        QVERIFY(!admitted(nonces.record(u"AK1"_s, "nonce-7", 4'000'000'000'000)));
        QVERIFY(admitted(nonces.record(u"AK1"_s, "nonce-new", 4'000'000'000'000)));

        writer.stop();
        QSqlQuery rows = sqlExec(database->threadConnection(), u"SELECT COUNT(*) FROM request_nonces"_s);
        QVERIFY(rows.next());
        QCOMPARE(rows.value(0).toLongLong(), 1'500 + 1 + 1 + 1);
    }

    void readsAreJudgedInMemoryWrittenBehindAndRememberedAfterARestart()
    {
        std::unique_ptr<Database> database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, DbWriter::Options{});
        writer.start();
        const qint64 expires = kNow + 360'000;
        {
            NonceRecorder nonces(writer, kSpanMs, kCapacity);
            QCOMPARE(nonces.admitRead(u"AK1"_s, "read-nonce-1", expires, kNow), NonceRecorder::Fast::Admitted);
            QCOMPARE(nonces.admitRead(u"AK2"_s, "read-nonce-1", expires, kNow), NonceRecorder::Fast::Admitted);
            // The same signed read again: refused at once, before anything is written.
            QVERIFY_THROWS_EXCEPTION(ApiError, nonces.admitRead(u"AK1"_s, "read-nonce-1", expires, kNow + 5));
            try {
                nonces.admitRead(u"AK1"_s, "read-nonce-1", expires, kNow + 5);
                QFAIL("a replayed read was admitted");
            } catch (const ApiError &error) {
                QCOMPARE(error.code(), ErrorCode::Replayed);
            }
            // Written behind: nothing waits, the rows land with the next flush.
            nonces.flushBehind();
            QTRY_COMPARE_WITH_TIMEOUT(count(*database, u"read_nonces"_s), 2, 10'000);
            QCOMPARE(count(*database, u"request_nonces"_s), 0);

            // A read whose expiry lies beyond what the guard keeps is left to the database.
            QCOMPARE(nonces.admitRead(u"AK1"_s, "far-future", kNow + 3 * kSpanMs, kNow), NonceRecorder::Fast::Unsure);
            QVERIFY(admitted(nonces.record(u"AK1"_s, "far-future", kNow + 3 * kSpanMs)));
        }
        {
            // A restart: the guard is filled from both tables, so the reads stay single-use.
            NonceRecorder restarted(writer, kSpanMs, kCapacity);
            QCOMPARE(restarted.preload(database->threadConnection(), kNow + 10), 2); // not far-future
            QVERIFY_THROWS_EXCEPTION(ApiError, restarted.admitRead(u"AK1"_s, "read-nonce-1", expires, kNow + 20));
            QVERIFY_THROWS_EXCEPTION(ApiError, restarted.admitRead(u"AK2"_s, "read-nonce-1", expires, kNow + 20));
            QCOMPARE(restarted.admitRead(u"AK1"_s, "read-nonce-2", expires, kNow + 20), NonceRecorder::Fast::Admitted);
            // The one the guard cannot keep is still single-use: the database refuses it.
            QCOMPARE(restarted.admitRead(u"AK1"_s, "far-future", kNow + 3 * kSpanMs, kNow + 20),
                     NonceRecorder::Fast::Unsure);
            QVERIFY(!admitted(restarted.record(u"AK1"_s, "far-future", kNow + 3 * kSpanMs)));
            // Expired ones are not loaded.
            NonceRecorder later(writer, kSpanMs, kCapacity);
            QCOMPARE(later.preload(database->threadConnection(), expires + 1), 0);
        }
        writer.stop();
    }

    void theGuardForgetsOnlyWhatExpiredAndDefersWhenFull()
    {
        NonceGuard guard(1'000, 1'024); // 1 s generations, 1,024 entries each
        QCOMPARE(guard.admit(u"K"_s, "a", kNow + 900, kNow), NonceGuard::Verdict::Admitted);
        // Kept through the next generation: a replay 1.5 s later is still refused.
        QCOMPARE(guard.admit(u"K"_s, "b", kNow + 1'400 + 900, kNow + 1'400), NonceGuard::Verdict::Admitted);
        QCOMPARE(guard.admit(u"K"_s, "a", kNow + 900, kNow + 1'500), NonceGuard::Verdict::Replayed);
        // Once the generation after next has begun, "a" (long expired) is forgotten; "b", from the
        // generation before it, is still known.
        QCOMPARE(guard.admit(u"K"_s, "b", kNow + 2'300, kNow + 2'500), NonceGuard::Verdict::Replayed);
        QCOMPARE(guard.admit(u"K"_s, "a", kNow + 2'500 + 900, kNow + 2'500), NonceGuard::Verdict::Admitted);
        // Full: the rest is Unsure (the database decides), never a wrong answer.
        int admittedCount = 0;
        int unsure = 0;
        for (int i = 0; i < 1'100; ++i) {
            const NonceGuard::Verdict verdict
                = guard.admit(u"K"_s, "fill-"_ba + QByteArray::number(i), kNow + 3'000, kNow + 2'500);
            admittedCount += verdict == NonceGuard::Verdict::Admitted ? 1 : 0;
            unsure += verdict == NonceGuard::Verdict::Unsure ? 1 : 0;
        }
        QCOMPARE(admittedCount + unsure, 1'100);
        QVERIFY(unsure > 0);
        QVERIFY(guard.size() <= 2 * guard.capacity());
    }

    void aStoppedWriterRefusesInsteadOfHanging()
    {
        std::unique_ptr<Database> database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, DbWriter::Options{});
        writer.start();
        NonceRecorder nonces(writer, kSpanMs, kCapacity);
        writer.stop();
        QFuture<void> refused = nonces.record(u"AK1"_s, "after-stop-nonce", 4'000'000'000'000);
        QVERIFY(refused.isFinished());
        QVERIFY_THROWS_EXCEPTION(ApiError, refused.waitForFinished());
    }
};

QTEST_GUILESS_MAIN(tst_NonceRecorder)
#include "tst_noncerecorder.moc"
