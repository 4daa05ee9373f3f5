// paydesk-sandbox as a real process, driven the way Paydesk's channel clients drive Alipay and
// WeChat Pay: signed requests, verified answers, notifications received over HTTPS and checked,
// faults injected through the control API, bills downloaded and unpacked.
#include "HttpServerThread.h"
#include "TestClient.h"

#include "common/crypto/AesGcm.h"
#include "common/crypto/Certificate.h"
#include "common/crypto/Digest.h"
#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"
#include "common/crypto/Random.h"
#include "common/crypto/RsaSignature.h"
#include "common/protocol/AlipayResponseSign.h"
#include "common/protocol/AlipaySignContent.h"
#include "common/protocol/FormUrlEncoded.h"
#include "common/protocol/WechatPaySign.h"
#include "server/channels/payout/BankpayProtocol.h"
#include "server/recon/BillReader.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QProcess>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <memory>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

constexpr int kWaitMs = 30'000;

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

int permissionsOf(const QString &path)
{
    struct stat info = {};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 0777) : -1;
}

QString beijingNow()
{
    return QDateTime::currentDateTimeUtc().addSecs(8 * 3600).toString(u"yyyy-MM-dd HH:mm:ss"_s);
}

QString uniqueNo(const QString &prefix)
{
    return prefix + Random::alphanumeric(16);
}

QString fieldValue(const FormFields &fields, const QString &name)
{
    for (const auto &[key, value] : fields) {
        if (key == name)
            return value;
    }
    return {};
}

