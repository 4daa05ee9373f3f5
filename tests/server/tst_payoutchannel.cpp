// The payout channels (bankpay and WeChat transfers) driven against a real paydesk-sandbox process:
// signed requests, verified answers, result notifications received over HTTPS and verified by the
// channel itself, faults injected through the control API.
#include "HttpServerThread.h"
#include "SandboxProcess.h"

#include "common/crypto/PrivateKey.h"
#include "common/crypto/Random.h"
#include "common/crypto/RsaOaep.h"
#include "common/protocol/ApiError.h"
#include "server/channels/payout/BankpayChannel.h"
#include "server/channels/payout/PayoutChannel.h"
#include "server/channels/payout/WechatTransferChannel.h"
#include "server/net/HttpClient.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QMutex>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

constexpr int kWaitMs = 30'000;
const QString kCardNo = u"6222021234567890123"_s;

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString newPayoutNo()
{
    return u"P"_s + Random::alphanumeric(20);
}

Clock realClock()
{
    // The sandbox signs with its own clock; the channels check timestamps against ours.
    return [] { return QDateTime::currentMSecsSinceEpoch(); };
}

/// One notification as Paydesk's endpoint received and judged it.
struct Received
{
    QString provider;
    QString caseName;
    QByteArray body;
    HttpHeaders headers;
    PayoutNotificationResult result;
};

/// Paydesk's notification endpoint: every result is verified by a channel of its provider, and
/// answered with exactly what the channel says the provider expects.
class Receiver final
{
public:
    Receiver() { m_server = std::make_unique<HttpServerThread>(HttpLimits{}, makeRouter()); }

    bool isListening() const { return m_server->isListening(); }
    QSslCertificate ca() const { return m_server->ca(); }
    QString url(const QString &provider, const QString &caseName) const
    {
        return u"https://127.0.0.1:%1/notify/%2/%3"_s.arg(m_server->port()).arg(provider, caseName);
    }
    void setVerifier(const QString &provider, PayoutChannel *channel)
    {
        QMutexLocker lock(&m_mutex);
        m_verifiers.insert(provider, channel);
    }
    QList<Received> received(const QString &caseName) const
    {
        QMutexLocker lock(&m_mutex);
        QList<Received> list;
        for (const Received &each : m_received) {
            if (each.caseName == caseName)
                list.append(each);
        }
        return list;
    }
    /// Accepted notifications about payoutNo.
    QList<Received> accepted(const QString &payoutNo) const
    {
        QMutexLocker lock(&m_mutex);
        QList<Received> list;
        for (const Received &each : m_received) {
            if (each.result.accepted && each.result.payout.payoutNo == payoutNo)
                list.append(each);
        }
        return list;
    }
    int acceptedCount(const QString &payoutNo) const { return int(accepted(payoutNo).size()); }
    int rejectedCount(const QString &caseName) const
    {
        int count = 0;
        for (const Received &each : received(caseName))
            count += each.result.accepted ? 0 : 1;
        return count;
    }

private:
    Router makeRouter()
    {
        Router router;
        router.post("/notify/{provider}/{case}", [this](HttpRequest &request) {
            Received received;
            received.provider = request.pathParams.value(u"provider"_s);
            received.caseName = request.pathParams.value(u"case"_s);
            received.body = request.body;
            received.headers = request.headers;
            PayoutChannel *channel = nullptr;
            {
                QMutexLocker lock(&m_mutex);
                channel = m_verifiers.value(received.provider);
            }
            if (!channel)
                return HttpResponse::text(404, "no such provider");
            received.result = channel->parseNotification({request.headers, request.body});
            const HttpResponse answer = received.result.answer;
            QMutexLocker lock(&m_mutex);
            m_received.append(received);
            return answer;
        });
        return router;
    }

    mutable QMutex m_mutex;
    QHash<QString, PayoutChannel *> m_verifiers;
    QList<Received> m_received;
    std::unique_ptr<HttpServerThread> m_server; // last: its handlers use the members above
};

} // namespace

class tst_PayoutChannel final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void yuanStrings_data();
    void yuanStrings();
    void masking();
    void rsaOaepRoundTrip();
    void unusableConfigurationIsRefused_data();
    void unusableConfigurationIsRefused();

    void submitNotifyQuery_data() { providers(); }
    void submitNotifyQuery();
    void duplicateSubmitPaysOnce_data() { providers(); }
    void duplicateSubmitPaysOnce();
    void injectedFailure_data() { providers(); }
    void injectedFailure();
    void slowResultIsProcessingFirst_data() { providers(); }
    void slowResultIsProcessingFirst();
    void timeoutIsUnknownButPays_data() { providers(); }
    void timeoutIsUnknownButPays();
    void downtimeIsUnknown_data() { providers(); }
    void downtimeIsUnknown();
    void forgedNotificationIsRejected_data() { providers(); }
    void forgedNotificationIsRejected();
    void verifyCard();
    void cardNumberNeverInTheLog();
    void wechatUserNameIsEncrypted();
    void invalidRequestIsNotSent();

