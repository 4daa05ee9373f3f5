#include "BenchStack.h"

#include "BenchDatabase.h"
#include "BenchReport.h"
#include "MerchantEndpoint.h"

#include "server/store/Database.h"
#include "server/store/DatabaseConfig.h"

#include "common/crypto/Random.h"
#include "common/protocol/PaydeskSignature.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>

#include <stdexcept>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

QString field(const QJsonObject &object, const QString &name)
{
    return object.value(name).toString();
}

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

QByteArray signedRequest(const QString &keyId, const QByteArray &secret, const QByteArray &method,
                         const QByteArray &target, const QByteArray &body)
{
    const qint64 timestamp = QDateTime::currentSecsSinceEpoch();
    const QByteArray nonce = Random::alphanumeric(24).toLatin1();
    const QByteArray signature = PaydeskSignature::sign(secret, method, target, timestamp, nonce, body);
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
        + PaydeskSignature::authorization(keyId.toLatin1(), timestamp, nonce, signature) + "\r\n";
    if (!body.isEmpty() || method == "POST")
        request += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    return request + "\r\n" + body;
}

QByteArray bearerRequest(const QString &token, const QByteArray &method, const QByteArray &target)
{
    return method + ' ' + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token.toLatin1()
        + "\r\n\r\n";
}

BenchStack::BenchStack(DatabaseProvider &databases, Options options)
    : m_databases(databases), m_options(std::move(options)), m_dir(QDir::tempPath() + u"/paydesk-bench-XXXXXX"_s)
{
}

BenchStack::~BenchStack()
{
    if (m_reader)
        m_reader->closeAll();
    m_reader.reset();
    m_server.reset();
    m_sandbox.reset();
    m_endpoint.reset();
}

bool BenchStack::isPostgres() const
{
    return m_databases.isPostgres();
}

QSslCertificate BenchStack::ca() const
{
    return m_server ? m_server->caCertificate() : QSslCertificate();
}

qint64 BenchStack::serverPid() const
{
    return m_server ? m_server->process().processId() : 0;
}

qint64 BenchStack::sandboxPid() const
{
    // SandboxProcess keeps its QProcess to itself; its data directory names it uniquely.
    return findProcess({u"paydesk-sandbox"_s, sandboxDir()});
}

Database &BenchStack::reader()
{
    if (!m_reader) {
        QString error;
        const auto config = DatabaseConfig::parse(m_db, m_dataDir, &error);
        if (!config)
            throw std::runtime_error("the database spec does not parse: " + error.toStdString());
        m_reader = std::make_unique<Database>(*config);
    }
    return *m_reader;
}

bool BenchStack::prepare(QString *error)
{
    if (!m_dir.isValid()) {
        *error = u"cannot create a temporary directory"_s;
        return false;
    }
    m_dataDir = m_dir.path() + u"/data"_s;
    QDir().mkpath(m_dataDir);
    m_db = m_databases.newDatabase(m_dataDir, error);
    if (m_db.isEmpty())
        return false;
    QFile config(m_dataDir + u"/paydesk.ini"_s);
    if (!config.open(QIODevice::WriteOnly)) {
        *error = u"cannot write paydesk.ini"_s;
        return false;
    }
    // The load comes from one address with one key: rate limits would measure themselves.
    config.write("[security]\nrate_per_key=1000000\nrate_per_address=1000000\n[log]\naccess=false\n");
    config.close();
    if (runServerCommand({u"init"_s, u"--first-run-file"_s, m_dataDir + u"/first-run.txt"_s}) != 0) {
        *error = u"paydesk-server init failed"_s;
        return false;
    }
    m_firstRun = paydesk::test::ServerProcess::readKeyValueFile(m_dataDir + u"/first-run.txt"_s);
    if (keyId().isEmpty()) {
        *error = u"no API key in first-run.txt"_s;
        return false;
    }
    for (const QString &code : std::as_const(m_options.extraMerchants)) {
        if (runServerCommand({u"merchant"_s, u"create"_s, u"--code"_s, code, u"--name"_s, u"Shop "_s + code}) != 0) {
            *error = u"merchant create %1 failed"_s.arg(code);
            return false;
        }
    }

    m_sandbox = std::make_unique<paydesk::test::SandboxProcess>(
        sandboxDir(), QStringList{u"--trust-ca"_s, m_dataDir + u"/tls/ca.pem"_s});
    if (!m_sandbox->start(error))
        return false;
    const QJsonObject alipay = sandboxManifest().value(u"alipay"_s).toObject();
    const QJsonObject wechat = sandboxManifest().value(u"wechat"_s).toObject();
    const QString ca = field(sandboxManifest(), u"ca_file"_s);
    const QList<QStringList> channels{
        {u"--type"_s, u"alipay"_s, u"--id"_s, channelId(u"alipay"_s), u"--app-id"_s, field(alipay, u"app_id"_s),
         u"--mch-id"_s, field(alipay, u"seller_id"_s), u"--private-key-file"_s,
         field(alipay, u"app_private_key_file"_s), u"--platform-key-file"_s, field(alipay, u"alipay_public_key_file"_s),
         u"--gateway-url"_s, field(alipay, u"gateway_url"_s)},
        {u"--type"_s, u"wechat"_s, u"--id"_s, channelId(u"wechat"_s), u"--app-id"_s, field(wechat, u"appid"_s),
         u"--mch-id"_s, field(wechat, u"mchid"_s), u"--private-key-file"_s,
         field(wechat, u"merchant_private_key_file"_s), u"--merchant-serial"_s, field(wechat, u"merchant_serial"_s),
         u"--platform-key-file"_s, field(wechat, u"platform_certificate_file"_s), u"--api-v3-key-file"_s,
         field(wechat, u"api_v3_key_file"_s), u"--gateway-url"_s, field(wechat, u"base_url"_s)},
    };
    for (const QStringList &channel : channels) {
        if (runServerCommand(QStringList{u"channel"_s, u"add"_s} + channel + QStringList{u"--gateway-ca-file"_s, ca})
            != 0) {
            *error = u"channel add %1 failed"_s.arg(channel.at(3));
            return false;
        }
    }
    if (m_options.merchantEndpoint) {
        m_endpoint = std::make_unique<MerchantEndpoint>(keyId(), secret());
        if (!m_endpoint->start(m_dir.path() + u"/merchant"_s, error))
            return false;
    }
    return true;
}

