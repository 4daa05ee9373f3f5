#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace paydesk {

/// HMAC-SHA256 (and HMAC-SHA1 for TOTP) and a timing-safe comparison for secrets and MACs.
class Hmac final
{
public:
    Hmac() = delete;

    /// Raw 32-byte HMAC-SHA256 of data under key (any key length, including empty).
    static QByteArray sha256(QByteArrayView key, QByteArrayView data);
    /// Raw 20-byte HMAC-SHA1. Only for protocols that fix it (RFC 6238 TOTP, which authenticator
    /// apps implement with SHA-1); HMAC-SHA1 is still sound as a MAC, unlike SHA-1 for signatures.
    static QByteArray sha1(QByteArrayView key, QByteArrayView data);

    /// Compares in time that depends only on the lengths, never on where the inputs differ.
    /// Inputs of different lengths are unequal; the length itself is not treated as secret.
    static bool constantTimeEquals(QByteArrayView a, QByteArrayView b);
};

} // namespace paydesk
