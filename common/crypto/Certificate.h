#pragma once

#include "common/crypto/CryptoResult.h"
#include "common/crypto/PublicKey.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QString>

#include <memory>

struct x509_st;

namespace paydesk {

/// A parsed X.509 certificate: merchant/platform certificates (WeChat Pay) and the Alipay
/// public-key certificates used in "certificate mode".
///
/// This class reads certificates; it does not validate chains. Copies share the parsed object.
class Certificate final
{
public:
    /// A null certificate.
    Certificate() = default;

    /// Exactly one "BEGIN CERTIFICATE" block.
    static CryptoResult<Certificate> fromPem(QByteArrayView pem);
    /// Every "BEGIN CERTIFICATE" block, in order (Alipay's root bundle holds several; blocks
    /// with other labels are rejected).
    static CryptoResult<QList<Certificate>> listFromPem(QByteArrayView pem);
    /// Exactly one DER certificate, no trailing bytes.
    static CryptoResult<Certificate> fromDer(QByteArrayView der);

    bool isNull() const { return !m_x509; }

    /// Serial as uppercase hex of its big-endian bytes, e.g. "D7CE59D1F522D701": the form
    /// WeChat Pay uses for serial_no and Wechatpay-Serial (same as `openssl x509 -serial`).
    QString serialNumberHex() const;
    /// Serial in decimal, as Alipay's certificate SN computation uses it.
    QString serialNumberDecimal() const;
    /// Distinguished names in RFC 2253 order ("CN=...,O=...,C=CN"), non-ASCII kept as UTF-8.
    QString subject() const;
    QString issuer() const;
    QDateTime notBefore() const; ///< UTC
    QDateTime notAfter() const; ///< UTC
    /// notBefore <= at <= notAfter.
    bool isValidAt(const QDateTime &at) const;

    /// The subject public key, if it is an RSA key Paydesk accepts.
    CryptoResult<PublicKey> publicKey() const;
    /// True when the certificate is signed with an RSA algorithm (OID 1.2.840.113549.1.1.*).
    bool isRsaSigned() const;

    QByteArray toDer() const;
    QByteArray toPem() const;
    /// Lowercase hex SHA-256 of the DER encoding.
    QByteArray sha256Fingerprint() const;

    /// Alipay's certificate SN (app_cert_sn / alipay_cert_sn): lowercase hex MD5 of the issuer
    /// DN written as "CN=...,OU=...,O=...,C=..." (attributes in reverse encoding order, short
    /// names, raw UTF-8 values, no escaping) followed by the decimal serial. This matches the
    /// Java SDK (X500Principal.getName() + BigInteger) and the Node SDK for issuers without
    /// RFC 2253 special characters or multi-valued RDNs, which Alipay's CAs never use.
    QString alipayCertSn() const;
    /// alipay_root_cert_sn: the alipayCertSn() of every RSA-signed certificate in the root
    /// bundle, joined with '_' in bundle order (other algorithms are skipped, as the SDKs do).
    static QString alipayRootCertSn(const QList<Certificate> &rootBundle);

private:
    explicit Certificate(std::shared_ptr<x509_st> x509) : m_x509(std::move(x509)) { }

    std::shared_ptr<x509_st> m_x509;
};

} // namespace paydesk