// CRC-32 (IEEE), to check the bill archives without a zlib of our own.
quint32 crc32Of(const QByteArray &data)
{
    quint32 crc = 0xffffffffu;
    for (const char byte : data) {
        crc ^= quint8(byte);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

quint32 le32(const QByteArray &data, qsizetype at)
{
    return quint32(quint8(data[at])) | quint32(quint8(data[at + 1])) << 8 | quint32(quint8(data[at + 2])) << 16
        | quint32(quint8(data[at + 3])) << 24;
}

quint16 le16(const QByteArray &data, qsizetype at)
{
    return quint16(quint8(data[at]) | quint8(data[at + 1]) << 8);
}

struct ZipEntry
{
    QByteArray name;
    QByteArray data;
    bool crcOk = false;
};

// The local entries of a zip of stored entries (what Alipay's bill archive holds).
QList<ZipEntry> readStoredZip(const QByteArray &zip)
{
    QList<ZipEntry> entries;
    qsizetype at = 0;
    while (at + 30 <= zip.size() && le32(zip, at) == 0x04034b50) {
        if (le16(zip, at + 8) != 0) // method must be "stored"
            return {};
        const quint32 crc = le32(zip, at + 14);
        const quint32 size = le32(zip, at + 18);
        const quint16 nameLength = le16(zip, at + 26);
        const quint16 extraLength = le16(zip, at + 28);
        ZipEntry entry;
        entry.name = zip.mid(at + 30, nameLength);
        entry.data = zip.mid(at + 30 + nameLength + extraLength, size);
        entry.crcOk = crc32Of(entry.data) == crc;
        entries.append(entry);
        at += 30 + nameLength + extraLength + size;
    }
    return entries;
}

/// One notification as the merchant's server received it.
struct Delivery
{
    HttpHeaders headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (name.compare(key, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

/// Paydesk's notification endpoint, played by a local HTTPS server. Each test case uses its own
/// URL (/notify/<channel>/<case>) and says from which delivery on the answer acknowledges.
class Receiver final
{
public:
    Receiver() { m_server = std::make_unique<HttpServerThread>(HttpLimits{}, makeRouter()); }

    bool isListening() const { return m_server->isListening(); }
    QSslCertificate ca() const { return m_server->ca(); }

    QString url(const QString &channel, const QString &caseName) const
    {
        return u"https://127.0.0.1:%1/notify/%2/%3"_s.arg(m_server->port()).arg(channel, caseName);
    }
    void acknowledgeFrom(const QString &caseName, int delivery)
    {
        QMutexLocker lock(&m_mutex);
        m_ackFrom.insert(caseName, delivery);
    }
    QList<Delivery> deliveries(const QString &caseName) const
    {
        QMutexLocker lock(&m_mutex);
        return m_received.value(caseName);
    }
    int count(const QString &caseName) const { return int(deliveries(caseName).size()); }

private:
    Router makeRouter()
    {
        Router router;
        router.post("/notify/{channel}/{case}", [this](HttpRequest &request) {
            const QString channel = request.pathParams.value(u"channel"_s);
            const QString caseName = request.pathParams.value(u"case"_s);
            bool acknowledge = false;
            {
                QMutexLocker lock(&m_mutex);
                QList<Delivery> &list = m_received[caseName];
                list.append({request.headers, request.body});
                acknowledge = list.size() >= m_ackFrom.value(caseName, 1);
            }
            if (channel == u"alipay"_s)
                return HttpResponse::text(200, acknowledge ? "success" : "fail");
            if (acknowledge)
                return HttpResponse::noContent();
            return HttpResponse::json(500, QJsonObject{{u"code"_s, u"FAIL"_s}, {u"message"_s, u"失败"_s}});
        });
        return router;
    }

    mutable QMutex m_mutex;
    QHash<QString, int> m_ackFrom;
    QHash<QString, QList<Delivery>> m_received;
    std::unique_ptr<HttpServerThread> m_server; // last: its handlers use the members above
};

struct AlipayAnswer
{
    int status = 0;
    QString responseKey;
    QJsonObject content;
    bool verified = false;
};

struct WechatAnswer
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    bool verified = false;
};

// The payment lines of a bill by out_trade_no, read with Paydesk's own BillReader, which must
// find the bill well-formed and adding up.
struct BillContent
{
    QString error;
    QHash<QString, paydesk::recon::BillLine> payments;
    bool addsUp = false;
};

BillContent readBill(paydesk::recon::BillFormat format, const QByteArray &file)
{
    using namespace paydesk::recon;
    BillContent content;
    std::unique_ptr<BillReader> reader = BillReader::openBytes(format, file, &content.error);
    if (!reader)
        return content;
    BillLine line;
    while (reader->next(line)) {
        if (line.kind == BillLine::Kind::Payment)
            content.payments.insert(QString::fromUtf8(line.outTradeNo), line);
    }
    content.error = reader->error();
    content.addsUp = reader->hasDeclared() && reader->declared() == reader->computed();
    return content;
}

} // namespace

class tst_Sandbox : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void writesSandboxJsonAndKeys();
    void alipayPrecreatePayNotifyRefund();
    void alipayPaymentAfterClose();
    void alipayAppOrderStringIsPaidByTheBuyersApp();
    void alipayRejectsBadRequestSignature();
    void wechatNativePayNotifyRefundClose();
    void wechatRejectsBadAuthorization();
    void wechatPlatformCertificates();
    void duplicateNotificationsFault();
    void badSignatureFault();
    void dropAndDelayFaults();
    void downFault();
    void timeoutFaultAnswersNeverButActs();
    void reverseOrderFault();
    void controlApiErrors();
    void alipayBill();
    void wechatBill();
    void alipayBillFaults();
    void wechatBillFaults();
    void billFaultControlErrors();
    void bankpayPayoutOverTheWire();
    void payoutFaultsAndControlErrors();

private:
    std::optional<RawResponse> send(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                                    const QByteArray &headers = {}, int timeoutMs = 10'000);
    RawResponse control(const QByteArray &method, const QByteArray &path, const QJsonObject &body = {});
    AlipayAnswer alipay(const QString &method, const QJsonObject &biz, const QString &notifyUrl = {},
                        const PrivateKey *key = nullptr, const QString &appId = u"2021000000000001"_s);
    QByteArray alipayRequestTarget(const QString &method, const QJsonObject &biz, const QString &notifyUrl,
                                   const PrivateKey &key, const QString &appId, QByteArray *body);
    WechatAnswer wechat(const QByteArray &method, const QByteArray &target, const QJsonObject &body = {},
                        const PrivateKey *key = nullptr, qint64 clockOffset = 0);
    QString notificationState(const QString &outTradeNo, const QString &kind);
    bool verifyAlipayNotification(const Delivery &delivery, FormFields *fields) const;
    std::optional<QJsonObject> openWechatNotification(const Delivery &delivery, bool *signatureOk,
                                                      QJsonObject *envelope = nullptr) const;
    QString precreate(const QString &outTradeNo, const QString &amount, const QString &notifyUrl);
    QString nativePrepay(const QString &outTradeNo, qint64 fen, const QString &notifyUrl);
    QByteArray alipayBillFile(const QString &day);
    QByteArray wechatBillFile(const QString &day);
    QJsonObject tradeOf(const QString &outTradeNo);

    std::unique_ptr<Receiver> m_receiver;
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QSslCertificate m_ca;
    QJsonObject m_info;
    PrivateKey m_appKey;
    PublicKey m_alipayPublic;
    PrivateKey m_merchantKey;
    PublicKey m_platformPublic;
    QByteArray m_apiV3Key;
    QString m_mchid;
    QString m_merchantSerial;
    QString m_platformSerial;
    // Trades the bill tests look for.
    QString m_alipayPaidTrade;
    QString m_wechatPaidTrade;
};

void tst_Sandbox::initTestCase()
{
    QLoggingCategory::setFilterRules(u"paydesk.http.access.info=false"_s);
    QVERIFY(m_dir.isValid());
    m_receiver = std::make_unique<Receiver>();
    QVERIFY(m_receiver->isListening());
    const QString receiverCa = m_dir.filePath(u"receiver-ca.pem"_s);
    {
        QFile file(receiverCa);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(m_receiver->ca().toPem());
    }

    const QString dataDir = m_dir.filePath(u"sandbox"_s);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"QT_LOGGING_RULES"_s, u"paydesk.http.access.info=false"_s);
    m_process.setProcessEnvironment(environment);
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start(
        QStringLiteral(PAYDESK_BIN_DIR) + u"/paydesk-sandbox"_s,
        {u"--data-dir"_s, dataDir, u"--port"_s, u"0"_s, u"--time-scale"_s, u"1000"_s, u"--trust-ca"_s, receiverCa});
    QVERIFY2(m_process.waitForStarted(10'000), qPrintable(m_process.errorString()));
    static const QRegularExpression line(u"paydesk-sandbox listening on https://127\\.0\\.0\\.1:(\\d+)\\n"_s);
    QByteArray output;
    const QDeadlineTimer deadline(kWaitMs);
    while (!deadline.hasExpired() && m_port == 0 && m_process.state() == QProcess::Running) {
        m_process.waitForReadyRead(100);
        output += m_process.readAllStandardOutput();
        const QRegularExpressionMatch match = line.match(QString::fromUtf8(output));
        if (match.hasMatch())
            m_port = quint16(match.captured(1).toUInt());
    }
    QVERIFY2(m_port != 0, output.constData());

    m_info = QJsonDocument::fromJson(readFile(dataDir + u"/sandbox.json"_s)).object();
    QCOMPARE(m_info.value(u"base_url"_s).toString(), u"https://127.0.0.1:%1"_s.arg(m_port));
    m_ca = QSslCertificate(readFile(m_info.value(u"ca_file"_s).toString()), QSsl::Pem);
    QVERIFY(!m_ca.isNull());

    const QJsonObject alipayInfo = m_info.value(u"alipay"_s).toObject();
    m_appKey = PrivateKey::fromPem(readFile(alipayInfo.value(u"app_private_key_file"_s).toString())).value();
    m_alipayPublic = PublicKey::fromPem(readFile(alipayInfo.value(u"alipay_public_key_file"_s).toString())).value();
    const QJsonObject wechatInfo = m_info.value(u"wechat"_s).toObject();
    m_mchid = wechatInfo.value(u"mchid"_s).toString();
    m_merchantSerial = wechatInfo.value(u"merchant_serial"_s).toString();
    m_platformSerial = wechatInfo.value(u"platform_serial"_s).toString();
    m_merchantKey = PrivateKey::fromPem(readFile(wechatInfo.value(u"merchant_private_key_file"_s).toString())).value();
    const auto platform = Certificate::fromPem(readFile(wechatInfo.value(u"platform_certificate_file"_s).toString()));
    QVERIFY(platform.ok());
    QCOMPARE(platform->serialNumberHex(), m_platformSerial);
    m_platformPublic = platform->publicKey().value();
    m_apiV3Key = readFile(wechatInfo.value(u"api_v3_key_file"_s).toString());
}

void tst_Sandbox::cleanup()
{
    // Every test starts without faults, whatever the previous one left behind.
    QCOMPARE(control("DELETE", "/control/faults").status, 200);
}

void tst_Sandbox::cleanupTestCase()
{
    if (m_process.state() == QProcess::Running) {
        m_process.terminate();
        QVERIFY(m_process.waitForFinished(kWaitMs));
        QCOMPARE(m_process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_process.exitCode(), 0);
    }
    m_receiver.reset();
}

// --- helpers -------------------------------------------------------------------------------------

std::optional<RawResponse> tst_Sandbox::send(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                             const QByteArray &headers, int timeoutMs)
{
    RawTlsClient client(m_ca);
    if (!client.connectTo(m_port))
        return std::nullopt;
    client.send(method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                + QByteArray::number(body.size()) + "\r\n" + headers + "\r\n" + body);
    return client.readResponse(timeoutMs);
}

RawResponse tst_Sandbox::control(const QByteArray &method, const QByteArray &path, const QJsonObject &body)
{
    const QByteArray bytes = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    return send(method, path, bytes, "Content-Type: application/json\r\n").value_or(RawResponse());
}

QByteArray tst_Sandbox::alipayRequestTarget(const QString &method, const QJsonObject &biz, const QString &notifyUrl,
                                            const PrivateKey &key, const QString &appId, QByteArray *body)
{
    // As the SDKs send it: system parameters in the query string, biz_content in the form body,
    // everything but sign signed (sign_type included).
    FormFields system{{u"app_id"_s, appId},       {u"method"_s, method},       {u"format"_s, u"JSON"_s},
                      {u"charset"_s, u"utf-8"_s}, {u"sign_type"_s, u"RSA2"_s}, {u"timestamp"_s, beijingNow()},
                      {u"version"_s, u"1.0"_s}};
    if (!notifyUrl.isEmpty())
        system.append({u"notify_url"_s, notifyUrl});
    const QString bizText = QString::fromUtf8(QJsonDocument(biz).toJson(QJsonDocument::Compact));
    FormFields all = system;
    all.append({u"biz_content"_s, bizText});
    const QByteArray content = AlipaySignContent::forRequest(all).value();
    system.append({u"sign"_s, QString::fromLatin1(RsaSignature::signBase64(key, content).value())});
    *body = FormUrlEncoded::encode({{u"biz_content"_s, bizText}});
    return "/gateway.do?" + FormUrlEncoded::encode(system);
}

AlipayAnswer tst_Sandbox::alipay(const QString &method, const QJsonObject &biz, const QString &notifyUrl,
                                 const PrivateKey *key, const QString &appId)
{
    QByteArray body;
    const QByteArray target = alipayRequestTarget(method, biz, notifyUrl, key ? *key : m_appKey, appId, &body);
    const auto response
        = send("POST", target, body, "Content-Type: application/x-www-form-urlencoded;charset=utf-8\r\n");
    AlipayAnswer answer;
    if (!response)
        return answer;
    answer.status = response->status;
    const auto extracted = AlipayResponseSign::extract(response->body, AlipayResponseSign::responseKeyFor(method));
    if (!extracted)
        return answer;
    answer.responseKey = extracted->responseKey;
    answer.verified = RsaSignature::verifyBase64(m_alipayPublic, extracted->signedContent, extracted->sign);
    answer.content = QJsonDocument::fromJson(extracted->signedContent).object();
    return answer;
}

WechatAnswer tst_Sandbox::wechat(const QByteArray &method, const QByteArray &target, const QJsonObject &body,
                                 const PrivateKey *key, qint64 clockOffset)
{
    const QByteArray bytes = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    WechatPayAuthorization authorization;
    authorization.mchid = m_mchid.toLatin1();
    authorization.nonce = Random::alphanumeric(32).toLatin1();
    authorization.timestamp = QByteArray::number(QDateTime::currentSecsSinceEpoch() + clockOffset);
    authorization.serialNo = m_merchantSerial.toLatin1();
    const QByteArray header
        = WechatPaySign::signRequest(key ? *key : m_merchantKey, authorization, method, target, bytes).value();
    QByteArray headers = "Authorization: " + header + "\r\nAccept: application/json\r\n";
    if (!bytes.isEmpty())
        headers += "Content-Type: application/json\r\n";
    const auto response = send(method, target, bytes, headers);
    WechatAnswer answer;
    if (!response)
        return answer;
    answer.status = response->status;
    answer.body = response->body;
    answer.json = QJsonDocument::fromJson(response->body).object();
    // Every answer is verified the way wechatpay-go does it, a 204's empty body included.
    const QByteArray message = WechatPaySign::responseMessage(response->header("wechatpay-timestamp"),
                                                              response->header("wechatpay-nonce"), response->body);
    answer.verified = response->header("wechatpay-serial") == m_platformSerial.toLatin1()
        && RsaSignature::verifyBase64(m_platformPublic, message, response->header("wechatpay-signature"));
    return answer;
}

QString tst_Sandbox::notificationState(const QString &outTradeNo, const QString &kind)
{
    const RawResponse response = control("GET", "/control/trades/" + outTradeNo.toUtf8());
    const QJsonArray notifications
        = QJsonDocument::fromJson(response.body).object().value(u"notifications"_s).toArray();
    for (const QJsonValue &value : notifications) {
        if (value.toObject().value(u"kind"_s).toString() == kind)
            return value.toObject().value(u"state"_s).toString();
    }
    return {};
}

bool tst_Sandbox::verifyAlipayNotification(const Delivery &delivery, FormFields *fields) const
{
    // rsaCheckV1: sign and sign_type left out of the content.
    const auto parsed = FormUrlEncoded::parse(delivery.body);
    if (!parsed)
        return false;
    *fields = *parsed;
    const auto content = AlipaySignContent::forNotifyV1(*parsed);
    return content && RsaSignature::verifyBase64(m_alipayPublic, *content, fieldValue(*parsed, u"sign"_s).toLatin1());
}

std::optional<QJsonObject> tst_Sandbox::openWechatNotification(const Delivery &delivery, bool *signatureOk,
                                                               QJsonObject *envelope) const
{
    const QByteArray message = WechatPaySign::responseMessage(delivery.header("wechatpay-timestamp"),
                                                              delivery.header("wechatpay-nonce"), delivery.body);
    *signatureOk = delivery.header("wechatpay-serial") == m_platformSerial.toLatin1()
        && delivery.header("wechatpay-signature-type") == "WECHATPAY2-SHA256-RSA2048"
        && RsaSignature::verifyBase64(m_platformPublic, message, delivery.header("wechatpay-signature"));
    const QJsonObject body = QJsonDocument::fromJson(delivery.body).object();
    if (envelope)
        *envelope = body;
    const QJsonObject resource = body.value(u"resource"_s).toObject();
    if (resource.value(u"algorithm"_s).toString() != u"AEAD_AES_256_GCM"_s)
        return std::nullopt;
    const std::optional<QByteArray> plain = AesGcm::openWechatResource(
        m_apiV3Key, resource.value(u"nonce"_s).toString(), resource.value(u"associated_data"_s).toString(),
        resource.value(u"ciphertext"_s).toString());
    if (!plain)
        return std::nullopt;
    return QJsonDocument::fromJson(*plain).object();
}

QString tst_Sandbox::precreate(const QString &outTradeNo, const QString &amount, const QString &notifyUrl)
{
    const AlipayAnswer answer
        = alipay(u"alipay.trade.precreate"_s,
                 {{u"out_trade_no"_s, outTradeNo}, {u"total_amount"_s, amount}, {u"subject"_s, u"沙箱测试 sandbox"_s}},
                 notifyUrl);
    if (!answer.verified || answer.content.value(u"code"_s).toString() != u"10000"_s)
        return {};
    return answer.content.value(u"qr_code"_s).toString();
}

QString tst_Sandbox::nativePrepay(const QString &outTradeNo, qint64 fen, const QString &notifyUrl)
{
    const WechatAnswer answer = wechat("POST", "/v3/pay/transactions/native",
                                       {{u"appid"_s, u"wx8888888888888888"_s},
                                        {u"mchid"_s, m_mchid},
                                        {u"description"_s, u"沙箱测试"_s},
                                        {u"out_trade_no"_s, outTradeNo},
                                        {u"notify_url"_s, notifyUrl},
                                        {u"amount"_s, QJsonObject{{u"total"_s, fen}, {u"currency"_s, u"CNY"_s}}}});
    if (answer.status != 200 || !answer.verified)
        return {};
    return answer.json.value(u"code_url"_s).toString();
}

QByteArray tst_Sandbox::alipayBillFile(const QString &day)
{
    const AlipayAnswer answer = alipay(u"alipay.data.dataservice.bill.downloadurl.query"_s,
                                       {{u"bill_type"_s, u"trade"_s}, {u"bill_date"_s, day}});
    if (!answer.verified || answer.content.value(u"code"_s).toString() != u"10000"_s)
        return {};
    const QUrl url(answer.content.value(u"bill_download_url"_s).toString());
    const auto file = send("GET", url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority));
    return file && file->status == 200 ? file->body : QByteArray();
}

QByteArray tst_Sandbox::wechatBillFile(const QString &day)
{
    const WechatAnswer answer
        = wechat("GET", "/v3/bill/tradebill?bill_date=" + day.toLatin1() + "&bill_type=ALL&tar_type=GZIP");
    if (answer.status != 200 || !answer.verified)
        return {};
    const QUrl url(answer.json.value(u"download_url"_s).toString());
    const WechatAnswer file = wechat("GET", url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority));
    return file.status == 200 ? file.body : QByteArray();
}

QJsonObject tst_Sandbox::tradeOf(const QString &outTradeNo)
{
    return QJsonDocument::fromJson(control("GET", "/control/trades/" + outTradeNo.toUtf8()).body).object();
}

// --- tests ---------------------------------------------------------------------------------------

void tst_Sandbox::writesSandboxJsonAndKeys()
{
    const QString dataDir = m_dir.filePath(u"sandbox"_s);
    QCOMPARE(permissionsOf(dataDir + u"/sandbox.json"_s), 0644);
    QCOMPARE(m_info.value(u"control_url"_s).toString(), u"https://127.0.0.1:%1/control"_s.arg(m_port));
    const QJsonObject alipayInfo = m_info.value(u"alipay"_s).toObject();
    QCOMPARE(alipayInfo.value(u"app_id"_s).toString(), u"2021000000000001"_s);
    QCOMPARE(alipayInfo.value(u"seller_id"_s).toString(), u"2088000000000001"_s);
    QCOMPARE(alipayInfo.value(u"gateway_url"_s).toString(), u"https://127.0.0.1:%1/gateway.do"_s.arg(m_port));
    QCOMPARE(permissionsOf(alipayInfo.value(u"app_private_key_file"_s).toString()), 0600);
    const QJsonObject wechatInfo = m_info.value(u"wechat"_s).toObject();
    QCOMPARE(wechatInfo.value(u"appid"_s).toString(), u"wx8888888888888888"_s);
    QCOMPARE(permissionsOf(wechatInfo.value(u"merchant_private_key_file"_s).toString()), 0600);
    QCOMPARE(permissionsOf(wechatInfo.value(u"api_v3_key_file"_s).toString()), 0600);
    QCOMPARE(m_apiV3Key.size(), 32);
    QVERIFY(QRegularExpression(u"^[0-9A-F]+$"_s).match(m_platformSerial).hasMatch());
    QVERIFY(!m_merchantSerial.isEmpty());
    const RawResponse info = control("GET", "/control/info");
    QCOMPARE(info.status, 200);
    QCOMPARE(QJsonDocument::fromJson(info.body).object(), m_info);
}

void tst_Sandbox::alipayPrecreatePayNotifyRefund()
{
    const QString outTradeNo = uniqueNo(u"A"_s);
    m_receiver->acknowledgeFrom(u"alipay-flow"_s, 3);
    const AlipayAnswer created
        = alipay(u"alipay.trade.precreate"_s,
                 {{u"out_trade_no"_s, outTradeNo}, {u"total_amount"_s, u"12.34"_s}, {u"subject"_s, u"沙箱 sandbox"_s}},
                 m_receiver->url(u"alipay"_s, u"alipay-flow"_s));
    QVERIFY(created.verified);
    QCOMPARE(created.responseKey, u"alipay_trade_precreate_response"_s);
    QCOMPARE(created.content.value(u"code"_s).toString(), u"10000"_s);
    QCOMPARE(created.content.value(u"out_trade_no"_s).toString(), outTradeNo);
    const QString qrCode = created.content.value(u"qr_code"_s).toString();
    QVERIFY2(qrCode.startsWith(u"https://qr.alipay.com/bax"_s), qPrintable(qrCode));

    // Nobody scanned it yet: Alipay has no such trade.
    const QJsonObject byNo{{u"out_trade_no"_s, outTradeNo}};
    AlipayAnswer queried = alipay(u"alipay.trade.query"_s, byNo);
    QVERIFY(queried.verified);
    QCOMPARE(queried.content.value(u"code"_s).toString(), u"40004"_s);
    QCOMPARE(queried.content.value(u"sub_code"_s).toString(), u"ACQ.TRADE_NOT_EXIST"_s);

    const RawResponse paid = control("POST", "/control/pay", {{u"code"_s, qrCode}});
    QCOMPARE(paid.status, 200);
    const QJsonObject payment = QJsonDocument::fromJson(paid.body).object();
    QCOMPARE(payment.value(u"channel"_s).toString(), u"alipay"_s);
    QCOMPARE(payment.value(u"out_trade_no"_s).toString(), outTradeNo);
    QCOMPARE(payment.value(u"amount"_s).toInteger(), 1234);
    QCOMPARE(payment.value(u"status"_s).toString(), u"TRADE_SUCCESS"_s);

    // Not acknowledged twice, acknowledged the third time, and then no more deliveries.
    QTRY_COMPARE_WITH_TIMEOUT(notificationState(outTradeNo, u"payment"_s), u"acknowledged"_s, kWaitMs);
    const QList<Delivery> deliveries = m_receiver->deliveries(u"alipay-flow"_s);
    QCOMPARE(deliveries.size(), 3);
    QString notifyId;
    for (const Delivery &delivery : deliveries) {
        FormFields fields;
        QVERIFY(verifyAlipayNotification(delivery, &fields));
        QCOMPARE(fieldValue(fields, u"notify_type"_s), u"trade_status_sync"_s);
        QCOMPARE(fieldValue(fields, u"trade_status"_s), u"TRADE_SUCCESS"_s);
        QCOMPARE(fieldValue(fields, u"out_trade_no"_s), outTradeNo);
        QCOMPARE(fieldValue(fields, u"total_amount"_s), u"12.34"_s);
        QCOMPARE(fieldValue(fields, u"buyer_pay_amount"_s), u"12.34"_s);
        QCOMPARE(fieldValue(fields, u"app_id"_s), u"2021000000000001"_s);
        QCOMPARE(fieldValue(fields, u"seller_id"_s), u"2088000000000001"_s);
        QCOMPARE(fieldValue(fields, u"sign_type"_s), u"RSA2"_s);
        QCOMPARE(fieldValue(fields, u"trade_no"_s), payment.value(u"trade_no"_s).toString());
        QVERIFY(fieldValue(fields, u"buyer_logon_id"_s).contains(u'*'));
        QVERIFY(notifyId.isEmpty() || notifyId == fieldValue(fields, u"notify_id"_s));
        notifyId = fieldValue(fields, u"notify_id"_s);
    }
    const RawResponse log = control("GET", "/control/notifications?out_trade_no=" + outTradeNo.toUtf8());
    QCOMPARE(log.status, 200);
    const QJsonArray attempts = QJsonDocument::fromJson(log.body).array();
    QCOMPARE(attempts.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const QJsonObject attempt = attempts.at(i).toObject();
        QCOMPARE(attempt.value(u"attempt"_s).toInt(), i + 1);
        QCOMPARE(attempt.value(u"http_status"_s).toInt(), 200);
        QCOMPARE(attempt.value(u"acknowledged"_s).toBool(), i == 2);
    }
    QCOMPARE(m_receiver->count(u"alipay-flow"_s), 3);

    queried = alipay(u"alipay.trade.query"_s, byNo);
    QVERIFY(queried.verified);
    QCOMPARE(queried.content.value(u"code"_s).toString(), u"10000"_s);
    QCOMPARE(queried.content.value(u"trade_status"_s).toString(), u"TRADE_SUCCESS"_s);
    QCOMPARE(queried.content.value(u"total_amount"_s).toString(), u"12.34"_s);
    QCOMPARE(queried.content.value(u"buyer_pay_amount"_s).toString(), u"12.34"_s);
    QVERIFY(!queried.content.value(u"send_pay_date"_s).toString().isEmpty());

    const auto refund = [&](const QString &amount, const QString &requestNo) {
        return alipay(
            u"alipay.trade.refund"_s,
            {{u"out_trade_no"_s, outTradeNo}, {u"refund_amount"_s, amount}, {u"out_request_no"_s, requestNo}});
    };
    AlipayAnswer refunded = refund(u"5.00"_s, u"R1"_s);
    QVERIFY(refunded.verified);
    QCOMPARE(refunded.content.value(u"code"_s).toString(), u"10000"_s);
    QCOMPARE(refunded.content.value(u"fund_change"_s).toString(), u"Y"_s);
    QCOMPARE(refunded.content.value(u"refund_fee"_s).toString(), u"5.00"_s);
    refunded = refund(u"5.00"_s, u"R1"_s); // the same request again moves no money
    QCOMPARE(refunded.content.value(u"code"_s).toString(), u"10000"_s);
    QCOMPARE(refunded.content.value(u"fund_change"_s).toString(), u"N"_s);
    QCOMPARE(refunded.content.value(u"refund_fee"_s).toString(), u"5.00"_s);
    refunded = refund(u"8.00"_s, u"R2"_s); // 5.00 + 8.00 > 12.34
    QCOMPARE(refunded.content.value(u"code"_s).toString(), u"40004"_s);
    QCOMPARE(refunded.content.value(u"sub_code"_s).toString(), u"ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"_s);
    refunded = refund(u"7.34"_s, u"R3"_s);
    QCOMPARE(refunded.content.value(u"fund_change"_s).toString(), u"Y"_s);
    QCOMPARE(refunded.content.value(u"refund_fee"_s).toString(), u"12.34"_s);

    AlipayAnswer refundQuery = alipay(u"alipay.trade.fastpay.refund.query"_s,
                                      {{u"out_trade_no"_s, outTradeNo}, {u"out_request_no"_s, u"R1"_s}});
    QVERIFY(refundQuery.verified);
    QCOMPARE(refundQuery.content.value(u"refund_status"_s).toString(), u"REFUND_SUCCESS"_s);
    QCOMPARE(refundQuery.content.value(u"refund_amount"_s).toString(), u"5.00"_s);
    refundQuery = alipay(u"alipay.trade.fastpay.refund.query"_s,
                         {{u"out_trade_no"_s, outTradeNo}, {u"out_request_no"_s, u"R9"_s}});
    QCOMPARE(refundQuery.content.value(u"code"_s).toString(), u"10000"_s);
    QVERIFY(!refundQuery.content.contains(u"refund_status"_s));

    // Fully refunded: closed; and a paid trade cannot be closed.
    queried = alipay(u"alipay.trade.query"_s, byNo);
    QCOMPARE(queried.content.value(u"trade_status"_s).toString(), u"TRADE_CLOSED"_s);
    const AlipayAnswer closed = alipay(u"alipay.trade.close"_s, byNo);
    QVERIFY(closed.verified);
    QCOMPARE(closed.content.value(u"sub_code"_s).toString(), u"ACQ.TRADE_STATUS_ERROR"_s);
    m_alipayPaidTrade = outTradeNo;
}

void tst_Sandbox::alipayPaymentAfterClose()
{
    const QString outTradeNo = uniqueNo(u"C"_s);
    const QString qrCode = precreate(outTradeNo, u"1.00"_s, m_receiver->url(u"alipay"_s, u"after-close"_s));
    QVERIFY(!qrCode.isEmpty());
    // Closing an unscanned QR code: Alipay knows no trade, but the code is dead from now on.
    const AlipayAnswer closed = alipay(u"alipay.trade.close"_s, {{u"out_trade_no"_s, outTradeNo}});
    QVERIFY(closed.verified);
    QCOMPARE(closed.content.value(u"sub_code"_s).toString(), u"ACQ.TRADE_NOT_EXIST"_s);

    RawResponse paid = control("POST", "/control/pay", {{u"out_trade_no"_s, outTradeNo}});
    QCOMPARE(paid.status, 409);
    QCOMPARE(QJsonDocument::fromJson(paid.body).object().value(u"error"_s).toObject().value(u"code"_s).toString(),
             u"TRADE_CLOSED"_s);
    paid = control("POST", "/control/pay", {{u"out_trade_no"_s, outTradeNo}, {u"force"_s, true}});
    QCOMPARE(paid.status, 200);
    QVERIFY(QJsonDocument::fromJson(paid.body).object().value(u"paid_after_close"_s).toBool());

    const AlipayAnswer queried = alipay(u"alipay.trade.query"_s, {{u"out_trade_no"_s, outTradeNo}});
    QCOMPARE(queried.content.value(u"trade_status"_s).toString(), u"TRADE_SUCCESS"_s);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->count(u"after-close"_s), 1, kWaitMs);
    const QJsonObject trade
        = QJsonDocument::fromJson(control("GET", "/control/trades/" + outTradeNo.toUtf8()).body).object();
    QVERIFY(trade.value(u"closed"_s).toBool());
    QVERIFY(trade.value(u"paid_after_close"_s).toBool());
}

void tst_Sandbox::alipayAppOrderStringIsPaidByTheBuyersApp()
{
    // alipay.trade.app.pay never reaches the gateway: Paydesk signs an order string and the buyer's
    // app hands it to Alipay. Here the control API plays the app.
    const QString outTradeNo = uniqueNo(u"P"_s);
    QByteArray body;
    const QByteArray target = alipayRequestTarget(
        u"alipay.trade.app.pay"_s,
        {{u"out_trade_no"_s, outTradeNo}, {u"total_amount"_s, u"3.00"_s}, {u"subject"_s, u"app"_s}},
        m_receiver->url(u"alipay"_s, u"app-pay"_s), m_appKey, u"2021000000000001"_s, &body);
    const FormFields query = FormUrlEncoded::parse(target.mid(target.indexOf('?') + 1)).value();
    FormFields all = query + FormUrlEncoded::parse(body).value();
    const QString orderString = QString::fromLatin1(FormUrlEncoded::encode(all));

    const RawResponse paid = control("POST", "/control/pay", {{u"order_string"_s, orderString}});
    QCOMPARE(paid.status, 200);
    QCOMPARE(QJsonDocument::fromJson(paid.body).object().value(u"out_trade_no"_s).toString(), outTradeNo);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->count(u"app-pay"_s), 1, kWaitMs);
    FormFields fields;
    QVERIFY(verifyAlipayNotification(m_receiver->deliveries(u"app-pay"_s).first(), &fields));
    QCOMPARE(fieldValue(fields, u"total_amount"_s), u"3.00"_s);

    // A tampered order string is refused.
    all.last().second += u"x"_s;
    const RawResponse tampered
        = control("POST", "/control/pay", {{u"order_string"_s, QString::fromLatin1(FormUrlEncoded::encode(all))}});
    QCOMPARE(tampered.status, 400);
}