private:
    static void providers();
    PayoutConfig config(const QString &provider, const QString &caseName) const;
    std::unique_ptr<PayoutChannel> channel(const QString &provider, const QString &caseName, int timeoutMs = 10'000);
    PayoutRequest request(const QString &provider, qint64 amount = 10005) const;
    QJsonObject setFaults(const QString &provider, QJsonObject faults);
    QString notificationState(const QString &provider, const QString &payoutNo);

    QTemporaryDir m_dir;
    std::unique_ptr<Receiver> m_receiver;
    std::unique_ptr<SandboxProcess> m_sandbox;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<PayoutChannel> m_bankVerifier;
    std::unique_ptr<PayoutChannel> m_wechatVerifier;
};

void tst_PayoutChannel::providers()
{
    QTest::addColumn<QString>("provider");
    QTest::newRow("bankpay") << u"bankpay"_s;
    QTest::newRow("wechat_transfer") << u"wechat_transfer"_s;
}

void tst_PayoutChannel::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_receiver = std::make_unique<Receiver>();
    QVERIFY(m_receiver->isListening());
    const QString receiverCa = m_dir.filePath(u"receiver-ca.pem"_s);
    QFile caFile(receiverCa);
    QVERIFY(caFile.open(QIODevice::WriteOnly));
    caFile.write(m_receiver->ca().toPem());
    caFile.close();

    m_sandbox = std::make_unique<SandboxProcess>(
        m_dir.filePath(u"sandbox"_s), QStringList{u"--time-scale"_s, u"1000"_s, u"--trust-ca"_s, receiverCa});
    QString error;
    QVERIFY2(m_sandbox->start(&error), qPrintable(error));
    QVERIFY(m_sandbox->manifest().contains(u"bankpay"_s));
    QVERIFY(m_sandbox->manifest().contains(u"wechat_transfer"_s));
    m_http = std::make_unique<HttpClient>();
    m_bankVerifier = createPayoutChannel(config(u"bankpay"_s, u"verifier"_s), *m_http, realClock());
    m_wechatVerifier = createPayoutChannel(config(u"wechat_transfer"_s, u"verifier"_s), *m_http, realClock());
    m_receiver->setVerifier(u"bankpay"_s, m_bankVerifier.get());
    m_receiver->setVerifier(u"wechat_transfer"_s, m_wechatVerifier.get());
}

void tst_PayoutChannel::cleanup()
{
    // Every test starts without faults or listed cards, whatever the previous one left behind.
    if (!m_sandbox)
        return;
    int status = 0;
    m_sandbox->control("DELETE", "/control/faults", {}, &status);
    QCOMPARE(status, 200);
    m_sandbox->control("DELETE", "/control/cards/invalid", {}, &status);
    QCOMPARE(status, 200);
}

void tst_PayoutChannel::cleanupTestCase()
{
    m_sandbox.reset(); // SIGTERM: held answers go out, the process exits
    m_http.reset();
    m_receiver.reset();
}

PayoutConfig tst_PayoutChannel::config(const QString &provider, const QString &caseName) const
{
    const QJsonObject info = m_sandbox->manifest().value(provider).toObject();
    PayoutConfig config;
    config.id = caseName;
    config.type = provider;
    config.gatewayCa = {m_sandbox->caCertificate()};
    config.notifyUrl = m_receiver->url(provider, caseName);
    if (provider == u"bankpay"_s) {
        config.merchantId = info.value(u"merchant_id"_s).toString();
        config.gatewayUrl = QUrl(info.value(u"gateway_url"_s).toString());
        config.privateKeyPem = readFile(info.value(u"merchant_private_key_file"_s).toString());
        config.merchantCertSerial = info.value(u"merchant_key_id"_s).toString();
        config.providerKeys.insert(info.value(u"provider_key_id"_s).toString(),
                                   readFile(info.value(u"provider_public_key_file"_s).toString()));
    } else {
        config.merchantId = info.value(u"mchid"_s).toString();
        config.appId = info.value(u"appid"_s).toString();
        config.gatewayUrl = QUrl(info.value(u"base_url"_s).toString());
        config.privateKeyPem = readFile(info.value(u"merchant_private_key_file"_s).toString());
        config.merchantCertSerial = info.value(u"merchant_serial"_s).toString();
        config.providerKeys.insert(info.value(u"platform_serial"_s).toString(),
                                   readFile(info.value(u"platform_certificate_file"_s).toString()));
        config.apiV3Key = readFile(info.value(u"api_v3_key_file"_s).toString()).trimmed();
    }
    return config;
}

