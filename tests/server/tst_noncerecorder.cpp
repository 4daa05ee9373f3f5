// Nonces of signed reads, recorded many per writer unit, on both databases: each nonce admits one
// request, whether its twin arrives in the same unit or later; what is admitted is durable.
#include "StoreFixture.h"

#include "common/protocol/ApiError.h"
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

    static bool admitted(QFuture<void> future)
    {
        try {
            future.waitForFinished();
            return true;
        } catch (const ApiError &error) {
            if (error.code() != ErrorCode::Replayed)
                qWarning() << "unexpected error" << error.what();
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
        NonceRecorder nonces(writer);

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

    void aStoppedWriterRefusesInsteadOfHanging()
    {
        std::unique_ptr<Database> database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        DbWriter writer(*database, nullptr, DbWriter::Options{});
        writer.start();
        NonceRecorder nonces(writer);
        writer.stop();
        QFuture<void> refused = nonces.record(u"AK1"_s, "after-stop-nonce", 4'000'000'000'000);
        QVERIFY(refused.isFinished());
        QVERIFY_THROWS_EXCEPTION(ApiError, refused.waitForFinished());
    }
};

QTEST_GUILESS_MAIN(tst_NonceRecorder)
#include "tst_noncerecorder.moc"