void tst_Sandbox::alipayRejectsBadRequestSignature()
{
    const PrivateKey otherKey = PrivateKey::generateRsa(2048).value();
    const QJsonObject biz{{u"out_trade_no"_s, uniqueNo(u"S"_s)}};
    AlipayAnswer answer = alipay(u"alipay.trade.query"_s, biz, {}, &otherKey);
    QVERIFY(answer.verified); // the refusal itself is signed by Alipay
    QCOMPARE(answer.content.value(u"code"_s).toString(), u"40002"_s);
    QCOMPARE(answer.content.value(u"sub_code"_s).toString(), u"isv.invalid-signature"_s);

    answer = alipay(u"alipay.trade.query"_s, biz, {}, nullptr, u"2021000000009999"_s);
    QCOMPARE(answer.content.value(u"sub_code"_s).toString(), u"isv.invalid-app-id"_s);

    // Changing biz_content after signing breaks the signature.
    QByteArray body;
    const QByteArray target
        = alipayRequestTarget(u"alipay.trade.query"_s, biz, {}, m_appKey, u"2021000000000001"_s, &body);
    const auto response = send("POST", target, body + "x", "Content-Type: application/x-www-form-urlencoded\r\n");
    QVERIFY(response);
    QVERIFY(response->body.contains("isv.invalid-signature"));
}

