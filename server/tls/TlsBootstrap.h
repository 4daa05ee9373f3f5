#pragma once

// Key material the server creates on first run and loads afterwards, all under the data directory:
//
//   tls/                 rwx------
//     ca.pem             local CA certificate, rw-r--r--: what clients import to trust the server
//     ca.key             CA private key (EC P-256, PKCS#8 PEM), rw-------
//     server.pem         server certificate issued by that CA, rw-r--r--
//     server.key         server private key (EC P-256, PKCS#8 PEM), rw-------
//     .bootstrap.lock    serialises processes that start on the same data directory at once
//   keys/                rwx------
//     field.key          field-encryption key (key id + 32 bytes in base64), rw-------
//     .bootstrap.lock
//
// Files are replaced atomically (QSaveFile) and key files are rw------- before any byte of the
// key is written. Existing keys that cannot be read are reported, never silently replaced.

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QStringList>

#include <optional>

namespace paydesk {

// What the HTTPS listener serves, and the local CA that clients trust.
struct TlsMaterial
{
    QSslCertificate certificate; // the server certificate
    QList<QSslCertificate> chain; // served after the certificate: the local CA
    QSslKey key; // the server certificate's private key
    QSslCertificate ca; // the local CA
    QString caPath; // tls/ca.pem, to tell operators what to hand to clients
};

// Tuning for tests and unusual deployments; the defaults are what production uses.
struct TlsBootstrapOptions
{
    // 825 days: the longest server certificate lifetime that Apple's TLS clients accept.
    int serverValidityDays = 825;
    // A server certificate that expires sooner than this is re-issued at startup.
    int renewWithinDays = 30;
};

// Creates the local CA and a server certificate on first run, or loads them. The server
// certificate covers localhost, 127.0.0.1 and ::1 plus extraNames (DNS names, internationalised
// names, "*.example.com" wildcards or IP addresses); it is re-issued with a new key when it is
// missing, unreadable, not issued by the CA, not yet valid, expires within renewWithinDays or
// lacks one of the names. The CA itself is only ever created when tls/ca.pem does not exist: a
// CA that clients may already trust is never replaced behind the operator's back, so a missing,
// mismatched or expired CA key is an error that says which files to remove.
std::optional<TlsMaterial> ensureTlsMaterial(const QString &dataDir, const QStringList &extraNames, QString *error,
                                             const TlsBootstrapOptions &options = {});

// The AES-256-GCM key that encrypts sensitive columns, kept outside the database.
struct FieldKey
{
    QString keyId; // stored beside every ciphertext so that keys can rotate
    QByteArray key; // 32 bytes
};

// Loads keys/field.key, creating it with a fresh random key on first run. A file that exists
// but cannot be read or parsed is an error and is left untouched: replacing it would make
// everything encrypted under the old key unreadable.
std::optional<FieldKey> ensureFieldKey(const QString &dataDir, QString *error);

// The keys/field.key file format, shared with the field cipher for rotation and for the retired
// keys it keeps (keys/retired/<key-id>.key): '#' comments, then "key-id:", "created:" and "key:"
// lines (the key in base64). Unknown lines are ignored so that later versions can add some.
std::optional<FieldKey> parseFieldKeyFile(const QByteArray &contents);
QByteArray formatFieldKeyFile(const FieldKey &key);
// Key ids are 1-64 characters of [A-Za-z0-9._-]: safe in file names and in ciphertext headers.
bool isValidFieldKeyId(QStringView keyId);
// A new random key with a fresh id ("fk<yyyyMMdd>-<8 hex digits>").
FieldKey generateFieldKey();

} // namespace paydesk
