#pragma once

#include "common/crypto/CryptoResult.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1StringView>

namespace paydesk {

class PrivateKey;

/// The fields of a `WECHATPAY2-SHA256-RSA2048` Authorization header value.
struct WechatPayAuthorization
{
    QByteArray mchid;
    QByteArray nonce; ///< nonce_str
    QByteArray timestamp; ///< Unix seconds as sent; signed as this exact text
    QByteArray serialNo; ///< serial_no: merchant certificate serial, uppercase hex
    QByteArray signature; ///< base64
};

/// WeChat Pay API v3 signing messages and the Authorization header, as in wechatpay-go's
/// SignatureMessageFormat / HeaderAuthorizationFormat and its response validator.
///
/// The message builders do not validate: fields must not contain '\n' or the message becomes
/// ambiguous. parseAuthorization() guarantees that for what it returns; a server reading the
/// Wechatpay-* response headers must check them the same way before building a message.
class WechatPaySign final
{
public:
    WechatPaySign() = delete;

    static constexpr QLatin1StringView Schema{"WECHATPAY2-SHA256-RSA2048"};
    /// Longest Authorization value we parse; a real one is about 500 bytes.
    static constexpr qsizetype MaxAuthorizationLength = 2048;

    /// `METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n`; the URL is path plus "?query" as sent
    /// and the trailing '\n' is present even for an empty body.
    static QByteArray requestMessage(QByteArrayView method, QByteArrayView canonicalUrl, QByteArrayView timestamp,
                                     QByteArrayView nonce, QByteArrayView body);
    /// `TIMESTAMP\nNONCE\nBODY\n`, for responses and notifications (Wechatpay-* headers).
    static QByteArray responseMessage(QByteArrayView timestamp, QByteArrayView nonce, QByteArrayView body);

    /// `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",
    /// signature="…"` in the order the Go and Java SDKs use.
    static QByteArray authorizationHeader(const WechatPayAuthorization &authorization);

    /// Parses a header value with the five key="value" pairs in any order (the PHP SDK uses a
    /// different one), optional spaces after commas. Rejects a wrong schema, unknown, missing
    /// or repeated keys, and values outside their character sets: mchid [0-9A-Za-z]{1,32},
    /// nonce_str [0-9A-Za-z_-]{1,64}, timestamp [0-9]{1,19}, serial_no [0-9A-Za-z_]{1,64},
    /// signature base64 up to 1024 characters.
    static CryptoResult<WechatPayAuthorization> parseAuthorization(QByteArrayView headerValue);

    /// Signs a request with the merchant key (SHA256withRSA) and returns the header value.
    /// authorization.signature is ignored and filled in.
    static CryptoResult<QByteArray> signRequest(const PrivateKey &merchantKey, WechatPayAuthorization authorization,
                                                QByteArrayView method, QByteArrayView canonicalUrl,
                                                QByteArrayView body);
};

} // namespace paydesk
