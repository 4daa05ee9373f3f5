// Alipay signing strings, form bodies and gateway-response extraction against every Alipay
// vector: real Alipay notifications and responses, the Java SDK's RSACheckTest, and the
// requests/notifications derived with the Java SDK's published key.

#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"
#include "common/crypto/RsaSignature.h"
#include "common/protocol/AlipayResponseSign.h"
#include "common/protocol/AlipaySignContent.h"
#include "common/protocol/FormUrlEncoded.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include "TestData.h"

#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {


// A JSON object of string values as form fields (order as Qt iterates, which the signing
// string must not depend on).
FormFields fieldsFromJson(const QString &relativePath)
{
    const QJsonObject object = QJsonDocument::fromJson(readData(relativePath)).object();
    if (object.isEmpty())
        qFatal("not a JSON object: %s", qPrintable(relativePath));
    FormFields fields;
    for (auto it = object.begin(); it != object.end(); ++it)
        fields.append({it.key(), it.value().toString()});
    return fields;
}


PrivateKey javaSdkKey()
{
    CryptoResult<PrivateKey> key
        = PrivateKey::fromPem(readData(u"alipay/java_sdk_rsacheck/app_private_key_pkcs8.pem"_s));
    if (!key)
        qFatal("java sdk key: %s", qPrintable(key.error()));
    return std::move(key).value();
}

enum class Variant { Request, NotifyV1, NotifyV2 };

CryptoResult<QByteArray> content(const FormFields &fields, Variant variant)
{
    switch (variant) {
    case Variant::Request: return AlipaySignContent::forRequest(fields);
    case Variant::NotifyV1: return AlipaySignContent::forNotifyV1(fields);
    case Variant::NotifyV2: return AlipaySignContent::forNotifyV2(fields);
    }
    return CryptoResult<QByteArray>::failure(u"unknown variant"_s);
}

const QString derivedDir = u"alipay/derived_with_java_sdk_prodcert_key/"_s;
const QString javaDir = u"alipay/java_sdk_rsacheck/"_s;

// Case 1 of response_sign_extraction_cases.txt: {"INPUT:", "EXPECTED:"}.
std::pair<QByteArray, QByteArray> extractionCase1()
{
    QByteArray input;
    QByteArray expected;
    for (const QByteArray &line : readData(u"alipay/response_sign_extraction_cases.txt"_s).split('\n')) {
        if (line.startsWith("INPUT:") && input.isEmpty())
            input = line.mid(6).trimmed();
        else if (line.startsWith("EXPECTED:") && expected.isEmpty())
            expected = line.mid(9).trimmed();
    }
    return {input, expected};
}

} // namespace

Q_DECLARE_METATYPE(Variant)
Q_DECLARE_METATYPE(paydesk::DigestAlgorithm)

class TestSigningAlipay final : public QObject
{
    Q_OBJECT

private slots:
    void notificationVectorsBuildContentAndVerify_data();
    void notificationVectorsBuildContentAndVerify();
    void notifyVariantsAreNotInterchangeable();
    void javaSdkVectorsVerifyAndReSignByteForByte_data();
    void javaSdkVectorsVerifyAndReSignByteForByte();
    void derivedRequestFromParamsReSignsByteForByte();
    void derivedFormBodiesParseToTheSignedContent_data();
    void derivedFormBodiesParseToTheSignedContent();

    void signContentSortsDropsEmptiesAndKeepsValuesRaw();
    void signContentRejectsRepeatedNames();
    void uniqueValueRequiresExactlyOneNonEmptyValue();

    void formParseDecodesExactlyOnce_data();
    void formParseDecodesExactlyOnce();
    void formParseRejectsMalformedBodies_data();
    void formParseRejectsMalformedBodies();

    void responseVectorsExtractAndVerify_data();
    void responseVectorsExtractAndVerify();
    void responseExtractionCasesFromNodeSdk_data();
    void responseExtractionCasesFromNodeSdk();
    void responseExtractionHandlesEncryptedAndErrorResponses();
    void responseExtractionRejectsMalformedBodies_data();
    void responseExtractionRejectsMalformedBodies();
    void responseTamperingFailsVerification();
};

