// RSA keys in every format the channels hand out, X.509 certificates, and PKCS#1 v1.5
// signatures: loading, rejecting, matching key pairs, byte-exact re-signing and concurrency.

#include "common/crypto/Certificate.h"
#include "common/crypto/Pem.h"
#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"
#include "common/crypto/RsaSignature.h"

#include <QFile>
#include "TestData.h"

#include <QTest>

#include <openssl/err.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {





// The PEM body alone, as Alipay's tools print keys ("no wrapper").
QByteArray bareBody(const QByteArray &pem)
{
    QByteArray body;
    for (const QByteArray &line : pem.split('\n')) {
        if (!line.startsWith("-----"))
            body += line.trimmed();
    }
    return body;
}

const QString javaDir = u"alipay/java_sdk_rsacheck/"_s;
const QString nodeDir = u"alipay/nodejs-sdk-fixtures/"_s;
const QString goDir = u"wechat/go_sha256withrsa_signer/"_s;
const QString wjavaDir = u"wechat/java_sdk/"_s;

} // namespace

class TestCryptoKeys final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void everyVectorKeyLoads_data();
    void everyVectorKeyLoads();
    void privateKeyFormatsSignIdentically_data();
    void privateKeyFormatsSignIdentically();
    void publicKeyFormatsAreTheSameKey_data();
    void publicKeyFormatsAreTheSameKey();
    void keyPairsInTheVectorsMatch_data();
    void keyPairsInTheVectorsMatch();
    void malformedOrUnsupportedPrivateKeysAreRejected_data();
    void malformedOrUnsupportedPrivateKeysAreRejected();
    void malformedOrUnsupportedPublicKeysAreRejected_data();
    void malformedOrUnsupportedPublicKeysAreRejected();
    void generatedKeyRoundTripsThroughPkcs8();
    void generateRejectsOutOfRangeSizes();
    void nullKeysNeitherSignNorVerify();

    void certificateFieldsMatchOpenSsl_data();
    void certificateFieldsMatchOpenSsl();
    void certificateValidityWindowIsHonoured();
    void certificateRejectsMalformedInput_data();
    void certificateRejectsMalformedInput();
    void certificateListKeepsBundleOrder();
    void certificateWithNonRsaKeyHasNoPublicKey();
    void alipayCertSnMatchesNodeSdk_data();
    void alipayCertSnMatchesNodeSdk();
    void alipayRootCertSnJoinsRsaSignedCertificates();

    void signatureVerifiesOnlyExactDataKeyAndAlgorithm();
    void tamperedSignatureByteFailsVerification();
    void malformedBase64SignatureFailsVerification_data();
    void malformedBase64SignatureFailsVerification();
    void sharedKeysSignAndVerifyFromManyThreads();
};

void TestCryptoKeys::init()
{
    ERR_clear_error();
}

void TestCryptoKeys::cleanup()
{
    // Every entry point must leave the OpenSSL error queue empty, success or failure.
    QCOMPARE(ERR_peek_error(), 0ul);
}

// ---------------------------------------------------------------------------------------------
// Keys

void TestCryptoKeys::everyVectorKeyLoads_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("isPrivate");
    const QStringList privateKeys = {
        javaDir + u"app_private_key_pkcs8.pem"_s,
        nodeDir + u"app-private-key.pem"_s, // PKCS#1, body on one long line
        nodeDir + u"app_2014060600164699_rsa2_private_key_no_wrapper.pem"_s, // bare PKCS#8
        goDir + u"merchant_private_key_pkcs8.pem"_s,
        wjavaDir + u"merchant_private_key.pem"_s,
        wjavaDir + u"wechat_pay_private_key.pem"_s,
        u"crypto/app_private_key_pkcs1.pem"_s,
    };
    const QStringList publicKeys = {
        javaDir + u"app_public_key.pem"_s,
        javaDir + u"app_cert_2019091767145019.crt"_s,
        nodeDir + u"alipay-notify-sign-public-key-v1.pem"_s,
        nodeDir + u"alipay-notify-sign-public-key-v2.pem"_s,
        nodeDir + u"alipay-public-key.pem"_s,
        nodeDir + u"alipay_stable_rsa2_public_key.pem"_s, // bare SPKI
        nodeDir + u"app-public-key.pem"_s,
        nodeDir + u"app_2014060600164699_rsa2_public_key_no_wrapper.pem"_s,
        nodeDir + u"appCertPublicKey_2021001161683774.crt"_s,
        nodeDir + u"alipayCertPublicKey_RSA2.crt"_s,
        u"alipay/notify_servicemarket_rsacheckv2/alipay_public_key.pem"_s,
        u"alipay/notify_trade_status_sync_rsacheckv1/alipay_public_key.pem"_s,
        u"alipay/response_sign_open_file_upload/alipay_public_key.pem"_s,
        goDir + u"cert_D7CE59D1F522D701.pem"_s,
        u"wechat/go_notify_payscore/wechatpay_platform_cert.pem"_s,
        wjavaDir + u"merchant_certificate.pem"_s,
        wjavaDir + u"wechat_pay_certificate.pem"_s,
        wjavaDir + u"wechat_pay_public_key.pem"_s,
        wjavaDir + u"download_certificate_plaintext.pem"_s,
        u"crypto/app_public_key_pkcs1.pem"_s,
    };
    for (const QString &path : privateKeys)
        QTest::newRow(qPrintable(path)) << path << true;
    for (const QString &path : publicKeys)
        QTest::newRow(qPrintable(path)) << path << false;
}

