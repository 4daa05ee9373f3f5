#pragma once

#include "server/app/ServerConfig.h"
#include "server/tls/TlsBootstrap.h"

#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <memory>

class QSocketNotifier;

namespace paydesk {

class ApiKeyService;
class AppAuthService;
class SmsProvider;
class Database;
class DbWriter;
class FieldCipher;
class HttpServer;
class IdGenerator;
class Metrics;
class NonceRecorder;
struct Payments;
class RateLimiter;
class RequestAuthenticator;
class RequestPipeline;
class Router;
class SessionStore;
class StaffAuthService;
struct ApiContext;

/// Wires the server's parts together in one place and runs them: data directory, TLS material,
/// database and migrations, writer, worker pool, routes, listener, graceful shutdown.
class ServerApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerApp)

public:
    explicit ServerApp(ServerConfig config, QObject *parent = nullptr);
    ~ServerApp() override;

    /// Prepares the data directory (config file, TLS, keys), the database schema, the writer and
    /// the services. Returns false with a message for the operator.
    bool initialise(QString *error);
    /// The services, for the administration commands (valid after initialise()).
    ApiContext &context() { return *m_context; }
    Database &database() { return *m_database; }
    const ServerConfig &config() const { return m_config; }
    /// Every route with the request pipeline in front (valid after initialise()).
    const Router &buildRouter();
    /// Starts serving; initialise() must have succeeded.
    bool start(QString *error);
    /// Stops accepting, lets in-flight requests finish (bounded), commits, then emits finished().
    void shutdown();

signals:
    void finished(int exitCode);

private:
    void watchSignals();
    void removeExpiredRows();
    void sweepTable(const QString &sql, qint64 before, int batch, int roundsLeft);
    void completeShutdown();

    ServerConfig m_config;
    int m_schemaVersion = 0;
    std::optional<TlsMaterial> m_tls;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<DbWriter> m_writer;
    std::unique_ptr<FieldCipher> m_cipher;
    std::unique_ptr<IdGenerator> m_merchantIds;
    std::unique_ptr<IdGenerator> m_staffIds;
    std::unique_ptr<IdGenerator> m_keyIds;
    std::unique_ptr<IdGenerator> m_appUserIds;
    std::unique_ptr<SmsProvider> m_sms;
    std::unique_ptr<AppAuthService> m_appAuth;
    std::unique_ptr<SessionStore> m_sessions;
    std::unique_ptr<ApiKeyService> m_apiKeys;
    std::unique_ptr<StaffAuthService> m_staffAuth;
    std::unique_ptr<RequestAuthenticator> m_authenticator;
    std::unique_ptr<RateLimiter> m_limiter;
    std::unique_ptr<NonceRecorder> m_nonces; ///< outlives nothing that uses the writer: the writer stops first
    std::unique_ptr<RequestPipeline> m_pipeline;
    std::unique_ptr<Payments> m_payments;
    std::unique_ptr<ApiContext> m_context;
    QThreadPool m_workers;
    std::unique_ptr<Router> m_router;
    QTimer *m_cleanupTimer = nullptr;
    std::unique_ptr<HttpServer> m_http;
    std::unique_ptr<class EventHub> m_events;
    QSocketNotifier *m_signalNotifier = nullptr;
    bool m_shuttingDown = false;
    bool m_finished = false;
};

} // namespace paydesk
