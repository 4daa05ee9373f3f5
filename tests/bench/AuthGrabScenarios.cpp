// auth and grab: the first two scenarios of paydesk-bench, kept as they were (see docs/benchmark.md).
#include "AuthGrabScenarios.h"

#include "BenchReport.h"
#include "LoadClient.h"
#include "PaymentStack.h"
#include "ServerProcess.h"

#include "server/store/Sql.h"

#include "common/crypto/Hmac.h"
#include "common/crypto/Random.h"
#include "common/protocol/PaydeskSignature.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

int freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

struct Phase
{
    QString name;
    LoadClient::Result result;
    double serverCpuSeconds = 0;
    double writerCpuSeconds = 0;
    double clientCpuSeconds = 0;
    QJsonObject toJson() const
    {
        return QJsonObject{
            {u"scenario"_s, name},
            {u"requests"_s, result.requests},
            {u"errors"_s, result.errors},
            {u"requests_per_second"_s, result.perSecond()},
            {u"p50_ms"_s, result.percentileMs(50)},
            {u"p95_ms"_s, result.percentileMs(95)},
            {u"p99_ms"_s, result.percentileMs(99)},
            {u"server_cpu_us_per_request"_s, result.requests ? serverCpuSeconds * 1e6 / result.requests : 0},
            {u"writer_cpu_us_per_request"_s, result.requests ? writerCpuSeconds * 1e6 / result.requests : 0},
            {u"writer_busy"_s, result.seconds > 0 ? writerCpuSeconds / result.seconds : 0},
            {u"client_cpu_us_per_request"_s, result.requests ? clientCpuSeconds * 1e6 / result.requests : 0}};
    }
};

void printPhase(const Phase &phase)
{
    const QJsonObject j = phase.toJson();
    out() << QString::asprintf(
        "%-28s %9.0f req/s  p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  server CPU %7.1f us/req (writer thread "
        "%5.1f us/req, busy %3.0f %%)  errors %lld\n",
        qPrintable(phase.name), j.value(u"requests_per_second"_s).toDouble(), j.value(u"p50_ms"_s).toDouble(),
        j.value(u"p95_ms"_s).toDouble(), j.value(u"p99_ms"_s).toDouble(),
        j.value(u"server_cpu_us_per_request"_s).toDouble(), j.value(u"writer_cpu_us_per_request"_s).toDouble(),
        100 * j.value(u"writer_busy"_s).toDouble(), phase.result.errors);
    const double machineUs
        = j.value(u"server_cpu_us_per_request"_s).toDouble() + j.value(u"client_cpu_us_per_request"_s).toDouble();
    if (machineUs > 0 && phase.result.requests >= 1000) // CPU time is counted in 10 ms ticks
        out() << QString(29, u' ') << "CPU per grab, server + bench process: " << cpuBoundLine(machineUs) << "\n";
    out().flush();
}

// HMAC-SHA256 over a typical string to sign, single core: the crypto floor of a signed request.
double hmacPerSecond()
{
    const QByteArray secret = Random::token(32).toLatin1();
    const QByteArray message
        = PaydeskSignature::canonicalString("GET", "/v1/merchant", 1763800000, "Q2x1ZS1ub25jZS0wMDAx", {});
    QElapsedTimer timer;
    timer.start();
    qint64 count = 0;
    QByteArray sink;
    while (timer.elapsed() < 1000) {
        for (int i = 0; i < 1000; ++i)
            sink = Hmac::sha256(secret, message);
        count += 1000;
    }
    return count / (timer.nsecsElapsed() / 1e9);
}

} // namespace

