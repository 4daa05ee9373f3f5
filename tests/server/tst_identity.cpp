// Identity and API security through a real server process, from the attacker's side as well:
// forged, altered, stale and replayed signed requests, foreign data, lockout, idempotency,
// secrets at rest and the audit chain. Runs on SQLite and PostgreSQL.
#include "ApiClient.h"
#include "ServerProcess.h"
#include "StoreFixture.h"

#include "common/crypto/Totp.h"
#include "common/protocol/PaydeskSignature.h"
#include "server/store/Database.h"
#include "server/store/DatabaseConfig.h"
#include "server/store/Sql.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <thread>

using namespace Qt::StringLiterals;
using namespace paydesk::test;

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_Identity : public QObject
{
    Q_OBJECT

private:
    StoreFixture m_fixture;
    QString m_dataDir;
    QString m_db;
    std::unique_ptr<ServerProcess> m_server;
    QMap<QString, QString> m_firstRun;
    QString m_adminToken;

    int runServerCommand(const QStringList &arguments, QByteArray *output = nullptr)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(ServerProcess::serverBinary(),
                      arguments + QStringList{u"--data-dir"_s, m_dataDir, u"--db"_s, m_db});
        if (!process.waitForFinished(60'000))
            return -1;
        if (output)
            *output = process.readAll();
        return process.exitCode();
    }

    ApiClient client() { return ApiClient(m_server->port(), m_server->caCertificate()); }

    // Signs in with a one-time password and replaces it, as every new staff user must.
    QString firstLogin(const QString &username, const QString &oneTimePassword)
    {
        ApiClient api = client();
        const QString token = api.login(username, oneTimePassword);
        const auto changed = api.bearer(
            token, "POST", "/v1/me/password",
            compact({{u"current_password"_s, oneTimePassword}, {u"new_password"_s, username + u"-long-passphrase"_s}}));
        return changed && changed->status == 204 ? token : QString();
    }
    QString keyId() const { return m_firstRun.value(u"api_key_id"_s); }
    QByteArray secret() const { return m_firstRun.value(u"api_key_secret"_s).toLatin1(); }

    // A new merchant with a merchant admin; returns {merchant id, admin token}.
    std::pair<QString, QString> merchantWithAdmin(const QString &code)
    {
        ApiClient api = client();
        const auto merchant = api.bearer(m_adminToken, "POST", "/v1/merchants",
                                         compact({{u"code"_s, code}, {u"name"_s, code + u" Ltd"_s}}));
        const QString merchantId = ApiClient::json(merchant).value(u"id"_s).toString();
        const auto staff = api.bearer(m_adminToken, "POST", "/v1/staff-users",
                                      compact({{u"username"_s, code.toLower() + u"-admin"_s},
                                               {u"role"_s, u"merchant_admin"_s},
                                               {u"merchant_id"_s, merchantId}}));
        const QString password = ApiClient::json(staff).value(u"one_time_password"_s).toString();
        return {merchantId, firstLogin(code.toLower() + u"-admin"_s, password)};
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fixture.setUp(&error), qPrintable(error));
        m_dataDir = m_fixture.dir() + u"/data"_s;
        m_db = m_fixture.newDatabaseSpec(&error);
        QVERIFY2(!m_db.isEmpty(), qPrintable(error));
        QDir().mkpath(m_dataDir);
        QFile config(m_dataDir + u"/paydesk.ini"_s);
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(
            "[security]\nlockout_threshold=5\nlockout_seconds=2\nrate_per_key=100000\nrate_per_address=100000\n"
            "[log]\naccess=false\n[server]\ncleanup_seconds=1\n");
        config.close();
        QCOMPARE(runServerCommand({u"init"_s, u"--first-run-file"_s, m_dataDir + u"/first-run.txt"_s}), 0);
        const QFileInfo firstRun(m_dataDir + u"/first-run.txt"_s);
        QVERIFY(firstRun.exists());
        QCOMPARE(firstRun.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
        m_firstRun = ServerProcess::readKeyValueFile(firstRun.filePath());
        QVERIFY(!keyId().isEmpty());
        QVERIFY(!secret().isEmpty());
        // A second init must not create or reset anyone.
        QCOMPARE(runServerCommand({u"init"_s, u"--first-run-file"_s, m_dataDir + u"/first-run-2.txt"_s}), 0);
        QVERIFY(!QFileInfo::exists(m_dataDir + u"/first-run-2.txt"_s));

        m_server = std::make_unique<ServerProcess>(m_dataDir, m_db, QStringList{u"--enable-test-routes"_s});
        QVERIFY2(m_server->start(&error), qPrintable(error));
        ApiClient api = client();
        const QString oneTime = api.login(u"admin"_s, m_firstRun.value(u"platform_admin_password"_s));
        QVERIFY(!oneTime.isEmpty());
        // A one-time password opens only the password change.
        const auto blocked = api.bearer(oneTime, "GET", "/v1/merchants");
        QCOMPARE(blocked->status, 403);
        QCOMPARE(ApiClient::errorCode(blocked), u"PASSWORD_CHANGE_REQUIRED"_s);
        m_adminToken = firstLogin(u"admin"_s, m_firstRun.value(u"platform_admin_password"_s));
        QVERIFY(!m_adminToken.isEmpty());
    }

    void cleanupTestCase()
    {
        if (m_server)
            QCOMPARE(m_server->terminate(), 0);
    }

    void signedRequestWithTheRightSecretIsAccepted()
    {
        ApiClient api = client();
        const auto response = api.signedRequest(keyId(), secret(), "GET", "/v1/merchant");
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(ApiClient::json(response).value(u"code"_s).toString(), u"demo"_s);
        QCOMPARE(response->header("x-content-type-options"), QByteArray("nosniff"));
        QVERIFY(response->header("strict-transport-security").startsWith("max-age="));
    }

    void forgedSignedRequestsAreRejectedWithTheirCodes()
    {
        ApiClient api = client();
        const QByteArray body = compact({{u"notify_url"_s, u"https://shop.example/notify"_s}});
        const qint64 now = QDateTime::currentSecsSinceEpoch();

        auto wrongSecret = api.signedRequest(keyId(), "not-the-secret", "GET", "/v1/merchant");
        QCOMPARE(wrongSecret->status, 401);
        QCOMPARE(ApiClient::errorCode(wrongSecret), u"BAD_SIGNATURE"_s);

        // Signed for one body, sent with another.
        const QByteArray nonce = "alteredbody0000000000001";
        const QByteArray signature
            = paydesk::PaydeskSignature::sign(secret(), "POST", "/v1/merchant/settings", now, nonce, body);
        auto alteredBody = api.send(
            "POST", "/v1/merchant/settings", compact({{u"notify_url"_s, u"https://evil.example/notify"_s}}),
            "Authorization: " + paydesk::PaydeskSignature::authorization(keyId().toLatin1(), now, nonce, signature)
                + "\r\n");
        QCOMPARE(alteredBody->status, 401);
        QCOMPARE(ApiClient::errorCode(alteredBody), u"BAD_SIGNATURE"_s);

        // Signed for one path, sent to another.
        const QByteArray pathNonce = "alteredpath0000000000001";
        const QByteArray pathSignature
            = paydesk::PaydeskSignature::sign(secret(), "GET", "/v1/merchant", now, pathNonce, {});
        auto alteredPath = api.send(
            "GET", "/v1/merchant?x=1", {},
            "Authorization: "
                + paydesk::PaydeskSignature::authorization(keyId().toLatin1(), now, pathNonce, pathSignature) + "\r\n");
        QCOMPARE(alteredPath->status, 401);
        QCOMPARE(ApiClient::errorCode(alteredPath), u"BAD_SIGNATURE"_s);

        // Well outside the 300 s window whatever time the requests above took (sanitizers, load).
        const qint64 current = QDateTime::currentSecsSinceEpoch();
        auto stale = api.signedRequest(keyId(), secret(), "GET", "/v1/merchant", {}, current - 330);
        QCOMPARE(stale->status, 401);
        QCOMPARE(ApiClient::errorCode(stale), u"STALE_TIMESTAMP"_s);
        auto future = api.signedRequest(keyId(), secret(), "GET", "/v1/merchant", {}, current + 330);
        QCOMPARE(future->status, 401);
        QCOMPARE(ApiClient::errorCode(future), u"STALE_TIMESTAMP"_s);

        auto first = api.signedRequest(keyId(), secret(), "POST", "/v1/merchant/settings", body, now,
                                       "replayednonce00000000001");
        QCOMPARE(first->status, 200);
        QCOMPARE(ApiClient::json(first).value(u"notify_url"_s).toString(), u"https://shop.example/notify"_s);
        auto replayed = api.signedRequest(keyId(), secret(), "POST", "/v1/merchant/settings", body, now,
                                          "replayednonce00000000001");
        QCOMPARE(replayed->status, 401);
        QCOMPARE(ApiClient::errorCode(replayed), u"REPLAYED"_s);

        auto unsignedRequest = api.send("GET", "/v1/merchant");
        QCOMPARE(unsignedRequest->status, 401);
        QCOMPARE(ApiClient::errorCode(unsignedRequest), u"UNAUTHENTICATED"_s);

        auto garbage = api.send("GET", "/v1/merchant", {}, "Authorization: PAYDESK-HMAC-SHA256 key_id=x,,\r\n");
        QCOMPARE(ApiClient::errorCode(garbage), u"UNAUTHENTICATED"_s);
    }

    void revokedKeyIsRejectedAtOnce()
    {
        ApiClient api = client();
        const QString merchantId = m_firstRun.value(u"merchant_id"_s);
        const auto created = api.bearer(m_adminToken, "POST", "/v1/merchants/" + merchantId.toLatin1() + "/api-keys",
                                        compact({{u"label"_s, u"rotation"_s}}));
        QCOMPARE(created->status, 201);
        const QString newKey = ApiClient::json(created).value(u"key_id"_s).toString();
        const QByteArray newSecret = ApiClient::json(created).value(u"secret"_s).toString().toLatin1();
        QCOMPARE(api.signedRequest(newKey, newSecret, "GET", "/v1/merchant")->status, 200);
        // Listing never shows secrets.
        const auto listed = api.bearer(m_adminToken, "GET", "/v1/merchants/" + merchantId.toLatin1() + "/api-keys");
        QVERIFY(!listed->body.contains(newSecret));
        QVERIFY(listed->body.contains(newKey.toLatin1()));
        QCOMPARE(api.bearer(m_adminToken, "DELETE",
                            "/v1/merchants/" + merchantId.toLatin1() + "/api-keys/" + newKey.toLatin1())
                     ->status,
                 204);
        const auto revoked = api.signedRequest(newKey, newSecret, "GET", "/v1/merchant");
        QCOMPARE(revoked->status, 401);
        QCOMPARE(ApiClient::errorCode(revoked), u"UNAUTHENTICATED"_s);
        // The other key of the merchant still works: rotation without downtime.
        QCOMPARE(api.signedRequest(keyId(), secret(), "GET", "/v1/merchant")->status, 200);
    }

    void foreignMerchantDataIsNotFound()
    {
        const auto [merchantA, adminA] = merchantWithAdmin(u"shopa"_s);
        const auto [merchantB, adminB] = merchantWithAdmin(u"shopb"_s);
        QVERIFY(!adminA.isEmpty());
        QVERIFY(!adminB.isEmpty());
        ApiClient api = client();
        QCOMPARE(api.bearer(adminA, "GET", "/v1/merchants/" + merchantA.toLatin1())->status, 200);
        const auto foreign = api.bearer(adminA, "GET", "/v1/merchants/" + merchantB.toLatin1());
        QCOMPARE(foreign->status, 404);
        QCOMPARE(ApiClient::errorCode(foreign), u"NOT_FOUND"_s);
        QCOMPARE(api.bearer(adminA, "GET", "/v1/merchants/" + merchantB.toLatin1() + "/api-keys")->status, 404);
        QCOMPARE(api.bearer(adminA, "POST", "/v1/merchants/" + merchantB.toLatin1() + "/api-keys", "{}")->status, 404);
        const auto list = api.bearer(adminA, "GET", "/v1/merchants");
        const QJsonArray items = ApiClient::json(list).value(u"items"_s).toArray();
        QCOMPARE(items.size(), 1);
        QCOMPARE(items.first().toObject().value(u"id"_s).toString(), merchantA);
        // A merchant admin cannot create merchants (a role the route does not allow).
        const auto forbidden
            = api.bearer(adminA, "POST", "/v1/merchants", compact({{u"code"_s, u"x1"_s}, {u"name"_s, u"x"_s}}));
        QCOMPARE(forbidden->status, 403);
    }

    void idempotentRetryReplaysTheFirstAnswer()
    {
        ApiClient api = client();
        const QByteArray body = compact({{u"code"_s, u"idem1"_s}, {u"name"_s, u"Idem One"_s}});
        const auto first = api.bearer(m_adminToken, "POST", "/v1/merchants", body, "Idempotency-Key: create-idem1\r\n");
        QCOMPARE(first->status, 201);
        QVERIFY(first->header("idempotent-replayed").isEmpty());
        const auto again = api.bearer(m_adminToken, "POST", "/v1/merchants", body, "Idempotency-Key: create-idem1\r\n");
        QCOMPARE(again->status, 201);
        QCOMPARE(again->body, first->body);
        QCOMPARE(again->header("idempotent-replayed"), QByteArray("true"));
        const auto other = api.bearer(m_adminToken, "POST", "/v1/merchants",
                                      compact({{u"code"_s, u"idem2"_s}, {u"name"_s, u"Idem Two"_s}}),
                                      "Idempotency-Key: create-idem1\r\n");
        QCOMPARE(other->status, 422);
        QCOMPARE(ApiClient::errorCode(other), u"IDEMPOTENCY_KEY_REUSED"_s);
    }

    void concurrentDuplicatesCreateExactlyOneObject()
    {
        const QByteArray body = compact({{u"code"_s, u"race1"_s}, {u"name"_s, u"Race"_s}});
        constexpr int clients = 8;
        std::vector<std::optional<RawResponse>> responses(clients);
        std::vector<std::thread> threads;
        const quint16 port = m_server->port();
        const QSslCertificate ca = m_server->caCertificate();
        const QString token = m_adminToken;
        for (int i = 0; i < clients; ++i) {
            threads.emplace_back([&, i] {
                ApiClient api(port, ca);
                responses[i] = api.bearer(token, "POST", "/v1/merchants", body, "Idempotency-Key: race-key-1\r\n");
            });
        }
        for (auto &thread : threads)
            thread.join();
        QByteArray createdBody;
        for (const auto &response : responses) {
            QVERIFY(response);
            QVERIFY2(response->status == 201
                         || (response->status == 409 && ApiClient::errorCode(response) == u"IN_PROGRESS"_s),
                     response->body.constData());
            if (response->status == 201) {
                if (createdBody.isEmpty())
                    createdBody = response->body;
                QCOMPARE(response->body, createdBody); // every success is the same object
            }
        }
        QVERIFY(!createdBody.isEmpty());
        ApiClient api = client();
        const auto retry = api.bearer(m_adminToken, "POST", "/v1/merchants", body, "Idempotency-Key: race-key-1\r\n");
        QCOMPARE(retry->body, createdBody);
        const auto list = api.bearer(m_adminToken, "GET", "/v1/merchants");
        int races = 0;
        for (const QJsonValue &merchant : ApiClient::json(list).value(u"items"_s).toArray())
            races += merchant.toObject().value(u"code"_s).toString() == u"race1"_s ? 1 : 0;
        QCOMPARE(races, 1);
    }

    void lockoutEngagesAfterFiveFailuresAndExpires()
    {
        ApiClient api = client();
        const auto created = api.bearer(m_adminToken, "POST", "/v1/staff-users",
                                        compact({{u"username"_s, u"lockme"_s}, {u"role"_s, u"auditor"_s}}));
        QCOMPARE(created->status, 201);
        const QString password = ApiClient::json(created).value(u"one_time_password"_s).toString();
        for (int i = 0; i < 5; ++i) {
            QVERIFY(api.login(u"lockme"_s, u"wrong-password"_s).isEmpty());
            QCOMPARE(ApiClient::errorCode(api.lastResponse()), u"UNAUTHENTICATED"_s);
        }
        QVERIFY(api.login(u"lockme"_s, password).isEmpty()); // right password, but locked
        QCOMPARE(api.lastResponse()->status, 423);
        QCOMPARE(ApiClient::errorCode(api.lastResponse()), u"LOCKED"_s);
        QVERIFY(api.lastResponse()->header("retry-after").toInt() >= 1);
        // The lock (2 s in this test's configuration) expires by itself.
        QString token;
        for (QDeadlineTimer deadline(15'000); token.isEmpty() && !deadline.hasExpired();) {
            token = api.login(u"lockme"_s, password);
            if (token.isEmpty()) {
                QCOMPARE(ApiClient::errorCode(api.lastResponse()), u"LOCKED"_s);
                QThread::msleep(100); // poll the condition, do not hammer the server
            }
        }
        QVERIFY(!token.isEmpty());
    }

    void sessionEndsAtLogoutAndPasswordChange()
    {
        ApiClient api = client();
        const auto created = api.bearer(m_adminToken, "POST", "/v1/staff-users",
                                        compact({{u"username"_s, u"sessionuser"_s}, {u"role"_s, u"auditor"_s}}));
        const QString password = ApiClient::json(created).value(u"one_time_password"_s).toString();
        const QString first = api.login(u"sessionuser"_s, password);
        const QString second = api.login(u"sessionuser"_s, password);
        QVERIFY(!first.isEmpty() && !second.isEmpty());
        QCOMPARE(api.bearer(first, "GET", "/v1/me")->status, 200);
        QCOMPARE(ApiClient::json(api.lastResponse()).value(u"must_change_password"_s).toBool(), true);
        QCOMPARE(
            api.bearer(first, "POST", "/v1/me/password",
                       compact({{u"current_password"_s, password}, {u"new_password"_s, u"a much better passphrase"_s}}))
                ->status,
            204);
        QCOMPARE(api.bearer(second, "GET", "/v1/me")->status, 401); // other sessions ended
        QCOMPARE(api.bearer(first, "GET", "/v1/me")->status, 200);
        QCOMPARE(api.bearer(first, "DELETE", "/v1/sessions/current")->status, 204);
        QCOMPARE(api.bearer(first, "GET", "/v1/me")->status, 401);
        QVERIFY(api.login(u"sessionuser"_s, password).isEmpty());
        QVERIFY(!api.login(u"sessionuser"_s, u"a much better passphrase"_s).isEmpty());
    }

    void strictBodiesAndRolesAreEnforced()
    {
        ApiClient api = client();
        const auto unknownField
            = api.bearer(m_adminToken, "POST", "/v1/merchants",
                         compact({{u"code"_s, u"strict1"_s}, {u"name"_s, u"S"_s}, {u"admin"_s, true}}));
        QCOMPARE(unknownField->status, 400);
        QCOMPARE(ApiClient::errorCode(unknownField), u"VALIDATION_FAILED"_s);
        const auto tooLong = api.bearer(m_adminToken, "POST", "/v1/merchants",
                                        compact({{u"code"_s, u"strict2"_s}, {u"name"_s, QString(101, u'n')}}));
        QCOMPARE(ApiClient::errorCode(tooLong), u"VALIDATION_FAILED"_s);
        const auto notJson = api.bearer(m_adminToken, "POST", "/v1/merchants", "not json");
        QCOMPARE(ApiClient::errorCode(notJson), u"VALIDATION_FAILED"_s);
        const QString cashier = firstLogin(u"cashier"_s, m_firstRun.value(u"operator_password"_s));
        QVERIFY(!cashier.isEmpty());
        QCOMPARE(api.bearer(cashier, "GET", "/v1/audit-log")->status, 403);
        QCOMPARE(api.bearer(cashier, "GET", "/v1/staff-users")->status, 403);
    }

    void openApiDescribesEveryRoute()
    {
        ApiClient api = client();
        const auto response = api.send("GET", "/openapi.json");
        QCOMPARE(response->status, 200);
        const QJsonObject paths = ApiClient::json(response).value(u"paths"_s).toObject();
        for (const char *path : {"/v1/sessions", "/v1/merchants", "/v1/merchants/{id}/api-keys", "/v1/merchant",
                                 "/v1/audit-log", "/healthz"}) {
            QVERIFY2(paths.contains(QString::fromLatin1(path)), path);
        }
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            const QJsonObject item = it.value().toObject();
            for (auto op = item.begin(); op != item.end(); ++op)
                QVERIFY2(!op.value().toObject().value(u"summary"_s).toString().isEmpty(), qPrintable(it.key()));
        }
        QVERIFY(!paths.contains(u"/_test/writes"_s));
        // The copy in docs/ must describe the same routes the server serves.
        QFile copy(QStringLiteral(PAYDESK_SOURCE_DIR) + u"/docs/openapi.json"_s);
        QVERIFY(copy.open(QIODevice::ReadOnly));
        const QJsonObject documented = QJsonDocument::fromJson(copy.readAll()).object().value(u"paths"_s).toObject();
        QVERIFY2(documented == paths, "docs/openapi.json is out of date: paydesk-server openapi > docs/openapi.json");
    }

    QString smsCode(const QString &phone)
    {
        QByteArray output;
        if (runServerCommand({u"sms"_s, u"last"_s, u"--phone"_s, phone}, &output) != 0)
            return {};
        const qsizetype at = output.indexOf("code is ");
        return at < 0 ? QString() : QString::fromLatin1(output.mid(at + 8, 6));
    }

    QString appSignIn(const QString &phone)
    {
        ApiClient api = client();
        if (api.send("POST", "/v1/app/sms-codes", compact({{u"phone"_s, phone}}))->status != 202)
            return {};
        const auto session
            = api.send("POST", "/v1/app/sessions", compact({{u"phone"_s, phone}, {u"code"_s, smsCode(phone)}}));
        return ApiClient::json(session).value(u"token"_s).toString();
    }

    void appUserSignsInWithAnSmsCode()
    {
        ApiClient api = client();
        const QString phone = u"13800138000"_s;
        const auto sent = api.send("POST", "/v1/app/sms-codes", compact({{u"phone"_s, u"+86"_s + phone}}));
        QCOMPARE(sent->status, 202);
        QCOMPARE(ApiClient::json(sent).value(u"expires_in"_s).toInt(), 300);
        const auto again = api.send("POST", "/v1/app/sms-codes", compact({{u"phone"_s, phone}}));
        QCOMPARE(again->status, 429); // one code a minute per phone
        QVERIFY(!again->header("retry-after").isEmpty());
        const QString code = smsCode(phone);
        QCOMPARE(code.size(), 6);
        const QString wrong = code == u"000000"_s ? u"111111"_s : u"000000"_s;
        const auto rejected = api.send("POST", "/v1/app/sessions", compact({{u"phone"_s, phone}, {u"code"_s, wrong}}));
        QCOMPARE(rejected->status, 401);
        const auto session = api.send("POST", "/v1/app/sessions", compact({{u"phone"_s, phone}, {u"code"_s, code}}));
        QCOMPARE(session->status, 201);
        const QString token = ApiClient::json(session).value(u"token"_s).toString();
        const auto me = api.bearer(token, "GET", "/v1/app/me");
        QCOMPARE(me->status, 200);
        QCOMPARE(ApiClient::json(me).value(u"phone"_s).toString(), u"138****8000"_s);
        // A code works once.
        QCOMPARE(api.send("POST", "/v1/app/sessions", compact({{u"phone"_s, phone}, {u"code"_s, code}}))->status, 401);
        // App sessions do not open staff routes, and staff sessions do not open app routes.
        QCOMPARE(api.bearer(token, "GET", "/v1/me")->status, 401);
        QCOMPARE(api.bearer(m_adminToken, "GET", "/v1/app/me")->status, 401);
        QCOMPARE(ApiClient::errorCode(api.send("POST", "/v1/app/sms-codes", compact({{u"phone"_s, u"12345"_s}}))),
                 u"VALIDATION_FAILED"_s);
    }

    void smsCodeIsBurnedAfterFiveWrongGuesses()
    {
        ApiClient api = client();
        const QString phone = u"13900139000"_s;
        QCOMPARE(api.send("POST", "/v1/app/sms-codes", compact({{u"phone"_s, phone}}))->status, 202);
        const QString code = smsCode(phone);
        const QString wrong = code == u"000000"_s ? u"111111"_s : u"000000"_s;
        for (int i = 0; i < 5; ++i)
            QCOMPARE(api.send("POST", "/v1/app/sessions", compact({{u"phone"_s, phone}, {u"code"_s, wrong}}))->status,
                     401);
        QCOMPARE(api.send("POST", "/v1/app/sessions", compact({{u"phone"_s, phone}, {u"code"_s, code}}))->status, 401);
    }

    void actionTokensAreSingleUse()
    {
        const QString alice = appSignIn(u"13700137000"_s);
        const QString bob = appSignIn(u"13600136000"_s);
        QVERIFY(!alice.isEmpty() && !bob.isEmpty());
        ApiClient api = client();
        // A token for another purpose does not open a transfer.
        const auto forWithdrawal
            = api.bearer(alice, "POST", "/v1/app/action-tokens", compact({{u"purpose"_s, u"withdrawal"_s}}));
        const QByteArray withdrawalToken = ApiClient::json(forWithdrawal).value(u"token"_s).toString().toLatin1();
        QCOMPARE(
            api.bearer(alice, "POST", "/_test/app-action", "{}", "X-Action-Token: " + withdrawalToken + "\r\n")->status,
            401);
        const auto issued
            = api.bearer(alice, "POST", "/v1/app/action-tokens", compact({{u"purpose"_s, u"transfer"_s}}));
        QCOMPARE(issued->status, 201);
        const QByteArray token = ApiClient::json(issued).value(u"token"_s).toString().toLatin1();
        QCOMPARE(api.bearer(bob, "POST", "/_test/app-action", "{}", "X-Action-Token: " + token + "\r\n")->status, 401);
        const auto used = api.bearer(alice, "POST", "/_test/app-action", "{}", "X-Action-Token: " + token + "\r\n");
        QCOMPARE(used->status, 200);
        const auto reused = api.bearer(alice, "POST", "/_test/app-action", "{}", "X-Action-Token: " + token + "\r\n");
        QCOMPARE(reused->status, 401);
        QCOMPARE(ApiClient::errorCode(reused), u"ACTION_TOKEN_INVALID"_s);
        QCOMPARE(ApiClient::errorCode(api.bearer(alice, "POST", "/_test/app-action", "{}")), u"ACTION_TOKEN_INVALID"_s);
        QCOMPARE(ApiClient::errorCode(
                     api.bearer(alice, "POST", "/v1/app/action-tokens", compact({{u"purpose"_s, u"anything"_s}}))),
                 u"VALIDATION_FAILED"_s);
    }

    void totpSecondFactorIsRequiredAndCodesAreNotReplayable()
    {
        ApiClient api = client();
        const auto created = api.bearer(m_adminToken, "POST", "/v1/staff-users",
                                        compact({{u"username"_s, u"totpadmin"_s}, {u"role"_s, u"platform_admin"_s}}));
        const QString oneTime = ApiClient::json(created).value(u"one_time_password"_s).toString();
        const QString token = firstLogin(u"totpadmin"_s, oneTime);
        const QString password = u"totpadmin-long-passphrase"_s;
        QCOMPARE(
            api.bearer(token, "POST", "/v1/me/totp/setup", compact({{u"password"_s, u"wrong-password"_s}}))->status,
            401);
        const auto setup = api.bearer(token, "POST", "/v1/me/totp/setup", compact({{u"password"_s, password}}));
        QCOMPARE(setup->status, 200);
        const std::optional<QByteArray> secret
            = paydesk::Base32::decode(ApiClient::json(setup).value(u"secret"_s).toString());
        QVERIFY(secret);
        QVERIFY(ApiClient::json(setup).value(u"otpauth_uri"_s).toString().startsWith(u"otpauth://totp/"_s));
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QCOMPARE(api.bearer(token, "POST", "/v1/me/totp/confirm",
                            compact({{u"code"_s, paydesk::Totp::code(*secret, now - 30)}}))
                     ->status,
                 204);
        QVERIFY(api.login(u"totpadmin"_s, password).isEmpty());
        QCOMPARE(ApiClient::json(api.lastResponse())
                     .value(u"error"_s)
                     .toObject()
                     .value(u"details"_s)
                     .toObject()
                     .value(u"totp_required"_s)
                     .toBool(),
                 true);
        const QString code = paydesk::Totp::code(*secret, now);
        const QByteArray withCode
            = compact({{u"username"_s, u"totpadmin"_s}, {u"password"_s, password}, {u"totp"_s, code}});
        QCOMPARE(api.send("POST", "/v1/sessions", withCode)->status, 201);
        QCOMPARE(api.send("POST", "/v1/sessions", withCode)->status, 401); // the same code twice
    }

    void expiredNoncesAreRemovedInBatches()
    {
        // 12,000 expired nonces of reads and as many of writes (more than two batches of the
        // sweep), beside one that is still valid: the sweep (every second here) removes exactly
        // the expired ones, batch after batch.
        QString error;
        const auto config = paydesk::DatabaseConfig::parse(m_db, m_fixture.dir(), &error);
        QVERIFY2(config, qPrintable(error));
        paydesk::Database database(*config);
        const qint64 valid = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
        for (const QString &table : {u"read_nonces"_s, u"request_nonces"_s}) {
            paydesk::sqlExec(database.threadConnection(),
                             u"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)"
                             " INSERT INTO "_s
                                 + table
                                 + u" (key_id, nonce, expires_at) SELECT 'AKSWEPT', 'expired-' || i, i FROM n"_s);
            paydesk::sqlExec(
                database.threadConnection(),
                u"INSERT INTO "_s + table + u" (key_id, nonce, expires_at) VALUES ('AKSWEPT', 'valid', ?)"_s, {valid});
        }
        const auto left = [&](const QString &table) {
            QSqlQuery rows = paydesk::sqlExec(database.threadConnection(),
                                              u"SELECT COUNT(*) FROM "_s + table + u" WHERE key_id = 'AKSWEPT'"_s);
            return rows.next() ? rows.value(0).toLongLong() : -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(left(u"read_nonces"_s), qint64(1), 30'000);
        QTRY_COMPARE_WITH_TIMEOUT(left(u"request_nonces"_s), qint64(1), 30'000);
        database.closeAll();
    }

    void secretsAreNotStoredInClearText()
    {
        // Everything the database holds, as bytes: the SQLite files, or a PostgreSQL dump.
        QByteArray stored;
        if (m_fixture.isPostgres()) {
            stored = m_fixture.dump();
        } else {
            for (const QString &suffix : {u""_s, u"-wal"_s}) {
                QFile file(m_db + suffix);
                if (file.open(QIODevice::ReadOnly))
                    stored += file.readAll();
            }
        }
        QVERIFY(stored.size() > 1000);
        QVERIFY(stored.contains(keyId().toLatin1())); // the data is there…
        QVERIFY(!stored.contains(secret())); // …but not the secret
        QVERIFY(!stored.contains(m_firstRun.value(u"operator_password"_s).toLatin1()));
        QVERIFY(!stored.contains("13800138000")); // phone numbers are encrypted, found by keyed hash
        QVERIFY(stored.contains("138****8000"));
    }

    void keyRotationReencryptsWhileTheServerKeepsServing()
    {
        QByteArray output;
        QCOMPARE(runServerCommand({u"keys"_s, u"rotate"_s}, &output), 0);
        QVERIFY2(output.contains("api_keys"), output.constData());
        QDir retired(m_dataDir + u"/keys/retired"_s);
        QCOMPARE(retired.entryList(QDir::Files).size(), 1);
        // The running server meets secrets under the new key and picks it up.
        ApiClient api = client();
        QCOMPARE(api.signedRequest(keyId(), secret(), "GET", "/v1/merchant")->status, 200);
        QVERIFY(!api.login(u"cashier"_s, u"cashier-long-passphrase"_s).isEmpty());
        const QString app = appSignIn(u"13500135000"_s);
        QVERIFY(!app.isEmpty());
    }

    void tamperedAuditRowIsFoundByAuditVerify()
    {
        QByteArray output;
        QCOMPARE(runServerCommand({u"audit"_s, u"verify"_s}, &output), 0);
        QVERIFY2(output.contains("OK"), output.constData());
        {
            QString error;
            const auto config = paydesk::DatabaseConfig::parse(m_db, m_dataDir, &error);
            paydesk::Database database(*config);
            QSqlQuery tamper(database.threadConnection());
            QVERIFY(tamper.exec(u"UPDATE audit_log SET action = 'merchant.deleted' WHERE seq = 3"_s));
            QCOMPARE(tamper.numRowsAffected(), 1);
        }
        QCOMPARE(runServerCommand({u"audit"_s, u"verify"_s}, &output), 1);
        QVERIFY2(output.contains("seq 3"), output.constData());
    }
};

QTEST_GUILESS_MAIN(tst_Identity)
#include "tst_identity.moc"