// ---------------------------------------------------------------------------------------------
// Notifications and requests

void TestSigningAlipay::notificationVectorsBuildContentAndVerify_data()
{
    QTest::addColumn<QString>("dir");
    QTest::addColumn<Variant>("variant");
    QTest::newRow("real trade_status_sync (rsaCheckV1)")
        << u"alipay/notify_trade_status_sync_rsacheckv1/"_s << Variant::NotifyV1;
    QTest::newRow("real servicemarket_order_notify (rsaCheckV2)")
        << u"alipay/notify_servicemarket_rsacheckv2/"_s << Variant::NotifyV2;
}

void TestSigningAlipay::notificationVectorsBuildContentAndVerify()
{
    QFETCH(QString, dir);
    QFETCH(Variant, variant);
    const FormFields fields = fieldsFromJson(dir + u"post_params.json"_s);
    const CryptoResult<QByteArray> built = content(fields, variant);
    QVERIFY2(built.ok(), qPrintable(built.error()));
    QCOMPARE(*built, readData(dir + u"sign_content.txt"_s));

    const CryptoResult<QString> sign = AlipaySignContent::uniqueValue(fields, u"sign");
    QVERIFY(sign.ok());
    QCOMPARE(sign->toLatin1(), readData(dir + u"sign.b64"_s));
    QVERIFY(RsaSignature::verifyBase64(publicKey(dir + u"alipay_public_key.pem"_s), *built, sign->toLatin1()));
}

void TestSigningAlipay::notifyVariantsAreNotInterchangeable()
{
    // The real vectors verify only under their own variant, which is what proves V1/V2 differ.
    const QString v1 = u"alipay/notify_trade_status_sync_rsacheckv1/"_s;
    const FormFields v1Fields = fieldsFromJson(v1 + u"post_params.json"_s);
    QVERIFY(!RsaSignature::verifyBase64(publicKey(v1 + u"alipay_public_key.pem"_s),
                                        *AlipaySignContent::forNotifyV2(v1Fields), readData(v1 + u"sign.b64"_s)));
    const QString v2 = u"alipay/notify_servicemarket_rsacheckv2/"_s;
    const FormFields v2Fields = fieldsFromJson(v2 + u"post_params.json"_s);
    QVERIFY(!RsaSignature::verifyBase64(publicKey(v2 + u"alipay_public_key.pem"_s),
                                        *AlipaySignContent::forNotifyV1(v2Fields), readData(v2 + u"sign.b64"_s)));
}

void TestSigningAlipay::javaSdkVectorsVerifyAndReSignByteForByte_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<DigestAlgorithm>("algorithm");
    QTest::newRow("RSA2 basic") << u"rsa2_basic"_s << DigestAlgorithm::Sha256;
    QTest::newRow("RSA2 Chinese value") << u"rsa2_utf8_chinese"_s << DigestAlgorithm::Sha256;
    QTest::newRow("RSA (SHA1)") << u"rsa1_sha1"_s << DigestAlgorithm::Sha1;
}

void TestSigningAlipay::javaSdkVectorsVerifyAndReSignByteForByte()
{
    QFETCH(QString, name);
    QFETCH(DigestAlgorithm, algorithm);
    const QByteArray text = readData(javaDir + name + u".content.txt"_s);
    const QByteArray sign = readData(javaDir + name + u".sign.b64"_s);
    QVERIFY(RsaSignature::verifyBase64(publicKey(javaDir + u"app_cert_2019091767145019.crt"_s), text, sign, algorithm));
    QVERIFY(RsaSignature::verifyBase64(publicKey(javaDir + u"app_public_key.pem"_s), text, sign, algorithm));
    const CryptoResult<QByteArray> resigned = RsaSignature::signBase64(javaSdkKey(), text, algorithm);
    QVERIFY(resigned.ok());
    QCOMPARE(*resigned, sign);

    // The content is itself a signing string: parsing it as k=v pairs and rebuilding gives it
    // back (sorted, nothing excluded but `sign`).
    FormFields fields;
    for (const QByteArray &pair : text.split('&')) {
        const qsizetype equals = pair.indexOf('=');
        fields.append({QString::fromUtf8(pair.left(equals)), QString::fromUtf8(pair.mid(equals + 1))});
    }
    QCOMPARE(*AlipaySignContent::forRequest(fields), text);
}

