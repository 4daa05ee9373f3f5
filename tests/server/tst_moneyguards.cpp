// Guards the money paths lean on, on both backends: an idempotency claim that a retry took over
// can no longer commit the first attempt's effect, and alerts are de-duplicated without
// swallowing an escalation or a new fact.
#include "StoreFixture.h"

#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/auth/Idempotency.h"
#include "server/payments/Alerts.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

class tst_MoneyGuards : public QObject
{
    Q_OBJECT

private:
    StoreFixture m_fixture;

    static qint64 count(Database &database, const QString &sql, const QVariantList &binds = {})
    {
        QSqlQuery query = sqlExec(database.threadConnection(), sql, binds);
        return query.next() ? query.value(0).toLongLong() : -1;
    }

    static IdempotencyClaim claimOf(const QString &attempt)
    {
        IdempotencyClaim claim;
        claim.scope = u"app_user:U1"_s;
        claim.key = u"transfer-42"_s;
        claim.requestHash = u"hash-of-the-transfer"_s;
        claim.attempt = attempt;
        return claim;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fixture.setUp(&error), qPrintable(error));
    }

    void firstAttemptRollsBackOnceARetryTookItsKeyOver()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        sqlExecRaw(database->threadConnection(),
                   u"CREATE TABLE effects (id INTEGER PRIMARY KEY, label TEXT NOT NULL)"_s);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        SecurityConfig config;
        const qint64 t0 = 1'800'000'000'000;
        const IdempotencyClaim first = claimOf(u"attempt-1"_s);
        const IdempotencyClaim retry = claimOf(u"attempt-2"_s);
        QVERIFY(!writer.submit<bool>([&](const QSqlDatabase &db) { return first.claim(db, t0, config).has_value(); })
                     .result());
        // The first attempt hangs past the lease; the client's retry takes the key over.
        const qint64 later = t0 + config.idempotencyLeaseMs + 1'000;
        QVERIFY(!writer.submit<bool>([&](const QSqlDatabase &db) { return retry.claim(db, later, config).has_value(); })
                     .result());

        // The first attempt's unit now makes its transfer and records its answer: it must roll back.
        HttpResponse created = HttpResponse::json(201, QJsonObject{{u"transfer_no"_s, u"T1"_s}});
        auto stale = writer.submit<void>([&](const QSqlDatabase &db) {
            sqlExec(db, u"INSERT INTO effects (id, label) VALUES (1, 'first attempt')"_s);
            first.complete(db, created);
        });
        try {
            stale.waitForFinished();
            QFAIL("the first attempt committed after its key was taken over");
        } catch (const ApiError &error) {
            QCOMPARE(error.code(), ErrorCode::InProgress);
        }
        QCOMPARE(count(*database, u"SELECT COUNT(*) FROM effects"_s), qint64(0));

        // The retry, which owns the key, commits once.
        writer
            .submit<void>([&](const QSqlDatabase &db) {
                sqlExec(db, u"INSERT INTO effects (id, label) VALUES (2, 'retry')"_s);
                retry.complete(db, created);
            })
            .waitForFinished();
        QCOMPARE(count(*database, u"SELECT COUNT(*) FROM effects"_s), qint64(1));
        QCOMPARE(count(*database, u"SELECT COUNT(*) FROM idempotency_keys WHERE state = 'DONE' AND attempt = ?"_s,
                       {retry.attempt}),
                 qint64(1));
        writer.stop();
    }

    void alertsEscalateAndReportNewFacts()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        IdGenerator alertIds(u"AL"_s, 1);
        IdGenerator outboxIds(u"OB"_s, 1);
        const auto raise = [&](const Alerts::Raise &alert) {
            return writer
                .submit<QString>([&](const QSqlDatabase &db) {
                    return Alerts::raise(db, alertIds, outboxIds, alert, false, 1'800'000'000'000);
                })
                .result();
        };
        Alerts::Raise warning{u"ORDER_ABNORMAL"_s,
                              u"WARNING"_s,
                              u"order"_s,
                              u"P1"_s,
                              u"prepay unknown"_s,
                              QJsonObject{{u"reason"_s, u"PREPAY_UNKNOWN"_s}},
                              {}};
        QVERIFY(!raise(warning).isEmpty());
        QVERIFY2(raise(warning).isEmpty(), "the same alert twice");
        // Later the money turns up: the CRITICAL alert saying it sits in suspense must be raised.
        Alerts::Raise critical{u"ORDER_ABNORMAL"_s,
                               u"CRITICAL"_s,
                               u"order"_s,
                               u"P1"_s,
                               u"paid after close"_s,
                               QJsonObject{{u"reason"_s, u"PAID_AFTER_CLOSE"_s}},
                               {}};
        QVERIFY2(!raise(critical).isEmpty(), "an escalation was swallowed by the earlier warning");

        // Each further duplicate payment is a new fact; the same one reported again is not.
        const auto duplicate = [](const QString &trade) {
            return Alerts::Raise{u"DUPLICATE_PAYMENT"_s,
                                 u"CRITICAL"_s,
                                 u"order"_s,
                                 u"P2"_s,
                                 u"paid twice"_s,
                                 QJsonObject{{u"reported_trade_no"_s, trade}},
                                 {}};
        };
        QVERIFY(!raise(duplicate(u"T-2"_s)).isEmpty());
        QVERIFY2(!raise(duplicate(u"T-3"_s)).isEmpty(), "a second duplicate payment raised no alert");
        QVERIFY(raise(duplicate(u"T-3"_s)).isEmpty());
        QCOMPARE(count(*database, u"SELECT COUNT(*) FROM alerts"_s), qint64(4));
        writer.stop();
    }
};

QTEST_GUILESS_MAIN(tst_MoneyGuards)
#include "tst_moneyguards.moc"
