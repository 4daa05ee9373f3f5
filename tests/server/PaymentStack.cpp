#include "PaymentStack.h"

#include "server/auth/AppAuthService.h"
#include "server/security/FieldCipher.h"
#include "server/store/Sql.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>

using namespace Qt::StringLiterals;

namespace paydesk::test {

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

namespace {

QString field(const QJsonObject &object, const QString &name)
{
    return object.value(name).toString();
}

} // namespace

PaymentStack::PaymentStack() = default;
PaymentStack::~PaymentStack() = default;

bool PaymentStack::setUp(QString *error, const BeforeServer &beforeServer)
{
    if (!m_fixture.setUp(error))
        return false;
    m_dataDir = m_fixture.dir() + u"/data"_s;
    m_db = m_fixture.newDatabaseSpec(error);
    if (m_db.isEmpty())
        return false;
    QDir().mkpath(m_dataDir);
    if (!writeConfig({}, error))
        return false;
    if (runServerCommand({u"init"_s, u"--first-run-file"_s, m_dataDir + u"/first-run.txt"_s}) != 0) {
        *error = u"paydesk-server init failed"_s;
        return false;
    }
    m_firstRun = ServerProcess::readKeyValueFile(m_dataDir + u"/first-run.txt"_s);
    if (keyId().isEmpty()) {
        *error = u"no API key in first-run.txt"_s;
        return false;
    }

    m_sandbox = std::make_unique<SandboxProcess>(
        m_fixture.dir() + u"/sandbox"_s,
        QStringList{u"--time-scale"_s, u"1000"_s, u"--trust-ca"_s, m_dataDir + u"/tls/ca.pem"_s});
    if (!m_sandbox->start(error))
        return false;
    const QJsonObject manifest = m_sandbox->manifest();
    const QJsonObject alipay = manifest.value(u"alipay"_s).toObject();
    const QJsonObject wechat = manifest.value(u"wechat"_s).toObject();
    const QJsonObject bankpay = manifest.value(u"bankpay"_s).toObject();
    const QString ca = field(manifest, u"ca_file"_s);
    const auto wechatAccount = [&](const QString &id, const QStringList &extra) {
        return QStringList{u"--type"_s, u"wechat"_s, u"--id"_s, id} + extra
            + QStringList{u"--app-id"_s, field(wechat, u"appid"_s), u"--mch-id"_s, field(wechat, u"mchid"_s),
                          u"--private-key-file"_s, field(wechat, u"merchant_private_key_file"_s),
                          u"--merchant-serial"_s, field(wechat, u"merchant_serial"_s), u"--platform-key-file"_s,
                          field(wechat, u"platform_certificate_file"_s), u"--api-v3-key-file"_s,
                          field(wechat, u"api_v3_key_file"_s), u"--gateway-url"_s, field(wechat, u"base_url"_s)};
    };
    const QList<QStringList> channels{
        {u"--type"_s, u"alipay"_s, u"--id"_s, u"alipay-sbx"_s, u"--app-id"_s, field(alipay, u"app_id"_s), u"--mch-id"_s,
         field(alipay, u"seller_id"_s), u"--private-key-file"_s, field(alipay, u"app_private_key_file"_s),
         u"--platform-key-file"_s, field(alipay, u"alipay_public_key_file"_s), u"--gateway-url"_s,
         field(alipay, u"gateway_url"_s)},
        wechatAccount(u"wechat-sbx"_s, {}),
        // A second, disabled account of the same WeChat merchant (it takes no orders and is not
        // reconciled): what it is told about another account's orders must not settle them.
        wechatAccount(u"wechat-sbx-b"_s, {u"--enabled"_s, u"false"_s}),
        {u"--type"_s, u"bankpay"_s, u"--id"_s, u"bankpay-sbx"_s, u"--mch-id"_s, field(bankpay, u"merchant_id"_s),
         u"--private-key-file"_s, field(bankpay, u"merchant_private_key_file"_s), u"--merchant-serial"_s,
         field(bankpay, u"merchant_key_id"_s), u"--platform-key-file"_s, field(bankpay, u"provider_public_key_file"_s),
         u"--platform-serial"_s, field(bankpay, u"provider_key_id"_s), u"--gateway-url"_s,
         field(bankpay, u"gateway_url"_s)},
    };
    for (const QStringList &channel : channels) {
        if (runServerCommand(QStringList{u"channel"_s, u"add"_s} + channel
                             + QStringList{u"--gateway-ca-file"_s, ca})
            != 0) {
            *error = u"channel add %1 failed"_s.arg(channel.at(3));
            return false;
        }
    }

    if (beforeServer)
        m_serverArguments = beforeServer(m_dataDir);
    if (!startServer(error))
        return false;

    ApiClient api = client();
    const QString password = m_firstRun.value(u"platform_admin_password"_s);
    const QString token = api.login(u"admin"_s, password);
    const auto changed
        = api.bearer(token, "POST", "/v1/me/password",
                     compactJson({{u"current_password"_s, password}, {u"new_password"_s, u"admin-long-passphrase"_s}}));
    if (token.isEmpty() || !changed || changed->status != 204) {
        *error = u"the platform admin cannot sign in"_s;
        return false;
    }
    m_adminToken = token;

    const auto dbConfig = DatabaseConfig::parse(m_db, m_dataDir, error);
    if (!dbConfig)
        return false;
    m_reader = std::make_unique<Database>(*dbConfig);
    return true;
}

bool PaymentStack::tearDown(QByteArray *output)
{
    bool ok = true;
    if (m_server) {
        const int exitCode = m_server->terminate();
        ok = exitCode == 0;
        if (!ok) // say why: the end of the server's own output (sanitizer reports land there)
            qWarning().noquote() << "paydesk-server exited with" << exitCode << "- its last output:\n"
                                 << m_server->output().right(4000);
    }
    if (m_server)
        ok = runServerCommand({u"ledger"_s, u"check"_s}, output) == 0 && output->contains("ledger OK") && ok;
    if (m_reader)
        m_reader->closeAll();
    return ok;
}

bool PaymentStack::writeConfig(const QByteArray &extra, QString *error)
{
    QFile config(m_dataDir + u"/paydesk.ini"_s);
    if (!config.open(QIODevice::WriteOnly)
        || config.write("[security]\nrate_per_key=100000\nrate_per_address=100000\nsms_per_hour_per_address=100000\n"
                        "[log]\naccess=false\n"
                        + extra)
            < 0) {
        *error = u"cannot write paydesk.ini"_s;
        return false;
    }
    return true;
}

bool PaymentStack::restartServer(QString *error)
{
    const int exitCode = m_server->terminate();
    if (exitCode != 0) {
        qWarning().noquote() << "the server's last output:\n" << m_server->output().right(6000);
        *error = u"the server exited with %1"_s.arg(exitCode);
        return false;
    }
    return startServer(error);
}

bool PaymentStack::startServer(QString *error)
{
    m_server = std::make_unique<ServerProcess>(m_dataDir, m_db,
                                               QStringList{u"--time-scale"_s, u"1000"_s} + m_serverArguments);
    return m_server->start(error);
}

int PaymentStack::runServerCommand(const QStringList &arguments, QByteArray *output)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(ServerProcess::serverBinary(), arguments + QStringList{u"--data-dir"_s, m_dataDir, u"--db"_s, m_db});
    if (!process.waitForFinished(60'000))
        return -1;
    const QByteArray printed = process.readAll();
    if (output)
        *output = printed;
    if (process.exitCode() != 0)
        qWarning().noquote() << arguments.join(u' ') << "failed:" << printed;
    return process.exitCode();
}

QString PaymentStack::staffToken(const QString &username, const QString &role, const QString &merchantCode)
{
    QStringList arguments{u"staff"_s, u"create"_s, u"--username"_s, username, u"--role"_s, role};
    if (!merchantCode.isEmpty())
        arguments << u"--merchant"_s << merchantCode;
    QByteArray output;
    if (runServerCommand(arguments, &output) != 0)
        return {};
    return client().firstStaffSignIn(username, output);
}

QString PaymentStack::appSignIn(const QString &phone)
{
    ApiClient api = client();
    const auto sent = api.send("POST", "/v1/app/sms-codes", compactJson({{u"phone"_s, phone}}));
    if (!sent || sent->status != 202)
        return {};
    // The built-in "log" SMS provider keeps the message; read it as `paydesk-server sms last` does.
    if (!m_cipher) {
        QString error;
        m_cipher = FieldCipher::load(m_dataDir, &error);
        if (!m_cipher)
            return {};
    }
    QSqlQuery row = sqlExec(m_reader->threadConnection(),
                            u"SELECT body FROM sms_log WHERE phone_hash = ? ORDER BY created_at DESC LIMIT 1"_s,
                            {AppAuthService::phoneLookupHash(*m_cipher, AppAuthService::normalisePhone(phone))});
    if (!row.next())
        return {};
    const QByteArray output = row.value(0).toString().toUtf8();
    const qsizetype at = output.indexOf("code is ");
    if (at < 0)
        return {};
    const auto session = api.send("POST", "/v1/app/sessions",
                                  compactJson({{u"phone"_s, phone}, {u"code"_s, QString::fromLatin1(output.mid(at + 8, 6))}}));
    return ApiClient::json(session).value(u"token"_s).toString();
}

PaymentStack::AppUser PaymentStack::newAppUser()
{
    AppUser user;
    user.token = appSignIn(u"139%1"_s.arg(10'000'000 + ++m_phones));
    user.id = ApiClient::json(app(user, "GET", "/v1/app/me")).value(u"id"_s).toString();
    return user;
}

std::optional<RawResponse> PaymentStack::app(const AppUser &user, const QByteArray &method, const QByteArray &target,
                                             const QJsonObject &body, const QByteArray &headers)
{
    ApiClient api = client();
    return api.bearer(user.token, method, target, body.isEmpty() ? QByteArray() : compactJson(body), headers);
}

QByteArray PaymentStack::actionHeaders(const AppUser &user, const QString &purpose, const QByteArray &idempotencyKey)
{
    const QString token
        = ApiClient::json(app(user, "POST", "/v1/app/action-tokens", {{u"purpose"_s, purpose}}))
              .value(u"token"_s)
              .toString();
    const QByteArray key = idempotencyKey.isEmpty() ? "k-" + QByteArray::number(++m_keys) : idempotencyKey;
    return "X-Action-Token: " + token.toLatin1() + "\r\nIdempotency-Key: " + key + "\r\n";
}

bool PaymentStack::recharge(const AppUser &user, qint64 amount, const QString &channel)
{
    const qint64 before = available(user);
    const auto created = app(user, "POST", "/v1/app/recharges",
                             {{u"amount"_s, amount}, {u"channel"_s, channel}, {u"method"_s, u"qr"_s}},
                             "Idempotency-Key: rc-" + QByteArray::number(++m_keys) + "\r\n");
    if (!created || created->status != 201) {
        qWarning() << "recharge:" << (created ? created->body : "");
        return false;
    }
    pay(ApiClient::json(created));
    return waitFor([&] { return available(user) == before + amount; });
}

QJsonObject PaymentStack::wallet(const AppUser &user)
{
    return ApiClient::json(app(user, "GET", "/v1/app/wallet"));
}

qint64 PaymentStack::available(const AppUser &user)
{
    return wallet(user).value(u"available"_s).toInteger();
}

qint64 PaymentStack::frozen(const AppUser &user)
{
    return wallet(user).value(u"frozen"_s).toInteger();
}

QJsonObject PaymentStack::walletCheck()
{
    ApiClient api = client();
    return ApiClient::json(api.bearer(m_adminToken, "GET", "/v1/admin/wallet-check"));
}

std::optional<RawResponse> PaymentStack::merchant(const QByteArray &method, const QByteArray &target,
                                                  const QJsonObject &body)
{
    ApiClient api = client();
    return api.signedRequest(keyId(), secret(), method, target, body.isEmpty() ? QByteArray() : compactJson(body));
}

QJsonObject PaymentStack::createOrder(const QString &channel, qint64 amount, const QString &method,
                                      int expectedStatus)
{
    const QString outTradeNo = u"T%1-%2"_s.arg(QDateTime::currentMSecsSinceEpoch()).arg(++m_sequence);
    const auto response = merchant("POST", "/v1/orders",
                                   {{u"out_trade_no"_s, outTradeNo},
                                    {u"amount"_s, amount},
                                    {u"subject"_s, u"Test order %1"_s.arg(m_sequence)},
                                    {u"channel"_s, channel},
                                    {u"method"_s, method}});
    if (!response || response->status != expectedStatus) {
        qWarning() << "create order:" << (response ? response->status : 0) << (response ? response->body : "");
        return {};
    }
    return ApiClient::json(response);
}

QJsonObject PaymentStack::order(const QString &orderNo)
{
    return ApiClient::json(merchant("GET", "/v1/orders/" + orderNo.toUtf8()));
}

bool PaymentStack::waitForStatus(const QString &orderNo, const QString &status, int timeoutMs)
{
    const bool reached = waitFor([&] { return order(orderNo).value(u"status"_s).toString() == status; }, timeoutMs);
    if (!reached)
        qWarning().noquote() << "order" << orderNo << "is" << compactJson(order(orderNo));
    return reached;
}

QJsonObject PaymentStack::pay(const QJsonObject &createdOrder, QJsonObject extra)
{
    extra.insert(u"code"_s, createdOrder.value(u"qr_code"_s).toString());
    int status = 0;
    const QJsonObject answer = m_sandbox->control("POST", "/control/pay", extra, &status);
    if (status != 200)
        qWarning() << "sandbox pay:" << status << answer;
    return answer;
}

bool PaymentStack::setFaults(const QJsonObject &faults)
{
    int status = 0;
    m_sandbox->control("DELETE", "/control/faults", {}, &status);
    if (status / 100 != 2)
        return false;
    if (faults.isEmpty())
        return true;
    m_sandbox->control("POST", "/control/faults", faults, &status);
    return status == 200;
}

qint64 PaymentStack::balance(const QString &accountId)
{
    QSqlQuery row
        = sqlExec(m_reader->threadConnection(), u"SELECT balance FROM ledger_accounts WHERE id = ?"_s, {accountId});
    return row.next() ? row.value(0).toLongLong() : 0;
}

int PaymentStack::journalEntries(const QString &refId)
{
    QSqlQuery row
        = sqlExec(m_reader->threadConnection(), u"SELECT COUNT(*) FROM journal_entries WHERE ref_id = ?"_s, {refId});
    return row.next() ? row.value(0).toInt() : -1;
}

QJsonArray PaymentStack::alerts(const QString &kind)
{
    ApiClient api = client();
    return ApiClient::json(api.bearer(m_adminToken, "GET", "/v1/alerts?kind=" + kind.toUtf8()))
        .value(u"items"_s)
        .toArray();
}

} // namespace paydesk::test
