// The hash-chained audit log on both backends: appends through the writer form one chain, and
// any edit, deletion or truncation is reported at the row where it happened.
#include "StoreFixture.h"

#include "server/audit/AuditLog.h"
#include "server/store/DbWriter.h"
#include "server/store/Migrator.h"
#include "server/store/Sql.h"

#include <QFuture>
#include <QJsonDocument>
#include <QSemaphore>
#include <QSet>
#include <QTest>

#include <thread>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

AuditEntry entryNumber(int i)
{
    AuditEntry entry;
    entry.at = 1'700'000'000'000 + i;
    entry.actorType = u"staff"_s;
    entry.actorId = u"S%1"_s.arg(i % 3);
    entry.action = i % 2 == 0 ? u"refund.create"_s : u"staff.login"_s;
    entry.targetType = u"order"_s;
    entry.targetId = u"PO%1"_s.arg(i);
    entry.details = QJsonObject{{u"amount"_s, 1000 + i}, {u"currency"_s, u"CNY"_s}};
    entry.address = u"192.0.2.%1"_s.arg(i % 250);
    entry.requestId = u"req-%1"_s.arg(i);
    return entry;
}

AuditRecord appendThrough(DbWriter &writer, const AuditEntry &entry)
{
    return writer.submit<AuditRecord>([entry](const QSqlDatabase &db) { return AuditLog::append(db, entry); }).result();
}

} // namespace

class tst_AuditLog : public QObject
{
    Q_OBJECT

private:
    StoreFixture m_fixture;

    // A database holding entries 1..count, appended through a writer.
    std::unique_ptr<Database> databaseWithEntries(int count)
    {
        auto database = m_fixture.newMigratedDatabase();
        if (!database)
            return nullptr;
        DbWriter writer(*database, nullptr, {});
        writer.start();
        for (int i = 1; i <= count; ++i)
            appendThrough(writer, entryNumber(i));
        return database;
    }

