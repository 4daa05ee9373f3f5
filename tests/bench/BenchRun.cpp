#include "BenchRun.h"

#include "BenchDatabase.h"
#include "BenchStack.h"

#include "server/store/Database.h"
#include "server/store/DatabaseConfig.h"
#include "server/store/Sql.h"

#include "common/crypto/Hmac.h"
#include "common/crypto/PrivateKey.h"
#include "common/crypto/Random.h"
#include "common/crypto/RsaSignature.h"
#include "common/protocol/PaydeskSignature.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>

#include <functional>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

// Calls op in rounds of batch until the time is up; operations per second on this thread.
double ratePerSecond(double seconds, int batch, const std::function<void()> &op)
{
    QElapsedTimer timer;
    timer.start();
    qint64 count = 0;
    while (double(timer.nsecsElapsed()) < seconds * 1e9) {
        for (int i = 0; i < batch; ++i)
            op();
        count += batch;
    }
    return double(count) / (double(timer.nsecsElapsed()) / 1e9);
}

QByteArray alipaySignContent()
{
    // About the length of what Paydesk signs for an alipay.trade.precreate.
    return "app_id=2021000000000001&biz_content={\"out_trade_no\":\"P2025031409301512300007K3F9ZQ20A\","
           "\"subject\":\"Bench order 12345\",\"timeout_express\":\"30m\",\"total_amount\":\"123.45\"}"
           "&charset=utf-8&format=JSON&method=alipay.trade.precreate&notify_url=https://127.0.0.1:8443/notify/"
           "alipay/alipay-sbx&sign_type=RSA2&timestamp=2025-03-14 09:30:15&version=1.0";
}

} // namespace

QJsonObject Settings::toJson() const
{
    return QJsonObject{{u"connections"_s, connections},
                       {u"seconds"_s, seconds},
                       {u"creates"_s, creates},
                       {u"notifies"_s, notifies},
                       {u"orders"_s, orders},
                       {u"search_pages"_s, searchPages},
                       {u"idle_connections"_s, idleConnections},
                       {u"smoke"_s, smoke}};
}

double Limits::createCryptoBound() const
{
    if (rsaSignPerSecond <= 0 || rsaVerifyPerSecond <= 0)
        return 0;
    return cores / (2.0 / rsaSignPerSecond + 2.0 / rsaVerifyPerSecond);
}

QJsonObject Limits::toJson() const
{
    QJsonObject json{{u"cores"_s, cores},
                     {u"rsa2048_sign_per_second_per_core"_s, rsaSignPerSecond},
                     {u"rsa2048_verify_per_second_per_core"_s, rsaVerifyPerSecond},
                     {u"hmac_sha256_per_second_per_core"_s, hmacPerSecond},
                     {u"durable_commits_per_second"_s, commitsPerSecond},
                     {u"durable_rows_per_second_100_per_commit"_s, batchedRowsPerSecond},
                     {u"create_crypto_bound_per_second"_s, createCryptoBound()},
                     {u"bare_route_per_second"_s, bareRoute()}};
    if (bare)
        json.insert(u"bare_route"_s, bare->toJson());
    return json;
}

void Limits::print() const
{
    QTextStream &o = out();
    o << QString::asprintf("  limits on %d cores: RSA-2048 sign %s/s and verify %s/s per core, HMAC-SHA256 %s/s per "
                           "core\n",
                           cores, qPrintable(formatRate(rsaSignPerSecond)), qPrintable(formatRate(rsaVerifyPerSecond)),
                           qPrintable(formatRate(hmacPerSecond)));
    o << QString::asprintf("  durable database writes: %s commits/s of one row, %s rows/s in commits of 100\n",
                           qPrintable(formatRate(commitsPerSecond)), qPrintable(formatRate(batchedRowsPerSecond)));
    o << QString::asprintf("  create crypto bound: %d cores / (2 signs + 2 verifies) = %s creates/s\n", cores,
                           qPrintable(formatRate(createCryptoBound())));
    if (bare)
        bare->print();
    o.flush();
}

BenchRun::BenchRun(DatabaseProvider &databases, Settings settings)
    : m_databases(databases), m_settings(std::move(settings)), m_runTag(Random::alphanumeric(4).toUpper())
{
}

BenchRun::~BenchRun() = default;

QStringList BenchRun::scenarios()
{
    return {u"limits"_s, u"create"_s, u"notify"_s, u"query"_s, u"search"_s, u"mixed"_s, u"connections"_s, u"recon"_s};
}

