#include "BenchReport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QThread>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

// User + system CPU seconds from a /proc .../stat file (a process's or one of its threads').
double cpuSecondsOf(const QString &statPath)
{
    QFile stat(statPath);
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() <= 13)
        return 0;
    return double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) / double(sysconf(_SC_CLK_TCK));
}

} // namespace

QString cpuBoundLine(double machineUsPerRequest)
{
    const int cores = std::max(1, QThread::idealThreadCount());
    return QString::asprintf("%.0f us; %d cores full at %s/s", machineUsPerRequest, cores,
                             qPrintable(formatRate(cores * 1e6 / machineUsPerRequest)));
}

ProcessStats processStats(qint64 pid)
{
    ProcessStats stats;
    if (pid <= 0)
        return stats;
    stats.cpuSeconds = cpuSecondsOf(u"/proc/%1/stat"_s.arg(pid));
    // The writer thread's own share: one thread, so it caps every write-bound scenario.
    const QString tasks = u"/proc/%1/task"_s.arg(pid);
    for (const QString &task : QDir(tasks).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks + u'/' + task + u"/comm"_s);
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().startsWith("paydesk-db-writ"))
            stats.writerCpuSeconds += cpuSecondsOf(tasks + u'/' + task + u"/stat"_s);
    }
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmHWM:"))
                stats.peakRssKiB = line.mid(6).trimmed().split(' ').first().toLongLong();
            else if (line.startsWith("VmRSS:"))
                stats.rssKiB = line.mid(6).trimmed().split(' ').first().toLongLong();
        }
    }
    return stats;
}

qint64 findProcess(const QStringList &arguments)
{
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (!numeric)
            continue;
        QFile cmdline(u"/proc/%1/cmdline"_s.arg(pid));
        if (!cmdline.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> words = cmdline.readAll().split('\0');
        bool all = true;
        for (const QString &wanted : arguments) {
            bool found = false;
            for (const QByteArray &word : words)
                found = found || QString::fromLocal8Bit(word).endsWith(wanted);
            all = all && found;
        }
        if (all)
            return pid;
    }
    return 0;
}

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QString formatRate(double perSecond)
{
    if (perSecond >= 100)
        return QString::number(qRound64(perSecond));
    return QString::number(perSecond, 'f', 1);
}

double ScenarioReport::cpuUsPerRequest(double cpuSeconds) const
{
    return load.requests > 0 ? cpuSeconds * 1e6 / double(load.requests) : 0;
}

QJsonObject ScenarioReport::toJson() const
{
    QJsonArray ceilingList;
    for (const Ceiling &ceiling : ceilings)
        ceilingList.append(QJsonObject{{u"name"_s, ceiling.name},
                                       {u"per_second"_s, ceiling.perSecond},
                                       {u"basis"_s, ceiling.basis},
                                       {u"ratio"_s, ceiling.perSecond > 0 ? load.perSecond() / ceiling.perSecond : 0}});
    QJsonObject kinds;
    for (const auto &[kind, latencies] : load.latenciesByKind) {
        if (load.latenciesByKind.size() < 2 && kindNames.isEmpty())
            break;
        const auto errors = load.errorsByKind.find(kind);
        kinds.insert(kindNames.value(kind, QString::number(kind)),
                     QJsonObject{{u"requests"_s, qint64(latencies.size())},
                                 {u"errors"_s, errors == load.errorsByKind.end() ? 0 : errors->second},
                                 {u"p50_ms"_s, LoadClient::Result::percentileMs(latencies, 50)},
                                 {u"p95_ms"_s, LoadClient::Result::percentileMs(latencies, 95)},
                                 {u"p99_ms"_s, LoadClient::Result::percentileMs(latencies, 99)}});
    }
    QJsonArray problemList;
    for (const QString &problem : problems)
        problemList.append(problem);
    QJsonArray errorSamples;
    for (const QByteArray &sample : load.firstErrors)
        errorSamples.append(QString::fromUtf8(sample));
    QJsonObject json{{u"scenario"_s, scenario},
                     {u"database"_s, database},
                     {u"connections"_s, connections},
                     {u"requests"_s, load.requests},
                     {u"errors"_s, load.errors},
                     {u"seconds"_s, load.seconds},
                     {u"requests_per_second"_s, load.perSecond()},
                     {u"p50_ms"_s, load.percentileMs(50)},
                     {u"p95_ms"_s, load.percentileMs(95)},
                     {u"p99_ms"_s, load.percentileMs(99)},
                     {u"server_cpu_us_per_request"_s, cpuUsPerRequest(serverCpuSeconds)},
                     {u"sandbox_cpu_us_per_request"_s, cpuUsPerRequest(sandboxCpuSeconds)},
                     {u"writer_cpu_us_per_request"_s, cpuUsPerRequest(writerCpuSeconds)},
                     {u"client_cpu_us_per_request"_s, cpuUsPerRequest(clientCpuSeconds)},
                     {u"server_peak_rss_kib"_s, serverPeakRssKiB},
                     {u"ceilings"_s, ceilingList},
                     {u"target"_s, target},
                     {u"target_met"_s, targetMet},
                     {u"books_checked"_s, booksChecked},
                     {u"books"_s, booksSummary},
                     {u"problems"_s, problemList},
                     {u"ok"_s, ok()}};
    if (!kinds.isEmpty())
        json.insert(u"kinds"_s, kinds);
    if (!errorSamples.isEmpty())
        json.insert(u"error_samples"_s, errorSamples);
    if (!notes.isEmpty())
        json.insert(u"notes"_s, QJsonArray::fromStringList(notes));
    if (!details.isEmpty())
        json.insert(u"details"_s, details);
    return json;
}

