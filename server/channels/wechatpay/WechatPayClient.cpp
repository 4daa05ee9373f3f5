#include "server/channels/wechatpay/WechatPayClient.h"
#include "common/util/Patterns.h"

#include "common/crypto/AesGcm.h"
#include "common/crypto/Certificate.h"
#include "common/crypto/Random.h"
#include "common/crypto/RsaSignature.h"
#include "common/protocol/ApiError.h"
#include "common/protocol/WechatPaySign.h"
#include "server/net/HttpClient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

constexpr qsizetype kMaxRawFileBytes = 64 * 1024 * 1024; // a bill as served (gzip)
const QString kPublicKeyIdPrefix = u"PUB_KEY_ID_"_s;

[[noreturn]] void invalidConfig(const QString &field, const QString &message)
{
    throw ApiError(ErrorCode::ValidationFailed, message, QJsonObject{{u"field"_s, field}});
}

} // namespace

namespace wechatpay {

bool isOneOf(const QString &code, std::initializer_list<QLatin1StringView> codes)
{
    for (QLatin1StringView candidate : codes) {
        if (code == candidate)
            return true;
    }
    return false;
}

QByteArray headerValue(const HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (name.compare(key, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject jsonObjectOf(const QByteArray &body, bool *ok)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (ok)
        *ok = error.error == QJsonParseError::NoError && document.isObject();
    return document.object();
}

QByteArray encoded(const QString &text)
{
    return QUrl::toPercentEncoding(text);
}

qint64 parseRfc3339(const QJsonValue &value)
{
    const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODate);
    return time.isValid() ? time.toMSecsSinceEpoch() : 0;
}

QString maskIdentifier(const QString &identifier)
{
    if (identifier.isEmpty())
        return {};
    if (identifier.size() <= 8)
        return u"***"_s;
    return identifier.left(6) + u"***"_s;
}

} // namespace wechatpay

using namespace wechatpay;

WechatPayClient::WechatPayClient(WechatPayAccount account, HttpClient &http, Clock clock)
    : m_account(std::move(account)), m_http(http), m_clock(std::move(clock))
{
    // The identifiers go into the Authorization header and the signed JSON: their character
    // sets keep them from breaking either (parseAuthorization enforces the same ones).
    if (!matchesWhole(m_account.merchantId, u"[0-9A-Za-z]{1,32}"_s))
        invalidConfig(u"merchant_id"_s, u"The WeChat Pay mchid must be 1 to 32 letters or digits."_s);
    if (!matchesWhole(m_account.merchantCertSerial, u"[0-9A-Za-z]{1,64}"_s))
        invalidConfig(u"merchant_cert_serial"_s,
                      u"The merchant certificate serial must be the certificate's serial in hex."_s);
    CryptoResult<PrivateKey> key = PrivateKey::fromPem(m_account.privateKeyPem);
    if (!key)
        invalidConfig(u"private_key"_s, u"The merchant API private key cannot be read: %1"_s.arg(key.error()));
    m_merchantKey = std::move(key).value();
    const QUrl &gateway = m_account.gatewayUrl;
    if (!gateway.isValid() || (gateway.scheme() != u"https"_s && gateway.scheme() != u"http"_s)
        || gateway.host().isEmpty() || gateway.hasQuery() || gateway.hasFragment())
        invalidConfig(u"gateway_url"_s,
                      u"The gateway must be an http(s) URL without query, e.g. "
                      "https://api.mch.weixin.qq.com."_s);
    loadPlatformKeys();
}

void WechatPayClient::loadPlatformKeys()
{
    if (m_account.platformKeys.isEmpty())
        invalidConfig(u"platform_keys"_s, u"At least one WeChat Pay platform certificate or public key is needed."_s);
    QDateTime newestExpiry;
    bool namesPublicKeyId = false;
    for (auto it = m_account.platformKeys.cbegin(); it != m_account.platformKeys.cend(); ++it) {
        const QString &serial = it.key();
        const QByteArray &pem = it.value();
        if (pem.contains("-----BEGIN CERTIFICATE-----")) {
            const CryptoResult<Certificate> certificate = Certificate::fromPem(pem);
            if (!certificate)
                invalidConfig(u"platform_keys"_s,
                              u"Platform certificate %1 cannot be read: %2"_s.arg(serial, certificate.error()));
            // WeChat names the key by this serial in Wechatpay-Serial: a mislabelled entry
            // would make us verify with the wrong key (and fail) or trust an unintended one.
            if (certificate->serialNumberHex() != serial)
                invalidConfig(
                    u"platform_keys"_s,
                    u"Platform certificate listed as %1 has serial %2."_s.arg(serial, certificate->serialNumberHex()));
            const CryptoResult<PublicKey> publicKey = certificate->publicKey();
            if (!publicKey)
                invalidConfig(u"platform_keys"_s,
                              u"Platform certificate %1 has no usable key: %2"_s.arg(serial, publicKey.error()));
            m_platformKeys.insert(serial, publicKey.value());
            // During a rotation, name the certificate that lasts longest.
            if (!namesPublicKeyId && (m_requestSerial.isEmpty() || certificate->notAfter() > newestExpiry)) {
                m_requestSerial = serial.toLatin1();
                newestExpiry = certificate->notAfter();
            }
            continue;
        }
        // WeChat-Pay-public-key mode: the key id replaces the certificate serial.
        if (!serial.startsWith(kPublicKeyIdPrefix) || !matchesWhole(serial, u"[0-9A-Za-z_]{12,64}"_s))
            invalidConfig(u"platform_keys"_s,
                          u"A platform public key must be listed under its id PUB_KEY_ID_…, not %1."_s.arg(serial));
        const CryptoResult<PublicKey> publicKey = PublicKey::fromPem(pem);
        if (!publicKey)
            invalidConfig(u"platform_keys"_s,
                          u"Platform public key %1 cannot be read: %2"_s.arg(serial, publicKey.error()));
        m_platformKeys.insert(serial, publicKey.value());
        // WeChat is moving merchants to public-key mode; once one is configured, name it.
        if (!namesPublicKeyId)
            m_requestSerial = serial.toLatin1();
        namesPublicKeyId = true;
    }
}

qint64 WechatPayClient::nowSeconds() const
{
    return m_clock() / 1000;
}

QUrl WechatPayClient::apiUrl(const QByteArray &encodedPathAndQuery) const
{
    // A private gateway may live under a path prefix; the prefix is then part of what we sign.
    QByteArray base = m_account.gatewayUrl.toEncoded(QUrl::RemoveQuery | QUrl::RemoveFragment);
    while (base.endsWith('/'))
        base.chop(1);
    return QUrl::fromEncoded(base + encodedPathAndQuery, QUrl::StrictMode);
}

QString WechatPayClient::checkSignature(const HttpHeaders &headers, const QByteArray &body) const
{
    const QByteArray timestamp = headerValue(headers, "wechatpay-timestamp");
    const QByteArray nonce = headerValue(headers, "wechatpay-nonce");
    const QByteArray signature = headerValue(headers, "wechatpay-signature");
    const QByteArray serial = headerValue(headers, "wechatpay-serial");
    if (timestamp.isEmpty() || nonce.isEmpty() || signature.isEmpty() || serial.isEmpty())
        return u"missing Wechatpay-Timestamp, -Nonce, -Signature or -Serial"_s;
    // The message joins fields with '\n': a field holding one could be shifted into another.
    if (nonce.contains('\n') || nonce.contains('\r') || nonce.size() > 128)
        return u"malformed Wechatpay-Nonce"_s;
    bool numeric = timestamp.size() <= 19;
    for (const char c : timestamp)
        numeric = numeric && c >= '0' && c <= '9';
    bool ok = false;
    const qint64 signedAt = numeric ? timestamp.toLongLong(&ok) : 0;
    if (!ok)
        return u"malformed Wechatpay-Timestamp"_s;
    const auto key = m_platformKeys.constFind(QString::fromLatin1(serial));
    if (key == m_platformKeys.cend())
        return u"unknown Wechatpay-Serial %1"_s.arg(QString::fromLatin1(serial.left(64)));
    // A captured answer or notification must not be replayable later (nor pre-dated).
    const qint64 skew = nowSeconds() - signedAt;
    if (skew >= MaxClockSkewSeconds || skew <= -MaxClockSkewSeconds)
        return u"Wechatpay-Timestamp %1 is %2 s away from our clock"_s.arg(signedAt).arg(skew);
    if (!RsaSignature::verifyBase64(*key, WechatPaySign::responseMessage(timestamp, nonce, body), signature))
        return u"bad signature (serial %1)"_s.arg(QString::fromLatin1(serial));
    return {};
}

WechatPayReply WechatPayClient::send(const QString &operation, const QByteArray &method, const QUrl &url,
                                     const QByteArray &body, Expect expect) const
{
    WechatPayReply reply;
    reply.exchange.operation = operation;
    reply.exchange.direction = u"out"_s;
    reply.exchange.url = url.toString();
    reply.exchange.request = body;
    reply.exchange.verification = u"n/a"_s;
    if (!url.isValid()) {
        reply.error = {u"BAD_URL"_s, u"cannot build a valid URL"_s};
        return reply;
    }

    // What QNetworkAccessManager puts in the request line: path and query, fully encoded.
    const QByteArray canonicalUrl
        = url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveUserInfo | QUrl::RemoveFragment);
    WechatPayAuthorization authorization;
    authorization.mchid = m_account.merchantId.toLatin1();
    authorization.nonce = Random::alphanumeric(32).toLatin1();
    authorization.timestamp = QByteArray::number(nowSeconds());
    authorization.serialNo = m_account.merchantCertSerial.toLatin1();
    const CryptoResult<QByteArray> header
        = WechatPaySign::signRequest(m_merchantKey, authorization, method, canonicalUrl, body);
    if (!header) {
        reply.error = {u"SIGNING_FAILED"_s, header.error()};
        return reply;
    }

    OutboundRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    request.timeoutMs = m_account.timeoutMs;
    request.extraCa = m_account.gatewayCa;
    request.headers = {{"Authorization", header.value()},
                       {"Accept", expect == Expect::RawFile ? "*/*" : "application/json"},
                       {"User-Agent", "Paydesk/" PAYDESK_VERSION},
                       {"Wechatpay-Serial", m_requestSerial}};
    if (!body.isEmpty())
        request.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    if (expect == Expect::RawFile)
        request.maxResponseBytes = kMaxRawFileBytes;

    QElapsedTimer timer;
    timer.start();
    const OutboundResponse response = m_http.sendAndWait(std::move(request));
    reply.exchange.elapsedMs = timer.elapsed();
    reply.exchange.httpStatus = response.status;
    reply.exchange.response = response.body;
    if (!response.ok()) {
        const bool timeout = response.outcome == OutboundResponse::Outcome::Timeout;
        reply.error = {timeout ? u"TIMEOUT"_s : u"TRANSPORT"_s, response.error};
        return reply;
    }
    classify(reply, response, expect);
    return reply;
}

void WechatPayClient::classify(WechatPayReply &reply, const OutboundResponse &response, Expect expect) const
{
    reply.status = response.status;
    reply.body = response.body;
    if (response.status >= 200 && response.status < 300) {
        // The bill file is the one answer WeChat does not sign; its SHA-1 is checked instead.
        if (expect == Expect::RawFile) {
            reply.outcome = CallOutcome::Ok;
            return;
        }
        const QString failure = checkSignature(response.headers, response.body);
        if (!failure.isEmpty()) {
            reply.exchange.verification = u"failed: "_s + failure;
            reply.error = {u"BAD_SIGNATURE"_s, failure};
            return;
        }
        reply.exchange.verification = u"ok"_s;
        bool isObject = true;
        if (!response.body.isEmpty())
            reply.json = jsonObjectOf(response.body, &isObject);
        if (!isObject) {
            reply.error = {u"BAD_RESPONSE"_s, u"the answer is not a JSON object"_s};
            return;
        }
        reply.outcome = CallOutcome::Ok;
        return;
    }

    // An error answer: {"code","message","detail"?}. WeChat may sign it; when it does, the
    // signature must hold, or the code could be anyone's word.
    reply.json = jsonObjectOf(response.body);
    reply.error = {reply.json.value(u"code"_s).toString(), reply.json.value(u"message"_s).toString()};
    if (!headerValue(response.headers, "wechatpay-signature").isEmpty()) {
        const QString failure = checkSignature(response.headers, response.body);
        if (!failure.isEmpty()) {
            reply.exchange.verification = u"failed: "_s + failure;
            reply.error = {u"BAD_SIGNATURE"_s, u"HTTP %1 %2: %3"_s.arg(response.status).arg(reply.error.code, failure)};
            return;
        }
        reply.exchange.verification = u"ok"_s;
    }
    // 4xx means WeChat refused the request; 429 and 5xx say nothing about what happened.
    const bool refused = response.status >= 400 && response.status < 500 && response.status != 429;
    if (refused && !reply.error.code.isEmpty()) {
        reply.outcome = CallOutcome::Rejected;
        return;
    }
    if (reply.error.code.isEmpty())
        reply.error.code = u"HTTP_%1"_s.arg(response.status);
}

