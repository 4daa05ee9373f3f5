#include "server/security/FieldCipher.h"

#include "common/crypto/AesGcm.h"
#include "common/crypto/Hmac.h"
#include "common/crypto/Random.h"
#include "common/util/PrivateFiles.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QLoggingCategory>
#include <QReadLocker>
#include <QWriteLocker>

#include <chrono>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

Q_LOGGING_CATEGORY(lcFieldCipher, "paydesk.security.keys")

constexpr qint64 kMaxKeyFileBytes = 4 * 1024;
constexpr int kLockTimeoutMs = 30'000;
// A bound on what load() reads; a real installation rotates a few times a year.
constexpr int kMaxRetiredKeys = 1000;
// Unknown key ids re-read the key files at most this often, so a damaged row cannot turn every
// read into file system work.
constexpr qint64 kMissReloadIntervalMs = 1000;
// Far above any valid value (MaxPlaintextBytes in base64 plus the header); checked before decoding.
constexpr qsizetype kMaxCiphertextChars = 128 * 1024;
constexpr QStringView kPrefix = u"v1."; // the format version
constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QString keysDirectory(const QString &dataDir)
{
    return QDir(dataDir).filePath(u"keys"_s);
}

QString retiredDirectory(const QString &dataDir)
{
    return QDir(keysDirectory(dataDir)).filePath(u"retired"_s);
}

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void appendLengthPrefixed(QByteArray &out, QByteArrayView field)
{
    const quint32 size = quint32(field.size());
    out.append(char(size >> 24)).append(char(size >> 16)).append(char(size >> 8)).append(char(size));
    out.append(field);
}

// What the tag authenticates besides the ciphertext: the format version, the key id (so the
// header cannot be edited) and the caller's context, each length-prefixed so that no two
// different (key id, context) pairs encode alike.
QByteArray associatedData(const QString &keyId, const QString &context)
{
    QByteArray aad = "paydesk-field-v1";
    appendLengthPrefixed(aad, keyId.toUtf8());
    appendLengthPrefixed(aad, context.toUtf8());
    return aad;
}

// Strict unpadded base64url: anything whose canonical re-encoding differs is refused, so each
// value has exactly one spelling (and a changed character always changes the bytes).
std::optional<QByteArray> decodeBase64Url(QStringView text)
{
    const QByteArray ascii = text.toLatin1();
    auto decoded = QByteArray::fromBase64Encoding(ascii, kBase64Url | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.toBase64(kBase64Url) != ascii)
        return std::nullopt;
    return std::move(decoded.decoded);
}

struct ParsedCiphertext
{
    QString keyId;
    QByteArray nonce;
    QByteArray sealed; // ciphertext || tag
};

// "v1.<key-id>.<nonce>.<sealed>": the key id may itself contain dots, the base64url parts never do.
std::optional<ParsedCiphertext> parseCiphertext(QStringView text, QString *why)
{
    if (text.size() > kMaxCiphertextChars) {
        *why = u"the value is longer than any field ciphertext"_s;
        return std::nullopt;
    }
    const qsizetype lastDot = text.lastIndexOf(u'.');
    const qsizetype nonceDot = lastDot > 0 ? text.lastIndexOf(u'.', lastDot - 1) : -1;
    if (!text.startsWith(kPrefix) || nonceDot < kPrefix.size()) {
        *why = u"the value is not a v1 field ciphertext"_s;
        return std::nullopt;
    }
    ParsedCiphertext parsed;
    parsed.keyId = text.sliced(kPrefix.size(), nonceDot - kPrefix.size()).toString();
    std::optional<QByteArray> nonce = decodeBase64Url(text.sliced(nonceDot + 1, lastDot - nonceDot - 1));
    std::optional<QByteArray> sealed = decodeBase64Url(text.sliced(lastDot + 1));
    if (!isValidFieldKeyId(parsed.keyId) || !nonce || nonce->size() != FieldCipher::NonceBytes || !sealed
        || sealed->size() < AesGcm::TagSize) {
        *why = u"the value is not a well-formed v1 field ciphertext"_s;
        return std::nullopt;
    }
    parsed.nonce = std::move(*nonce);
    parsed.sealed = std::move(*sealed);
    return parsed;
}

// --- key files --------------------------------------------------------------------------------

