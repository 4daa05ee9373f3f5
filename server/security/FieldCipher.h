#pragma once

#include "common/crypto/CryptoResult.h"
#include "server/tls/TlsBootstrap.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QReadWriteLock>
#include <QString>
#include <QStringView>

#include <atomic>
#include <memory>
#include <optional>

namespace paydesk {

/// Encrypts sensitive columns with AES-256-GCM under keys kept outside the database, and computes
/// keyed hashes that find rows by a value that is stored only encrypted.
///
/// Files under <data-dir>/keys (directory rwx------, files rw-------):
///
///   field.key               the current key: new values are encrypted under it (ensureFieldKey)
///   retired/<key-id>.key    earlier keys, same format, kept to decrypt values not re-encrypted yet
///   lookup.key              the HMAC-SHA256 key of lookupHash(); never rotates, since every stored
///                           hash would have to be recomputed from plaintext the server may not hold
///
/// A ciphertext is "v1.<key-id>.<nonce>.<ciphertext||tag>", nonce and ciphertext in unpadded
/// base64url: plain ASCII that fits a TEXT column. The caller's context (for a column, what
/// EncryptedColumn::context() builds: "<table>.<column>:<primary key>") is authenticated with it,
/// so a value copied to another row or column does not decrypt.
///
/// All methods are thread-safe. Each value gets a random 96-bit nonce, which keeps collisions
/// negligible for far more values than one key should protect before it is rotated (2^32).
class FieldCipher final
{
    Q_DISABLE_COPY_MOVE(FieldCipher)

public:
    static constexpr qsizetype KeyBytes = 32;
    static constexpr qsizetype NonceBytes = 12;
    /// Field values are small (secrets, phone and card numbers); the bound keeps a damaged or
    /// hostile row from costing more than a moment.
    static constexpr qsizetype MaxPlaintextBytes = 64 * 1024;

    /// Keys given directly, for tests and tools; dataDir empty means no files to reload from.
    FieldCipher(FieldKey current, const QList<FieldKey> &retired, QByteArray lookupKey, QString dataDir = {});
    ~FieldCipher();

    /// Loads keys/field.key, keys/retired/*.key and keys/lookup.key, creating the current and the
    /// lookup key on first run. A key file that exists but cannot be read is an error, never
    /// replaced: data encrypted under it would be lost.
    static std::unique_ptr<FieldCipher> load(const QString &dataDir, QString *error);

    /// Makes a new current key and keeps the old one as keys/retired/<old-id>.key. Values stay
    /// encrypted under the old key until reencryptAll() runs. Returns the new key id, or nullopt
    /// with error set. Servers already running still encrypt under the key they loaded (which
    /// stays readable); they pick up the new one when they meet a value encrypted under it.
    static std::optional<QString> rotate(const QString &dataDir, QString *error);

    /// Re-reads the key files (after a rotation by another process). False with error set when
    /// they cannot be read; the keys already held stay in use. Const because it only catches up
    /// with the files this object stands for; decrypt() calls it when it meets an unknown key id.
    bool reload(QString *error) const;

    QString currentKeyId() const;
    /// Ids of every key held, current and retired.
    QStringList keyIds() const;

    /// Encrypts under the current key. Throws std::invalid_argument for an empty context or a
    /// plaintext over MaxPlaintextBytes (programming errors: neither comes from a request).
    QString encrypt(QByteArrayView plaintext, const QString &context) const;

    /// The plaintext, or nullopt when the value is malformed, names an unknown key, was altered,
    /// or belongs to another context.
    std::optional<QByteArray> decrypt(const QString &ciphertext, const QString &context) const;
    /// decrypt() with the reason for a failure, for logs and maintenance commands.
    CryptoResult<QByteArray> decryptWithReason(const QString &ciphertext, const QString &context) const;

    /// The key id a ciphertext names, or empty when it is not a v1 value. No authentication.
    static QString keyIdOf(QStringView ciphertext);
    /// Whether a value is already under the current key (what rotation leaves alone).
    bool isUnderCurrentKey(QStringView ciphertext) const;

    /// HMAC-SHA256 of value under the lookup key, in lowercase hex. purpose separates uses (a
    /// phone hash is not a card-number hash of the same digits). Callers normalise value first.
    QString lookupHash(QStringView purpose, QStringView value) const;

private:
    std::optional<QByteArray> keyFor(const QString &keyId) const;

    const QString m_dataDir;
    const QByteArray m_lookupKey;
    mutable QReadWriteLock m_lock;
    mutable FieldKey m_current; // guarded by m_lock
    mutable QHash<QString, QByteArray> m_keys; // every known key, current included; guarded by m_lock
    mutable std::atomic<qint64> m_lastMissReload{0}; // steady-clock ms of the last reload for an unknown id
};

} // namespace paydesk
