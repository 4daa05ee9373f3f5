#pragma once

#include "common/crypto/CryptoResult.h"
#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"

#include <QByteArray>
#include <QByteArrayView>

namespace paydesk {

/// Digest used inside an RSA PKCS#1 v1.5 signature.
enum class DigestAlgorithm {
    Sha256, ///< Alipay "RSA2", WeChat Pay "WECHATPAY2-SHA256-RSA2048"
    Sha1, ///< Alipay legacy "RSA"; verify only where a counterparty still uses it
};

/// RSA PKCS#1 v1.5 signatures (SHA256withRSA / SHA1withRSA) as Alipay and WeChat Pay use them.
///
/// Thread-safe: each call builds its own OpenSSL digest context around the shared key.
/// PKCS#1 v1.5 is deterministic, so the same key and data always give the same signature.
class RsaSignature final
{
public:
    RsaSignature() = delete;

    /// Raw signature bytes (as long as the modulus).
    static CryptoResult<QByteArray> sign(const PrivateKey &key, QByteArrayView data,
                                         DigestAlgorithm algorithm = DigestAlgorithm::Sha256);
    /// True only for a valid signature over exactly data. Bad keys, wrong lengths and OpenSSL
    /// errors all give false; there is no partially-verified state.
    static bool verify(const PublicKey &key, QByteArrayView data, QByteArrayView signature,
                       DigestAlgorithm algorithm = DigestAlgorithm::Sha256);

    /// sign() encoded as standard base64 without line breaks (the wire form of both channels).
    static CryptoResult<QByteArray> signBase64(const PrivateKey &key, QByteArrayView data,
                                               DigestAlgorithm algorithm = DigestAlgorithm::Sha256);
    /// verify() with a standard base64 signature; malformed base64 is a failed verification.
    static bool verifyBase64(const PublicKey &key, QByteArrayView data, QByteArrayView signatureBase64,
                             DigestAlgorithm algorithm = DigestAlgorithm::Sha256);
};

} // namespace paydesk
