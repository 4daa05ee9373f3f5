#pragma once

// Internal to common/crypto: shared ownership of an OpenSSL EVP_PKEY plus the DER decoding and
// RSA policy checks that PublicKey and PrivateKey have in common.

#include "common/crypto/CryptoResult.h"

#include <QByteArrayView>

#include <memory>

struct evp_pkey_st;

namespace paydesk {

/// Reference-counted handle to an EVP_PKEY; copying takes another OpenSSL reference.
class PkeyRef final
{
public:
    PkeyRef() = default;
    /// Adopts one reference owned by the caller.
    explicit PkeyRef(evp_pkey_st *adopted);
    PkeyRef(const PkeyRef &other);
    PkeyRef &operator=(const PkeyRef &other);
    PkeyRef(PkeyRef &&other) noexcept = default;
    PkeyRef &operator=(PkeyRef &&other) noexcept = default;
    ~PkeyRef() = default;

    evp_pkey_st *get() const { return m_key.get(); }
    explicit operator bool() const { return m_key != nullptr; }

    /// Which DER structure to decode.
    enum class Structure {
        PrivateKeyInfo, ///< PKCS#8, unencrypted
        RsaPrivateKey, ///< PKCS#1 RSAPrivateKey
        SubjectPublicKeyInfo, ///< X.509 SPKI
        RsaPublicKey, ///< PKCS#1 RSAPublicKey
    };

    /// Decodes exactly one DER structure (trailing bytes are an error) into an RSA key within
    /// [minBits, maxBits].
    static CryptoResult<PkeyRef> decodeRsa(QByteArrayView der, Structure structure, int minBits, int maxBits);
    /// Applies the same RSA type and size policy to a key obtained some other way.
    static CryptoResult<PkeyRef> checkRsa(PkeyRef key, int minBits, int maxBits);

private:
    struct Deleter final
    {
        void operator()(evp_pkey_st *key) const noexcept;
    };
    std::unique_ptr<evp_pkey_st, Deleter> m_key;
};

} // namespace paydesk
