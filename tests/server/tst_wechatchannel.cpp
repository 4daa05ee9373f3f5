// WechatPayChannel against a local HTTPS stand-in for api.mch.weixin.qq.com: the stand-in checks
// our WECHATPAY2-SHA256-RSA2048 Authorization with the merchant's public key and signs its answers
// with "platform" keys (the Go and Java SDK test certificates, and a public-key-mode key).
// Notifications are checked with the real Go SDK vector and the derived TRANSACTION.SUCCESS one.
#include "../common/TestData.h"
#include "HttpServerThread.h"

#include "common/crypto/AesGcm.h"
#include "common/crypto/Random.h"
#include "common/crypto/RsaSignature.h"
#include "common/protocol/ApiError.h"
#include "common/protocol/WechatPaySign.h"
#include "server/channels/wechatpay/WechatPayChannel.h"
#include "server/net/HttpClient.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QRegularExpression>
#include <QSemaphore>
#include <QTest>
#include <QThread>

#include <zlib.h>

#include <atomic>
#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

const QString kGoSerial = u"D7CE59D1F522D701"_s; // Go SDK test certificate, valid to 2031
const QString kJavaSerial = u"440024045C4A427599D09BB4E3DE0279F2E813FD"_s; // Java SDK platform certificate
const QString kPublicKeyId = u"PUB_KEY_ID_0114232134912410000000000000"_s;
const QString kStrangerSerial = u"5157F09EFDC096DE15EBE81A47057A7232F1B8E1"_s; // signs, but nobody trusts it
const QString kMchid = u"1900000109"_s;
const QString kAppId = u"wxd678efh567hg6787"_s;
const QString kMerchantSerial = u"3775B6A45ACD588826D15E583A95F5DD12345678"_s;
const QByteArray kApiV3Key = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"_ba;
const QString kNotifyUrl = u"https://paydesk.example.com/notify/wechat/wx1"_s;
const qint64 kNowMs = 1'704'081'606'000; // 2024-01-01T12:00:06+08:00, the derived notification's time
const QByteArray kBillToken = "6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO"_ba;

QJsonObject jsonOf(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

HttpHeaders readHeaderFile(const QString &relativePath)
{
    HttpHeaders headers;
    for (const QByteArray &line : readData(relativePath).split('\n')) {
        const qsizetype colon = line.indexOf(": ");
        if (colon > 0)
            headers.append({line.left(colon).toLower(), line.mid(colon + 2)});
    }
    return headers;
}

QByteArray gzip(const QByteArray &data)
{
    z_stream stream{};
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        qFatal("deflateInit2");
    QByteArray out(int(deflateBound(&stream, uLong(data.size()))), Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END)
        qFatal("deflate");
    out.resize(qsizetype(stream.total_out));
    deflateEnd(&stream);
    return out;
}

qint64 msOf(const QString &rfc3339)
{
    return QDateTime::fromString(rfc3339, Qt::ISODate).toMSecsSinceEpoch();
}

// Plays WeChat Pay's API: checks every request's Authorization, answers as the test scripts,
// signs answers like WeChat (Wechatpay-Timestamp/-Nonce/-Serial/-Signature).
class WechatStandIn final
{
public:
    enum class Signing { Good, Tampered, Unsigned };

    struct Answer
    {
        int status = 200;
        QByteArray body;
        Signing signing = Signing::Good;
        QString signer = kGoSerial;
        qint64 timestampOffset = 0; ///< seconds added to the clock in Wechatpay-Timestamp
        int delayMs = 0;
        QByteArray contentType = "application/json";
    };

    struct Seen
    {
        QByteArray method;
        QByteArray target;
        QByteArray body;
        HttpRequest request;
        QString authError; ///< empty when our Authorization verified
        WechatPayAuthorization authorization;
    };

    using Script = std::function<Answer(const HttpRequest &)>;

    WechatStandIn(std::function<qint64()> clock, PublicKey merchantKey, QMap<QString, PrivateKey> signers)
        : m_clock(std::move(clock)), m_merchantKey(std::move(merchantKey)), m_signers(std::move(signers))
    {
    }

    Router router()
    {
        Router router;
        const auto handler = [this](HttpRequest &request) { return handle(request); };
        router.post("/v3/pay/transactions/native", handler);
        router.post("/v3/pay/transactions/app", handler);
        router.get("/v3/pay/transactions/out-trade-no/{no}", handler);
        router.post("/v3/pay/transactions/out-trade-no/{no}/close", handler);
        router.post("/v3/refund/domestic/refunds", handler);
        router.get("/v3/refund/domestic/refunds/{no}", handler);
        router.get("/v3/bill/tradebill", handler);
        router.get("/v3/billdownload/file", handler);
        return router;
    }

    void script(Script script)
    {
        QMutexLocker lock(&m_mutex);
        m_script = std::move(script);
        m_seen.clear();
    }

    QList<Seen> seen() const
    {
        QMutexLocker lock(&m_mutex);
        return m_seen;
    }

    // Signs a body the way WeChat signs answers and notifications.
    HttpHeaders signatureHeaders(const QByteArray &body, const QString &serial, qint64 timestamp,
                                 Signing signing = Signing::Good) const
    {
        const QByteArray ts = QByteArray::number(timestamp);
        const QByteArray nonce = Random::alphanumeric(32).toLatin1();
        const QByteArray signedBody = signing == Signing::Tampered ? body + ' ' : body;
        const QByteArray signature
            = RsaSignature::signBase64(m_signers.value(serial), WechatPaySign::responseMessage(ts, nonce, signedBody))
                  .value();
        return {{"wechatpay-timestamp", ts},
                {"wechatpay-nonce", nonce},
                {"wechatpay-serial", serial.toLatin1()},
                {"wechatpay-signature", signature}};
    }

private:
    // What WeChat checks of a request (GO/WJAVA validators on the server side of the protocol).
    QString checkAuthorization(const HttpRequest &request, WechatPayAuthorization *out) const
    {
        const CryptoResult<WechatPayAuthorization> parsed
            = WechatPaySign::parseAuthorization(request.header("authorization"));
        if (!parsed)
            return parsed.error();
        *out = parsed.value();
        if (parsed->mchid != kMchid.toLatin1())
            return u"mchid"_s;
        if (parsed->serialNo != kMerchantSerial.toLatin1())
            return u"serial_no"_s;
        if (parsed->timestamp != QByteArray::number(m_clock() / 1000))
            return u"timestamp"_s;
        if (!QRegularExpression(u"^[0-9A-Za-z]{32}$"_s).match(QString::fromLatin1(parsed->nonce)).hasMatch())
            return u"nonce_str"_s;
        const QByteArray message = WechatPaySign::requestMessage(request.method, request.target, parsed->timestamp,
                                                                 parsed->nonce, request.body);
        if (!RsaSignature::verifyBase64(m_merchantKey, message, parsed->signature))
            return u"signature"_s;
        return {};
    }

    HttpResponse handle(HttpRequest &request)
    {
        Seen seen{request.method, request.target, request.body, request, {}, {}};
        seen.authError = checkAuthorization(request, &seen.authorization);
        Script script;
        {
            QMutexLocker lock(&m_mutex);
            m_seen.append(seen);
            script = m_script;
        }
        Answer answer;
        if (!seen.authError.isEmpty())
            answer = {401, compact({{u"code"_s, u"SIGN_ERROR"_s}, {u"message"_s, seen.authError}})};
        else if (script)
            answer = script(request);
        else
            answer = {404, compact({{u"code"_s, u"NOT_FOUND"_s}})};
        if (answer.delayMs > 0)
            QThread::msleep(ulong(answer.delayMs));

        HttpResponse response;
        response.status = answer.status;
        response.body = answer.body;
        if (!answer.body.isEmpty())
            response.headers.append({"Content-Type", answer.contentType});
        response.headers.emplaceBack("Request-ID", "08F78BB5AF0610D302189F99DD5C20BA56F89845-0");
        if (answer.signing != Signing::Unsigned) {
            response.headers += signatureHeaders(answer.body, answer.signer, m_clock() / 1000 + answer.timestampOffset,
                                                 answer.signing);
        }
        return response;
    }

    std::function<qint64()> m_clock;
    PublicKey m_merchantKey;
    QMap<QString, PrivateKey> m_signers;
    mutable QMutex m_mutex;
    Script m_script;
    QList<Seen> m_seen;
};

WechatStandIn::Answer ok(const QJsonObject &body, const QString &signer = kGoSerial)
{
    WechatStandIn::Answer answer;
    answer.body = compact(body);
    answer.signer = signer;
    return answer;
}

WechatStandIn::Answer error(int status, const QString &code, const QString &message = u"failed"_s)
{
    WechatStandIn::Answer answer;
    answer.status = status;
    answer.body = compact({{u"code"_s, code}, {u"message"_s, message}});
    answer.signing = WechatStandIn::Signing::Unsigned; // WeChat does not promise to sign errors
    return answer;
}

QJsonObject transaction(const QString &outTradeNo, const QString &state)
{
    return {{u"appid"_s, kAppId},
            {u"mchid"_s, kMchid},
            {u"out_trade_no"_s, outTradeNo},
            {u"transaction_id"_s, u"4200000000202401011234567890"_s},
            {u"trade_type"_s, u"NATIVE"_s},
            {u"trade_state"_s, state},
            {u"trade_state_desc"_s, u"支付成功"_s},
            {u"success_time"_s, u"2024-01-01T12:00:05+08:00"_s},
            {u"payer"_s, QJsonObject{{u"openid"_s, u"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"_s}}},
            {u"amount"_s,
             QJsonObject{{u"total"_s, 12345},
                         {u"payer_total"_s, 12000},
                         {u"currency"_s, u"CNY"_s},
                         {u"payer_currency"_s, u"CNY"_s}}}};
}

InboundNotification notificationFrom(const HttpHeaders &signatureHeaders, const QByteArray &body)
{
    InboundNotification notification;
    notification.headers = signatureHeaders;
    notification.headers.emplaceBack("wechatpay-signature-type", "WECHATPAY2-SHA256-RSA2048");
    notification.headers.emplaceBack("content-type", "application/json");
    notification.body = body;
    return notification;
}

} // namespace