void tst_Sandbox::wechatNativePayNotifyRefundClose()
{
    const QString outTradeNo = uniqueNo(u"W"_s);
    m_receiver->acknowledgeFrom(u"wechat-flow"_s, 3);
    const QString codeUrl = nativePrepay(outTradeNo, 2500, m_receiver->url(u"wechat"_s, u"wechat-flow"_s));
    QVERIFY2(codeUrl.startsWith(u"weixin://wxpay/bizpayurl?pr="_s), qPrintable(codeUrl));

    const QByteArray queryTarget = "/v3/pay/transactions/out-trade-no/" + outTradeNo.toUtf8() + "?mchid=1900000001";
    WechatAnswer queried = wechat("GET", queryTarget);
    QCOMPARE(queried.status, 200);
    QVERIFY(queried.verified);
    QCOMPARE(queried.json.value(u"trade_state"_s).toString(), u"NOTPAY"_s);

    const RawResponse paid = control("POST", "/control/pay", {{u"code"_s, codeUrl}});
    QCOMPARE(paid.status, 200);
    const QString transactionId = QJsonDocument::fromJson(paid.body).object().value(u"trade_no"_s).toString();
    QTRY_COMPARE_WITH_TIMEOUT(notificationState(outTradeNo, u"payment"_s), u"acknowledged"_s, kWaitMs);
    const QList<Delivery> deliveries = m_receiver->deliveries(u"wechat-flow"_s);
    QCOMPARE(deliveries.size(), 3);
    QString eventId;
    for (const Delivery &delivery : deliveries) {
        bool signatureOk = false;
        QJsonObject envelope;
        const std::optional<QJsonObject> transaction = openWechatNotification(delivery, &signatureOk, &envelope);
        QVERIFY(signatureOk);
        QVERIFY(transaction);
        QCOMPARE(envelope.value(u"event_type"_s).toString(), u"TRANSACTION.SUCCESS"_s);
        QCOMPARE(envelope.value(u"resource_type"_s).toString(), u"encrypt-resource"_s);
        QCOMPARE(envelope.value(u"resource"_s).toObject().value(u"associated_data"_s).toString(), u"transaction"_s);
        QVERIFY(eventId.isEmpty() || eventId == envelope.value(u"id"_s).toString());
        eventId = envelope.value(u"id"_s).toString();
        QCOMPARE(transaction->value(u"out_trade_no"_s).toString(), outTradeNo);
        QCOMPARE(transaction->value(u"transaction_id"_s).toString(), transactionId);
        QCOMPARE(transaction->value(u"trade_state"_s).toString(), u"SUCCESS"_s);
        QCOMPARE(transaction->value(u"trade_type"_s).toString(), u"NATIVE"_s);
        QCOMPARE(transaction->value(u"mchid"_s).toString(), m_mchid);
        QCOMPARE(transaction->value(u"amount"_s).toObject().value(u"total"_s).toInteger(), 2500);
        QCOMPARE(transaction->value(u"amount"_s).toObject().value(u"payer_total"_s).toInteger(), 2500);
    }
    QCOMPARE(m_receiver->count(u"wechat-flow"_s), 3);

    queried = wechat("GET", queryTarget);
    QVERIFY(queried.verified);
    QCOMPARE(queried.json.value(u"trade_state"_s).toString(), u"SUCCESS"_s);
    QCOMPARE(queried.json.value(u"transaction_id"_s).toString(), transactionId);
    queried = wechat("GET", "/v3/pay/transactions/id/" + transactionId.toUtf8() + "?mchid=1900000001");
    QCOMPARE(queried.json.value(u"out_trade_no"_s).toString(), outTradeNo);

    // Refund: PROCESSING at once, SUCCESS (and REFUND.SUCCESS) a scaled moment later.
    const QJsonObject refundRequest{
        {u"out_trade_no"_s, outTradeNo},
        {u"out_refund_no"_s, u"RF"_s + outTradeNo},
        {u"notify_url"_s, m_receiver->url(u"wechat"_s, u"wechat-refund"_s)},
        {u"amount"_s, QJsonObject{{u"refund"_s, 1000}, {u"total"_s, 2500}, {u"currency"_s, u"CNY"_s}}},
    };
    const WechatAnswer refunded = wechat("POST", "/v3/refund/domestic/refunds", refundRequest);
    QCOMPARE(refunded.status, 200);
    QVERIFY(refunded.verified);
    QCOMPARE(refunded.json.value(u"status"_s).toString(), u"PROCESSING"_s);
    QCOMPARE(refunded.json.value(u"amount"_s).toObject().value(u"refund"_s).toInteger(), 1000);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->count(u"wechat-refund"_s), 1, kWaitMs);
    bool signatureOk = false;
    QJsonObject envelope;
    const std::optional<QJsonObject> refundResource
        = openWechatNotification(m_receiver->deliveries(u"wechat-refund"_s).first(), &signatureOk, &envelope);
    QVERIFY(signatureOk);
    QVERIFY(refundResource);
    QCOMPARE(envelope.value(u"event_type"_s).toString(), u"REFUND.SUCCESS"_s);
    QCOMPARE(refundResource->value(u"refund_status"_s).toString(), u"SUCCESS"_s);
    QCOMPARE(refundResource->value(u"out_refund_no"_s).toString(), u"RF"_s + outTradeNo);
    const WechatAnswer refundQuery = wechat("GET", "/v3/refund/domestic/refunds/RF" + outTradeNo.toUtf8());
    QVERIFY(refundQuery.verified);
    QCOMPARE(refundQuery.json.value(u"status"_s).toString(), u"SUCCESS"_s);
    // The same out_refund_no again returns the same refund; too much is refused.
    QCOMPARE(wechat("POST", "/v3/refund/domestic/refunds", refundRequest).json.value(u"refund_id"_s),
             refunded.json.value(u"refund_id"_s));
    QJsonObject tooMuch = refundRequest;
    tooMuch.insert(u"out_refund_no"_s, u"RG"_s + outTradeNo);
    tooMuch.insert(u"amount"_s, QJsonObject{{u"refund"_s, 1600}, {u"total"_s, 2500}, {u"currency"_s, u"CNY"_s}});
    QCOMPARE(wechat("POST", "/v3/refund/domestic/refunds", tooMuch).status, 400);

    // Close: 204 with a signature over the empty body; a paid trade answers ORDERPAID.
    const QByteArray closeBody = "/close";
    WechatAnswer closed = wechat("POST", "/v3/pay/transactions/out-trade-no/" + outTradeNo.toUtf8() + closeBody,
                                 {{u"mchid"_s, m_mchid}});
    QCOMPARE(closed.status, 400);
    QCOMPARE(closed.json.value(u"code"_s).toString(), u"ORDERPAID"_s);
    const QString unpaid = uniqueNo(u"X"_s);
    QVERIFY(!nativePrepay(unpaid, 100, m_receiver->url(u"wechat"_s, u"unused"_s)).isEmpty());
    closed
        = wechat("POST", "/v3/pay/transactions/out-trade-no/" + unpaid.toUtf8() + closeBody, {{u"mchid"_s, m_mchid}});
    QCOMPARE(closed.status, 204);
    QVERIFY(closed.body.isEmpty());
    QVERIFY(closed.verified);
    queried = wechat("GET", "/v3/pay/transactions/out-trade-no/" + unpaid.toUtf8() + "?mchid=1900000001");
    QCOMPARE(queried.json.value(u"trade_state"_s).toString(), u"CLOSED"_s);

    queried = wechat("GET", "/v3/pay/transactions/out-trade-no/NOSUCHTRADE?mchid=1900000001");
    QCOMPARE(queried.status, 404);
    QCOMPARE(queried.json.value(u"code"_s).toString(), u"ORDER_NOT_EXIST"_s);
    m_wechatPaidTrade = outTradeNo;
}