std::unique_ptr<PayoutChannel> tst_PayoutChannel::channel(const QString &provider, const QString &caseName,
                                                          int timeoutMs)
{
    PayoutConfig c = config(provider, caseName);
    c.timeoutMs = timeoutMs;
    return createPayoutChannel(c, *m_http, realClock());
}

PayoutRequest tst_PayoutChannel::request(const QString &provider, qint64 amount) const
{
    PayoutRequest request;
    request.payoutNo = newPayoutNo();
    request.amount = amount;
    request.memo = u"Withdrawal"_s;
    if (provider == u"bankpay"_s) {
        request.cardNo = kCardNo;
        request.holderName = u"张三"_s;
        request.bankCode = u"ICBC"_s;
        request.bankName = u"中国工商银行"_s;
    } else {
        request.openId = u"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"_s;
        request.holderName = u"张三"_s;
    }
    return request;
}

QJsonObject tst_PayoutChannel::setFaults(const QString &provider, QJsonObject faults)
{
    faults.insert(u"channel"_s, provider);
    int status = 0;
    const QJsonObject answer = m_sandbox->control("POST", "/control/faults", faults, &status);
    if (status != 200)
        qWarning().noquote() << "faults refused:" << QJsonDocument(answer).toJson(QJsonDocument::Compact);
    return answer;
}

QString tst_PayoutChannel::notificationState(const QString &provider, const QString &payoutNo)
{
    const QJsonObject payout
        = m_sandbox->control("GET", "/control/payouts/" + payoutNo.toLatin1() + "?provider=" + provider.toLatin1());
    const QJsonArray notifications = payout.value(u"notifications"_s).toArray();
    return notifications.isEmpty() ? QString() : notifications.last().toObject().value(u"state"_s).toString();
}

void tst_PayoutChannel::yuanStrings_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("fen"); // -1: must be refused
    QTest::newRow("100.05") << u"100.05"_s << qint64(10005);
    QTest::newRow("0.01") << u"0.01"_s << qint64(1);
    QTest::newRow("1") << u"1"_s << qint64(100);
    QTest::newRow("1.5") << u"1.5"_s << qint64(150);
    QTest::newRow("0") << u"0"_s << qint64(0);
    QTest::newRow("largest") << u"92233720368547758.07"_s << std::numeric_limits<qint64>::max();
    QTest::newRow("three decimals") << u"1.001"_s << qint64(-1);
    QTest::newRow("negative") << u"-1"_s << qint64(-1);
    QTest::newRow("exponent") << u"1e3"_s << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1);
    QTest::newRow("overflow by a fen") << u"92233720368547758.08"_s << qint64(-1);
    QTest::newRow("overflow") << u"99999999999999999999"_s << qint64(-1);
    QTest::newRow("leading zero") << u"01.00"_s << qint64(-1);
    QTest::newRow("plus") << u"+1"_s << qint64(-1);
    QTest::newRow("space") << u" 1"_s << qint64(-1);
    QTest::newRow("thousands") << u"1,000"_s << qint64(-1);
    QTest::newRow("bare point") << u".5"_s << qint64(-1);
    QTest::newRow("trailing point") << u"5."_s << qint64(-1);
    QTest::newRow("full-width digit") << u"１"_s << qint64(-1);
}

void tst_PayoutChannel::yuanStrings()
{
    QFETCH(QString, text);
    QFETCH(qint64, fen);
    QString error;
    const std::optional<qint64> parsed = parseYuan(text, &error);
    if (fen < 0) {
        QVERIFY2(!parsed, qPrintable(text));
        QVERIFY(!error.isEmpty());
        return;
    }
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(*parsed, fen);
    // Formatting gives the canonical two-decimal form back, which parses to the same amount.
    QCOMPARE(parseYuan(formatYuan(fen)), std::optional<qint64>(fen));
    if (fen == 10005)
        QCOMPARE(formatYuan(fen), u"100.05"_s);
    if (fen == 1)
        QCOMPARE(formatYuan(fen), u"0.01"_s);
}

void tst_PayoutChannel::masking()
{
    QCOMPARE(maskCardNo(kCardNo), u"6222***********0123"_s);
    QCOMPARE(maskCardNo(u"622202123456"_s), u"6222****3456"_s);
    QCOMPARE(maskCardNo(u"12345"_s), u"****"_s);
    QCOMPARE(maskName(u"张三"_s), u"张*"_s);
    QCOMPARE(maskName(QString()), QString());
}

