#include "server/app/ServerApp.h"

#include "common/crypto/Random.h"
#include "common/util/IdGenerator.h"
#include "server/api/ApiContext.h"
#include "server/api/ConsoleRoutes.h"
#include "server/api/ReconRoutes.h"
#include "server/api/DiagnosticRoutes.h"
#include "server/api/IdentityRoutes.h"
#include "server/api/OpenApiRoutes.h"
#include "server/api/PaymentRoutes.h"
#include "server/api/EventRoutes.h"
#include "server/api/RedPacketRoutes.h"
#include "server/events/EventHub.h"
#include "server/api/WalletRoutes.h"
#include "server/api/SystemRoutes.h"
#include "server/auth/ApiKeyService.h"
#include "server/auth/AppAuthService.h"
#include "server/auth/RateLimiter.h"
#include "server/auth/RequestAuthenticator.h"
#include "server/auth/NonceRecorder.h"
#include "server/auth/RequestPipeline.h"
#include "server/auth/SessionStore.h"
#include "server/auth/StaffAuthService.h"
#include "server/http/HttpServer.h"
#include "server/http/Metrics.h"
#include "server/http/Router.h"
#include "server/payments/Payments.h"
#include "server/security/FieldCipher.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Migrator.h"
#include "server/store/Sql.h"
#include "server/tls/TlsBootstrap.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QPointer>
#include <QSocketNotifier>
#include <QSslConfiguration>
#include <QTimer>

#include <csignal>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcServer, "paydesk.server")

