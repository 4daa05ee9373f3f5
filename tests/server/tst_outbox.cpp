// The outbox's job runner on both backends: a job's result is recorded only by the claim that ran
// it, so a handler that outlived its lease cannot overwrite the run of the instance that took the
// job over, and work re-armed while a run is in flight is not lost when that run finishes.
#include "StoreFixture.h"

#include "common/util/IdGenerator.h"
#include "server/payments/Outbox.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QScopeGuard>
#include <QSemaphore>
#include <QTest>

#include <atomic>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

/// A handler that blocks until told what to answer, counting its runs.
struct GatedHandler
{
    QSemaphore entered;
    QSemaphore gate;
    std::atomic<int> runs{0};
    std::atomic<int> answer{0}; ///< 0 done, 1 failed, 2 retry in an hour

    JobRunner::Handler handler(const Clock &clock)
    {
        return [this, clock](const OutboxJob &) {
            ++runs;
            entered.release();
            gate.acquire();
            switch (answer.load()) {
            case 1: return JobResult::failed(u"gave up"_s);
            case 2: return JobResult::retryAt(clock() + 3'600'000, u"later"_s);
            default: return JobResult::done();
            }
        };
    }
};

struct JobRow
{
    QString status;
    int attempts = -1;
    QString leaseOwner;
};

} // namespace

class tst_Outbox : public QObject
{
    Q_OBJECT

private:
    StoreFixture m_fixture;
    std::atomic<qint64> m_now{1'800'000'000'000};
    Clock m_clock = [this] { return m_now.load(); };

    static JobRow row(Database &database, const QString &kind, const QString &ref)
    {
        QSqlQuery query
            = sqlExec(database.threadConnection(),
                      u"SELECT status, attempts, lease_owner FROM outbox WHERE kind = ? AND ref = ?"_s, {kind, ref});
        JobRow result;
        if (query.next())
            result = {query.value(0).toString(), query.value(1).toInt(), query.value(2).toString()};
        return result;
    }

    /// Waits (running the event loop, which hands claimed jobs to the pool) until the handler runs.
    static bool entered(GatedHandler &handler)
    {
        return QTest::qWaitFor([&] { return handler.entered.tryAcquire(1); }, 10'000);
    }

    /// Schedules the test job ref due now (or re-arms it), in a writer unit.
    void outbox(DbWriter &writer, IdGenerator &ids, const QString &ref, bool rearm)
    {
        writer
            .submit<void>([&](const QSqlDatabase &db) {
                if (rearm)
                    Outbox::rearm(db, ids, u"test.job"_s, ref, {}, m_now.load(), m_now.load());
                else
                    Outbox::schedule(db, ids, u"test.job"_s, ref, {}, m_now.load(), m_now.load());
            })
            .waitForFinished();
    }

    JobRunner::Options options(const QString &owner) const
    {
        JobRunner::Options options;
        options.owner = owner;
        options.concurrency = 2;
        options.pollIntervalMs = 20;
        options.leaseMs = 60'000;
        return options;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fixture.setUp(&error), qPrintable(error));
    }

    void handlerThatOutlivedItsLeaseCannotOverwriteTheNextClaim()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        IdGenerator ids(u"OB"_s, 1);
        outbox(writer, ids, u"job-1"_s, false);

        // Instance A claims the job; its handler hangs past the lease.
        GatedHandler first;
        JobRunner a(*database, writer, m_clock, options(u"nodeA:x"_s));
        a.setHandler(u"test.job"_s, first.handler(m_clock));
        a.start();
        QVERIFY(entered(first));
        const QString leaseA = row(*database, u"test.job"_s, u"job-1"_s).leaseOwner;
        QVERIFY(leaseA.startsWith(u"nodeA:x"_s));

        // The lease runs out; instance B takes the job over and is running it.
        m_now += 61'000;
        GatedHandler second;
        JobRunner b(*database, writer, m_clock, options(u"nodeB:y"_s));
        b.setHandler(u"test.job"_s, second.handler(m_clock));
        // A failing check must not leave a handler blocked (the runners wait for them on exit).
        const auto unblock = qScopeGuard([&] {
            first.gate.release(10);
            second.gate.release(10);
        });
        b.start();
        QVERIFY(entered(second));
        const QString leaseB = row(*database, u"test.job"_s, u"job-1"_s).leaseOwner;
        QVERIFY(leaseB.startsWith(u"nodeB:y"_s));

        // A finally gives up: that must change nothing of B's run.
        first.answer = 1;
        first.gate.release();
        QTRY_COMPARE_WITH_TIMEOUT(a.running(), 0, 10'000);
        JobRow during = row(*database, u"test.job"_s, u"job-1"_s);
        QCOMPARE(during.status, u"PENDING"_s);
        QCOMPARE(during.attempts, 0);
        QCOMPARE(during.leaseOwner, leaseB);

        // B's result is the one recorded, counted once.
        second.answer = 0;
        second.gate.release();
        QTRY_COMPARE_WITH_TIMEOUT(row(*database, u"test.job"_s, u"job-1"_s).status, u"DONE"_s, 10'000);
        const JobRow after = row(*database, u"test.job"_s, u"job-1"_s);
        QCOMPARE(after.attempts, 1);
        QVERIFY(after.leaseOwner.isEmpty());
        a.stop();
        b.stop();
        QCOMPARE(first.runs.load(), 1);
        QCOMPARE(second.runs.load(), 1);
        writer.stop();
    }

    void rearmDuringARunSurvivesIt()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        IdGenerator ids(u"OB"_s, 1);
        outbox(writer, ids, u"job-2"_s, false);
        GatedHandler handler;
        JobRunner runner(*database, writer, m_clock, options(u"nodeA:z"_s));
        runner.setHandler(u"test.job"_s, handler.handler(m_clock));
        const auto unblock = qScopeGuard([&] { handler.gate.release(10); });
        runner.start();
        QVERIFY(entered(handler));

        // A resend on demand while the first run is still in flight.
        outbox(writer, ids, u"job-2"_s, true);
        handler.answer = 0;
        handler.gate.release();
        // The first run's "done" must not swallow the rearm: the job runs again.
        QVERIFY(entered(handler));
        QCOMPARE(handler.runs.load(), 2);
        handler.gate.release();
        QTRY_COMPARE_WITH_TIMEOUT(row(*database, u"test.job"_s, u"job-2"_s).status, u"DONE"_s, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(runner.running(), 0, 10'000);
        runner.stop();
        QCOMPARE(handler.runs.load(), 2);
        writer.stop();
    }
};

QTEST_GUILESS_MAIN(tst_Outbox)
#include "tst_outbox.moc"