void TestSigningAlipay::derivedRequestFromParamsReSignsByteForByte()
{
    const FormFields params = fieldsFromJson(derivedDir + u"request_precreate.params.json"_s);
    // app_auth_token is "" in the params and must be left out, as the Java SDK does.
    QVERIFY(std::any_of(params.cbegin(), params.cend(),
                        [](const auto &p) { return p.first == u"app_auth_token" && p.second.isEmpty(); }));
    const CryptoResult<QByteArray> built = AlipaySignContent::forRequest(params);
    QVERIFY2(built.ok(), qPrintable(built.error()));
    QCOMPARE(*built, readData(derivedDir + u"request_precreate.sign_content.txt"_s));
    const CryptoResult<QByteArray> sign = RsaSignature::signBase64(javaSdkKey(), *built);
    QVERIFY(sign.ok());
    QCOMPARE(*sign, readData(derivedDir + u"request_precreate.sign.b64"_s));
    QVERIFY(RsaSignature::verifyBase64(javaSdkKey().publicKey(), *built, *sign));
}

void TestSigningAlipay::derivedFormBodiesParseToTheSignedContent_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<Variant>("variant");
    QTest::newRow("precreate request") << u"request_precreate"_s << Variant::Request;
    QTest::newRow("trade notification (V1)") << u"notify_trade_success"_s << Variant::NotifyV1;
}

void TestSigningAlipay::derivedFormBodiesParseToTheSignedContent()
{
    QFETCH(QString, name);
    QFETCH(Variant, variant);
    const QByteArray body = readData(derivedDir + name + u".form_body.txt"_s);
    const CryptoResult<FormFields> fields = FormUrlEncoded::parse(body);
    QVERIFY2(fields.ok(), qPrintable(fields.error()));

    const CryptoResult<QByteArray> built = content(*fields, variant);
    QVERIFY2(built.ok(), qPrintable(built.error()));
    QCOMPARE(*built, readData(derivedDir + name + u".sign_content.txt"_s));

    const QByteArray expectedSign = readData(derivedDir + name + u".sign.b64"_s);
    QCOMPARE(AlipaySignContent::uniqueValue(*fields, u"sign")->toLatin1(), expectedSign);
    QVERIFY(RsaSignature::verifyBase64(javaSdkKey().publicKey(), *built, expectedSign));
    QCOMPARE(*RsaSignature::signBase64(javaSdkKey(), *built), expectedSign);

    // Encoding the parsed fields reproduces the body byte for byte.
    QCOMPARE(FormUrlEncoded::encode(*fields), body);
}

// ---------------------------------------------------------------------------------------------
// Sign content rules

void TestSigningAlipay::signContentSortsDropsEmptiesAndKeepsValuesRaw()
{
    const FormFields fields = {
        {u"timestamp"_s, u"2024-01-01 12:00:00"_s},
        {u"biz_content"_s, u"{\"a\":\"x&y=z\",\"b\":\"中文\"}"_s},
        {u"app_id"_s, u"2014072300007148"_s},
        {u"sign"_s, u"SIGNATURE"_s},
        {u"sign_type"_s, u"RSA2"_s},
        {u"notify_url"_s, QString()},
        {QString(), u"nameless"_s},
        {u"Zeta"_s, u"upper case sorts before lower"_s},
        {u"blank"_s, u" "_s},
    };
    QCOMPARE(*AlipaySignContent::forRequest(fields),
             u"Zeta=upper case sorts before lower&app_id=2014072300007148&"
             "biz_content={\"a\":\"x&y=z\",\"b\":\"中文\"}&blank= &sign_type=RSA2&"
             "timestamp=2024-01-01 12:00:00"_s.toUtf8());
    QCOMPARE(*AlipaySignContent::forNotifyV1(fields),
             u"Zeta=upper case sorts before lower&app_id=2014072300007148&"
             "biz_content={\"a\":\"x&y=z\",\"b\":\"中文\"}&blank= &"
             "timestamp=2024-01-01 12:00:00"_s.toUtf8());
    QCOMPARE(*AlipaySignContent::forNotifyV2(fields), *AlipaySignContent::forRequest(fields));
    QCOMPARE(*AlipaySignContent::forRequest({}), QByteArray());
}