// Red packet grabs: many packets (spread) and one hot packet (contention), then the books.
int grabScenario(int connections, bool postgres, const QString &jsonPath, bool smoke)
{
    if (postgres)
        qputenv("PAYDESK_TEST_DB", "postgresql"); // a throwaway local cluster, like the tests
    paydesk::test::PaymentStack stack;
    QString error;
    out() << "paydesk-bench grab: setting up server, sandbox and users (" << (postgres ? "PostgreSQL" : "SQLite")
          << ")\n";
    out().flush();
    if (!stack.setUp(&error)) {
        out() << "paydesk-bench: " << error << "\n";
        return 1;
    }
    // Smoke sizes (ctest): the same two phases and books on 3 packets of 10 shares.
    const int kSenders = smoke ? 1 : 4;
    const int kPacketsPerSender = smoke ? 3 : 50;
    const int kShares = smoke ? 10 : 100; // [red_packets] max_shares
    const qint64 kTotal = smoke ? 1'000 : 20'000; // the default rule's 200.00 CNY per packet
    const int kGrabbers = kShares; // every grabber grabs every packet once: all shares go
    QStringList packets;
    for (int s = 0; s < kSenders; ++s) {
        const auto sender = stack.newAppUser();
        if (!stack.recharge(sender, kTotal * kPacketsPerSender)) {
            out() << "paydesk-bench: recharge failed\n";
            return 1;
        }
        for (int p = 0; p < kPacketsPerSender; ++p) {
            const auto sent = stack.app(sender, "POST", "/v1/app/red-packets",
                                        {{u"total"_s, kTotal}, {u"count"_s, kShares}, {u"pay_with"_s, u"balance"_s}},
                                        stack.actionHeaders(sender, u"red_packet"_s));
            packets.append(paydesk::test::ApiClient::json(sent).value(u"id"_s).toString());
        }
    }
    QList<paydesk::test::PaymentStack::AppUser> grabbers;
    for (int i = 0; i < kGrabbers; ++i)
        grabbers.append(stack.newAppUser());
    const quint16 port = stack.server().port();
    const QSslCertificate ca = stack.server().caCertificate();
    const auto grabRequest = [&](const QString &packet, const QString &token) {
        return "POST /v1/app/red-packets/" + packet.toUtf8()
            + "/grab HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nAuthorization: Bearer " + token.toLatin1()
            + "\r\n\r\n";
    };
    const qint64 spreadTotal = qint64(packets.size() - 1) * kGrabbers; // the last packet is the hot one
    const QString hot = packets.constLast();

    const auto books = [&]() {
        QSqlQuery row
            = sqlExec(stack.reader().threadConnection(),
                      u"SELECT COUNT(*), COUNT(DISTINCT packet_id || ':' || grabber_id), COALESCE(SUM(amount), 0)"
                      " FROM red_packet_shares WHERE grabber_id IS NOT NULL"_s);
        row.next();
        return std::tuple<qint64, qint64, qint64>{row.value(0).toLongLong(), row.value(1).toLongLong(),
                                                  row.value(2).toLongLong()};
    };
    const qint64 serverPid = stack.server().process().processId();
    const ProcessStats before = processStats(serverPid);
    const qint64 benchPid = QCoreApplication::applicationPid();
    const ProcessStats clientBefore = processStats(benchPid);
    // Spread: consecutive requests go to different packets, each user once per packet.
    LoadClient spread(
        port, ca, connections,
        [&](qint64 i) {
            const qint64 packet = i % (packets.size() - 1);
            const qint64 user = i / (packets.size() - 1);
            return grabRequest(packets.at(packet), grabbers.at(user).token);
        },
        spreadTotal, 600);
    Phase spreadPhase{u"grab, %1 packets"_s.arg(packets.size() - 1), spread.run(), 0};
    const ProcessStats afterSpread = processStats(serverPid);
    spreadPhase.serverCpuSeconds = afterSpread.cpuSeconds - before.cpuSeconds;
    spreadPhase.writerCpuSeconds = afterSpread.writerCpuSeconds - before.writerCpuSeconds;
    spreadPhase.clientCpuSeconds = processStats(benchPid).cpuSeconds - clientBefore.cpuSeconds;
    printPhase(spreadPhase);
    // Hot: every user at one packet at once.
    const ProcessStats beforeHot = processStats(serverPid);
    const ProcessStats clientBeforeHot = processStats(benchPid);
    LoadClient hotLoad(
        port, ca, connections, [&](qint64 i) { return grabRequest(hot, grabbers.at(i).token); }, kGrabbers, 60);
    Phase hotPhase{u"grab, one hot packet"_s, hotLoad.run(), 0};
    const ProcessStats afterHot = processStats(serverPid);
    hotPhase.serverCpuSeconds = afterHot.cpuSeconds - beforeHot.cpuSeconds;
    hotPhase.writerCpuSeconds = afterHot.writerCpuSeconds - beforeHot.writerCpuSeconds;
    hotPhase.clientCpuSeconds = processStats(benchPid).cpuSeconds - clientBeforeHot.cpuSeconds;
    printPhase(hotPhase);
    const ProcessStats peak = processStats(serverPid);

    // The books: every share taken exactly once, no user twice on a packet, money where it belongs.
    const auto [grabbed, distinct, amount] = books();
    const qint64 expected = qint64(packets.size()) * kShares;
    const QJsonObject check = stack.walletCheck();
    QByteArray ledger;
    const bool ledgerOk = stack.tearDown(&ledger);
    const bool booksOk = grabbed == expected && distinct == grabbed && amount == qint64(packets.size()) * kTotal
        && check.value(u"ok"_s).toBool() && ledgerOk;
    out() << QString::asprintf("books: %lld shares grabbed of %lld (%lld distinct packet/user pairs), %lld fen moved; "
                               "wallet check %s; ledger %s\n",
                               grabbed, expected, distinct, amount, check.value(u"ok"_s).toBool() ? "OK" : "BROKEN",
                               ledgerOk ? "OK" : "BROKEN");
    out() << "server peak RSS: " << peak.peakRssKiB << " KiB\n";
    if (!jsonPath.isEmpty()) {
        QFile json(jsonPath);
        if (json.open(QIODevice::WriteOnly))
            json.write(QJsonDocument(QJsonObject{{u"scenario"_s, u"grab"_s},
                                                 {u"database"_s, postgres ? u"postgresql"_s : u"sqlite"_s},
                                                 {u"connections"_s, connections},
                                                 {u"phases"_s, QJsonArray{spreadPhase.toJson(), hotPhase.toJson()}},
                                                 {u"books_ok"_s, booksOk},
                                                 {u"server_peak_rss_kib"_s, peak.peakRssKiB}})
                           .toJson());
    }
    const bool clean = spreadPhase.result.errors == 0 && hotPhase.result.errors == 0 && booksOk;
    if (!clean)
        out() << "paydesk-bench: FAILED (errors or books off)\n";
    return clean ? 0 : 1;
}