QString BenchRun::backend() const
{
    return m_databases.backend();
}

bool BenchRun::run(const QString &name)
{
    if (name == u"all"_s) {
        bool ran = true;
        for (const QString &each : scenarios())
            ran = run(each) && ran;
        return ran;
    }
    if (name == u"limits"_s)
        return runLimits();
    std::optional<ScenarioReport> report;
    QElapsedTimer timer;
    timer.start();
    out() << "\n== " << name << " (" << backend() << ")\n";
    out().flush();
    try {
        if (name == u"create"_s)
            report = create();
        else if (name == u"notify"_s)
            report = notify();
        else if (name == u"query"_s)
            report = query();
        else if (name == u"search"_s)
            report = search();
        else if (name == u"mixed"_s)
            report = mixed();
        else if (name == u"connections"_s)
            report = connections();
        else if (name == u"recon"_s)
            report = recon();
    } catch (const std::exception &error) {
        out() << "paydesk-bench: " << name << " failed: " << error.what() << "\n";
    }
    if (!report) {
        ScenarioReport failed;
        failed.scenario = name;
        failed.database = backend();
        failed.problems.append(u"the scenario could not run (see above)"_s);
        m_reports.append(failed);
        return false;
    }
    report->details.insert(u"wall_seconds"_s, double(timer.elapsed()) / 1000.0);
    report->print();
    m_reports.append(*report);
    return true;
}

bool BenchRun::ok() const
{
    for (const ScenarioReport &report : m_reports)
        if (!report.ok())
            return false;
    return !m_reports.isEmpty() || m_limits.has_value();
}