void tst_PayoutChannel::rsaOaepRoundTrip()
{
    const CryptoResult<PrivateKey> key = PrivateKey::generateRsa(2048);
    QVERIFY(key);
    const QByteArray name = u"张三"_s.toUtf8();
    const CryptoResult<QByteArray> first = RsaOaep::encryptBase64(key->publicKey(), name);
    const CryptoResult<QByteArray> second = RsaOaep::encryptBase64(key->publicKey(), name);
    QVERIFY2(first, qPrintable(first.error()));
    QVERIFY(second);
    QVERIFY(*first != *second); // randomised padding
    QCOMPARE(QByteArray::fromBase64(*first).size(), 256);
    const CryptoResult<QByteArray> plain = RsaOaep::decryptBase64(*key, *first);
    QVERIFY2(plain, qPrintable(plain.error()));
    QCOMPARE(*plain, name);

    const CryptoResult<PrivateKey> other = PrivateKey::generateRsa(2048);
    QVERIFY(other);
    QVERIFY(!RsaOaep::decryptBase64(*other, *first));
    QByteArray tampered = QByteArray::fromBase64(*first);
    tampered[100] = char(tampered[100] ^ 1);
    QVERIFY(!RsaOaep::decryptBase64(*key, tampered.toBase64()));
    QVERIFY(!RsaOaep::decryptBase64(*key, "not base64!"));
    QVERIFY(!RsaOaep::encryptBase64(key->publicKey(), QByteArray(215, 'x'))); // longer than one block
}

void tst_PayoutChannel::unusableConfigurationIsRefused_data()
{
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("field");
    QTest::addColumn<std::function<void(PayoutConfig &)>>("spoil");
    using Spoil = std::function<void(PayoutConfig &)>;
    QTest::newRow("unknown type") << u"bankpay"_s << u"type"_s << Spoil([](PayoutConfig &c) { c.type = u"paypal"_s; });
    QTest::newRow("bankpay: no merchant")
        << u"bankpay"_s << u"merchant_id"_s << Spoil([](PayoutConfig &c) { c.merchantId.clear(); });
    QTest::newRow("bankpay: bad key") << u"bankpay"_s << u"private_key"_s
                                      << Spoil([](PayoutConfig &c) { c.privateKeyPem = "nope"; });
    QTest::newRow("bankpay: no provider key")
        << u"bankpay"_s << u"provider_keys"_s << Spoil([](PayoutConfig &c) { c.providerKeys.clear(); });
    QTest::newRow("bankpay: ftp gateway")
        << u"bankpay"_s << u"gateway_url"_s
        << Spoil([](PayoutConfig &c) { c.gatewayUrl = QUrl(u"ftp://example.com"_s); });
    QTest::newRow("wechat: no appid") << u"wechat_transfer"_s << u"app_id"_s
                                      << Spoil([](PayoutConfig &c) { c.appId.clear(); });
    QTest::newRow("wechat: short API v3 key")
        << u"wechat_transfer"_s << u"api_v3_key"_s << Spoil([](PayoutConfig &c) { c.apiV3Key = "short"; });
    QTest::newRow("wechat: no platform key")
        << u"wechat_transfer"_s << u"provider_keys"_s << Spoil([](PayoutConfig &c) { c.providerKeys.clear(); });
}

void tst_PayoutChannel::unusableConfigurationIsRefused()
{
    QFETCH(QString, provider);
    QFETCH(QString, field);
    QFETCH(std::function<void(PayoutConfig &)>, spoil);
    PayoutConfig spoilt = config(provider, u"config"_s);
    spoil(spoilt);
    try {
        createPayoutChannel(spoilt, *m_http, realClock());
        QFAIL("constructed");
    } catch (const ApiError &error) {
        QCOMPARE(error.code(), ErrorCode::ValidationFailed);
        QCOMPARE(error.details().value(u"field"_s).toString(), field);
    }
    QVERIFY(createPayoutChannel(config(provider, u"config"_s), *m_http, realClock()) != nullptr);
}

