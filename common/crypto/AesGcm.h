#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace paydesk {

/// AES-GCM authenticated encryption in the WeChat Pay layout: ciphertext followed by a 16-byte tag.
///
/// The key length picks the variant: 16 bytes = AES-128-GCM, 32 bytes = AES-256-GCM; any other
/// length is rejected (WeChat's notify_test uses a 16-byte APIv3 key, production keys have 32).
class AesGcm final
{
public:
    AesGcm() = delete;

    static constexpr qsizetype TagSize = 16;
    static constexpr qsizetype RecommendedIvSize = 12;
    /// Upper bound on an IV; GCM accepts any non-empty IV, this only stops absurd inputs.
    static constexpr qsizetype MaxIvSize = 256;

    /// Encrypts plaintext and returns ciphertext || tag, or nullopt for a bad key or IV length.
    static std::optional<QByteArray> seal(QByteArrayView key, QByteArrayView iv, QByteArrayView plaintext,
                                          QByteArrayView aad = {});

    /// Decrypts ciphertext || tag. Returns nullopt when the key or IV length is invalid, the
    /// input is shorter than a tag, or authentication fails (wrong key, IV, AAD or tampering).
    static std::optional<QByteArray> open(QByteArrayView key, QByteArrayView iv, QByteArrayView ciphertextAndTag,
                                          QByteArrayView aad = {});

    /// Decrypts a WeChat Pay APIv3 "resource" (notification or encrypted certificate): the
    /// APIv3 key, nonce and associated_data are used as their UTF-8 bytes and ciphertext is
    /// base64(ct || tag). Returns nullopt on bad base64 or any open() failure.
    static std::optional<QByteArray> openWechatResource(QByteArrayView apiV3Key, const QString &nonce,
                                                        const QString &associatedData, const QString &ciphertextBase64);

    /// The inverse of openWechatResource(): base64(ct || tag), for the sandbox and tests.
    static std::optional<QByteArray> sealWechatResource(QByteArrayView apiV3Key, const QString &nonce,
                                                        const QString &associatedData, QByteArrayView plaintext);
};

} // namespace paydesk