struct KeyFiles
{
    FieldKey current;
    QList<FieldKey> retired;
};

std::optional<FieldKey> readFieldKey(const QString &path, QString *error)
{
    const std::optional<QByteArray> contents = readPrivateFile(path, kMaxKeyFileBytes, error);
    if (!contents)
        return std::nullopt;
    std::optional<FieldKey> key = parseFieldKeyFile(*contents);
    if (!key)
        *error = u"%1 is not a valid field-key file"_s.arg(path);
    return key;
}

std::optional<KeyFiles> readKeyFiles(const QString &dataDir, QString *error)
{
    KeyFiles files;
    std::optional<FieldKey> current = readFieldKey(QDir(keysDirectory(dataDir)).filePath(u"field.key"_s), error);
    if (!current)
        return std::nullopt;
    files.current = std::move(*current);

    const QDir retiredDir(retiredDirectory(dataDir));
    const QStringList names = retiredDir.entryList({u"*.key"_s}, QDir::Files, QDir::Name);
    if (names.size() > kMaxRetiredKeys) {
        *error = u"%1 holds more than %2 keys"_s.arg(retiredDir.path()).arg(kMaxRetiredKeys);
        return std::nullopt;
    }
    for (const QString &name : names) {
        std::optional<FieldKey> key = readFieldKey(retiredDir.filePath(name), error);
        if (!key)
            return std::nullopt;
        // The file name is how rotation finds a key again; a mismatch means a file was renamed
        // or copied by hand, and guessing which name is right could pick the wrong key.
        if (name != key->keyId + u".key"_s) {
            *error = u"%1 holds key %2; retired keys must be named <key-id>.key"_s.arg(retiredDir.filePath(name),
                                                                                       key->keyId);
            return std::nullopt;
        }
        files.retired.append(std::move(*key));
    }
    return files;
}

std::optional<QByteArray> parseLookupKeyFile(const QByteArray &contents)
{
    const std::optional<QMap<QByteArray, QByteArray>> lines = parseKeyFileLines(contents);
    if (!lines)
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(lines->value("key"), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != FieldCipher::KeyBytes)
        return std::nullopt;
    return *decoded;
}

// Loads keys/lookup.key, creating it on first run; the caller holds the keys directory lock.
std::optional<QByteArray> ensureLookupKey(const QString &dataDir, QString *error)
{
    const QString path = QDir(keysDirectory(dataDir)).filePath(u"lookup.key"_s);
    if (QFileInfo::exists(path)) {
        const std::optional<QByteArray> contents = readPrivateFile(path, kMaxKeyFileBytes, error);
        if (!contents)
            return std::nullopt;
        std::optional<QByteArray> key = parseLookupKeyFile(*contents);
        if (!key) {
            *error = u"%1 is not a valid lookup-key file (a 32-byte base64 key line); it is left as it is, "
                     u"since every stored lookup hash depends on it"_s.arg(path);
        }
        return key;
    }
    const QByteArray key = Random::bytes(FieldCipher::KeyBytes);
    const QByteArray contents
        = "# Paydesk lookup-hash key (HMAC-SHA256). Keep it secret and back it up. It never\n"
          "# rotates: stored hashes (phone numbers, card numbers) cannot be recomputed without it.\n"
          "created: "
        + QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toLatin1() + "\nkey: " + key.toBase64() + '\n';
    if (!writeFileAtomically(path, contents, kOwnerReadWrite, error))
        return std::nullopt;
    qCInfo(lcFieldCipher).noquote() << "created lookup-hash key in" << path << "- back it up";
    return key;
}

// The same lock file ensureFieldKey() takes, so rotation and first-run creation never interleave.
bool lockKeysDirectory(QLockFile &lock, QString *error)
{
    if (lock.tryLock(kLockTimeoutMs))
        return true;
    *error = u"another process holds %1"_s.arg(lock.fileName());
    return false;
}

} // namespace

FieldCipher::FieldCipher(FieldKey current, const QList<FieldKey> &retired, QByteArray lookupKey, QString dataDir)
    : m_dataDir(std::move(dataDir)), m_lookupKey(std::move(lookupKey)), m_current(std::move(current))
{
    Q_ASSERT(m_current.key.size() == KeyBytes && m_lookupKey.size() == KeyBytes);
    for (const FieldKey &key : retired)
        m_keys.insert(key.keyId, key.key);
    m_keys.insert(m_current.keyId, m_current.key);
}

