#include "common/crypto/Hmac.h"

#include "common/crypto/OpenSslSupport.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

namespace paydesk {

namespace {

QByteArray hmac(const char *digest, QByteArrayView key, QByteArrayView data)
{
    const openssl::ErrorQueueGuard guard;
    // OSSL_PARAM wants a mutable string even though it only reads it.
    char digestName[16] = {};
    qstrncpy(digestName, digest, sizeof digestName);
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0),
        OSSL_PARAM_construct_end(),
    };
    // An empty key is legal for HMAC; give OpenSSL a valid pointer since data() may be null.
    static const unsigned char emptyKey = 0;
    const unsigned char *keyBytes = key.isEmpty() ? &emptyKey : openssl::bytes(key);

    const openssl::EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    const openssl::EvpMacCtxPtr ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t outLength = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), keyBytes, size_t(key.size()), params) != 1
        || EVP_MAC_update(ctx.get(), openssl::bytes(data), size_t(data.size())) != 1
        || EVP_MAC_final(ctx.get(), out, &outLength, sizeof out) != 1) {
        // Same reasoning as for digests: a silently empty MAC could be compared and accepted.
        qFatal("paydesk: HMAC-%s failed: %s", digest, qPrintable(openssl::takeErrors()));
    }
    return QByteArray(reinterpret_cast<const char *>(out), qsizetype(outLength));
}

} // namespace

QByteArray Hmac::sha256(QByteArrayView key, QByteArrayView data)
{
    return hmac("SHA256", key, data);
}

QByteArray Hmac::sha1(QByteArrayView key, QByteArrayView data)
{
    return hmac("SHA1", key, data);
}

bool Hmac::constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    if (a.isEmpty())
        return true;
    return CRYPTO_memcmp(a.data(), b.data(), size_t(a.size())) == 0;
}

} // namespace paydesk