void tst_Sandbox::wechatRejectsBadAuthorization()
{
    const QByteArray target = "/v3/pay/transactions/out-trade-no/ANY?mchid=1900000001";
    const PrivateKey otherKey = PrivateKey::generateRsa(2048).value();
    WechatAnswer answer = wechat("GET", target, {}, &otherKey);
    QCOMPARE(answer.status, 401);
    QCOMPARE(answer.json.value(u"code"_s).toString(), u"SIGN_ERROR"_s);
    answer = wechat("GET", target, {}, nullptr, -301); // outside the 5-minute window
    QCOMPARE(answer.status, 401);
    const auto unsigned_ = send("GET", target);
    QVERIFY(unsigned_);
    QCOMPARE(unsigned_->status, 401);
}

void tst_Sandbox::wechatPlatformCertificates()
{
    const WechatAnswer answer = wechat("GET", "/v3/certificates");
    QCOMPARE(answer.status, 200);
    QVERIFY(answer.verified);
    const QJsonArray data = answer.json.value(u"data"_s).toArray();
    QCOMPARE(data.size(), 1);
    const QJsonObject entry = data.first().toObject();
    QCOMPARE(entry.value(u"serial_no"_s).toString(), m_platformSerial);
    const QJsonObject encrypted = entry.value(u"encrypt_certificate"_s).toObject();
    QCOMPARE(encrypted.value(u"associated_data"_s).toString(), u"certificate"_s);
    const std::optional<QByteArray> pem = AesGcm::openWechatResource(m_apiV3Key, encrypted.value(u"nonce"_s).toString(),
                                                                     encrypted.value(u"associated_data"_s).toString(),
                                                                     encrypted.value(u"ciphertext"_s).toString());
    QVERIFY(pem);
    const auto certificate = Certificate::fromPem(*pem);
    QVERIFY(certificate.ok());
    QCOMPARE(certificate->serialNumberHex(), m_platformSerial);
    QVERIFY(certificate->publicKey().value() == m_platformPublic);
}

