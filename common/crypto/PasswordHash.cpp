#include "common/crypto/PasswordHash.h"

#include "common/crypto/Hmac.h"
#include "common/crypto/OpenSslSupport.h"
#include "common/crypto/Random.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <optional>

namespace paydesk {

namespace {

constexpr qsizetype SaltBytes = 16;
constexpr qsizetype HashBytes = 32;
constexpr qsizetype MinSaltBytes = 8;
constexpr qsizetype MaxSaltBytes = 64;
constexpr qsizetype MinHashBytes = 16;
constexpr qsizetype MaxHashBytes = 64;

struct Parsed
{
    PasswordHash::Cost cost;
    QByteArray salt;
    QByteArray hash;
};

constexpr auto Base64Options = QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals;

// Wipes a secret buffer when it goes out of scope (passwords, derived keys).
class Scrub final
{
public:
    explicit Scrub(QByteArray &bytes) : m_bytes(bytes) { }
    ~Scrub()
    {
        if (!m_bytes.isEmpty())
            OPENSSL_cleanse(m_bytes.data(), size_t(m_bytes.size()));
    }
    Scrub(const Scrub &) = delete;
    Scrub &operator=(const Scrub &) = delete;

private:
    QByteArray &m_bytes;
};

// Digits only, no sign, no leading zero, bounded length: "N=0032768" is not the same string.
std::optional<quint64> parseNumber(QStringView text)
{
    if (text.isEmpty() || text.size() > 10 || (text.size() > 1 && text.front() == u'0'))
        return std::nullopt;
    quint64 value = 0;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        value = value * 10 + quint64(c.unicode() - u'0');
    }
    return value;
}

std::optional<QByteArray> parseBase64(QStringView text, qsizetype minBytes, qsizetype maxBytes)
{
    const QByteArray ascii = text.toLatin1();
    const auto decoded = QByteArray::fromBase64Encoding(ascii, QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return std::nullopt;
    // Require the canonical unpadded spelling so one hash has exactly one stored form.
    if (decoded.decoded.toBase64(Base64Options) != ascii)
        return std::nullopt;
    if (decoded.decoded.size() < minBytes || decoded.decoded.size() > maxBytes)
        return std::nullopt;
    return decoded.decoded;
}

std::optional<Parsed> parse(const QString &stored)
{
    if (stored.size() > PasswordHash::MaxStoredLength)
        return std::nullopt;
    const QList<QStringView> parts = QStringView(stored).split(u'$');
    if (parts.size() != 4 || parts[0] != u"scrypt")
        return std::nullopt;
    const QList<QStringView> params = parts[1].split(u',');
    if (params.size() != 3 || !params[0].startsWith(u"N=") || !params[1].startsWith(u"r=")
        || !params[2].startsWith(u"p="))
        return std::nullopt;
    const auto n = parseNumber(params[0].mid(2));
    const auto r = parseNumber(params[1].mid(2));
    const auto p = parseNumber(params[2].mid(2));
    if (!n || !r || !p || *r > PasswordHash::MaxR || *p > PasswordHash::MaxP)
        return std::nullopt;
    Parsed parsed{PasswordHash::Cost{*n, quint32(*r), quint32(*p)}, {}, {}};
    if (!PasswordHash::isAcceptableCost(parsed.cost))
        return std::nullopt;
    auto salt = parseBase64(parts[2], MinSaltBytes, MaxSaltBytes);
    auto hash = parseBase64(parts[3], MinHashBytes, MaxHashBytes);
    if (!salt || !hash)
        return std::nullopt;
    parsed.salt = std::move(*salt);
    parsed.hash = std::move(*hash);
    return parsed;
}

std::optional<QByteArray> scrypt(const QByteArray &password, const QByteArray &salt, const PasswordHash::Cost &cost,
                                 qsizetype length)
{
    const openssl::ErrorQueueGuard guard;
    const openssl::EvpKdfPtr kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_SCRYPT, nullptr));
    const openssl::EvpKdfCtxPtr ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    if (!ctx) {
        qCWarning(lcCrypto) << "scrypt unavailable:" << openssl::takeErrors();
        return std::nullopt;
    }
    uint64_t n = cost.n;
    uint32_t r = cost.r;
    uint32_t p = cost.p;
    // OpenSSL's own default ceiling (32 MiB) is just below what N=32768,r=8 needs; set ours.
    uint64_t maxMemory = PasswordHash::MaxMemoryBytes * 2;
    // OSSL_PARAM wants non-const pointers but only reads octet strings for derive input.
    QByteArray passwordCopy = password;
    QByteArray saltCopy = salt;
    const Scrub scrubPassword(passwordCopy);
    static char emptyPassword = 0;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                          passwordCopy.isEmpty() ? &emptyPassword : passwordCopy.data(),
                                          size_t(passwordCopy.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, saltCopy.data(), size_t(saltCopy.size())),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxMemory),
        OSSL_PARAM_construct_end(),
    };
    QByteArray out(length, Qt::Uninitialized);
    if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char *>(out.data()), size_t(length), params) != 1) {
        qCWarning(lcCrypto) << "scrypt derive failed:" << openssl::takeErrors();
        return std::nullopt;
    }
    return out;
}

} // namespace

