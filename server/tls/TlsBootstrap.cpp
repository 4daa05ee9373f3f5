#include "server/tls/TlsBootstrap.h"

#include "common/crypto/Random.h"
#include "common/util/PrivateFiles.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QLockFile>
#include <QLoggingCategory>
#include <QMultiMap>
#include <QUrl>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

Q_LOGGING_CATEGORY(lcTls, "paydesk.server.tls")

constexpr qint64 kMaxPemBytes = 64 * 1024;
constexpr qint64 kMaxFieldKeyFileBytes = 4 * 1024;
constexpr int kCaValidityDays = 3652; // ten years, leap days included
// Clients whose clocks run a little behind still accept a certificate issued just now.
constexpr long kBackdateSeconds = 60 * 60;
constexpr int kLockTimeoutMs = 30'000;
constexpr qsizetype kFieldKeyBytes = 32;
constexpr int kSecondsPerDay = 24 * 60 * 60;

// Internal failures travel as exceptions to the public functions, which turn them into *error.
struct BootstrapError
{
    QString message;
};

[[noreturn]] void fail(const QString &message)
{
    throw BootstrapError{message};
}

// Fails with the reason OpenSSL left in its (per-thread) error queue.
[[noreturn]] void failOpenSsl(const QString &what)
{
    QString message = what;
    if (const unsigned long code = ERR_peek_last_error()) {
        char text[256] = {};
        ERR_error_string_n(code, text, sizeof text);
        message += u": "_s + QString::fromLatin1(text);
    }
    ERR_clear_error();
    fail(message);
}

template<auto Free> struct OpenSslFree
{
    template<typename T> void operator()(T *pointer) const { Free(pointer); }
};
using Bio = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using Bignum = std::unique_ptr<BIGNUM, OpenSslFree<BN_free>>;
using Certificate = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using GeneralName = std::unique_ptr<GENERAL_NAME, OpenSslFree<GENERAL_NAME_free>>;
using GeneralNames = std::unique_ptr<GENERAL_NAMES, OpenSslFree<GENERAL_NAMES_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, OpenSslFree<X509_EXTENSION_free>>;
using Name = std::unique_ptr<X509_NAME, OpenSslFree<X509_NAME_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using PkeyContext = std::unique_ptr<EVP_PKEY_CTX, OpenSslFree<EVP_PKEY_CTX_free>>;

// A certificate with its private key, parsed and as the PEM text that is (or will be) on disk.
struct CertifiedKey
{
    Certificate certificate;
    Pkey key;
    QByteArray certificatePem;
    QByteArray keyPem;
};

// The names a server certificate must carry, normalised the way they are compared.
struct SubjectNames
{
    QStringList dns; // lower-case ASCII (IDNs in punycode)
    QStringList ips; // QHostAddress::toString() form
};

QByteArray randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), count) != 1)
        failOpenSsl(u"the random generator failed"_s);
    return bytes;
}

// --- names ------------------------------------------------------------------------------------

bool isDnsLabel(QStringView label)
{
    if (label.isEmpty() || label.size() > 63 || label.front() == u'-' || label.back() == u'-')
        return false;
    for (const QChar c : label) {
        const char16_t u = c.unicode();
        if (!((u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-'))
            return false;
    }
    return true;
}

std::optional<QString> normalisedDnsName(const QString &name)
{
    // A wildcard may only stand for the whole leftmost label, and not directly below a TLD.
    const bool wildcard = name.startsWith(u"*."_s);
    const QString host = wildcard ? name.sliced(2) : name;
    const QString ace = QString::fromLatin1(QUrl::toAce(host)).toLower();
    if (ace.isEmpty() || ace.size() > 253)
        return std::nullopt;
    const QStringList labels = ace.split(u'.');
    if (wildcard && labels.size() < 2)
        return std::nullopt;
    for (const QString &label : labels) {
        if (!isDnsLabel(label))
            return std::nullopt;
    }
    return wildcard ? u"*."_s + ace : ace;
}

SubjectNames requiredNames(const QStringList &extraNames)
{
    SubjectNames names{{u"localhost"_s}, {u"127.0.0.1"_s, u"::1"_s}};
    for (const QString &raw : extraNames) {
        const QString name = raw.trimmed();
        if (name.isEmpty())
            continue; // an empty "extra_names=" in the configuration file
        QHostAddress address;
        if (address.setAddress(name)) {
            if (!address.scopeId().isEmpty())
                fail(u"%1: an IP address with a scope cannot go into a certificate"_s.arg(name));
            if (!names.ips.contains(address.toString()))
                names.ips.append(address.toString());
            continue;
        }
        const std::optional<QString> dns = normalisedDnsName(name);
        if (!dns)
            fail(u"%1 is neither a DNS name nor an IP address"_s.arg(name));
        if (!names.dns.contains(*dns))
            names.dns.append(*dns);
    }
    return names;
}

// --- PEM --------------------------------------------------------------------------------------

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, qsizetype(size));
}

QByteArray certificateToPem(X509 *certificate)
{
    const Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1)
        failOpenSsl(u"cannot encode a certificate"_s);
    return bioContents(bio.get());
}

