// paydesk-server as a user runs it: first run, HTTPS with its own CA, health, metrics, limits
// under load, graceful SIGTERM and refusal of a newer schema.
#include "PgCluster.h"
#include "ServerProcess.h"
#include "StoreFixture.h"
#include "TestClient.h"

#include "server/store/Migrator.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QDeadlineTimer>
#include <QTest>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace paydesk::test;

namespace {

qint64 residentKiB(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

void raiseOpenFileLimit(rlim_t wanted)
{
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = std::min(std::max(limit.rlim_cur, wanted), limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
}

std::optional<RawResponse> request(const ServerProcess &server, const QByteArray &raw)
{
    RawTlsClient client(server.caCertificate());
    if (!client.connectTo(server.port()))
        return std::nullopt;
    client.send(raw);
    return client.readResponse();
}

} // namespace

class tst_ServerProcess : public QObject
{
    Q_OBJECT

private:
    StoreFixture m_fixture;

    QString newDataDir()
    {
        static int counter = 0;
        return m_fixture.dir() + u"/data%1"_s.arg(++counter);
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fixture.setUp(&error), qPrintable(error));
        QVERIFY2(QFileInfo::exists(ServerProcess::serverBinary()), "paydesk-server is not built");
    }

    void firstRunCreatesDataDirAndServesHealthzOverVerifiedTls()
    {
        QString error;
        const QString dataDir = newDataDir();
        const QString db = m_fixture.newDatabaseSpec(&error);
        QVERIFY2(!db.isEmpty(), qPrintable(error));
        ServerProcess server(dataDir, db);
        QVERIFY2(server.start(&error), qPrintable(error));

        QVERIFY(QFileInfo::exists(dataDir + u"/paydesk.ini"_s));
        QVERIFY(QFileInfo::exists(dataDir + u"/tls/ca.pem"_s));
        QVERIFY(QFileInfo::exists(dataDir + u"/tls/server.pem"_s));
        const QFileInfo key(dataDir + u"/tls/server.key"_s);
        QVERIFY(key.exists());
        QCOMPARE(key.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());
        const QFileInfo fieldKey(dataDir + u"/keys/field.key"_s);
        QVERIFY(fieldKey.exists());
        QCOMPARE(fieldKey.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());

        // The client trusts only the CA in the data directory and checks the name "localhost".
        const auto response = request(server, RawTlsClient::get("/healthz"));
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        const QJsonObject health = QJsonDocument::fromJson(response->body).object();
        QCOMPARE(health.value(u"status"_s).toString(), u"ok"_s);
        QVERIFY(!health.value(u"version"_s).toString().isEmpty());
        const QJsonObject database = health.value(u"database"_s).toObject();
        QCOMPARE(database.value(u"reachable"_s).toBool(), true);
        QCOMPARE(database.value(u"schema_version"_s).toInt(),
                 paydesk::Migrator::available(!m_fixture.isPostgres()).constLast().version);
        QCOMPARE(database.value(u"backend"_s).toString(), m_fixture.isPostgres() ? u"postgresql"_s : u"sqlite"_s);

        // A client that does not trust the CA is refused.
        paydesk::test::RawTlsClient stranger(QSslCertificate(QByteArray(), QSsl::Pem));
        QVERIFY(!stranger.connectTo(server.port(), 5000));

        QCOMPARE(server.terminate(), 0);
    }

    void metricsAreServedInPrometheusFormat()
    {
        QString error;
        ServerProcess server(newDataDir(), m_fixture.newDatabaseSpec(&error));
        QVERIFY2(server.start(&error), qPrintable(error));
        RawTlsClient client(server.caCertificate());
        QVERIFY(client.connectTo(server.port()));
        for (int i = 0; i < 3; ++i) {
            client.send(RawTlsClient::get("/healthz"));
            QVERIFY(client.readResponse());
        }
        client.send(RawTlsClient::get("/metrics"));
        const auto metrics = client.readResponse();
        QVERIFY(metrics);
        QCOMPARE(metrics->status, 200);
        QVERIFY(metrics->header("content-type").startsWith("text/plain; version=0.0.4"));
        // At least the 3 above (start() probes /healthz as well).
        const QByteArray prefix = "paydesk_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} ";
        const qsizetype at = metrics->body.indexOf(prefix);
        QVERIFY2(at >= 0, metrics->body.constData());
        const int count = metrics->body.mid(at + prefix.size()).split('\n').first().toInt();
        QVERIFY(count >= 3);
        QVERIFY(metrics->body.contains("paydesk_http_open_connections"));
        QVERIFY(metrics->body.contains("paydesk_db_batch_units_bucket"));
        QCOMPARE(server.terminate(), 0);
    }

    void sigtermLetsTheRequestInFlightFinishAndExitsZero()
    {
        QString error;
        ServerProcess server(newDataDir(), m_fixture.newDatabaseSpec(&error), {u"--enable-test-routes"_s});
        QVERIFY2(server.start(&error), qPrintable(error));
        RawTlsClient slow(server.caCertificate());
        QVERIFY(slow.connectTo(server.port()));
        slow.send(RawTlsClient::get("/_test/delay?ms=1500"));
        // Wait until the server has the request on a worker before terminating it.
        RawTlsClient watcher(server.caCertificate());
        QVERIFY(watcher.connectTo(server.port()));
        bool inFlight = false;
        for (QDeadlineTimer deadline(10'000); !deadline.hasExpired() && !inFlight;) {
            watcher.send(RawTlsClient::get("/metrics"));
            const auto metrics = watcher.readResponse();
            QVERIFY(metrics);
            inFlight = metrics->body.contains("paydesk_http_queued_requests 2"); // the delay + this one
        }
        QVERIFY(inFlight);
        server.process().terminate();
        const auto response = slow.readResponse(10'000);
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QVERIFY(server.process().waitForFinished(20'000));
        QCOMPARE(server.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(server.process().exitCode(), 0);
        QVERIFY(server.output().contains("stopped"));
    }

    void refusesToStartOnANewerSchema()
    {
        QString error;
        const QString dataDir = newDataDir();
        const QString db = m_fixture.newDatabaseSpec(&error);
        QProcess init;
        init.start(ServerProcess::serverBinary(), {u"init"_s, u"--data-dir"_s, dataDir, u"--db"_s, db});
        QVERIFY(init.waitForFinished(60'000));
        QCOMPARE(init.exitCode(), 0);
        {
            const auto config = paydesk::DatabaseConfig::parse(db, dataDir, &error);
            QVERIFY(config);
            paydesk::Database database(*config);
            QSqlQuery insert(database.threadConnection());
            QVERIFY(insert.exec(u"INSERT INTO schema_migrations (version, name, checksum, applied_at)"
                                " VALUES (99, 'future', 'x', 'now')"_s));
        }
        ServerProcess server(dataDir, db);
        QVERIFY(!server.start(&error, 30'000));
        QVERIFY2(error.contains(u"newer paydesk-server"_s), qPrintable(error));
    }

    void twoThousandIdleConnectionsDoNotStopANewClient()
    {
        if (m_fixture.isPostgres())
            QSKIP("HTTP behaviour does not depend on the backend; run once");
        raiseOpenFileLimit(8192);
        QString error;
        ServerProcess server(newDataDir(), m_fixture.newDatabaseSpec(&error));
        QVERIFY2(server.start(&error), qPrintable(error));
        std::vector<std::unique_ptr<QSslSocket>> idle;
        const int wanted = 2000;
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates({server.caCertificate()});
        // In waves, so no handshake waits long enough to hit the server's handshake timeout.
        int encrypted = 0;
        for (int wave = 0; wave < wanted; wave += 50) {
            for (int i = 0; i < 50; ++i) {
                auto socket = std::make_unique<QSslSocket>();
                socket->setSslConfiguration(configuration);
                socket->connectToHostEncrypted(u"127.0.0.1"_s, server.port(), u"localhost"_s);
                idle.push_back(std::move(socket));
            }
            for (size_t i = size_t(wave); i < idle.size(); ++i)
                encrypted += idle[i]->waitForEncrypted(30'000) ? 1 : 0;
        }
        QCOMPARE(encrypted, wanted);
        const auto response = request(server, RawTlsClient::get("/healthz"));
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        int stillOpen = 0;
        for (auto &socket : idle)
            stillOpen += socket->state() == QAbstractSocket::ConnectedState ? 1 : 0;
        QCOMPARE(stillOpen, wanted); // nobody had to be evicted below the default cap
        qInfo() << "server RSS with" << wanted << "idle TLS connections:" << residentKiB(server.process().processId())
                << "KiB";
        idle.clear();
        QCOMPARE(server.terminate(), 0);
    }

    void oversizedUploadGets413WithoutGrowingServerMemory()
    {
        if (m_fixture.isPostgres())
            QSKIP("HTTP behaviour does not depend on the backend; run once");
        QString error;
        ServerProcess server(newDataDir(), m_fixture.newDatabaseSpec(&error), {u"--enable-test-routes"_s});
        // Under AddressSanitizer freed memory sits in a quarantine and would read as growth.
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"ASAN_OPTIONS"_s, environment.value(u"ASAN_OPTIONS"_s) + u":quarantine_size_mb=0"_s);
        server.process().setProcessEnvironment(environment);
        QVERIFY2(server.start(&error), qPrintable(error));
        const qint64 pid = server.process().processId();
        const QByteArray body(2 * 1024 * 1024, 'z');
        // Warm up allocator pools and TLS so the measurement sees steady state.
        QCOMPARE(request(server, RawTlsClient::post("/_test/echo", "{}"))->status, 200);
        // Start-up work (the first job scans, the event poller's connection) allocates too: measure
        // from the moment the process stops growing on its own (at most 10 s).
        qint64 before = residentKiB(pid);
        for (const QDeadlineTimer settle(10'000); !settle.hasExpired();) {
            QTest::qWait(300);
            const qint64 now = residentKiB(pid);
            if (qAbs(now - before) < 64)
                break;
            before = now;
        }
        for (int i = 0; i < 5; ++i) {
            RawTlsClient client(server.caCertificate());
            QVERIFY(client.connectTo(server.port()));
            client.send("POST /_test/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                        + QByteArray::number(body.size()) + "\r\n\r\n");
            client.socket().write(body); // the whole body, as a client without Expect: 100-continue does
            const auto response = client.readResponse();
            QVERIFY(response);
            QCOMPARE(response->status, 413);
        }
        const qint64 after = residentKiB(pid);
        qInfo() << "server RSS before" << before << "KiB, after five 2 MiB uploads" << after << "KiB";
        QVERIFY2(after - before < 1024, qPrintable(u"RSS grew by %1 KiB"_s.arg(after - before)));
        QCOMPARE(server.terminate(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_ServerProcess)
#include "tst_serverprocess.moc"