void TestSigningAlipay::signContentRejectsRepeatedNames()
{
    const FormFields repeatedValue
        = {{u"out_trade_no"_s, u"A"_s}, {u"total_amount"_s, u"1.00"_s}, {u"total_amount"_s, u"100.00"_s}};
    QVERIFY(!AlipaySignContent::forRequest(repeatedValue).ok());
    QVERIFY(!AlipaySignContent::forNotifyV1(repeatedValue).ok());
    QVERIFY(AlipaySignContent::forNotifyV1(repeatedValue).error().contains(u"total_amount"_s));
    // Even a repeated excluded or empty field is suspicious enough to refuse.
    QVERIFY(!AlipaySignContent::forNotifyV1({{u"sign_type"_s, u"RSA2"_s}, {u"sign_type"_s, u"RSA"_s}}).ok());
    QVERIFY(!AlipaySignContent::forRequest({{u"a"_s, QString()}, {u"a"_s, u"1"_s}}).ok());
}

void TestSigningAlipay::uniqueValueRequiresExactlyOneNonEmptyValue()
{
    QCOMPARE(*AlipaySignContent::uniqueValue({{u"sign"_s, u"abc"_s}}, u"sign"), u"abc"_s);
    QVERIFY(!AlipaySignContent::uniqueValue({}, u"sign").ok());
    QVERIFY(!AlipaySignContent::uniqueValue({{u"sign"_s, QString()}}, u"sign").ok());
    QVERIFY(!AlipaySignContent::uniqueValue({{u"sign"_s, u"a"_s}, {u"sign"_s, u"a"_s}}, u"sign").ok());
}

// ---------------------------------------------------------------------------------------------
// Form bodies

void TestSigningAlipay::formParseDecodesExactlyOnce_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<FormFields>("expected");
    QTest::newRow("plus is space, %2B is plus")
        << "subject=Iphone6+16G&sign=a%2Bb%2F%3D"_ba
        << FormFields{{u"subject"_s, u"Iphone6 16G"_s}, {u"sign"_s, u"a+b/="_s}};
    QTest::newRow("double-encoded stays encoded once")
        << "x=%2525&y=%252B"_ba << FormFields{{u"x"_s, u"%25"_s}, {u"y"_s, u"%2B"_s}};
    QTest::newRow("UTF-8") << "subject=%E8%AF%AD%E9%9B%80%E7%A9%BA%E9%97%B4"_ba
                           << FormFields{{u"subject"_s, u"语雀空间"_s}};
    QTest::newRow("leading BOM kept") << "a=%EF%BB%BFx"_ba << FormFields{{u"a"_s, u"\uFEFFx"_s}};
    QTest::newRow("lowercase hex") << "a=%e4%b8%ad"_ba << FormFields{{u"a"_s, u"中"_s}};
    QTest::newRow("empty segments skipped, name without value")
        << "a=1&&b&c=&=d"_ba
        << FormFields{{u"a"_s, u"1"_s}, {u"b"_s, QString()}, {u"c"_s, QString()}, {QString(), u"d"_s}};
    QTest::newRow("value with '='") << "k=a=b"_ba << FormFields{{u"k"_s, u"a=b"_s}};
    QTest::newRow("repeated names kept in order") << "a=1&a=2"_ba << FormFields{{u"a"_s, u"1"_s}, {u"a"_s, u"2"_s}};
    QTest::newRow("empty body") << QByteArray() << FormFields{};
}

