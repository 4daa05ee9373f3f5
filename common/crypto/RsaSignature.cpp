#include "common/crypto/RsaSignature.h"

#include "common/crypto/OpenSslSupport.h"

#include <openssl/rsa.h>

namespace paydesk {

namespace {

const char *digestName(DigestAlgorithm algorithm)
{
    switch (algorithm) {
    case DigestAlgorithm::Sha256: return "SHA256";
    case DigestAlgorithm::Sha1: return "SHA1";
    }
    return nullptr;
}

// Signature base64 is at most a few hundred characters; anything far larger is not a signature.
constexpr qsizetype MaxSignatureBase64 = 4096;

} // namespace

CryptoResult<QByteArray> RsaSignature::sign(const PrivateKey &key, QByteArrayView data, DigestAlgorithm algorithm)
{
    using Result = CryptoResult<QByteArray>;
    if (key.isNull())
        return Result::failure(QStringLiteral("sign: null private key"));
    const openssl::ErrorQueueGuard guard;
    const openssl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX *pkeyCtx = nullptr; // owned by ctx
    if (!ctx
        || EVP_DigestSignInit_ex(ctx.get(), &pkeyCtx, digestName(algorithm), nullptr, nullptr, key.m_key.get(), nullptr)
            != 1
        || EVP_PKEY_CTX_set_rsa_padding(pkeyCtx, RSA_PKCS1_PADDING) != 1) {
        return Result::failure(openssl::failureText(QStringLiteral("sign: init failed")));
    }
    size_t length = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &length, openssl::bytes(data), size_t(data.size())) != 1 || length == 0) {
        return Result::failure(openssl::failureText(QStringLiteral("sign: size query failed")));
    }
    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length, openssl::bytes(data),
                       size_t(data.size()))
        != 1) {
        return Result::failure(openssl::failureText(QStringLiteral("sign: signing failed")));
    }
    signature.truncate(qsizetype(length));
    return Result::success(signature);
}

bool RsaSignature::verify(const PublicKey &key, QByteArrayView data, QByteArrayView signature,
                          DigestAlgorithm algorithm)
{
    if (key.isNull() || signature.isEmpty())
        return false;
    const openssl::ErrorQueueGuard guard;
    // A PKCS#1 signature is exactly as long as the modulus; reject others before OpenSSL runs.
    if (signature.size() != EVP_PKEY_get_size(key.m_key.get()))
        return false;
    const openssl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX *pkeyCtx = nullptr; // owned by ctx
    if (!ctx
        || EVP_DigestVerifyInit_ex(ctx.get(), &pkeyCtx, digestName(algorithm), nullptr, nullptr, key.m_key.get(),
                                   nullptr)
            != 1
        || EVP_PKEY_CTX_set_rsa_padding(pkeyCtx, RSA_PKCS1_PADDING) != 1) {
        qCWarning(lcCrypto) << "verify: init failed:" << openssl::takeErrors();
        return false;
    }
    // 1 = valid; 0 = mismatch; negative = error. Only 1 counts.
    return EVP_DigestVerify(ctx.get(), openssl::bytes(signature), size_t(signature.size()), openssl::bytes(data),
                            size_t(data.size()))
        == 1;
}

CryptoResult<QByteArray> RsaSignature::signBase64(const PrivateKey &key, QByteArrayView data, DigestAlgorithm algorithm)
{
    CryptoResult<QByteArray> raw = sign(key, data, algorithm);
    if (!raw)
        return raw;
    return CryptoResult<QByteArray>::success(raw->toBase64());
}

bool RsaSignature::verifyBase64(const PublicKey &key, QByteArrayView data, QByteArrayView signatureBase64,
                                DigestAlgorithm algorithm)
{
    if (signatureBase64.isEmpty() || signatureBase64.size() > MaxSignatureBase64)
        return false;
    const auto decoded
        = QByteArray::fromBase64Encoding(signatureBase64.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return false;
    return verify(key, data, decoded.decoded, algorithm);
}

} // namespace paydesk
