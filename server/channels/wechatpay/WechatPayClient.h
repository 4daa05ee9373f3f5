#pragma once

#include "common/util/Patterns.h"

#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"
#include "server/channels/Channel.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QMap>

#include <initializer_list>

namespace paydesk {

struct OutboundResponse;

/// One answer from WeChat Pay API v3, judged: Ok is a verified 2xx, Rejected a 4xx with a
/// {code,message} body, Unknown everything whose effect we cannot know (transport, 5xx, 429, bad
/// signature).
struct WechatPayReply
{
    CallOutcome outcome = CallOutcome::Unknown;
    int status = 0;
    QByteArray body;
    QJsonObject json; ///< the 2xx body, or the error body of a 4xx/5xx
    ChannelError error;
    ChannelExchange exchange;
};

/// A notification whose signature verified and whose resource decrypted (WechatPayClient::openNotification).
struct WechatPayNotification
{
    QString id; ///< the notification's id
    QString eventType; ///< e.g. TRANSACTION.SUCCESS, MCHTRANSFER.BATCH.FINISHED
    QByteArray plaintext; ///< the decrypted resource
    QJsonObject content; ///< the same, parsed
};

/// What a WeChat Pay v3 merchant needs to call the API, whichever product it calls.
struct WechatPayAccount
{
    QString merchantId; ///< mchid
    QString merchantCertSerial; ///< serial_no of the merchant API certificate
    QByteArray privateKeyPem; ///< merchant API private key (PKCS#1 or #8)
    /// serial (platform certificate serial in upper-case hex, or "PUB_KEY_ID_…") → certificate
    /// or public key PEM; several are valid during rotation.
    QMap<QString, QByteArray> platformKeys;
    QUrl gatewayUrl; ///< the API base, e.g. https://api.mch.weixin.qq.com
    QList<QSslCertificate> gatewayCa;
    int timeoutMs = 10'000;
};

/// The merchant side of WeChat Pay API v3, shared by the payment channel and the transfer payout
/// channel: requests signed with the merchant key (WECHATPAY2-SHA256-RSA2048), answers and
/// notifications verified against a platform key chosen by Wechatpay-Serial within ±300 s.
///
/// Immutable after construction; send() blocks and may run on several threads at once.
class WechatPayClient final
{
public:
    enum class Expect {
        SignedJson, ///< every 2xx answer must carry a valid platform signature
        RawFile, ///< a bill download: unsigned, larger limit (checked by hash instead)
    };

    /// Farthest a signed timestamp may be from our clock (both directions), as the SDKs allow.
    static constexpr qint64 MaxClockSkewSeconds = 300;

    /// Throws ApiError(VALIDATION_FAILED, details {"field"}) for an unusable account: fields
    /// merchant_id, merchant_cert_serial, private_key, gateway_url, platform_keys.
    WechatPayClient(WechatPayAccount account, HttpClient &http, Clock clock);

    /// The gateway base joined with an already percent-encoded path and query.
    QUrl apiUrl(const QByteArray &encodedPathAndQuery) const;
    /// Signs, sends and judges one call; Wechatpay-Serial names requestSerial().
    WechatPayReply send(const QString &operation, const QByteArray &method, const QUrl &url, const QByteArray &body,
                        Expect expect) const;
    /// Empty when the Wechatpay-* headers sign body with a platform key we hold, within the clock
    /// window; otherwise why not. The same check serves answers and notifications.
    QString checkSignature(const HttpHeaders &headers, const QByteArray &body) const;

    qint64 nowSeconds() const;
    const PrivateKey &merchantKey() const { return m_merchantKey; }
    /// The platform serial we name in Wechatpay-Serial (the longest-lived certificate, or the
    /// public key id once one is configured).
    const QByteArray &requestSerial() const { return m_requestSerial; }
    /// The key of requestSerial(): sensitive request fields are encrypted with it (RSA-OAEP).
    PublicKey requestKey() const { return m_platformKeys.value(QString::fromLatin1(m_requestSerial)); }

    /// Verifies a notification (signature type, Wechatpay-Signature by the platform key its serial
    /// names, the time window) and decrypts its resource with the API v3 key. Sets *verification
    /// ("ok" or "failed: …") as the channel log shows it; nullopt with *why when it must be refused.
    std::optional<WechatPayNotification> openNotification(const InboundNotification &notification,
                                                          const QByteArray &apiV3Key, QString *verification,
                                                          QString *why) const;

    /// The answer WeChat Pay expects to a notification: 204 without a body, or 500
    /// {"code":"FAIL","message"} to have it retried.
    static HttpResponse acknowledgement(bool accepted, const QString &message);

private:
    void loadPlatformKeys();
    void classify(WechatPayReply &reply, const OutboundResponse &response, Expect expect) const;

    WechatPayAccount m_account;
    HttpClient &m_http;
    Clock m_clock;
    PrivateKey m_merchantKey;
    QMap<QString, PublicKey> m_platformKeys; ///< by serial (certificate serial or PUB_KEY_ID_…)
    QByteArray m_requestSerial;
};

/// Small helpers for WeChat Pay v3 messages.
namespace wechatpay {

/// First value of a header (names compared case-insensitively), or a null QByteArray.
QByteArray headerValue(const HttpHeaders &headers, QByteArrayView name);
QByteArray compactJson(const QJsonObject &object);
/// A JSON object, or an empty one for anything else (error bodies are often not JSON at all).
QJsonObject jsonObjectOf(const QByteArray &body, bool *ok = nullptr);
/// Percent-encoded, so that what we sign is exactly what QUrl puts on the wire.
QByteArray encoded(const QString &text);
/// An RFC 3339 time (success_time and friends); 0 when absent or unreadable.
qint64 parseRfc3339(const QJsonValue &value);
/// An openid identifies a person across the merchant's apps; logs keep only a prefix.
QString maskIdentifier(const QString &identifier);
bool isOneOf(const QString &code, std::initializer_list<QLatin1StringView> codes);

} // namespace wechatpay

} // namespace paydesk
