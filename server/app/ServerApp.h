#pragma once

#include "server/app/ServerConfig.h"
#include "server/tls/TlsBootstrap.h"

#include <QObject>
#include <QThreadPool>

#include <memory>

class QSocketNotifier;

namespace paydesk {

class Database;
class DbWriter;
class HttpServer;
class Metrics;
class Router;

/// Wires the server's parts together in one place and runs them: data directory, TLS material,
/// database and migrations, writer, worker pool, routes, listener, graceful shutdown.
class ServerApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerApp)

public:
    explicit ServerApp(ServerConfig config, QObject *parent = nullptr);
    ~ServerApp() override;

    /// Prepares the data directory (config file, TLS, keys) and the database schema.
    /// Returns false with a message for the operator.
    bool initialise(QString *error);
    /// Starts serving; initialise() must have succeeded.
    bool start(QString *error);
    /// Stops accepting, lets in-flight requests finish (bounded), commits, then emits finished().
    void shutdown();

signals:
    void finished(int exitCode);

private:
    void watchSignals();
    void completeShutdown();

    ServerConfig m_config;
    int m_schemaVersion = 0;
    std::optional<TlsMaterial> m_tls;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<DbWriter> m_writer;
    QThreadPool m_workers;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<HttpServer> m_http;
    QSocketNotifier *m_signalNotifier = nullptr;
    bool m_shuttingDown = false;
    bool m_finished = false;
};

} // namespace paydesk
