#pragma once

// The scenarios of paydesk-bench (docs/benchmark.md), each on its own stack, with the reference
// ceilings measured in the same run and the books checked after every scenario.
#include "BenchReport.h"
#include "LoadClient.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace paydesk::bench {

class BenchStack;
class DatabaseProvider;

/// Sizes and durations; --smoke makes them tiny.
struct Settings
{
    int connections = 32;
    int seconds = 10; ///< timed phases
    qint64 creates = 0; ///< 0: as many as the phase allows
    int notifies = 40'000; ///< pre-signed notifications (the phase ends early when they run out)
    qint64 orders = 1'000'000; ///< the query and search table; the recon scenario's day
    int searchPages = 10; ///< pages followed per search, through next_cursor
    int idleConnections = 1'000; ///< for the RSS measurement
    double cryptoSeconds = 1.0;
    double databaseSeconds = 2.0;
    int warmupSeconds = 1;
    bool smoke = false;
    QJsonObject toJson() const;
};

/// The same run's reference ceilings.
struct Limits
{
    int cores = 1;
    double rsaSignPerSecond = 0; ///< RSA-2048 PKCS#1 v1.5 SHA-256, one core
    double rsaVerifyPerSecond = 0;
    double hmacPerSecond = 0; ///< HMAC-SHA256 of a string to sign, one core
    double commitsPerSecond = 0; ///< durable commits of one row
    double batchedRowsPerSecond = 0; ///< durable commits of 100 rows, in rows
    std::optional<ScenarioReport> bare; ///< GET /healthz on the same server stack

    double bareRoute() const { return bare ? bare->load.perSecond() : 0; }
    /// Every create costs two RSA-2048 signatures (Paydesk to the channel, the channel's answer)
    /// and two verifications (the channel checks the request, Paydesk the answer), all on this
    /// machine's cores.
    double createCryptoBound() const;
    QJsonObject toJson() const;
    void print() const;
};

class BenchRun final
{
public:
    BenchRun(DatabaseProvider &databases, Settings settings);
    ~BenchRun();
    Q_DISABLE_COPY_MOVE(BenchRun)

    static QStringList scenarios(); ///< limits, create, notify, query, search, mixed, connections, recon
    /// Runs one scenario by name ("all": every one, limits first); false when it could not run.
    bool run(const QString &name);

    const QList<ScenarioReport> &reports() const { return m_reports; }
    const std::optional<Limits> &limits() const { return m_limits; }
    bool ok() const;
    QJsonObject toJson() const;

private:
    bool runLimits();
    std::optional<ScenarioReport> create();
    std::optional<ScenarioReport> notify();
    std::optional<ScenarioReport> query();
    std::optional<ScenarioReport> search();
    std::optional<ScenarioReport> mixed();
    std::optional<ScenarioReport> connections();
    std::optional<ScenarioReport> recon();

    /// One timed phase against the stack's server, with the server's and the sandbox's CPU time.
    ScenarioReport measure(BenchStack &stack, const QString &scenario, LoadClient::Options options,
                           const LoadClient::Source &source, const LoadClient::Check &check = {});
    void warmUp(BenchStack &stack, const LoadClient::Source &source, const LoadClient::Check &check = {});
    /// Stops the stack, runs the ledger check and records the books' verdict in the report.
    void closeBooks(BenchStack &stack, ScenarioReport &report, const QStringList &summaries);
    LoadClient::Options phase(qint64 maxRequests = 0) const;
    void addBareCeiling(ScenarioReport &report, const QString &why) const;
    const ScenarioReport *previous(const QString &scenario) const;
    QString backend() const;
    /// How long to wait for the merchant notifications a phase caused.
    qint64 deliveryWaitMs() const;

    DatabaseProvider &m_databases;
    Settings m_settings;
    std::optional<Limits> m_limits;
    QList<ScenarioReport> m_reports;
    QString m_runTag;
};

} // namespace paydesk::bench