void tst_PayoutChannel::submitNotifyQuery()
{
    QFETCH(QString, provider);
    const auto payouts = channel(provider, u"happy"_s);
    const PayoutRequest pay = request(provider);
    const PayoutResult submitted = payouts->submit(pay);
    QVERIFY2(submitted.outcome == CallOutcome::Ok,
             qPrintable(submitted.error.code + u": "_s + submitted.error.message));
    QCOMPARE(submitted.exchange.verification, u"ok"_s);
    QCOMPARE(submitted.payout.payoutNo, pay.payoutNo);
    QVERIFY(!submitted.payout.providerPayoutId.isEmpty());
    QVERIFY(submitted.payout.state == PayoutState::Processing || submitted.payout.state == PayoutState::Success);
    QCOMPARE(submitted.payout.amount, pay.amount);

    // The result arrives by notification, verified by the channel and acknowledged as it expects.
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->acceptedCount(pay.payoutNo), 1, kWaitMs);
    const Received notified = m_receiver->accepted(pay.payoutNo).first();
    QCOMPARE(notified.result.payout.state, PayoutState::Success);
    QCOMPARE(notified.result.payout.amount, pay.amount);
    QCOMPARE(notified.result.payout.providerPayoutId, submitted.payout.providerPayoutId);
    QVERIFY(!notified.result.notifyId.isEmpty());
    QCOMPARE(notified.result.exchange.verification, u"ok"_s);
    QTRY_COMPARE_WITH_TIMEOUT(notificationState(provider, pay.payoutNo), u"acknowledged"_s, kWaitMs);

    const PayoutResult queried = payouts->query(pay.payoutNo);
    QCOMPARE(queried.outcome, CallOutcome::Ok);
    QCOMPARE(queried.payout.state, PayoutState::Success);
    QCOMPARE(queried.payout.amount, pay.amount);
    QCOMPARE(queried.payout.providerPayoutId, submitted.payout.providerPayoutId);
    QVERIFY(queried.payout.finishedAtMs > 0);

    const PayoutResult unknown = payouts->query(newPayoutNo());
    QCOMPARE(unknown.outcome, CallOutcome::Ok);
    QCOMPARE(unknown.payout.state, PayoutState::NotFound);
}

void tst_PayoutChannel::duplicateSubmitPaysOnce()
{
    QFETCH(QString, provider);
    const auto payouts = channel(provider, u"duplicate"_s);
    const PayoutRequest pay = request(provider);
    const PayoutResult first = payouts->submit(pay);
    QCOMPARE(first.outcome, CallOutcome::Ok);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->acceptedCount(pay.payoutNo), 1, kWaitMs);
    const PayoutResult second = payouts->submit(pay);
    QCOMPARE(second.outcome, CallOutcome::Ok);
    QCOMPARE(second.payout.providerPayoutId, first.payout.providerPayoutId);

    const QJsonObject stored
        = m_sandbox->control("GET", "/control/payouts/" + pay.payoutNo.toLatin1() + "?provider=" + provider.toLatin1());
    QCOMPARE(stored.value(u"submissions"_s).toInt(), 2);
    QCOMPARE(stored.value(u"status"_s).toString(), u"SUCCESS"_s);
    QCOMPARE(stored.value(u"notification_ids"_s).toArray().size(), 1); // one result: paid once
    QCOMPARE(m_receiver->acceptedCount(pay.payoutNo), 1);

    // The same payout_no for another amount is refused, not paid.
    PayoutRequest other = pay;
    other.amount = pay.amount + 1;
    const PayoutResult conflicting = payouts->submit(other);
    QCOMPARE(conflicting.outcome, CallOutcome::Rejected);
    QCOMPARE(conflicting.error.code, provider == u"bankpay"_s ? u"PAYOUT_NO_CONFLICT"_s : u"INVALID_REQUEST"_s);
    QCOMPARE(payouts->query(pay.payoutNo).payout.amount, pay.amount);
}

void tst_PayoutChannel::injectedFailure()
{
    QFETCH(QString, provider);
    const auto payouts = channel(provider, u"failure"_s);
    QCOMPARE(setFaults(provider, {{u"fail_next_payouts"_s, 1}, {u"fail_code"_s, u"ACCOUNT_FROZEN"_s}})
                 .value(provider)
                 .toObject()
                 .value(u"fail_next_payouts"_s)
                 .toInt(),
             1);
    const PayoutRequest failing = request(provider);
    QCOMPARE(payouts->submit(failing).outcome, CallOutcome::Ok);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->acceptedCount(failing.payoutNo), 1, kWaitMs);
    const PayoutNotificationResult notified = m_receiver->accepted(failing.payoutNo).first().result;
    QCOMPARE(notified.payout.state, PayoutState::Failed);
    // bankpay's notification carries the code; WeChat's batch notification only the count.
    QCOMPARE(notified.payout.failureCode, provider == u"bankpay"_s ? u"ACCOUNT_FROZEN"_s : u"FAIL"_s);

    const PayoutResult queried = payouts->query(failing.payoutNo);
    QCOMPARE(queried.outcome, CallOutcome::Ok);
    QCOMPARE(queried.payout.state, PayoutState::Failed);
    QCOMPARE(queried.payout.failureCode, u"ACCOUNT_FROZEN"_s);

    // Only the next one: the one after is paid.
    const PayoutRequest next = request(provider);
    QCOMPARE(payouts->submit(next).outcome, CallOutcome::Ok);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->acceptedCount(next.payoutNo), 1, kWaitMs);
    QCOMPARE(m_receiver->accepted(next.payoutNo).first().result.payout.state, PayoutState::Success);
}

