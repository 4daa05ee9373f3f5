#include "server/tls/TlsBootstrap.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <memory>

using namespace Qt::StringLiterals;
using paydesk::TlsMaterial;

namespace {

struct X509Free
{
    void operator()(X509 *certificate) const { X509_free(certificate); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr toX509(const QSslCertificate &certificate)
{
    const QByteArray pem = certificate.toPem();
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    X509Ptr parsed(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    return parsed;
}

// Verifies the leaf with OpenSSL against a store that holds only the given CA, for the TLS
// server purpose, and for one DNS name or IP address.
bool verifies(const QSslCertificate &leaf, const QSslCertificate &ca, const QString &name)
{
    const X509Ptr leafX509 = toX509(leaf);
    const X509Ptr caX509 = toX509(ca);
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, caX509.get());
    X509_STORE_CTX *context = X509_STORE_CTX_new();
    X509_STORE_CTX_init(context, store, leafX509.get(), nullptr);
    X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_SERVER);
    X509_VERIFY_PARAM *parameters = X509_STORE_CTX_get0_param(context);
    const QByteArray ascii = name.toLatin1();
    if (name.contains(u':') || name.front().isDigit())
        X509_VERIFY_PARAM_set1_ip_asc(parameters, ascii.constData());
    else
        X509_VERIFY_PARAM_set1_host(parameters, ascii.constData(), size_t(ascii.size()));
    const bool ok = X509_verify_cert(context) == 1;
    X509_STORE_CTX_free(context);
    X509_STORE_free(store);
    ERR_clear_error();
    return ok;
}

bool isCritical(X509 *certificate, int nid)
{
    const int index = X509_get_ext_by_NID(certificate, nid, -1);
    return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(certificate, index)) == 1;
}

bool keyMatches(const QSslCertificate &certificate, const QSslKey &key)
{
    const QByteArray pem = key.toPem();
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    EVP_PKEY *parsed = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    const X509Ptr x509 = toX509(certificate);
    const bool matches = parsed && X509_check_private_key(x509.get(), parsed) == 1;
    EVP_PKEY_free(parsed);
    ERR_clear_error();
    return matches;
}

int modeOf(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

bool overwrite(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(contents) == contents.size();
}

// notAfter - notBefore, as TLS clients that cap certificate lifetimes measure it.
qint64 secondsOfValidity(const QSslCertificate &certificate)
{
    return certificate.effectiveDate().secsTo(certificate.expiryDate());
}

constexpr qint64 days(qint64 count)
{
    return count * 24 * 60 * 60;
}

} // namespace

class tst_TlsBootstrap final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void firstRunCreatesCaAndServerCertificate();
    void keyFilesAreOwnerOnly();
    void serverCertificateVerifiesAgainstTheCa_data();
    void serverCertificateVerifiesAgainstTheCa();
    void certificateCompletesARealTlsHandshake();
    void secondCallReusesTheFiles();
    void newNameReissuesOnlyTheServerCertificate();
    void expiringCertificateIsReissued();
    void damagedServerFilesAreReissued_data();
    void damagedServerFilesAreReissued();
    void certificateFromAnotherCaIsReissued();
    void damagedCaIsAnErrorAndLeftAlone_data();
    void damagedCaIsAnErrorAndLeftAlone();
    void interruptedFirstRunStartsOver();
    void openKeyPermissionsAreNarrowed();
    void namesAreNormalised();
    void invalidNamesAreRejected_data();
    void invalidNamesAreRejected();
    void invalidOptionsAreRejected();
    void fieldKeyIsCreatedOnceAndOwnerOnly();
    void damagedFieldKeyIsAnErrorAndLeftAlone_data();
    void damagedFieldKeyIsAnErrorAndLeftAlone();

private:
    QString tlsPath(const QString &file) const { return m_dir->filePath(u"tls/"_s + file); }
    std::optional<TlsMaterial> ensure(const QStringList &extraNames = {},
                                      const paydesk::TlsBootstrapOptions &options = {})
    {
        QString error;
        std::optional<TlsMaterial> material = paydesk::ensureTlsMaterial(m_dir->path(), extraNames, &error, options);
        if (!material)
            qWarning().noquote() << "ensureTlsMaterial failed:" << error;
        return material;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_TlsBootstrap::initTestCase()
{
    // Every test creates a CA; the log lines saying so would bury the results.
    QLoggingCategory::setFilterRules(u"paydesk.server.tls.info=false"_s);
}

void tst_TlsBootstrap::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_TlsBootstrap::firstRunCreatesCaAndServerCertificate()
{
    const std::optional<TlsMaterial> material = ensure({u"pay.example.com"_s});
    QVERIFY(material);
    for (const QString &file : {u"ca.pem"_s, u"ca.key"_s, u"server.pem"_s, u"server.key"_s})
        QVERIFY2(QFile::exists(tlsPath(file)), qPrintable(file));
    QCOMPARE(material->caPath, tlsPath(u"ca.pem"_s));
    QCOMPARE(material->ca.toPem(), contentsOf(tlsPath(u"ca.pem"_s)));
    QCOMPARE(material->certificate.toPem(), contentsOf(tlsPath(u"server.pem"_s)));
    QCOMPARE(material->chain, QList<QSslCertificate>{material->ca});

    // The CA: self-signed, a CA, only for signing certificates and CRLs, ten years.
    const QStringList caNames = material->ca.subjectInfo(QSslCertificate::CommonName);
    QCOMPARE(caNames.size(), 1);
    QVERIFY(caNames.first().startsWith(u"Paydesk Local CA "_s));
    QCOMPARE(caNames.first().size(), u"Paydesk Local CA "_s.size() + 8);
    QVERIFY(material->ca.isSelfSigned());
    const X509Ptr ca = toX509(material->ca);
    QCOMPARE(X509_check_ca(ca.get()), 1);
    QVERIFY(isCritical(ca.get(), NID_basic_constraints));
    QVERIFY(isCritical(ca.get(), NID_key_usage));
    QCOMPARE(X509_get_key_usage(ca.get()), quint32(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
    QVERIFY(secondsOfValidity(material->ca) >= days(3650));
    QCOMPARE(material->ca.publicKey().algorithm(), QSsl::Ec);
    QCOMPARE(material->ca.publicKey().length(), 256);

    // The server certificate: not a CA, serverAuth, digitalSignature, 825 days, P-256.
    const X509Ptr server = toX509(material->certificate);
    QCOMPARE(X509_check_ca(server.get()), 0);
    QCOMPARE(X509_get_key_usage(server.get()), quint32(KU_DIGITAL_SIGNATURE));
    QCOMPARE(X509_get_extended_key_usage(server.get()), quint32(XKU_SSL_SERVER));
    QCOMPARE(material->certificate.issuerDisplayName(), caNames.first());
    QCOMPARE(secondsOfValidity(material->certificate), days(825));
    // Backdated, for clients whose clocks run slightly behind.
    QVERIFY(material->certificate.effectiveDate() <= QDateTime::currentDateTimeUtc().addSecs(-50 * 60));
    QCOMPARE(material->key.algorithm(), QSsl::Ec);
    QCOMPARE(material->key.type(), QSsl::PrivateKey);
    QCOMPARE(material->key.length(), 256);
    QVERIFY(keyMatches(material->certificate, material->key));

    // A 128-bit serial (16 bytes as "xx:xx:..."), positive, differing between certificates.
    const QByteArray serial = material->certificate.serialNumber();
    QVERIFY2(serial.split(':').size() >= 15, serial.constData());
    QVERIFY(serial != material->ca.serialNumber());
}

void tst_TlsBootstrap::keyFilesAreOwnerOnly()
{
    QVERIFY(ensure());
    QCOMPARE(modeOf(m_dir->filePath(u"tls"_s)), 0700);
    QCOMPARE(modeOf(tlsPath(u"ca.key"_s)), 0600);
    QCOMPARE(modeOf(tlsPath(u"server.key"_s)), 0600);
    QCOMPARE(modeOf(tlsPath(u"ca.pem"_s)), 0644);
    QCOMPARE(modeOf(tlsPath(u"server.pem"_s)), 0644);
    QVERIFY(!QFile::exists(tlsPath(u".bootstrap.lock"_s)));
}

void tst_TlsBootstrap::serverCertificateVerifiesAgainstTheCa_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("covered");
    QTest::newRow("localhost") << u"localhost"_s << true;
    QTest::newRow("IPv4 loopback") << u"127.0.0.1"_s << true;
    QTest::newRow("IPv6 loopback") << u"::1"_s << true;
    QTest::newRow("extra DNS name") << u"pay.example.com"_s << true;
    QTest::newRow("extra IP") << u"10.0.0.5"_s << true;
    QTest::newRow("extra IPv6") << u"2001:db8::7"_s << true;
    QTest::newRow("other name") << u"evil.example.com"_s << false;
    QTest::newRow("other IP") << u"10.0.0.6"_s << false;
}

void tst_TlsBootstrap::serverCertificateVerifiesAgainstTheCa()
{
    QFETCH(QString, name);
    QFETCH(bool, covered);
    const std::optional<TlsMaterial> material = ensure({u"pay.example.com"_s, u"10.0.0.5"_s, u"2001:db8::7"_s});
    QVERIFY(material);
    QCOMPARE(verifies(material->certificate, material->ca, name), covered);
}

void tst_TlsBootstrap::certificateCompletesARealTlsHandshake()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend");
    const std::optional<TlsMaterial> material = ensure();
    QVERIFY(material);

    QSslConfiguration serverConfiguration = QSslConfiguration::defaultConfiguration();
    serverConfiguration.setLocalCertificate(material->certificate);
    serverConfiguration.setLocalCertificateChain(QList<QSslCertificate>{material->certificate} + material->chain);
    serverConfiguration.setPrivateKey(material->key);
    serverConfiguration.setProtocol(QSsl::TlsV1_2OrLater);
    QSslServer server;
    server.setSslConfiguration(serverConfiguration);
    QVERIFY(server.listen(QHostAddress::LocalHost));

    for (const QString &peerName : {u"localhost"_s, u"127.0.0.1"_s}) {
        QSslSocket client;
        QSslConfiguration clientConfiguration = QSslConfiguration::defaultConfiguration();
        clientConfiguration.setCaCertificates({material->ca}); // the local CA and nothing else
        clientConfiguration.setPeerVerifyMode(QSslSocket::VerifyPeer);
        client.setSslConfiguration(clientConfiguration);
        QList<QSslError> errors;
        connect(&client, &QSslSocket::sslErrors, this, [&errors](const QList<QSslError> &e) { errors += e; });
        client.connectToHostEncrypted(u"127.0.0.1"_s, server.serverPort(), peerName);
        QTRY_VERIFY2(client.isEncrypted() || !errors.isEmpty(), qPrintable(peerName));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).errorString()));
        QCOMPARE(client.peerCertificate(), material->certificate);
    }
}

