// WeChat Pay API v3: request/response messages, the Authorization header, and every WeChat
// signature vector (Go SDK signer and notify tests, requests/responses derived with the Go
// SDK's test key), including re-signing byte for byte and decrypting the notifications.

#include "common/crypto/AesGcm.h"
#include "common/crypto/Certificate.h"
#include "common/crypto/PrivateKey.h"
#include "common/crypto/RsaSignature.h"
#include "common/protocol/WechatPaySign.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include "TestData.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {


QMap<QByteArray, QByteArray> readHeaders(const QString &relativePath)
{
    QMap<QByteArray, QByteArray> headers;
    for (const QByteArray &line : readData(relativePath).split('\n')) {
        const qsizetype colon = line.indexOf(": ");
        if (colon > 0)
            headers.insert(line.left(colon), line.mid(colon + 2));
    }
    return headers;
}

const QString goDir = u"wechat/go_sha256withrsa_signer/"_s;
const QString derivedDir = u"wechat/derived_with_go_sdk_test_key/"_s;
const QString notifyDir = u"wechat/go_notify_payscore/"_s;

PrivateKey goMerchantKey()
{
    CryptoResult<PrivateKey> key = PrivateKey::fromPem(readData(goDir + u"merchant_private_key_pkcs8.pem"_s));
    if (!key)
        qFatal("go key: %s", qPrintable(key.error()));
    return std::move(key).value();
}


PublicKey goPlatformKey()
{
    return certificate(goDir + u"cert_D7CE59D1F522D701.pem"_s).publicKey().value();
}

const QByteArray vectorTimestamp = "1624523846"_ba;
const QByteArray vectorNonce = "A1B2C3D4E5F6G7"_ba;
const QByteArray vectorMchid = "1234567890"_ba;
const QByteArray vectorSerial = "D7CE59D1F522D701"_ba;

} // namespace

class TestSigningWechat final : public QObject
{
    Q_OBJECT

private slots:
    void goSignerVectorReSignsByteForByte();
    void certificateSerialMatchesTheHeaderSerial();

    void derivedRequestsBuildMessageHeaderAndSignature_data();
    void derivedRequestsBuildMessageHeaderAndSignature();
    void requestMessageMatchesGoSdkTestForEmptyBody();

    void signedResponsesAndNotificationsVerify_data();
    void signedResponsesAndNotificationsVerify();
    void notificationResourcesDecryptToPlaintext_data();
    void notificationResourcesDecryptToPlaintext();
    void tamperedMessageFailsVerification_data();
    void tamperedMessageFailsVerification();

    void authorizationParsesInAnyKeyOrder_data();
    void authorizationParsesInAnyKeyOrder();
    void authorizationRejectsMalformedValues_data();
    void authorizationRejectsMalformedValues();
};

void TestSigningWechat::goSignerVectorReSignsByteForByte()
{
    const QByteArray message = readData(goDir + u"message.txt"_s);
    QCOMPARE(message, "source"_ba);
    const QByteArray expected = readData(goDir + u"expected_signature.b64"_s);
    const CryptoResult<QByteArray> signature = RsaSignature::signBase64(goMerchantKey(), message);
    QVERIFY2(signature.ok(), qPrintable(signature.error()));
    QCOMPARE(*signature, expected);
    QVERIFY(RsaSignature::verifyBase64(goPlatformKey(), message, expected));
}

void TestSigningWechat::certificateSerialMatchesTheHeaderSerial()
{
    QCOMPARE(certificate(goDir + u"cert_D7CE59D1F522D701.pem"_s).serialNumberHex().toLatin1(), vectorSerial);
    QCOMPARE(readHeaders(notifyDir + u"headers.txt"_s).value("Wechatpay-Serial"), vectorSerial);
    QCOMPARE(certificate(notifyDir + u"wechatpay_platform_cert.pem"_s).serialNumberHex().toLatin1(), vectorSerial);
}

void TestSigningWechat::derivedRequestsBuildMessageHeaderAndSignature_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("canonicalUrl");
    QTest::addColumn<bool>("hasBody");
    QTest::newRow("native prepay") << u"request_native_prepay"_s << "POST"_ba
                                   << "/v3/pay/transactions/native"_ba << true;
    QTest::newRow("query by out_trade_no")
        << u"request_query_out_trade_no"_s << "GET"_ba
        << "/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1234567890"_ba << false;
    QTest::newRow("close") << u"request_close"_s << "POST"_ba
                           << "/v3/pay/transactions/out-trade-no/1217752501201407033233368018/close"_ba << true;
    QTest::newRow("refund") << u"request_refund"_s << "POST"_ba
                            << "/v3/refund/domestic/refunds"_ba << true;
    QTest::newRow("trade bill") << u"request_tradebill"_s << "GET"_ba
                                << "/v3/bill/tradebill?bill_date=2019-06-11&bill_type=ALL"_ba << false;
    QTest::newRow("bill download")
        << u"request_billdownload"_s << "GET"_ba
        << "/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO"_ba << false;
}

