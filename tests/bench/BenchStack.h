#pragma once

// The payment stack one scenario measures: a fresh data directory and database, paydesk-sandbox
// and paydesk-server as real processes (real time: no time scale), the sandbox's Alipay and
// WeChat Pay accounts added as channels, the first-run demo merchant and its API key, and
// optionally the merchant's back end (MerchantEndpoint) as the demo merchant's notify URL.
#include "ApiClient.h"
#include "SandboxProcess.h"
#include "ServerProcess.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace paydesk {
class Database;
}

namespace paydesk::bench {

class DatabaseProvider;
class MerchantEndpoint;

/// A PAYDESK-HMAC-SHA256-signed request as raw HTTP/1.1 bytes (fresh timestamp and nonce).
QByteArray signedRequest(const QString &keyId, const QByteArray &secret, const QByteArray &method,
                         const QByteArray &target, const QByteArray &body = {});
/// A request with a bearer token (staff sessions) as raw HTTP/1.1 bytes.
QByteArray bearerRequest(const QString &token, const QByteArray &method, const QByteArray &target);

class BenchStack final
{
public:
    struct Options
    {
        bool merchantEndpoint = false;
        /// Codes of merchants to create besides the demo merchant (paydesk-server merchant create).
        QStringList extraMerchants;
    };
    BenchStack(DatabaseProvider &databases, Options options);
    ~BenchStack();
    Q_DISABLE_COPY_MOVE(BenchStack)

    /// Data directory, database, init, sandbox, channels, merchants; the server is not started.
    bool prepare(QString *error);
    bool startServer(QString *error);
    /// SIGTERM and wait; the exit code (0 when it shut down cleanly).
    int stopServer();
    /// Stops the server (if running) and the sandbox, then proves the ledger's trial balance with
    /// `paydesk-server ledger check`; problems get what is wrong.
    void finish(QStringList *problems, QString *ledgerLine);

    quint16 port() const { return m_server ? m_server->port() : 0; }
    QSslCertificate ca() const;
    qint64 serverPid() const;
    qint64 sandboxPid() const;
    Database &reader();
    const QString &dataDir() const { return m_dataDir; }
    QString sandboxDir() const { return m_dir.path() + QStringLiteral("/sandbox"); }
    const QJsonObject &sandboxManifest() const { return m_sandbox->manifest(); }
    const QString &databaseSpec() const { return m_db; }
    bool isPostgres() const;

    QString keyId() const { return m_firstRun.value(QStringLiteral("api_key_id")); }
    QByteArray secret() const { return m_firstRun.value(QStringLiteral("api_key_secret")).toLatin1(); }
    QString merchantId() const { return m_firstRun.value(QStringLiteral("merchant_id")); }
    static QString channelId(const QString &type) { return type + QStringLiteral("-sbx"); }
    MerchantEndpoint *merchantEndpoint() { return m_endpoint.get(); }

    int runServerCommand(const QStringList &arguments, QByteArray *output = nullptr);
    paydesk::test::ApiClient client() const;
    /// A staff user created with `paydesk-server staff create`, its password changed, signed in.
    QString staffToken(const QString &username, const QString &role, const QString &merchantCode = {});

private:
    DatabaseProvider &m_databases;
    Options m_options;
    QTemporaryDir m_dir;
    QString m_dataDir;
    QString m_db;
    QMap<QString, QString> m_firstRun;
    std::unique_ptr<paydesk::test::SandboxProcess> m_sandbox;
    std::unique_ptr<paydesk::test::ServerProcess> m_server;
    std::unique_ptr<MerchantEndpoint> m_endpoint;
    std::unique_ptr<Database> m_reader;
};

} // namespace paydesk::bench