void tst_TlsBootstrap::secondCallReusesTheFiles()
{
    const std::optional<TlsMaterial> first = ensure({u"pay.example.com"_s});
    QVERIFY(first);
    QMap<QString, QByteArray> before;
    for (const QString &file : {u"ca.pem"_s, u"ca.key"_s, u"server.pem"_s, u"server.key"_s})
        before.insert(file, contentsOf(tlsPath(file)));

    const std::optional<TlsMaterial> second = ensure({u"pay.example.com"_s});
    QVERIFY(second);
    for (auto it = before.cbegin(); it != before.cend(); ++it)
        QCOMPARE(contentsOf(tlsPath(it.key())), it.value());
    QCOMPARE(second->certificate, first->certificate);
    QCOMPARE(second->ca, first->ca);
    QCOMPARE(second->key.toPem(), first->key.toPem());

    // Fewer names than the certificate carries is no reason to re-issue either.
    const std::optional<TlsMaterial> third = ensure();
    QVERIFY(third);
    QCOMPARE(third->certificate, first->certificate);
}

void tst_TlsBootstrap::newNameReissuesOnlyTheServerCertificate()
{
    const std::optional<TlsMaterial> first = ensure({u"a.example.com"_s});
    QVERIFY(first);
    const QByteArray caKey = contentsOf(tlsPath(u"ca.key"_s));

    const std::optional<TlsMaterial> second = ensure({u"a.example.com"_s, u"b.example.com"_s});
    QVERIFY(second);
    QVERIFY(second->certificate != first->certificate);
    QVERIFY(second->key.toPem() != first->key.toPem());
    QCOMPARE(second->ca, first->ca);
    QCOMPARE(contentsOf(tlsPath(u"ca.key"_s)), caKey);
    QCOMPARE(second->certificate.toPem(), contentsOf(tlsPath(u"server.pem"_s)));
    QVERIFY(verifies(second->certificate, second->ca, u"a.example.com"_s));
    QVERIFY(verifies(second->certificate, second->ca, u"b.example.com"_s));
    QVERIFY(verifies(second->certificate, second->ca, u"localhost"_s));
}