void TestSigningWechat::derivedRequestsBuildMessageHeaderAndSignature()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, canonicalUrl);
    QFETCH(bool, hasBody);
    const QByteArray body = hasBody ? readData(derivedDir + name + u".body.json"_s) : QByteArray();
    const QByteArray expectedMessage = readData(derivedDir + name + u".message.txt"_s);
    const QByteArray expectedHeader = readData(derivedDir + name + u".authorization.txt"_s);

    const QByteArray message = WechatPaySign::requestMessage(method, canonicalUrl, vectorTimestamp, vectorNonce, body);
    QCOMPARE(message, expectedMessage);

    // Signing with the merchant key reproduces the whole header byte for byte (GO order).
    const CryptoResult<QByteArray> header = WechatPaySign::signRequest(
        goMerchantKey(), {vectorMchid, vectorNonce, vectorTimestamp, vectorSerial, {}}, method, canonicalUrl, body);
    QVERIFY2(header.ok(), qPrintable(header.error()));
    QCOMPARE(*header, expectedHeader);

    // The server side: parse the header, rebuild the message, verify with the merchant cert.
    const CryptoResult<WechatPayAuthorization> parsed = WechatPaySign::parseAuthorization(expectedHeader);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
    QCOMPARE(parsed->mchid, vectorMchid);
    QCOMPARE(parsed->nonce, vectorNonce);
    QCOMPARE(parsed->timestamp, vectorTimestamp);
    QCOMPARE(parsed->serialNo, vectorSerial);
    QCOMPARE(WechatPaySign::authorizationHeader(*parsed), expectedHeader);
    const QByteArray rebuilt
        = WechatPaySign::requestMessage(method, canonicalUrl, parsed->timestamp, parsed->nonce, body);
    QVERIFY(RsaSignature::verifyBase64(goPlatformKey(), rebuilt, parsed->signature));
}

void TestSigningWechat::requestMessageMatchesGoSdkTestForEmptyBody()
{
    // GO core/auth/credentials/wechat_pay_credential_test.go
    QCOMPARE(WechatPaySign::requestMessage("GET", "/v3/certificates", "1624523846", "A1B2C3D4E5F6G7", {}),
             "GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n"_ba);
    QCOMPARE(WechatPaySign::responseMessage("1624523846", "nonce", {}), "1624523846\nnonce\n\n"_ba);
}

void TestSigningWechat::signedResponsesAndNotificationsVerify_data()
{
    QTest::addColumn<QString>("headersFile");
    QTest::addColumn<QString>("bodyFile");
    QTest::addColumn<QString>("messageFile");
    QTest::addColumn<QString>("signatureFile");
    QTest::newRow("go notify payscore (real SDK vector)")
        << notifyDir + u"headers.txt"_s << notifyDir + u"body.json"_s << notifyDir + u"signed_message.txt"_s
        << notifyDir + u"signature.b64"_s;
    QTest::newRow("derived native prepay response")
        << derivedDir + u"response_native_prepay.headers.txt"_s << derivedDir + u"response_native_prepay.body.json"_s
        << derivedDir + u"response_native_prepay.message.txt"_s << QString();
    QTest::newRow("derived TRANSACTION.SUCCESS notification")
        << derivedDir + u"notify_transaction_success.headers.txt"_s
        << derivedDir + u"notify_transaction_success.body.json"_s
        << derivedDir + u"notify_transaction_success.message.txt"_s << QString();
}

void TestSigningWechat::signedResponsesAndNotificationsVerify()
{
    QFETCH(QString, headersFile);
    QFETCH(QString, bodyFile);
    QFETCH(QString, messageFile);
    QFETCH(QString, signatureFile);
    const QMap<QByteArray, QByteArray> headers = readHeaders(headersFile);
    const QByteArray signature = headers.value("Wechatpay-Signature");
    QVERIFY(!signature.isEmpty());
    if (!signatureFile.isEmpty())
        QCOMPARE(signature, readData(signatureFile));
    QCOMPARE(headers.value("Wechatpay-Serial"), vectorSerial);

    const QByteArray message = WechatPaySign::responseMessage(headers.value("Wechatpay-Timestamp"),
                                                              headers.value("Wechatpay-Nonce"), readData(bodyFile));
    QCOMPARE(message, readData(messageFile));
    QVERIFY(RsaSignature::verifyBase64(goPlatformKey(), message, signature));
    // The Go test key is also the platform key here, so signing reproduces the header.
    QCOMPARE(*RsaSignature::signBase64(goMerchantKey(), message), signature);
}