void TestCryptoKeys::everyVectorKeyLoads()
{
    QFETCH(QString, path);
    QFETCH(bool, isPrivate);
    const QByteArray text = readData(path);
    if (isPrivate) {
        const CryptoResult<PrivateKey> key = PrivateKey::fromPem(text);
        QVERIFY2(key.ok(), qPrintable(key.error()));
        QCOMPARE(key->bits(), 2048);
        QCOMPARE(key->publicKey().bits(), 2048);
    } else {
        const CryptoResult<PublicKey> key = PublicKey::fromPem(text);
        QVERIFY2(key.ok(), qPrintable(key.error()));
        QCOMPARE(key->bits(), 2048);
    }
}

void TestCryptoKeys::privateKeyFormatsSignIdentically_data()
{
    QTest::addColumn<QByteArray>("text");
    const QByteArray pkcs8 = readData(javaDir + u"app_private_key_pkcs8.pem"_s);
    const QByteArray pkcs1 = readData(u"crypto/app_private_key_pkcs1.pem"_s);
    QTest::newRow("PKCS#8 PEM") << pkcs8;
    QTest::newRow("PKCS#1 PEM") << pkcs1;
    QTest::newRow("bare PKCS#8 body (Alipay Java)") << bareBody(pkcs8);
    QTest::newRow("bare PKCS#1 body") << bareBody(pkcs1);
    QTest::newRow("PKCS#8 with CRLF") << QByteArray(pkcs8).replace("\n", "\r\n");
    QTest::newRow("PKCS#8 on one line") << QByteArray(pkcs8).replace("\n", "");
    // OpenSSL unwraps the PKCS#8 envelope even under the PKCS#1 label; tolerated on purpose.
    QTest::newRow("PKCS#8 body under PKCS#1 label") << Pem::encode("RSA PRIVATE KEY", Pem::decode(pkcs8)->first().der);
}

void TestCryptoKeys::privateKeyFormatsSignIdentically()
{
    QFETCH(QByteArray, text);
    const CryptoResult<PrivateKey> key = PrivateKey::fromPem(text);
    QVERIFY2(key.ok(), qPrintable(key.error()));
    const CryptoResult<QByteArray> signature
        = RsaSignature::signBase64(*key, readData(javaDir + u"rsa2_basic.content.txt"_s));
    QVERIFY2(signature.ok(), qPrintable(signature.error()));
    QCOMPARE(*signature, readData(javaDir + u"rsa2_basic.sign.b64"_s));
}

void TestCryptoKeys::publicKeyFormatsAreTheSameKey_data()
{
    QTest::addColumn<QByteArray>("text");
    const QByteArray spki = readData(javaDir + u"app_public_key.pem"_s);
    QTest::newRow("SPKI PEM") << spki;
    QTest::newRow("PKCS#1 PEM") << readData(u"crypto/app_public_key_pkcs1.pem"_s);
    QTest::newRow("bare SPKI body (Alipay)") << bareBody(spki);
    QTest::newRow("bare PKCS#1 body") << bareBody(readData(u"crypto/app_public_key_pkcs1.pem"_s));
    QTest::newRow("certificate PEM") << readData(javaDir + u"app_cert_2019091767145019.crt"_s);
    QTest::newRow("SPKI body under PKCS#1 label (tolerated)")
        << Pem::encode("RSA PUBLIC KEY", Pem::decode(spki)->first().der);
}