void tst_TlsBootstrap::expiringCertificateIsReissued()
{
    paydesk::TlsBootstrapOptions shortLived;
    shortLived.serverValidityDays = 20;
    shortLived.renewWithinDays = 10;
    const std::optional<TlsMaterial> first = ensure({}, shortLived);
    QVERIFY(first);
    QCOMPARE(secondsOfValidity(first->certificate), days(20));

    // Still 20 days left: outside a 10-day window, inside the default 30-day one.
    const std::optional<TlsMaterial> kept = ensure({}, shortLived);
    QVERIFY(kept);
    QCOMPARE(kept->certificate, first->certificate);

    const std::optional<TlsMaterial> renewed = ensure();
    QVERIFY(renewed);
    QVERIFY(renewed->certificate != first->certificate);
    QCOMPARE(secondsOfValidity(renewed->certificate), days(825));
    QCOMPARE(renewed->ca, first->ca);
    QVERIFY(verifies(renewed->certificate, renewed->ca, u"localhost"_s));
}

void tst_TlsBootstrap::damagedServerFilesAreReissued_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("replacement"); // another file of tls/ to copy, or empty: garbage
    QTest::addColumn<bool>("remove");
    QTest::newRow("garbage certificate") << u"server.pem"_s << QString() << false;
    QTest::newRow("garbage key") << u"server.key"_s << QString() << false;
    QTest::newRow("missing certificate") << u"server.pem"_s << QString() << true;
    QTest::newRow("missing key") << u"server.key"_s << QString() << true;
    QTest::newRow("key of another certificate") << u"server.key"_s << u"ca.key"_s << false;
    QTest::newRow("CA certificate as server certificate") << u"server.pem"_s << u"ca.pem"_s << false;
}

