#pragma once

#include "common/crypto/CryptoResult.h"
#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"

#include <QByteArray>
#include <QByteArrayView>

namespace paydesk {

/// RSA-OAEP with SHA-1 and MGF1-SHA-1 (Java's "RSA/ECB/OAEPWithSHA-1AndMGF1Padding"), the padding
/// WeChat Pay API v3 uses for sensitive fields such as a transfer's user_name: the merchant
/// encrypts with the platform key, WeChat Pay encrypts answers with the merchant's key.
///
/// Thread-safe like RsaSignature: every call makes its own OpenSSL context around the shared key.
/// Encryption is randomised, so the same plaintext gives a different ciphertext every time.
class RsaOaep final
{
public:
    RsaOaep() = delete;

    /// base64(ciphertext), as long as the modulus before encoding. The plaintext must fit one
    /// block: at most modulus - 42 bytes (214 for a 2048-bit key).
    static CryptoResult<QByteArray> encryptBase64(const PublicKey &key, QByteArrayView plaintext);
    /// The plaintext of base64(ciphertext); fails on bad base64, a wrong length or a wrong key.
    static CryptoResult<QByteArray> decryptBase64(const PrivateKey &key, QByteArrayView ciphertextBase64);
};

} // namespace paydesk
