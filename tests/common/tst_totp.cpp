// HMAC-SHA1, RFC 6238 TOTP (Appendix B vectors), RFC 4648 base32 (section 10 vectors) and the
// otpauth:// provisioning URI.

#include "common/crypto/Hmac.h"
#include "common/crypto/Random.h"
#include "common/crypto/Totp.h"

#include <QSet>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace paydesk;

namespace {
// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const QByteArray kRfcSecret = "12345678901234567890";
} // namespace

class tst_Totp : public QObject
{
    Q_OBJECT

private slots:
    void hmacSha1MatchesRfc2202()
    {
        // RFC 2202 test cases 1 and 2.
        QCOMPARE(Hmac::sha1(QByteArray(20, '\x0b'), "Hi There").toHex(),
                 QByteArray("b617318655057264e28bc0b6fb378c8ef146be00"));
        QCOMPARE(Hmac::sha1("Jefe", "what do ya want for nothing?").toHex(),
                 QByteArray("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"));
    }

    void rfc6238Sha1Vectors_data()
    {
        QTest::addColumn<qint64>("time");
        QTest::addColumn<qint64>("step");
        QTest::addColumn<QString>("code");
        QTest::newRow("59") << qint64(59) << qint64(0x1) << u"94287082"_s;
        QTest::newRow("1111111109") << qint64(1111111109) << qint64(0x23523EC) << u"07081804"_s;
        QTest::newRow("1111111111") << qint64(1111111111) << qint64(0x23523ED) << u"14050471"_s;
        QTest::newRow("1234567890") << qint64(1234567890) << qint64(0x273EF07) << u"89005924"_s;
        QTest::newRow("2000000000") << qint64(2000000000) << qint64(0x3F940AA) << u"69279037"_s;
        QTest::newRow("20000000000") << qint64(20000000000) << qint64(0x27BC86AA) << u"65353130"_s;
    }

    void rfc6238Sha1Vectors()
    {
        QFETCH(qint64, time);
        QFETCH(qint64, step);
        QFETCH(QString, code);
        QCOMPARE(Totp::timeStep(time), step);
        QCOMPARE(Totp::code(kRfcSecret, time, 8), code);
        QCOMPARE(Totp::verify(kRfcSecret, code, time, 0, 8), std::optional<qint64>(step));
        // Six digits are the same truncated value modulo 10^6: the last six of the eight.
        QCOMPARE(Totp::code(kRfcSecret, time), code.right(6));
        QCOMPARE(Totp::verify(kRfcSecret, code.right(6), time), std::optional<qint64>(step));
    }

    void codeIsConstantWithinAStepAndChangesAtItsEnd()
    {
        const QString first = Totp::code(kRfcSecret, 60);
        QCOMPARE(Totp::code(kRfcSecret, 89), first);
        QCOMPARE(Totp::codeForStep(kRfcSecret, 2), first);
        QVERIFY(Totp::code(kRfcSecret, 90) != first);
        QCOMPARE(Totp::code(kRfcSecret, 59), u"287082"_s);
    }

    void verifyAcceptsNeighbouringStepsWithinTheWindowOnly()
    {
        // A fixed secret and time keep the test deterministic (no chance of two steps sharing a code).
        const QByteArray secret = kRfcSecret;
        const qint64 now = 1'700'000'015; // step 56666667, 15 s into it
        const qint64 step = Totp::timeStep(now);
        const QString previous = Totp::codeForStep(secret, step - 1);
        const QString next = Totp::codeForStep(secret, step + 1);
        const QString twoBack = Totp::codeForStep(secret, step - 2);

        QCOMPARE(Totp::verify(secret, previous, now), std::optional<qint64>(step - 1));
        QCOMPARE(Totp::verify(secret, next, now), std::optional<qint64>(step + 1));
        // The matched step is reported so that the caller can refuse it the next time.
        QCOMPARE(Totp::verify(secret, Totp::code(secret, now), now), std::optional<qint64>(step));

        QCOMPARE(Totp::verify(secret, previous, now, 0), std::nullopt);
        QCOMPARE(Totp::verify(secret, twoBack, now), std::nullopt);
        QCOMPARE(Totp::verify(secret, twoBack, now, 2), std::optional<qint64>(step - 2));
    }

