#include "common/crypto/AesGcm.h"

#include "common/crypto/OpenSslSupport.h"

#include <cstring>

namespace paydesk {

namespace {

const char *cipherNameForKey(QByteArrayView key)
{
    switch (key.size()) {
    case 16: return "AES-128-GCM";
    case 32: return "AES-256-GCM";
    default: return nullptr;
    }
}

bool validInputs(QByteArrayView key, QByteArrayView iv, QByteArrayView text, QByteArrayView aad)
{
    return cipherNameForKey(key) != nullptr && !iv.isEmpty() && iv.size() <= AesGcm::MaxIvSize
        && openssl::fitsInt(text.size() + AesGcm::TagSize) && openssl::fitsInt(aad.size());
}

// Shared set-up for both directions: fetch the cipher, set the IV length, then key and IV.
openssl::EvpCipherCtxPtr makeContext(QByteArrayView key, QByteArrayView iv, bool encrypt)
{
    const openssl::EvpCipherPtr cipher(EVP_CIPHER_fetch(nullptr, cipherNameForKey(key), nullptr));
    openssl::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!cipher || !ctx)
        return {};
    const int enc = encrypt ? 1 : 0;
    if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), nullptr, nullptr, enc, nullptr) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, int(iv.size()), nullptr) != 1
        || EVP_CipherInit_ex2(ctx.get(), nullptr, openssl::bytes(key), openssl::bytes(iv), enc, nullptr) != 1) {
        return {};
    }
    return ctx;
}

bool addAad(EVP_CIPHER_CTX *ctx, QByteArrayView aad)
{
    if (aad.isEmpty())
        return true;
    int outLength = 0;
    return EVP_CipherUpdate(ctx, nullptr, &outLength, openssl::bytes(aad), int(aad.size())) == 1;
}

std::optional<QByteArray> decodeBase64Strict(const QString &text)
{
    const auto decoded = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return std::nullopt;
    return decoded.decoded;
}

} // namespace

std::optional<QByteArray> AesGcm::seal(QByteArrayView key, QByteArrayView iv, QByteArrayView plaintext,
                                       QByteArrayView aad)
{
    const openssl::ErrorQueueGuard guard;
    if (!validInputs(key, iv, plaintext, aad))
        return std::nullopt;
    const openssl::EvpCipherCtxPtr ctx = makeContext(key, iv, true);
    if (!ctx || !addAad(ctx.get(), aad)) {
        qCWarning(lcCrypto) << "AES-GCM seal setup failed:" << openssl::takeErrors();
        return std::nullopt;
    }

    QByteArray out(plaintext.size() + TagSize, Qt::Uninitialized);
    auto *outBytes = reinterpret_cast<unsigned char *>(out.data());
    int written = 0;
    int finalWritten = 0;
    if ((!plaintext.isEmpty()
         && EVP_CipherUpdate(ctx.get(), outBytes, &written, openssl::bytes(plaintext), int(plaintext.size())) != 1)
        || EVP_CipherFinal_ex(ctx.get(), outBytes + written, &finalWritten) != 1
        || written + finalWritten != plaintext.size()
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(TagSize), outBytes + plaintext.size()) != 1) {
        qCWarning(lcCrypto) << "AES-GCM seal failed:" << openssl::takeErrors();
        return std::nullopt;
    }
    return out;
}

std::optional<QByteArray> AesGcm::open(QByteArrayView key, QByteArrayView iv, QByteArrayView ciphertextAndTag,
                                       QByteArrayView aad)
{
    const openssl::ErrorQueueGuard guard;
    if (ciphertextAndTag.size() < TagSize || !validInputs(key, iv, ciphertextAndTag, aad))
        return std::nullopt;
    const QByteArrayView ciphertext = ciphertextAndTag.first(ciphertextAndTag.size() - TagSize);
    const QByteArrayView tag = ciphertextAndTag.last(TagSize);

    const openssl::EvpCipherCtxPtr ctx = makeContext(key, iv, false);
    if (!ctx || !addAad(ctx.get(), aad))
        return std::nullopt;

    QByteArray out(ciphertext.size(), Qt::Uninitialized);
    auto *outBytes = reinterpret_cast<unsigned char *>(out.data());
    int written = 0;
    if (!ciphertext.isEmpty()
        && EVP_CipherUpdate(ctx.get(), outBytes, &written, openssl::bytes(ciphertext), int(ciphertext.size())) != 1) {
        return std::nullopt;
    }
    // OpenSSL wants a non-const pointer for the expected tag but only reads it.
    unsigned char expectedTag[TagSize];
    memcpy(expectedTag, tag.data(), size_t(TagSize));
    int finalWritten = 0;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(TagSize), expectedTag) != 1
        || EVP_CipherFinal_ex(ctx.get(), outBytes + written, &finalWritten) != 1
        || written + finalWritten != ciphertext.size()) {
        // Authentication failure is an expected outcome for forged input, not a warning.
        // Never return the unauthenticated plaintext: wipe it before the buffer is released.
        OPENSSL_cleanse(out.data(), size_t(out.size()));
        return std::nullopt;
    }
    return out;
}

std::optional<QByteArray> AesGcm::openWechatResource(QByteArrayView apiV3Key, const QString &nonce,
                                                     const QString &associatedData, const QString &ciphertextBase64)
{
    const std::optional<QByteArray> sealed = decodeBase64Strict(ciphertextBase64);
    if (!sealed)
        return std::nullopt;
    return open(apiV3Key, nonce.toUtf8(), *sealed, associatedData.toUtf8());
}

std::optional<QByteArray> AesGcm::sealWechatResource(QByteArrayView apiV3Key, const QString &nonce,
                                                     const QString &associatedData, QByteArrayView plaintext)
{
    const std::optional<QByteArray> sealed = seal(apiV3Key, nonce.toUtf8(), plaintext, associatedData.toUtf8());
    if (!sealed)
        return std::nullopt;
    return sealed->toBase64();
}

} // namespace paydesk