void TestCryptoKeys::publicKeyFormatsAreTheSameKey()
{
    QFETCH(QByteArray, text);
    const CryptoResult<PublicKey> key = PublicKey::fromPem(text);
    QVERIFY2(key.ok(), qPrintable(key.error()));
    QCOMPARE(*key, privateKey(javaDir + u"app_private_key_pkcs8.pem"_s).publicKey());
    QCOMPARE(key->toDer(), PublicKey::fromDer(key->toDer())->toDer());
    QCOMPARE(PublicKey::fromPem(key->toPem())->toDer(), key->toDer());
    QVERIFY(RsaSignature::verifyBase64(*key, readData(javaDir + u"rsa2_basic.content.txt"_s),
                                       readData(javaDir + u"rsa2_basic.sign.b64"_s)));
}

void TestCryptoKeys::keyPairsInTheVectorsMatch_data()
{
    QTest::addColumn<QString>("privatePath");
    QTest::addColumn<QString>("publicPath");
    QTest::addColumn<bool>("match");
    QTest::newRow("alipay java app key / app cert")
        << javaDir + u"app_private_key_pkcs8.pem"_s << javaDir + u"app_cert_2019091767145019.crt"_s << true;
    QTest::newRow("alipay node app key / public key")
        << nodeDir + u"app-private-key.pem"_s << nodeDir + u"app-public-key.pem"_s << true;
    QTest::newRow("alipay node no-wrapper pair")
        << nodeDir + u"app_2014060600164699_rsa2_private_key_no_wrapper.pem"_s
        << nodeDir + u"app_2014060600164699_rsa2_public_key_no_wrapper.pem"_s << true;
    QTest::newRow("wechat go merchant key / cert D7CE59D1F522D701")
        << goDir + u"merchant_private_key_pkcs8.pem"_s << goDir + u"cert_D7CE59D1F522D701.pem"_s << true;
    QTest::newRow("wechat go key / notify platform cert")
        << goDir + u"merchant_private_key_pkcs8.pem"_s << u"wechat/go_notify_payscore/wechatpay_platform_cert.pem"_s
        << true;
    QTest::newRow("wechat java merchant pair")
        << wjavaDir + u"merchant_private_key.pem"_s << wjavaDir + u"merchant_certificate.pem"_s << true;
    QTest::newRow("wechat java platform pair (cert)")
        << wjavaDir + u"wechat_pay_private_key.pem"_s << wjavaDir + u"wechat_pay_certificate.pem"_s << true;
    QTest::newRow("wechat java platform pair (public key)")
        << wjavaDir + u"wechat_pay_private_key.pem"_s << wjavaDir + u"wechat_pay_public_key.pem"_s << true;
    QTest::newRow("different keys do not match")
        << wjavaDir + u"merchant_private_key.pem"_s << wjavaDir + u"wechat_pay_certificate.pem"_s << false;
}

void TestCryptoKeys::keyPairsInTheVectorsMatch()
{
    QFETCH(QString, privatePath);
    QFETCH(QString, publicPath);
    QFETCH(bool, match);
    const PrivateKey key = privateKey(privatePath);
    const PublicKey expected = publicKey(publicPath);
    QCOMPARE(key.publicKey() == expected, match);
    const QByteArray data = "round trip "_ba + publicPath.toUtf8();
    const CryptoResult<QByteArray> signature = RsaSignature::sign(key, data);
    QVERIFY(signature.ok());
    QCOMPARE(RsaSignature::verify(expected, data, *signature), match);
}