    void verifyAtTheStepBoundary()
    {
        // The last second of step 1 and the first second of step 2.
        const QString stepOne = Totp::codeForStep(kRfcSecret, 1);
        QCOMPARE(Totp::verify(kRfcSecret, stepOne, 59, 0), std::optional<qint64>(1));
        QCOMPARE(Totp::verify(kRfcSecret, stepOne, 60, 0), std::nullopt);
        QCOMPARE(Totp::verify(kRfcSecret, stepOne, 60, 1), std::optional<qint64>(1));
        QCOMPARE(Totp::verify(kRfcSecret, stepOne, 90, 1), std::nullopt);
        // At step 0 the window cannot reach before the epoch.
        QCOMPARE(Totp::verify(kRfcSecret, Totp::codeForStep(kRfcSecret, 0), 0, 1), std::optional<qint64>(0));
    }

    void verifyRejectsWrongAndMalformedCodes_data()
    {
        QTest::addColumn<QString>("code");
        const QString right = Totp::code(kRfcSecret, 1111111111);
        QString wrong = right;
        wrong[5] = QChar(u'0' + (wrong.at(5).digitValue() + 1) % 10);
        QTest::newRow("one digit off") << wrong;
        QTest::newRow("empty") << QString();
        QTest::newRow("too short") << right.left(5);
        QTest::newRow("too long") << right + u'0';
        QTest::newRow("eight-digit code for a six-digit check") << Totp::code(kRfcSecret, 1111111111, 8);
        QTest::newRow("leading space") << u' ' + right.left(5);
        QTest::newRow("letters") << u"12a456"_s;
        QTest::newRow("non-ASCII digits") << u"\u0661\u0662\u0663\u0664\u0665\u0666"_s;
    }

    void verifyRejectsWrongAndMalformedCodes()
    {
        QFETCH(QString, code);
        QCOMPARE(Totp::verify(kRfcSecret, code, 1111111111, 1), std::nullopt);
    }

    void invalidArgumentsGiveNoCode()
    {
        QVERIFY(Totp::code({}, 59).isEmpty());
        QVERIFY(Totp::code(kRfcSecret, -1).isEmpty());
        QVERIFY(Totp::code(kRfcSecret, 59, 5).isEmpty());
        QVERIFY(Totp::code(kRfcSecret, 59, 9).isEmpty());
        QCOMPARE(Totp::timeStep(-30), qint64(-1));
        const QString right = Totp::code(kRfcSecret, 59);
        QCOMPARE(Totp::verify({}, right, 59), std::nullopt);
        QCOMPARE(Totp::verify(kRfcSecret, right, 59, -1), std::nullopt);
        QCOMPARE(Totp::verify(kRfcSecret, right, 59, Totp::MaxWindow + 1), std::nullopt);
        QCOMPARE(Totp::verify(kRfcSecret, right, -1), std::nullopt);
        QCOMPARE(Totp::verify(kRfcSecret, right, 59, Totp::MaxWindow), std::optional<qint64>(1));
    }

    void generatedSecretsAreRandomAndFullLength()
    {
        QSet<QByteArray> seen;
        for (int i = 0; i < 100; ++i) {
            const QByteArray secret = Totp::generateSecret();
            QCOMPARE(secret.size(), Totp::SecretBytes);
            seen.insert(secret);
        }
        QCOMPARE(seen.size(), 100);
    }

