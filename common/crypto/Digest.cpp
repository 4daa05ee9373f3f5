#include "common/crypto/Digest.h"

#include "common/crypto/OpenSslSupport.h"

namespace paydesk {

namespace {

QByteArray digest(const char *algorithm, QByteArrayView data)
{
    const openssl::ErrorQueueGuard guard;
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t outLength = 0;
    // EVP_Q_digest takes a size_t length, so no int truncation concerns here.
    if (EVP_Q_digest(nullptr, algorithm, nullptr, data.data(), size_t(data.size()), out, &outLength) != 1) {
        // Only possible when the provider is unavailable, which makes every digest wrong;
        // refuse to continue rather than hand out an empty hash that might compare equal.
        qFatal("paydesk: %s digest failed: %s", algorithm, qPrintable(openssl::takeErrors()));
    }
    return QByteArray(reinterpret_cast<const char *>(out), qsizetype(outLength));
}

} // namespace

QByteArray Digest::sha256(QByteArrayView data)
{
    return digest("SHA256", data);
}

QByteArray Digest::sha256Hex(QByteArrayView data)
{
    return sha256(data).toHex();
}

QByteArray Digest::sha1(QByteArrayView data)
{
    return digest("SHA1", data);
}

QByteArray Digest::sha1Hex(QByteArrayView data)
{
    return sha1(data).toHex();
}

QByteArray Digest::md5Hex(QByteArrayView data)
{
    return digest("MD5", data).toHex();
}

} // namespace paydesk