int authScenario(int connections, int seconds, const QString &database, const QString &serverBinaryOption,
                 const QString &jsonPath)
{
    const QString serverBinary = !serverBinaryOption.isEmpty()
        ? serverBinaryOption
        : QCoreApplication::applicationDirPath() + u"/paydesk-server"_s;

    QTemporaryDir dir;
    const QString dataDir = dir.path() + u"/var"_s;
    QDir().mkpath(dataDir);
    {
        QFile config(dataDir + u"/paydesk.ini"_s);
        config.open(QIODevice::WriteOnly);
        config.write("[security]\nrate_per_key=1000000\nrate_per_address=1000000\n[log]\naccess=false\n");
    }
    QStringList common{u"--data-dir"_s, dataDir};
    if (!database.isEmpty())
        common << u"--db"_s << database;
    if (QProcess::execute(serverBinary,
                          QStringList{u"init"_s, u"--first-run-file"_s, dataDir + u"/first-run.txt"_s} + common)
        != 0) {
        out() << "paydesk-bench: paydesk-server init failed\n";
        return 1;
    }
    const QMap<QString, QString> firstRun
        = paydesk::test::ServerProcess::readKeyValueFile(dataDir + u"/first-run.txt"_s);
    const QString keyId = firstRun.value(u"api_key_id"_s);
    const QByteArray secret = firstRun.value(u"api_key_secret"_s).toLatin1();

    const int port = freePort();
    QProcess server;
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.start(serverBinary, QStringList{u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port)} + common);
    QFile caFile(dataDir + u"/tls/ca.pem"_s);
    caFile.open(QIODevice::ReadOnly);
    const QSslCertificate ca(caFile.readAll(), QSsl::Pem);
    // Ready when one health check answers (bounded: 30 attempts of a 1 s run).
    const QByteArray health = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    bool up = false;
    for (int attempt = 0; attempt < 30 && !up; ++attempt) {
        LoadClient probe(
            quint16(port), ca, 1, [&](qint64) { return health; }, 1, 1);
        up = probe.run().requests == 1;
    }
    if (!up) {
        out() << "paydesk-bench: the server did not start\n";
        return 1;
    }

    out() << "paydesk-bench auth: " << connections << " keep-alive TLS connections, " << seconds
          << " s per phase, database " << (!database.isEmpty() ? database : u"SQLite"_s) << "\n";
    const double hmacRate = hmacPerSecond();
    out() << QString::asprintf("limit: HMAC-SHA256 of a string to sign, one core: %.0f /s (%.2f us each)\n", hmacRate,
                               1e6 / hmacRate);

    auto runPhase = [&](const QString &name, LoadClient::RequestSource source) {
        LoadClient warm(quint16(port), ca, connections, source, 0, 1); // warm-up, not recorded
        warm.run();
        const ProcessStats before = processStats(server.processId());
        LoadClient load(quint16(port), ca, connections, source, 0, seconds);
        Phase phase{name, load.run(), 0};
        phase.serverCpuSeconds = processStats(server.processId()).cpuSeconds - before.cpuSeconds;
        printPhase(phase);
        return phase;
    };
    const Phase plain = runPhase(u"GET /healthz (no auth)"_s, [&](qint64) { return health; });
    const QByteArray target = "/v1/merchant";
    const Phase signedPhase = runPhase(u"GET /v1/merchant (signed)"_s, [&](qint64) {
        const qint64 ts = QDateTime::currentSecsSinceEpoch();
        const QByteArray nonce = Random::alphanumeric(24).toLatin1();
        const QByteArray signature = PaydeskSignature::sign(secret, "GET", target, ts, nonce, {});
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
            + PaydeskSignature::authorization(keyId.toLatin1(), ts, nonce, signature) + "\r\n\r\n";
    });
    const ProcessStats final = processStats(server.processId());
    server.terminate();
    server.waitForFinished(30'000);

    const double plainCpu = plain.toJson().value(u"server_cpu_us_per_request"_s).toDouble();
    const double signedCpu = signedPhase.toJson().value(u"server_cpu_us_per_request"_s).toDouble();
    out() << QString::asprintf(
        "authentication cost: %+.1f us server CPU per request (%.2fx the unauthenticated route), "
        "p50 latency %+.2f ms, throughput ratio %.2f\n",
        signedCpu - plainCpu, plainCpu > 0 ? signedCpu / plainCpu : 0,
        signedPhase.result.percentileMs(50) - plain.result.percentileMs(50),
        plain.result.perSecond() > 0 ? signedPhase.result.perSecond() / plain.result.perSecond() : 0);
    out() << "server peak RSS: " << final.peakRssKiB << " KiB\n";
    const bool clean = plain.result.errors == 0 && signedPhase.result.errors == 0;
    if (!jsonPath.isEmpty()) {
        QFile json(jsonPath);
        if (json.open(QIODevice::WriteOnly)) {
            json.write(QJsonDocument(QJsonObject{{u"scenario"_s, u"auth"_s},
                                                 {u"connections"_s, connections},
                                                 {u"hmac_sha256_per_second"_s, hmacRate},
                                                 {u"phases"_s, QJsonArray{plain.toJson(), signedPhase.toJson()}},
                                                 {u"auth_cpu_us_per_request"_s, signedCpu - plainCpu},
                                                 {u"server_peak_rss_kib"_s, final.peakRssKiB}})
                           .toJson());
        }
    }
    if (!clean)
        out() << "paydesk-bench: FAILED, some requests got errors\n";
    return clean ? 0 : 1;
}

} // namespace paydesk::bench
