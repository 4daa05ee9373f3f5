#include "common/crypto/RsaOaep.h"

#include "common/crypto/OpenSslSupport.h"

#include <openssl/rsa.h>

namespace paydesk {

namespace {

// A ciphertext is as long as the modulus; 8192-bit keys give 1366 base64 characters.
constexpr qsizetype MaxCiphertextBase64 = 2048;

bool setOaepSha1(EVP_PKEY_CTX *ctx)
{
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1
        && EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) == 1;
}

} // namespace

CryptoResult<QByteArray> RsaOaep::encryptBase64(const PublicKey &key, QByteArrayView plaintext)
{
    using Result = CryptoResult<QByteArray>;
    if (key.isNull())
        return Result::failure(QStringLiteral("encrypt: null public key"));
    const openssl::ErrorQueueGuard guard;
    // OAEP-SHA1 leaves room for modulus - 42 bytes of plaintext.
    if (plaintext.size() > EVP_PKEY_get_size(key.m_key.get()) - 42)
        return Result::failure(QStringLiteral("encrypt: the plaintext is too long for RSA-OAEP"));
    const openssl::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.m_key.get(), nullptr));
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 || !setOaepSha1(ctx.get()))
        return Result::failure(openssl::failureText(QStringLiteral("encrypt: init failed")));
    size_t length = 0;
    if (EVP_PKEY_encrypt(ctx.get(), nullptr, &length, openssl::bytes(plaintext), size_t(plaintext.size())) != 1)
        return Result::failure(openssl::failureText(QStringLiteral("encrypt: size query failed")));
    QByteArray ciphertext(qsizetype(length), Qt::Uninitialized);
    if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char *>(ciphertext.data()), &length,
                         openssl::bytes(plaintext), size_t(plaintext.size()))
        != 1) {
        return Result::failure(openssl::failureText(QStringLiteral("encrypt: encryption failed")));
    }
    ciphertext.truncate(qsizetype(length));
    return Result::success(ciphertext.toBase64());
}

CryptoResult<QByteArray> RsaOaep::decryptBase64(const PrivateKey &key, QByteArrayView ciphertextBase64)
{
    using Result = CryptoResult<QByteArray>;
    if (key.isNull())
        return Result::failure(QStringLiteral("decrypt: null private key"));
    if (ciphertextBase64.isEmpty() || ciphertextBase64.size() > MaxCiphertextBase64)
        return Result::failure(QStringLiteral("decrypt: no ciphertext or an absurdly long one"));
    const auto decoded
        = QByteArray::fromBase64Encoding(ciphertextBase64.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return Result::failure(QStringLiteral("decrypt: the ciphertext is not base64"));
    const openssl::ErrorQueueGuard guard;
    if (decoded.decoded.size() != EVP_PKEY_get_size(key.m_key.get()))
        return Result::failure(QStringLiteral("decrypt: the ciphertext is not as long as the modulus"));
    const openssl::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.m_key.get(), nullptr));
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 || !setOaepSha1(ctx.get()))
        return Result::failure(openssl::failureText(QStringLiteral("decrypt: init failed")));
    size_t length = 0;
    const QByteArray &ciphertext = decoded.decoded;
    if (EVP_PKEY_decrypt(ctx.get(), nullptr, &length, openssl::bytes(ciphertext), size_t(ciphertext.size())) != 1)
        return Result::failure(openssl::failureText(QStringLiteral("decrypt: size query failed")));
    QByteArray plaintext(qsizetype(length), Qt::Uninitialized);
    if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char *>(plaintext.data()), &length,
                         openssl::bytes(ciphertext), size_t(ciphertext.size()))
        != 1) {
        // One message for every padding failure: the cause must not become an oracle.
        ERR_clear_error();
        return Result::failure(QStringLiteral("decrypt: decryption failed"));
    }
    plaintext.truncate(qsizetype(length));
    return Result::success(plaintext);
}

} // namespace paydesk