QByteArray keyToPem(EVP_PKEY *key)
{
    const Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        failOpenSsl(u"cannot encode a private key"_s);
    }
    return bioContents(bio.get());
}

Bio readOnlyBio(const QByteArray &data)
{
    return Bio(BIO_new_mem_buf(data.constData(), int(data.size())));
}

// Without a callback OpenSSL would prompt on the terminal for an encrypted key's passphrase.
int refusePassphrase(char *, int, int, void *)
{
    return 0;
}

CertifiedKey parseCertifiedKey(QByteArray certificatePem, QByteArray keyPem)
{
    CertifiedKey parsed;
    if (const Bio bio = readOnlyBio(certificatePem))
        parsed.certificate.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (const Bio bio = readOnlyBio(keyPem))
        parsed.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassphrase, nullptr));
    ERR_clear_error();
    parsed.certificatePem = std::move(certificatePem);
    parsed.keyPem = std::move(keyPem);
    return parsed;
}

// --- issuing ----------------------------------------------------------------------------------

Pkey generateP256Key()
{
    const PkeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *key = nullptr;
    if (!context || EVP_PKEY_keygen_init(context.get()) <= 0 || EVP_PKEY_CTX_set_group_name(context.get(), "P-256") <= 0
        || EVP_PKEY_generate(context.get(), &key) <= 0) {
        failOpenSsl(u"cannot generate an EC P-256 key"_s);
    }
    return Pkey(key);
}

// A certificate with version, random serial, validity, subject, issuer and public key set.
Certificate startCertificate(EVP_PKEY *subjectKey, const QString &commonName, const X509_NAME *issuer, int validityDays)
{
    Certificate certificate(X509_new());
    Name subject(X509_NAME_new());
    if (!certificate || !subject)
        failOpenSsl(u"out of memory"_s);

    // 128 random bits, positive as RFC 5280 requires, and never zero.
    QByteArray serialBytes = randomBytes(16);
    serialBytes[0] = char(serialBytes[0] & 0x7f);
    serialBytes[15] = char(serialBytes[15] | 0x01);
    const Bignum serial(
        BN_bin2bn(reinterpret_cast<const unsigned char *>(serialBytes.constData()), int(serialBytes.size()), nullptr));

    const QByteArray cn = commonName.toUtf8();
    if (X509_set_version(certificate.get(), X509_VERSION_3) != 1 || !serial
        || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()))
        || !X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kBackdateSeconds)
        // Counted from the backdated start: Apple's clients measure the 825-day limit from
        // notBefore, not from now.
        || !X509_time_adj_ex(X509_getm_notAfter(certificate.get()), validityDays, -kBackdateSeconds, nullptr)
        || X509_set_pubkey(certificate.get(), subjectKey) != 1
        || X509_NAME_add_entry_by_txt(subject.get(), "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(cn.constData()), int(cn.size()), -1, 0)
            != 1
        || X509_set_subject_name(certificate.get(), subject.get()) != 1
        || X509_set_issuer_name(certificate.get(), issuer ? issuer : subject.get()) != 1) {
        failOpenSsl(u"cannot fill in a certificate"_s);
    }
    return certificate;
}

