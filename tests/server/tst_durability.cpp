// Group commit keeps its promise: every write acknowledged before a kill -9 is there after restart.
#include "ServerProcess.h"
#include "StoreFixture.h"
#include "TestClient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace paydesk::test;

class tst_Durability : public QObject
{
    Q_OBJECT

private:
    StoreFixture m_fixture;

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fixture.setUp(&error), qPrintable(error));
    }

    void acknowledgedWritesSurviveKillMinusNine()
    {
        QString error;
        const QString dataDir = m_fixture.dir() + u"/data"_s;
        const QString db = m_fixture.newDatabaseSpec(&error);
        QVERIFY2(!db.isEmpty(), qPrintable(error));
        QStringList acknowledged;
        {
            ServerProcess server(dataDir, db, {u"--enable-test-routes"_s});
            QVERIFY2(server.start(&error), qPrintable(error));
            // Several keep-alive connections, each with a window of pipelined writes, so the
            // writer has many units per transaction and some are always in flight.
            constexpr int connections = 4;
            constexpr int window = 8;
            constexpr int killAfter = 400;
            std::vector<std::unique_ptr<RawTlsClient>> clients;
            std::vector<QStringList> pending(connections);
            int next = 0;
            auto sendOne = [&](int c) {
                const QString id = u"w%1"_s.arg(next++, 6, 10, QChar(u'0'));
                pending[c].append(id);
                clients[c]->send(
                    RawTlsClient::post("/_test/writes", "{\"id\":\"" + id.toLatin1() + "\",\"payload\":\"p\"}"));
            };
            for (int c = 0; c < connections; ++c) {
                clients.push_back(std::make_unique<RawTlsClient>(server.caCertificate()));
                QVERIFY(clients.back()->connectTo(server.port()));
                for (int i = 0; i < window; ++i)
                    sendOne(c);
            }
            while (acknowledged.size() < killAfter) {
                for (int c = 0; c < connections; ++c) {
                    const auto response = clients[c]->readResponse();
                    QVERIFY(response);
                    QCOMPARE(response->status, 201);
                    const QString id = QJsonDocument::fromJson(response->body).object().value(u"id"_s).toString();
                    QCOMPARE(id, pending[c].takeFirst()); // responses come back in request order
                    acknowledged.append(id);
                    sendOne(c);
                }
            }
            server.kill(); // SIGKILL while connections * window writes are in flight
        }
        QVERIFY(acknowledged.size() >= 400);

        ServerProcess restarted(dataDir, db, {u"--enable-test-routes"_s});
        QVERIFY2(restarted.start(&error), qPrintable(error));
        RawTlsClient reader(restarted.caCertificate());
        QVERIFY(reader.connectTo(restarted.port()));
        int missing = 0;
        // Pipelined reads in chunks of 50.
        for (qsizetype start = 0; start < acknowledged.size(); start += 50) {
            const qsizetype end = std::min<qsizetype>(start + 50, acknowledged.size());
            QByteArray burst;
            for (qsizetype i = start; i < end; ++i)
                burst += RawTlsClient::get("/_test/writes/" + acknowledged.at(i).toLatin1());
            reader.send(burst);
            for (qsizetype i = start; i < end; ++i) {
                const auto response = reader.readResponse();
                QVERIFY(response);
                if (response->status != 200) {
                    ++missing;
                    qWarning() << "acknowledged write lost:" << acknowledged.at(i);
                }
            }
        }
        QCOMPARE(missing, 0);
        qInfo() << acknowledged.size() << "acknowledged writes all present after kill -9 and restart";
        const int exitCode = restarted.terminate();
        if (exitCode != 0) {
            for (const QByteArray &line :
                 restarted.output().split('\n').mid(std::max<qsizetype>(0, restarted.output().count('\n') - 15)))
                qWarning() << line;
        }
        QCOMPARE(exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(tst_Durability)
#include "tst_durability.moc"
