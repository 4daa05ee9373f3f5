#pragma once

// The payment stack as integration tests run it: a fresh database (SQLite or a throwaway
// PostgreSQL cluster, as ctest names it), paydesk-sandbox and paydesk-server as real processes with
// a compressed time scale, the sandbox's Alipay, WeChat Pay and payout accounts configured with
// `paydesk-server channel add`, the first-run demo merchant and a platform admin signed in.
#include "ApiClient.h"
#include "SandboxProcess.h"
#include "ServerProcess.h"
#include "StoreFixture.h"

#include <QDeadlineTimer>
#include <QJsonObject>
#include <QThread>

#include <functional>
#include <memory>
#include <optional>

namespace paydesk {
class FieldCipher;
}

namespace paydesk::test {

/// Waits for a condition with a deadline, checking it every few milliseconds.
template<typename Condition> bool waitFor(Condition condition, int timeoutMs = 30'000)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (condition())
            return true;
        QThread::msleep(20);
    }
    return condition();
}

QByteArray compactJson(const QJsonObject &object);

class PaymentStack final
{
public:
    PaymentStack();
    ~PaymentStack();

    /// beforeServer runs once the data directory exists and before the server starts; what it
    /// returns is added to the server's command line.
    using BeforeServer = std::function<QStringList(const QString &dataDir)>;
    bool setUp(QString *error, const BeforeServer &beforeServer = {});
    /// Stops the server and proves the ledger's trial balance; false (with output) when off.
    bool tearDown(QByteArray *output);

    bool startServer(QString *error);
    /// Rewrites paydesk.ini: the stack's own settings, then extra (e.g. "[testing]\nroutes=true\n").
    bool writeConfig(const QByteArray &extra, QString *error);
    /// Stops the server, which must exit cleanly (its last output is logged if not), and starts it
    /// again with the current paydesk.ini.
    bool restartServer(QString *error);
    /// writeConfig(extra), then restartServer().
    bool reconfigure(const QByteArray &extra, QString *error) { return writeConfig(extra, error) && restartServer(error); }
    ServerProcess &server() { return *m_server; }
    SandboxProcess &sandbox() { return *m_sandbox; }
    Database &reader() { return *m_reader; }
    const QString &dataDir() const { return m_dataDir; }

    int runServerCommand(const QStringList &arguments, QByteArray *output = nullptr);
    ApiClient client() { return ApiClient(m_server->port(), m_server->caCertificate()); }

    QString keyId() const { return m_firstRun.value(QStringLiteral("api_key_id")); }
    QByteArray secret() const { return m_firstRun.value(QStringLiteral("api_key_secret")).toLatin1(); }
    QString merchantId() const { return m_firstRun.value(QStringLiteral("merchant_id")); }
    const QString &adminToken() const { return m_adminToken; }

    /// A staff user with a changed password, signed in; its token.
    QString staffToken(const QString &username, const QString &role, const QString &merchantCode = {});
    /// An app user signed in with an SMS code (registered on first sign-in); its token.
    QString appSignIn(const QString &phone);

    /// A new app user (a fresh phone number), signed in.
    struct AppUser
    {
        QString id;
        QString token;
    };
    AppUser newAppUser();
    std::optional<RawResponse> app(const AppUser &user, const QByteArray &method, const QByteArray &target,
                                   const QJsonObject &body = {}, const QByteArray &headers = {});
    /// X-Action-Token (fresh, for the purpose) and Idempotency-Key (given, or fresh) header lines.
    QByteArray actionHeaders(const AppUser &user, const QString &purpose, const QByteArray &idempotencyKey = {});
    /// Recharges the user's wallet through the sandbox and waits until the credit shows.
    bool recharge(const AppUser &user, qint64 amount, const QString &channel = QStringLiteral("alipay"));
    QJsonObject wallet(const AppUser &user);
    qint64 available(const AppUser &user);
    qint64 frozen(const AppUser &user);
    /// GET /v1/admin/wallet-check as the platform admin.
    QJsonObject walletCheck();

    std::optional<RawResponse> merchant(const QByteArray &method, const QByteArray &target,
                                        const QJsonObject &body = {});
    QJsonObject createOrder(const QString &channel, qint64 amount, const QString &method = QStringLiteral("qr"),
                            int expectedStatus = 201);
    QJsonObject order(const QString &orderNo);
    bool waitForStatus(const QString &orderNo, const QString &status, int timeoutMs = 30'000);
    /// The sandbox buyer scans the order's code and pays (extra: amount, force, …).
    QJsonObject pay(const QJsonObject &createdOrder, QJsonObject extra = {});
    /// Replaces the sandbox's faults (empty: none).
    bool setFaults(const QJsonObject &faults);

    qint64 balance(const QString &accountId);
    int journalEntries(const QString &refId);
    QJsonArray alerts(const QString &kind);

private:
    StoreFixture m_fixture;
    QString m_dataDir;
    QString m_db;
    QStringList m_serverArguments;
    QMap<QString, QString> m_firstRun;
    std::unique_ptr<SandboxProcess> m_sandbox;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<Database> m_reader;
    std::unique_ptr<FieldCipher> m_cipher;
    QString m_adminToken;
    int m_sequence = 0;
    int m_phones = 0;
    int m_keys = 0;
};

} // namespace paydesk::test