void tst_Sandbox::duplicateNotificationsFault()
{
    QCOMPARE(
        control("POST", "/control/faults", {{u"channel"_s, u"wechat"_s}, {u"duplicate_notifications"_s, 2}}).status,
        200);
    const QString outTradeNo = uniqueNo(u"D"_s);
    const QString codeUrl = nativePrepay(outTradeNo, 1000, m_receiver->url(u"wechat"_s, u"duplicates"_s));
    QVERIFY(!codeUrl.isEmpty());
    // The buyer also pays a different amount than ordered: the channel reports what was paid.
    QCOMPARE(control("POST", "/control/pay", {{u"code"_s, codeUrl}, {u"amount"_s, 999}}).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(notificationState(outTradeNo, u"payment"_s), u"acknowledged"_s, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->count(u"duplicates"_s), 3, kWaitMs);
    for (const Delivery &delivery : m_receiver->deliveries(u"duplicates"_s)) {
        bool signatureOk = false;
        const std::optional<QJsonObject> transaction = openWechatNotification(delivery, &signatureOk);
        QVERIFY(signatureOk);
        QCOMPARE(transaction->value(u"amount"_s).toObject().value(u"total"_s).toInteger(), 999);
    }
    const QJsonArray attempts
        = QJsonDocument::fromJson(control("GET", "/control/notifications?out_trade_no=" + outTradeNo.toUtf8()).body)
              .array();
    QCOMPARE(attempts.size(), 3);
    for (const QJsonValue &attempt : attempts)
        QCOMPARE(attempt.toObject().value(u"attempt"_s).toInt(), 1);
}

void tst_Sandbox::badSignatureFault()
{
    QCOMPARE(control("POST", "/control/faults", {{u"channel"_s, u"*"_s}, {u"bad_signature"_s, true}}).status, 200);
    const QString alipayTrade = uniqueNo(u"B"_s);
    const AlipayAnswer created
        = alipay(u"alipay.trade.precreate"_s,
                 {{u"out_trade_no"_s, alipayTrade}, {u"total_amount"_s, u"2.00"_s}, {u"subject"_s, u"bad"_s}},
                 m_receiver->url(u"alipay"_s, u"bad-alipay"_s));
    QCOMPARE(created.content.value(u"code"_s).toString(), u"10000"_s);
    QVERIFY(!created.verified);
    const WechatAnswer queried = wechat("GET", "/v3/pay/transactions/out-trade-no/NONE?mchid=1900000001");
    QCOMPARE(queried.status, 404);
    QVERIFY(!queried.verified);

    QCOMPARE(control("POST", "/control/pay", {{u"code"_s, created.content.value(u"qr_code"_s).toString()}}).status,
             200);
    QTRY_VERIFY_WITH_TIMEOUT(m_receiver->count(u"bad-alipay"_s) >= 1, kWaitMs);
    FormFields fields;
    QVERIFY(!verifyAlipayNotification(m_receiver->deliveries(u"bad-alipay"_s).first(), &fields));
    QCOMPARE(fieldValue(fields, u"out_trade_no"_s), alipayTrade);

    const QString wechatTrade = uniqueNo(u"B"_s);
    const WechatAnswer prepaid = wechat("POST", "/v3/pay/transactions/native",
                                        {{u"appid"_s, u"wx8888888888888888"_s},
                                         {u"mchid"_s, m_mchid},
                                         {u"description"_s, u"bad"_s},
                                         {u"out_trade_no"_s, wechatTrade},
                                         {u"notify_url"_s, m_receiver->url(u"wechat"_s, u"bad-wechat"_s)},
                                         {u"amount"_s, QJsonObject{{u"total"_s, 200}}}});
    QCOMPARE(prepaid.status, 200);
    QVERIFY(!prepaid.verified);
    QCOMPARE(control("POST", "/control/pay", {{u"out_trade_no"_s, wechatTrade}}).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(m_receiver->count(u"bad-wechat"_s) >= 1, kWaitMs);
    bool signatureOk = true;
    openWechatNotification(m_receiver->deliveries(u"bad-wechat"_s).first(), &signatureOk);
    QVERIFY(!signatureOk);
}

void tst_Sandbox::dropAndDelayFaults()
{
    // Dropped attempts count as failed and the schedule goes on: once the fault is gone, the next
    // retry arrives.
    QCOMPARE(control("POST", "/control/faults", {{u"channel"_s, u"wechat"_s}, {u"drop_notifications"_s, true}}).status,
             200);
    const QString dropped = uniqueNo(u"R"_s);
    const QString codeUrl = nativePrepay(dropped, 100, m_receiver->url(u"wechat"_s, u"dropped"_s));
    QVERIFY(!codeUrl.isEmpty());
    QCOMPARE(control("POST", "/control/pay", {{u"code"_s, codeUrl}}).status, 200);
    const auto log = [this](const QString &outTradeNo) {
        return QJsonDocument::fromJson(
                   control("GET", "/control/notifications?out_trade_no=" + outTradeNo.toUtf8()).body)
            .array();
    };
    QTRY_VERIFY_WITH_TIMEOUT(log(dropped).size() >= 2, kWaitMs);
    QVERIFY(log(dropped).first().toObject().value(u"error"_s).toString().contains(u"dropped"_s));
    QCOMPARE(m_receiver->count(u"dropped"_s), 0);
    QCOMPARE(control("DELETE", "/control/faults").status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(notificationState(dropped, u"payment"_s), u"acknowledged"_s, kWaitMs);
    QCOMPARE(m_receiver->count(u"dropped"_s), 1);

    // A delayed notification leaves the given (unscaled) time after the payment.
    QCOMPARE(
        control("POST", "/control/faults", {{u"channel"_s, u"alipay"_s}, {u"delay_notifications_ms"_s, 800}}).status,
        200);
    const QString delayed = uniqueNo(u"L"_s);
    QVERIFY(!precreate(delayed, u"1.00"_s, m_receiver->url(u"alipay"_s, u"delayed"_s)).isEmpty());
    QCOMPARE(control("POST", "/control/pay", {{u"out_trade_no"_s, delayed}}).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(notificationState(delayed, u"payment"_s), u"acknowledged"_s, kWaitMs);
    const QJsonObject trade
        = QJsonDocument::fromJson(control("GET", "/control/trades/" + delayed.toUtf8()).body).object();
    const QDateTime paidAt = QDateTime::fromString(trade.value(u"paid_at"_s).toString(), Qt::ISODateWithMs);
    const QDateTime sentAt
        = QDateTime::fromString(log(delayed).first().toObject().value(u"at"_s).toString(), Qt::ISODateWithMs);
    QVERIFY(paidAt.isValid() && sentAt.isValid());
    QVERIFY2(paidAt.msecsTo(sentAt) >= 800, qPrintable(u"%1 ms"_s.arg(paidAt.msecsTo(sentAt))));
}

void tst_Sandbox::downFault()
{
    QCOMPARE(control("POST", "/control/faults", {{u"channel"_s, u"*"_s}, {u"down"_s, true}}).status, 200);
    QByteArray body;
    const QByteArray target = alipayRequestTarget(u"alipay.trade.query"_s, {{u"out_trade_no"_s, u"X"_s}}, {}, m_appKey,
                                                  u"2021000000000001"_s, &body);
    const auto gateway = send("POST", target, body, "Content-Type: application/x-www-form-urlencoded\r\n");
    QVERIFY(gateway);
    QCOMPARE(gateway->status, 503);
    QCOMPARE(wechat("GET", "/v3/pay/transactions/out-trade-no/X?mchid=1900000001").status, 503);
    QCOMPARE(control("GET", "/control/faults").status, 200); // the control API stays up
    QCOMPARE(control("DELETE", "/control/faults").status, 200);
    QCOMPARE(wechat("GET", "/v3/pay/transactions/out-trade-no/X?mchid=1900000001").status, 404);
}

void tst_Sandbox::timeoutFaultAnswersNeverButActs()
{
    QCOMPARE(control("POST", "/control/faults",
                     {{u"channel"_s, u"alipay"_s}, {u"timeout_operations"_s, QJsonArray{u"precreate"_s}}})
                 .status,
             200);
    const QString outTradeNo = uniqueNo(u"T"_s);
    const QJsonObject biz{{u"out_trade_no"_s, outTradeNo}, {u"total_amount"_s, u"1.00"_s}, {u"subject"_s, u"t"_s}};
    QByteArray body;
    const QByteArray target
        = alipayRequestTarget(u"alipay.trade.precreate"_s, biz, {}, m_appKey, u"2021000000000001"_s, &body);
    // The client gives up (here after 1.5 s); the sandbox has created the trade all the same.
    QVERIFY(!send("POST", target, body, "Content-Type: application/x-www-form-urlencoded\r\n", 1500));
    QCOMPARE(control("GET", "/control/trades/" + outTradeNo.toUtf8()).status, 200);
    QCOMPARE(control("DELETE", "/control/faults").status, 200);
    const AlipayAnswer again = alipay(u"alipay.trade.precreate"_s, biz);
    QVERIFY(again.verified);
    QCOMPARE(again.content.value(u"code"_s).toString(), u"10000"_s);
}

void tst_Sandbox::reverseOrderFault()
{
    QCOMPARE(control("POST", "/control/faults", {{u"channel"_s, u"alipay"_s}, {u"reverse_order"_s, true}}).status, 200);
    const QString url = m_receiver->url(u"alipay"_s, u"reverse"_s);
    const QString first = uniqueNo(u"O"_s);
    const QString second = uniqueNo(u"O"_s);
    for (const QString &outTradeNo : {first, second}) {
        QVERIFY(!precreate(outTradeNo, u"1.00"_s, url).isEmpty());
        QCOMPARE(control("POST", "/control/pay", {{u"out_trade_no"_s, outTradeNo}}).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(notificationState(outTradeNo, u"payment"_s), u"held"_s, kWaitMs);
    }
    QCOMPARE(m_receiver->count(u"reverse"_s), 0);
    QCOMPARE(control("POST", "/control/faults", {{u"channel"_s, u"alipay"_s}, {u"reverse_order"_s, false}}).status,
             200);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->count(u"reverse"_s), 2, kWaitMs);
    const QList<Delivery> deliveries = m_receiver->deliveries(u"reverse"_s);
    FormFields fields;
    QVERIFY(verifyAlipayNotification(deliveries.at(0), &fields));
    QCOMPARE(fieldValue(fields, u"out_trade_no"_s), second);
    QVERIFY(verifyAlipayNotification(deliveries.at(1), &fields));
    QCOMPARE(fieldValue(fields, u"out_trade_no"_s), first);

    // A redelivery on request goes out again at once.
    QCOMPARE(control("POST", "/control/notify", {{u"out_trade_no"_s, first}}).status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->count(u"reverse"_s), 3, kWaitMs);
}

void tst_Sandbox::controlApiErrors()
{
    QCOMPARE(control("POST", "/control/pay", {{u"code"_s, u"weixin://nothing"_s}}).status, 404);
    QCOMPARE(control("POST", "/control/faults", {{u"channel"_s, u"bank"_s}}).status, 400);
    QCOMPARE(control("POST", "/control/faults", {{u"channel"_s, u"*"_s}, {u"duplicate_notifications"_s, 1000}}).status,
             400);
    QCOMPARE(control("GET", "/control/trades/NOSUCH").status, 404);
    QCOMPARE(control("POST", "/control/notify", {{u"out_trade_no"_s, u"NOSUCH"_s}}).status, 404);
    QVERIFY(!m_alipayPaidTrade.isEmpty());
    const RawResponse again = control("POST", "/control/pay", {{u"out_trade_no"_s, m_alipayPaidTrade}});
    QCOMPARE(again.status, 409);
    QCOMPARE(QJsonDocument::fromJson(again.body).object().value(u"error"_s).toObject().value(u"code"_s).toString(),
             u"ALREADY_PAID"_s);
}

void tst_Sandbox::alipayBill()
{
    QVERIFY(!m_alipayPaidTrade.isEmpty());
    const QJsonObject trade
        = QJsonDocument::fromJson(control("GET", "/control/trades/" + m_alipayPaidTrade.toUtf8()).body).object();
    const QString day = trade.value(u"paid_at"_s).toString().left(10);
    const AlipayAnswer answer = alipay(u"alipay.data.dataservice.bill.downloadurl.query"_s,
                                       {{u"bill_type"_s, u"trade"_s}, {u"bill_date"_s, day}});
    QVERIFY(answer.verified);
    QCOMPARE(answer.content.value(u"code"_s).toString(), u"10000"_s);
    const QUrl url(answer.content.value(u"bill_download_url"_s).toString());
    QCOMPARE(url.port(), int(m_port));
    const auto file = send("GET", url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority));
    QVERIFY(file);
    QCOMPARE(file->status, 200);

    const QList<ZipEntry> entries = readStoredZip(file->body);
    QCOMPARE(entries.size(), 2);
    QStringDecoder gbk("GBK");
    QVERIFY(gbk.isValid());
    const QString dayText = QString(day).remove(u'-');
    QCOMPARE(gbk.decode(entries.at(0).name), u"20880000000000010156_%1_业务明细.csv"_s.arg(dayText));
    QVERIFY(entries.at(0).crcOk);
    const QString csv = gbk.decode(entries.at(0).data);
    const QStringList lines = csv.split(u'\n');
    QCOMPARE(lines.at(0), u"#支付宝业务明细查询"_s);
    QVERIFY(lines.at(4).startsWith(u"支付宝交易号,商户订单号,业务类型"_s));
    QCOMPARE(lines.at(4).split(u',').size(), 25);
    QStringList rows;
    for (const QString &line : lines) {
        if (line.contains(m_alipayPaidTrade))
            rows.append(line);
    }
    QCOMPARE(rows.size(), 3); // the payment and two refunds
    QVERIFY(rows.at(0).contains(u",交易\t,"_s));
    QCOMPARE(rows.at(0).split(u',').at(11), u"12.34"_s);
    QVERIFY(rows.at(1).contains(u",退款\t,"_s));
    QCOMPARE(rows.at(1).split(u',').at(11), u"-5.00"_s);
    QCOMPARE(rows.at(1).split(u',').at(21), u"R1\t"_s);
    QVERIFY(csv.contains(u"#交易合计："_s));
}

void tst_Sandbox::wechatBill()
{
    QVERIFY(!m_wechatPaidTrade.isEmpty());
    const QJsonObject trade
        = QJsonDocument::fromJson(control("GET", "/control/trades/" + m_wechatPaidTrade.toUtf8()).body).object();
    const QByteArray day = trade.value(u"paid_at"_s).toString().left(10).toLatin1();
    WechatAnswer answer = wechat("GET", "/v3/bill/tradebill?bill_date=" + day + "&bill_type=ALL");
    QCOMPARE(answer.status, 200);
    QVERIFY(answer.verified);
    QCOMPARE(answer.json.value(u"hash_type"_s).toString(), u"SHA1"_s);
    const QUrl url(answer.json.value(u"download_url"_s).toString());
    const WechatAnswer file = wechat("GET", url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority));
    QCOMPARE(file.status, 200);
    QCOMPARE(Digest::sha1Hex(file.body), answer.json.value(u"hash_value"_s).toString().toLatin1());
    QVERIFY(file.body.startsWith("\xef\xbb\xbf" + u"交易时间,公众账号ID,商户号"_s.toUtf8())); // BOM first
    const QString csv = QString::fromUtf8(file.body);
    QVERIFY(csv.contains(u",`"_s + m_wechatPaidTrade + u",`"_s));
    QVERIFY(csv.contains(u"\r\n总交易单数,应结订单总金额,退款总金额"_s));
    const QStringList lines = csv.split(u"\r\n"_s);
    QCOMPARE(lines.at(0).split(u',').size(), 27);

    // GZIP: the same CSV, compressed; its gzip trailer carries the CSV's CRC-32 and size.
    answer = wechat("GET", "/v3/bill/tradebill?bill_date=" + day + "&bill_type=ALL&tar_type=GZIP");
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.json.value(u"hash_value"_s).toString().toLatin1(), Digest::sha1Hex(file.body));
    const QUrl gzipUrl(answer.json.value(u"download_url"_s).toString());
    const WechatAnswer gzipped = wechat("GET", gzipUrl.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority));
    QCOMPARE(gzipped.status, 200);
    QVERIFY(gzipped.body.startsWith("\x1f\x8b"));
    QCOMPARE(le32(gzipped.body, gzipped.body.size() - 8), crc32Of(file.body));
    QCOMPARE(le32(gzipped.body, gzipped.body.size() - 4), quint32(file.body.size()));

    answer = wechat("GET", "/v3/bill/tradebill?bill_date=2001-01-01");
    QCOMPARE(answer.status, 400);
    QCOMPARE(answer.json.value(u"code"_s).toString(), u"NO_STATEMENT_EXIST"_s);
}