FieldCipher::~FieldCipher() = default;

std::unique_ptr<FieldCipher> FieldCipher::load(const QString &dataDir, QString *error)
{
    QString ignored;
    QString &message = error ? *error : ignored;
    if (!ensureFieldKey(dataDir, &message))
        return nullptr;
    std::optional<QByteArray> lookupKey;
    {
        QLockFile lock(QDir(keysDirectory(dataDir)).filePath(u".bootstrap.lock"_s));
        if (!lockKeysDirectory(lock, &message))
            return nullptr;
        lookupKey = ensureLookupKey(dataDir, &message);
        if (!lookupKey)
            return nullptr;
    }
    std::optional<KeyFiles> files = readKeyFiles(dataDir, &message);
    if (!files)
        return nullptr;
    return std::make_unique<FieldCipher>(std::move(files->current), files->retired, std::move(*lookupKey), dataDir);
}

std::optional<QString> FieldCipher::rotate(const QString &dataDir, QString *error)
{
    QString ignored;
    QString &message = error ? *error : ignored;
    if (!ensureFieldKey(dataDir, &message) || !ensurePrivateDirectory(retiredDirectory(dataDir), &message))
        return std::nullopt;
    const QDir keysDir(keysDirectory(dataDir));
    const QDir retiredDir(retiredDirectory(dataDir));
    QLockFile lock(keysDir.filePath(u".bootstrap.lock"_s));
    if (!lockKeysDirectory(lock, &message))
        return std::nullopt;

    const std::optional<FieldKey> old = readFieldKey(keysDir.filePath(u"field.key"_s), &message);
    if (!old)
        return std::nullopt;
    const QString retiredPath = retiredDir.filePath(old->keyId + u".key"_s);
    if (QFileInfo::exists(retiredPath)) {
        // Left by a rotation that stopped between its two writes; it must be this very key.
        const std::optional<FieldKey> earlier = readFieldKey(retiredPath, &message);
        if (!earlier)
            return std::nullopt;
        if (earlier->key != old->key) {
            message = u"%1 already exists with a different key; resolve that by hand"_s.arg(retiredPath);
            return std::nullopt;
        }
    }
    // Retire first: a crash in between leaves the old key in both places, which is harmless;
    // the other order could leave it nowhere.
    if (!writeFileAtomically(retiredPath, formatFieldKeyFile(*old), kOwnerReadWrite, &message))
        return std::nullopt;

    FieldKey fresh = generateFieldKey();
    while (fresh.keyId == old->keyId || QFileInfo::exists(retiredDir.filePath(fresh.keyId + u".key"_s)))
        fresh = generateFieldKey();
    if (!writeFileAtomically(keysDir.filePath(u"field.key"_s), formatFieldKeyFile(fresh), kOwnerReadWrite, &message))
        return std::nullopt;
    qCInfo(lcFieldCipher).noquote() << "rotated the field-encryption key:" << old->keyId << "retired," << fresh.keyId
                                    << "current";
    return fresh.keyId;
}

bool FieldCipher::reload(QString *error) const
{
    QString ignored;
    QString &message = error ? *error : ignored;
    if (m_dataDir.isEmpty()) {
        message = u"this field cipher was not loaded from a data directory"_s;
        return false;
    }
    std::optional<KeyFiles> files = readKeyFiles(m_dataDir, &message);
    if (!files)
        return false;
    const QWriteLocker locker(&m_lock);
    // Keys are only ever added: a value encrypted a moment ago under the previous key must
    // stay readable even if its file went away meanwhile.
    for (const FieldKey &key : std::as_const(files->retired))
        m_keys.insert(key.keyId, key.key);
    if (files->current.keyId != m_current.keyId) {
        qCInfo(lcFieldCipher).noquote() << "field-encryption key" << files->current.keyId << "is now current";
        m_current = std::move(files->current);
    }
    m_keys.insert(m_current.keyId, m_current.key);
    return true;
}

QString FieldCipher::currentKeyId() const
{
    const QReadLocker locker(&m_lock);
    return m_current.keyId;
}

QStringList FieldCipher::keyIds() const
{
    const QReadLocker locker(&m_lock);
    QStringList ids = m_keys.keys();
    ids.sort();
    return ids;
}

