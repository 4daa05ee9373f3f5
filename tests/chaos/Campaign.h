#pragma once

// One seed of the fault campaign: a scenario generated from the seed alone, run against real
// paydesk-server and paydesk-sandbox processes with faults injected, a history of every request
// and its answer, and the invariants checked on the books once everything has settled.
#include <QString>
#include <QStringList>

#include <optional>

namespace paydesk::chaos {

struct Options
{
    int operations = 24; ///< operations a scenario makes (besides its set-up)
    bool twoInstances = false; ///< PostgreSQL: a second server instance on the same database
    bool verbose = false; ///< print the history as it is made
};

struct Outcome
{
    quint64 seed = 0;
    QString database;
    QString faults; ///< the server faults the seed armed (failpoints, kills, skew)
    int requests = 0; ///< requests in the history
    int crashes = 0; ///< times the server died (a failpoint or SIGKILL) and was restarted
    int invariantsChecked = 0; ///< individual checks made after settling
    QStringList violations; ///< empty: every invariant held
    QStringList historyTail; ///< the history around the first violation
    QString setupError; ///< the stack could not be set up (not a violation of the books)
    double seconds = 0;
};

/// Runs one seed from a fresh database on the backend PAYDESK_TEST_DB names (sqlite by default).
Outcome runSeed(quint64 seed, const Options &options);

} // namespace paydesk::chaos