void TestSigningWechat::notificationResourcesDecryptToPlaintext_data()
{
    QTest::addColumn<QString>("dir");
    QTest::addColumn<QString>("bodyFile");
    QTest::addColumn<QString>("plaintextFile");
    QTest::addColumn<int>("keyLength");
    QTest::newRow("go payscore (AES-128-GCM)") << notifyDir << u"body.json"_s << u"plaintext.json"_s << 16;
    QTest::newRow("derived TRANSACTION.SUCCESS (AES-256-GCM)")
        << derivedDir << u"notify_transaction_success.body.json"_s << u"notify_transaction_success.plaintext.json"_s
        << 32;
}

void TestSigningWechat::notificationResourcesDecryptToPlaintext()
{
    QFETCH(QString, dir);
    QFETCH(QString, bodyFile);
    QFETCH(QString, plaintextFile);
    QFETCH(int, keyLength);
    const QByteArray apiV3Key = readData(dir + u"apiv3_key.txt"_s);
    QCOMPARE(apiV3Key.size(), keyLength);
    const QJsonObject resource
        = QJsonDocument::fromJson(readData(dir + bodyFile)).object().value(u"resource"_s).toObject();
    QCOMPARE(resource.value(u"algorithm"_s).toString(), u"AEAD_AES_256_GCM"_s);
    const std::optional<QByteArray> plaintext = AesGcm::openWechatResource(
        apiV3Key, resource.value(u"nonce"_s).toString(), resource.value(u"associated_data"_s).toString(),
        resource.value(u"ciphertext"_s).toString());
    QVERIFY(plaintext.has_value());
    QCOMPARE(*plaintext, readData(dir + plaintextFile));

    // Wrong AAD or a key of the other size must not decrypt.
    QCOMPARE(AesGcm::openWechatResource(apiV3Key, resource.value(u"nonce"_s).toString(), u"transactioN"_s,
                                        resource.value(u"ciphertext"_s).toString()),
             std::nullopt);
    QCOMPARE(AesGcm::openWechatResource(apiV3Key + apiV3Key, resource.value(u"nonce"_s).toString(),
                                        resource.value(u"associated_data"_s).toString(),
                                        resource.value(u"ciphertext"_s).toString()),
             std::nullopt);
}

void TestSigningWechat::tamperedMessageFailsVerification_data()
{
    QTest::addColumn<QByteArray>("timestamp");
    QTest::addColumn<QByteArray>("nonce");
    QTest::addColumn<QByteArray>("body");
    const QMap<QByteArray, QByteArray> headers = readHeaders(notifyDir + u"headers.txt"_s);
    const QByteArray body = readData(notifyDir + u"body.json"_s);
    const QByteArray ts = headers.value("Wechatpay-Timestamp");
    const QByteArray nonce = headers.value("Wechatpay-Nonce");
    QTest::newRow("timestamp +1") << "1624523847"_ba << nonce << body;
    QTest::newRow("other nonce") << ts << QByteArray(nonce).replace('E', 'F') << body;
    QTest::newRow("body byte changed") << ts << nonce << QByteArray(body).replace("签约成功", "签约失败");
    QTest::newRow("body with trailing newline") << ts << nonce << body + '\n';
    QTest::newRow("empty body") << ts << nonce << QByteArray();
}

void TestSigningWechat::tamperedMessageFailsVerification()
{
    QFETCH(QByteArray, timestamp);
    QFETCH(QByteArray, nonce);
    QFETCH(QByteArray, body);
    const QByteArray signature = readData(notifyDir + u"signature.b64"_s);
    QVERIFY(!RsaSignature::verifyBase64(goPlatformKey(), WechatPaySign::responseMessage(timestamp, nonce, body),
                                        signature));
}

