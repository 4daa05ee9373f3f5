#include "common/crypto/Totp.h"

#include "common/crypto/Hmac.h"
#include "common/crypto/Random.h"

#include <QUrl>

#include <array>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Value of one base32 character, either case; -1 for anything else.
int base32Value(char16_t c)
{
    if (c >= u'A' && c <= u'Z')
        return c - u'A';
    if (c >= u'a' && c <= u'z')
        return c - u'a';
    if (c >= u'2' && c <= u'7')
        return c - u'2' + 26;
    return -1;
}

constexpr std::array<quint32, Totp::MaxDigits + 1> kPowersOfTen
    = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 100'000'000};

bool validDigits(int digits)
{
    return digits >= Totp::MinDigits && digits <= Totp::MaxDigits;
}

} // namespace

QString Base32::encode(QByteArrayView data, Padding padding)
{
    QString out;
    out.reserve((data.size() + 4) / 5 * 8);
    quint32 buffer = 0;
    int bits = 0;
    for (const char byte : data) {
        buffer = (buffer << 8) | quint8(byte);
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.append(QLatin1Char(kBase32Alphabet[(buffer >> bits) & 0x1f]));
        }
    }
    if (bits > 0)
        out.append(QLatin1Char(kBase32Alphabet[(buffer << (5 - bits)) & 0x1f]));
    if (padding == Padding::Include) {
        while (out.size() % 8 != 0)
            out.append(u'=');
    }
    return out;
}

std::optional<QByteArray> Base32::decode(QStringView text)
{
    QByteArray out;
    out.reserve(text.size() * 5 / 8);
    quint32 buffer = 0;
    int bits = 0;
    qsizetype symbols = 0; // characters of the encoding, padding included, spaces not
    qsizetype padding = 0;
    for (const QChar c : text) {
        if (c == u' ')
            continue;
        ++symbols;
        if (c == u'=') {
            ++padding;
            continue;
        }
        const int value = base32Value(c.unicode());
        if (value < 0 || padding > 0) // data after padding is malformed
            return std::nullopt;
        buffer = (buffer << 5) | quint32(value);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.append(char((buffer >> bits) & 0xff));
        }
    }
    // A final group of 8 symbols carries 1-5 bytes, i.e. 2, 4, 5, 7 or 8 data symbols; any other
    // count of leftover symbols cannot come from an encoder.
    const qsizetype dataSymbols = symbols - padding;
    switch (dataSymbols % 8) {
    case 0:
    case 2:
    case 4:
    case 5:
    case 7: break;
    default: return std::nullopt;
    }
    // Padding, when present, completes exactly the last group of 8.
    if (padding > 0 && (dataSymbols % 8 == 0 || padding != 8 - dataSymbols % 8))
        return std::nullopt;
    // Leftover bits must be zero, else two spellings would decode to the same bytes.
    if ((buffer & ((1u << bits) - 1)) != 0)
        return std::nullopt;
    return out;
}

QByteArray Totp::generateSecret()
{
    return Random::bytes(SecretBytes);
}

qint64 Totp::timeStep(qint64 unixSeconds)
{
    return unixSeconds < 0 ? -1 : unixSeconds / PeriodSeconds;
}

QString Totp::code(QByteArrayView secret, qint64 unixSeconds, int digits)
{
    const qint64 step = timeStep(unixSeconds);
    return step < 0 ? QString() : codeForStep(secret, step, digits);
}

QString Totp::codeForStep(QByteArrayView secret, qint64 step, int digits)
{
    if (secret.isEmpty() || step < 0 || !validDigits(digits))
        return {};
    char counter[8];
    for (int i = 7; i >= 0; --i) {
        counter[i] = char(step & 0xff);
        step >>= 8;
    }
    const QByteArray mac = Hmac::sha1(secret, QByteArrayView(counter, sizeof counter));
    // RFC 4226 §5.3 dynamic truncation: 31 bits from the offset named by the last nibble.
    const int offset = quint8(mac.at(mac.size() - 1)) & 0x0f;
    const quint32 binary = (quint32(quint8(mac.at(offset)) & 0x7f) << 24) | (quint32(quint8(mac.at(offset + 1))) << 16)
        | (quint32(quint8(mac.at(offset + 2))) << 8) | quint32(quint8(mac.at(offset + 3)));
    return u"%1"_s.arg(binary % kPowersOfTen[size_t(digits)], digits, 10, QChar(u'0'));
}

std::optional<qint64> Totp::verify(QByteArrayView secret, QStringView code, qint64 unixSeconds, int window, int digits)
{
    const qint64 now = timeStep(unixSeconds);
    if (secret.isEmpty() || now < 0 || window < 0 || window > MaxWindow || !validDigits(digits)
        || code.size() != digits) {
        return std::nullopt;
    }
    for (const QChar c : code) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
    }
    const QByteArray offered = code.toLatin1();
    // Every candidate is computed and compared, with no early exit, so the time taken does not
    // tell an attacker whether or which step matched. Closest to now wins if two steps match.
    std::optional<qint64> matched;
    const auto check = [&](qint64 step) {
        if (step < 0)
            return;
        const bool equal = Hmac::constantTimeEquals(codeForStep(secret, step, digits).toLatin1(), offered);
        if (equal && !matched)
            matched = step;
    };
    check(now);
    for (int distance = 1; distance <= window; ++distance) {
        check(now - distance);
        check(now + distance);
    }
    return matched;
}

QString Totp::provisioningUri(const QString &account, QByteArrayView secret)
{
    // The label is "issuer:account"; the account is encoded so a ':' or '?' in it cannot
    // change how the URI is split.
    return u"otpauth://totp/Paydesk:"_s + QString::fromLatin1(QUrl::toPercentEncoding(account)) + u"?secret="_s
        + Base32::encode(secret) + u"&issuer=Paydesk"_s;
}

} // namespace paydesk
