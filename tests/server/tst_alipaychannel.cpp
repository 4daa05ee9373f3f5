// AlipayChannel against a local HTTPS stand-in of gateway.do (Paydesk's own HttpServer on a thread):
// the stand-in checks each request's RSA2 signature with the app public key and answers with
// `<method>_response` objects signed by an "Alipay" key, so every test runs the real wire protocol
// end to end — TLS, form/query encoding, signing, response extraction and verification.

#include "HttpServerThread.h"

#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"
#include "common/crypto/RsaSignature.h"
#include "common/protocol/AlipayResponseSign.h"
#include "common/protocol/AlipaySignContent.h"
#include "common/protocol/ApiError.h"
#include "common/protocol/FormUrlEncoded.h"
#include "server/channels/alipay/AlipayChannel.h"
#include "server/net/HttpClient.h"
#include "tests/common/TestData.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QSemaphore>
#include <QTcpServer>
#include <QTest>
#include <QTimeZone>

#include <functional>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

const QString kAppId = u"2021000000000001"_s;
const QString kSellerId = u"2088000000000001"_s;
const QString kNotifyUrl = u"https://pay.example.com/notify/alipay/ch1"_s;
/// 2024-05-01 12:00:00 in Beijing (GMT+8).
const qint64 kNow = QDateTime(QDate(2024, 5, 1), QTime(4, 0), QTimeZone::utc()).toMSecsSinceEpoch();

qint64 beijing(int year, int month, int day, int hour, int minute, int second)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute, second), QTimeZone(8 * 3600)).toMSecsSinceEpoch();
}

PrivateKey generateKey()
{
    CryptoResult<PrivateKey> key = PrivateKey::generateRsa(2048);
    if (!key)
        qFatal("key generation: %s", qPrintable(key.error()));
    return std::move(key).value();
}

QString valueOf(const FormFields &fields, const QString &name)
{
    for (const auto &[key, value] : fields)
        if (key == name)
            return value;
    return {};
}

/// One request as the stand-in received it.
struct GatewayCall
{
    QString method;
    FormFields query; ///< system parameters (URL query)
    FormFields body; ///< form body (biz_content)
    QJsonObject biz;
    bool signatureOk = false;
    QByteArray contentType;
};

/// What the stand-in answers.
struct Reply
{
    enum class Signing { Alipay, Unsigned, OtherKey, TamperedAfterSigning };
    QByteArray responseJson; ///< the `<key>_response` object
    Signing signing = Signing::Alipay;
    QString key; ///< response key; default `<method>_response`
    QByteArray rawBody; ///< when set, sent verbatim instead
    int status = 200;
};

Reply ok(const QJsonObject &fields)
{
    QJsonObject object{{u"code"_s, u"10000"_s}, {u"msg"_s, u"Success"_s}};
    for (auto it = fields.begin(); it != fields.end(); ++it)
        object.insert(it.key(), it.value());
    Reply reply;
    reply.responseJson = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return reply;
}

Reply failed(const QString &code, const QString &subCode, Reply::Signing signing = Reply::Signing::Alipay)
{
    QJsonObject object{{u"code"_s, code}, {u"msg"_s, u"Business Failed"_s}};
    if (!subCode.isEmpty())
        object.insert(u"sub_code"_s, subCode);
    Reply reply;
    reply.responseJson = QJsonDocument(object).toJson(QJsonDocument::Compact);
    reply.signing = signing;
    return reply;
}

/// The stand-in's state, shared by the handlers on the server's worker threads and the test.
class FakeGateway final
{
public:
    using Script = std::function<Reply(const GatewayCall &)>;

    FakeGateway(PublicKey appKey, PrivateKey alipayKey, PrivateKey otherKey)
        : m_appKey(std::move(appKey)), m_alipayKey(std::move(alipayKey)), m_otherKey(std::move(otherKey))
    {
    }

    void setScript(Script script)
    {
        QMutexLocker lock(&m_mutex);
        m_script = std::move(script);
        m_calls.clear();
    }

    QList<GatewayCall> calls() const
    {
        QMutexLocker lock(&m_mutex);
        return m_calls;
    }

    HttpResponse handle(const HttpRequest &request)
    {
        GatewayCall call;
        call.contentType = request.header("content-type");
        call.query = FormUrlEncoded::parse(request.query).toOptional().value_or(FormFields{});
        call.body = FormUrlEncoded::parse(request.body).toOptional().value_or(FormFields{});
        // As Alipay does: query and body together are the parameters, signed as one set.
        const FormFields all = call.query + call.body;
        call.method = valueOf(all, u"method"_s);
        call.biz = QJsonDocument::fromJson(valueOf(all, u"biz_content"_s).toUtf8()).object();
        const CryptoResult<QByteArray> content = AlipaySignContent::forRequest(all);
        call.signatureOk
            = content.ok() && RsaSignature::verifyBase64(m_appKey, *content, valueOf(all, u"sign"_s).toLatin1());
        Script script;
        {
            QMutexLocker lock(&m_mutex);
            m_calls.append(call);
            script = m_script;
        }
        if (!call.signatureOk)
            return answer(call, failed(u"40002"_s, u"isv.invalid-signature"_s, Reply::Signing::Unsigned));
        return answer(call, script ? script(call) : failed(u"40004"_s, u"NO_SCRIPT"_s));
    }

private:
    HttpResponse answer(const GatewayCall &call, const Reply &reply) const
    {
        if (!reply.rawBody.isEmpty())
            return HttpResponse::text(reply.status, reply.rawBody, "text/html;charset=utf-8");
        const QString key = reply.key.isEmpty() ? AlipayResponseSign::responseKeyFor(call.method) : reply.key;
        QByteArray content = reply.responseJson;
        QByteArray body = "{\"" + key.toUtf8() + "\":" + content;
        switch (reply.signing) {
        case Reply::Signing::Unsigned: break;
        case Reply::Signing::Alipay:
            body += ",\"sign\":\"" + *RsaSignature::signBase64(m_alipayKey, content) + '"';
            break;
        case Reply::Signing::OtherKey:
            body += ",\"sign\":\"" + *RsaSignature::signBase64(m_otherKey, content) + '"';
            break;
        case Reply::Signing::TamperedAfterSigning: {
            const QByteArray sign = *RsaSignature::signBase64(m_alipayKey, content);
            body.replace("\"0.01\"", "\"9.99\"");
            body += ",\"sign\":\"" + sign + '"';
            break;
        }
        }
        body += '}';
        return HttpResponse::text(reply.status, body, "text/html;charset=utf-8");
    }