    void base32Rfc4648Vectors_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("padded");
        QTest::newRow("empty") << QByteArray() << QString();
        QTest::newRow("f") << QByteArray("f") << u"MY======"_s;
        QTest::newRow("fo") << QByteArray("fo") << u"MZXQ===="_s;
        QTest::newRow("foo") << QByteArray("foo") << u"MZXW6==="_s;
        QTest::newRow("foob") << QByteArray("foob") << u"MZXW6YQ="_s;
        QTest::newRow("fooba") << QByteArray("fooba") << u"MZXW6YTB"_s;
        QTest::newRow("foobar") << QByteArray("foobar") << u"MZXW6YTBOI======"_s;
        QTest::newRow("rfc 6238 seed") << kRfcSecret << u"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"_s;
    }

    void base32Rfc4648Vectors()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, padded);
        QString unpadded = padded;
        unpadded.remove(u'=');
        QCOMPARE(Base32::encode(data, Base32::Padding::Include), padded);
        QCOMPARE(Base32::encode(data), unpadded);
        QCOMPARE(Base32::decode(padded), std::optional<QByteArray>(data));
        QCOMPARE(Base32::decode(unpadded), std::optional<QByteArray>(data));
        QCOMPARE(Base32::decode(padded.toLower()), std::optional<QByteArray>(data));
    }

    void base32DecodeIgnoresSpacesAndMixedCase()
    {
        QCOMPARE(Base32::decode(u"gezd gnbv gy3t qojq GEZD GNBV GY3T QOJQ"_s), std::optional<QByteArray>(kRfcSecret));
        QCOMPARE(Base32::decode(u"mZxW6yTbOi"_s), std::optional<QByteArray>("foobar"));
    }

    void base32DecodeRejectsMalformedInput_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("digit 0") << u"MY0"_s;
        QTest::newRow("digit 1") << u"MZXW1YQ"_s;
        QTest::newRow("digit 8") << u"MZXW8YQ"_s;
        QTest::newRow("base64 character") << u"MZXW6+Q"_s;
        QTest::newRow("one symbol") << u"M"_s;
        QTest::newRow("three symbols") << u"MZX"_s;
        QTest::newRow("six symbols") << u"MZXW6Y"_s;
        QTest::newRow("non-zero trailing bits") << u"MZ"_s;
        QTest::newRow("data after padding") << u"MY======MY======"_s;
        QTest::newRow("short padding") << u"MY====="_s;
        QTest::newRow("long padding") << u"MY======="_s;
        QTest::newRow("padding only") << u"========"_s;
        QTest::newRow("padding in the middle") << u"MZ=XW6YQ"_s;
        QTest::newRow("non-ASCII letter") << u"MZXW\u00C46YQ"_s;
    }

    void base32DecodeRejectsMalformedInput()
    {
        QFETCH(QString, text);
        QCOMPARE(Base32::decode(text), std::nullopt);
    }

    void base32RoundTripsEveryLength()
    {
        for (qsizetype length = 0; length <= 41; ++length) {
            const QByteArray data = Random::bytes(length);
            QCOMPARE(Base32::decode(Base32::encode(data)), std::optional<QByteArray>(data));
            QCOMPARE(Base32::decode(Base32::encode(data, Base32::Padding::Include)), std::optional<QByteArray>(data));
        }
    }

    void provisioningUriCarriesIssuerAccountAndSecret()
    {
        QCOMPARE(Totp::provisioningUri(u"alice"_s, kRfcSecret),
                 u"otpauth://totp/Paydesk:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Paydesk"_s);

        // An account with reserved characters cannot change the label or add parameters.
        const QString uri = Totp::provisioningUri(u"bob:ops@example.com?issuer=Evil&x=y z"_s, "foobar");
        const QUrl url(uri, QUrl::StrictMode);
        QVERIFY2(url.isValid(), qPrintable(url.errorString()));
        QCOMPARE(url.scheme(), u"otpauth"_s);
        QCOMPARE(url.host(), u"totp"_s);
        QCOMPARE(url.path(QUrl::FullyDecoded), u"/Paydesk:bob:ops@example.com?issuer=Evil&x=y z"_s);
        const QUrlQuery query(url);
        QCOMPARE(query.queryItems().size(), 2);
        QCOMPARE(query.queryItemValue(u"secret"_s), u"MZXW6YTBOI"_s);
        QCOMPARE(query.queryItemValue(u"issuer"_s), u"Paydesk"_s);
    }
};

QTEST_GUILESS_MAIN(tst_Totp)
#include "tst_totp.moc"