void TestSigningAlipay::formParseDecodesExactlyOnce()
{
    QFETCH(QByteArray, body);
    QFETCH(FormFields, expected);
    const CryptoResult<FormFields> fields = FormUrlEncoded::parse(body);
    QVERIFY2(fields.ok(), qPrintable(fields.error()));
    QCOMPARE(*fields, expected);
}

void TestSigningAlipay::formParseRejectsMalformedBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("bad hex digit") << "a=%G1"_ba;
    QTest::newRow("truncated escape") << "a=%4"_ba;
    QTest::newRow("lone percent") << "a=%"_ba;
    QTest::newRow("invalid UTF-8") << "a=%FF%FE"_ba;
    QTest::newRow("overlong UTF-8") << "a=%C0%AF"_ba;
    QTest::newRow("bad escape in name") << "%ZZ=1"_ba;
    QTest::newRow("too many fields") << QByteArray("a=1&").repeated(FormUrlEncoded::MaxFields + 1);
    QTest::newRow("too large") << QByteArray(FormUrlEncoded::MaxBodySize + 1, 'a');
}

void TestSigningAlipay::formParseRejectsMalformedBodies()
{
    QFETCH(QByteArray, body);
    QVERIFY(!FormUrlEncoded::parse(body).ok());
}

// ---------------------------------------------------------------------------------------------
// Gateway responses

void TestSigningAlipay::responseVectorsExtractAndVerify_data()
{
    QTest::addColumn<QString>("rawFile");
    QTest::addColumn<QString>("substringFile");
    QTest::addColumn<QString>("signFile");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QString>("method");
    QTest::addColumn<bool>("canReSign");
    const QString upload = u"alipay/response_sign_open_file_upload/"_s;
    QTest::newRow("real alipay.open.file.upload")
        << upload + u"response_raw.json"_s << upload + u"signed_substring.txt"_s << upload + u"sign.b64"_s
        << upload + u"alipay_public_key.pem"_s << u"alipay.open.file.upload"_s << false;
    QTest::newRow("derived precreate") << derivedDir + u"response_precreate.raw.json"_s
                                       << derivedDir + u"response_precreate.signed_substring.txt"_s
                                       << derivedDir + u"response_precreate.sign.b64"_s
                                       << javaDir + u"app_public_key.pem"_s << u"alipay.trade.precreate"_s << true;
    QTest::newRow("derived 40004 query") << derivedDir + u"response_query_not_exist.raw.json"_s
                                         << derivedDir + u"response_query_not_exist.signed_substring.txt"_s << QString()
                                         << javaDir + u"app_public_key.pem"_s << u"alipay.trade.query"_s << true;
}

void TestSigningAlipay::responseVectorsExtractAndVerify()
{
    QFETCH(QString, rawFile);
    QFETCH(QString, substringFile);
    QFETCH(QString, signFile);
    QFETCH(QString, keyFile);
    QFETCH(QString, method);
    QFETCH(bool, canReSign);
    const QByteArray raw = readData(rawFile);
    const QByteArray substring = readData(substringFile);

    for (const QString &expectedKey : {AlipayResponseSign::responseKeyFor(method), QString()}) {
        const CryptoResult<AlipaySignedResponse> parts = AlipayResponseSign::extract(raw, expectedKey);
        QVERIFY2(parts.ok(), qPrintable(parts.error()));
        QCOMPARE(parts->responseKey, AlipayResponseSign::responseKeyFor(method));
        QCOMPARE(parts->signedContent, substring);
        if (!signFile.isEmpty())
            QCOMPARE(parts->sign, readData(signFile));
        QVERIFY(RsaSignature::verifyBase64(publicKey(keyFile), parts->signedContent, parts->sign));
        if (canReSign)
            QCOMPARE(*RsaSignature::signBase64(javaSdkKey(), substring), parts->sign);
        // The signed bytes are what the business code parses.
        QVERIFY(QJsonDocument::fromJson(parts->signedContent).isObject());
    }
}