class tst_WechatChannel final : public QObject
{
    Q_OBJECT

private:
    std::atomic<qint64> m_nowMs{kNowMs};
    PrivateKey m_merchantKey;
    PrivateKey m_publicKeyModeKey;
    std::unique_ptr<WechatStandIn> m_standIn;
    std::unique_ptr<HttpServerThread> m_server;
    std::unique_ptr<HttpClient> m_http;

    Clock clock()
    {
        return [this] { return m_nowMs.load(); };
    }

    QByteArray platformPem(const QString &serial) const
    {
        if (serial == kGoSerial)
            return readData(u"wechat/go_sha256withrsa_signer/cert_D7CE59D1F522D701.pem"_s);
        if (serial == kJavaSerial)
            return readData(u"wechat/java_sdk/wechat_pay_certificate.pem"_s);
        if (serial == kPublicKeyId)
            return m_publicKeyModeKey.publicKey().toPem();
        qFatal("no platform key %s", qPrintable(serial));
    }

    ChannelConfig config(const QStringList &platformSerials = {kGoSerial}) const
    {
        ChannelConfig config;
        config.id = u"wx1"_s;
        config.type = u"wechat"_s;
        config.appId = kAppId;
        config.merchantId = kMchid;
        config.privateKeyPem = m_merchantKey.toPkcs8Pem();
        config.merchantCertSerial = kMerchantSerial;
        for (const QString &serial : platformSerials)
            config.platformKeys.insert(serial, platformPem(serial));
        config.apiV3Key = kApiV3Key;
        config.gatewayUrl = QUrl(u"https://localhost:%1"_s.arg(m_server->port()));
        config.gatewayCa = {m_server->ca()};
        config.notifyUrl = kNotifyUrl;
        config.timeoutMs = 5000;
        return config;
    }

    std::unique_ptr<WechatPayChannel> channel(const ChannelConfig &config)
    {
        return std::make_unique<WechatPayChannel>(config, *m_http, clock());
    }

    std::unique_ptr<WechatPayChannel> channel() { return channel(config()); }

    // The one request the stand-in saw, with our Authorization verified.
    WechatStandIn::Seen onlyRequest()
    {
        const QList<WechatStandIn::Seen> seen = m_standIn->seen();
        if (seen.size() != 1)
            qFatal("expected one request, saw %d", int(seen.size()));
        return seen.first();
    }

    // A channel configured exactly for the derived and Go SDK notification vectors.
    std::unique_ptr<WechatPayChannel> vectorChannel(const QString &mchid = u"1234567890"_s,
                                                    const QByteArray &apiV3Key = kApiV3Key)
    {
        ChannelConfig vector = config();
        vector.merchantId = mchid;
        vector.apiV3Key = apiV3Key;
        return channel(vector);
    }