void tst_TlsBootstrap::damagedServerFilesAreReissued()
{
    QFETCH(QString, file);
    QFETCH(QString, replacement);
    QFETCH(bool, remove);

    const std::optional<TlsMaterial> first = ensure();
    QVERIFY(first);
    if (remove) {
        QVERIFY(QFile::remove(tlsPath(file)));
    } else {
        QVERIFY(
            overwrite(tlsPath(file),
                      replacement.isEmpty() ? QByteArray("-----BEGIN nonsense\n") : contentsOf(tlsPath(replacement))));
    }

    const std::optional<TlsMaterial> repaired = ensure();
    QVERIFY(repaired);
    QVERIFY(repaired->certificate != first->certificate);
    QCOMPARE(repaired->ca, first->ca);
    QVERIFY(verifies(repaired->certificate, repaired->ca, u"localhost"_s));
    QCOMPARE(modeOf(tlsPath(u"server.key"_s)), 0600);
}

void tst_TlsBootstrap::certificateFromAnotherCaIsReissued()
{
    // A matching certificate and key, but from another installation's CA.
    QTemporaryDir other;
    QString error;
    QVERIFY(paydesk::ensureTlsMaterial(other.path(), {}, &error));
    const std::optional<TlsMaterial> first = ensure();
    QVERIFY(first);
    for (const QString &file : {u"server.pem"_s, u"server.key"_s}) {
        const QString otherFile = QDir(other.path()).filePath(u"tls/"_s + file);
        QVERIFY(overwrite(tlsPath(file), contentsOf(otherFile)));
    }

    const std::optional<TlsMaterial> repaired = ensure();
    QVERIFY(repaired);
    QCOMPARE(repaired->ca, first->ca);
    QVERIFY(verifies(repaired->certificate, first->ca, u"localhost"_s));
}

void tst_TlsBootstrap::damagedCaIsAnErrorAndLeftAlone_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("replacement");
    QTest::addColumn<bool>("remove");
    QTest::newRow("garbage CA key") << u"ca.key"_s << QString() << false;
    QTest::newRow("garbage CA certificate") << u"ca.pem"_s << QString() << false;
    QTest::newRow("missing CA key") << u"ca.key"_s << QString() << true;
    QTest::newRow("CA key of another certificate") << u"ca.key"_s << u"server.key"_s << false;
    QTest::newRow("server certificate as CA") << u"ca.pem"_s << u"server.pem"_s << false;
}

