#include "common/crypto/PrivateKey.h"

#include "common/crypto/OpenSslSupport.h"
#include "common/crypto/Pem.h"

#include <openssl/encoder.h>

namespace paydesk {

namespace {

using Result = CryptoResult<PrivateKey>;

CryptoResult<PkeyRef> decodePrivate(QByteArrayView der, PkeyRef::Structure structure)
{
    return PkeyRef::decodeRsa(der, structure, PrivateKey::MinimumBits, PrivateKey::MaximumBits);
}

} // namespace

CryptoResult<PrivateKey> PrivateKey::fromDer(QByteArrayView der)
{
    const openssl::ErrorQueueGuard guard;
    CryptoResult<PkeyRef> pkcs8 = decodePrivate(der, PkeyRef::Structure::PrivateKeyInfo);
    if (pkcs8)
        return Result::success(PrivateKey(std::move(pkcs8).value()));
    CryptoResult<PkeyRef> pkcs1 = decodePrivate(der, PkeyRef::Structure::RsaPrivateKey);
    if (pkcs1)
        return Result::success(PrivateKey(std::move(pkcs1).value()));
    // The PKCS#8 message is the more useful one: it is the format we ask people to provide.
    return Result::failure(QStringLiteral("private key: ") + pkcs8.error());
}

CryptoResult<PrivateKey> PrivateKey::fromPem(QByteArrayView text)
{
    if (!Pem::isArmoured(text)) {
        const CryptoResult<QByteArray> der = Pem::decodeBareBase64(text);
        if (!der)
            return Result::failure(QStringLiteral("private key: ") + der.error());
        return fromDer(*der);
    }

    const CryptoResult<QList<PemBlock>> blocks = Pem::decode(text);
    if (!blocks)
        return Result::failure(QStringLiteral("private key: ") + blocks.error());
    if (blocks->size() != 1)
        return Result::failure(QStringLiteral("private key: expected exactly one PEM block"));
    const PemBlock &block = blocks->first();

    PkeyRef::Structure structure = PkeyRef::Structure::PrivateKeyInfo;
    if (block.label == "PRIVATE KEY")
        structure = PkeyRef::Structure::PrivateKeyInfo;
    else if (block.label == "RSA PRIVATE KEY")
        structure = PkeyRef::Structure::RsaPrivateKey;
    else if (block.label == "ENCRYPTED PRIVATE KEY")
        return Result::failure(QStringLiteral("private key: encrypted keys are not supported"));
    else
        return Result::failure(QStringLiteral("private key: unexpected PEM label ") + QString::fromLatin1(block.label));

    const openssl::ErrorQueueGuard guard;
    CryptoResult<PkeyRef> key = decodePrivate(block.der, structure);
    if (!key)
        return Result::failure(QStringLiteral("private key: ") + key.error());
    return Result::success(PrivateKey(std::move(key).value()));
}

CryptoResult<PrivateKey> PrivateKey::generateRsa(int bits)
{
    // 4096 is the practical ceiling: 8192-bit generation can take minutes.
    if (bits < MinimumBits || bits > 4096)
        return Result::failure(QStringLiteral("RSA key size must be within %1..4096 bits").arg(MinimumBits));
    const openssl::ErrorQueueGuard guard;
    PkeyRef key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(bits)));
    if (!key)
        return Result::failure(openssl::failureText(QStringLiteral("RSA key generation failed")));
    return Result::success(PrivateKey(std::move(key)));
}

int PrivateKey::bits() const
{
    return m_key ? EVP_PKEY_get_bits(m_key.get()) : 0;
}

QByteArray PrivateKey::toPkcs8Der() const
{
    if (!m_key)
        return {};
    const openssl::ErrorQueueGuard guard;
    using EncoderCtxPtr = std::unique_ptr<OSSL_ENCODER_CTX, openssl::Deleter<&OSSL_ENCODER_CTX_free>>;
    const EncoderCtxPtr ctx(
        OSSL_ENCODER_CTX_new_for_pkey(m_key.get(), EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", nullptr));
    unsigned char *data = nullptr;
    size_t length = 0;
    if (!ctx || OSSL_ENCODER_to_data(ctx.get(), &data, &length) != 1 || data == nullptr) {
        qCWarning(lcCrypto) << "PKCS#8 encoding failed:" << openssl::takeErrors();
        return {};
    }
    // The buffer holds the secret key; scrub it before giving it back to OpenSSL.
    QByteArray out(reinterpret_cast<const char *>(data), qsizetype(length));
    OPENSSL_clear_free(data, length);
    return out;
}

QByteArray PrivateKey::toPkcs8Pem() const
{
    const QByteArray der = toPkcs8Der();
    return der.isEmpty() ? QByteArray() : Pem::encode("PRIVATE KEY", der);
}

PublicKey PrivateKey::publicKey() const
{
    if (!m_key)
        return {};
    const openssl::ErrorQueueGuard guard;
    // Round-trip through SPKI DER so the public object holds no private material at all.
    const QByteArray der = openssl::publicKeyDer(m_key.get());
    if (der.isEmpty())
        return {};
    CryptoResult<PublicKey> key = PublicKey::fromDer(der);
    if (!key) {
        qCWarning(lcCrypto) << "public half of a private key did not load:" << key.error();
        return {};
    }
    return std::move(key).value();
}

} // namespace paydesk
