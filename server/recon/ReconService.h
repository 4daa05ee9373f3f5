#pragma once

#include "server/auth/SecurityConfig.h"
#include "server/payments/Outbox.h"
#include "server/recon/BillReader.h"
#include "server/recon/ReconItems.h"

#include <QDate>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>
#include <QSqlDatabase>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace paydesk {

class Database;
class DbWriter;
class IdGenerator;
class PaymentService;

/// Settings of reconciliation ([reconciliation] in paydesk.ini).
struct ReconConfig
{
    QString billDir; ///< where downloaded bills are kept: <billDir>/<channel id>/<date>.<ext>
    bool daily = true; ///< run the daily job
    int dailyAtMinutes = 120; ///< the daily job's time of day (UTC+8), for the previous day
    int alertAfterDays = 3; ///< unresolved items older than this raise RECON_UNRESOLVED
    int maxItems = 10'000; ///< discrepancies one run may record; beyond, the run fails (wrong bill?)
    int maxRepairs = 1'000; ///< channel queries one run may make to repair what it finds
};

/// Daily reconciliation: each channel account's bill against the day's orders and refunds
/// (streamed, hash-matched in linear time), the platform's own books against themselves, and the
/// discrepancy items people resolve. See docs/reconciliation.md.
class ReconService final
{
public:
    /// Channel bills are cut at midnight China Standard Time.
    static constexpr int BillDayOffsetMinutes = 480;
    static inline const QString Internal = QStringLiteral("internal");

    ReconService(Database &database, DbWriter &writer, PaymentService &payments, Clock clock, ReconConfig config,
                 int nodeId, QString owner);
    ~ReconService();

    void attach(JobRunner &jobs);
    /// Schedules the daily job (leased through the outbox, so one instance runs it).
    void start();
    /// Waits for runs started by startRuns() (tests).
    void waitIdle();
    /// Interrupts runs in progress (they end FAILED, to be run again) and waits for them.
    void stop();

    /// Starts runs for day in the background: channelId one account, "internal", or empty for
    /// every enabled account plus the internal checks. Returns the runs as they are now.
    QJsonArray startRuns(const QDate &day, const QString &channelId, const QString &requestedBy);
    /// Runs one account's reconciliation now (blocking: channel calls); with billFile, reads that
    /// file instead of downloading. Returns the finished run.
    QJsonObject runChannel(const QDate &day, const QString &channelId, const QString &requestedBy,
                           const QString &billFile = {}, const QString &billFormat = {});
    /// What a run of channelId covers as (id, type): that account, "internal", or (empty) every
    /// enabled account and then the internal checks. NOT_FOUND for an unknown account.
    QList<std::pair<QString, QString>> targets(const QString &channelId);
    /// Runs the internal checks now, labelled with day.
    QJsonObject runInternal(const QDate &day, const QString &requestedBy);

    QJsonArray runs(const QSqlDatabase &db, const QDate &from, const QDate &to, const QString &channelId) const;
    QJsonObject run(const QSqlDatabase &db, const QString &id) const;

    /// The daily job (public for tests).
    JobResult dailyJob(const OutboxJob &job);
    /// The item queries (recon::ReconItems) are static; items are resolved through the writer.
    /// Raises RECON_UNRESOLVED for items open longer than alertAfterDays; returns how many.
    int alertUnresolved();

    /// The business day (UTC+8) an instant falls in, and the instant a business day starts.
    static QDate billDay(qint64 ms);
    static qint64 dayStart(const QDate &day);

private:
    struct Progress
    {
        std::atomic<qint64> lines{0};
        std::atomic<qint64> bytes{0};
        std::atomic<qint64> totalBytes{0};
    };
    struct Claim;
    struct Outcome;
    Claim claim(const QDate &day, const QString &channelId, const QString &channelType, const QString &requestedBy);
    void setPhase(const QString &runId, const QString &phase);
    void fail(const QString &runId, qint64 startedAt, const QString &error);
    QJsonObject runJson(const QSqlDatabase &db, const QString &where, const QVariant &value) const;
    QJsonObject execute(const Claim &claimed, const QDate &day, const QString &billFile, const QString &billFormat);
    /// execute(), a failure recorded on the run; returns the run as it ended.
    QJsonObject executeOrFail(const Claim &claimed, const QDate &day, const QString &billFile,
                              const QString &billFormat);
    /// Claims the run of (day, account) and executes it here; a run held by another returns as it is.
    QJsonObject runNow(const QDate &day, const QString &channelId, const QString &channelType,
                       const QString &requestedBy, const QString &billFile, const QString &billFormat);
    /// Downloads and keeps the bill; its path, or empty when the channel has no bill for the day.
    QString downloadBill(const QDate &day, const QString &channelId, recon::BillFormat *format);
    /// RECON_MISSING_CHANNEL for carried payments no bill ever had.
    void raiseNeverBilled(const QSqlDatabase &db, const QString &channelId,
                          const QList<recon::ReconItems::Carried> &items, qint64 nowMs);
    qint64 nextDailyAt(qint64 nowMs) const;
    std::shared_ptr<Progress> progressOf(const QString &runId);

    Database &m_database;
    DbWriter &m_writer;
    PaymentService &m_payments;
    Clock m_clock;
    ReconConfig m_config;
    QString m_owner;
    std::unique_ptr<IdGenerator> m_runIds, m_itemIds;
    QThreadPool m_pool;
    std::atomic<bool> m_stopping{false};
    mutable QMutex m_progressMutex;
    QHash<QString, std::shared_ptr<Progress>> m_progress;
};

} // namespace paydesk
