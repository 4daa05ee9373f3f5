// paydesk-server: the headless HTTPS server of Paydesk, and its administration commands.
#include "server/api/OpenApiRoutes.h"
#include "server/app/AdminCommands.h"
#include "server/app/Logging.h"
#include "server/app/MaintenanceCommands.h"
#include "server/app/ServerApp.h"
#include "server/app/ServerConfig.h"
#include "server/http/Router.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

const char *const kUsage = R"(Paydesk payment server.

Commands:
  serve                         run the HTTPS server (default)
  init [--first-run-file F]     create the data directory, TLS files, keys and schema, then exit;
                                with --first-run-file and an empty database, also a demo merchant,
                                a platform admin, an operator and an API key, written to F (0600)
  migrate                       bring the database schema up to date, then exit
  merchant create --code C --name N [--notify-url U]
  staff create --username U --role R [--merchant CODE] [--display-name D]
                                prints a one-time password (R: operator, merchant_admin,
                                platform_admin, auditor)
  apikey create --merchant CODE [--label L]   prints api_key_id and api_key_secret (shown once)
  apikey list --merchant CODE
  apikey revoke KEY_ID
  sms last --phone P            the newest message the built-in "log" SMS provider sent to P
  keys rotate                   new field-encryption key; re-encrypts every encrypted column
  audit verify                  checks the audit log's hash chain
  channel add --type alipay|wechat --id ID --app-id A --mch-id M --private-key-file F
              --platform-key-file F [--platform-serial S] [--merchant-serial S] [--api-v3-key-file F]
              --gateway-url U [--gateway-ca-file F] [--notify-url U] [--weight N] [--name N]
                                adds a channel account (keys are stored encrypted)
  channel set ID [--enabled true|false] [--weight N] [--gateway-url U] [--platform-key-file F …]
  channel list
  ledger check                  trial balance: every entry balances, every balance matches its postings
  wallet check                  every wallet's balance is explained by its recharges, income, transfers
                                and withdrawals; frozen funds match open withdrawals
  reconcile --date D [--channel C] [--bill-file F [--bill-format alipay-trade-zip|wechat-tradebill-csv|
            wechat-tradebill-gzip]] [--json]
                                reconciles day D (YYYY-MM-DD, China Standard Time) against each enabled
                                channel account's bill (downloaded, or read from F) and runs the internal
                                checks (--channel internal: only those); exit 0 when nothing is open,
                                2 when discrepancies are open, 1 when a run failed
  openapi                       prints the OpenAPI document of the HTTPS API)";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"paydesk-server"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(PAYDESK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromLatin1(kUsage));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(u"command"_s, u"see above"_s, u"[command [subcommand] [args]]"_s);
    paydesk::ServerConfig::addOptions(parser);
    parser.addOptions({
        {u"first-run-file"_s, u"init: where to write the demo credentials"_s, u"file"_s},
        {u"code"_s, u"merchant code"_s, u"code"_s},
        {u"name"_s, u"merchant name"_s, u"name"_s},
        {u"notify-url"_s, u"merchant notification URL"_s, u"url"_s},
        {u"username"_s, u"staff username"_s, u"username"_s},
        {u"role"_s, u"staff role"_s, u"role"_s},
        {u"merchant"_s, u"merchant code"_s, u"code"_s},
        {u"display-name"_s, u"staff display name"_s, u"name"_s},
        {u"label"_s, u"API key label"_s, u"label"_s},
        {u"phone"_s, u"phone number"_s, u"phone"_s},
        {u"type"_s, u"channel type"_s, u"type"_s},
        {u"id"_s, u"channel id"_s, u"id"_s},
        {u"app-id"_s, u"channel app id"_s, u"id"_s},
        {u"mch-id"_s, u"channel merchant id (Alipay seller id, WeChat mchid)"_s, u"id"_s},
        {u"private-key-file"_s, u"channel private key (PEM)"_s, u"file"_s},
        {u"platform-key-file"_s, u"channel platform public key or certificate (PEM)"_s, u"file"_s},
        {u"platform-serial"_s, u"serial of the platform key"_s, u"serial"_s},
        {u"merchant-serial"_s, u"WeChat merchant certificate serial"_s, u"serial"_s},
        {u"api-v3-key-file"_s, u"WeChat API v3 key file"_s, u"file"_s},
        {u"gateway-url"_s, u"channel gateway URL"_s, u"url"_s},
        {u"gateway-ca-file"_s, u"extra CA for the gateway (PEM)"_s, u"file"_s},
        {u"weight"_s, u"routing weight"_s, u"n"_s},
        {u"enabled"_s, u"true or false"_s, u"bool"_s},
        {u"date"_s, u"reconcile: the business day"_s, u"YYYY-MM-DD"_s},
        {u"channel"_s, u"reconcile: one channel account id, or internal"_s, u"id"_s},
        {u"bill-file"_s, u"reconcile: read this bill instead of downloading it"_s, u"file"_s},
        {u"bill-format"_s, u"reconcile: the bill file's format"_s, u"format"_s},
        {u"json"_s, u"reconcile: print the runs as JSON"_s},
    });
    parser.process(app);

    QTextStream out(stdout);
    QTextStream err(stderr);
    const QStringList args = parser.positionalArguments();
    const QString command = args.value(0, u"serve"_s);
    const QString sub = args.value(1);
    const auto usageError = [&err] {
        err << "paydesk-server: unknown command (see --help)" << Qt::endl;
        return 64;
    };

    QString error;
    const std::optional<paydesk::ServerConfig> config = paydesk::ServerConfig::load(parser, &error);
    if (!config) {
        err << "paydesk-server: " << error << Qt::endl;
        return 78;
    }
    paydesk::installLogHandler(config->logFormat);
    paydesk::installCrashHandler();
    if (!config->accessLog)
        QLoggingCategory::setFilterRules(u"paydesk.http.access.info=false"_s);

    paydesk::ServerApp server(*config);
    if (!server.initialise(&error)) {
        qCritical().noquote() << error;
        return 1;
    }
    paydesk::AdminCommands admin(server.context(), out, err);
    if (command == u"serve"_s && args.size() <= 1) {
        if (!server.start(&error)) {
            qCritical().noquote() << error;
            return 1;
        }
        QObject::connect(&server, &paydesk::ServerApp::finished, &app, &QCoreApplication::exit, Qt::QueuedConnection);
        const int exitCode = app.exec();
        // Connections that closed in the last moments were only scheduled for deletion.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        return exitCode;
    }
    if (command == u"init"_s && args.size() == 1) {
        if (!parser.isSet(u"first-run-file"_s))
            return 0;
        const QString url = u"https://%1:%2"_s.arg(config->listenAddress.toString()).arg(config->listenPort);
        return admin.firstRun(parser.value(u"first-run-file"_s), url, config->dataDir + u"/tls/ca.pem"_s);
    }
    if (command == u"migrate"_s && args.size() == 1)
        return 0;
    if (command == u"openapi"_s && args.size() == 1) {
        // The same route table the server serves.
        out << QJsonDocument(
                   paydesk::buildOpenApiDocument(server.buildRouter(), QCoreApplication::applicationVersion()))
                   .toJson(QJsonDocument::Indented);
        return 0;
    }
    if (command == u"merchant"_s && sub == u"create"_s && args.size() == 2)
        return admin.createMerchant(parser.value(u"code"_s), parser.value(u"name"_s), parser.value(u"notify-url"_s));
    if (command == u"staff"_s && sub == u"create"_s && args.size() == 2) {
        return admin.createStaff(parser.value(u"username"_s), parser.value(u"role"_s), parser.value(u"merchant"_s),
                                 parser.value(u"display-name"_s));
    }
    if (command == u"apikey"_s && sub == u"create"_s && args.size() == 2)
        return admin.createApiKey(parser.value(u"merchant"_s), parser.value(u"label"_s));
    if (command == u"apikey"_s && sub == u"list"_s && args.size() == 2)
        return admin.listApiKeys(parser.value(u"merchant"_s));
    if (command == u"apikey"_s && sub == u"revoke"_s && args.size() == 3)
        return admin.revokeApiKey(args.at(2));
    if (command == u"channel"_s && (sub == u"add"_s || sub == u"set"_s)) {
        QMap<QString, QString> options;
        for (const char *name : {"type", "id", "name", "app-id", "mch-id", "private-key-file", "platform-key-file",
                                 "platform-serial", "merchant-serial", "api-v3-key-file", "gateway-url",
                                 "gateway-ca-file", "notify-url", "weight", "enabled"}) {
            const QString option = QString::fromLatin1(name);
            if (parser.isSet(option))
                options.insert(option, parser.value(option));
        }
        if (sub == u"add"_s && args.size() == 2)
            return admin.addChannel(options);
        if (sub == u"set"_s && args.size() == 3)
            return admin.setChannel(args.at(2), options);
    }
    if (command == u"channel"_s && sub == u"list"_s && args.size() == 2)
        return admin.listChannels();
    if (command == u"ledger"_s && sub == u"check"_s && args.size() == 2)
        return admin.ledgerCheck();
    if (command == u"wallet"_s && sub == u"check"_s && args.size() == 2)
        return admin.walletCheck();
    if (command == u"reconcile"_s && args.size() == 1)
        return admin.reconcile(parser.value(u"date"_s), parser.value(u"channel"_s), parser.value(u"bill-file"_s),
                               parser.value(u"bill-format"_s), parser.isSet(u"json"_s));
    if (command == u"sms"_s && sub == u"last"_s && args.size() == 2)
        return admin.lastSms(parser.value(u"phone"_s));
    if (command == u"keys"_s && sub == u"rotate"_s && args.size() == 2)
        return paydesk::runKeysRotate(*config, out);
    if (command == u"audit"_s && sub == u"verify"_s && args.size() == 2)
        return paydesk::runAuditVerify(*config, out);
    return usageError();
}
