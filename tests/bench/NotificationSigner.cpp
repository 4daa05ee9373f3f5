#include "NotificationSigner.h"

#include "common/crypto/AesGcm.h"
#include "common/crypto/Random.h"
#include "common/crypto/RsaSignature.h"
#include "common/money/Money.h"
#include "common/protocol/AlipaySignContent.h"
#include "common/protocol/FormUrlEncoded.h"
#include "common/protocol/WechatPaySign.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>
#include <QUuid>

#include <thread>
#include <vector>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

QDateTime inBeijing(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::OffsetFromUTC, 8 * 3600);
}

// Alipay's "yyyy-MM-dd HH:mm:ss" in UTC+8.
QString beijingTime(qint64 ms)
{
    return inBeijing(ms).toString(u"yyyy-MM-dd HH:mm:ss"_s);
}

// WeChat Pay's RFC 3339 with +08:00.
QString beijingRfc3339(qint64 ms)
{
    return inBeijing(ms).toString(u"yyyy-MM-dd'T'HH:mm:ss'+08:00'"_s);
}

QString yuan(qint64 fen)
{
    return Money::fromMinor(fen).toString();
}

std::optional<QByteArray> readFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1"_s.arg(path);
        return std::nullopt;
    }
    return file.readAll();
}

QByteArray httpPost(const QString &path, const QList<std::pair<QByteArray, QByteArray>> &headers,
                    const QByteArray &body)
{
    QByteArray request = "POST " + path.toUtf8() + " HTTP/1.1\r\nHost: localhost\r\n";
    for (const auto &[name, value] : headers)
        request += name + ": " + value + "\r\n";
    request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    return request + body;
}

} // namespace

std::unique_ptr<NotificationSigner> NotificationSigner::load(const QString &sandboxDir, const QJsonObject &manifest,
                                                             QString *error)
{
    std::unique_ptr<NotificationSigner> signer(new NotificationSigner);
    const auto alipayPem = readFile(sandboxDir + u"/alipay/alipay_private_key.pem"_s, error);
    const auto platformPem = readFile(sandboxDir + u"/wechat/platform_private_key.pem"_s, error);
    const auto apiV3Key = readFile(sandboxDir + u"/wechat/apiv3_key.txt"_s, error);
    if (!alipayPem || !platformPem || !apiV3Key)
        return nullptr;
    const auto alipayKey = PrivateKey::fromPem(*alipayPem);
    const auto platformKey = PrivateKey::fromPem(*platformPem);
    if (!alipayKey || !platformKey) {
        *error = u"cannot load the sandbox's private keys: "_s + alipayKey.error() + platformKey.error();
        return nullptr;
    }
    signer->m_alipayKey = *alipayKey;
    signer->m_platformKey = *platformKey;
    signer->m_apiV3Key = *apiV3Key;
    const QJsonObject alipay = manifest.value(u"alipay"_s).toObject();
    const QJsonObject wechat = manifest.value(u"wechat"_s).toObject();
    signer->m_platformSerial = wechat.value(u"platform_serial"_s).toString();
    signer->m_alipayAppId = alipay.value(u"app_id"_s).toString();
    signer->m_alipaySellerId = alipay.value(u"seller_id"_s).toString();
    signer->m_wechatAppId = wechat.value(u"appid"_s).toString();
    signer->m_wechatMchId = wechat.value(u"mchid"_s).toString();
    signer->m_runTag = qint64(Random::uniform(1'000'000));
    return signer;
}

QString NotificationSigner::uniqueDigits(int width) const
{
    // Unique within the run (a random tag for the run, then a counter), in the channels' all-digit
    // identifier shapes: at least 15 digits, zero-padded on the left to width.
    const qint64 sequence = ++m_sequence;
    const QString digits = u"%1%2"_s.arg(m_runTag, 6, 10, QChar(u'0')).arg(sequence, 9, 10, QChar(u'0'));
    return digits.size() >= width ? digits.right(width) : digits.rightJustified(width, u'0');
}

