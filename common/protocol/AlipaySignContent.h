#pragma once

#include "common/crypto/CryptoResult.h"
#include "common/protocol/FormUrlEncoded.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

namespace paydesk {

/// The exact bytes Alipay signs or verifies over a parameter set (PROTOCOLS.md A.1, A.3):
/// pairs sorted by name in ascending byte order, written `name=value`, joined with '&',
/// values not URL-encoded, pairs with an empty name or value left out, UTF-8.
///
/// Repeated names are rejected rather than resolved: if the verifier and the code that later
/// reads a field picked different copies, an attacker could get an unsigned value through.
class AlipaySignContent final
{
public:
    AlipaySignContent() = delete;

    /// Requests (ours to Alipay, or a merchant's to us): everything except `sign`;
    /// `sign_type` is signed.
    static CryptoResult<QByteArray> forRequest(const FormFields &params);
    /// Trade notifications, rsaCheckV1: everything except `sign` and `sign_type`.
    static CryptoResult<QByteArray> forNotifyV1(const FormFields &params);
    /// Gateway messages such as service-market notifications, rsaCheckV2: everything except
    /// `sign` (same content as forRequest(), named for the call site).
    static CryptoResult<QByteArray> forNotifyV2(const FormFields &params);

    /// The single value of `name`; fails when it is missing, empty or repeated.
    static CryptoResult<QString> uniqueValue(const FormFields &params, QStringView name);
};

/// The signed part of an Alipay gateway response (PROTOCOLS.md A.5).
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
    static CryptoResult<AlipaySignedResponse> extract(QByteArrayView body,
                                                      QStringView expectedKey = {});
};

} // namespace paydesk
