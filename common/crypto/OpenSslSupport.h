#pragma once

// Internal helpers shared by the crypto sources: RAII owners for OpenSSL objects and handling of
// the thread-local OpenSSL error queue. Not meant for code outside common/crypto.

#include <QByteArray>
#include <QByteArrayView>
#include <QLoggingCategory>
#include <QString>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

#include <climits>
#include <memory>

namespace paydesk {

Q_DECLARE_LOGGING_CATEGORY(lcCrypto)

namespace openssl {

/// Deleter calling the OpenSSL free function given as template argument.
template<auto FreeFunction> struct Deleter final
{
    template<typename T> void operator()(T *object) const noexcept { FreeFunction(object); }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<&EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<&EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<&EVP_MD_CTX_free>>;
using EvpMdPtr = std::unique_ptr<EVP_MD, Deleter<&EVP_MD_free>>;
using EvpCipherPtr = std::unique_ptr<EVP_CIPHER, Deleter<&EVP_CIPHER_free>>;
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<&EVP_CIPHER_CTX_free>>;
using EvpMacPtr = std::unique_ptr<EVP_MAC, Deleter<&EVP_MAC_free>>;
using EvpMacCtxPtr = std::unique_ptr<EVP_MAC_CTX, Deleter<&EVP_MAC_CTX_free>>;
using EvpKdfPtr = std::unique_ptr<EVP_KDF, Deleter<&EVP_KDF_free>>;
using EvpKdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, Deleter<&EVP_KDF_CTX_free>>;
using DecoderCtxPtr = std::unique_ptr<OSSL_DECODER_CTX, Deleter<&OSSL_DECODER_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<&X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<&BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<&BN_free>>;

/// Frees memory that OpenSSL allocated with OPENSSL_malloc (BN_bn2hex, ASN1_STRING_to_UTF8, ...).
struct OpenSslFree final
{
    void operator()(void *memory) const noexcept { OPENSSL_free(memory); }
};
using OpenSslCharPtr = std::unique_ptr<char, OpenSslFree>;
using OpenSslBytePtr = std::unique_ptr<unsigned char, OpenSslFree>;

/// Drains the calling thread's OpenSSL error queue and returns it as one line (empty if none).
/// Every failure path calls this so a stale error can never be blamed on a later, unrelated call.
QString takeErrors();

/// "<what>: <OpenSSL errors>" and an emptied error queue, for CryptoResult::failure().
QString failureText(const QString &what);

/// Clears the error queue when it leaves scope. Public entry points create one so that a failed
/// attempt (for example trying PKCS#8 before PKCS#1) never leaves errors behind for the caller.
class ErrorQueueGuard final
{
public:
    ErrorQueueGuard() = default;
    ~ErrorQueueGuard() { ERR_clear_error(); }
    ErrorQueueGuard(const ErrorQueueGuard &) = delete;
    ErrorQueueGuard &operator=(const ErrorQueueGuard &) = delete;
};

/// True when the size fits OpenSSL's int-based length parameters.
inline bool fitsInt(qsizetype size)
{
    return size >= 0 && size <= qsizetype(INT_MAX);
}

inline const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

/// The contents of a memory BIO as a QByteArray.
QByteArray bioContents(BIO *bio);

/// The SubjectPublicKeyInfo DER of a key (public part only); empty and logged on failure.
QByteArray publicKeyDer(EVP_PKEY *key);

} // namespace openssl
} // namespace paydesk
