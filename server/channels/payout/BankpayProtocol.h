#pragma once

#include "common/crypto/CryptoResult.h"
#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1StringView>
#include <QString>

#include <optional>

namespace paydesk {

/// The signed JSON messages of the bankpay payout protocol (docs/payouts.md), for both ends: every
/// request, answer and notification is one flat JSON object of string values, signed
/// SHA256withRSA over its canonical string — the pairs sorted by name in byte order, written
/// name=value, joined with '&', empty values and `sign` left out (`sign_type` is signed), UTF-8 —
/// the same content rule as Alipay's request signatures.
class BankpayProtocol final
{
public:
    BankpayProtocol() = delete;

    static constexpr QLatin1StringView SignType{"RSA2"};
    /// Farthest a message's timestamp may be from the receiver's clock (both directions).
    static constexpr qint64 MaxClockSkewSeconds = 300;
    static constexpr qsizetype MaxFields = 64;
    static constexpr qsizetype MaxValueLength = 2048;
    static constexpr qsizetype MaxMessageBytes = 64 * 1024;

    /// The bytes signed over object; fails when a value is not a string, a name is not
    /// [a-z0-9_]{1,64}, or a limit above is exceeded.
    static CryptoResult<QByteArray> signContent(const QJsonObject &object);
    /// object with sign_type "RSA2" and sign (base64) added.
    static CryptoResult<QJsonObject> sign(const PrivateKey &key, QJsonObject object);
    /// Empty when object carries sign_type RSA2 and a valid sign by key; otherwise why not.
    static QString verify(const PublicKey &key, const QJsonObject &object);
    /// Empty when the message's timestamp (Unix seconds, digits only) is within MaxClockSkewSeconds
    /// of nowSeconds; otherwise why not.
    static QString checkTimestamp(const QJsonObject &object, qint64 nowSeconds);

    /// A request/answer body as a JSON object; nullopt and *why when it is not one or too large.
    static std::optional<QJsonObject> parse(const QByteArray &body, QString *why);
    /// Compact JSON.
    static QByteArray serialize(const QJsonObject &object);

    /// A stable id for a public key: the first 16 hex digits (upper case) of SHA-256 over its
    /// SubjectPublicKeyInfo. Providers name their signing key with it in key_id.
    static QString keyIdOf(const PublicKey &key);
};

} // namespace paydesk