void tst_TlsBootstrap::damagedCaIsAnErrorAndLeftAlone()
{
    QFETCH(QString, file);
    QFETCH(QString, replacement);
    QFETCH(bool, remove);

    QVERIFY(ensure());
    if (remove) {
        QVERIFY(QFile::remove(tlsPath(file)));
    } else {
        QVERIFY(overwrite(tlsPath(file),
                          replacement.isEmpty() ? QByteArray("not a pem file") : contentsOf(tlsPath(replacement))));
    }
    QMap<QString, QByteArray> before;
    for (const QString &name : {u"ca.pem"_s, u"ca.key"_s, u"server.pem"_s, u"server.key"_s})
        before.insert(name, contentsOf(tlsPath(name)));

    QString error;
    QVERIFY(!paydesk::ensureTlsMaterial(m_dir->path(), {}, &error));
    QVERIFY2(error.contains(u"ca.key"_s) && error.contains(u"remove"_s), qPrintable(error));
    for (auto it = before.cbegin(); it != before.cend(); ++it)
        QCOMPARE(contentsOf(tlsPath(it.key())), it.value());
}

void tst_TlsBootstrap::interruptedFirstRunStartsOver()
{
    // A crash after the CA key was written but before its certificate: no one can trust a
    // CA whose certificate never existed, so a new one is created.
    QVERIFY(QDir().mkpath(m_dir->filePath(u"tls"_s)));
    QVERIFY(overwrite(tlsPath(u"ca.key"_s), "half-written"));
    const std::optional<TlsMaterial> material = ensure();
    QVERIFY(material);
    QVERIFY(verifies(material->certificate, material->ca, u"localhost"_s));
    QCOMPARE(modeOf(tlsPath(u"ca.key"_s)), 0600);
}

void tst_TlsBootstrap::openKeyPermissionsAreNarrowed()
{
    QVERIFY(ensure());
    QVERIFY(QFile::setPermissions(tlsPath(u"server.key"_s), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));
    QVERIFY(QFile::setPermissions(tlsPath(u"ca.key"_s), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup));
    QVERIFY(QFile::setPermissions(m_dir->filePath(u"tls"_s),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther
                                      | QFile::ExeOther));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"narrowing the permissions"_s));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"narrowing the permissions"_s));
    QVERIFY(ensure());
    QCOMPARE(modeOf(tlsPath(u"server.key"_s)), 0600);
    QCOMPARE(modeOf(tlsPath(u"ca.key"_s)), 0600);
    QCOMPARE(modeOf(m_dir->filePath(u"tls"_s)), 0700);
}

void tst_TlsBootstrap::namesAreNormalised()
{
    const std::optional<TlsMaterial> material
        = ensure({u"  Pay.Example.COM "_s, u"bücher.example"_s, u"*.shops.example.com"_s, u""_s, u"::FFFF:10.1.2.3"_s,
                  u"localhost"_s, u"0:0:0:0:0:0:0:1"_s});
    QVERIFY(material);
    const auto names = material->certificate.subjectAlternativeNames();
    const QStringList dns = names.values(QSsl::DnsEntry);
    QCOMPARE(dns.size(), 4);
    QVERIFY(dns.contains(u"localhost"_s));
    QVERIFY(dns.contains(u"pay.example.com"_s));
    QVERIFY(dns.contains(u"xn--bcher-kva.example"_s));
    QVERIFY(dns.contains(u"*.shops.example.com"_s));
    QCOMPARE(names.values(QSsl::IpAddressEntry).size(), 3); // 127.0.0.1, ::1, ::ffff:10.1.2.3
    QVERIFY(verifies(material->certificate, material->ca, u"pos.shops.example.com"_s));

    // Spelling the same names differently is not a reason to re-issue.
    const std::optional<TlsMaterial> again
        = ensure({u"pay.example.com"_s, u"xn--bcher-kva.example"_s, u"*.shops.example.com"_s, u"::ffff:10.1.2.3"_s});
    QVERIFY(again);
    QCOMPARE(again->certificate, material->certificate);
}

