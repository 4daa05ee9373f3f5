#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <optional>

namespace paydesk {

/// RFC 4648 base32, the alphabet authenticator apps use to show and scan TOTP secrets.
class Base32 final
{
public:
    Base32() = delete;

    enum class Padding { Omit, Include };

    /// Upper-case base32. otpauth:// URIs want it without '=' padding (the default).
    static QString encode(QByteArrayView data, Padding padding = Padding::Omit);
    /// Decodes upper- or lower-case base32; '=' padding is optional and spaces are ignored (people
    /// copy secrets shown in groups of four). Returns nullopt for any other character, a length no
    /// encoding produces, or non-zero bits after the last byte, so each byte string has exactly one
    /// accepted spelling per letter case.
    static std::optional<QByteArray> decode(QStringView text);
};

/// RFC 6238 time-based one-time passwords with HMAC-SHA1 and 30-second steps: what every
/// authenticator app (Google Authenticator, FreeOTP, 1Password, ...) produces.
class Totp final
{
public:
    Totp() = delete;

    static constexpr qint64 PeriodSeconds = 30;
    static constexpr int DefaultDigits = 6;
    /// RFC 4226 asks for at least 6 digits; beyond 8 the 31-bit truncated value skews the digits.
    static constexpr int MinDigits = 6;
    static constexpr int MaxDigits = 8;
    /// RFC 4226 recommends 160-bit secrets, the HMAC-SHA1 output size.
    static constexpr qsizetype SecretBytes = 20;
    /// verify() looks at most this many steps either side of now: a bound on work and on how
    /// long a code stays usable, whatever a caller passes.
    static constexpr int MaxWindow = 10;

    /// A new random secret of SecretBytes bytes.
    static QByteArray generateSecret();

    /// The RFC 6238 time step (T) of an instant; -1 before the epoch, where TOTP is undefined.
    static qint64 timeStep(qint64 unixSeconds);

    /// The code of the step that contains unixSeconds, zero-padded to digits; empty for an empty
    /// secret, a time before the epoch or digits outside [MinDigits, MaxDigits].
    static QString code(QByteArrayView secret, qint64 unixSeconds, int digits = DefaultDigits);
    /// The code of one time step (HOTP with the step as counter); same empty cases as code().
    static QString codeForStep(QByteArrayView secret, qint64 step, int digits = DefaultDigits);

    /// Checks code against the steps from window before to window after the current one, in
    /// time that does not depend on which (if any) step matches. Returns the matched step, which
    /// callers store and refuse next time so that an observed code cannot be replayed, or nullopt
    /// for a wrong code, a code that is not exactly digits ASCII digits, or invalid arguments.
    static std::optional<qint64> verify(QByteArrayView secret, QStringView code, qint64 unixSeconds, int window = 1,
                                        int digits = DefaultDigits);

    /// "otpauth://totp/Paydesk:<account>?secret=<base32>&issuer=Paydesk", the URI that
    /// authenticator apps import (usually from a QR code); account is percent-encoded.
    static QString provisioningUri(const QString &account, QByteArrayView secret);
};

} // namespace paydesk
