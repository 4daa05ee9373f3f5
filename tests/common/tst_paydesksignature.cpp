// PAYDESK-HMAC-SHA256: the worked example of docs/authentication.md and the header parser.
#include "common/protocol/PaydeskSignature.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace paydesk;

class tst_PaydeskSignature : public QObject
{
    Q_OBJECT

private slots:
    void documentedExampleSignsAsDocumented()
    {
        const QByteArray body = R"({"notify_url":"https://shop.example/paydesk/notify"})";
        QCOMPARE(PaydeskSignature::canonicalString("POST", "/v1/merchant/settings?lang=en", 1763800000,
                                                   "Q2x1ZS1ub25jZS0wMDAx", body),
                 QByteArray("POST\n/v1/merchant/settings?lang=en\n1763800000\nQ2x1ZS1ub25jZS0wMDAx\n"
                            "e12de2150b63771a1dfebfa91e5ec9b2fd5af46032334fc996b6fb42eb5335ab\n"));
        const QByteArray signature = PaydeskSignature::sign("s3cr3t-example-key-do-not-use-0123456789", "POST",
                                                            "/v1/merchant/settings?lang=en", 1763800000,
                                                            "Q2x1ZS1ub25jZS0wMDAx", body);
        QCOMPARE(signature, QByteArray("AghMjd73hGjr8H7Zh+ELqa8oJ/pVlzI+prQc5GKwHhg="));
        QCOMPARE(PaydeskSignature::authorization("AKEXAMPLE0001", 1763800000, "Q2x1ZS1ub25jZS0wMDAx", signature),
                 QByteArray("PAYDESK-HMAC-SHA256 key_id=AKEXAMPLE0001,timestamp=1763800000,"
                            "nonce=Q2x1ZS1ub25jZS0wMDAx,signature=AghMjd73hGjr8H7Zh+ELqa8oJ/pVlzI+prQc5GKwHhg="));
    }

    void headerParsesInAnyOrder()
    {
        QString error;
        const auto parsed = PaydeskSignature::parse(
            "PAYDESK-HMAC-SHA256 signature=abc=,nonce=Q2x1ZS1ub25jZS0wMDAx, timestamp=1763800000,key_id=AK1", &error);
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->keyId, u"AK1"_s);
        QCOMPARE(parsed->timestamp, 1763800000);
        QCOMPARE(parsed->nonce, QByteArray("Q2x1ZS1ub25jZS0wMDAx"));
        QCOMPARE(parsed->signature, QByteArray("abc="));
    }

    void malformedHeadersAreRejected_data()
    {
        QTest::addColumn<QByteArray>("header");
        const QByteArray ok = "key_id=AK1,timestamp=1763800000,nonce=Q2x1ZS1ub25jZS0wMDAx,signature=abc=";
        QTest::newRow("other scheme") << QByteArray("Bearer abc");
        QTest::newRow("no parameters") << QByteArray("PAYDESK-HMAC-SHA256 ");
        QTest::newRow("missing signature") << QByteArray("PAYDESK-HMAC-SHA256 key_id=AK1,timestamp=1,nonce=Q2x1ZS1ub25jZS0wMDAx");
        QTest::newRow("repeated key_id") << QByteArray("PAYDESK-HMAC-SHA256 " + ok + ",key_id=AK2");
        QTest::newRow("unknown parameter") << QByteArray("PAYDESK-HMAC-SHA256 " + ok + ",extra=1");
        QTest::newRow("short nonce") << QByteArray("PAYDESK-HMAC-SHA256 key_id=AK1,timestamp=1,nonce=short,signature=abc=");
        QTest::newRow("nonce with spaces") << QByteArray("PAYDESK-HMAC-SHA256 key_id=AK1,timestamp=1,nonce=a b c d e f g h i j,signature=a=");
        QTest::newRow("timestamp not a number") << QByteArray("PAYDESK-HMAC-SHA256 key_id=AK1,timestamp=soon,nonce=Q2x1ZS1ub25jZS0wMDAx,signature=a=");
        QTest::newRow("signature not base64") << QByteArray("PAYDESK-HMAC-SHA256 key_id=AK1,timestamp=1,nonce=Q2x1ZS1ub25jZS0wMDAx,signature=<>");
        QTest::newRow("oversized") << QByteArray("PAYDESK-HMAC-SHA256 key_id=" + QByteArray(2000, 'a'));
    }

    void malformedHeadersAreRejected()
    {
        QFETCH(QByteArray, header);
        QString error;
        QVERIFY(!PaydeskSignature::parse(header, &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_PaydeskSignature)
#include "tst_paydesksignature.moc"