void tst_TlsBootstrap::invalidNamesAreRejected_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("underscore") << u"pay_desk.example"_s;
    QTest::newRow("comma injection") << u"a.example,IP:1.2.3.4"_s;
    QTest::newRow("space inside") << u"pay desk.example"_s;
    QTest::newRow("empty label") << u"pay..example"_s;
    QTest::newRow("leading hyphen") << u"-pay.example"_s;
    QTest::newRow("label too long") << QString(64, u'a') + u".example"_s;
    QTest::newRow("bare wildcard") << u"*"_s;
    QTest::newRow("wildcard on a TLD") << u"*.com"_s;
    QTest::newRow("inner wildcard") << u"pay.*.example"_s;
    QTest::newRow("scoped IPv6") << u"fe80::1%eth0"_s;
    QTest::newRow("URL") << u"https://pay.example"_s;
}

void tst_TlsBootstrap::invalidNamesAreRejected()
{
    QFETCH(QString, name);
    QString error;
    QVERIFY(!paydesk::ensureTlsMaterial(m_dir->path(), {name}, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!QFile::exists(tlsPath(u"ca.pem"_s))); // nothing is created for a bad request
}

void tst_TlsBootstrap::invalidOptionsAreRejected()
{
    paydesk::TlsBootstrapOptions options;
    options.serverValidityDays = 30;
    options.renewWithinDays = 30; // would re-issue on every start
    QString error;
    QVERIFY(!paydesk::ensureTlsMaterial(m_dir->path(), {}, &error, options));
    QVERIFY(!error.isEmpty());
}

void tst_TlsBootstrap::fieldKeyIsCreatedOnceAndOwnerOnly()
{
    QString error;
    const std::optional<paydesk::FieldKey> first = paydesk::ensureFieldKey(m_dir->path(), &error);
    QVERIFY2(first, qPrintable(error));
    QCOMPARE(first->key.size(), 32);
    QVERIFY(first->keyId.startsWith(u"fk"_s));
    const QString path = m_dir->filePath(u"keys/field.key"_s);
    QCOMPARE(modeOf(m_dir->filePath(u"keys"_s)), 0700);
    QCOMPARE(modeOf(path), 0600);

    const QByteArray contents = contentsOf(path);
    QVERIFY(contents.contains("\nkey-id: " + first->keyId.toLatin1() + '\n'));
    QVERIFY(contents.contains("\nkey: " + first->key.toBase64() + '\n'));

    const std::optional<paydesk::FieldKey> second = paydesk::ensureFieldKey(m_dir->path(), &error);
    QVERIFY(second);
    QCOMPARE(second->keyId, first->keyId);
    QCOMPARE(second->key, first->key);
    QCOMPARE(contentsOf(path), contents);

    QTemporaryDir otherInstallation;
    const std::optional<paydesk::FieldKey> other = paydesk::ensureFieldKey(otherInstallation.path(), &error);
    QVERIFY(other);
    QVERIFY(other->key != first->key);
    QVERIFY(other->keyId != first->keyId);
}

void tst_TlsBootstrap::damagedFieldKeyIsAnErrorAndLeftAlone_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("garbage") << QByteArray("garbage");
    QTest::newRow("no key id") << QByteArray("key: " + QByteArray(32, 'k').toBase64() + '\n');
    QTest::newRow("short key") << QByteArray("key-id: fk1\nkey: " + QByteArray(16, 'k').toBase64());
    QTest::newRow("bad base64") << QByteArray("key-id: fk1\nkey: !!!notbase64!!!\n");
    QTest::newRow("bad key id") << QByteArray("key-id: a b\nkey: " + QByteArray(32, 'k').toBase64());
}

void tst_TlsBootstrap::damagedFieldKeyIsAnErrorAndLeftAlone()
{
    QFETCH(QByteArray, contents);
    QVERIFY(QDir().mkpath(m_dir->filePath(u"keys"_s)));
    const QString path = m_dir->filePath(u"keys/field.key"_s);
    QVERIFY(overwrite(path, contents));
    QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner));

    QString error;
    QVERIFY(!paydesk::ensureFieldKey(m_dir->path(), &error));
    QVERIFY2(error.contains(u"field.key"_s), qPrintable(error));
    QCOMPARE(contentsOf(path), contents);
}

QTEST_GUILESS_MAIN(tst_TlsBootstrap)
#include "tst_tlsbootstrap.moc"
