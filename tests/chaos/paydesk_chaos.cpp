// paydesk-chaos: the seeded fault campaign (docs/chaos.md). Each seed is one reproducible scenario
// against real paydesk-server and paydesk-sandbox processes on a fresh database; after it settles,
// the books are checked. A failing seed prints its first violated invariant and the history
// around it; `paydesk-chaos --seed N` replays it.
#include "Campaign.h"

#include "common/util/Failpoint.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>
#include <QTextStream>

using namespace Qt::StringLiterals;
using namespace paydesk::chaos;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

/// Seeds that once found a defect: run first by every campaign.
QList<quint64> regressionSeeds(const QString &path)
{
    QList<quint64> seeds;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return seeds;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).section(u'#', 0, 0).trimmed();
        bool ok = false;
        const quint64 seed = line.toULongLong(&ok);
        if (ok)
            seeds.append(seed);
    }
    return seeds;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // The campaign arms faults for the server it starts through the environment; this process
    // reads its own (empty) failpoints now, so they never fire here.
    paydesk::failpoint::hit("chaos.self");
    paydesk::failpoint::clockSkewMs();
    QLoggingCategory::setFilterRules(u"paydesk.http.access=false\npaydesk.server.tls.info=false\n*.info=false"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Seeded fault campaign: scenarios of payments, refunds, wallets, withdrawals and red packets with\n"
        "duplicate, late, reordered, dropped and forged notifications, failing merchant endpoints, server\n"
        "crashes at named points and SIGKILL, then the invariants of the books. The database is the one\n"
        "PAYDESK_TEST_DB names (sqlite or postgresql: a throwaway local cluster)."_s);
    parser.addHelpOption();
    parser.addOptions({
        {u"seed"_s, u"run this one seed (replay)"_s, u"n"_s},
        {u"seeds"_s, u"run this many seeds (default 20)"_s, u"n"_s},
        {u"first"_s, u"the first seed of the campaign (default 1)"_s, u"n"_s},
        {u"ops"_s, u"operations per scenario (default 24)"_s, u"n"_s},
        {u"two-instances"_s, u"PostgreSQL: a second server instance (node 1, its clock skewed) on the database"_s},
        {u"regressions"_s, u"a file of seeds that once failed, run first (one per line, # comments)"_s, u"file"_s},
        {u"keep-going"_s, u"go on after a failing seed"_s},
        {u"verbose"_s, u"print every request and answer as it happens"_s},
    });
    parser.process(app);
    Options options;
    options.operations = std::clamp(parser.value(u"ops"_s).toInt(), 0, 1000);
    if (!parser.isSet(u"ops"_s))
        options.operations = 24;
    options.twoInstances = parser.isSet(u"two-instances"_s);
    options.verbose = parser.isSet(u"verbose"_s);

    QList<quint64> seeds;
    if (parser.isSet(u"seed"_s)) {
        seeds.append(parser.value(u"seed"_s).toULongLong());
    } else {
        if (parser.isSet(u"regressions"_s))
            seeds += regressionSeeds(parser.value(u"regressions"_s));
        const quint64 first = parser.isSet(u"first"_s) ? parser.value(u"first"_s).toULongLong() : 1;
        const int count = parser.isSet(u"seeds"_s) ? std::clamp(parser.value(u"seeds"_s).toInt(), 1, 1'000'000) : 20;
        for (int i = 0; i < count; ++i)
            seeds.append(first + quint64(i));
    }
    const QString database = qEnvironmentVariable("PAYDESK_TEST_DB", u"sqlite"_s);
    out() << "paydesk-chaos: " << seeds.size() << " seeds on " << database
          << (options.twoInstances ? " (two instances)" : "") << ", " << options.operations << " operations each\n";
    out().flush();

    int failed = 0, setupFailed = 0, requests = 0, invariants = 0, crashes = 0;
    for (const quint64 seed : std::as_const(seeds)) {
        const Outcome outcome = runSeed(seed, options);
        requests += outcome.requests;
        invariants += outcome.invariantsChecked;
        crashes += outcome.crashes;
        if (!outcome.setupError.isEmpty()) {
            ++setupFailed;
            out() << "seed " << seed << ": could not set up: " << outcome.setupError << "\n";
        } else if (outcome.violations.isEmpty()) {
            out() << "seed " << seed << ": ok (" << outcome.requests << " requests, " << outcome.invariantsChecked
                  << " checks, faults: " << outcome.faults << ", " << outcome.crashes << " crashes, "
                  << QString::number(outcome.seconds, 'f', 1) << " s)\n";
        } else {
            ++failed;
            out() << "seed " << seed << ": VIOLATED (faults: " << outcome.faults
                  << ")\n  first: " << outcome.violations.constFirst() << "\n";
            for (qsizetype i = 1; i < std::min<qsizetype>(outcome.violations.size(), 5); ++i)
                out() << "  also: " << outcome.violations.at(i) << "\n";
            out() << "  history before it:\n";
            for (const QString &line : outcome.historyTail)
                out() << "    " << line << "\n";
            out() << "  replay: PAYDESK_TEST_DB=" << database << " paydesk-chaos --seed " << seed
                  << (options.twoInstances ? " --two-instances" : "") << " --ops " << options.operations << "\n";
        }
        out().flush();
        if (failed > 0 && !parser.isSet(u"keep-going"_s))
            break;
    }
    out() << "\npaydesk-chaos: " << seeds.size() << " seeds, " << requests << " requests, " << invariants
          << " invariant checks, " << crashes << " server crashes, " << failed << " violated, " << setupFailed
          << " not set up\n";
    return failed == 0 && setupFailed == 0 ? 0 : 1;
}
