#pragma once

#include <QByteArray>
#include <QString>

namespace paydesk {

/// Cryptographically secure random bytes, tokens and nonces from OpenSSL's DRBG.
///
/// Failure of the random generator aborts the process (qFatal): every token, salt and nonce
/// would otherwise be predictable, and no caller can do anything sensible about it.
class Random final
{
public:
    Random() = delete;

    /// count random bytes; count must be >= 0.
    static QByteArray bytes(qsizetype count);
    /// nBytes random bytes as base64url without padding (for session ids, API tokens, ...).
    static QString token(qsizetype nBytes = 32);
    /// A string of length characters drawn uniformly from [0-9A-Za-z] (WeChat nonce_str style).
    static QString alphanumeric(qsizetype length = 32);
    /// A number drawn uniformly from [0, bound) (bound > 0), without modulo bias.
    static quint64 uniform(quint64 bound);
};

} // namespace paydesk
