#pragma once

#include "server/auth/SecurityConfig.h"
#include "server/http/HttpLimits.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

class QCommandLineParser;

namespace paydesk {

/// Everything paydesk-server can be told: defaults, then <data-dir>/paydesk.ini, then the
/// command line, each overriding the one before.
struct ServerConfig
{
    QString dataDir = QStringLiteral("var");
    QString configFile; ///< defaults to <data-dir>/paydesk.ini
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 8443;
    QString database = QStringLiteral("paydesk.sqlite3"); ///< SQLite path (relative to data dir) or postgresql:// URL
    int workerThreads = 0; ///< 0 = twice the cores, at least 4
    int writerMaxBatch = 256;
    int writerMaxQueue = 20'000;
    int shutdownDrainMs = 10'000;
    int cleanupSeconds = 60; ///< how often expired nonces, idempotency keys, sessions and events go
    HttpLimits http;
    SecurityConfig security;
    int nodeId = 0;                     ///< 0-9999, distinct per server instance sharing a database
    QStringList tlsExtraNames; ///< host names / IPs the server certificate should also cover
    QList<std::pair<QHostAddress, int>> metricsAllow
        = {{QHostAddress(QStringLiteral("127.0.0.1")), 8}, {QHostAddress::LocalHostIPv6, 128}};
    QString logFormat = QStringLiteral("text"); ///< text (logfmt-like) or json, one line per event
    bool accessLog = true;
    bool testRoutes = false; ///< diagnostic routes for the test suite; never in production
    qint64 testIdempotencyLeaseMs = 0; ///< [testing] idempotency_lease_ms (with test routes): 0 keeps 120 s
    qint64 testJobLeaseMs = 0; ///< [testing] job_lease_ms (with test routes): 0 keeps 120 s
    QString publicUrl; ///< base URL channels call back; default https://<listen address>:<port>
    int timeScale = 1; ///< divides payment scheduling delays (tests and demos only)
    QString notifyCaFile; ///< extra CA certificates trusted for merchant notify URLs and the alert webhook
    QString alertWebhookUrl; ///< optional ops webhook for new alerts
    int jobThreads = 16; ///< concurrent channel calls and merchant notifications
    int dayOffsetMinutes = 480; ///< [wallet] business days start at 00:00 at UTC+offset (risk counters)
    qint64 fourEyesThreshold = 500'000; ///< [wallet] withdrawals from this amount (fen) need two admins
    qint64 maxTransfer = 5'000'000; ///< [wallet] one transfer at most (fen)
    qint64 maxWithdrawal = 5'000'000; ///< [wallet] one withdrawal at most (fen)
    int redPacketMaxShares = 100; ///< [red_packets] shares in one packet
    int redPacketExpireHours = 24; ///< [red_packets] default lifetime
    qint64 redPacketExpiryScanMs = 600'000; ///< [red_packets] expiry refund job interval
    qint64 redPacketCompensationScanMs = 1'800'000; ///< [red_packets] transfer compensation job interval
    bool reconDaily = true; ///< [reconciliation] daily: run the daily reconciliation job
    int reconDailyAtMinutes = 120; ///< [reconciliation] daily_at (UTC+8), minutes after midnight
    int reconAlertAfterDays = 3; ///< [reconciliation] alert_after_days
    QString reconBillDir = QStringLiteral("bills"); ///< [reconciliation] bill_dir (relative to the data dir)
    bool faultSkipGrabTransfer = false; ///< [testing] grabs commit without their transfer (with testing/routes)
    bool faultSkipPolls = false; ///< [testing] order and refund polls do nothing (with testing/routes)

    /// publicUrl, or the listen address when it is not set.
    QString effectivePublicUrl() const;

    /// Registers the options on parser.
    static void addOptions(QCommandLineParser &parser);
    /// Resolves the data dir from the parser, reads the file (if any) and applies the command line.
    /// Returns nullopt and sets error on an invalid value.
    static std::optional<ServerConfig> load(const QCommandLineParser &parser, QString *error);
    /// Writes a commented default configuration file unless one exists.
    static bool writeDefaultFile(const QString &path, QString *error);
    int effectiveWorkerThreads() const;
};

} // namespace paydesk