void tst_PayoutChannel::slowResultIsProcessingFirst()
{
    QFETCH(QString, provider);
    const auto payouts = channel(provider, u"slow"_s);
    setFaults(provider, {{u"processing_queries"_s, 2}});
    const PayoutRequest pay = request(provider);
    const PayoutResult submitted = payouts->submit(pay);
    QCOMPARE(submitted.outcome, CallOutcome::Ok);
    QCOMPARE(submitted.payout.state, PayoutState::Processing);
    QCOMPARE(payouts->query(pay.payoutNo).payout.state, PayoutState::Processing);
    QCOMPARE(payouts->query(pay.payoutNo).payout.state, PayoutState::Processing);
    QCOMPARE(m_receiver->acceptedCount(pay.payoutNo), 0);
    QCOMPARE(payouts->query(pay.payoutNo).payout.state, PayoutState::Success);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->acceptedCount(pay.payoutNo), 1, kWaitMs);

    // processing_ms: PROCESSING until the time has passed, then SUCCESS without any query.
    setFaults(provider, {{u"processing_queries"_s, 0}, {u"processing_ms"_s, 2000}});
    const PayoutRequest timed = request(provider);
    QCOMPARE(payouts->submit(timed).outcome, CallOutcome::Ok);
    QCOMPARE(payouts->query(timed.payoutNo).payout.state, PayoutState::Processing);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->acceptedCount(timed.payoutNo), 1, kWaitMs);
    QCOMPARE(payouts->query(timed.payoutNo).payout.state, PayoutState::Success);
}

void tst_PayoutChannel::timeoutIsUnknownButPays()
{
    QFETCH(QString, provider);
    const auto payouts = channel(provider, u"timeout"_s, 1500);
    setFaults(provider, {{u"timeout_operations"_s, QJsonArray{u"payout"_s}}});
    const PayoutRequest pay = request(provider);
    const PayoutResult submitted = payouts->submit(pay);
    QCOMPARE(submitted.outcome, CallOutcome::Unknown);
    QCOMPARE(submitted.error.code, u"TIMEOUT"_s);
    // The provider acted all the same: the query finds the payout, and a resubmission is the same one.
    QTRY_COMPARE_WITH_TIMEOUT(payouts->query(pay.payoutNo).payout.state, PayoutState::Success, kWaitMs);
    setFaults(provider, {{u"timeout_operations"_s, QJsonArray()}});
    const PayoutResult again = payouts->submit(pay);
    QCOMPARE(again.outcome, CallOutcome::Ok);
    const QJsonObject stored
        = m_sandbox->control("GET", "/control/payouts/" + pay.payoutNo.toLatin1() + "?provider=" + provider.toLatin1());
    QCOMPARE(stored.value(u"submissions"_s).toInt(), 2);
    QCOMPARE(stored.value(u"notification_ids"_s).toArray().size(), 1);
}

void tst_PayoutChannel::downtimeIsUnknown()
{
    QFETCH(QString, provider);
    const auto payouts = channel(provider, u"down"_s);
    setFaults(provider, {{u"down"_s, true}});
    const PayoutRequest pay = request(provider);
    const PayoutResult submitted = payouts->submit(pay);
    QCOMPARE(submitted.outcome, CallOutcome::Unknown);
    QCOMPARE(submitted.exchange.httpStatus, 503);
    QCOMPARE(payouts->query(pay.payoutNo).outcome, CallOutcome::Unknown);
    setFaults(provider, {{u"down"_s, false}});
    // Nothing was accepted while down.
    const PayoutResult queried = payouts->query(pay.payoutNo);
    QCOMPARE(queried.outcome, CallOutcome::Ok);
    QCOMPARE(queried.payout.state, PayoutState::NotFound);
}

