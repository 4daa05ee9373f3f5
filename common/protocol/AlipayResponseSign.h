#pragma once

#include "common/crypto/CryptoResult.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

namespace paydesk {

/// The signed part of an Alipay gateway response (Java SDK AlipaySignature.extractSignContent,
/// Node SDK getSignStr).
struct AlipaySignedResponse
{
    /// "alipay_trade_precreate_response" or "error_response".
    QString responseKey;
    /// The raw bytes of that key's value exactly as received: an object from '{' to its
    /// matching '}', or for AES-encrypted responses the base64 string including its quotes.
    /// Verify these bytes, then parse these bytes (not the whole body) for the business data.
    QByteArray signedContent;
    /// The top-level `sign`, JSON-unescaped (base64). Empty when the response has none,
    /// which must be treated as unverified.
    QByteArray sign;
    /// The top-level `alipay_cert_sn` in certificate mode, else empty.
    QString alipayCertSn;
};

/// Locates the signed content and signature in an Alipay gateway response body.
class AlipayResponseSign final
{
public:
    AlipayResponseSign() = delete;

    static constexpr qsizetype MaxBodySize = 8 * 1024 * 1024;
    static constexpr int MaxDepth = 128;

    /// "alipay.trade.precreate" -> "alipay_trade_precreate_response".
    static QString responseKeyFor(QStringView method);

    /// Scans the top-level JSON object of body without re-serialising anything. With
    /// expectedKey set, that key is used, falling back to "error_response" when only that is
    /// present; without it, the body must have exactly one "*_response" key. Nested "sign"
    /// keys stay part of the content; only the top-level `sign` is the signature. Fails on
    /// malformed structure, repeated top-level keys (EASY SDK rejects a repeated response
    /// key), a non-string `sign`, or trailing bytes after the object.
    static CryptoResult<AlipaySignedResponse> extract(QByteArrayView body, QStringView expectedKey = {});
};

} // namespace paydesk