    const PublicKey m_appKey;
    const PrivateKey m_alipayKey;
    const PrivateKey m_otherKey;
    mutable QMutex m_mutex;
    Script m_script;
    QList<GatewayCall> m_calls;
};

const QByteArray kZip = QByteArray("PK\x03\x04", 4) + QByteArray("bill file bytes \x00\xff", 18);

} // namespace

class tst_AlipayChannel : public QObject
{
    Q_OBJECT

private:
    PrivateKey m_appKey;
    PrivateKey m_alipayKey;
    PrivateKey m_otherKey;
    std::shared_ptr<FakeGateway> m_gateway;
    std::unique_ptr<HttpServerThread> m_server;
    std::unique_ptr<HttpClient> m_http;
    QSemaphore m_slowGate;
    QSemaphore m_slowDone;

    QString baseUrl() const { return u"https://127.0.0.1:%1"_s.arg(m_server->port()); }

    ChannelConfig config(const QString &path = u"/gateway.do"_s) const
    {
        ChannelConfig config;
        config.id = u"ch1"_s;
        config.type = u"alipay"_s;
        config.appId = kAppId;
        config.merchantId = kSellerId;
        config.privateKeyPem = m_appKey.toPkcs8Pem();
        // Alipay hands out its public key as a bare base64 SPKI body; accept it that way.
        config.platformKeys.insert(u"alipay"_s, m_alipayKey.publicKey().toDer().toBase64());
        config.gatewayUrl = QUrl(baseUrl() + path);
        config.gatewayCa = {m_server->ca()};
        config.notifyUrl = kNotifyUrl;
        config.timeoutMs = 5'000;
        return config;
    }

    std::unique_ptr<AlipayChannel> channel(const ChannelConfig &config) const
    {
        return std::make_unique<AlipayChannel>(config, *m_http, [] { return kNow; });
    }
    std::unique_ptr<AlipayChannel> channel() const { return channel(config()); }

    /// A trade_status_sync notification signed (rsaCheckV1) with key.
    InboundNotification notification(FormFields fields, const PrivateKey &key,
                                     const std::function<void(FormFields &)> &afterSigning = {}) const
    {
        fields.append({u"sign_type"_s, u"RSA2"_s});
        const QByteArray content = *AlipaySignContent::forNotifyV1(fields);
        fields.append({u"sign"_s, QString::fromLatin1(*RsaSignature::signBase64(key, content))});
        if (afterSigning)
            afterSigning(fields);
        return {{{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}}, FormUrlEncoded::encode(fields)};
    }

    static FormFields paymentFields()
    {
        return {{u"gmt_create"_s, u"2024-05-01 11:59:00"_s},
                {u"charset"_s, u"utf-8"_s},
                {u"subject"_s, u"咖啡 x2"_s},
                {u"buyer_id"_s, u"2088102534368455"_s},
                {u"notify_id"_s, u"2024050100222120000000000000000001"_s},
                {u"notify_type"_s, u"trade_status_sync"_s},
                {u"trade_status"_s, u"TRADE_SUCCESS"_s},
                {u"total_amount"_s, u"25.00"_s},
                {u"receipt_amount"_s, u"25.00"_s},
                {u"buyer_pay_amount"_s, u"23.50"_s},
                {u"app_id"_s, kAppId},
                {u"seller_id"_s, kSellerId},
                {u"gmt_payment"_s, u"2024-05-01 12:00:05"_s},
                {u"notify_time"_s, u"2024-05-01 12:00:06"_s},
                {u"version"_s, u"1.0"_s},
                {u"out_trade_no"_s, u"P20240501000001"_s},
                {u"trade_no"_s, u"2024050122001400000000000001"_s},
                {u"buyer_logon_id"_s, u"sam***@example.com"_s},
                {u"fund_bill_list"_s, uR"([{"amount":"23.50","fundChannel":"ALIPAYACCOUNT"}])"_s}};
    }

    static void set(FormFields &fields, const QString &name, const QString &value)
    {
        for (auto &[key, current] : fields)
            if (key == name) {
                current = value;
                return;
            }
        fields.append({name, value});
    }

private slots:
    void initTestCase()
    {
        m_appKey = generateKey();
        m_alipayKey = generateKey();
        m_otherKey = generateKey();
        m_gateway = std::make_shared<FakeGateway>(m_appKey.publicKey(), m_alipayKey, m_otherKey);
        Router router;
        const std::shared_ptr<FakeGateway> gateway = m_gateway;
        router.post("/gateway.do", [gateway](HttpRequest &request) { return gateway->handle(request); });
        // Takes the request and holds the answer until the test opens the gate, after the client's
        // timeout: no timing guesses. (The gate is opened before the server goes away, which
        // must not happen with a handler in flight.)
        router.post("/slow/gateway.do", [this](HttpRequest &) {
            m_slowGate.tryAcquire(1, 10'000);
            m_slowDone.release();
            return HttpResponse::text(200, "{}");
        });
        router.get("/bills/download", [](HttpRequest &request) {
            if (request.queryItems().queryItemValue(u"token"_s) != u"t0k3n"_s)
                return HttpResponse::text(403, "forbidden");
            return HttpResponse::text(200, kZip, "application/octet-stream");
        });
        m_server = std::make_unique<HttpServerThread>(HttpLimits{}, std::move(router));
        QVERIFY(m_server->isListening());
        m_http = std::make_unique<HttpClient>();
    }

    void cleanupTestCase()
    {
        m_http.reset();
        m_server.reset();
    }

    void init() { m_gateway->setScript({}); }

    void constructorRejectsUnusableConfig_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("breakage");
        QTest::newRow("empty app id") << u"app_id"_s << 0;
        QTest::newRow("unreadable private key") << u"private_key"_s << 1;
        QTest::newRow("missing Alipay public key") << u"platform_keys"_s << 2;
        QTest::newRow("unreadable Alipay public key") << u"platform_keys"_s << 3;
        QTest::newRow("gateway not http(s)") << u"gateway_url"_s << 4;
    }