void TestSigningAlipay::responseExtractionCasesFromNodeSdk_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected");
    const auto [input, expected] = extractionCase1();
    QVERIFY(input.startsWith("{\"alipay_offline_material_image_upload_response\":{"));
    QVERIFY(expected.contains("http:\\/\\/")); // escaped slashes are kept as sent
    QTest::newRow("case 1 normal") << input << expected;

    // Case 2: whitespace and newlines between tokens around the response key and "sign".
    QByteArray spaced = input;
    spaced.replace("{\"alipay_offline_material_image_upload_response\":",
                   "{\n  \"alipay_offline_material_image_upload_response\" :\n  ");
    spaced.replace("},\"sign\":\"", "}\n  ,\r\n  \"sign\" : \"");
    spaced.replace("==\"}", "==\"\n}\n");
    QVERIFY(spaced != input);
    QTest::newRow("case 2 whitespace") << spaced << expected;

    // Case 3: a "sign" key inside the response object stays part of the signed content.
    QByteArray innerSign = input;
    innerSign.replace("{\"code\":\"10000\",", "{\"code\":\"10000\",\"sign\":\"xxx\",");
    QByteArray innerExpected = expected;
    innerExpected.replace("{\"code\":\"10000\",", "{\"code\":\"10000\",\"sign\":\"xxx\",");
    QTest::newRow("case 3 inner sign key") << innerSign << innerExpected;

    // Braces, quotes and backslashes inside strings do not end the object early.
    QTest::newRow("braces and escapes in strings")
        << R"({"x_response":{"msg":"a}b{c\"}\\","n":[1,{"k":"]"}]},"sign":"c2lnbg=="})"_ba
        << R"({"msg":"a}b{c\"}\\","n":[1,{"k":"]"}]})"_ba;
    QTest::newRow("sign before response") << R"({"sign":"c2lnbg==","x_response":{"code":"10000"}})"_ba
                                          << R"({"code":"10000"})"_ba;
}

void TestSigningAlipay::responseExtractionCasesFromNodeSdk()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);
    const CryptoResult<AlipaySignedResponse> parts = AlipayResponseSign::extract(body);
    QVERIFY2(parts.ok(), qPrintable(parts.error()));
    QCOMPARE(parts->signedContent, expected);
    QVERIFY(!parts->sign.isEmpty());
    QVERIFY(parts->sign != "xxx");
}

void TestSigningAlipay::responseExtractionHandlesEncryptedAndErrorResponses()
{
    // AES-encrypted content: the quoted base64 string, quotes included, is what is signed.
    const CryptoResult<AlipaySignedResponse> encrypted = AlipayResponseSign::extract(
        R"({"alipay_trade_query_response":"Zm9vYmFy","alipay_cert_sn":"abc123","sign":"c2ln\/bg=="})"_ba,
        u"alipay_trade_query_response");
    QVERIFY2(encrypted.ok(), qPrintable(encrypted.error()));
    QCOMPARE(encrypted->signedContent, "\"Zm9vYmFy\""_ba);
    QCOMPARE(encrypted->sign, "c2ln/bg=="_ba); // JSON escapes in sign are decoded
    QCOMPARE(encrypted->alipayCertSn, u"abc123"_s);

    // Gateway-level errors come back under error_response.
    const QByteArray error
        = R"({"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id"},"sign":"c2lnbg=="})"_ba;
    const CryptoResult<AlipaySignedResponse> parts
        = AlipayResponseSign::extract(error, AlipayResponseSign::responseKeyFor(u"alipay.trade.pay"));
    QVERIFY2(parts.ok(), qPrintable(parts.error()));
    QCOMPARE(parts->responseKey, u"error_response"_s);
    QCOMPARE(parts->signedContent, R"({"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id"})"_ba);

    // No sign at all: extraction succeeds with an empty sign, which never verifies.
    const CryptoResult<AlipaySignedResponse> unsigned_
        = AlipayResponseSign::extract(R"({"error_response":{"code":"20000"}})"_ba);
    QVERIFY(unsigned_.ok());
    QVERIFY(unsigned_->sign.isEmpty());
}