void TestCryptoKeys::malformedOrUnsupportedPrivateKeysAreRejected_data()
{
    QTest::addColumn<QByteArray>("text");
    const QByteArray pkcs8 = readData(javaDir + u"app_private_key_pkcs8.pem"_s);
    const QByteArray der = Pem::decode(pkcs8)->first().der;
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("garbage") << "this is not a key"_ba;
    QTest::newRow("bad base64 in PEM") << "-----BEGIN PRIVATE KEY-----\nMIIE!!!!\n-----END PRIVATE KEY-----\n"_ba;
    QTest::newRow("truncated DER") << Pem::encode("PRIVATE KEY", der.left(der.size() / 2));
    QTest::newRow("trailing bytes after DER") << (der + "\x00\x00"_ba).toBase64();
    QTest::newRow("one flipped DER byte") << [&] {
        QByteArray broken = der;
        broken[1] = char(broken[1] ^ 0x40); // length field
        return Pem::encode("PRIVATE KEY", broken);
    }();
    QTest::newRow("public key") << readData(javaDir + u"app_public_key.pem"_s);
    QTest::newRow("certificate") << readData(javaDir + u"app_cert_2019091767145019.crt"_s);
    QTest::newRow("bare public key body") << bareBody(readData(javaDir + u"app_public_key.pem"_s));
    QTest::newRow("encrypted PKCS#8") << readData(u"crypto/app_private_key_encrypted_pkcs8.pem"_s);
    QTest::newRow("encrypted PKCS#1 (Proc-Type)") << readData(u"crypto/app_private_key_encrypted_pkcs1.pem"_s);
    QTest::newRow("EC key") << readData(u"crypto/ec_p256_private_key.pem"_s);
    QTest::newRow("RSA 1024 too small") << readData(u"crypto/rsa1024_private_key.pem"_s);
    QTest::newRow("two keys in one file") << pkcs8 + pkcs8;
}

void TestCryptoKeys::malformedOrUnsupportedPrivateKeysAreRejected()
{
    QFETCH(QByteArray, text);
    const CryptoResult<PrivateKey> key = PrivateKey::fromPem(text);
    QVERIFY(!key.ok());
    QVERIFY(!key.error().isEmpty());
    qDebug() << key.error();
}

void TestCryptoKeys::malformedOrUnsupportedPublicKeysAreRejected_data()
{
    QTest::addColumn<QByteArray>("text");
    const QByteArray spki = readData(javaDir + u"app_public_key.pem"_s);
    const QByteArray der = Pem::decode(spki)->first().der;
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("whitespace") << " \n\t"_ba;
    QTest::newRow("garbage base64") << "QUJDREVGRw=="_ba;
    QTest::newRow("truncated DER") << Pem::encode("PUBLIC KEY", der.left(100));
    QTest::newRow("trailing bytes after DER") << Pem::encode("PUBLIC KEY", der + "\x05\x00"_ba);
    QTest::newRow("private key PEM") << readData(javaDir + u"app_private_key_pkcs8.pem"_s);
    QTest::newRow("bare private key body") << bareBody(readData(javaDir + u"app_private_key_pkcs8.pem"_s));
    QTest::newRow("EC certificate") << readData(u"crypto/ec_p256_self_signed_cert.pem"_s);
    QTest::newRow("missing END line") << spki.left(spki.indexOf("-----END"));
    QTest::newRow("two public keys") << spki + spki;
}

void TestCryptoKeys::malformedOrUnsupportedPublicKeysAreRejected()
{
    QFETCH(QByteArray, text);
    const CryptoResult<PublicKey> key = PublicKey::fromPem(text);
    QVERIFY(!key.ok());
    QVERIFY(!key.error().isEmpty());
    qDebug() << key.error();
}