    void constructorRejectsUnusableConfig()
    {
        QFETCH(QString, field);
        QFETCH(int, breakage);
        ChannelConfig broken = config();
        switch (breakage) {
        case 0: broken.appId.clear(); break;
        case 1: broken.privateKeyPem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"; break;
        case 2: broken.platformKeys.clear(); break;
        case 3: broken.platformKeys[u"alipay"_s] = "not a key"; break;
        case 4: broken.gatewayUrl = QUrl(u"ftp://openapi.alipay.com/gateway.do"_s); break;
        }
        try {
            channel(broken);
            QFAIL("no ApiError");
        } catch (const ApiError &error) {
            QCOMPARE(error.code(), ErrorCode::ValidationFailed);
            QCOMPARE(error.details().value(u"field"_s).toString(), field);
        }
        // createChannel dispatches on the type and reports the same error.
        try {
            createChannel(broken, *m_http, [] { return kNow; });
            QFAIL("no ApiError from createChannel");
        } catch (const ApiError &error) {
            QCOMPARE(error.details().value(u"field"_s).toString(), field);
        }
    }

    void precreateSendsSignedRequestAndReturnsQrCode()
    {
        m_gateway->setScript([](const GatewayCall &call) {
            return ok({{u"out_trade_no"_s, call.biz.value(u"out_trade_no"_s)},
                       {u"qr_code"_s, u"https://qr.alipay.com/bax08888"_s}});
        });
        PrepayRequest request;
        request.outTradeNo = u"P20240501000001"_s;
        request.amount = 1234;
        request.subject = u"咖啡 & 蛋糕"_s;
        request.expiresAtMs = kNow + 15 * 60 * 1000;
        const PrepayResult result = channel()->prepay(request);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.qrCode, u"https://qr.alipay.com/bax08888"_s);
        QCOMPARE(result.exchange.verification, u"ok"_s);
        QCOMPARE(result.exchange.httpStatus, 200);
        QCOMPARE(result.exchange.operation, u"prepay"_s);
        QCOMPARE(result.exchange.direction, u"out"_s);
        QCOMPARE(result.exchange.url, baseUrl() + u"/gateway.do?method=alipay.trade.precreate"_s);
        QVERIFY(result.exchange.response.contains("bax08888"));

        const QList<GatewayCall> calls = m_gateway->calls();
        QCOMPARE(calls.size(), 1);
        const GatewayCall &call = calls.first();
        QVERIFY(call.signatureOk);
        QCOMPARE(call.contentType, QByteArray("application/x-www-form-urlencoded;charset=utf-8"));
        QCOMPARE(call.method, u"alipay.trade.precreate"_s);
        // System parameters in the query, biz_content (only) in the body.
        QCOMPARE(valueOf(call.query, u"app_id"_s), kAppId);
        QCOMPARE(valueOf(call.query, u"format"_s), u"JSON"_s);
        QCOMPARE(valueOf(call.query, u"charset"_s), u"utf-8"_s);
        QCOMPARE(valueOf(call.query, u"sign_type"_s), u"RSA2"_s);
        QCOMPARE(valueOf(call.query, u"version"_s), u"1.0"_s);
        QCOMPARE(valueOf(call.query, u"timestamp"_s), u"2024-05-01 12:00:00"_s);
        QCOMPARE(valueOf(call.query, u"notify_url"_s), kNotifyUrl);
        QVERIFY(!valueOf(call.query, u"sign"_s).isEmpty());
        QVERIFY(valueOf(call.query, u"biz_content"_s).isEmpty());
        QCOMPARE(call.body.size(), 1);
        QCOMPARE(call.body.first().first, u"biz_content"_s);
        QCOMPARE(call.biz.value(u"out_trade_no"_s).toString(), request.outTradeNo);
        QCOMPARE(call.biz.value(u"total_amount"_s).toString(), u"12.34"_s);
        QCOMPARE(call.biz.value(u"subject"_s).toString(), request.subject);
        QCOMPARE(call.biz.value(u"time_expire"_s).toString(), u"2024-05-01 12:15:00"_s);