    InboundNotification derivedNotification() const
    {
        const QString dir = u"wechat/derived_with_go_sdk_test_key/"_s;
        InboundNotification notification;
        notification.headers = readHeaderFile(dir + u"notify_transaction_success.headers.txt"_s);
        notification.body = readData(dir + u"notify_transaction_success.body.json"_s);
        return notification;
    }

private slots:
    void initTestCase()
    {
        m_merchantKey = PrivateKey::generateRsa(2048).value();
        m_publicKeyModeKey = PrivateKey::generateRsa(2048).value();
        QMap<QString, PrivateKey> signers{
            {kGoSerial, privateKey(u"wechat/go_sha256withrsa_signer/merchant_private_key_pkcs8.pem"_s)},
            {kJavaSerial, privateKey(u"wechat/java_sdk/wechat_pay_private_key.pem"_s)},
            {kPublicKeyId, m_publicKeyModeKey},
            {kStrangerSerial, PrivateKey::generateRsa(2048).value()}};
        m_standIn
            = std::make_unique<WechatStandIn>([this] { return m_nowMs.load(); }, m_merchantKey.publicKey(), signers);
        m_server = std::make_unique<HttpServerThread>(HttpLimits{}, m_standIn->router());
        QVERIFY(m_server->isListening());
        m_http = std::make_unique<HttpClient>();
    }

    void cleanupTestCase()
    {
        m_http.reset();
        m_server.reset();
        m_standIn.reset();
    }

    void init()
    {
        m_nowMs = kNowMs;
        m_standIn->script({});
    }