void TestCryptoKeys::generatedKeyRoundTripsThroughPkcs8()
{
    const CryptoResult<PrivateKey> generated = PrivateKey::generateRsa(2048);
    QVERIFY2(generated.ok(), qPrintable(generated.error()));
    QCOMPARE(generated->bits(), 2048);

    const QByteArray pem = generated->toPkcs8Pem();
    QVERIFY(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
    const CryptoResult<PrivateKey> reloaded = PrivateKey::fromPem(pem);
    QVERIFY2(reloaded.ok(), qPrintable(reloaded.error()));
    QCOMPARE(reloaded->publicKey(), generated->publicKey());
    QCOMPARE(reloaded->toPkcs8Der(), generated->toPkcs8Der());

    // Deterministic PKCS#1 v1.5: both objects produce the same bytes, and they verify.
    const CryptoResult<QByteArray> a = RsaSignature::sign(*generated, "data");
    const CryptoResult<QByteArray> b = RsaSignature::sign(*reloaded, "data");
    QVERIFY(a.ok() && b.ok());
    QCOMPARE(*a, *b);
    QVERIFY(RsaSignature::verify(generated->publicKey(), "data", *a));

    // Vector keys survive a PKCS#8 round trip byte for byte.
    const PrivateKey vector = privateKey(javaDir + u"app_private_key_pkcs8.pem"_s);
    QCOMPARE(vector.toPkcs8Pem(), readData(javaDir + u"app_private_key_pkcs8.pem"_s));
}

void TestCryptoKeys::generateRejectsOutOfRangeSizes()
{
    QVERIFY(!PrivateKey::generateRsa(1024).ok());
    QVERIFY(!PrivateKey::generateRsa(8192).ok());
    QVERIFY(!PrivateKey::generateRsa(0).ok());
}

void TestCryptoKeys::nullKeysNeitherSignNorVerify()
{
    const PrivateKey nullPrivate;
    const PublicKey nullPublic;
    QVERIFY(nullPrivate.isNull());
    QVERIFY(nullPublic.isNull());
    QVERIFY(!RsaSignature::sign(nullPrivate, "data").ok());
    QVERIFY(!RsaSignature::verify(nullPublic, "data", QByteArray(256, 'x')));
    QVERIFY(nullPrivate.publicKey().isNull());
    QVERIFY(nullPrivate.toPkcs8Pem().isEmpty());
    QVERIFY(nullPublic.toDer().isEmpty());
    QCOMPARE(nullPublic, PublicKey());
    QVERIFY(nullPublic != publicKey(javaDir + u"app_public_key.pem"_s));
}

// ---------------------------------------------------------------------------------------------
// Certificates

void TestCryptoKeys::certificateFieldsMatchOpenSsl_data()
{
    // Expected values from `openssl x509 -noout -serial -subject -issuer -dates -fingerprint
    // -sha256 -nameopt RFC2253`.
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("serial");
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QString>("issuer");
    QTest::addColumn<QDateTime>("notBefore");
    QTest::addColumn<QDateTime>("notAfter");
    QTest::addColumn<QByteArray>("fingerprint");
    auto utc = [](int y, int mo, int d, int h, int mi, int s) {
        return QDateTime(QDate(y, mo, d), QTime(h, mi, s), Qt::UTC);
    };
    QTest::newRow("wechat go D7CE59D1F522D701")
        << goDir + u"cert_D7CE59D1F522D701.pem"_s << u"D7CE59D1F522D701"_s
        << u"O=Default Company Ltd,L=Default City,C=XX"_s << u"O=Default Company Ltd,L=Default City,C=XX"_s
        << utc(2021, 4, 27, 8, 55, 23) << utc(2031, 4, 25, 8, 55, 23)
        << "af7e2d3da01b79e2bb20f1af088c41d2cbc2ca6b0cf6929981ab7c4339983bb6"_ba;
    QTest::newRow("wechat java merchant")
        << wjavaDir + u"merchant_certificate.pem"_s << u"5F1C72E2A8931B72A2E13AF8DEE92471EB397115"_s
        << u"CN=test,O=Internet Widgits Pty Ltd,L=shenzhen,ST=Guangdong,C=CN"_s
        << u"CN=test,O=Internet Widgits Pty Ltd,L=shenzhen,ST=Guangdong,C=CN"_s << utc(2022, 5, 10, 1, 57, 10)
        << utc(2025, 5, 9, 1, 57, 10) << "e887f2b0ef11285525a76eda8002ca121d71788b1382e9a72372d160b7b516d3"_ba;
    QTest::newRow("wechat java platform")
        << wjavaDir + u"wechat_pay_certificate.pem"_s << u"440024045C4A427599D09BB4E3DE0279F2E813FD"_s
        << u"CN=test,OU=test,O=test,L=Shenzhen,ST=Guangdong,C=CN"_s
        << u"CN=test,OU=test,O=test,L=Shenzhen,ST=Guangdong,C=CN"_s << utc(2022, 5, 10, 2, 4, 30)
        << utc(2025, 5, 9, 2, 4, 30) << "a60d6674b3017ddb1bf6cde1a9789a98bd80f18a64ad177937d8a3e7496ad872"_ba;
    QTest::newRow("wechat java downloaded platform cert")
        << wjavaDir + u"download_certificate_plaintext.pem"_s << u"5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC"_s
        << u"L=ShenZhen,C=CN,OU=Tenpay.com CA Center,O=Tenpay.com,CN=Tenpay.com sign"_s
        << u"CN=Tenpay.com Root CA,OU=Tenpay.com CA Center,O=Tenpay.com,C=CN"_s << utc(2023, 9, 19, 15, 15, 58)
        << utc(2028, 9, 17, 15, 15, 58) << "f4cc417e32540a9856674fc426722e73ebae3a660e3b26f8e3747abf745b8816"_ba;
    QTest::newRow("alipay java app cert (UTF-8 subject)")
        << javaDir + u"app_cert_2019091767145019.crt"_s << u"201909178FEEDCDD37522DCE01D848B3"_s
        << u"CN=2088002656718920-2019091767145019,OU=Alipay,O=钟雨,C=CN"_s
        << u"CN=Ant Financial Certification Authority Class 2 R1,OU=Certification Authority,O=Ant Financial,C=CN"_s
        << utc(2019, 9, 17, 12, 54, 24) << utc(2021, 9, 16, 12, 54, 24)
        << "b44a0c559a8e18246634eba0317550c62a88a557e3cdb5ebd7ed17dfdd189c7f"_ba;
}

void TestCryptoKeys::certificateFieldsMatchOpenSsl()
{
    QFETCH(QString, path);
    QFETCH(QString, serial);
    QFETCH(QString, subject);
    QFETCH(QString, issuer);
    QFETCH(QDateTime, notBefore);
    QFETCH(QDateTime, notAfter);
    QFETCH(QByteArray, fingerprint);
    const Certificate cert = certificate(path);
    QCOMPARE(cert.serialNumberHex(), serial);
    QCOMPARE(cert.subject(), subject);
    QCOMPARE(cert.issuer(), issuer);
    QCOMPARE(cert.notBefore(), notBefore);
    QCOMPARE(cert.notAfter(), notAfter);
    QCOMPARE(cert.notBefore().timeSpec(), Qt::UTC);
    QCOMPARE(cert.sha256Fingerprint(), fingerprint);
    QVERIFY(cert.isRsaSigned());
    QVERIFY(cert.publicKey().ok());
    // The DER round-trips and the PEM we write reads back to the same certificate.
    QCOMPARE(Certificate::fromDer(cert.toDer())->toDer(), cert.toDer());
    QCOMPARE(Certificate::fromPem(cert.toPem())->sha256Fingerprint(), fingerprint);
}

void TestCryptoKeys::certificateValidityWindowIsHonoured()
{
    const Certificate cert = certificate(goDir + u"cert_D7CE59D1F522D701.pem"_s);
    QVERIFY(cert.isValidAt(QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC)));
    QVERIFY(cert.isValidAt(cert.notBefore()));
    QVERIFY(cert.isValidAt(cert.notAfter()));
    QVERIFY(!cert.isValidAt(cert.notBefore().addSecs(-1)));
    QVERIFY(!cert.isValidAt(cert.notAfter().addSecs(1)));
    QVERIFY(!cert.isValidAt(QDateTime()));
    // Time zones do not matter: the same instant in +08:00 is inside the window.
    QVERIFY(cert.isValidAt(QDateTime(QDate(2021, 4, 27), QTime(16, 55, 23), Qt::OffsetFromUTC, 8 * 3600)));
    QVERIFY(!cert.isValidAt(QDateTime(QDate(2021, 4, 27), QTime(16, 55, 22), Qt::OffsetFromUTC, 8 * 3600)));
    QVERIFY(!Certificate().isValidAt(QDateTime::currentDateTimeUtc()));
}