QString FieldCipher::encrypt(QByteArrayView plaintext, const QString &context) const
{
    if (context.isEmpty())
        throw std::invalid_argument("FieldCipher::encrypt needs a context that names the value's row and column");
    if (plaintext.size() > MaxPlaintextBytes)
        throw std::invalid_argument("FieldCipher::encrypt: the value is larger than MaxPlaintextBytes");
    FieldKey key;
    {
        const QReadLocker locker(&m_lock);
        key = m_current;
    }
    const QByteArray nonce = Random::bytes(NonceBytes);
    const std::optional<QByteArray> sealed
        = AesGcm::seal(key.key, nonce, plaintext, associatedData(key.keyId, context));
    // Sizes are valid by construction, so only a broken crypto provider gets here; storing the
    // value unencrypted or not at all are both worse than stopping.
    if (!sealed)
        qFatal("paydesk: AES-256-GCM encryption of a field failed");
    return kPrefix.toString() + key.keyId + u'.' + QString::fromLatin1(nonce.toBase64(kBase64Url)) + u'.'
        + QString::fromLatin1(sealed->toBase64(kBase64Url));
}

std::optional<QByteArray> FieldCipher::decrypt(const QString &ciphertext, const QString &context) const
{
    return decryptWithReason(ciphertext, context).toOptional();
}

CryptoResult<QByteArray> FieldCipher::decryptWithReason(const QString &ciphertext, const QString &context) const
{
    QString why;
    const std::optional<ParsedCiphertext> parsed = parseCiphertext(ciphertext, &why);
    if (!parsed)
        return CryptoResult<QByteArray>::failure(why);
    const std::optional<QByteArray> key = keyFor(parsed->keyId);
    if (!key) {
        return CryptoResult<QByteArray>::failure(
            u"unknown field key %1 (neither keys/field.key nor keys/retired/%1.key)"_s.arg(parsed->keyId));
    }
    std::optional<QByteArray> plaintext
        = AesGcm::open(*key, parsed->nonce, parsed->sealed, associatedData(parsed->keyId, context));
    if (!plaintext) {
        // GCM cannot tell these apart, and an attacker should not learn which it was anyway.
        return CryptoResult<QByteArray>::failure(
            u"the value does not authenticate under key %1: it was altered, or belongs to another row or "
            u"column than %2"_s.arg(parsed->keyId, context));
    }
    return CryptoResult<QByteArray>::success(std::move(*plaintext));
}

QString FieldCipher::keyIdOf(QStringView ciphertext)
{
    QString ignored;
    const std::optional<ParsedCiphertext> parsed = parseCiphertext(ciphertext, &ignored);
    return parsed ? parsed->keyId : QString();
}

bool FieldCipher::isUnderCurrentKey(QStringView ciphertext) const
{
    const QString keyId = keyIdOf(ciphertext);
    const QReadLocker locker(&m_lock);
    return !keyId.isEmpty() && keyId == m_current.keyId;
}

QString FieldCipher::lookupHash(QStringView purpose, QStringView value) const
{
    QByteArray message = "paydesk-lookup-v1";
    appendLengthPrefixed(message, purpose.toUtf8());
    appendLengthPrefixed(message, value.toUtf8());
    return QString::fromLatin1(Hmac::sha256(m_lookupKey, message).toHex());
}

std::optional<QByteArray> FieldCipher::keyFor(const QString &keyId) const
{
    {
        const QReadLocker locker(&m_lock);
        const auto found = m_keys.constFind(keyId);
        if (found != m_keys.cend())
            return *found;
    }
    // Another process may have rotated the key since this one loaded; catch up, rate-limited.
    const qint64 now = steadyMs();
    qint64 last = m_lastMissReload.load();
    if (m_dataDir.isEmpty() || (last != 0 && now - last < kMissReloadIntervalMs)
        || !m_lastMissReload.compare_exchange_strong(last, now)) {
        return std::nullopt;
    }
    QString error;
    if (!reload(&error)) {
        qCWarning(lcFieldCipher).noquote() << "cannot re-read the field keys:" << error;
        return std::nullopt;
    }
    const QReadLocker locker(&m_lock);
    const auto found = m_keys.constFind(keyId);
    return found != m_keys.cend() ? std::optional<QByteArray>(*found) : std::nullopt;
}

} // namespace paydesk