void TestSigningWechat::authorizationParsesInAnyKeyOrder_data()
{
    QTest::addColumn<QByteArray>("header");
    const QByteArray go = readData(derivedDir + u"request_native_prepay.authorization.txt"_s);
    const QByteArray signature = go.mid(go.indexOf("signature=\"") + 11).chopped(1);
    QTest::newRow("GO order") << go;
    // PHP src/Formatter.php authorization(): mchid, serial_no, timestamp, nonce_str, signature.
    QTest::newRow("PHP order") << "WECHATPAY2-SHA256-RSA2048 mchid=\"1234567890\",serial_no=\"D7CE59D1F522D701\","
                                  "timestamp=\"1624523846\",nonce_str=\"A1B2C3D4E5F6G7\",signature=\""_ba
            + signature + '"';
    QTest::newRow("spaces after commas, signature first") << "WECHATPAY2-SHA256-RSA2048  signature=\""_ba + signature
            + "\", mchid=\"1234567890\",\tnonce_str=\"A1B2C3D4E5F6G7\" , "
              "timestamp=\"1624523846\", serial_no=\"D7CE59D1F522D701\""_ba;
}

void TestSigningWechat::authorizationParsesInAnyKeyOrder()
{
    QFETCH(QByteArray, header);
    const CryptoResult<WechatPayAuthorization> parsed = WechatPaySign::parseAuthorization(header);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
    QCOMPARE(parsed->mchid, vectorMchid);
    QCOMPARE(parsed->nonce, vectorNonce);
    QCOMPARE(parsed->timestamp, vectorTimestamp);
    QCOMPARE(parsed->serialNo, vectorSerial);
    QCOMPARE(WechatPaySign::authorizationHeader(*parsed),
             readData(derivedDir + u"request_native_prepay.authorization.txt"_s));
}

void TestSigningWechat::authorizationRejectsMalformedValues_data()
{
    QTest::addColumn<QByteArray>("header");
    const QByteArray good = readData(derivedDir + u"request_native_prepay.authorization.txt"_s);
    QVERIFY(WechatPaySign::parseAuthorization(good).ok());
    auto with = [&good](const char *from, const char *to) { return QByteArray(good).replace(from, to); };

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("schema only") << "WECHATPAY2-SHA256-RSA2048"_ba;
    QTest::newRow("schema and space only") << "WECHATPAY2-SHA256-RSA2048 "_ba;
    QTest::newRow("other schema") << with("WECHATPAY2-SHA256-RSA2048", "WECHATPAY2-SM2-WITH-SM3");
    QTest::newRow("lowercase schema") << with("WECHATPAY2-SHA256-RSA2048", "wechatpay2-sha256-rsa2048");
    QTest::newRow("no space after schema") << with("RSA2048 mchid", "RSA2048mchid");
    QTest::newRow("missing field") << with(",serial_no=\"D7CE59D1F522D701\"", "");
    QTest::newRow("repeated field") << good + ",mchid=\"1234567890\"";
    QTest::newRow("unknown field") << good + ",extra=\"1\"";
    QTest::newRow("trailing comma") << good + ",";
    QTest::newRow("unquoted value") << with("mchid=\"1234567890\"", "mchid=1234567890");
    QTest::newRow("unterminated value") << good.chopped(1);
    QTest::newRow("empty value") << with("mchid=\"1234567890\"", "mchid=\"\"");
    QTest::newRow("newline in nonce") << with("A1B2C3D4E5F6G7", "A1B2\nC3D4");
    QTest::newRow("quote-breaking nonce") << with("A1B2C3D4E5F6G7", "A1B2\\\"C3");
    QTest::newRow("non-digit timestamp") << with("1624523846", "16245238a6");
    QTest::newRow("negative timestamp") << with("1624523846", "-1624523846");
    QTest::newRow("overlong timestamp") << with("1624523846", "16245238461624523846");
    QTest::newRow("bad serial characters") << with("D7CE59D1F522D701", "D7CE:59D1");
    QTest::newRow("non-base64 signature") << with("signature=\"", "signature=\"*");
    QTest::newRow("overlong nonce") << with("A1B2C3D4E5F6G7", QByteArray(65, 'a').constData());
    QTest::newRow("overlong header") << good + QByteArray(WechatPaySign::MaxAuthorizationLength, ' ');
    QTest::newRow("garbage between fields") << with("\",nonce_str", "\" x ,nonce_str");
}

void TestSigningWechat::authorizationRejectsMalformedValues()
{
    QFETCH(QByteArray, header);
    const CryptoResult<WechatPayAuthorization> parsed = WechatPaySign::parseAuthorization(header);
    QVERIFY(!parsed.ok());
    QVERIFY(!parsed.error().isEmpty());
}

QTEST_GUILESS_MAIN(TestSigningWechat)
#include "tst_signing_wechat.moc"