void TestSigningAlipay::responseExtractionRejectsMalformedBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expectedKey");
    QTest::newRow("empty") << QByteArray() << QString();
    QTest::newRow("array") << R"([{"x_response":{}}])"_ba << QString();
    QTest::newRow("no response key") << R"({"code":"10000","sign":"c2lnbg=="})"_ba << QString();
    QTest::newRow("expected key absent") << R"({"other_response":{},"sign":"c2lnbg=="})"_ba
                                         << u"alipay_trade_query_response"_s;
    QTest::newRow("two response keys") << R"({"a_response":{},"b_response":{},"sign":"c2lnbg=="})"_ba << QString();
    QTest::newRow("repeated response key (EASY rejects)")
        << R"({"a_response":{"code":"10000"},"sign":"c2lnbg==","a_response":{"code":"40004"}})"_ba << u"a_response"_s;
    QTest::newRow("repeated sign") << R"({"a_response":{},"sign":"c2lnbg==","sign":"b3RoZXI="})"_ba << QString();
    QTest::newRow("unbalanced braces") << R"({"a_response":{"code":"10000","sign":"x"})"_ba << QString();
    QTest::newRow("mismatched bracket") << R"({"a_response":{"n":[1}],"sign":"x"})"_ba << QString();
    QTest::newRow("unterminated string") << R"({"a_response":{"code":"10000})"_ba << QString();
    QTest::newRow("trailing garbage") << R"({"a_response":{},"sign":"c2lnbg=="}xyz)"_ba << QString();
    QTest::newRow("second object") << R"({"a_response":{}}{"b":1})"_ba << QString();
    QTest::newRow("sign not a string") << R"({"a_response":{},"sign":123})"_ba << QString();
    QTest::newRow("response value is a number") << R"({"a_response":5,"sign":"eA=="})"_ba << QString();
    QTest::newRow("missing colon") << R"({"a_response" {}})"_ba << QString();
    QTest::newRow("raw control character in string")
        << "{\"a_response\":{\"m\":\"a\nb\"},\"sign\":\"eA==\"}"_ba << QString();
    QTest::newRow("too deep") << "{\"a_response\":"_ba + QByteArray(200, '[') + QByteArray(200, ']') + "}"_ba
                              << QString();
}

void TestSigningAlipay::responseExtractionRejectsMalformedBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, expectedKey);
    const CryptoResult<AlipaySignedResponse> parts = AlipayResponseSign::extract(body, expectedKey);
    QVERIFY(!parts.ok());
    QVERIFY(!parts.error().isEmpty());
}

void TestSigningAlipay::responseTamperingFailsVerification()
{
    const QString dir = u"alipay/response_sign_open_file_upload/"_s;
    QByteArray raw = readData(dir + u"response_raw.json"_s);
    raw.replace("\"10000\"", "\"10001\"");
    const CryptoResult<AlipaySignedResponse> parts = AlipayResponseSign::extract(raw);
    QVERIFY(parts.ok());
    QVERIFY(
        !RsaSignature::verifyBase64(publicKey(dir + u"alipay_public_key.pem"_s), parts->signedContent, parts->sign));

    // Re-serialising (here: adding a space) changes the bytes and must also fail.
    QByteArray spaced = readData(dir + u"response_raw.json"_s);
    spaced.replace("\"code\":\"10000\"", "\"code\": \"10000\"");
    const CryptoResult<AlipaySignedResponse> spacedParts = AlipayResponseSign::extract(spaced);
    QVERIFY(spacedParts.ok());
    QVERIFY(!RsaSignature::verifyBase64(publicKey(dir + u"alipay_public_key.pem"_s), spacedParts->signedContent,
                                        spacedParts->sign));
}

QTEST_GUILESS_MAIN(TestSigningAlipay)
#include "tst_signing_alipay.moc"
