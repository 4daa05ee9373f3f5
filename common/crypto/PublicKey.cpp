#include "common/crypto/PublicKey.h"

#include "common/crypto/Certificate.h"
#include "common/crypto/OpenSslSupport.h"
#include "common/crypto/Pem.h"

namespace paydesk {

namespace {

using Result = CryptoResult<PublicKey>;

} // namespace

CryptoResult<PublicKey> PublicKey::fromDer(QByteArrayView spkiDer)
{
    const openssl::ErrorQueueGuard guard;
    CryptoResult<PkeyRef> key
        = PkeyRef::decodeRsa(spkiDer, PkeyRef::Structure::SubjectPublicKeyInfo, MinimumBits, MaximumBits);
    if (!key)
        return Result::failure(QStringLiteral("public key: ") + key.error());
    return Result::success(PublicKey(std::move(key).value()));
}

CryptoResult<PublicKey> PublicKey::fromPkcs1Der(QByteArrayView der)
{
    const openssl::ErrorQueueGuard guard;
    CryptoResult<PkeyRef> key = PkeyRef::decodeRsa(der, PkeyRef::Structure::RsaPublicKey, MinimumBits, MaximumBits);
    if (!key)
        return Result::failure(QStringLiteral("RSA public key: ") + key.error());
    return Result::success(PublicKey(std::move(key).value()));
}

CryptoResult<PublicKey> PublicKey::fromPem(QByteArrayView text)
{
    if (!Pem::isArmoured(text)) {
        // Alipay's console shows its public key as a bare SPKI body; accept PKCS#1 as well so a
        // key converted by other tools does not need re-armouring.
        const CryptoResult<QByteArray> der = Pem::decodeBareBase64(text);
        if (!der)
            return Result::failure(QStringLiteral("public key: ") + der.error());
        Result spki = fromDer(*der);
        if (spki)
            return spki;
        Result pkcs1 = fromPkcs1Der(*der);
        if (pkcs1)
            return pkcs1;
        return Result::failure(spki.error());
    }

    const CryptoResult<QList<PemBlock>> blocks = Pem::decode(text);
    if (!blocks)
        return Result::failure(QStringLiteral("public key: ") + blocks.error());
    if (blocks->size() != 1)
        return Result::failure(QStringLiteral("public key: expected exactly one PEM block"));
    const PemBlock &block = blocks->first();
    if (block.label == "PUBLIC KEY")
        return fromDer(block.der);
    if (block.label == "RSA PUBLIC KEY")
        return fromPkcs1Der(block.der);
    if (block.label == "CERTIFICATE") {
        const CryptoResult<Certificate> certificate = Certificate::fromDer(block.der);
        if (!certificate)
            return Result::failure(certificate.error());
        return certificate->publicKey();
    }
    return Result::failure(QStringLiteral("public key: unexpected PEM label ") + QString::fromLatin1(block.label));
}

int PublicKey::bits() const
{
    return m_key ? EVP_PKEY_get_bits(m_key.get()) : 0;
}

QByteArray PublicKey::toDer() const
{
    if (!m_key)
        return {};
    const openssl::ErrorQueueGuard guard;
    return openssl::publicKeyDer(m_key.get());
}

QByteArray PublicKey::toPem() const
{
    const QByteArray der = toDer();
    return der.isEmpty() ? QByteArray() : Pem::encode("PUBLIC KEY", der);
}

bool operator==(const PublicKey &a, const PublicKey &b)
{
    if (a.isNull() || b.isNull())
        return a.isNull() && b.isNull();
    const openssl::ErrorQueueGuard guard;
    return EVP_PKEY_eq(a.m_key.get(), b.m_key.get()) == 1;
}

} // namespace paydesk
