#pragma once

#include "common/crypto/CryptoResult.h"
#include "common/crypto/PkeyRef.h"
#include "common/crypto/PublicKey.h"

#include <QByteArray>
#include <QByteArrayView>

namespace paydesk {

/// An RSA private key (merchant or platform) for PKCS#1 v1.5 signing.
///
/// Cheap to copy and safe to share between threads: signing makes its own OpenSSL context per
/// call. Encrypted keys are not supported; decrypt them when provisioning.
class PrivateKey final
{
public:
    static constexpr int MinimumBits = PublicKey::MinimumBits;
    static constexpr int MaximumBits = PublicKey::MaximumBits;

    /// A null key: isNull() is true and signing with it fails.
    PrivateKey() = default;

    /// Accepts "BEGIN PRIVATE KEY" (PKCS#8), "BEGIN RSA PRIVATE KEY" (PKCS#1) and a bare base64
    /// body as Alipay tools produce (tried as PKCS#8 first, then PKCS#1). The text must hold
    /// exactly one key block.
    static CryptoResult<PrivateKey> fromPem(QByteArrayView text);
    /// DER PKCS#8 PrivateKeyInfo or, failing that, PKCS#1 RSAPrivateKey.
    static CryptoResult<PrivateKey> fromDer(QByteArrayView der);
    /// A fresh key with public exponent 65537; bits must be within 2048..4096.
    static CryptoResult<PrivateKey> generateRsa(int bits = 2048);

    bool isNull() const { return !m_key; }
    int bits() const;
    /// Unencrypted PKCS#8 DER / PEM; the caller owns the secret from here on. Empty if null.
    QByteArray toPkcs8Der() const;
    QByteArray toPkcs8Pem() const;
    /// The matching public key (null for a null key).
    PublicKey publicKey() const;

private:
    friend class RsaSignature;
    friend class RsaOaep;

    explicit PrivateKey(PkeyRef key) : m_key(std::move(key)) { }

    PkeyRef m_key;
};

} // namespace paydesk