    void unusableConfigurationIsRefused_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<std::function<void(ChannelConfig &)>>("spoil");
        using Spoil = std::function<void(ChannelConfig &)>;
        QTest::newRow("16-byte API v3 key (Go notify test)")
            << u"api_v3_key"_s
            << Spoil([](ChannelConfig &c) { c.apiV3Key = readData(u"wechat/go_notify_payscore/apiv3_key.txt"_s); });
        QTest::newRow("no mchid") << u"merchant_id"_s << Spoil([](ChannelConfig &c) { c.merchantId.clear(); });
        QTest::newRow("no appid") << u"app_id"_s << Spoil([](ChannelConfig &c) { c.appId.clear(); });
        QTest::newRow("no merchant serial")
            << u"merchant_cert_serial"_s << Spoil([](ChannelConfig &c) { c.merchantCertSerial.clear(); });
        QTest::newRow("unreadable key") << u"private_key"_s
                                        << Spoil([](ChannelConfig &c) { c.privateKeyPem = "not a key"_ba; });
        QTest::newRow("ftp gateway") << u"gateway_url"_s << Spoil([](ChannelConfig &c) {
            c.gatewayUrl = QUrl(u"ftp://api.mch.weixin.qq.com"_s);
        });
        QTest::newRow("no platform key") << u"platform_keys"_s
                                         << Spoil([](ChannelConfig &c) { c.platformKeys.clear(); });
        QTest::newRow("certificate under another serial")
            << u"platform_keys"_s
            << Spoil([](ChannelConfig &c) { c.platformKeys.insert(kJavaSerial, c.platformKeys.take(kGoSerial)); });
        QTest::newRow("public key without PUB_KEY_ID") << u"platform_keys"_s << Spoil([](ChannelConfig &c) {
            c.platformKeys = {{u"ABCDEF"_s, readData(u"wechat/java_sdk/wechat_pay_public_key.pem"_s)}};
        });
    }

    void unusableConfigurationIsRefused()
    {
        QFETCH(QString, field);
        QFETCH(std::function<void(ChannelConfig &)>, spoil);
        ChannelConfig spoilt = config();
        spoil(spoilt);
        try {
            channel(spoilt);
            QFAIL("constructed");
        } catch (const ApiError &error) {
            QCOMPARE(error.code(), ErrorCode::ValidationFailed);
            QCOMPARE(error.details().value(u"field"_s).toString(), field);
        }
        // The unspoilt configuration is fine, and createChannel builds the same class.
        QVERIFY(createChannel(config(), *m_http, clock()) != nullptr);
    }

    void nativePrepaySendsSignedRequestAndVerifiesAnswer()
    {
        m_standIn->script([](const HttpRequest &) {
            return ok({{u"code_url"_s, u"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"_s}});
        });
        PrepayRequest request;
        request.outTradeNo = u"P20240101000001"_s;
        request.amount = 1234;
        request.subject = u"Image形象店-深圳腾大-QQ公仔"_s;
        request.expiresAtMs = msOf(u"2024-01-01T12:00:00Z"_s);
        const PrepayResult result = channel()->prepay(request);

        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.qrCode, u"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"_s);
        const WechatStandIn::Seen seen = onlyRequest();
        QCOMPARE(seen.authError, QString());
        QCOMPARE(seen.method, "POST"_ba);
        QCOMPARE(seen.target, "/v3/pay/transactions/native"_ba);
        QCOMPARE(seen.authorization.timestamp, "1704081606"_ba);
        QCOMPARE(seen.request.header("accept"), "application/json"_ba);
        QCOMPARE(seen.request.header("content-type"), "application/json"_ba);
        QCOMPARE(seen.request.header("user-agent"), "Paydesk/" PAYDESK_VERSION ""_ba);
        QCOMPARE(seen.request.header("wechatpay-serial"), kGoSerial.toLatin1());

        const QJsonObject body = jsonOf(seen.body);
        QCOMPARE(body.value(u"appid"_s).toString(), kAppId);
        QCOMPARE(body.value(u"mchid"_s).toString(), kMchid);
        QCOMPARE(body.value(u"description"_s).toString(), request.subject);
        QCOMPARE(body.value(u"out_trade_no"_s).toString(), request.outTradeNo);
        QCOMPARE(body.value(u"notify_url"_s).toString(), kNotifyUrl);
        QCOMPARE(body.value(u"time_expire"_s).toString(), u"2024-01-01T20:00:00+08:00"_s);
        // Fen as a JSON integer: the raw text, not just a value that compares equal.
        QVERIFY(seen.body.contains(R"("amount":{"currency":"CNY","total":1234})"));

        QCOMPARE(result.exchange.operation, u"prepay"_s);
        QCOMPARE(result.exchange.direction, u"out"_s);
        QCOMPARE(result.exchange.httpStatus, 200);
        QCOMPARE(result.exchange.request, seen.body);
        QCOMPARE(jsonOf(result.exchange.response).value(u"code_url"_s).toString(), result.qrCode);
        QCOMPARE(result.exchange.verification, u"ok"_s);
        QVERIFY(result.exchange.url.endsWith(u"/v3/pay/transactions/native"_s));
        QVERIFY(!result.exchange.request.contains(kApiV3Key));
    }

    void appPrepayParamsAreSignedWithTheMerchantKey()
    {
        m_standIn->script([](const HttpRequest &) {
            return ok({{u"prepay_id"_s, u"wx201410272009395522657a690389285100"_s}});
        });
        PrepayRequest request;
        request.outTradeNo = u"P20240101000002"_s;
        request.amount = 1;
        request.subject = u"app"_s;
        request.method = PayMethod::App;
        const PrepayResult result = channel()->prepay(request);

        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(onlyRequest().target, "/v3/pay/transactions/app"_ba);
        QCOMPARE(onlyRequest().authError, QString());
        const QJsonObject params = result.appParams;
        QCOMPARE(params.value(u"appid"_s).toString(), kAppId);
        QCOMPARE(params.value(u"partnerid"_s).toString(), kMchid);
        QCOMPARE(params.value(u"prepayid"_s).toString(), u"wx201410272009395522657a690389285100"_s);
        QCOMPARE(params.value(u"package"_s).toString(), u"Sign=WXPay"_s);
        QCOMPARE(params.value(u"timestamp"_s).toString(), u"1704081606"_s);
        QVERIFY(QRegularExpression(u"^[0-9A-Za-z]{32}$"_s).match(params.value(u"noncestr"_s).toString()).hasMatch());
        const QByteArray message = (kAppId + u"\n1704081606\n"_s + params.value(u"noncestr"_s).toString() + u'\n'
                                    + params.value(u"prepayid"_s).toString() + u'\n')
                                       .toUtf8();
        QVERIFY(RsaSignature::verifyBase64(m_merchantKey.publicKey(), message,
                                           params.value(u"sign"_s).toString().toLatin1()));
        QVERIFY(!RsaSignature::verifyBase64(m_merchantKey.publicKey(), message + 'x',
                                            params.value(u"sign"_s).toString().toLatin1()));
    }

    void unverifiableAnswerIsUnknown_data()
    {
        QTest::addColumn<int>("signing");
        QTest::addColumn<QString>("signer");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<QString>("why");
        const int good = int(WechatStandIn::Signing::Good);
        QTest::newRow("bad signature") << int(WechatStandIn::Signing::Tampered) << kGoSerial << 0LL
                                       << u"bad signature"_s;
        QTest::newRow("unsigned") << int(WechatStandIn::Signing::Unsigned) << kGoSerial << 0LL << u"missing"_s;
        QTest::newRow("unknown serial") << good << kStrangerSerial << 0LL << u"unknown Wechatpay-Serial"_s;
        QTest::newRow("300 s old") << good << kGoSerial << -300LL << u"away from our clock"_s;
        QTest::newRow("300 s ahead") << good << kGoSerial << 300LL << u"away from our clock"_s;
    }

    void unverifiableAnswerIsUnknown()
    {
        QFETCH(int, signing);
        QFETCH(QString, signer);
        QFETCH(qint64, offset);
        QFETCH(QString, why);
        m_standIn->script([&](const HttpRequest &) {
            WechatStandIn::Answer answer = ok({{u"code_url"_s, u"weixin://wxpay/bizpayurl?pr=forged"_s}}, signer);
            answer.signing = WechatStandIn::Signing(signing);
            answer.timestampOffset = offset;
            return answer;
        });
        PrepayRequest request;
        request.outTradeNo = u"P1"_s;
        request.amount = 100;
        request.subject = u"x"_s;
        const PrepayResult result = channel()->prepay(request);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.qrCode, QString());
        QCOMPARE(result.error.code, u"BAD_SIGNATURE"_s);
        QVERIFY2(result.exchange.verification.startsWith(u"failed: "_s), qPrintable(result.exchange.verification));
        QVERIFY2(result.exchange.verification.contains(why), qPrintable(result.exchange.verification));
    }

    void answerJustInsideTheClockWindowVerifies()
    {
        for (const qint64 offset : {-299LL, 299LL}) {
            m_standIn->script([offset](const HttpRequest &) {
                WechatStandIn::Answer answer = ok({{u"code_url"_s, u"weixin://wxpay/bizpayurl?pr=ok"_s}});
                answer.timestampOffset = offset;
                return answer;
            });
            PrepayRequest request;
            request.outTradeNo = u"P1"_s;
            request.amount = 100;
            request.subject = u"x"_s;
            QCOMPARE(channel()->prepay(request).outcome, CallOutcome::Ok);
        }
    }

    void bothSerialsVerifyDuringRotation()
    {
        const auto wechat = channel(config({kGoSerial, kJavaSerial}));
        for (const QString &signer : {kGoSerial, kJavaSerial}) {
            m_standIn->script([signer](const HttpRequest &request) {
                return ok(transaction(QString::fromLatin1(request.path.split('/').last()), u"NOTPAY"_s), signer);
            });
            const QueryResult result = wechat->query(u"Q1"_s);
            QCOMPARE(result.outcome, CallOutcome::Ok);
            QCOMPARE(result.trade.state, TradeState::Waiting);
            // We name the certificate that lasts longest (the Go one, valid to 2031).
            QCOMPARE(onlyRequest().request.header("wechatpay-serial"), kGoSerial.toLatin1());
        }
        // A serial neither certificate has is still refused.
        m_standIn->script([](const HttpRequest &) { return ok(transaction(u"Q1"_s, u"NOTPAY"_s), kPublicKeyId); });
        QCOMPARE(wechat->query(u"Q1"_s).outcome, CallOutcome::Unknown);
    }

    void publicKeyModeVerifiesByKeyId()
    {
        const auto wechat = channel(config({kPublicKeyId, kGoSerial}));
        m_standIn->script([](const HttpRequest &) { return ok(transaction(u"Q2"_s, u"SUCCESS"_s), kPublicKeyId); });
        const QueryResult result = wechat->query(u"Q2"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.trade.state, TradeState::Paid);
        QCOMPARE(onlyRequest().request.header("wechatpay-serial"), kPublicKeyId.toLatin1());
        // The key id names the key: a signature by another key under that id fails.
        const auto onlyPublicKey = channel(config({kPublicKeyId}));
        m_standIn->script([](const HttpRequest &) { return ok(transaction(u"Q2"_s, u"SUCCESS"_s), kGoSerial); });
        QCOMPARE(onlyPublicKey->query(u"Q2"_s).outcome, CallOutcome::Unknown);
    }

    void querySuccessReadsAmountsInFen()
    {
        m_standIn->script([](const HttpRequest &) { return ok(transaction(u"ORDER-1_a"_s, u"SUCCESS"_s)); });
        const QueryResult result = channel()->query(u"ORDER-1_a"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        const WechatStandIn::Seen seen = onlyRequest();
        QCOMPARE(seen.authError, QString());
        QCOMPARE(seen.method, "GET"_ba);
        QCOMPARE(seen.target, "/v3/pay/transactions/out-trade-no/ORDER-1_a?mchid=1900000109"_ba);
        QCOMPARE(seen.body, QByteArray());
        QCOMPARE(seen.request.header("content-type"), QByteArray());

        const TradeInfo &trade = result.trade;
        QCOMPARE(trade.state, TradeState::Paid);
        QCOMPARE(trade.rawState, u"SUCCESS"_s);
        QCOMPARE(trade.outTradeNo, u"ORDER-1_a"_s);
        QCOMPARE(trade.channelTradeNo, u"4200000000202401011234567890"_s);
        QCOMPARE(trade.totalAmount, 12345);
        QCOMPARE(trade.paidAmount, 12000);
        QCOMPARE(trade.currency, u"CNY"_s);
        QCOMPARE(trade.paidAtMs, msOf(u"2024-01-01T04:00:05Z"_s));
        QCOMPARE(trade.appId, kAppId);
        QCOMPARE(trade.merchantId, kMchid);
        QVERIFY(!trade.payer.isEmpty());
        QVERIFY(!trade.payer.contains(u"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"_s));
        QCOMPARE(result.exchange.operation, u"query"_s);
        QCOMPARE(result.exchange.verification, u"ok"_s);
    }

    void queryMapsTradeStates_data()
    {
        QTest::addColumn<QString>("wire");
        QTest::addColumn<TradeState>("state");
        QTest::newRow("NOTPAY") << u"NOTPAY"_s << TradeState::Waiting;
        QTest::newRow("USERPAYING") << u"USERPAYING"_s << TradeState::Waiting;
        QTest::newRow("CLOSED") << u"CLOSED"_s << TradeState::Closed;
        QTest::newRow("REVOKED") << u"REVOKED"_s << TradeState::Closed;
        QTest::newRow("REFUND") << u"REFUND"_s << TradeState::Refunded;
        QTest::newRow("PAYERROR") << u"PAYERROR"_s << TradeState::Failed;
    }

    void queryMapsTradeStates()
    {
        QFETCH(QString, wire);
        QFETCH(TradeState, state);
        m_standIn->script([wire](const HttpRequest &) { return ok(transaction(u"Q3"_s, wire)); });
        const QueryResult result = channel()->query(u"Q3"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.trade.state, state);
        QCOMPARE(result.trade.rawState, wire);
    }

    void queryPayerTotalFallsBackToTotal()
    {
        m_standIn->script([](const HttpRequest &) {
            QJsonObject body = transaction(u"Q4"_s, u"SUCCESS"_s);
            body.insert(u"amount"_s, QJsonObject{{u"total"_s, 100}, {u"currency"_s, u"CNY"_s}});
            return ok(body);
        });
        const QueryResult result = channel()->query(u"Q4"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.trade.totalAmount, 100);
        QCOMPARE(result.trade.paidAmount, 100);
    }

    void queryOfAnotherTradeOrFractionalAmountIsUnknown()
    {
        m_standIn->script([](const HttpRequest &) { return ok(transaction(u"SOMEONE_ELSE"_s, u"SUCCESS"_s)); });
        QueryResult result = channel()->query(u"Q5"_s);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.error.code, u"BAD_RESPONSE"_s);

        m_standIn->script([](const HttpRequest &) {
            QJsonObject body = transaction(u"Q5"_s, u"SUCCESS"_s);
            body.insert(u"amount"_s, QJsonObject{{u"total"_s, 1.5}});
            return ok(body);
        });
        result = channel()->query(u"Q5"_s);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.error.code, u"BAD_RESPONSE"_s);
    }

    void queryNotFoundIsOk()
    {
        m_standIn->script([](const HttpRequest &) { return error(404, u"ORDER_NOT_EXIST"_s, u"订单不存在"_s); });
        const QueryResult result = channel()->query(u"NEVER"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.trade.state, TradeState::NotFound);
        QCOMPARE(result.trade.outTradeNo, u"NEVER"_s);
        QCOMPARE(result.exchange.httpStatus, 404);
        QCOMPARE(result.exchange.verification, u"n/a"_s);
    }

    void serverErrorsAreUnknown_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("500") << 500 << u"SYSTEM_ERROR"_s;
        QTest::newRow("429") << 429 << u"FREQUENCY_LIMITED"_s;
        QTest::newRow("502 without body") << 502 << QString();
    }

    void serverErrorsAreUnknown()
    {
        QFETCH(int, status);
        QFETCH(QString, code);
        m_standIn->script([status, code](const HttpRequest &) {
            WechatStandIn::Answer answer = error(status, code);
            if (code.isEmpty())
                answer.body.clear();
            return answer;
        });
        const QueryResult result = channel()->query(u"Q6"_s);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.error.code, code.isEmpty() ? u"HTTP_%1"_s.arg(status) : code);
        QCOMPARE(result.exchange.httpStatus, status);
    }

    void signedErrorWithBadSignatureIsUnknown()
    {
        m_standIn->script([](const HttpRequest &) {
            WechatStandIn::Answer answer = error(404, u"ORDER_NOT_EXIST"_s);
            answer.signing = WechatStandIn::Signing::Tampered;
            return answer;
        });
        const QueryResult result = channel()->query(u"Q7"_s);
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QVERIFY(result.exchange.verification.startsWith(u"failed: "_s));
    }

    void timeoutIsUnknown()
    {
        ChannelConfig quick = config();
        quick.timeoutMs = 300;
        // The stand-in holds the answer until the client has given up, then lets it go; the test
        // waits for that so no handler outlives the server (HttpServerThread deletes the server
        // before it drains its workers).
        auto gate = std::make_shared<QSemaphore>();
        auto answered = std::make_shared<QSemaphore>();
        m_standIn->script([gate, answered](const HttpRequest &) {
            gate->tryAcquire(1, 10'000);
            answered->release();
            return ok(transaction(u"Q8"_s, u"SUCCESS"_s));
        });
        const QueryResult result = channel(quick)->query(u"Q8"_s);
        gate->release();
        QVERIFY(answered->tryAcquire(1, 10'000));
        QCOMPARE(result.outcome, CallOutcome::Unknown);
        QCOMPARE(result.error.code, u"TIMEOUT"_s);
        QCOMPARE(result.exchange.verification, u"n/a"_s);
        QVERIFY2(result.exchange.elapsedMs >= 250, qPrintable(QString::number(result.exchange.elapsedMs)));
    }

    void closeAnswers()
    {
        m_standIn->script([](const HttpRequest &) { return WechatStandIn::Answer{204, {}}; });
        CloseResult result = channel()->close(u"C1"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QVERIFY(!result.alreadyPaid);
        QCOMPARE(result.exchange.httpStatus, 204);
        QCOMPARE(result.exchange.verification, u"ok"_s);
        const WechatStandIn::Seen seen = onlyRequest();
        QCOMPARE(seen.authError, QString());
        QCOMPARE(seen.target, "/v3/pay/transactions/out-trade-no/C1/close"_ba);
        QCOMPARE(seen.body, R"({"mchid":"1900000109"})"_ba);

        // 204 is verified too (message "ts\nnonce\n\n"): an unsigned one proves nothing.
        m_standIn->script([](const HttpRequest &) {
            return WechatStandIn::Answer{204, {}, WechatStandIn::Signing::Unsigned};
        });
        QCOMPARE(channel()->close(u"C1"_s).outcome, CallOutcome::Unknown);

        m_standIn->script([](const HttpRequest &) { return error(400, u"ORDERPAID"_s, u"订单已支付"_s); });
        result = channel()->close(u"C1"_s);
        QCOMPARE(result.outcome, CallOutcome::Rejected);
        QVERIFY(result.alreadyPaid);
        QCOMPARE(result.error.code, u"ORDERPAID"_s);

        m_standIn->script([](const HttpRequest &) { return error(400, u"ORDER_PAID"_s); });
        QVERIFY(channel()->close(u"C1"_s).alreadyPaid);

        m_standIn->script([](const HttpRequest &) { return error(404, u"ORDER_NOT_EXIST"_s); });
        result = channel()->close(u"C1"_s);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QVERIFY(!result.alreadyPaid);

        m_standIn->script([](const HttpRequest &) { return error(400, u"PARAM_ERROR"_s); });
        result = channel()->close(u"C1"_s);
        QCOMPARE(result.outcome, CallOutcome::Rejected);
        QVERIFY(!result.alreadyPaid);
        QCOMPARE(result.error.code, u"PARAM_ERROR"_s);
    }

    void refundProcessingAndQuery()
    {
        m_standIn->script([](const HttpRequest &) {
            return ok(
                {{u"refund_id"_s, u"50000000382019052709732678859"_s},
                 {u"out_refund_no"_s, u"R1"_s},
                 {u"transaction_id"_s, u"4200000000202401011234567890"_s},
                 {u"out_trade_no"_s, u"O1"_s},
                 {u"channel"_s, u"ORIGINAL"_s},
                 {u"status"_s, u"PROCESSING"_s},
                 {u"create_time"_s, u"2024-01-01T12:00:06+08:00"_s},
                 {u"amount"_s, QJsonObject{{u"total"_s, 12345}, {u"refund"_s, 2345}, {u"currency"_s, u"CNY"_s}}}});
        });
        RefundRequest request;
        request.outTradeNo = u"O1"_s;
        request.outRefundNo = u"R1"_s;
        request.amount = 2345;
        request.totalAmount = 12345;
        request.reason = u"商品已售完"_s;
        RefundResult result = channel()->refund(request);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.state, RefundState::Processing);
        QCOMPARE(result.channelRefundNo, u"50000000382019052709732678859"_s);
        QCOMPARE(result.refundAmount, 2345);
        QCOMPARE(result.succeededAtMs, 0);
        WechatStandIn::Seen seen = onlyRequest();
        QCOMPARE(seen.authError, QString());
        QCOMPARE(seen.target, "/v3/refund/domestic/refunds"_ba);
        const QJsonObject body = jsonOf(seen.body);
        QCOMPARE(body.value(u"out_trade_no"_s).toString(), u"O1"_s);
        QCOMPARE(body.value(u"out_refund_no"_s).toString(), u"R1"_s);
        QCOMPARE(body.value(u"reason"_s).toString(), request.reason);
        QCOMPARE(body.value(u"notify_url"_s).toString(), kNotifyUrl);
        QVERIFY(seen.body.contains(R"("amount":{"currency":"CNY","refund":2345,"total":12345})"));
        QCOMPARE(result.exchange.operation, u"refund"_s);

        m_standIn->script([](const HttpRequest &) {
            return ok({{u"refund_id"_s, u"50000000382019052709732678859"_s},
                       {u"out_refund_no"_s, u"R1"_s},
                       {u"status"_s, u"SUCCESS"_s},
                       {u"success_time"_s, u"2024-01-01T12:05:00+08:00"_s},
                       {u"amount"_s, QJsonObject{{u"total"_s, 12345}, {u"refund"_s, 2345}}}});
        });
        result = channel()->queryRefund(request);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.state, RefundState::Succeeded);
        QCOMPARE(result.succeededAtMs, msOf(u"2024-01-01T04:05:00Z"_s));
        seen = onlyRequest();
        QCOMPARE(seen.authError, QString());
        QCOMPARE(seen.target, "/v3/refund/domestic/refunds/R1"_ba);
        QCOMPARE(result.exchange.operation, u"refund_query"_s);

        m_standIn->script([](const HttpRequest &) { return error(404, u"RESOURCE_NOT_EXISTS"_s, u"退款单不存在"_s); });
        result = channel()->queryRefund(request);
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QCOMPARE(result.state, RefundState::NotFound);

        m_standIn->script([](const HttpRequest &) { return error(403, u"NOT_ENOUGH"_s, u"基本账户余额不足"_s); });
        result = channel()->refund(request);
        QCOMPARE(result.outcome, CallOutcome::Rejected);
        QCOMPARE(result.error.code, u"NOT_ENOUGH"_s);
        QCOMPARE(result.error.message, u"基本账户余额不足"_s);
    }

    void derivedNotificationIsAcceptedOnlyInsideTheWindow()
    {
        const auto wechat = vectorChannel();
        const InboundNotification notification = derivedNotification();
        NotificationResult result = wechat->parseNotification(notification);
        QVERIFY2(result.accepted, qPrintable(result.rejectReason));
        QCOMPARE(result.kind, NotificationKind::Payment);
        QCOMPARE(result.notifyId, u"EV-2018022511223320873"_s);
        QCOMPARE(result.trade.state, TradeState::Paid);
        QCOMPARE(result.trade.outTradeNo, u"1217752501201407033233368018"_s);
        QCOMPARE(result.trade.channelTradeNo, u"4200000000202401011234567890"_s);
        QCOMPARE(result.trade.totalAmount, 100);
        QCOMPARE(result.trade.paidAmount, 100);
        QCOMPARE(result.trade.paidAtMs, msOf(u"2024-01-01T04:00:05Z"_s));
        QCOMPARE(result.trade.appId, kAppId);
        QCOMPARE(result.trade.merchantId, u"1234567890"_s);
        QCOMPARE(result.exchange.direction, u"in"_s);
        QCOMPARE(result.exchange.operation, u"notify"_s);
        QCOMPARE(result.exchange.verification, u"ok"_s);
        // The log holds the body and what it decrypted to, without the full openid or the key.
        QVERIFY(result.exchange.request.startsWith(notification.body));
        QVERIFY(result.exchange.request.contains("\"out_trade_no\":\"1217752501201407033233368018\""));
        QVERIFY(!result.exchange.request.contains("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"));
        QVERIFY(!result.exchange.request.contains(kApiV3Key));
        QVERIFY(!result.trade.payer.contains(u"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"_s));

        m_nowMs = kNowMs + 299'000;
        QVERIFY(wechat->parseNotification(notification).accepted);
        m_nowMs = kNowMs + 301'000;
        result = wechat->parseNotification(notification);
        QVERIFY(!result.accepted);
        QVERIFY2(result.rejectReason.contains(u"clock"_s), qPrintable(result.rejectReason));
        QVERIFY(result.exchange.verification.startsWith(u"failed: "_s));
        m_nowMs = kNowMs - 301'000;
        QVERIFY(!wechat->parseNotification(notification).accepted);
    }

    void tamperedOrMisaddressedNotificationIsRejected()
    {
        InboundNotification tampered = derivedNotification();
        tampered.body.replace("EV-2018022511223320873", "EV-2018022511223320874");
        NotificationResult result = vectorChannel()->parseNotification(tampered);
        QVERIFY(!result.accepted);
        QVERIFY2(result.rejectReason.contains(u"bad signature"_s), qPrintable(result.rejectReason));

        // Signed by WeChat for mchid 1234567890, but this account is another merchant.
        result = vectorChannel(kMchid)->parseNotification(derivedNotification());
        QVERIFY(!result.accepted);
        QVERIFY2(result.rejectReason.contains(u"1234567890"_s), qPrintable(result.rejectReason));

        // Verified, but another API v3 key: the resource does not open.
        result = vectorChannel(u"1234567890"_s, "0123456789abcdef0123456789abcdef"_ba)
                     ->parseNotification(derivedNotification());
        QVERIFY(!result.accepted);
        QVERIFY2(result.rejectReason.contains(u"decrypt"_s), qPrintable(result.rejectReason));

        // A certificate this account does not trust.
        const auto javaOnly = channel(config({kJavaSerial}));
        result = javaOnly->parseNotification(derivedNotification());
        QVERIFY(!result.accepted);
        QVERIFY2(result.rejectReason.contains(u"unknown Wechatpay-Serial"_s), qPrintable(result.rejectReason));

        InboundNotification noSignature = derivedNotification();
        noSignature.headers.removeIf([](const auto &header) { return header.first == "wechatpay-signature"; });
        QVERIFY(!vectorChannel()->parseNotification(noSignature).accepted);
    }

    void goSdkPayscoreNotificationNeedsItsSixteenByteKey()
    {
        const QString dir = u"wechat/go_notify_payscore/"_s;
        const QByteArray key = readData(dir + u"apiv3_key.txt"_s);
        QCOMPARE(key.size(), 16);
        InboundNotification notification;
        notification.headers = readHeaderFile(dir + u"headers.txt"_s);
        notification.body = readData(dir + u"body.json"_s);
        m_nowMs = 1'624'523'846'000;

        // The real signature verifies with the Go certificate; the 32-byte key of any usable
        // configuration cannot open what a 16-byte key sealed, so the channel rejects it.
        const NotificationResult result = vectorChannel()->parseNotification(notification);
        QVERIFY(!result.accepted);
        QVERIFY2(result.rejectReason.contains(u"decrypt"_s), qPrintable(result.rejectReason));
        InboundNotification tampered = notification;
        tampered.body.replace("PAYSCORE", "PAYSCOR3");
        QVERIFY(vectorChannel()->parseNotification(tampered).rejectReason.contains(u"bad signature"_s));

        // At the decryption level the vector is sound (AES-128-GCM with the Go test key).
        const QJsonObject resource = jsonOf(notification.body).value(u"resource"_s).toObject();
        const std::optional<QByteArray> plaintext = AesGcm::openWechatResource(
            key, resource.value(u"nonce"_s).toString(), resource.value(u"associated_data"_s).toString(),
            resource.value(u"ciphertext"_s).toString());
        QVERIFY(plaintext);
        QCOMPARE(*plaintext, readData(dir + u"plaintext.json"_s));
    }

    void refundNotificationIsParsed()
    {
        const QJsonObject refund{
            {u"mchid"_s, kMchid},
            {u"transaction_id"_s, u"4200000000202401011234567890"_s},
            {u"out_trade_no"_s, u"O1"_s},
            {u"refund_id"_s, u"50000000382019052709732678859"_s},
            {u"out_refund_no"_s, u"R1"_s},
            {u"refund_status"_s, u"SUCCESS"_s},
            {u"success_time"_s, u"2024-01-01T12:05:00+08:00"_s},
            {u"user_received_account"_s, u"招商银行信用卡0403"_s},
            {u"amount"_s,
             QJsonObject{
                 {u"total"_s, 12345}, {u"refund"_s, 2345}, {u"payer_total"_s, 12345}, {u"payer_refund"_s, 2345}}}};
        const QString nonce = u"fdasflkja484"_s;
        const QByteArray ciphertext
            = AesGcm::sealWechatResource(kApiV3Key, nonce, u"refund"_s, compact(refund)).value();
        const QByteArray body = compact({{u"id"_s, u"EV-REFUND-1"_s},
                                         {u"create_time"_s, u"2024-01-01T12:05:01+08:00"_s},
                                         {u"event_type"_s, u"REFUND.SUCCESS"_s},
                                         {u"resource_type"_s, u"encrypt-resource"_s},
                                         {u"summary"_s, u"退款成功"_s},
                                         {u"resource"_s,
                                          QJsonObject{{u"original_type"_s, u"refund"_s},
                                                      {u"algorithm"_s, u"AEAD_AES_256_GCM"_s},
                                                      {u"ciphertext"_s, QString::fromLatin1(ciphertext)},
                                                      {u"associated_data"_s, u"refund"_s},
                                                      {u"nonce"_s, nonce}}}});
        const auto wechat = channel(config({kPublicKeyId}));
        const NotificationResult result = wechat->parseNotification(
            notificationFrom(m_standIn->signatureHeaders(body, kPublicKeyId, kNowMs / 1000), body));
        QVERIFY2(result.accepted, qPrintable(result.rejectReason));
        QCOMPARE(result.kind, NotificationKind::Refund);
        QCOMPARE(result.notifyId, u"EV-REFUND-1"_s);
        QCOMPARE(result.outRefundNo, u"R1"_s);
        QCOMPARE(result.channelRefundNo, u"50000000382019052709732678859"_s);
        QCOMPARE(result.refundState, RefundState::Succeeded);
        QCOMPARE(result.refundAmount, 2345);
        QCOMPARE(result.trade.outTradeNo, u"O1"_s);
        QCOMPARE(result.trade.totalAmount, 12345);

        // A signature by a key this account does not hold under that id.
        const NotificationResult forged = wechat->parseNotification(
            notificationFrom(m_standIn->signatureHeaders(body, kStrangerSerial, kNowMs / 1000), body));
        QVERIFY(!forged.accepted);
    }

    void acknowledgementForms()
    {
        const auto wechat = channel();
        const HttpResponse yes = wechat->acknowledge(true, {});
        QCOMPARE(yes.status, 204);
        QVERIFY(yes.body.isEmpty());
        const HttpResponse no = wechat->acknowledge(false, u"bad signature"_s);
        QCOMPARE(no.status, 500);
        const QJsonObject body = jsonOf(no.body);
        QCOMPARE(body.value(u"code"_s).toString(), u"FAIL"_s);
        QCOMPARE(body.value(u"message"_s).toString(), u"bad signature"_s);
    }

    void billIsDownloadedUnzippedAndHashChecked_data()
    {
        QTest::addColumn<bool>("goodHash");
        QTest::addColumn<bool>("truncated");
        QTest::newRow("good (upper-case hash)") << true << false;
        QTest::newRow("bad hash") << false << false;
        QTest::newRow("truncated gzip") << true << true;
    }

    void billIsDownloadedUnzippedAndHashChecked()
    {
        QFETCH(bool, goodHash);
        QFETCH(bool, truncated);
        const QByteArray csv
            = "\xEF\xBB\xBF"
              "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
              "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
              "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
              "费率备注\r\n"
              "`2024-01-01 12:00:05,`wxd678efh567hg6787,`1900000109,`0,`,`4200000000202401011234567890,"
              "`O1,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`SUCCESS,`OTHERS,`CNY,`123.45,`0.00,`0,`0,"
              "`0.00,`0.00,`,`,`x,`,`0.74000,`0.60%,`123.45,`0.00,`\r\n"
              "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
              "\r\n`1,`123.45,`0.00,`0.00,`0.74000,`123.45,`0.00\r\n"_ba;
        const QByteArray sha1 = QCryptographicHash::hash(csv, QCryptographicHash::Sha1).toHex().toUpper();
        const QByteArray file = truncated ? gzip(csv).chopped(12) : gzip(csv);
        const QString downloadUrl = u"https://localhost:%1/v3/billdownload/file?token=%2"_s.arg(m_server->port())
                                        .arg(QString::fromLatin1(kBillToken));
        m_standIn->script([&](const HttpRequest &request) {
            if (request.path == "/v3/bill/tradebill") {
                return ok({{u"hash_type"_s, u"SHA1"_s},
                           {u"hash_value"_s,
                            QString::fromLatin1(goodHash ? sha1 : "79bb0f45fc4c42234a918000b2668d689e2bde04"_ba)},
                           {u"download_url"_s, downloadUrl}});
            }
            WechatStandIn::Answer answer{200, file, WechatStandIn::Signing::Unsigned};
            answer.contentType = "application/octet-stream";
            return answer;
        });
        const BillResult result = channel()->downloadBill(QDate(2024, 1, 2));

        const QList<WechatStandIn::Seen> seen = m_standIn->seen();
        QCOMPARE(seen.size(), 2);
        QCOMPARE(seen[0].authError, QString());
        QCOMPARE(seen[0].target, "/v3/bill/tradebill?bill_date=2024-01-02&bill_type=ALL&tar_type=GZIP"_ba);
        QCOMPARE(seen[1].authError, QString()); // signed with ?token=… in the canonical URL
        QCOMPARE(seen[1].target, "/v3/billdownload/file?token=" + kBillToken);
        QCOMPARE(seen[1].request.header("accept"), "*/*"_ba);
        QCOMPARE(result.format, u"wechat-tradebill-csv"_s);
        QCOMPARE(result.exchanges.size(), 2);
        QCOMPARE(result.exchanges[0].verification, u"ok"_s);
        QVERIFY(!result.exchanges[1].url.contains(QString::fromLatin1(kBillToken)));
        if (goodHash && !truncated) {
            QCOMPARE(result.outcome, CallOutcome::Ok);
            QVERIFY(!result.noBill);
            QCOMPARE(result.content, csv);
            QCOMPARE(result.exchanges[1].verification, u"ok"_s);
        } else {
            QCOMPARE(result.outcome, CallOutcome::Unknown);
            QVERIFY(result.content.isEmpty());
            QVERIFY2(result.exchanges[1].verification.startsWith(u"failed: "_s),
                     qPrintable(result.exchanges[1].verification));
        }
    }

    void missingBillIsOkWithoutContent()
    {
        m_standIn->script([](const HttpRequest &) { return error(400, u"NO_STATEMENT_EXIST"_s, u"账单文件不存在"_s); });
        const BillResult result = channel()->downloadBill(QDate(2024, 1, 2));
        QCOMPARE(result.outcome, CallOutcome::Ok);
        QVERIFY(result.noBill);
        QVERIFY(result.content.isEmpty());
        QCOMPARE(result.exchanges.size(), 1);
        QCOMPARE(m_standIn->seen().size(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_WechatChannel)

#include "tst_wechatchannel.moc"
