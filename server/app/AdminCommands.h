#pragma once

#include <QMap>
#include <QString>
#include <QTextStream>

namespace paydesk {

struct ApiContext;

/// `paydesk-server` subcommands for setup and operations: merchants, staff users, API keys and
/// the first-run demo data. They use the same services and audit trail as the API.
class AdminCommands final
{
public:
    AdminCommands(ApiContext &context, QTextStream &out, QTextStream &err);

    int createMerchant(const QString &code, const QString &name, const QString &notifyUrl);
    int createStaff(const QString &username, const QString &role, const QString &merchantCode,
                    const QString &displayName);
    int createApiKey(const QString &merchantCode, const QString &label);
    int listApiKeys(const QString &merchantCode);
    int revokeApiKey(const QString &keyId);
    /// The newest text the log SMS provider sent to a phone (sandbox and test harness).
    int lastSms(const QString &phone);
    /// Trial balance and stored balances against postings; exit code 1 when anything is off.
    int ledgerCheck();
    int walletCheck();
    /// Reconciles a day (see `paydesk-server --help`); prints each run's totals.
    int reconcile(const QString &date, const QString &channelId, const QString &billFile, const QString &billFormat,
                  bool json);
    /// Channel accounts. options: type, id, name, app-id, mch-id, private-key-file, platform-key-file,
    /// platform-serial, merchant-serial, api-v3-key-file, gateway-url, gateway-ca-file, notify-url,
    /// weight, enabled (set only). The same validation and encryption as POST /v1/channels.
    int addChannel(const QMap<QString, QString> &options);
    int setChannel(const QString &id, const QMap<QString, QString> &options);
    int listChannels();
    /// When the database has no staff user yet: creates a demo merchant, a platform admin, a
    /// merchant operator and an API key, and writes their credentials to path (mode 0600).
    int firstRun(const QString &path, const QString &serverUrl, const QString &caPath);

private:
    QString merchantIdForCode(const QString &code);
    template<typename Work>
    int run(Work work);

    ApiContext &m_context;
    QTextStream &m_out;
    QTextStream &m_err;
};

} // namespace paydesk