void TestCryptoKeys::certificateRejectsMalformedInput_data()
{
    QTest::addColumn<QByteArray>("text");
    const QByteArray pem = readData(goDir + u"cert_D7CE59D1F522D701.pem"_s);
    const QByteArray der = Pem::decode(pem)->first().der;
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("public key PEM") << readData(javaDir + u"app_public_key.pem"_s);
    QTest::newRow("truncated") << Pem::encode("CERTIFICATE", der.chopped(10));
    QTest::newRow("trailing bytes") << Pem::encode("CERTIFICATE", der + "\x00"_ba);
    QTest::newRow("two certificates for fromPem") << pem + pem;
    QTest::newRow("bare base64") << der.toBase64();
}

void TestCryptoKeys::certificateRejectsMalformedInput()
{
    QFETCH(QByteArray, text);
    const CryptoResult<Certificate> cert = Certificate::fromPem(text);
    QVERIFY(!cert.ok());
    QVERIFY(!cert.error().isEmpty());
}

void TestCryptoKeys::certificateListKeepsBundleOrder()
{
    const QByteArray bundle = readData(goDir + u"cert_D7CE59D1F522D701.pem"_s)
        + readData(wjavaDir + u"merchant_certificate.pem"_s) + "\n"
        + readData(u"crypto/ec_p256_self_signed_cert.pem"_s);
    const CryptoResult<QList<Certificate>> list = Certificate::listFromPem(bundle);
    QVERIFY2(list.ok(), qPrintable(list.error()));
    QCOMPARE(list->size(), 3);
    QCOMPARE(list->at(0).serialNumberHex(), u"D7CE59D1F522D701"_s);
    QCOMPARE(list->at(1).serialNumberHex(), u"5F1C72E2A8931B72A2E13AF8DEE92471EB397115"_s);
    // Serials keep whole bytes: 0x0ABC prints as "0ABC", like openssl and the Go SDK.
    QCOMPARE(list->at(2).serialNumberHex(), u"0ABC"_s);
    QCOMPARE(list->at(2).serialNumberDecimal(), u"2748"_s);

    QVERIFY(!Certificate::listFromPem(bundle + readData(javaDir + u"app_public_key.pem"_s)).ok());
}

