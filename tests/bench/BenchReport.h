#pragma once

// What a benchmark scenario reports: throughput and latency from the load client, the server's
// CPU and memory from /proc, the reference ceilings it is compared with, and the verdict on the
// books. Printed as one table for all scenarios of a run and written as JSON.
#include "LoadClient.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace paydesk::bench {

/// CPU time and memory of a process, from /proc/<pid>/stat and /proc/<pid>/status.
struct ProcessStats
{
    double cpuSeconds = 0; ///< user + system
    double writerCpuSeconds = 0; ///< of the server's database writer thread (paydesk-db-writer)
    qint64 peakRssKiB = 0; ///< VmHWM
    qint64 rssKiB = 0; ///< VmRSS
};
ProcessStats processStats(qint64 pid);
/// The pid of a running process whose command line contains every one of the given arguments
/// (e.g. a binary name and its unique --data-dir), or 0.
qint64 findProcess(const QStringList &arguments);

/// The console the bench prints to (stdout, flushed after every line by its users).
QTextStream &out();

/// A reference rate a scenario is compared with: measured in the same run, or computed from such
/// measurements (basis says how).
struct Ceiling
{
    QString name;
    double perSecond = 0;
    QString basis;
};

/// One scenario's outcome.
struct ScenarioReport
{
    QString scenario;
    QString database;
    int connections = 0;
    LoadClient::Result load;
    QMap<int, QString> kindNames; ///< names of the load's request kinds, for per-kind latencies
    double serverCpuSeconds = 0;
    double sandboxCpuSeconds = 0;
    double writerCpuSeconds = 0; ///< the server's database writer thread: one thread, so at most 1 s/s
    double clientCpuSeconds = 0; ///< the load generator (this process)
    qint64 serverPeakRssKiB = 0;
    QList<Ceiling> ceilings; ///< the first is the one the table shows
    QString target; ///< the issue's target, as text
    bool targetMet = false;
    bool booksChecked = false;
    QStringList problems; ///< discrepancies in the books or the run; any makes the run fail
    QString booksSummary;
    QStringList notes;
    QJsonObject details; ///< scenario-specific figures for the JSON

    double cpuUsPerRequest(double cpuSeconds) const;
    bool ok() const { return problems.isEmpty() && load.errors == 0; }
    QJsonObject toJson() const;
    /// The scenario's own lines: per-kind latencies, ratios to every ceiling, the books.
    void print() const;
};

/// The table of all scenarios of a run, then every ratio and every problem.
void printTable(const QList<ScenarioReport> &reports);

QString formatRate(double perSecond);
/// "N us; C cores full at R/s": what one request costs the machine, and the rate at which that
/// fills every core.
QString cpuBoundLine(double machineUsPerRequest);

} // namespace paydesk::bench