bool PasswordHash::isAcceptableCost(const Cost &cost)
{
    const bool powerOfTwo = cost.n != 0 && (cost.n & (cost.n - 1)) == 0;
    if (!powerOfTwo || cost.n < MinN || cost.n > MaxN || cost.r < 1 || cost.r > MaxR || cost.p < 1 || cost.p > MaxP)
        return false;
    // Bounds above keep these products far from overflow.
    return 128 * quint64(cost.r) * cost.n <= MaxMemoryBytes && cost.n * cost.r * cost.p <= MaxWork;
}

CryptoResult<QString> PasswordHash::hash(const QString &password, const Cost &cost)
{
    using Result = CryptoResult<QString>;
    if (!isAcceptableCost(cost))
        return Result::failure(QStringLiteral("password hash: unacceptable scrypt cost"));
    QByteArray utf8 = password.toUtf8();
    const Scrub scrub(utf8);
    if (utf8.size() > MaxPasswordBytes)
        return Result::failure(QStringLiteral("password hash: password too long"));
    const QByteArray salt = Random::bytes(SaltBytes);
    std::optional<QByteArray> derived = scrypt(utf8, salt, cost, HashBytes);
    if (!derived)
        return Result::failure(QStringLiteral("password hash: scrypt failed"));
    const Scrub scrubDerived(*derived);
    return Result::success(QStringLiteral("scrypt$N=%1,r=%2,p=%3$%4$%5")
                               .arg(cost.n)
                               .arg(cost.r)
                               .arg(cost.p)
                               .arg(QString::fromLatin1(salt.toBase64(Base64Options)),
                                    QString::fromLatin1(derived->toBase64(Base64Options))));
}

bool PasswordHash::verify(const QString &password, const QString &stored)
{
    const std::optional<Parsed> parsed = parse(stored);
    if (!parsed)
        return false;
    QByteArray utf8 = password.toUtf8();
    const Scrub scrub(utf8);
    if (utf8.size() > MaxPasswordBytes)
        return false;
    std::optional<QByteArray> derived = scrypt(utf8, parsed->salt, parsed->cost, parsed->hash.size());
    if (!derived)
        return false;
    const Scrub scrubDerived(*derived);
    return Hmac::constantTimeEquals(*derived, parsed->hash);
}

bool PasswordHash::needsRehash(const QString &stored, const Cost &wanted)
{
    const std::optional<Parsed> parsed = parse(stored);
    return !parsed || !(parsed->cost == wanted) || parsed->salt.size() != SaltBytes || parsed->hash.size() != HashBytes;
}

} // namespace paydesk
