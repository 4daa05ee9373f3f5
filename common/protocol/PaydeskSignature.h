#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace paydesk {

/// The PAYDESK-HMAC-SHA256 request signature of merchant and app back ends (docs/authentication.md):
///   Authorization: PAYDESK-HMAC-SHA256 key_id=…,timestamp=…,nonce=…,signature=…
///   signature = base64(HMAC-SHA256(secret, METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nhex(SHA256(body))\n))
/// The HMAC key is the secret exactly as issued (its ASCII bytes); TIMESTAMP is Unix seconds.
class PaydeskSignature final
{
public:
    PaydeskSignature() = delete;

    static constexpr QByteArrayView scheme() { return "PAYDESK-HMAC-SHA256"; }

    /// The string to sign; target is the raw path plus "?query" when there is one.
    static QByteArray canonicalString(QByteArrayView method, QByteArrayView target, qint64 timestamp,
                                      QByteArrayView nonce, QByteArrayView body);
    static QByteArray sign(QByteArrayView secret, QByteArrayView method, QByteArrayView target, qint64 timestamp,
                           QByteArrayView nonce, QByteArrayView body);
    static QByteArray authorization(QByteArrayView keyId, qint64 timestamp, QByteArrayView nonce,
                                    QByteArrayView signature);

    struct Parsed
    {
        QString keyId;
        qint64 timestamp = 0;
        QByteArray nonce;
        QByteArray signature; ///< base64 text as sent
    };
    /// Parses the header value (parameters in any order, each exactly once, bounded sizes).
    static std::optional<Parsed> parse(QByteArrayView header, QString *error);
};

} // namespace paydesk