void TestCryptoKeys::certificateWithNonRsaKeyHasNoPublicKey()
{
    const Certificate cert = certificate(u"crypto/ec_p256_self_signed_cert.pem"_s);
    QVERIFY(!cert.isNull());
    QCOMPARE(cert.subject(), u"O=Paydesk,CN=Paydesk test EC"_s);
    QVERIFY(!cert.isRsaSigned());
    const CryptoResult<PublicKey> key = cert.publicKey();
    QVERIFY(!key.ok());
    QVERIFY(key.error().contains(u"not an RSA key"_s));
}

void TestCryptoKeys::alipayCertSnMatchesNodeSdk_data()
{
    // Expected values from alipay-sdk-nodejs-all test/antcertutil.test.ts.
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("sn");
    QTest::newRow("app cert") << nodeDir + u"appCertPublicKey_2021001161683774.crt"_s
                              << u"866efef280dec9137a87d047ac446315"_s;
    QTest::newRow("alipay public cert") << nodeDir + u"alipayCertPublicKey_RSA2.crt"_s
                                        << u"7513daaaa48aa3ba2e4018d84402479c"_s;
}

void TestCryptoKeys::alipayCertSnMatchesNodeSdk()
{
    QFETCH(QString, path);
    QFETCH(QString, sn);
    const Certificate cert = certificate(path);
    QCOMPARE(cert.alipayCertSn(), sn);
    // The Node SDK's alipayCertPublicKey_RSA2 test also checks the embedded key.
    if (path.endsWith(u"alipayCertPublicKey_RSA2.crt"_s)) {
        QCOMPARE(
            cert.publicKey()->toDer().toBase64(),
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAhoVesfcGvUv1XvUndmX0rmSZ/2posJBCooySbSVFpV79RtHMzrVz2aKkC3WvOXeT5iNeQK4mK8gp3vNkWrHTkQGx5BcmkeO1WS384CQde7dAS0gmxeFs5bs+cCQqV2A2c2R9/5rJMtFtp1Ot/rIiMBUn6Ei0UoztM7AneavqQEzSwYlCKNhPFFtHCiz7u4O5R9CIyvUmYr+zpem2HXBN9ygPAZ0aXBQipGbc45+G07ZCNsmY4hV/Igya1aBf+Ye8p10Ew8uBBri0sIknhSC2LqKKy2IH1fO6q1d1jhN240QRHvbpRNv60kAfZsEulBASBrCMBi49NiJyr5nre7SNywIDAQAB"_ba);
    }
}

void TestCryptoKeys::alipayRootCertSnJoinsRsaSignedCertificates()
{
    // No public copy of Alipay's root bundle is available to the tests, so this checks the
    // composition rule the SDKs apply: RSA-signed certificates only, in order, joined by '_'.
    const Certificate app = certificate(nodeDir + u"appCertPublicKey_2021001161683774.crt"_s);
    const Certificate ec = certificate(u"crypto/ec_p256_self_signed_cert.pem"_s);
    const Certificate alipay = certificate(nodeDir + u"alipayCertPublicKey_RSA2.crt"_s);
    QCOMPARE(Certificate::alipayRootCertSn({app, ec, alipay}),
             u"866efef280dec9137a87d047ac446315_7513daaaa48aa3ba2e4018d84402479c"_s);
    QCOMPARE(Certificate::alipayRootCertSn({ec}), QString());
}

// ---------------------------------------------------------------------------------------------
// Signatures

void TestCryptoKeys::signatureVerifiesOnlyExactDataKeyAndAlgorithm()
{
    const PrivateKey key = privateKey(javaDir + u"app_private_key_pkcs8.pem"_s);
    const PublicKey pub = key.publicKey();
    const QByteArray content = readData(javaDir + u"rsa1_sha1.content.txt"_s);
    const QByteArray sha1Signature = readData(javaDir + u"rsa1_sha1.sign.b64"_s);

    QVERIFY(RsaSignature::verifyBase64(pub, content, sha1Signature, DigestAlgorithm::Sha1));
    QCOMPARE(*RsaSignature::signBase64(key, content, DigestAlgorithm::Sha1), sha1Signature);
    QVERIFY(!RsaSignature::verifyBase64(pub, content, sha1Signature, DigestAlgorithm::Sha256));

    QByteArray tampered = content;
    tampered[tampered.size() - 1] = 'B';
    QVERIFY(!RsaSignature::verifyBase64(pub, tampered, sha1Signature, DigestAlgorithm::Sha1));
    QVERIFY(!RsaSignature::verifyBase64(pub, content + "\n", sha1Signature, DigestAlgorithm::Sha1));
    const PublicKey other = publicKey(wjavaDir + u"wechat_pay_public_key.pem"_s);
    QVERIFY(!RsaSignature::verifyBase64(other, content, sha1Signature, DigestAlgorithm::Sha1));
}

void TestCryptoKeys::tamperedSignatureByteFailsVerification()
{
    const PublicKey pub = publicKey(javaDir + u"app_public_key.pem"_s);
    const QByteArray content = readData(javaDir + u"rsa2_basic.content.txt"_s);
    const QByteArray signature = QByteArray::fromBase64(readData(javaDir + u"rsa2_basic.sign.b64"_s));
    QVERIFY(RsaSignature::verify(pub, content, signature));
    for (const qsizetype index : {qsizetype(0), signature.size() / 2, signature.size() - 1}) {
        QByteArray tampered = signature;
        tampered[index] = char(tampered[index] ^ 0x01);
        QVERIFY2(!RsaSignature::verify(pub, content, tampered), qPrintable(QString::number(index)));
    }
    QVERIFY(!RsaSignature::verify(pub, content, signature.chopped(1)));
    QVERIFY(!RsaSignature::verify(pub, content, signature + '\0'));
    QVERIFY(!RsaSignature::verify(pub, content, QByteArray()));
}

void TestCryptoKeys::malformedBase64SignatureFailsVerification_data()
{
    QTest::addColumn<QByteArray>("signature");
    const QByteArray good = readData(javaDir + u"rsa2_basic.sign.b64"_s);
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("invalid character") << QByteArray(good).replace('J', '*');
    QTest::newRow("embedded newline") << QByteArray(good).insert(64, '\n');
    QTest::newRow("url-safe alphabet") << QByteArray(good).replace('/', '_').replace('+', '-');
    QTest::newRow("huge") << QByteArray(100000, 'A');
}

void TestCryptoKeys::malformedBase64SignatureFailsVerification()
{
    QFETCH(QByteArray, signature);
    const PublicKey pub = publicKey(javaDir + u"app_public_key.pem"_s);
    QVERIFY(!RsaSignature::verifyBase64(pub, readData(javaDir + u"rsa2_basic.content.txt"_s), signature));
}

void TestCryptoKeys::sharedKeysSignAndVerifyFromManyThreads()
{
    const PrivateKey key = privateKey(goDir + u"merchant_private_key_pkcs8.pem"_s);
    const PublicKey pub = certificate(goDir + u"cert_D7CE59D1F522D701.pem"_s).publicKey().value();
    const QByteArray expected = readData(goDir + u"expected_signature.b64"_s);

    std::atomic<int> failures = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        // Each thread holds its own copy, sharing one OpenSSL key underneath.
        threads.emplace_back([key, pub, expected, &failures] {
            for (int i = 0; i < 25; ++i) {
                const CryptoResult<QByteArray> signature = RsaSignature::signBase64(key, "source");
                if (!signature || *signature != expected || !RsaSignature::verifyBase64(pub, "source", *signature)
                    || RsaSignature::verifyBase64(pub, "sourcE", *signature)) {
                    ++failures;
                }
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(failures.load(), 0);
}

QTEST_GUILESS_MAIN(TestCryptoKeys)
#include "tst_crypto_keys.moc"