void addExtension(X509 *certificate, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    const Extension extension(X509V3_EXT_nconf_nid(nullptr, &context, nid, value));
    if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1)
        failOpenSsl(u"cannot add certificate extension %1"_s.arg(QString::fromLatin1(value)));
}

// Built from GENERAL_NAME values rather than a "DNS:a,IP:b" string, so that no configured
// name can smuggle in extra entries through a comma.
void addSubjectAltNames(X509 *certificate, const SubjectNames &names)
{
    const GeneralNames list(sk_GENERAL_NAME_new_null());
    if (!list)
        failOpenSsl(u"out of memory"_s);
    for (const QString &dns : names.dns) {
        const QByteArray ascii = dns.toLatin1();
        GeneralName entry(GENERAL_NAME_new());
        ASN1_IA5STRING *text = ASN1_IA5STRING_new();
        if (!entry || !text) {
            ASN1_IA5STRING_free(text);
            failOpenSsl(u"out of memory"_s);
        }
        GENERAL_NAME_set0_value(entry.get(), GEN_DNS, text);
        if (ASN1_STRING_set(text, ascii.constData(), int(ascii.size())) != 1
            || sk_GENERAL_NAME_push(list.get(), entry.get()) <= 0) {
            failOpenSsl(u"cannot add DNS name %1"_s.arg(dns));
        }
        entry.release();
    }
    for (const QString &ip : names.ips) {
        GeneralName entry(GENERAL_NAME_new());
        ASN1_OCTET_STRING *octets = a2i_IPADDRESS(ip.toLatin1().constData());
        if (!entry || !octets) {
            ASN1_OCTET_STRING_free(octets);
            failOpenSsl(u"cannot add IP address %1"_s.arg(ip));
        }
        GENERAL_NAME_set0_value(entry.get(), GEN_IPADD, octets);
        if (sk_GENERAL_NAME_push(list.get(), entry.get()) <= 0)
            failOpenSsl(u"cannot add IP address %1"_s.arg(ip));
        entry.release();
    }
    if (X509_add1_ext_i2d(certificate, NID_subject_alt_name, list.get(), 0, X509V3_ADD_DEFAULT) != 1) {
        failOpenSsl(u"cannot add the subject alternative names"_s);
    }
}

void sign(X509 *certificate, EVP_PKEY *issuerKey)
{
    if (X509_sign(certificate, issuerKey, EVP_sha256()) <= 0)
        failOpenSsl(u"cannot sign a certificate"_s);
}