void tst_PayoutChannel::forgedNotificationIsRejected()
{
    QFETCH(QString, provider);
    const QString caseName = u"forged-"_s + provider;
    const auto payouts = channel(provider, caseName);
    // Settles only when queried, so the fault can be in place before the notification leaves.
    setFaults(provider, {{u"processing_queries"_s, 1}});
    const PayoutRequest pay = request(provider);
    QCOMPARE(payouts->submit(pay).outcome, CallOutcome::Ok);
    QCOMPARE(payouts->query(pay.payoutNo).payout.state, PayoutState::Processing);
    setFaults(provider, {{u"bad_signature"_s, true}});
    const PayoutResult badAnswer = payouts->query(pay.payoutNo); // settles it
    QCOMPARE(badAnswer.outcome, CallOutcome::Unknown);
    QCOMPARE(badAnswer.error.code, u"BAD_SIGNATURE"_s);
    QVERIFY(badAnswer.exchange.verification.startsWith(u"failed: "_s));

    QTRY_VERIFY_WITH_TIMEOUT(m_receiver->rejectedCount(caseName) >= 1, kWaitMs);
    const Received forged = m_receiver->received(caseName).first();
    QVERIFY(!forged.result.accepted);
    QVERIFY2(forged.result.rejectReason.contains(u"signature"_s), qPrintable(forged.result.rejectReason));
    QVERIFY(forged.result.answer.status >= 400); // so the provider delivers again
    QCOMPARE(m_receiver->acceptedCount(pay.payoutNo), 0);

    // Once genuine, the same result is accepted; a genuine body with one byte changed is not.
    setFaults(provider, {{u"bad_signature"_s, false}});
    int status = 0;
    m_sandbox->control("POST", "/control/payouts/notify", {{u"payout_no"_s, pay.payoutNo}, {u"provider"_s, provider}},
                       &status);
    QCOMPARE(status, 202);
    // The provider's own retry of the refused delivery may arrive too: at least one is accepted.
    QTRY_VERIFY_WITH_TIMEOUT(m_receiver->acceptedCount(pay.payoutNo) >= 1, kWaitMs);
    const Received genuine = m_receiver->accepted(pay.payoutNo).first();
    QByteArray tampered = genuine.body;
    if (provider == u"bankpay"_s)
        tampered.replace("\"100.05\"", "\"900.05\"");
    else
        tampered.replace("MCHTRANSFER.BATCH.FINISHED", "MCHTRANSFER.BATCH.CLOSED"); // outside the ciphertext
    QVERIFY(tampered != genuine.body);
    PayoutChannel &verifier = provider == u"bankpay"_s ? *m_bankVerifier : *m_wechatVerifier;
    const PayoutNotificationResult result = verifier.parseNotification({genuine.headers, tampered});
    QVERIFY(!result.accepted);
    QVERIFY2(result.rejectReason.contains(u"signature"_s), qPrintable(result.rejectReason));
    // And the genuine one still verifies (within the timestamp window).
    QVERIFY(verifier.parseNotification({genuine.headers, genuine.body}).accepted);
}

void tst_PayoutChannel::verifyCard()
{
    const auto bank = channel(u"bankpay"_s, u"cards"_s);
    const CardCheckResult ok = bank->verifyCard(kCardNo, u"张三"_s, u"ICBC"_s);
    QCOMPARE(ok.outcome, CallOutcome::Ok);
    QCOMPARE(ok.check, CardCheck::Verified);
    const CardCheckResult wrongName = bank->verifyCard(kCardNo, u"INVALID"_s, u"ICBC"_s);
    QCOMPARE(wrongName.outcome, CallOutcome::Ok);
    QCOMPARE(wrongName.check, CardCheck::Mismatch);
    const CardCheckResult unknown = bank->verifyCard(kCardNo, u"UNKNOWN"_s, u"ICBC"_s);
    QCOMPARE(unknown.check, CardCheck::Unknown);

    // A card listed through the control API fails verification, and payouts to it fail.
    const QString listed = u"6217000011112222333"_s;
    int status = 0;
    m_sandbox->control("POST", "/control/cards/invalid", {{u"card_no"_s, listed}}, &status);
    QCOMPARE(status, 200);
    QCOMPARE(bank->verifyCard(listed, u"张三"_s, u"CCB"_s).check, CardCheck::Mismatch);
    PayoutRequest pay = request(u"bankpay"_s);
    pay.cardNo = listed;
    QCOMPARE(bank->submit(pay).outcome, CallOutcome::Ok);
    QTRY_COMPARE_WITH_TIMEOUT(bank->query(pay.payoutNo).payout.state, PayoutState::Failed, kWaitMs);
    QCOMPARE(bank->query(pay.payoutNo).payout.failureCode, u"ACCOUNT_MISMATCH"_s);

    const CardCheckResult bad = bank->verifyCard(u"12ab"_s, u"张三"_s, u"ICBC"_s);
    QCOMPARE(bad.outcome, CallOutcome::Rejected);

    const auto wechat = channel(u"wechat_transfer"_s, u"cards"_s);
    const CardCheckResult unsupported = wechat->verifyCard(kCardNo, u"张三"_s, u"ICBC"_s);
    QCOMPARE(unsupported.outcome, CallOutcome::Rejected);
    QCOMPARE(unsupported.error.code, u"NOT_SUPPORTED"_s);
}