void tst_Sandbox::alipayBillFaults()
{
    using paydesk::recon::BillFormat;
    // Four trades of 10.00 paid now: one billed as stated, one with another amount, one left out,
    // one booked on tomorrow's bill; and one trade that only Alipay knows.
    const QString plainNo = uniqueNo(u"BP"_s);
    const QString amountNo = uniqueNo(u"BA"_s);
    const QString omitNo = uniqueNo(u"BO"_s);
    const QString nextDayNo = uniqueNo(u"BN"_s);
    const QString onlyNo = uniqueNo(u"BX"_s);
    for (const QString &no : {plainNo, amountNo, omitNo, nextDayNo}) {
        const QString code = precreate(no, u"10.00"_s, QString());
        QVERIFY(!code.isEmpty());
        QCOMPARE(control("POST", "/control/pay", {{u"code"_s, code}}).status, 200);
    }
    QCOMPARE(control("POST", "/control/trades/" + amountNo.toUtf8() + "/bill", {{u"amount"_s, 999}}).status, 200);
    QCOMPARE(control("POST", "/control/trades/" + omitNo.toUtf8() + "/bill", {{u"omit"_s, true}}).status, 200);
    const RawResponse shifted = control("POST", "/control/trades/" + nextDayNo.toUtf8() + "/bill",
                                        {{u"channel"_s, u"alipay"_s}, {u"day_shift"_s, 1}});
    QCOMPARE(shifted.status, 200);
    QCOMPARE(QJsonDocument::fromJson(shifted.body).object().value(u"bill"_s).toObject().value(u"day_shift"_s).toInt(),
             1);
    const RawResponse created = control("POST", "/control/bill-trades",
                                        {{u"channel"_s, u"alipay"_s}, {u"out_trade_no"_s, onlyNo}, {u"amount"_s, 555}});
    QCOMPARE(created.status, 201);
    const QString onlyTradeNo = QJsonDocument::fromJson(created.body).object().value(u"trade_no"_s).toString();
    QCOMPARE(onlyTradeNo.size(), 28);

    // The channel-only trade answers queries like any paid trade.
    const AlipayAnswer queried = alipay(u"alipay.trade.query"_s, {{u"out_trade_no"_s, onlyNo}});
    QVERIFY(queried.verified);
    QCOMPARE(queried.content.value(u"code"_s).toString(), u"10000"_s);
    QCOMPARE(queried.content.value(u"trade_status"_s).toString(), u"TRADE_SUCCESS"_s);
    QCOMPARE(queried.content.value(u"trade_no"_s).toString(), onlyTradeNo);
    QCOMPARE(queried.content.value(u"total_amount"_s).toString(), u"5.55"_s);

    const QJsonObject plain = tradeOf(plainNo);
    const QString day = plain.value(u"paid_at"_s).toString().left(10);
    const BillContent today = readBill(BillFormat::AlipayTradeZip, alipayBillFile(day));
    QCOMPARE(today.error, QString());
    QVERIFY(today.addsUp);
    QCOMPARE(today.payments.value(plainNo).amount, 1000);
    QCOMPARE(today.payments.value(plainNo).feeMillifen, 6000); // 0.6% of 10.00
    QCOMPARE(today.payments.value(plainNo).channelTradeNo, plain.value(u"trade_no"_s).toString().toUtf8());
    QCOMPARE(today.payments.value(amountNo).amount, 999);
    QVERIFY(!today.payments.contains(omitNo));
    QVERIFY(!today.payments.contains(nextDayNo));
    QCOMPARE(today.payments.value(onlyNo).amount, 555);
    QCOMPARE(today.payments.value(onlyNo).channelTradeNo, onlyTradeNo.toUtf8());

    // Tomorrow's bill exists and books the shifted payment a day later.
    const QString tomorrow = QDate::fromString(day, Qt::ISODate).addDays(1).toString(Qt::ISODate);
    const BillContent next = readBill(BillFormat::AlipayTradeZip, alipayBillFile(tomorrow));
    QCOMPARE(next.error, QString());
    QVERIFY(next.addsUp);
    QVERIFY(next.payments.contains(nextDayNo));
    const qint64 paidAtMs = QDateTime::fromString(tradeOf(nextDayNo).value(u"paid_at"_s).toString(), Qt::ISODateWithMs)
                                .toMSecsSinceEpoch();
    QCOMPARE(next.payments.value(nextDayNo).bookedAtMs, paidAtMs / 1000 * 1000 + 24 * 3600 * 1000);
    QVERIFY(!next.payments.contains(plainNo));
    // The day after tomorrow has no bill yet.
    const QString later = QDate::fromString(day, Qt::ISODate).addDays(2).toString(Qt::ISODate);
    QVERIFY(alipayBillFile(later).isEmpty());
}

void tst_Sandbox::wechatBillFaults()
{
    using paydesk::recon::BillFormat;
    const QString notifyUrl = m_receiver->url(u"wechat"_s, u"bill-faults"_s);
    const QString plainNo = uniqueNo(u"WBP"_s);
    const QString amountNo = uniqueNo(u"WBA"_s);
    const QString omitNo = uniqueNo(u"WBO"_s);
    const QString previousDayNo = uniqueNo(u"WBY"_s);
    const QString onlyNo = uniqueNo(u"WBX"_s);
    for (const QString &no : {plainNo, amountNo, omitNo, previousDayNo}) {
        const QString code = nativePrepay(no, 2000, notifyUrl);
        QVERIFY(!code.isEmpty());
        QCOMPARE(control("POST", "/control/pay", {{u"code"_s, code}}).status, 200);
    }
    QCOMPARE(control("POST", "/control/trades/" + amountNo.toUtf8() + "/bill", {{u"amount"_s, 1999}}).status, 200);
    QCOMPARE(control("POST", "/control/trades/" + omitNo.toUtf8() + "/bill", {{u"omit"_s, true}}).status, 200);
    QCOMPARE(control("POST", "/control/trades/" + previousDayNo.toUtf8() + "/bill", {{u"day_shift"_s, -1}}).status,
             200);
    const RawResponse created = control("POST", "/control/bill-trades",
                                        {{u"channel"_s, u"wechat"_s}, {u"out_trade_no"_s, onlyNo}, {u"amount"_s, 777}});
    QCOMPARE(created.status, 201);
    const QString onlyTransactionId = QJsonDocument::fromJson(created.body).object().value(u"trade_no"_s).toString();
    QVERIFY(onlyTransactionId.startsWith(u"4200000"_s));

    const WechatAnswer queried
        = wechat("GET", "/v3/pay/transactions/out-trade-no/" + onlyNo.toUtf8() + "?mchid=" + m_mchid.toUtf8());
    QCOMPARE(queried.status, 200);
    QVERIFY(queried.verified);
    QCOMPARE(queried.json.value(u"trade_state"_s).toString(), u"SUCCESS"_s);
    QCOMPARE(queried.json.value(u"transaction_id"_s).toString(), onlyTransactionId);
    QCOMPARE(queried.json.value(u"amount"_s).toObject().value(u"total"_s).toInteger(), 777);

    const QString day = tradeOf(plainNo).value(u"paid_at"_s).toString().left(10);
    const BillContent today = readBill(BillFormat::WechatTradeGzip, wechatBillFile(day));
    QCOMPARE(today.error, QString());
    QVERIFY(today.addsUp);
    QCOMPARE(today.payments.value(plainNo).amount, 2000);
    QCOMPARE(today.payments.value(plainNo).feeMillifen, 12000); // "0.12000"
    QCOMPARE(today.payments.value(amountNo).amount, 1999);
    QVERIFY(!today.payments.contains(omitNo));
    QVERIFY(!today.payments.contains(previousDayNo));
    QCOMPARE(today.payments.value(onlyNo).amount, 777);
    QCOMPARE(today.payments.value(onlyNo).channelTradeNo, onlyTransactionId.toUtf8());

    const QString yesterday = QDate::fromString(day, Qt::ISODate).addDays(-1).toString(Qt::ISODate);
    const BillContent previous = readBill(BillFormat::WechatTradeGzip, wechatBillFile(yesterday));
    QCOMPARE(previous.error, QString());
    QVERIFY(previous.addsUp);
    QCOMPARE(previous.payments.value(previousDayNo).amount, 2000);
    QVERIFY(!previous.payments.contains(plainNo));
}

