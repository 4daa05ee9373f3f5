#pragma once

#include "common/crypto/CryptoResult.h"
#include "common/crypto/PkeyRef.h"

#include <QByteArray>
#include <QByteArrayView>

namespace paydesk {

/// An RSA public key for verifying Alipay and WeChat Pay signatures.
///
/// Cheap to copy (the OpenSSL key is reference counted) and safe to use from many threads at
/// once: every verification makes its own OpenSSL context and never mutates the key.
class PublicKey final
{
public:
    /// Accepted modulus sizes. Smaller keys are breakable; larger ones only make verification
    /// slow enough to be a denial-of-service lever. Alipay and WeChat Pay use 2048 bits.
    static constexpr int MinimumBits = 2048;
    static constexpr int MaximumBits = 8192;

    /// A null key: isNull() is true and every verification with it fails.
    PublicKey() = default;

    /// Accepts "BEGIN PUBLIC KEY" (SPKI), "BEGIN RSA PUBLIC KEY" (PKCS#1), "BEGIN CERTIFICATE"
    /// (the certificate's key; the certificate itself is not checked) and a bare base64 SPKI
    /// or PKCS#1 body as Alipay hands out its public key. The text must hold exactly one block.
    static CryptoResult<PublicKey> fromPem(QByteArrayView text);
    /// DER SubjectPublicKeyInfo.
    static CryptoResult<PublicKey> fromDer(QByteArrayView spkiDer);

    bool isNull() const { return !m_key; }
    /// Modulus size in bits; 0 for a null key.
    int bits() const;
    /// DER SubjectPublicKeyInfo; empty for a null key.
    QByteArray toDer() const;
    /// "BEGIN PUBLIC KEY" PEM; empty for a null key.
    QByteArray toPem() const;

    /// Same key material (two null keys are equal).
    friend bool operator==(const PublicKey &a, const PublicKey &b);
    friend bool operator!=(const PublicKey &a, const PublicKey &b) { return !(a == b); }

private:
    friend class PrivateKey;
    friend class Certificate;
    friend class RsaSignature;
    friend class RsaOaep;

    explicit PublicKey(PkeyRef key) : m_key(std::move(key)) { }
    static CryptoResult<PublicKey> fromPkcs1Der(QByteArrayView der);

    PkeyRef m_key;
};

} // namespace paydesk