QJsonObject BenchRun::toJson() const
{
    QJsonArray list;
    for (const ScenarioReport &report : m_reports)
        list.append(report.toJson());
    return QJsonObject{{u"bench"_s, u"paydesk-bench"_s},
                       {u"version"_s, QStringLiteral(PAYDESK_VERSION)},
                       {u"at"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                       {u"database"_s, backend()},
                       {u"machine"_s,
                        QJsonObject{{u"cores"_s, QThread::idealThreadCount()},
                                    {u"kernel"_s, QSysInfo::kernelVersion()},
                                    {u"os"_s, QSysInfo::prettyProductName()}}},
                       {u"settings"_s, m_settings.toJson()},
                       {u"limits"_s, m_limits ? m_limits->toJson() : QJsonObject()},
                       {u"scenarios"_s, list},
                       {u"ok"_s, ok()}};
}

const ScenarioReport *BenchRun::previous(const QString &scenario) const
{
    for (const ScenarioReport &report : m_reports)
        if (report.scenario == scenario && report.load.requests > 0)
            return &report;
    return nullptr;
}

LoadClient::Options BenchRun::phase(qint64 maxRequests) const
{
    return LoadClient::Options{m_settings.connections, maxRequests, m_settings.seconds, false};
}

void BenchRun::addBareCeiling(ScenarioReport &report, const QString &why) const
{
    if (m_limits && m_limits->bareRoute() > 0)
        report.ceilings.append(Ceiling{u"bare TLS route"_s, m_limits->bareRoute(), why});
}

ScenarioReport BenchRun::measure(BenchStack &stack, const QString &scenario, LoadClient::Options options,
                                 const LoadClient::Source &source, const LoadClient::Check &check)
{
    ScenarioReport report;
    report.scenario = scenario;
    report.database = backend();
    report.connections = options.connections;
    const ProcessStats server = processStats(stack.serverPid());
    const ProcessStats sandbox = processStats(stack.sandboxPid());
    const ProcessStats client = processStats(QCoreApplication::applicationPid());
    LoadClient load(stack.port(), stack.ca(), options, source, check);
    report.load = load.run();
    report.clientCpuSeconds = processStats(QCoreApplication::applicationPid()).cpuSeconds - client.cpuSeconds;
    const ProcessStats serverAfter = processStats(stack.serverPid());
    report.serverCpuSeconds = serverAfter.cpuSeconds - server.cpuSeconds;
    report.sandboxCpuSeconds = processStats(stack.sandboxPid()).cpuSeconds - sandbox.cpuSeconds;
    report.writerCpuSeconds = serverAfter.writerCpuSeconds - server.writerCpuSeconds;
    report.serverPeakRssKiB = serverAfter.peakRssKiB;
    return report;
}

void BenchRun::warmUp(BenchStack &stack, const LoadClient::Source &source, const LoadClient::Check &check)
{
    if (m_settings.warmupSeconds <= 0)
        return;
    LoadClient warm(stack.port(), stack.ca(),
                    LoadClient::Options{m_settings.connections, 0, m_settings.warmupSeconds, false}, source, check);
    warm.run();
}

void BenchRun::closeBooks(BenchStack &stack, ScenarioReport &report, const QStringList &summaries)
{
    QString ledger;
    stack.finish(&report.problems, &ledger);
    report.booksChecked = true;
    report.booksSummary = (summaries + QStringList{ledger}).join(u"; "_s);
}

bool BenchRun::runLimits()
{
    out() << "\n== limits (" << backend() << ")\n";
    out().flush();
    Limits limits;
    limits.cores = QThread::idealThreadCount();

    const auto key = PrivateKey::generateRsa(2048);
    const QByteArray content = alipaySignContent();
    const QByteArray signature = RsaSignature::sign(*key, content).value();
    const PublicKey publicKey = key->publicKey();
    limits.rsaSignPerSecond
        = ratePerSecond(m_settings.cryptoSeconds, 10, [&] { (void)RsaSignature::sign(*key, content); });
    limits.rsaVerifyPerSecond = ratePerSecond(m_settings.cryptoSeconds, 100,
                                              [&] { (void)RsaSignature::verify(publicKey, content, signature); });
    const QByteArray secret = Random::token(32).toLatin1();
    const QByteArray message = PaydeskSignature::canonicalString("GET", "/v1/orders/P2025031409301512300007K3F9ZQ20A",
                                                                 1763800000, "Q2x1ZS1ub25jZS0wMDAx", {});
    limits.hmacPerSecond = ratePerSecond(m_settings.cryptoSeconds, 1000, [&] { (void)Hmac::sha256(secret, message); });

    // Durable inserts with the server's own connection settings (Database: WAL and
    // synchronous=FULL on SQLite; PostgreSQL as configured, fsync on for the bench's cluster).
    {
        QTemporaryDir dir;
        QString error;
        const QString spec = m_databases.newDatabase(dir.path(), &error);
        const auto config = spec.isEmpty() ? std::nullopt : DatabaseConfig::parse(spec, dir.path(), &error);
        if (!config) {
            out() << "paydesk-bench: no database for the limits: " << error << "\n";
            return false;
        }
        Database database(*config);
        {
            const QSqlDatabase db = database.threadConnection();
            StatementCache statements(db);
            sqlExecRaw(db,
                       u"CREATE TABLE bench_rows (id TEXT PRIMARY KEY, ref TEXT NOT NULL, amount BIGINT NOT NULL,"
                       " created_at BIGINT NOT NULL)"_s);
            qint64 next = 0;
            const QString insert = u"INSERT INTO bench_rows (id, ref, amount, created_at) VALUES (?, ?, ?, ?)"_s;
            const auto row = [&] {
                ++next;
                sqlExec(db, insert, {u"R%1"_s.arg(next, 12, 10, QChar(u'0')), u"ref"_s, next, next});
            };
            limits.commitsPerSecond = ratePerSecond(m_settings.databaseSeconds, 1, [&] {
                sqlExecRaw(db, u"BEGIN"_s);
                row();
                sqlExecRaw(db, u"COMMIT"_s);
                statements.reset();
            });
            limits.batchedRowsPerSecond = 100.0 * ratePerSecond(m_settings.databaseSeconds, 1, [&] {
                                              sqlExecRaw(db, u"BEGIN"_s);
                                              for (int i = 0; i < 100; ++i)
                                                  row();
                                              sqlExecRaw(db, u"COMMIT"_s);
                                              statements.reset();
                                          });
            statements.clear();
        }
        database.closeAll();
    }

    BenchStack stack(m_databases, {});
    QString error;
    if (!stack.prepare(&error) || !stack.startServer(&error)) {
        out() << "paydesk-bench: " << error << "\n";
        return false;
    }
    const LoadClient::Source health = [](qint64, int) {
        return LoadClient::Request{"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", 0};
    };
    warmUp(stack, health);
    ScenarioReport bare = measure(stack, u"bare route"_s, phase(), health);
    bare.notes.append(u"GET /healthz over keep-alive TLS: the server's floor per request"_s);
    QString ledger;
    stack.finish(&bare.problems, &ledger);
    limits.bare = bare;
    m_limits = limits;
    limits.print();
    m_reports.append(bare);
    return true;
}

} // namespace paydesk::bench