void tst_Sandbox::billFaultControlErrors()
{
    const QString outTradeNo = uniqueNo(u"BE"_s);
    const QByteArray path = "/control/trades/" + outTradeNo.toUtf8() + "/bill";
    QVERIFY(!precreate(outTradeNo, u"1.00"_s, QString()).isEmpty());
    const auto errorOf = [](const RawResponse &response) {
        return QJsonDocument::fromJson(response.body).object().value(u"error"_s).toObject().value(u"code"_s).toString();
    };
    for (const QJsonObject &body :
         {QJsonObject{}, QJsonObject{{u"day_shift"_s, 2}}, QJsonObject{{u"day_shift"_s, 0.5}},
          QJsonObject{{u"day_shift"_s, u"1"_s}}, QJsonObject{{u"amount"_s, -5}}, QJsonObject{{u"amount"_s, 0}},
          QJsonObject{{u"amount"_s, u"5.00"_s}}, QJsonObject{{u"omit"_s, u"yes"_s}},
          QJsonObject{{u"omit"_s, true}, {u"bogus"_s, 1}}, QJsonObject{{u"omit"_s, true}, {u"channel"_s, u"bank"_s}}}) {
        const RawResponse response = control("POST", path, body);
        QCOMPARE(response.status, 400);
        QCOMPARE(errorOf(response), u"VALIDATION_FAILED"_s);
    }
    QCOMPARE(control("POST", "/control/trades/NOSUCH/bill", {{u"omit"_s, true}}).status, 404);
    // amount null clears an amount fault; faults can be set before the payment.
    QCOMPARE(control("POST", path, {{u"amount"_s, 50}}).status, 200);
    QCOMPARE(tradeOf(outTradeNo).value(u"bill"_s).toObject().value(u"amount"_s).toInteger(), 50);
    QCOMPARE(control("POST", path, {{u"amount"_s, QJsonValue::Null}}).status, 200);
    QVERIFY(!tradeOf(outTradeNo).contains(u"bill"_s));

    for (const QJsonObject &body :
         {QJsonObject{{u"out_trade_no"_s, u"BX1"_s}, {u"amount"_s, 1}},
          QJsonObject{{u"channel"_s, u"bankpay"_s}, {u"out_trade_no"_s, u"BX1"_s}, {u"amount"_s, 1}},
          QJsonObject{{u"channel"_s, u"wechat"_s}, {u"out_trade_no"_s, u"BX1"_s}, {u"amount"_s, 1}}, // too short
          QJsonObject{{u"channel"_s, u"alipay"_s}, {u"out_trade_no"_s, u"no spaces"_s}, {u"amount"_s, 1}},
          QJsonObject{{u"channel"_s, u"alipay"_s}, {u"out_trade_no"_s, u"BX1"_s}},
          QJsonObject{{u"channel"_s, u"alipay"_s}, {u"out_trade_no"_s, u"BX1"_s}, {u"amount"_s, u"1"_s}},
          QJsonObject{{u"channel"_s, u"alipay"_s}, {u"out_trade_no"_s, u"BX1"_s}, {u"amount"_s, 1.5}},
          QJsonObject{{u"channel"_s, u"alipay"_s}, {u"out_trade_no"_s, u"BX1"_s}, {u"amount"_s, 1}, {u"x"_s, 1}}}) {
        const RawResponse response = control("POST", "/control/bill-trades", body);
        QCOMPARE(response.status, 400);
        QCOMPARE(errorOf(response), u"VALIDATION_FAILED"_s);
    }
    const RawResponse duplicate
        = control("POST", "/control/bill-trades",
                  {{u"channel"_s, u"alipay"_s}, {u"out_trade_no"_s, outTradeNo}, {u"amount"_s, 100}});
    QCOMPARE(duplicate.status, 409);
    QCOMPARE(errorOf(duplicate), u"TRADE_EXISTS"_s);
}

void tst_Sandbox::bankpayPayoutOverTheWire()
{
    const QJsonObject info = m_info.value(u"bankpay"_s).toObject();
    QCOMPARE(info.value(u"merchant_id"_s).toString(), u"10012345678"_s);
    QCOMPARE(info.value(u"gateway_url"_s).toString(), u"https://127.0.0.1:%1/bankpay"_s.arg(m_port));
    QCOMPARE(permissionsOf(info.value(u"merchant_private_key_file"_s).toString()), 0600);
    const auto merchantKey = PrivateKey::fromPem(readFile(info.value(u"merchant_private_key_file"_s).toString()));
    const auto providerKey = PublicKey::fromPem(readFile(info.value(u"provider_public_key_file"_s).toString()));
    QVERIFY(merchantKey && providerKey);
    QCOMPARE(BankpayProtocol::keyIdOf(*providerKey), info.value(u"provider_key_id"_s).toString());
    QCOMPARE(BankpayProtocol::keyIdOf(merchantKey->publicKey()), info.value(u"merchant_key_id"_s).toString());
    // wechat_transfer is the WeChat Pay merchant of "wechat", calling another product.
    const QJsonObject transfer = m_info.value(u"wechat_transfer"_s).toObject();
    QCOMPARE(transfer.value(u"mchid"_s).toString(), m_mchid);
    QCOMPARE(transfer.value(u"platform_serial"_s).toString(), m_platformSerial);

    const auto call = [&](const QByteArray &path, QJsonObject fields, const PrivateKey &key) {
        fields.insert(u"merchant_id"_s, u"10012345678"_s);
        fields.insert(u"timestamp"_s, QString::number(QDateTime::currentSecsSinceEpoch()));
        fields.insert(u"nonce"_s, Random::alphanumeric(32));
        const QByteArray body = BankpayProtocol::serialize(*BankpayProtocol::sign(key, fields));
        const std::optional<RawResponse> response = send("POST", path, body, "Content-Type: application/json\r\n");
        return response ? QJsonDocument::fromJson(response->body).object() : QJsonObject();
    };
    const QString payoutNo = uniqueNo(u"BP"_s);
    const QJsonObject payout{{u"payout_no"_s, payoutNo},
                             {u"amount"_s, u"100.05"_s},
                             {u"bank_code"_s, u"ICBC"_s},
                             {u"account_no"_s, u"6222021234567890123"_s},
                             {u"account_name"_s, u"张三"_s}};
    const QJsonObject answer = call("/bankpay/v1/payout", payout, *merchantKey);
    QCOMPARE(answer.value(u"code"_s).toString(), u"SUCCESS"_s);
    QCOMPARE(BankpayProtocol::verify(*providerKey, answer), QString());
    QCOMPARE(answer.value(u"key_id"_s).toString(), info.value(u"provider_key_id"_s).toString());
    QCOMPARE(answer.value(u"amount"_s).toString(), u"100.05"_s);
    QCOMPARE(answer.value(u"status"_s).toString(), u"PROCESSING"_s);
    QVERIFY(!answer.contains(u"account_no"_s)); // never echoed
    QTRY_COMPARE_WITH_TIMEOUT(
        call("/bankpay/v1/payout/query", {{u"payout_no"_s, payoutNo}}, *merchantKey).value(u"status"_s).toString(),
        u"SUCCESS"_s, kWaitMs);

    // Signed with another key: refused, and the refusal is signed too.
    const auto stranger = PrivateKey::generateRsa(2048);
    QVERIFY(stranger);
    const QJsonObject refused = call("/bankpay/v1/payout", payout, *stranger);
    QCOMPARE(refused.value(u"code"_s).toString(), u"SIGN_ERROR"_s);
    QCOMPARE(BankpayProtocol::verify(*providerKey, refused), QString());
    const QJsonObject missing = call("/bankpay/v1/payout/query", {{u"payout_no"_s, u"NOSUCH1"_s}}, *merchantKey);
    QCOMPARE(missing.value(u"code"_s).toString(), u"PAYOUT_NOT_FOUND"_s);
}

void tst_Sandbox::payoutFaultsAndControlErrors()
{
    // Payout faults belong to the payout providers.
    QCOMPARE(control("POST", "/control/faults", {{u"channel"_s, u"alipay"_s}, {u"fail_next_payouts"_s, 1}}).status,
             400);
    QCOMPARE(control("POST", "/control/faults", {{u"channel"_s, u"bankpay"_s}, {u"processing_queries"_s, -1}}).status,
             400);
    const RawResponse set = control("POST", "/control/faults",
                                    {{u"channel"_s, u"*"_s}, {u"fail_next_payouts"_s, 2}, {u"fail_code"_s, u"X"_s}});
    QCOMPARE(set.status, 200);
    const QJsonObject faults = QJsonDocument::fromJson(set.body).object();
    QCOMPARE(faults.value(u"bankpay"_s).toObject().value(u"fail_next_payouts"_s).toInt(), 2);
    QCOMPARE(faults.value(u"wechat_transfer"_s).toObject().value(u"fail_code"_s).toString(), u"X"_s);
    QVERIFY(!faults.value(u"alipay"_s).toObject().contains(u"fail_next_payouts"_s));
    QCOMPARE(control("POST", "/control/faults",
                     {{u"channel"_s, u"bankpay"_s}, {u"timeout_operations"_s, QJsonArray{u"verify_card"_s}}})
                 .status,
             200);

    QCOMPARE(control("GET", "/control/payouts/NOSUCH1").status, 404);
    QCOMPARE(control("GET", "/control/payouts/NOSUCH1?provider=alipay").status, 400);
    QCOMPARE(control("POST", "/control/cards/invalid", {{u"card_no"_s, u"12ab"_s}}).status, 400);
    QCOMPARE(control("POST", "/control/payouts/notify", {{u"payout_no"_s, u"NOSUCH1"_s}}).status, 409);
    const RawResponse listed = control("POST", "/control/cards/invalid", {{u"card_no"_s, u"6217000011112222333"_s}});
    QCOMPARE(listed.status, 200);
    QCOMPARE(QJsonDocument::fromJson(listed.body).object().value(u"invalid_cards"_s).toInt(), 1);
    QCOMPARE(control("DELETE", "/control/cards/invalid").status, 200);
}

QTEST_GUILESS_MAIN(tst_Sandbox)
#include "tst_sandbox.moc"