void ScenarioReport::print() const
{
    QTextStream &o = out();
    o << QString::asprintf("  %-10s %9s req/s  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  errors %lld  "
                           "server %6.0f us/req, peak RSS %lld MiB",
                           qPrintable(scenario), qPrintable(formatRate(load.perSecond())), load.percentileMs(50),
                           load.percentileMs(95), load.percentileMs(99), load.errors, cpuUsPerRequest(serverCpuSeconds),
                           serverPeakRssKiB / 1024);
    if (sandboxCpuSeconds > 0)
        o << QString::asprintf(", sandbox %.0f us/req", cpuUsPerRequest(sandboxCpuSeconds));
    if (writerCpuSeconds > 0 && load.seconds > 0)
        o << QString::asprintf(", database writer thread %.0f us/req (busy %.0f %%)", cpuUsPerRequest(writerCpuSeconds),
                               100.0 * writerCpuSeconds / load.seconds);
    if (clientCpuSeconds > 0)
        o << QString::asprintf(", bench process %.0f us/req", cpuUsPerRequest(clientCpuSeconds));
    o << "\n";
    if (load.latenciesByKind.size() > 1 || !kindNames.isEmpty()) {
        for (const auto &[kind, latencies] : load.latenciesByKind) {
            const auto errors = load.errorsByKind.find(kind);
            o << QString::asprintf("      %-22s %8zu requests  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  errors %lld\n",
                                   qPrintable(kindNames.value(kind, QString::number(kind))), latencies.size(),
                                   LoadClient::Result::percentileMs(latencies, 50),
                                   LoadClient::Result::percentileMs(latencies, 95),
                                   LoadClient::Result::percentileMs(latencies, 99),
                                   errors == load.errorsByKind.end() ? 0LL : errors->second);
        }
    }
    for (const Ceiling &ceiling : ceilings) {
        if (ceiling.perSecond <= 0)
            continue;
        o << QString::asprintf("      %.3f x %s (%s/s: %s)\n", load.perSecond() / ceiling.perSecond,
                               qPrintable(ceiling.name), qPrintable(formatRate(ceiling.perSecond)),
                               qPrintable(ceiling.basis));
    }
    // What the whole machine spends on one request, and the rate at which that fills every core.
    const double machineUs = cpuUsPerRequest(serverCpuSeconds + sandboxCpuSeconds + clientCpuSeconds);
    if (clientCpuSeconds > 0 && machineUs > 0)
        o << "      CPU per request, server + sandbox + bench process (load, merchant endpoint): "
          << cpuBoundLine(machineUs) << "\n";
    for (const QString &note : notes)
        o << "      " << note << "\n";
    for (const QByteArray &sample : load.firstErrors)
        o << "      error: " << QString::fromUtf8(sample.left(300)).simplified() << "\n";
    if (booksChecked)
        o << "      books: " << (problems.isEmpty() ? u"OK, "_s : u"BROKEN, "_s) << booksSummary << "\n";
    for (const QString &problem : problems)
        o << "      PROBLEM: " << problem << "\n";
    o.flush();
}

void printTable(const QList<ScenarioReport> &reports)
{
    QTextStream &o = out();
    o << "\n"
      << QString::asprintf("%-10s %-10s %9s %8s %8s %8s %6s %9s %9s %8s  %-28s %7s  %-14s %s\n", "scenario", "database",
                           "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "srv us/rq", "sbx us/rq", "peak MiB",
                           "compared with", "ratio", "target", "books");
    for (const ScenarioReport &report : reports) {
        const Ceiling first = report.ceilings.value(0);
        const QString ratio
            = first.perSecond > 0 ? QString::number(report.load.perSecond() / first.perSecond, 'f', 3) : u"-"_s;
        const QString target
            = report.target.isEmpty() ? u"-"_s : (report.targetMet ? u"met "_s : u"MISSED "_s) + report.target;
        o << QString::asprintf("%-10s %-10s %9s %8.2f %8.2f %8.2f %6lld %9.0f %9.0f %8lld  %-28s %7s  %-14s %s\n",
                               qPrintable(report.scenario), qPrintable(report.database),
                               qPrintable(formatRate(report.load.perSecond())), report.load.percentileMs(50),
                               report.load.percentileMs(95), report.load.percentileMs(99), report.load.errors,
                               report.cpuUsPerRequest(report.serverCpuSeconds),
                               report.cpuUsPerRequest(report.sandboxCpuSeconds), report.serverPeakRssKiB / 1024,
                               qPrintable(first.name.left(28)), qPrintable(ratio), qPrintable(target),
                               !report.booksChecked            ? "-"
                                   : report.problems.isEmpty() ? "OK"
                                                               : "BROKEN");
    }
    o.flush();
}

} // namespace paydesk::bench