QByteArray NotificationSigner::alipay(const Payment &payment, const QString &channelId) const
{
    const QString paid = yuan(payment.amount);
    const QString day = beijingTime(payment.paidAtMs).left(10).remove(u'-');
    // The field set and order of AlipaySim::addPaymentNotification, then renderNotification's
    // notify_time, sign_type and sign.
    FormFields fields{
        {u"gmt_create"_s, beijingTime(payment.createdAtMs)},
        {u"charset"_s, u"utf-8"_s},
        {u"subject"_s, payment.subject},
        {u"buyer_id"_s, u"2088"_s + uniqueDigits(12)},
        {u"invoice_amount"_s, paid},
        {u"notify_id"_s, day + u"00222"_s + uniqueDigits(21)},
        {u"fund_bill_list"_s, u"[{\"amount\":\"%1\",\"fundChannel\":\"ALIPAYACCOUNT\"}]"_s.arg(paid)},
        {u"notify_type"_s, u"trade_status_sync"_s},
        {u"trade_status"_s, u"TRADE_SUCCESS"_s},
        {u"receipt_amount"_s, paid},
        {u"buyer_pay_amount"_s, paid},
        {u"app_id"_s, m_alipayAppId},
        {u"seller_id"_s, m_alipaySellerId},
        {u"gmt_payment"_s, beijingTime(payment.paidAtMs)},
        {u"version"_s, u"1.0"_s},
        {u"out_trade_no"_s, payment.orderNo},
        {u"total_amount"_s, paid},
        {u"trade_no"_s, day + u"22001"_s + uniqueDigits(15)},
        {u"auth_app_id"_s, m_alipayAppId},
        {u"buyer_logon_id"_s, u"sbx***@sandbox.example"_s},
        {u"point_amount"_s, u"0.00"_s},
    };
    fields.append({u"notify_time"_s, beijingTime(QDateTime::currentMSecsSinceEpoch())});
    const QByteArray content = AlipaySignContent::forNotifyV1(fields).value();
    const auto sign = RsaSignature::signBase64(m_alipayKey, content);
    fields.append({u"sign_type"_s, u"RSA2"_s});
    fields.append({u"sign"_s, sign ? QString::fromLatin1(*sign) : QString()});
    return httpPost(u"/notify/alipay/"_s + channelId,
                    {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
                    FormUrlEncoded::encode(fields));
}

QByteArray NotificationSigner::wechat(const Payment &payment, const QString &channelId) const
{
    // WechatSim::transactionJson of a paid native trade.
    const QJsonObject transaction{
        {u"appid"_s, m_wechatAppId},
        {u"mchid"_s, m_wechatMchId},
        {u"out_trade_no"_s, payment.orderNo},
        {u"trade_state"_s, u"SUCCESS"_s},
        {u"trade_state_desc"_s, u"支付成功"_s},
        {u"attach"_s, QString()},
        {u"promotion_detail"_s, QJsonArray()},
        {u"transaction_id"_s, u"4200"_s + uniqueDigits(24)},
        {u"trade_type"_s, u"NATIVE"_s},
        {u"bank_type"_s, u"OTHERS"_s},
        {u"success_time"_s, beijingRfc3339(payment.paidAtMs)},
        {u"payer"_s, QJsonObject{{u"openid"_s, u"o"_s + Random::alphanumeric(27)}}},
        {u"amount"_s,
         QJsonObject{{u"total"_s, payment.amount},
                     {u"currency"_s, u"CNY"_s},
                     {u"payer_currency"_s, u"CNY"_s},
                     {u"payer_total"_s, payment.amount}}},
    };
    // WechatSim::renderNotification.
    const QString associatedData = u"transaction"_s;
    const QString resourceNonce = Random::alphanumeric(12);
    const std::optional<QByteArray> ciphertext = AesGcm::sealWechatResource(
        m_apiV3Key, resourceNonce, associatedData, QJsonDocument(transaction).toJson(QJsonDocument::Compact));
    const QJsonObject envelope{
        {u"id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {u"create_time"_s, beijingRfc3339(payment.paidAtMs)},
        {u"resource_type"_s, u"encrypt-resource"_s},
        {u"event_type"_s, u"TRANSACTION.SUCCESS"_s},
        {u"summary"_s, u"支付成功"_s},
        {u"resource"_s,
         QJsonObject{
             {u"original_type"_s, associatedData},
             {u"algorithm"_s, u"AEAD_AES_256_GCM"_s},
             {u"ciphertext"_s, QString::fromLatin1(ciphertext.value_or(QByteArray()))},
             {u"associated_data"_s, associatedData},
             {u"nonce"_s, resourceNonce},
         }},
    };
    const QByteArray body = QJsonDocument(envelope).toJson(QJsonDocument::Compact);
    const QByteArray timestamp = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    const QByteArray nonce = Random::alphanumeric(32).toLatin1();
    const auto signature
        = RsaSignature::signBase64(m_platformKey, WechatPaySign::responseMessage(timestamp, nonce, body));
    return httpPost(u"/notify/wechat/"_s + channelId,
                    {{"Wechatpay-Timestamp", timestamp},
                     {"Wechatpay-Nonce", nonce},
                     {"Wechatpay-Serial", m_platformSerial.toLatin1()},
                     {"Wechatpay-Signature", signature ? *signature : QByteArray()},
                     {"Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048"},
                     {"Content-Type", "application/json"}},
                    body);
}

QList<QByteArray> NotificationSigner::signAll(const QList<Payment> &payments, const QString &alipayChannel,
                                              const QString &wechatChannel) const
{
    std::vector<QByteArray> signedRequests(size_t(payments.size()));
    const int threads = std::max(1, QThread::idealThreadCount());
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (qsizetype i = t; i < payments.size(); i += threads)
                signedRequests[size_t(i)]
                    = i % 2 == 0 ? alipay(payments.at(i), alipayChannel) : wechat(payments.at(i), wechatChannel);
        });
    }
    for (std::thread &worker : workers)
        worker.join();
    return QList<QByteArray>(signedRequests.begin(), signedRequests.end());
}

} // namespace paydesk::bench