    static qint64 rowCount(Database &database)
    {
        QSqlQuery query = sqlExec(database.threadConnection(), u"SELECT COUNT(*) FROM audit_log"_s);
        return query.next() ? query.value(0).toLongLong() : -1;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fixture.setUp(&error), qPrintable(error));
    }

    void emptyLogVerifies()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        const AuditVerification result = AuditLog::verify(database->threadConnection());
        QVERIFY2(result.ok(), qPrintable(result.reason));
        QCOMPARE(result.entries, qint64(0));
    }

    void appendsFormAChainThatVerifies()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        QList<AuditRecord> appended;
        for (int i = 1; i <= 10; ++i)
            appended.append(appendThrough(writer, entryNumber(i)));

        QString previous = AuditLog::genesisHash();
        for (int i = 0; i < appended.size(); ++i) {
            const AuditRecord &record = appended.at(i);
            QCOMPARE(record.seq, qint64(i + 1));
            QCOMPARE(record.prevHash, previous);
            QCOMPARE(record.hash, AuditLog::computeHash(record));
            QCOMPARE(record.hash.size(), 64);
            previous = record.hash;
        }
        const AuditVerification result = AuditLog::verify(database->threadConnection());
        QVERIFY2(result.ok(), qPrintable(result.reason));
        QCOMPARE(result.entries, qint64(10));

        // What list() returns is what was appended, details as compact JSON.
        const QList<AuditRecord> listed = AuditLog::list(database->threadConnection(), 0, 100);
        QCOMPARE(listed.size(), 10);
        QCOMPARE(listed.at(3).hash, appended.at(3).hash);
        QCOMPARE(listed.at(3).details, u"{\"amount\":1004,\"currency\":\"CNY\"}"_s);
        QCOMPARE(listed.at(3).requestId, u"req-4"_s);
        const QJsonObject json = listed.at(3).toJson();
        QCOMPARE(json.value(u"seq"_s).toInteger(), 4);
        QCOMPARE(json.value(u"details"_s).toObject().value(u"amount"_s).toInteger(), 1004);
    }

    void listPagesAndFilters()
    {
        auto database = databaseWithEntries(12);
        QVERIFY(database);
        const QSqlDatabase db = database->threadConnection();
        const QList<AuditRecord> firstPage = AuditLog::list(db, 0, 5);
        QCOMPARE(firstPage.size(), 5);
        QCOMPARE(firstPage.last().seq, qint64(5));
        const QList<AuditRecord> secondPage = AuditLog::list(db, firstPage.last().seq, 5);
        QCOMPARE(secondPage.first().seq, qint64(6));
        QCOMPARE(AuditLog::list(db, 12, 5).size(), 0);

        AuditFilter logins;
        logins.action = u"staff.login"_s;
        const QList<AuditRecord> loginRecords = AuditLog::list(db, 0, 100, logins);
        QCOMPARE(loginRecords.size(), 6);
        for (const AuditRecord &record : loginRecords)
            QCOMPARE(record.action, u"staff.login"_s);

        AuditFilter narrow;
        narrow.actorId = u"S1"_s;
        narrow.targetId = u"PO4"_s;
        QCOMPARE(AuditLog::list(db, 0, 100, narrow).size(), 1);

        AuditFilter window;
        window.fromAt = 1'700'000'000'003;
        window.toAt = 1'700'000'000'006;
        const QList<AuditRecord> inWindow = AuditLog::list(db, 0, 100, window);
        QCOMPARE(inWindow.size(), 3);
        QCOMPARE(inWindow.first().seq, qint64(3));
    }

    void editingAnyFieldOfAMiddleRowIsDetectedAtThatRow_data()
    {
        QTest::addColumn<QString>("column");
        QTest::addColumn<QVariant>("value");
        QTest::newRow("amount in details") << u"details"_s << QVariant(u"{\"amount\":999999,\"currency\":\"CNY\"}"_s);
        QTest::newRow("details whitespace") << u"details"_s << QVariant(u"{\"amount\": 1005,\"currency\":\"CNY\"}"_s);
        QTest::newRow("action") << u"action"_s << QVariant(u"staff.logout"_s);
        QTest::newRow("actor type") << u"actor_type"_s << QVariant(u"system"_s);
        QTest::newRow("actor id") << u"actor_id"_s << QVariant(u"S9"_s);
        QTest::newRow("target type") << u"target_type"_s << QVariant(u"refund"_s);
        QTest::newRow("target id") << u"target_id"_s << QVariant(u"PO6"_s);
        QTest::newRow("address") << u"address"_s << QVariant(u"203.0.113.1"_s);
        QTest::newRow("request id") << u"request_id"_s << QVariant(u"req-x"_s);
        QTest::newRow("time") << u"at"_s << QVariant(qint64(1'700'000'000'000));
        QTest::newRow("hash") << u"hash"_s << QVariant(QString(64, u'a'));
        QTest::newRow("prev hash") << u"prev_hash"_s << QVariant(QString(64, u'b'));
    }

    void editingAnyFieldOfAMiddleRowIsDetectedAtThatRow()
    {
        QFETCH(QString, column);
        QFETCH(QVariant, value);
        auto database = databaseWithEntries(10);
        QVERIFY(database);
        const QSqlDatabase db = database->threadConnection();
        QCOMPARE(sqlExec(db, u"UPDATE audit_log SET %1 = ? WHERE seq = 5"_s.arg(column), {value}).numRowsAffected(), 1);
        const AuditVerification result = AuditLog::verify(db);
        QVERIFY(!result.ok());
        QCOMPARE(result.brokenSeq, qint64(5));
        QCOMPARE(result.entries, qint64(4));
        QCOMPARE(result.problem,
                 column == u"prev_hash"_s ? AuditVerification::Problem::PrevMismatch
                                          : AuditVerification::Problem::HashMismatch);
        QVERIFY(result.reason.contains(u"entry 5"_s));
    }

    void rehashedEditIsDetectedAtTheNextRow()
    {
        auto database = databaseWithEntries(10);
        QVERIFY(database);
        const QSqlDatabase db = database->threadConnection();
        // Someone who knows the hash rule and fixes up the edited row still breaks the link to it.
        AuditRecord edited = AuditLog::list(db, 4, 1).constFirst();
        edited.details = u"{\"amount\":1,\"currency\":\"CNY\"}"_s;
        edited.hash = AuditLog::computeHash(edited);
        sqlExec(db, u"UPDATE audit_log SET details = ?, hash = ? WHERE seq = 5"_s, {edited.details, edited.hash});
        const AuditVerification result = AuditLog::verify(db);
        QCOMPARE(result.problem, AuditVerification::Problem::PrevMismatch);
        QCOMPARE(result.brokenSeq, qint64(6));
    }

    void deletingAMiddleRowIsAGap()
    {
        auto database = databaseWithEntries(10);
        QVERIFY(database);
        const QSqlDatabase db = database->threadConnection();
        sqlExec(db, u"DELETE FROM audit_log WHERE seq = 5"_s);
        const AuditVerification result = AuditLog::verify(db);
        QCOMPARE(result.problem, AuditVerification::Problem::Gap);
        QCOMPARE(result.brokenSeq, qint64(5));
        QVERIFY2(result.reason.contains(u"entry 5 is missing"_s), qPrintable(result.reason));
    }

    void deletingTheLastRowsIsAHeadMismatch()
    {
        auto database = databaseWithEntries(10);
        QVERIFY(database);
        const QSqlDatabase db = database->threadConnection();
        sqlExec(db, u"DELETE FROM audit_log WHERE seq >= 9"_s);
        const AuditVerification result = AuditLog::verify(db);
        QCOMPARE(result.problem, AuditVerification::Problem::HeadMismatch);
        QCOMPARE(result.brokenSeq, qint64(9));
        QCOMPARE(result.entries, qint64(8));
    }

    void editedHeadIsAHeadMismatch()
    {
        auto database = databaseWithEntries(3);
        QVERIFY(database);
        const QSqlDatabase db = database->threadConnection();
        sqlExec(db, u"UPDATE audit_head SET last_hash = ? WHERE id = 1"_s, {QString(64, u'c')});
        const AuditVerification result = AuditLog::verify(db);
        QCOMPARE(result.problem, AuditVerification::Problem::HeadMismatch);
        QCOMPARE(result.brokenSeq, qint64(3));
    }

    void rowOutsideTheSequenceIsDetected()
    {
        auto database = databaseWithEntries(3);
        QVERIFY(database);
        const QSqlDatabase db = database->threadConnection();
        AuditRecord forged = AuditLog::list(db, 0, 1).constFirst();
        forged.seq = 0;
        forged.prevHash = AuditLog::genesisHash();
        forged.hash = AuditLog::computeHash(forged);
        sqlExec(db,
                u"INSERT INTO audit_log (seq, at, actor_type, actor_id, action, target_type, target_id, details,"
                " address, request_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                {forged.seq, forged.at, forged.actorType, forged.actorId, forged.action, forged.targetType,
                 forged.targetId, forged.details, forged.address, forged.requestId, forged.prevHash, forged.hash});
        const AuditVerification result = AuditLog::verify(db);
        QCOMPARE(result.problem, AuditVerification::Problem::Gap);
        QCOMPARE(result.brokenSeq, qint64(1));
    }

    void rolledBackUnitLeavesNoTrace()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        // Hold the writer so the three units share one transaction, each in its own savepoint.
        QSemaphore entered;
        QSemaphore gate;
        QFuture<void> hold = writer.submit<void>([&](const QSqlDatabase &) {
            entered.release();
            gate.acquire();
        });
        QVERIFY(entered.tryAcquire(1, 10'000));
        const AuditEntry first = entryNumber(1);
        const AuditEntry failing = entryNumber(2);
        const AuditEntry third = entryNumber(3);
        QFuture<AuditRecord> a
            = writer.submit<AuditRecord>([first](const QSqlDatabase &db) { return AuditLog::append(db, first); });
        QFuture<AuditRecord> b = writer.submit<AuditRecord>([failing](const QSqlDatabase &db) -> AuditRecord {
            AuditLog::append(db, failing);
            throw std::runtime_error("the change this entry records failed");
        });
        QFuture<AuditRecord> c
            = writer.submit<AuditRecord>([third](const QSqlDatabase &db) { return AuditLog::append(db, third); });
        gate.release();
        hold.waitForFinished();
        QCOMPARE(a.result().seq, qint64(1));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, b.waitForFinished());
        QCOMPARE(c.result().seq, qint64(2));
        QCOMPARE(c.result().prevHash, a.result().hash);
        const AuditVerification result = AuditLog::verify(database->threadConnection());
        QVERIFY2(result.ok(), qPrintable(result.reason));
        QCOMPARE(result.entries, qint64(2));
    }

    void appendsFromManyThreadsFormOneChain()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        constexpr int kThreads = 8;
        constexpr int kPerThread = 50;
        std::vector<QList<QFuture<AuditRecord>>> futures(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&writer, &futures, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    const AuditEntry entry = entryNumber(t * kPerThread + i);
                    futures[size_t(t)].append(writer.submit<AuditRecord>(
                        [entry](const QSqlDatabase &db) { return AuditLog::append(db, entry); }));
                }
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QSet<qint64> seqs;
        for (const auto &list : futures) {
            for (const QFuture<AuditRecord> &future : list)
                seqs.insert(future.result().seq);
        }
        QCOMPARE(seqs.size(), kThreads * kPerThread);
        QCOMPARE(*std::max_element(seqs.cbegin(), seqs.cend()), qint64(kThreads * kPerThread));
        const AuditVerification result = AuditLog::verify(database->threadConnection());
        QVERIFY2(result.ok(), qPrintable(result.reason));
        QCOMPARE(result.entries, qint64(kThreads * kPerThread));
    }

    void twoWritersOnOneDatabaseFormOneChain()
    {
        // Two writers stand for two server instances on one database: the head lock keeps them
        // from both extending the same entry.
        QString error;
        const QString spec = m_fixture.newDatabaseSpec(&error);
        QVERIFY2(!spec.isEmpty(), qPrintable(error));
        const auto config = DatabaseConfig::parse(spec, m_fixture.dir(), &error);
        QVERIFY2(config, qPrintable(error));
        Database one(*config);
        Database two(*config);
        Migrator::migrate(one.threadConnection(), one.isSqlite());
        DbWriter writerOne(one, nullptr, {});
        DbWriter writerTwo(two, nullptr, {});
        writerOne.start();
        writerTwo.start();
        constexpr int kEach = 60;
        QList<QFuture<AuditRecord>> futures;
        for (int i = 0; i < kEach; ++i) {
            const AuditEntry a = entryNumber(2 * i);
            const AuditEntry b = entryNumber(2 * i + 1);
            futures.append(
                writerOne.submit<AuditRecord>([a](const QSqlDatabase &db) { return AuditLog::append(db, a); }));
            futures.append(
                writerTwo.submit<AuditRecord>([b](const QSqlDatabase &db) { return AuditLog::append(db, b); }));
        }
        for (QFuture<AuditRecord> &future : futures)
            future.waitForFinished();
        writerOne.stop();
        writerTwo.stop();
        const AuditVerification result = AuditLog::verify(one.threadConnection());
        QVERIFY2(result.ok(), qPrintable(result.reason));
        QCOMPARE(result.entries, qint64(2 * kEach));
        QCOMPARE(rowCount(one), qint64(2 * kEach));
    }

    void oversizedFieldsAreBoundedNotRefused()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, {});
        writer.start();
        AuditEntry entry = entryNumber(1);
        entry.actorId = QString(5000, u'u'); // e.g. a failed login with an absurd username
        entry.details = QJsonObject{{u"note"_s, QString(AuditLog::MaxDetailsChars, u'n')}};
        entry.requestId = QString(); // absent values are stored as empty text
        const AuditRecord record = appendThrough(writer, entry);
        QCOMPARE(record.actorId.size(), AuditLog::MaxFieldChars);
        const QJsonObject details = QJsonDocument::fromJson(record.details.toUtf8()).object();
        QCOMPARE(details.value(u"truncated"_s).toBool(), true);
        QCOMPARE(record.requestId, QString(u""_s));
        const AuditVerification result = AuditLog::verify(database->threadConnection());
        QVERIFY2(result.ok(), qPrintable(result.reason));
    }

    void hashEncodingSeparatesFields()
    {
        AuditRecord a;
        a.seq = 1;
        a.prevHash = AuditLog::genesisHash();
        a.actorType = u"staff"_s;
        a.actorId = u"S1"_s;
        AuditRecord b = a;
        b.actorType = u"staffS"_s;
        b.actorId = u"1"_s;
        QVERIFY(AuditLog::computeHash(a) != AuditLog::computeHash(b));
        AuditRecord c = a;
        c.seq = 11;
        AuditRecord d = a;
        d.seq = 1;
        d.at = 10; // "1" "10" and "11" "0" concatenate alike
        QVERIFY(AuditLog::computeHash(c) != AuditLog::computeHash(d));
    }
};

QTEST_GUILESS_MAIN(tst_AuditLog)
#include "tst_auditlog.moc"
