// paydesk-bench: measures Paydesk's main paths on this machine, against limits measured in the
// same run, so results read as ratios on shared, noisy machines; and checks the books after
// every scenario. docs/benchmark.md says what each scenario does and how to read the output.
#include "AuthGrabScenarios.h"
#include "BenchDatabase.h"
#include "BenchReport.h"
#include "BenchRun.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace paydesk::bench;

namespace {

// A thousand client sockets, and the server (a child) inherits the limit.
void raiseOpenFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"paydesk-bench"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Paydesk benchmark (docs/benchmark.md). Scenarios:\n"
        "  limits       this machine's ceilings: bare TLS route, RSA-2048 sign/verify, HMAC, durable inserts\n"
        "  create       signed POST /v1/orders, half Alipay, half WeChat, through the sandbox\n"
        "  notify       pre-signed channel notifications for PAYING orders\n"
        "  query        signed GET /v1/orders/{no} on a table of --orders orders\n"
        "  search       the console's GET /v1/console/orders, first and deeper pages\n"
        "  mixed        30% create, 30% notify, 40% query\n"
        "  connections  server RSS with --idle-connections open keep-alive connections\n"
        "  recon        paydesk-server reconcile of a day of --orders payments against their bill\n"
        "  all          limits, then every scenario above, one table at the end\n"
        "  auth, grab   the authentication cost; red packet grabs (see docs/benchmark.md)\n"
        "Every scenario but auth starts its own server and sandbox on a fresh database and checks the"
        " books afterwards; the exit code is 0 only without errors and with the books right."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"scenario"_s,
                                 u"auth (default), grab, limits, create, notify, query, search, "
                                 "mixed, connections, recon or all"_s);
    parser.addOptions({
        {u"connections"_s, u"keep-alive connections of the load (default 32; --smoke 8)"_s, u"n"_s},
        {u"seconds"_s, u"timed seconds per phase (default 10; --smoke 2)"_s, u"s"_s},
        {u"db"_s,
         u"sqlite (default, or $PAYDESK_TEST_DB), postgresql (a throwaway durable local cluster) or a "
         "postgresql:// URL of an existing server that may CREATE DATABASE"_s,
         u"db"_s},
        {u"orders"_s, u"orders in the query and search table and of the recon day (default 1000000)"_s, u"n"_s},
        {u"notifies"_s, u"notifications signed before the notify phase (default 40000)"_s, u"n"_s},
        {u"creates"_s, u"stop the create phase after n creates (default: time only)"_s, u"n"_s},
        {u"pages"_s, u"pages each search follows through next_cursor (default 10)"_s, u"n"_s},
        {u"idle-connections"_s, u"connections held open for the RSS measurement (default 1000)"_s, u"n"_s},
        {u"no-limits"_s, u"skip the limits before a single scenario (no ratios then)"_s},
        {u"smoke"_s, u"tiny sizes, a few seconds each, books checked, no timing targets (ctest)"_s},
        {u"server"_s, u"auth: the paydesk-server binary"_s, u"path"_s},
        {u"json"_s, u"also write the results as JSON to this file"_s, u"file"_s},
    });
    parser.process(app);
    raiseOpenFileLimit();
    // The merchant's back end runs Paydesk's own listener in this process: no access log lines.
    QLoggingCategory::setFilterRules(u"paydesk.http.access=false\npaydesk.server.tls.info=false"_s);
    const QString scenario = parser.positionalArguments().value(0, u"auth"_s);
    const auto number = [&parser](const QString &name, qint64 fallback, qint64 min, qint64 max) {
        return parser.isSet(name) ? std::clamp(parser.value(name).toLongLong(), min, max) : fallback;
    };
    const bool smoke = parser.isSet(u"smoke"_s);
    const int connections = int(number(u"connections"_s, smoke ? 8 : 32, 1, 1000));

    if (scenario == u"auth"_s)
        return authScenario(connections, int(number(u"seconds"_s, 10, 1, 600)), parser.value(u"db"_s),
                            parser.value(u"server"_s), parser.value(u"json"_s));
    const bool postgresArgument = parser.value(u"db"_s).startsWith(u"postgres"_s);
    if (scenario == u"grab"_s)
        return grabScenario(connections, postgresArgument, parser.value(u"json"_s), smoke);
    if (scenario != u"all"_s && !BenchRun::scenarios().contains(scenario)) {
        out() << "paydesk-bench: unknown scenario " << scenario << "\n";
        return 64;
    }

    Settings settings;
    settings.smoke = smoke;
    settings.connections = connections;
    settings.seconds = int(number(u"seconds"_s, smoke ? 2 : 10, 1, 600));
    settings.creates = number(u"creates"_s, smoke ? 200 : 0, 0, 100'000'000);
    settings.notifies = int(number(u"notifies"_s, smoke ? 200 : 40'000, 2, 2'000'000));
    settings.orders = number(u"orders"_s, smoke ? 2'000 : 1'000'000, 10, 100'000'000);
    settings.searchPages = int(number(u"pages"_s, smoke ? 3 : 10, 1, 1000));
    settings.idleConnections = int(number(u"idle-connections"_s, smoke ? 100 : 1'000, 1, 10'000));
    if (smoke) {
        settings.cryptoSeconds = 0.2;
        settings.databaseSeconds = 0.3;
        settings.warmupSeconds = 0;
    }
    const QString database
        = parser.isSet(u"db"_s) ? parser.value(u"db"_s) : qEnvironmentVariable("PAYDESK_TEST_DB", u"sqlite"_s);
    QString error;
    const std::unique_ptr<DatabaseProvider> databases = DatabaseProvider::create(database, &error);
    if (!databases) {
        out() << "paydesk-bench: " << error << "\n";
        return 2;
    }
    out() << "paydesk-bench " << scenario << " on " << databases->backend() << ": " << settings.connections
          << " keep-alive TLS connections, " << settings.seconds << " s phases" << (smoke ? ", smoke sizes" : "")
          << "\n";
    out().flush();

    BenchRun run(*databases, settings);
    if (scenario != u"all"_s && scenario != u"limits"_s && !parser.isSet(u"no-limits"_s))
        run.run(u"limits"_s);
    run.run(scenario);
    printTable(run.reports());
    if (parser.isSet(u"json"_s)) {
        QFile json(parser.value(u"json"_s));
        if (!json.open(QIODevice::WriteOnly) || json.write(QJsonDocument(run.toJson()).toJson()) < 0)
            out() << "paydesk-bench: cannot write " << json.fileName() << "\n";
    }
    QStringList failed;
    for (const ScenarioReport &report : run.reports())
        if (!report.ok())
            failed.append(report.scenario);
    if (scenario == u"all"_s) {
        // grab and auth set up their own stacks: run after the others, on the same backend.
        out() << "\n== grab (" << databases->backend() << ")\n";
        out().flush();
        if (grabScenario(connections, databases->backend() == u"postgresql"_s, {}, smoke) != 0)
            failed.append(u"grab"_s);
        out() << "\n== auth\n";
        out().flush();
        if (authScenario(connections, smoke ? 1 : int(number(u"seconds"_s, 10, 1, 600)), {}, parser.value(u"server"_s),
                         {})
            != 0)
            failed.append(u"auth"_s);
    }
    if (!failed.isEmpty() || !run.ok()) {
        out() << "\npaydesk-bench: FAILED (" << failed.join(u", "_s)
              << "): errors, or books that do not add up; see the PROBLEM lines above\n";
        return 1;
    }
    out() << "\npaydesk-bench: every answer right and the books in order\n";
    return 0;
}