        // The log holds the parameters as sent, never key material.
        QVERIFY(result.exchange.request.contains("biz_content="));
        QVERIFY(result.exchange.request.contains("sign="));
        QVERIFY(!result.exchange.request.contains("PRIVATE"));
        QVERIFY(!result.exchange.request.contains(m_appKey.toPkcs8Der().toBase64().left(40)));
    }

    void amountsAreExactYuanStrings_data()
    {
        QTest::addColumn<qint64>("fen");
        QTest::addColumn<QString>("yuan");
        QTest::newRow("one fen") << qint64(1) << u"0.01"_s;
        QTest::newRow("ten fen") << qint64(10) << u"0.10"_s;
        QTest::newRow("whole") << qint64(100000) << u"1000.00"_s;
        QTest::newRow("large") << qint64(999999999999) << u"9999999999.99"_s;
    }

    void amountsAreExactYuanStrings()
    {
        QFETCH(qint64, fen);
        QFETCH(QString, yuan);
        m_gateway->setScript([](const GatewayCall &) { return ok({{u"qr_code"_s, u"https://qr.alipay.com/x"_s}}); });
        PrepayRequest request;
        request.outTradeNo = u"P1"_s;
        request.amount = fen;
        request.subject = u"s"_s;
        QCOMPARE(channel()->prepay(request).outcome, CallOutcome::Ok);
        QCOMPARE(m_gateway->calls().first().biz.value(u"total_amount"_s).toString(), yuan);
        QVERIFY(!m_gateway->calls().first().biz.contains(u"time_expire"_s));
    }

    void answersThatDoNotVerifyAreUnknown_data()
    {
        QTest::addColumn<int>("signing");
        QTest::newRow("signed with another key") << int(Reply::Signing::OtherKey);
        QTest::newRow("altered after signing") << int(Reply::Signing::TamperedAfterSigning);
        QTest::newRow("unsigned success") << int(Reply::Signing::Unsigned);
    }

    void answersThatDoNotVerifyAreUnknown()
    {
        QFETCH(int, signing);
        m_gateway->setScript([signing](const GatewayCall &) {
            Reply reply = ok({{u"qr_code"_s, u"https://qr.alipay.com/forged"_s}, {u"total_amount"_s, u"0.01"_s}});
            reply.signing = Reply::Signing(signing);
            return reply;
        });
        PrepayRequest request;
        request.outTradeNo = u"P2"_s;
        request.amount = 1;
        request.subject = u"s"_s;
        const PrepayResult result = channel()->prepay(request);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QVERIFY(result.qrCode.isEmpty());
        QVERIFY2(result.exchange.verification.startsWith(u"failed: "_s), qPrintable(result.exchange.verification));
        QVERIFY(!result.error.code.isEmpty());
    }

    void unsignedGatewayRefusalIsRejectedButUnsignedBusinessAnswerIsUnknown()
    {
        // Alipay cannot sign some gateway-level refusals; they mean nothing happened.
        m_gateway->setScript([](const GatewayCall &) {
            Reply reply = failed(u"40002"_s, u"isv.invalid-app-id"_s, Reply::Signing::Unsigned);
            reply.key = u"error_response"_s;
            return reply;
        });
        QueryResult result = channel()->query(u"P3"_s);
        QCOMPARE(result.outcome, CallOutcome::Rejected);
        QCOMPARE(result.error.code, u"isv.invalid-app-id"_s);
        QCOMPARE(result.exchange.verification, u"failed: unsigned"_s);

        // An unsigned "trade does not exist" must not be believed: it would close a paid order.
        m_gateway->setScript(
            [](const GatewayCall &) { return failed(u"40004"_s, u"ACQ.TRADE_NOT_EXIST"_s, Reply::Signing::Unsigned); });
        result = channel()->query(u"P3"_s);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.error.code, u"UNSIGNED"_s);
    }

    void requestSignedWithTheWrongKeyIsRefusedByTheGateway()
    {
        // The stand-in really checks signatures: a channel whose app key Alipay does not know is refused.
        ChannelConfig wrong = config();
        wrong.privateKeyPem = m_otherKey.toPkcs8Pem();
        const QueryResult result = channel(wrong)->query(u"P4"_s);
        QCOMPARE(m_gateway->calls().size(), 1);
        QVERIFY(!m_gateway->calls().first().signatureOk);
        QCOMPARE(result.outcome, CallOutcome::Rejected);
        QCOMPARE(result.error.code, u"isv.invalid-signature"_s);
    }

    void queryOfUnknownTradeIsNotFound()
    {
        m_gateway->setScript([](const GatewayCall &) { return failed(u"40004"_s, u"ACQ.TRADE_NOT_EXIST"_s); });
        const QueryResult result = channel()->query(u"P5"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.trade.state, TradeState::NotFound);
        QCOMPARE(result.trade.outTradeNo, u"P5"_s);
        QVERIFY(result.error.code.isEmpty());
        QCOMPARE(result.exchange.verification, u"ok"_s);
        QCOMPARE(m_gateway->calls().first().method, u"alipay.trade.query"_s);
        QCOMPARE(m_gateway->calls().first().biz, (QJsonObject{{u"out_trade_no"_s, u"P5"_s}}));
        QVERIFY(valueOf(m_gateway->calls().first().query, u"notify_url"_s).isEmpty());
    }

    void queryMapsTradeStatesAndAmountsInFen_data()
    {
        QTest::addColumn<QJsonObject>("answer");
        QTest::addColumn<int>("state");
        QTest::addColumn<qint64>("total");
        QTest::addColumn<qint64>("paid");
        QTest::addColumn<qint64>("paidAt");
        QTest::addColumn<QString>("payer");

        const QJsonObject paid{
            {u"trade_no"_s, u"2024050122001400000000000002"_s},
            {u"out_trade_no"_s, u"P6"_s},
            {u"buyer_logon_id"_s, u"sam***@example.com"_s},
            {u"buyer_user_id"_s, u"2088102534368455"_s},
            {u"trade_status"_s, u"TRADE_SUCCESS"_s},
            {u"total_amount"_s, u"88.88"_s},
            {u"receipt_amount"_s, u"88.88"_s},
            {u"buyer_pay_amount"_s, u"80.00"_s},
            {u"send_pay_date"_s, u"2024-05-01 12:03:04"_s},
            {u"fund_bill_list"_s,
             QJsonArray{QJsonObject{{u"fund_channel"_s, u"ALIPAYACCOUNT"_s}, {u"amount"_s, u"80.00"_s}}}}};
        const qint64 paidAt = beijing(2024, 5, 1, 12, 3, 4);
        QTest::newRow("TRADE_SUCCESS") << paid << int(TradeState::Paid) << qint64(8888) << qint64(8000) << paidAt
                                       << u"sam****"_s;
        QJsonObject finished = paid;
        finished[u"trade_status"_s] = u"TRADE_FINISHED"_s;
        finished.remove(u"buyer_pay_amount"_s);
        QTest::newRow("TRADE_FINISHED, receipt only")
            << finished << int(TradeState::Finished) << qint64(8888) << qint64(8888) << paidAt << u"sam****"_s;
        QJsonObject refunded = paid;
        refunded[u"trade_status"_s] = u"TRADE_CLOSED"_s;
        QTest::newRow("TRADE_CLOSED after payment")
            << refunded << int(TradeState::Refunded) << qint64(8888) << qint64(8000) << paidAt << u"sam****"_s;
        const QJsonObject waiting{{u"trade_no"_s, u"2024050122001400000000000003"_s},
                                  {u"out_trade_no"_s, u"P6"_s},
                                  {u"trade_status"_s, u"WAIT_BUYER_PAY"_s},
                                  {u"total_amount"_s, u"0.01"_s},
                                  {u"buyer_user_id"_s, u"2088102534368455"_s}};
        QTest::newRow("WAIT_BUYER_PAY") << waiting << int(TradeState::Waiting) << qint64(1) << qint64(0) << qint64(0)
                                        << u"208****"_s;
        QJsonObject closed = waiting;
        closed[u"trade_status"_s] = u"TRADE_CLOSED"_s;
        QTest::newRow("TRADE_CLOSED unpaid")
            << closed << int(TradeState::Closed) << qint64(1) << qint64(0) << qint64(0) << u"208****"_s;
    }

    void queryMapsTradeStatesAndAmountsInFen()
    {
        QFETCH(QJsonObject, answer);
        QFETCH(int, state);
        QFETCH(qint64, total);
        QFETCH(qint64, paid);
        QFETCH(qint64, paidAt);
        QFETCH(QString, payer);
        m_gateway->setScript([answer](const GatewayCall &) { return ok(answer); });
        const QueryResult result = channel()->query(u"P6"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(int(result.trade.state), state);
        QCOMPARE(result.trade.rawState, answer.value(u"trade_status"_s).toString());
        QCOMPARE(result.trade.totalAmount, total);
        QCOMPARE(result.trade.paidAmount, paid);
        QCOMPARE(result.trade.paidAtMs, paidAt);
        QCOMPARE(result.trade.payer, payer);
        QCOMPARE(result.trade.outTradeNo, u"P6"_s);
        QCOMPARE(result.trade.channelTradeNo, answer.value(u"trade_no"_s).toString());
        // The log keeps the answer, with the buyer's Alipay user id cut to a prefix.
        QVERIFY(result.exchange.response.contains("\"buyer_user_id\":\"208****\""));
        QVERIFY(!result.exchange.response.contains("2088102534368455"));
    }

    void queryWithMalformedAmountOrOtherTradeIsUnknown()
    {
        m_gateway->setScript([](const GatewayCall &) {
            return ok({{u"out_trade_no"_s, u"P7"_s},
                       {u"trade_status"_s, u"TRADE_SUCCESS"_s},
                       {u"total_amount"_s, u"1.234"_s}});
        });
        QueryResult result = channel()->query(u"P7"_s);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.error.code, u"BAD_RESPONSE"_s);

        m_gateway->setScript([](const GatewayCall &) {
            return ok({{u"out_trade_no"_s, u"SOMEONE-ELSE"_s},
                       {u"trade_status"_s, u"TRADE_SUCCESS"_s},
                       {u"total_amount"_s, u"1.00"_s}});
        });
        result = channel()->query(u"P7"_s);
        QCOMPARE(result.outcome, CallOutcome::Unknown);

        m_gateway->setScript([](const GatewayCall &) {
            return ok(
                {{u"out_trade_no"_s, u"P7"_s}, {u"trade_status"_s, u"TRADE_WEIRD"_s}, {u"total_amount"_s, u"1.00"_s}});
        });
        QCOMPARE(channel()->query(u"P7"_s).outcome, CallOutcome::Unknown);
    }

    void closeOutcomes()
    {
        m_gateway->setScript([](const GatewayCall &) { return failed(u"40004"_s, u"ACQ.TRADE_STATUS_ERROR"_s); });
        CloseResult result = channel()->close(u"P8"_s);
        QCOMPARE(m_gateway->calls().first().method, u"alipay.trade.close"_s);
        QCOMPARE(result.outcome, CallOutcome::Rejected);
        QVERIFY(result.alreadyPaid);
        QCOMPARE(result.error.code, u"ACQ.TRADE_STATUS_ERROR"_s);

        m_gateway->setScript([](const GatewayCall &) { return failed(u"40004"_s, u"ACQ.TRADE_NOT_EXIST"_s); });
        result = channel()->close(u"P8"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QVERIFY(!result.alreadyPaid);

        m_gateway->setScript([](const GatewayCall &) { return ok({{u"out_trade_no"_s, u"P8"_s}}); });
        result = channel()->close(u"P8"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QVERIFY(!result.alreadyPaid);
    }

    void refundSucceedsWithFundChange()
    {
        m_gateway->setScript([](const GatewayCall &) {
            return ok({{u"out_trade_no"_s, u"P9"_s},
                       {u"fund_change"_s, u"Y"_s},
                       {u"refund_fee"_s, u"8.00"_s}, // cumulative: an earlier 3.00 and this 5.00
                       {u"gmt_refund_pay"_s, u"2024-05-01 12:30:00"_s}});
        });
        RefundRequest request;
        request.outTradeNo = u"P9"_s;
        request.outRefundNo = u"R9-2"_s;
        request.amount = 500;
        request.totalAmount = 1000;
        request.reason = u"退货"_s;
        const RefundResult result = channel()->refund(request);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.state, RefundState::Succeeded);
        QCOMPARE(result.refundAmount, qint64(500));
        QCOMPARE(result.succeededAtMs, beijing(2024, 5, 1, 12, 30, 0));
        QCOMPARE(result.exchange.operation, u"refund"_s);
        const QList<GatewayCall> calls = m_gateway->calls();
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.first().method, u"alipay.trade.refund"_s);
        QCOMPARE(calls.first().biz,
                 (QJsonObject{{u"out_trade_no"_s, u"P9"_s},
                              {u"refund_amount"_s, u"5.00"_s},
                              {u"out_request_no"_s, u"R9-2"_s},
                              {u"refund_reason"_s, u"退货"_s}}));
    }

    void refundWithoutFundChangeIsSettledByRefundQuery()
    {
        // A repeat of an out_request_no that succeeded earlier: fund_change N, the query confirms.
        m_gateway->setScript([](const GatewayCall &call) {
            if (call.method == u"alipay.trade.refund"_s)
                return ok({{u"out_trade_no"_s, u"P10"_s}, {u"fund_change"_s, u"N"_s}, {u"refund_fee"_s, u"5.00"_s}});
            return ok({{u"out_trade_no"_s, u"P10"_s},
                       {u"out_request_no"_s, u"R10"_s},
                       {u"refund_status"_s, u"REFUND_SUCCESS"_s},
                       {u"refund_amount"_s, u"5.00"_s},
                       {u"gmt_refund_pay"_s, u"2024-05-01 11:00:00"_s}});
        });
        RefundRequest request;
        request.outTradeNo = u"P10"_s;
        request.outRefundNo = u"R10"_s;
        request.amount = 500;
        const RefundResult result = channel()->refund(request);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.state, RefundState::Succeeded);
        QCOMPARE(result.refundAmount, qint64(500));
        QCOMPARE(result.succeededAtMs, beijing(2024, 5, 1, 11, 0, 0));
        const QList<GatewayCall> calls = m_gateway->calls();
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(1).method, u"alipay.trade.fastpay.refund.query"_s);
        QCOMPARE(calls.at(1).biz.value(u"out_request_no"_s).toString(), u"R10"_s);
        QCOMPARE(calls.at(1).biz.value(u"query_options"_s).toArray(), QJsonArray{u"gmt_refund_pay"_s});

        // fund_change N and the query knows nothing yet: accepted, not confirmed.
        m_gateway->setScript([](const GatewayCall &call) {
            if (call.method == u"alipay.trade.refund"_s)
                return ok({{u"fund_change"_s, u"N"_s}});
            return ok({});
        });
        const RefundResult pending = channel()->refund(request);
        QCOMPARE(pending.outcome, CallOutcome::Ok);
        QCOMPARE(pending.state, RefundState::Processing);
    }

    void refundFailuresAndSystemErrors()
    {
        RefundRequest request;
        request.outTradeNo = u"P11"_s;
        request.outRefundNo = u"R11"_s;
        request.amount = 100;
        m_gateway->setScript([](const GatewayCall &) { return failed(u"40004"_s, u"ACQ.TRADE_HAS_FINISHED"_s); });
        RefundResult result = channel()->refund(request);
        QCOMPARE(result.outcome, CallOutcome::Rejected);
        QCOMPARE(result.state, RefundState::Failed);
        QCOMPARE(result.error.code, u"ACQ.TRADE_HAS_FINISHED"_s);

        // Alipay's advice for a system error is to retry with the same out_request_no: unknown.
        m_gateway->setScript([](const GatewayCall &) { return failed(u"40004"_s, u"ACQ.SYSTEM_ERROR"_s); });
        result = channel()->refund(request);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.state, RefundState::Processing);

        m_gateway->setScript([](const GatewayCall &) { return failed(u"20000"_s, u"isp.unknow-error"_s); });
        result = channel()->refund(request);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.state, RefundState::Processing);

        m_gateway->setScript([](const GatewayCall &) {
            Reply reply;
            reply.rawBody = "<html>Bad Gateway</html>";
            reply.status = 502;
            return reply;
        });
        result = channel()->refund(request);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.error.code, u"HTTP_502"_s);
        QCOMPARE(result.exchange.httpStatus, 502);
    }

    void queryRefundStates()
    {
        RefundRequest request;
        request.outTradeNo = u"P12"_s;
        request.outRefundNo = u"R12"_s;
        m_gateway->setScript([](const GatewayCall &) { return ok({}); });
        RefundResult result = channel()->queryRefund(request);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.state, RefundState::NotFound);
        QCOMPARE(result.exchange.operation, u"refund_query"_s);

        // Older answers carry no refund_status, only the amount once the refund has succeeded.
        m_gateway->setScript([](const GatewayCall &) {
            return ok({{u"out_request_no"_s, u"R12"_s}, {u"refund_amount"_s, u"0.30"_s}});
        });
        result = channel()->queryRefund(request);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.state, RefundState::Succeeded);
        QCOMPARE(result.refundAmount, qint64(30));
    }

    void timeoutIsUnknown()
    {
        ChannelConfig slow = config(u"/slow/gateway.do"_s);
        slow.timeoutMs = 300;
        const QueryResult result = channel(slow)->query(u"P13"_s);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.error.code, u"TIMEOUT"_s);
        QCOMPARE(result.exchange.httpStatus, 0);

        RefundRequest request;
        request.outTradeNo = u"P13"_s;
        request.outRefundNo = u"R13"_s;
        request.amount = 100;
        const RefundResult refund = channel(slow)->refund(request);
        QCOMPARE(refund.outcome, CallOutcome::Unknown);
        QCOMPARE(refund.error.code, u"TIMEOUT"_s);
        QCOMPARE(refund.state, RefundState::Processing);

        // Both requests did arrive (the effect is unknown, not absent); let their handlers finish.
        m_slowGate.release(2);
        QVERIFY(m_slowDone.tryAcquire(2, 10'000));
    }

    void connectionRefusedIsUnknown()
    {
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        ChannelConfig nowhere = config();
        nowhere.gatewayUrl = QUrl(u"https://127.0.0.1:%1/gateway.do"_s.arg(closedPort));
        const CloseResult result = channel(nowhere)->close(u"P14"_s);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.error.code, u"TRANSPORT"_s);
    }

    void downloadBillFetchesTheZip()
    {
        const QString url = baseUrl() + u"/bills/download?token=t0k3n&fileType=csv.zip"_s;
        m_gateway->setScript([url](const GatewayCall &) { return ok({{u"bill_download_url"_s, url}}); });
        const BillResult result = channel()->downloadBill(QDate(2024, 4, 30));
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QVERIFY(!result.noBill);
        QCOMPARE(result.format, u"alipay-trade-zip"_s);
        QCOMPARE(result.content, kZip);
        const GatewayCall call = m_gateway->calls().first();
        QCOMPARE(call.method, u"alipay.data.dataservice.bill.downloadurl.query"_s);
        QCOMPARE(call.biz, (QJsonObject{{u"bill_type"_s, u"trade"_s}, {u"bill_date"_s, u"2024-04-30"_s}}));
        QCOMPARE(result.exchanges.size(), 2);
        QCOMPARE(result.exchanges.at(1).httpStatus, 200);
        // The download URL's query is a credential and stays out of the log.
        QCOMPARE(result.exchanges.at(1).url, baseUrl() + u"/bills/download"_s);
        QVERIFY(!result.exchanges.at(1).response.contains(kZip));
    }

    void downloadBillWithoutBillIsNoBill()
    {
        m_gateway->setScript([](const GatewayCall &) { return failed(u"40004"_s, u"isp.bill_not_exist"_s); });
        const BillResult result = channel()->downloadBill(QDate(2024, 4, 30));
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QVERIFY(result.noBill);
        QVERIFY(result.content.isEmpty());
        QCOMPARE(result.exchanges.size(), 1);
    }

    void appPayOrderStringIsSignedWithTheAppKey()
    {
        PrepayRequest request;
        request.outTradeNo = u"P15"_s;
        request.amount = 1;
        request.subject = u"会员 1 个月"_s;
        request.method = PayMethod::App;
        request.expiresAtMs = kNow + 60'000;
        const PrepayResult result = channel()->prepay(request);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.exchange.verification, u"n/a"_s);
        QVERIFY(m_gateway->calls().isEmpty()); // no network: the app sends it to Alipay

        const QByteArray orderString = result.appParams.value(u"order_string"_s).toString().toLatin1();
        QCOMPARE(result.exchange.request, orderString);
        const CryptoResult<FormFields> fields = FormUrlEncoded::parse(orderString);
        QVERIFY2(fields.ok(), qPrintable(fields.error()));
        QCOMPARE(fields->last().first, u"sign"_s);
        QCOMPARE(valueOf(*fields, u"method"_s), u"alipay.trade.app.pay"_s);
        QCOMPARE(valueOf(*fields, u"app_id"_s), kAppId);
        QCOMPARE(valueOf(*fields, u"notify_url"_s), kNotifyUrl);
        QCOMPARE(valueOf(*fields, u"timestamp"_s), u"2024-05-01 12:00:00"_s);
        const QJsonObject biz = QJsonDocument::fromJson(valueOf(*fields, u"biz_content"_s).toUtf8()).object();
        QCOMPARE(biz.value(u"total_amount"_s).toString(), u"0.01"_s);
        QCOMPARE(biz.value(u"subject"_s).toString(), request.subject);
        QCOMPARE(biz.value(u"product_code"_s).toString(), u"QUICK_MSECURITY_PAY"_s);
        QCOMPARE(biz.value(u"time_expire"_s).toString(), u"2024-05-01 12:01:00"_s);
        const QByteArray content = *AlipaySignContent::forRequest(*fields);
        QVERIFY(RsaSignature::verifyBase64(m_appKey.publicKey(), content, fields->last().second.toLatin1()));
        QVERIFY(!RsaSignature::verifyBase64(m_otherKey.publicKey(), content, fields->last().second.toLatin1()));
    }

    void derivedJavaSdkAnswersVerify()
    {
        // Answers signed with the Java SDK's published key (tests/data), sent verbatim: the
        // channel must find and verify the raw substring, `\/` escapes included.
        ChannelConfig javaKeyed = config();
        javaKeyed.platformKeys[u"alipay"_s] = readData(u"alipay/java_sdk_rsacheck/app_public_key.pem"_s);
        const QString dir = u"alipay/derived_with_java_sdk_prodcert_key/"_s;
        const QByteArray precreate = readData(dir + u"response_precreate.raw.json"_s);
        m_gateway->setScript([precreate](const GatewayCall &) {
            Reply reply;
            reply.rawBody = precreate;
            return reply;
        });
        PrepayRequest request;
        request.outTradeNo = u"T20240101000001"_s;
        request.amount = 8888;
        request.subject = u"Iphone6 16G"_s;
        const PrepayResult prepay = channel(javaKeyed)->prepay(request);
        QCOMPARE(prepay.outcome, CallOutcome::Ok);
        QCOMPARE(prepay.qrCode, u"https://qr.alipay.com/bax03431ljhokirwl38f00a7"_s);
        // The same bytes are not trusted under another Alipay key.
        QCOMPARE(channel()->prepay(request).outcome, CallOutcome::Unknown);

        const QByteArray notExist = readData(dir + u"response_query_not_exist.raw.json"_s);
        m_gateway->setScript([notExist](const GatewayCall &) {
            Reply reply;
            reply.rawBody = notExist;
            return reply;
        });
        const QueryResult query = channel(javaKeyed)->query(u"T20240101000001"_s);
        QCOMPARE(query.outcome, CallOutcome::Ok);
        QCOMPARE(query.trade.state, TradeState::NotFound);
    }

    void notificationOfPaymentIsAccepted()
    {
        const NotificationResult result = channel()->parseNotification(notification(paymentFields(), m_alipayKey));
        QVERIFY2(result.accepted, qPrintable(result.rejectReason));
        QCOMPARE(result.kind, NotificationKind::Payment);
        QCOMPARE(result.notifyId, u"2024050100222120000000000000000001"_s);
        QCOMPARE(result.trade.state, TradeState::Paid);
        QCOMPARE(result.trade.rawState, u"TRADE_SUCCESS"_s);
        QCOMPARE(result.trade.outTradeNo, u"P20240501000001"_s);
        QCOMPARE(result.trade.channelTradeNo, u"2024050122001400000000000001"_s);
        QCOMPARE(result.trade.totalAmount, qint64(2500));
        QCOMPARE(result.trade.paidAmount, qint64(2350));
        QCOMPARE(result.trade.paidAtMs, beijing(2024, 5, 1, 12, 0, 5));
        QCOMPARE(result.trade.appId, kAppId);
        QCOMPARE(result.trade.merchantId, kSellerId);
        QCOMPARE(result.trade.payer, u"sam****"_s);
        QCOMPARE(result.exchange.direction, u"in"_s);
        QCOMPARE(result.exchange.operation, u"notify"_s);
        QCOMPARE(result.exchange.verification, u"ok"_s);
        // Buyer identifiers are logged as prefixes only.
        const FormFields logged = *FormUrlEncoded::parse(result.exchange.request);
        QCOMPARE(valueOf(logged, u"buyer_id"_s), u"208****"_s);
        QCOMPARE(valueOf(logged, u"buyer_logon_id"_s), u"sam****"_s);
        QCOMPARE(valueOf(logged, u"total_amount"_s), u"25.00"_s);
    }

    void notificationsThatMustBeRejected_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<QString>("reason");
        QTest::newRow("signed with another key") << 0 << u"bad signature"_s;
        QTest::newRow("amount changed after signing") << 1 << u"bad signature"_s;
        QTest::newRow("signature removed") << 2 << u"signature missing"_s;
        QTest::newRow("another app's (validly signed)") << 3 << u"app_id"_s;
        QTest::newRow("another seller's (validly signed)") << 4 << u"seller_id"_s;
        QTest::newRow("unknown notify_type") << 5 << u"notify_type"_s;
        QTest::newRow("not a form body") << 6 << u"form-urlencoded"_s;
        QTest::newRow("legacy RSA sign_type") << 7 << u"sign_type"_s;
        QTest::newRow("repeated amount") << 8 << u"repeated"_s;
    }

    void notificationsThatMustBeRejected()
    {
        QFETCH(int, variant);
        QFETCH(QString, reason);
        FormFields fields = paymentFields();
        InboundNotification inbound;
        switch (variant) {
        case 0: inbound = notification(fields, m_otherKey); break;
        case 1:
            inbound = notification(fields, m_alipayKey, [](FormFields &f) { set(f, u"total_amount"_s, u"0.01"_s); });
            break;
        case 2: inbound = notification(fields, m_alipayKey, [](FormFields &f) { f.removeLast(); }); break;
        case 3:
            set(fields, u"app_id"_s, u"2021999999999999"_s);
            inbound = notification(fields, m_alipayKey);
            break;
        case 4:
            set(fields, u"seller_id"_s, u"2088999999999999"_s);
            inbound = notification(fields, m_alipayKey);
            break;
        case 5:
            set(fields, u"notify_type"_s, u"trade_status_mystery"_s);
            inbound = notification(fields, m_alipayKey);
            break;
        case 6:
            inbound = notification(fields, m_alipayKey);
            inbound.headers = {{"content-type", "application/json"}};
            break;
        case 7:
            inbound = notification(fields, m_alipayKey, [](FormFields &f) { set(f, u"sign_type"_s, u"RSA"_s); });
            break;
        case 8:
            inbound = notification(fields, m_alipayKey, [](FormFields &f) {
                f.append({u"total_amount"_s, u"0.01"_s});
            });
            break;
        }
        const NotificationResult result = channel()->parseNotification(inbound);
        QVERIFY(!result.accepted);
        QVERIFY2(result.rejectReason.contains(reason), qPrintable(result.rejectReason));
        QCOMPARE(result.exchange.direction, u"in"_s);
    }

    void notificationOfRefundAndClosedTrades()
    {
        // A full refund: the trade closes after payment and the message carries the refund fields.
        FormFields fields = paymentFields();
        set(fields, u"trade_status"_s, u"TRADE_CLOSED"_s);
        set(fields, u"refund_fee"_s, u"25.00"_s);
        set(fields, u"out_biz_no"_s, u"R20240501000001"_s);
        set(fields, u"gmt_refund"_s, u"2024-05-01 13:00:00.123"_s);
        NotificationResult result = channel()->parseNotification(notification(fields, m_alipayKey));
        QVERIFY2(result.accepted, qPrintable(result.rejectReason));
        QCOMPARE(result.kind, NotificationKind::Refund);
        QCOMPARE(result.outRefundNo, u"R20240501000001"_s);
        QCOMPARE(result.refundState, RefundState::Succeeded);
        QCOMPARE(result.refundAmount, qint64(0)); // refund_fee is cumulative: not this refund's amount
        QCOMPARE(result.trade.state, TradeState::Refunded);
        QCOMPARE(result.trade.totalAmount, qint64(2500));

        // Closed unpaid: no payment time.
        fields = paymentFields();
        set(fields, u"trade_status"_s, u"TRADE_CLOSED"_s);
        fields.removeIf([](const auto &field) {
            return field.first == u"gmt_payment"_s
                || (field.first.endsWith(u"_amount"_s) && field.first != u"total_amount"_s);
        });
        result = channel()->parseNotification(notification(fields, m_alipayKey));
        QVERIFY2(result.accepted, qPrintable(result.rejectReason));
        QCOMPARE(result.kind, NotificationKind::Payment);
        QCOMPARE(result.trade.state, TradeState::Closed);
        QCOMPARE(result.trade.paidAmount, qint64(0));
        QCOMPARE(result.trade.paidAtMs, qint64(0));

        // A payment message with a zero refund_fee is a payment, not a refund.
        fields = paymentFields();
        set(fields, u"refund_fee"_s, u"0.00"_s);
        result = channel()->parseNotification(notification(fields, m_alipayKey));
        QVERIFY2(result.accepted, qPrintable(result.rejectReason));
        QCOMPARE(result.kind, NotificationKind::Payment);
        QCOMPARE(result.trade.state, TradeState::Paid);
    }

    void realAlipayNotificationVerifies()
    {
        // A notification signed by Alipay itself (Node SDK test fixture), delivered as a form body.
        const QString dir = u"alipay/notify_trade_status_sync_rsacheckv1/"_s;
        const QJsonObject params = QJsonDocument::fromJson(readData(dir + u"post_params.json"_s)).object();
        FormFields fields;
        for (auto it = params.begin(); it != params.end(); ++it)
            fields.append({it.key(), it.value().toString()});
        ChannelConfig real = config();
        real.appId = u"2019073166072302"_s;
        real.merchantId = u"2088531891668739"_s;
        real.platformKeys[u"alipay"_s] = readData(dir + u"alipay_public_key.pem"_s);
        const auto realChannel = channel(real);
        const InboundNotification inbound{{{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}},
                                          FormUrlEncoded::encode(fields)};
        NotificationResult result = realChannel->parseNotification(inbound);
        QVERIFY2(result.accepted, qPrintable(result.rejectReason));
        QCOMPARE(result.kind, NotificationKind::Payment);
        QCOMPARE(result.notifyId, u"2019081500222155624068450559358070"_s);
        QCOMPARE(result.trade.state, TradeState::Paid);
        QCOMPARE(result.trade.outTradeNo, u"20190815155618536-564-57"_s);
        QCOMPARE(result.trade.totalAmount, qint64(10));
        QCOMPARE(result.trade.paidAmount, qint64(10));
        QCOMPARE(result.trade.paidAtMs, beijing(2019, 8, 15, 15, 56, 24));
        QCOMPARE(result.trade.payer, u"xud****"_s);

        set(fields, u"total_amount"_s, u"1.00"_s);
        result = realChannel->parseNotification({inbound.headers, FormUrlEncoded::encode(fields)});
        QVERIFY(!result.accepted);
        QCOMPARE(result.rejectReason, u"bad signature"_s);

        // Genuine, but not under another Alipay key, nor for another app (rejected after verification).
        QCOMPARE(channel()->parseNotification(inbound).rejectReason, u"bad signature"_s);
        real.appId = u"2019073166072303"_s;
        result = channel(real)->parseNotification(inbound);
        QVERIFY(!result.accepted);
        QCOMPARE(result.exchange.verification, u"ok"_s);
        QVERIFY(result.rejectReason.contains(u"app_id"_s));
    }

    void acknowledgementBodies()
    {
        const auto ch = channel();
        const HttpResponse accepted = ch->acknowledge(true, {});
        QCOMPARE(accepted.status, 200);
        QCOMPARE(accepted.body, QByteArray("success"));
        bool textPlain = false;
        for (const auto &[name, value] : accepted.headers)
            if (name.compare("content-type", Qt::CaseInsensitive) == 0)
                textPlain = value.startsWith("text/plain");
        QVERIFY(textPlain);
        const HttpResponse rejected = ch->acknowledge(false, u"bad signature"_s);
        QCOMPARE(rejected.status, 200);
        QCOMPARE(rejected.body, QByteArray("fail"));
    }
};

QTEST_GUILESS_MAIN(tst_AlipayChannel)
#include "tst_alipaychannel.moc"