bool BenchStack::startServer(QString *error)
{
    QStringList extra;
    if (m_endpoint)
        extra << u"--notify-ca"_s << m_endpoint->caFile();
    const bool first = !m_server;
    if (m_server && m_server->process().state() != QProcess::NotRunning)
        return true;
    if (first)
        m_server = std::make_unique<paydesk::test::ServerProcess>(m_dataDir, m_db, extra);
    if (!m_server->start(error))
        return false;
    if (first && m_endpoint) {
        paydesk::test::ApiClient api = client();
        const auto set = api.signedRequest(keyId(), secret(), "POST", "/v1/merchant/settings",
                                           compactJson({{u"notify_url"_s, m_endpoint->url()}}));
        if (!set || set->status != 200) {
            *error = u"cannot set the merchant's notify URL: %1"_s.arg(set ? QString::fromUtf8(set->body) : u"-"_s);
            return false;
        }
    }
    return true;
}

int BenchStack::stopServer()
{
    if (!m_server)
        return 0;
    const int exitCode = m_server->terminate();
    if (exitCode != 0)
        out() << "paydesk-server exited with " << exitCode << "; its last output:\n"
              << QString::fromUtf8(m_server->output().right(3000)) << "\n";
    return exitCode;
}

void BenchStack::finish(QStringList *problems, QString *ledgerLine)
{
    if (m_reader)
        m_reader->closeAll();
    if (stopServer() != 0)
        problems->append(u"paydesk-server did not shut down cleanly"_s);
    if (m_sandbox)
        m_sandbox->terminate();
    QByteArray output;
    const int code = runServerCommand({u"ledger"_s, u"check"_s}, &output);
    *ledgerLine = QString::fromUtf8(output).trimmed().section(u'\n', 0, 0);
    if (code != 0 || !output.contains("ledger OK"))
        problems->append(u"ledger check: "_s + QString::fromUtf8(output).trimmed());
}

int BenchStack::runServerCommand(const QStringList &arguments, QByteArray *output)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(paydesk::test::ServerProcess::serverBinary(),
                  arguments + QStringList{u"--data-dir"_s, m_dataDir, u"--db"_s, m_db});
    if (!process.waitForFinished(300'000))
        return -1;
    const QByteArray printed = process.readAll();
    if (output)
        *output = printed;
    if (process.exitCode() != 0)
        out() << "paydesk-server " << arguments.join(u' ') << " failed: " << QString::fromUtf8(printed) << "\n";
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

paydesk::test::ApiClient BenchStack::client() const
{
    return paydesk::test::ApiClient(port(), ca());
}

QString BenchStack::staffToken(const QString &username, const QString &role, const QString &merchantCode)
{
    QStringList arguments{u"staff"_s, u"create"_s, u"--username"_s, username, u"--role"_s, role};
    if (!merchantCode.isEmpty())
        arguments << u"--merchant"_s << merchantCode;
    QByteArray output;
    if (runServerCommand(arguments, &output) != 0)
        return {};
    return client().firstStaffSignIn(username, output);
}

} // namespace paydesk::bench
