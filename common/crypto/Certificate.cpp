#include "common/crypto/Certificate.h"

#include "common/crypto/Digest.h"
#include "common/crypto/OpenSslSupport.h"
#include "common/crypto/Pem.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include <ctime>

namespace paydesk {

namespace {

QString bignumText(const ASN1_INTEGER *serial, bool hex)
{
    const openssl::ErrorQueueGuard guard;
    const openssl::BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn)
        return {};
    const openssl::OpenSslCharPtr text(hex ? BN_bn2hex(bn.get()) : BN_bn2dec(bn.get()));
    return text ? QString::fromLatin1(text.get()) : QString();
}

QString nameText(const X509_NAME *name)
{
    if (name == nullptr)
        return {};
    const openssl::ErrorQueueGuard guard;
    const openssl::BioPtr bio(BIO_new(BIO_s_mem()));
    // RFC 2253 layout, but leave UTF-8 bytes as they are instead of \XX escapes so that
    // "O=钟雨" reads as such in logs and the console.
    constexpr unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, flags) < 0)
        return {};
    return QString::fromUtf8(openssl::bioContents(bio.get()));
}

QDateTime asn1TimeToUtc(const ASN1_TIME *time)
{
    std::tm tm = {};
    if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
        ERR_clear_error();
        return {};
    }
    const QDate date(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    const QTime clock(tm.tm_hour, tm.tm_min, tm.tm_sec);
    return QDateTime(date, clock, Qt::UTC);
}

// Short name of an attribute ("CN", "OU"), or its dotted OID when OpenSSL has no name for it.
QString attributeName(const ASN1_OBJECT *object)
{
    const int nid = OBJ_obj2nid(object);
    if (nid != NID_undef) {
        if (const char *shortName = OBJ_nid2sn(nid))
            return QString::fromLatin1(shortName);
    }
    char buffer[128] = {};
    const int length = OBJ_obj2txt(buffer, sizeof buffer, object, 1);
    return length > 0 ? QString::fromLatin1(buffer) : QString();
}

} // namespace

CryptoResult<Certificate> Certificate::fromDer(QByteArrayView der)
{
    using Result = CryptoResult<Certificate>;
    if (der.isEmpty() || !openssl::fitsInt(der.size()))
        return Result::failure(QStringLiteral("certificate: empty or oversized DER"));
    const openssl::ErrorQueueGuard guard;
    const unsigned char *data = openssl::bytes(der);
    std::shared_ptr<X509> x509(d2i_X509(nullptr, &data, long(der.size())), X509_free);
    if (!x509)
        return Result::failure(openssl::failureText(QStringLiteral("certificate: invalid DER")));
    if (data != openssl::bytes(der) + der.size())
        return Result::failure(QStringLiteral("certificate: trailing bytes after the DER"));
    return Result::success(Certificate(std::move(x509)));
}

CryptoResult<QList<Certificate>> Certificate::listFromPem(QByteArrayView pem)
{
    using Result = CryptoResult<QList<Certificate>>;
    const CryptoResult<QList<PemBlock>> blocks = Pem::decode(pem);
    if (!blocks)
        return Result::failure(QStringLiteral("certificate: ") + blocks.error());
    QList<Certificate> certificates;
    certificates.reserve(blocks->size());
    for (const PemBlock &block : *blocks) {
        if (block.label != "CERTIFICATE")
            return Result::failure(QStringLiteral("certificate: unexpected PEM label ")
                                   + QString::fromLatin1(block.label));
        CryptoResult<Certificate> certificate = fromDer(block.der);
        if (!certificate)
            return Result::failure(certificate.error());
        certificates.append(std::move(certificate).value());
    }
    return Result::success(std::move(certificates));
}

CryptoResult<Certificate> Certificate::fromPem(QByteArrayView pem)
{
    using Result = CryptoResult<Certificate>;
    CryptoResult<QList<Certificate>> list = listFromPem(pem);
    if (!list)
        return Result::failure(list.error());
    if (list->size() != 1)
        return Result::failure(QStringLiteral("certificate: expected exactly one certificate"));
    return Result::success(list->first());
}

QString Certificate::serialNumberHex() const
{
    return m_x509 ? bignumText(X509_get0_serialNumber(m_x509.get()), true) : QString();
}

QString Certificate::serialNumberDecimal() const
{
    return m_x509 ? bignumText(X509_get0_serialNumber(m_x509.get()), false) : QString();
}

QString Certificate::subject() const
{
    return m_x509 ? nameText(X509_get_subject_name(m_x509.get())) : QString();
}