namespace paydesk {

namespace {

int s_signalPipe[2] = {-1, -1};

void onSignal(int signal)
{
    const char byte = char(signal);
    [[maybe_unused]] const auto written = ::write(s_signalPipe[1], &byte, 1);
}

/// The writer makes rows visible a moment before they are on disk (DbWriter): what leaves the
/// process - an answer, a request to a channel or a merchant - waits until every batch committed
/// by then is on disk. A writer unit's own result, while the unit completes, is on disk already.
Barrier durableBarrier(DbWriter *writer)
{
    return [writer]() -> std::optional<QFuture<void>> {
        if (DbWriter::completingDurably())
            return std::nullopt;
        const quint64 seen = writer->committedSeq();
        if (writer->durableSeq() >= seen)
            return std::nullopt;
        return writer->whenDurable(seen);
    };
}

} // namespace

ServerApp::ServerApp(ServerConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_metrics(std::make_unique<Metrics>())
{
}

ServerApp::~ServerApp()
{
    m_events.reset();
    m_http.reset();
    if (m_payments) {
        m_payments->jobs.stop();
        m_payments->recon.stop();
    }
    m_workers.waitForDone();
    m_payments.reset();
    if (m_writer)
        m_writer->stop();
    m_writer.reset();
    if (m_database)
        m_database->closeAll();
}

bool ServerApp::initialise(QString *error)
{
    QDir dataDir(m_config.dataDir);
    if (!dataDir.exists() && !QDir().mkpath(m_config.dataDir)) {
        *error = u"cannot create the data directory %1"_s.arg(m_config.dataDir);
        return false;
    }
    QFile::setPermissions(m_config.dataDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    if (!ServerConfig::writeDefaultFile(dataDir.filePath(u"paydesk.ini"_s), error))
        return false;

    QString tlsError;
    m_tls = ensureTlsMaterial(m_config.dataDir, m_config.tlsExtraNames, &tlsError);
    if (!m_tls) {
        *error = u"TLS setup failed: %1"_s.arg(tlsError);
        return false;
    }
    QString keyError;
    m_cipher = FieldCipher::load(m_config.dataDir, &keyError);
    if (!m_cipher) {
        *error = u"field-encryption keys: %1"_s.arg(keyError);
        return false;
    }

    const auto dbConfig = DatabaseConfig::parse(m_config.database, m_config.dataDir, error);
    if (!dbConfig)
        return false;
    m_database = std::make_unique<Database>(*dbConfig);
    try {
        const QSqlDatabase db = m_database->openConnection(u"migrate"_s);
        const Migrator::Outcome outcome = Migrator::migrate(db, m_database->isSqlite());
        m_schemaVersion = outcome.toVersion;
        if (!outcome.applied.isEmpty()) {
            qCInfo(lcServer).noquote()
                << u"schema migrated from version %1 to %2"_s.arg(outcome.fromVersion).arg(outcome.toVersion);
        }
    } catch (const std::exception &exception) {
        *error = u"database %1: %2"_s.arg(dbConfig->displayName(), QString::fromUtf8(exception.what()));
        return false;
    }

    DbWriter::Options writerOptions;
    writerOptions.maxBatch = m_config.writerMaxBatch;
    writerOptions.maxQueue = m_config.writerMaxQueue;
    m_writer = std::make_unique<DbWriter>(*m_database, m_metrics.get(), writerOptions);
    try {
        m_writer->start();
    } catch (const std::exception &exception) {
        *error = u"database writer: %1"_s.arg(QString::fromUtf8(exception.what()));
        return false;
    }

    const Clock clock = systemClock();
    m_merchantIds = std::make_unique<IdGenerator>(u"MC"_s, m_config.nodeId);
    m_staffIds = std::make_unique<IdGenerator>(u"ST"_s, m_config.nodeId);
    m_keyIds = std::make_unique<IdGenerator>(u"AK"_s, m_config.nodeId);
    m_sessions = std::make_unique<SessionStore>(*m_database, *m_writer, clock, m_config.security);
    m_apiKeys = std::make_unique<ApiKeyService>(*m_database, *m_cipher, *m_keyIds, clock);
    m_staffAuth
        = std::make_unique<StaffAuthService>(*m_database, *m_writer, *m_cipher, *m_staffIds, clock, m_config.security);
    m_authenticator
        = std::make_unique<RequestAuthenticator>(*m_database, *m_sessions, *m_apiKeys, clock, m_config.security);
    m_limiter = std::make_unique<RateLimiter>();
    m_appUserIds = std::make_unique<IdGenerator>(u"AU"_s, m_config.nodeId);
    m_sms = std::make_unique<LogSmsProvider>(clock);
    m_appAuth = std::make_unique<AppAuthService>(*m_writer, *m_cipher, *m_appUserIds, *m_sms, *m_limiter, clock,
                                                 m_config.security);
    PaymentsConfig payments;
    payments.publicUrl = m_config.effectivePublicUrl();
    payments.timeScale = m_config.timeScale;
    payments.alertWebhookUrl = m_config.alertWebhookUrl;
    payments.jobThreads = m_config.jobThreads;
    payments.skipPolls = m_config.testRoutes && m_config.faultSkipPolls;
    if (!m_config.notifyCaFile.isEmpty()) {
        payments.notifyCa = QSslCertificate::fromPath(m_config.notifyCaFile);
        if (payments.notifyCa.isEmpty()) {
            *error = u"notify CA file %1 holds no PEM certificate"_s.arg(m_config.notifyCaFile);
            return false;
        }
    }
    JobRunner::Options jobOptions;
    jobOptions.ownerPrefix = u"node%1:"_s.arg(m_config.nodeId);
    jobOptions.owner = jobOptions.ownerPrefix + Random::alphanumeric(8);
    jobOptions.concurrency = m_config.jobThreads;
    if (m_config.testRoutes && m_config.testJobLeaseMs > 0)
        jobOptions.leaseMs = m_config.testJobLeaseMs;
    WalletConfig wallet;
    wallet.dayOffsetMinutes = m_config.dayOffsetMinutes;
    wallet.fourEyesThreshold = m_config.fourEyesThreshold;
    wallet.maxTransfer = m_config.maxTransfer;
    wallet.maxWithdrawal = m_config.maxWithdrawal;
    RedPacketConfig redPackets;
    redPackets.maxShares = m_config.redPacketMaxShares;
    redPackets.defaultExpireHours = m_config.redPacketExpireHours;
    redPackets.expiryScanMs = m_config.redPacketExpiryScanMs;
    redPackets.compensationScanMs = m_config.redPacketCompensationScanMs;
    redPackets.skipGrabTransfer = m_config.testRoutes && m_config.faultSkipGrabTransfer;
    ReconConfig recon;
    recon.billDir = QDir(m_config.dataDir).filePath(m_config.reconBillDir);
    recon.daily = m_config.reconDaily;
    recon.dailyAtMinutes = m_config.reconDailyAtMinutes;
    recon.alertAfterDays = m_config.reconAlertAfterDays;
    m_payments = std::make_unique<Payments>(*m_database, *m_writer, *m_cipher, clock, payments, m_config.nodeId,
                                            jobOptions, wallet, redPackets, recon);
    // No request to a channel or a merchant tells of rows not yet on disk (durableBarrier).
    m_payments->http.setSendBarrier(durableBarrier(m_writer.get()));
    m_context.reset(new ApiContext{*m_database, *m_writer, *m_cipher, *m_merchantIds, *m_staffIds, *m_staffAuth,
                                   *m_apiKeys, clock, m_config.security, m_payments.get()});
    return true;
}

namespace {

// Every client connection is a file descriptor; the usual soft limit of 1024 would cap the
// server far below HttpLimits::maxConnections.
void raiseOpenFileLimit(int connections)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    const rlim_t wanted = rlim_t(connections) + 256;
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = std::min(wanted, limit.rlim_max);
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur < wanted)
        qCWarning(lcServer) << "open-file limit" << limit.rlim_cur << "is below max_connections + 256";
}

} // namespace

bool ServerApp::start(QString *error)
{
    raiseOpenFileLimit(m_config.http.maxConnections + m_config.http.maxRejectingConnections);
    m_workers.setMaxThreadCount(m_config.effectiveWorkerThreads());
    m_workers.setExpiryTimeout(-1); // reader connections are per thread: keep the threads

    buildRouter();

    m_http = std::make_unique<HttpServer>(m_config.http, *m_router, &m_workers, m_metrics.get());
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setLocalCertificate(m_tls->certificate);
    ssl.setLocalCertificateChain(QList<QSslCertificate>{m_tls->certificate} + m_tls->chain);
    ssl.setPrivateKey(m_tls->key);
    m_http->setTlsConfiguration(ssl);
    // No answer tells of rows not yet on disk (a retried request replayed from a reader, a GET).
    m_http->setAnswerBarrier(durableBarrier(m_writer.get()));
    m_http->setMaxPendingConnections(1024);
    if (!m_http->listen(m_config.listenAddress, m_config.listenPort)) {
        *error = u"cannot listen on %1:%2: %3"_s.arg(m_config.listenAddress.toString())
                     .arg(m_config.listenPort)
                     .arg(m_http->errorString());
        return false;
    }

    HttpServer *http = m_http.get();
    DbWriter *writer = m_writer.get();
    m_metrics->addGauge("paydesk_http_open_connections", "Client connections open now.",
                        [http] { return http->openConnections(); });
    m_metrics->addGauge("paydesk_http_queued_requests", "Requests waiting for or running on workers.",
                        [http] { return http->queuedRequests(); });
    m_metrics->addGauge("paydesk_db_writer_queue", "Units of work waiting for the database writer.",
                        [writer] { return writer->queueDepth(); });
    m_metrics->addGauge("paydesk_event_streams", "Event stream (WebSocket) connections open now.",
                        [http] { return http->openStreams(); });
    m_events = std::make_unique<EventHub>(*m_database, clock,
                                          [http](const QString &audience, const QByteArray &text) {
                                              http->publish(audience, text);
                                          });
    m_events->setBeforeDelivery(
        [writer = m_writer.get()] { return writer->waitDurable(writer->committedSeq(), std::chrono::seconds(1)); });
    m_events->start();
    watchSignals();
    m_payments->redPackets.start();
    m_payments->recon.start();
    m_payments->jobs.start();
    m_cleanupTimer = new QTimer(this);
    connect(m_cleanupTimer, &QTimer::timeout, this, &ServerApp::removeExpiredRows);
    m_cleanupTimer->start(m_config.cleanupSeconds * 1'000);
    auto *nonceTimer = new QTimer(this);
    connect(nonceTimer, &QTimer::timeout, this, [nonces = m_nonces.get()] { nonces->flushBehind(); });
    nonceTimer->start(NonceRecorder::kBehindFlushMs);

    const QString host = m_config.listenAddress.protocol() == QAbstractSocket::IPv6Protocol
        ? u"[%1]"_s.arg(m_config.listenAddress.toString())
        : m_config.listenAddress.toString();
    qCInfo(lcServer).noquote() << u"listening on https://%1:%2 (database %3, %4 workers)"_s.arg(host)
                                      .arg(m_http->serverPort())
                                      .arg(m_database->config().displayName())
                                      .arg(m_workers.maxThreadCount());
    // What clients that pin certificates (the console) show on first contact, to compare.
    qCInfo(lcServer).noquote() << u"certificate SHA-256 %1 (CA file %2)"_s.arg(
        QString::fromLatin1(m_tls->certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper()),
        m_tls->caPath);
    return true;
}

const Router &ServerApp::buildRouter()
{
    if (m_router)
        return *m_router;
    m_router = std::make_unique<Router>();
    // A read's nonce stays in the guard for at least its expiry (skew + 60 s) plus 40 s of clock
    // drift; one further ahead goes to the database.
    m_nonces = std::make_unique<NonceRecorder>(*m_writer, m_config.security.signatureSkewMs + 100'000,
                                               NonceRecorder::kGuardCapacity);
    const qint64 preloaded = m_nonces->preload(m_database->threadConnection(), systemClock()());
    if (preloaded > 0)
        qCInfo(lcServer) << "remembered" << preloaded << "unexpired request nonces";
    m_pipeline = std::make_unique<RequestPipeline>(*m_authenticator, *m_limiter, *m_writer, *m_nonces, &m_workers,
                                                   systemClock(), m_config.security);
    // GET handlers only read: they read through the worker's own connection with its statements
    // kept prepared (Database::ReadScope), whether they run at once or after the request's
    // admission. Other handlers may wait for their own writes and then read, which needs a fresh
    // snapshot, so they keep preparing per call.
    m_router->setPipeline([pipeline = m_pipeline.get(), database = m_database.get()](
                              HttpRequest &request, const RouteSpec &spec, const Router::AsyncHandler &handler) {
        if (spec.method != "GET")
            return (*pipeline)(request, spec, handler);
        return (*pipeline)(request, spec, [database, &handler](HttpRequest &admitted) {
            Database::ReadScope scope(*database);
            return handler(admitted);
        });
    });
    registerSystemRoutes(*m_router, *m_database, *m_metrics, m_schemaVersion, m_config.metricsAllow);
    registerSessionRoutes(*m_router, *m_context);
    registerMerchantRoutes(*m_router, *m_context);
    registerAppAuthRoutes(*m_router, *m_context, *m_appAuth);
    registerAuditRoutes(*m_router, *m_context);
    registerPaymentRoutes(*m_router, *m_context);
    registerWalletRoutes(*m_router, *m_context);
    registerRedPacketRoutes(*m_router, *m_context);
    registerEventRoutes(*m_router, *m_context);
    registerChannelRoutes(*m_router, *m_context);
    registerConsoleRoutes(*m_router, *m_context);
    registerReconRoutes(*m_router, *m_context);
    registerOpenApiRoute(*m_router);
    if (m_config.testRoutes) {
        qCWarning(lcServer) << "diagnostic /_test routes are enabled; never do this in production";
        registerDiagnosticRoutes(*m_router, *m_database, *m_writer);
    }

    return *m_router;
}

void ServerApp::watchSignals()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, s_signalPipe) != 0) {
        qCWarning(lcServer) << "cannot watch signals; SIGTERM will not drain gracefully";
        return;
    }
    m_signalNotifier = new QSocketNotifier(s_signalPipe[0], QSocketNotifier::Read, this);
    connect(m_signalNotifier, &QSocketNotifier::activated, this, [this] {
        char byte = 0;
        [[maybe_unused]] const auto n = ::read(s_signalPipe[0], &byte, 1);
        if (m_shuttingDown)
            return; // Ctrl-C in a terminal and run.sh's SIGTERM both arrive
        qCInfo(lcServer).noquote() << (byte == SIGINT ? u"interrupted"_s : u"terminated"_s)
                                   << "- draining and shutting down";
        shutdown();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

void ServerApp::removeExpiredRows()
{
    // Bounded batches, each a writer unit of its own, so a backlog never turns into one huge
    // transaction; a table that had a full batch is swept again at once (the nonces of a busy
    // minute are far more than one batch).
    constexpr int kBatch = 5'000;
    constexpr int kMaxRounds = 400;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString row = m_database->isSqlite() ? u"rowid"_s : u"ctid"_s;
    const QString limit = u" LIMIT "_s + QString::number(kBatch) + u")"_s;
    const QList<std::pair<QString, qint64>> sweeps = {
        {u"DELETE FROM request_nonces WHERE (key_id, nonce) IN"
         " (SELECT key_id, nonce FROM request_nonces WHERE expires_at < ?"_s
             + limit,
         now},
        {u"DELETE FROM read_nonces WHERE "_s + row + u" IN (SELECT "_s + row
             + u" FROM read_nonces WHERE expires_at < ?"_s + limit,
         now},
        {u"DELETE FROM idempotency_keys WHERE (scope, idem_key) IN"
         " (SELECT scope, idem_key FROM idempotency_keys WHERE expires_at < ?"_s
             + limit,
         now},
        {u"DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at < ?"_s + limit,
         now},
        {u"DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE created_at < ?"_s + limit,
         now - EventHub::kRetentionMs},
    };
    for (const auto &[sql, before] : sweeps)
        sweepTable(sql, before, kBatch, kMaxRounds);
}

void ServerApp::sweepTable(const QString &sql, qint64 before, int batch, int roundsLeft)
{
    QPointer<ServerApp> self(this);
    m_writer
        ->submit<int>([sql, before](const QSqlDatabase &db) { return sqlExec(db, sql, {before}).numRowsAffected(); })
        .then(this,
              [self, sql, before, batch, roundsLeft](int deleted) {
                  if (self && !self->m_shuttingDown && deleted >= batch && roundsLeft > 1)
                      self->sweepTable(sql, before, batch, roundsLeft - 1);
              })
        .onFailed(this, [](const std::exception &error) {
            qCWarning(lcServer) << "removing expired rows failed:" << error.what();
        });
}

void ServerApp::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    if (!m_http) {
        completeShutdown();
        return;
    }
    // Queued: drained() is emitted from deep inside a closing connection's signal handler.
    connect(m_http.get(), &HttpServer::drained, this, &ServerApp::completeShutdown, Qt::QueuedConnection);
    QTimer::singleShot(m_config.shutdownDrainMs, this, [this] {
        if (!m_finished)
            qCWarning(lcServer) << "drain deadline passed with" << m_http->openConnections() << "connections open";
        completeShutdown();
    });
    m_http->beginShutdown();
}

void ServerApp::completeShutdown()
{
    if (m_finished)
        return;
    m_finished = true;
    // Handlers still running finish (their results are dropped if their client is gone), jobs
    // finish their current call; then the writer commits everything queued before the exit.
    m_events->stop();
    m_payments->jobs.stop();
    m_workers.waitForDone();
    m_payments->service.pool().waitForDone();
    m_nonces->flushBehind();
    m_payments->recon.stop();
    if (m_writer)
        m_writer->stop();
    qCInfo(lcServer) << "stopped";
    emit finished(0);
}

} // namespace paydesk
