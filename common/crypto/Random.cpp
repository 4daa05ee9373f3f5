#include "common/crypto/Random.h"

#include <cstring>
#include <limits>

#include "common/crypto/OpenSslSupport.h"

#include <openssl/rand.h>

namespace paydesk {

QByteArray Random::bytes(qsizetype count)
{
    Q_ASSERT(count >= 0);
    if (count <= 0)
        return {};
    QByteArray out(count, Qt::Uninitialized);
    qsizetype done = 0;
    // RAND_bytes takes an int; feed it in chunks so huge requests cannot truncate silently.
    while (done < count) {
        const int chunk = int(qMin<qsizetype>(count - done, 1 << 20));
        if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data() + done), chunk) != 1)
            qFatal("paydesk: RAND_bytes failed: %s", qPrintable(openssl::takeErrors()));
        done += chunk;
    }
    return out;
}

QString Random::token(qsizetype nBytes)
{
    return QString::fromLatin1(bytes(nBytes).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString Random::alphanumeric(qsizetype length)
{
    static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    constexpr unsigned alphabetSize = sizeof alphabet - 1; // 62
    // Bytes >= 248 (= 4 * 62) are rejected: using them with % 62 would favour the first 8
    // characters. Rejection keeps every character exactly equally likely.
    constexpr unsigned acceptBelow = 256 - (256 % alphabetSize);

    QString out;
    out.reserve(length);
    while (out.size() < length) {
        // ~3% of bytes are rejected, so a little extra usually finishes in one round.
        const QByteArray pool = bytes(length - out.size() + 8);
        for (const char c : pool) {
            const unsigned value = static_cast<unsigned char>(c);
            if (value >= acceptBelow)
                continue;
            out.append(QLatin1Char(alphabet[value % alphabetSize]));
            if (out.size() == length)
                break;
        }
    }
    return out;
}

quint64 Random::uniform(quint64 bound)
{
    Q_ASSERT(bound > 0);
    if (bound <= 1)
        return 0;
    // Draws at or above the largest multiple of bound are thrown away, so no value is likelier.
    const quint64 limit = std::numeric_limits<quint64>::max() - std::numeric_limits<quint64>::max() % bound;
    for (;;) {
        quint64 draw = 0;
        const QByteArray raw = bytes(sizeof draw);
        std::memcpy(&draw, raw.constData(), sizeof draw);
        if (draw < limit)
            return draw % bound;
    }
}

} // namespace paydesk