std::optional<WechatPayNotification> WechatPayClient::openNotification(const InboundNotification &notification,
                                                                       const QByteArray &apiV3Key,
                                                                       QString *verification, QString *why) const
{
    const auto refuse = [why](const QString &reason) -> std::optional<WechatPayNotification> {
        *why = reason;
        return std::nullopt;
    };
    const QByteArray signatureType = headerValue(notification.headers, "wechatpay-signature-type");
    if (!signatureType.isEmpty() && QLatin1StringView(signatureType) != WechatPaySign::Schema)
        return refuse(u"unsupported Wechatpay-Signature-Type"_s);
    const QString failure = checkSignature(notification.headers, notification.body);
    if (!failure.isEmpty()) {
        *verification = u"failed: "_s + failure;
        return refuse(failure);
    }
    *verification = u"ok"_s;

    bool isObject = false;
    const QJsonObject body = jsonObjectOf(notification.body, &isObject);
    if (!isObject)
        return refuse(u"the body is not a JSON object"_s);
    WechatPayNotification opened;
    opened.id = body.value(u"id"_s).toString();
    opened.eventType = body.value(u"event_type"_s).toString();
    const QJsonObject resource = body.value(u"resource"_s).toObject();
    if (resource.value(u"algorithm"_s).toString() != u"AEAD_AES_256_GCM"_s)
        return refuse(u"resource algorithm is not AEAD_AES_256_GCM"_s);
    const std::optional<QByteArray> plaintext = AesGcm::openWechatResource(
        apiV3Key, resource.value(u"nonce"_s).toString(), resource.value(u"associated_data"_s).toString(),
        resource.value(u"ciphertext"_s).toString());
    if (!plaintext) {
        *verification = u"failed: cannot decrypt the resource with the API v3 key"_s;
        return refuse(u"cannot decrypt the resource with the API v3 key"_s);
    }
    opened.plaintext = *plaintext;
    opened.content = jsonObjectOf(*plaintext, &isObject);
    if (!isObject)
        return refuse(u"the decrypted resource is not a JSON object"_s);
    return opened;
}

HttpResponse WechatPayClient::acknowledgement(bool accepted, const QString &message)
{
    // v3 wants 200/204 without a body for success, and 4xx/5xx with {"code":"FAIL"} to retry.
    if (accepted)
        return HttpResponse::noContent();
    return HttpResponse::json(
        500, QJsonObject{{u"code"_s, u"FAIL"_s}, {u"message"_s, message.isEmpty() ? u"失败"_s : message}});
}

} // namespace paydesk