QString Certificate::issuer() const
{
    return m_x509 ? nameText(X509_get_issuer_name(m_x509.get())) : QString();
}

QDateTime Certificate::notBefore() const
{
    return m_x509 ? asn1TimeToUtc(X509_get0_notBefore(m_x509.get())) : QDateTime();
}

QDateTime Certificate::notAfter() const
{
    return m_x509 ? asn1TimeToUtc(X509_get0_notAfter(m_x509.get())) : QDateTime();
}

bool Certificate::isValidAt(const QDateTime &at) const
{
    const QDateTime from = notBefore();
    const QDateTime until = notAfter();
    return from.isValid() && until.isValid() && at.isValid() && from <= at && at <= until;
}

CryptoResult<PublicKey> Certificate::publicKey() const
{
    using Result = CryptoResult<PublicKey>;
    if (!m_x509)
        return Result::failure(QStringLiteral("certificate: null certificate"));
    const openssl::ErrorQueueGuard guard;
    // get1 takes a reference of our own, so the key outlives this certificate object.
    PkeyRef key(X509_get_pubkey(m_x509.get()));
    if (!key)
        return Result::failure(openssl::failureText(QStringLiteral("certificate: unreadable public key")));
    CryptoResult<PkeyRef> checked = PkeyRef::checkRsa(std::move(key), PublicKey::MinimumBits, PublicKey::MaximumBits);
    if (!checked)
        return Result::failure(QStringLiteral("certificate public key: ") + checked.error());
    return Result::success(PublicKey(std::move(checked).value()));
}

bool Certificate::isRsaSigned() const
{
    if (!m_x509)
        return false;
    const X509_ALGOR *algorithm = nullptr;
    X509_get0_signature(nullptr, &algorithm, m_x509.get());
    if (algorithm == nullptr)
        return false;
    const ASN1_OBJECT *oid = nullptr;
    X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
    char buffer[128] = {};
    if (oid == nullptr || OBJ_obj2txt(buffer, sizeof buffer, oid, 1) <= 0)
        return false;
    // Same test as the Alipay SDKs: the PKCS#1 arc, which covers sha1/sha256WithRSAEncryption.
    return QByteArrayView(buffer).startsWith("1.2.840.113549.1.1.");
}

QByteArray Certificate::toDer() const
{
    if (!m_x509)
        return {};
    const openssl::ErrorQueueGuard guard;
    unsigned char *out = nullptr;
    const int length = i2d_X509(m_x509.get(), &out);
    const openssl::OpenSslBytePtr owner(out);
    if (length <= 0 || out == nullptr)
        return {};
    return QByteArray(reinterpret_cast<const char *>(out), length);
}

QByteArray Certificate::toPem() const
{
    const QByteArray der = toDer();
    return der.isEmpty() ? QByteArray() : Pem::encode("CERTIFICATE", der);
}

QByteArray Certificate::sha256Fingerprint() const
{
    const QByteArray der = toDer();
    return der.isEmpty() ? QByteArray() : Digest::sha256Hex(der);
}

QString Certificate::alipayCertSn() const
{
    if (!m_x509)
        return {};
    const openssl::ErrorQueueGuard guard;
    const X509_NAME *issuerName = X509_get_issuer_name(m_x509.get());
    const int count = X509_NAME_entry_count(issuerName);
    QString principal;
    // The SDKs print the most significant RDN last in the encoding first (RFC 2253 order).
    for (int i = count - 1; i >= 0; --i) {
        const X509_NAME_ENTRY *entry = X509_NAME_get_entry(issuerName, i);
        if (entry == nullptr)
            return {};
        unsigned char *utf8 = nullptr;
        const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
        const openssl::OpenSslBytePtr owner(utf8);
        if (length < 0)
            return {};
        if (!principal.isEmpty())
            principal += QLatin1Char(',');
        principal += attributeName(X509_NAME_ENTRY_get_object(entry)) + QLatin1Char('=')
            + QString::fromUtf8(reinterpret_cast<const char *>(utf8), length);
    }
    const QString serial = serialNumberDecimal();
    if (principal.isEmpty() || serial.isEmpty())
        return {};
    return QString::fromLatin1(Digest::md5Hex((principal + serial).toUtf8()));
}

QString Certificate::alipayRootCertSn(const QList<Certificate> &rootBundle)
{
    QStringList parts;
    for (const Certificate &certificate : rootBundle) {
        if (certificate.isRsaSigned())
            parts.append(certificate.alipayCertSn());
    }
    return parts.join(QLatin1Char('_'));
}

} // namespace paydesk