void tst_PayoutChannel::cardNumberNeverInTheLog()
{
    const auto bank = channel(u"bankpay"_s, u"masking"_s);
    const PayoutRequest pay = request(u"bankpay"_s);
    QList<ChannelExchange> exchanges;
    const PayoutResult submitted = bank->submit(pay);
    QCOMPARE(submitted.outcome, CallOutcome::Ok);
    exchanges << submitted.exchange << bank->query(pay.payoutNo).exchange
              << bank->verifyCard(kCardNo, u"张三"_s, u"ICBC"_s).exchange;
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->acceptedCount(pay.payoutNo), 1, kWaitMs);
    exchanges << m_receiver->accepted(pay.payoutNo).first().result.exchange;
    const QByteArray card = kCardNo.toLatin1();
    for (const ChannelExchange &exchange : std::as_const(exchanges)) {
        QVERIFY2(!exchange.request.contains(card), exchange.request.constData());
        QVERIFY2(!exchange.response.contains(card), exchange.response.constData());
        QVERIFY(!exchange.url.contains(kCardNo));
        QVERIFY(!exchange.request.contains(u"张三"_s.toUtf8()));
    }
    QVERIFY(submitted.exchange.request.contains(maskCardNo(kCardNo).toLatin1()));
    QCOMPARE(submitted.exchange.operation, u"payout"_s);
    QCOMPARE(submitted.exchange.httpStatus, 200);
}

void tst_PayoutChannel::wechatUserNameIsEncrypted()
{
    const auto wechat = channel(u"wechat_transfer"_s, u"username"_s);
    PayoutRequest pay = request(u"wechat_transfer"_s);
    const PayoutResult submitted = wechat->submit(pay);
    QCOMPARE(submitted.outcome, CallOutcome::Ok);
    // The log keeps neither the openid nor the name.
    QVERIFY(!submitted.exchange.request.contains(pay.openId.toLatin1()));
    QVERIFY(!submitted.exchange.request.contains(pay.holderName.toUtf8()));
    QVERIFY(!wechat->query(pay.payoutNo).exchange.response.contains(pay.openId.toLatin1()));

    // The sandbox decrypted the name (RSA-OAEP with the platform key): "INVALID" fails the real-name check.
    PayoutRequest invalid = request(u"wechat_transfer"_s);
    invalid.holderName = u"INVALID"_s;
    QCOMPARE(wechat->submit(invalid).outcome, CallOutcome::Ok);
    QTRY_COMPARE_WITH_TIMEOUT(wechat->query(invalid.payoutNo).payout.state, PayoutState::Failed, kWaitMs);
    QCOMPARE(wechat->query(invalid.payoutNo).payout.failureCode, u"NAME_NOT_CORRECT"_s);
}

void tst_PayoutChannel::invalidRequestIsNotSent()
{
    const auto bank = channel(u"bankpay"_s, u"invalid"_s);
    PayoutRequest pay = request(u"bankpay"_s);
    pay.cardNo = u"6222-0212"_s;
    PayoutResult result = bank->submit(pay);
    QCOMPARE(result.outcome, CallOutcome::Rejected);
    QCOMPARE(result.error.code, u"INVALID_REQUEST"_s);
    QCOMPARE(result.exchange.httpStatus, 0);
    pay = request(u"bankpay"_s, 0);
    QCOMPARE(bank->submit(pay).outcome, CallOutcome::Rejected);
    pay = request(u"bankpay"_s);
    pay.payoutNo = u"no/slash"_s;
    QCOMPARE(bank->submit(pay).outcome, CallOutcome::Rejected);

    const auto wechat = channel(u"wechat_transfer"_s, u"invalid"_s);
    PayoutRequest transfer = request(u"wechat_transfer"_s);
    transfer.openId.clear();
    QCOMPARE(wechat->submit(transfer).outcome, CallOutcome::Rejected);
    transfer = request(u"wechat_transfer"_s, BankpayChannel::MaxAmount + 1);
    QCOMPARE(wechat->submit(transfer).outcome, CallOutcome::Rejected);
}

QTEST_GUILESS_MAIN(tst_PayoutChannel)
#include "tst_payoutchannel.moc"
