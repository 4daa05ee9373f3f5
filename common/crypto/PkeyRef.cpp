#include "common/crypto/PkeyRef.h"

#include "common/crypto/OpenSslSupport.h"

namespace paydesk {

void PkeyRef::Deleter::operator()(evp_pkey_st *key) const noexcept
{
    EVP_PKEY_free(key);
}

PkeyRef::PkeyRef(evp_pkey_st *adopted) : m_key(adopted)
{
}

PkeyRef::PkeyRef(const PkeyRef &other)
{
    if (other.m_key && EVP_PKEY_up_ref(other.m_key.get()) == 1)
        m_key.reset(other.m_key.get());
    else if (other.m_key)
        qFatal("paydesk: EVP_PKEY_up_ref failed"); // only an atomic increment; cannot fail
}

PkeyRef &PkeyRef::operator=(const PkeyRef &other)
{
    if (this != &other) {
        PkeyRef copy(other);
        m_key = std::move(copy.m_key);
    }
    return *this;
}

CryptoResult<PkeyRef> PkeyRef::decodeRsa(QByteArrayView der, Structure structure, int minBits, int maxBits)
{
    using Result = CryptoResult<PkeyRef>;
    const char *structureName = nullptr;
    int selection = 0;
    switch (structure) {
    case Structure::PrivateKeyInfo:
        structureName = "PrivateKeyInfo";
        selection = EVP_PKEY_KEYPAIR;
        break;
    case Structure::RsaPrivateKey:
        structureName = "type-specific";
        selection = EVP_PKEY_KEYPAIR;
        break;
    case Structure::SubjectPublicKeyInfo:
        structureName = "SubjectPublicKeyInfo";
        selection = EVP_PKEY_PUBLIC_KEY;
        break;
    case Structure::RsaPublicKey:
        structureName = "type-specific";
        selection = EVP_PKEY_PUBLIC_KEY;
        break;
    }
    if (der.isEmpty() || !openssl::fitsInt(der.size()))
        return Result::failure(QStringLiteral("empty or oversized DER"));

    EVP_PKEY *raw = nullptr;
    // The selection (key pair vs public key) is what keeps a public key from loading where a
    // private key is expected and vice versa. The structure name narrows the decoders tried;
    // OpenSSL still unwraps a PKCS#8/SPKI envelope under "type-specific", so a mislabelled
    // but otherwise valid RSA key is tolerated, which is harmless.
    const openssl::DecoderCtxPtr ctx(
        OSSL_DECODER_CTX_new_for_pkey(&raw, "DER", structureName, "RSA", selection, nullptr, nullptr));
    if (!ctx)
        return Result::failure(openssl::failureText(QStringLiteral("no DER decoder")));
    const unsigned char *data = openssl::bytes(der);
    size_t remaining = size_t(der.size());
    const bool decoded = OSSL_DECODER_from_data(ctx.get(), &data, &remaining) == 1;
    PkeyRef key(raw);
    if (!decoded || !key)
        return Result::failure(openssl::failureText(QStringLiteral("not a valid DER key")));
    if (remaining != 0)
        return Result::failure(QStringLiteral("trailing bytes after the DER key"));
    return checkRsa(std::move(key), minBits, maxBits);
}

CryptoResult<PkeyRef> PkeyRef::checkRsa(PkeyRef key, int minBits, int maxBits)
{
    using Result = CryptoResult<PkeyRef>;
    if (!key)
        return Result::failure(QStringLiteral("null key"));
    // EVP_PKEY_is_a("RSA") is false for RSA-PSS keys, which cannot do PKCS#1 v1.5 signatures.
    if (EVP_PKEY_is_a(key.get(), "RSA") != 1)
        return Result::failure(QStringLiteral("not an RSA key"));
    const int bits = EVP_PKEY_get_bits(key.get());
    if (bits < minBits || bits > maxBits)
        return Result::failure(
            QStringLiteral("RSA key size %1 bits outside %2..%3").arg(bits).arg(minBits).arg(maxBits));
    return Result::success(std::move(key));
}

} // namespace paydesk