CertifiedKey createCa()
{
    Pkey key = generateP256Key();
    // A random suffix tells the CAs of different installations apart in a client's trust
    // store; with equal names, chain building could pick the wrong one.
    const QString commonName = u"Paydesk Local CA "_s + QString::fromLatin1(randomBytes(4).toHex().toUpper());
    Certificate certificate = startCertificate(key.get(), commonName, nullptr, kCaValidityDays);
    addExtension(certificate.get(), certificate.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExtension(certificate.get(), certificate.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    addExtension(certificate.get(), certificate.get(), NID_subject_key_identifier, "hash");
    sign(certificate.get(), key.get());
    // Re-parsed from PEM, so the result is exactly what a later start loads from disk.
    return parseCertifiedKey(certificateToPem(certificate.get()), keyToPem(key.get()));
}

CertifiedKey issueServerCertificate(const CertifiedKey &ca, const SubjectNames &names, int validityDays)
{
    Pkey key = generateP256Key();
    Certificate certificate
        = startCertificate(key.get(), u"Paydesk Server"_s, X509_get_subject_name(ca.certificate.get()), validityDays);
    // A certificate outliving its issuer would only fail in a more confusing way.
    const ASN1_TIME *caNotAfter = X509_get0_notAfter(ca.certificate.get());
    if (ASN1_TIME_compare(X509_get0_notAfter(certificate.get()), caNotAfter) > 0
        && X509_set1_notAfter(certificate.get(), caNotAfter) != 1) {
        failOpenSsl(u"cannot limit the certificate to the CA's validity"_s);
    }
    X509 *issuer = ca.certificate.get();
    addExtension(certificate.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
    // digitalSignature is all that ECDHE-ECDSA key exchange needs from the server key.
    addExtension(certificate.get(), issuer, NID_key_usage, "critical,digitalSignature");
    addExtension(certificate.get(), issuer, NID_ext_key_usage, "serverAuth");
    addExtension(certificate.get(), issuer, NID_subject_key_identifier, "hash");
    addExtension(certificate.get(), issuer, NID_authority_key_identifier, "keyid:always");
    addSubjectAltNames(certificate.get(), names);
    sign(certificate.get(), ca.key.get());
    return parseCertifiedKey(certificateToPem(certificate.get()), keyToPem(key.get()));
}

// --- loading and checking ---------------------------------------------------------------------

QByteArray readOrFail(const QString &path, bool secret)
{
    QString error;
    const std::optional<QByteArray> contents
        = secret ? readPrivateFile(path, kMaxPemBytes, &error) : readFileBounded(path, kMaxPemBytes, &error);
    if (!contents)
        fail(error);
    return *contents;
}

void writeOrFail(const QString &path, const QByteArray &contents, QFileDevice::Permissions permissions)
{
    QString error;
    if (!writeFileAtomically(path, contents, permissions, &error))
        fail(error);
}

// The time `days` from now, as OpenSSL compares it.
time_t daysFromNow(int days)
{
    return time_t(QDateTime::currentSecsSinceEpoch() + qint64(days) * kSecondsPerDay);
}

CertifiedKey loadOrCreateCa(const QDir &tlsDir, int renewWithinDays)
{
    const QString certificatePath = tlsDir.filePath(u"ca.pem"_s);
    const QString keyPath = tlsDir.filePath(u"ca.key"_s);
    if (!QFileInfo::exists(certificatePath)) {
        // The first run, or one interrupted after the key was written: the key is written
        // first, so a key without its certificate was never handed to anyone.
        CertifiedKey ca = createCa();
        writeOrFail(keyPath, ca.keyPem, kOwnerReadWrite);
        writeOrFail(certificatePath, ca.certificatePem, kWorldReadable);
        qCInfo(lcTls).noquote() << "created a local CA in" << certificatePath
                                << "- clients trust the server by importing this file";
        return ca;
    }

    const QString advice = u"; to start over with a new local CA, remove %1 and %2 (clients "
                           u"then have to trust the new one)"_s.arg(certificatePath, keyPath);
    if (!QFileInfo::exists(keyPath))
        fail(u"the local CA's key %1 is missing"_s.arg(keyPath) + advice);
    CertifiedKey ca = parseCertifiedKey(readOrFail(certificatePath, false), readOrFail(keyPath, true));
    if (!ca.certificate)
        fail(u"%1 is not a PEM certificate"_s.arg(certificatePath) + advice);
    if (!ca.key)
        fail(u"%1 is not an unencrypted PEM private key"_s.arg(keyPath) + advice);
    if (X509_check_private_key(ca.certificate.get(), ca.key.get()) != 1) {
        ERR_clear_error();
        fail(u"%1 is not the key of %2"_s.arg(keyPath, certificatePath) + advice);
    }
    if (X509_check_ca(ca.certificate.get()) != 1)
        fail(u"%1 is not a CA certificate"_s.arg(certificatePath) + advice);
    const ASN1_TIME *notAfter = X509_get0_notAfter(ca.certificate.get());
    if (X509_cmp_current_time(notAfter) <= 0)
        fail(u"the local CA in %1 has expired"_s.arg(certificatePath) + advice);
    time_t renewBy = daysFromNow(renewWithinDays);
    if (X509_cmp_time(notAfter, &renewBy) <= 0) {
        qCWarning(lcTls).noquote() << "the local CA in" << certificatePath
                                   << "expires soon; server certificates cannot outlive it" << advice;
    }
    return ca;
}

SubjectNames namesIn(const QByteArray &certificatePem)
{
    SubjectNames present;
    const QSslCertificate certificate(certificatePem, QSsl::Pem);
    const auto alternatives = certificate.subjectAlternativeNames();
    for (auto it = alternatives.cbegin(); it != alternatives.cend(); ++it) {
        if (it.key() == QSsl::DnsEntry)
            present.dns.append(it.value().toLower());
        else if (it.key() == QSsl::IpAddressEntry)
            present.ips.append(QHostAddress(it.value()).toString());
    }
    return present;
}

// Why the server certificate on disk cannot be served as is, or an empty string if it can.
QString reasonToReissue(const CertifiedKey &server, const CertifiedKey &ca, const SubjectNames &required,
                        int renewWithinDays)
{
    if (!server.certificate || !server.key)
        return u"it cannot be read"_s;
    if (X509_check_private_key(server.certificate.get(), server.key.get()) != 1) {
        ERR_clear_error();
        return u"its key does not match"_s;
    }
    if (X509_check_issued(ca.certificate.get(), server.certificate.get()) != X509_V_OK
        || X509_verify(server.certificate.get(), X509_get0_pubkey(ca.certificate.get())) != 1) {
        ERR_clear_error();
        return u"it was not issued by the local CA"_s;
    }
    if (X509_cmp_current_time(X509_get0_notBefore(server.certificate.get())) >= 0)
        return u"it is not valid yet"_s;
    time_t renewBy = daysFromNow(renewWithinDays);
    if (X509_cmp_time(X509_get0_notAfter(server.certificate.get()), &renewBy) <= 0)
        return u"it expires within %1 days"_s.arg(renewWithinDays);

    const SubjectNames present = namesIn(server.certificatePem);
    for (const QString &dns : required.dns) {
        if (!present.dns.contains(dns))
            return u"it does not cover %1"_s.arg(dns);
    }
    for (const QString &ip : required.ips) {
        if (!present.ips.contains(ip))
            return u"it does not cover %1"_s.arg(ip);
    }
    return QString();
}

CertifiedKey loadOrIssueServerCertificate(const QDir &tlsDir, const CertifiedKey &ca, const SubjectNames &names,
                                          const TlsBootstrapOptions &options)
{
    const QString certificatePath = tlsDir.filePath(u"server.pem"_s);
    const QString keyPath = tlsDir.filePath(u"server.key"_s);
    QString reason = u"it does not exist"_s;
    if (QFileInfo::exists(certificatePath) && QFileInfo::exists(keyPath)) {
        CertifiedKey server = parseCertifiedKey(readOrFail(certificatePath, false), readOrFail(keyPath, true));
        reason = reasonToReissue(server, ca, names, options.renewWithinDays);
        if (reason.isEmpty())
            return server;
    }

    CertifiedKey server = issueServerCertificate(ca, names, options.serverValidityDays);
    // Key first: a crash in between leaves a key that does not match the old certificate,
    // which the next start notices and repairs.
    writeOrFail(keyPath, server.keyPem, kOwnerReadWrite);
    writeOrFail(certificatePath, server.certificatePem, kWorldReadable);
    qCInfo(lcTls).noquote() << "issued a new server certificate for" << (names.dns + names.ips).join(u", "_s)
                            << "because" << reason;
    return server;
}

void lockOrFail(QLockFile *lock)
{
    if (!lock->tryLock(kLockTimeoutMs))
        fail(u"another process holds %1"_s.arg(lock->fileName()));
}

} // namespace

// --- field key --------------------------------------------------------------------------------

bool isValidFieldKeyId(QStringView keyId)
{
    if (keyId.isEmpty() || keyId.size() > 64)
        return false;
    for (const QChar c : keyId) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'-'
            || u == u'_' || u == u'.';
        if (!ok)
            return false;
    }
    return true;
}

// The file is line based, "name: value", '#' starts a comment; unknown names are ignored so
// that later versions can add lines.
std::optional<FieldKey> parseFieldKeyFile(const QByteArray &contents)
{
    const std::optional<QMap<QByteArray, QByteArray>> lines = parseKeyFileLines(contents);
    if (!lines)
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(lines->value("key"), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    FieldKey parsed{QString::fromLatin1(lines->value("key-id")), *decoded};
    if (!isValidFieldKeyId(parsed.keyId) || parsed.key.size() != kFieldKeyBytes)
        return std::nullopt;
    return parsed;
}

QByteArray formatFieldKeyFile(const FieldKey &key)
{
    return "# Paydesk field-encryption key (AES-256-GCM). Keep it secret and back it up:\n"
           "# without this file, every encrypted field in the database is lost.\n"
           "key-id: "
        + key.keyId.toLatin1() + "\ncreated: " + QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toLatin1()
        + "\nkey: " + key.key.toBase64() + '\n';
}

FieldKey generateFieldKey()
{
    FieldKey key;
    key.keyId = u"fk"_s + QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd"_s) + u'-'
        + QString::fromLatin1(Random::bytes(4).toHex());
    key.key = Random::bytes(kFieldKeyBytes);
    return key;
}

std::optional<TlsMaterial> ensureTlsMaterial(const QString &dataDir, const QStringList &extraNames, QString *error,
                                             const TlsBootstrapOptions &options)
{
    try {
        if (options.serverValidityDays <= 0 || options.renewWithinDays < 0
            || options.renewWithinDays >= options.serverValidityDays) {
            fail(u"the renewal window must be shorter than the certificate's validity"_s);
        }
        const SubjectNames names = requiredNames(extraNames);
        const QDir tlsDir(QDir(dataDir).filePath(u"tls"_s));
        QString directoryError;
        if (!ensurePrivateDirectory(tlsDir.path(), &directoryError))
            fail(directoryError);
        QLockFile lock(tlsDir.filePath(u".bootstrap.lock"_s));
        lockOrFail(&lock);

        const CertifiedKey ca = loadOrCreateCa(tlsDir, options.renewWithinDays);
        const CertifiedKey server = loadOrIssueServerCertificate(tlsDir, ca, names, options);

        TlsMaterial material;
        material.certificate = QSslCertificate(server.certificatePem, QSsl::Pem);
        material.ca = QSslCertificate(ca.certificatePem, QSsl::Pem);
        material.chain = {material.ca};
        material.key = QSslKey(server.keyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
        material.caPath = tlsDir.filePath(u"ca.pem"_s);
        if (material.certificate.isNull() || material.ca.isNull() || material.key.isNull())
            fail(u"Qt's TLS backend cannot load the certificates in %1"_s.arg(tlsDir.path()));
        return material;
    } catch (const BootstrapError &failure) {
        if (error)
            *error = failure.message;
        return std::nullopt;
    }
}

std::optional<FieldKey> ensureFieldKey(const QString &dataDir, QString *error)
{
    try {
        const QDir keysDir(QDir(dataDir).filePath(u"keys"_s));
        QString directoryError;
        if (!ensurePrivateDirectory(keysDir.path(), &directoryError))
            fail(directoryError);
        QLockFile lock(keysDir.filePath(u".bootstrap.lock"_s));
        lockOrFail(&lock);

        const QString path = keysDir.filePath(u"field.key"_s);
        if (QFileInfo::exists(path)) {
            QString readError;
            const std::optional<QByteArray> contents = readPrivateFile(path, kMaxFieldKeyFileBytes, &readError);
            if (!contents)
                fail(readError);
            std::optional<FieldKey> key = parseFieldKeyFile(*contents);
            if (!key) {
                fail(u"%1 is not a valid field-key file (a key-id line and a 32-byte base64 key "
                     u"line); it is left as it is, since data encrypted under it depends on it"_s.arg(path));
            }
            return key;
        }

        const FieldKey key = generateFieldKey();
        writeOrFail(path, formatFieldKeyFile(key), kOwnerReadWrite);
        qCInfo(lcTls).noquote() << "created field-encryption key" << key.keyId << "in" << path
                                << "- back it up: encrypted data cannot be read without it";
        return key;
    } catch (const BootstrapError &failure) {
        if (error)
            *error = failure.message;
        return std::nullopt;
    }
}

} // namespace paydesk
