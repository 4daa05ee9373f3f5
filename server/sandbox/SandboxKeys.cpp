#include "server/sandbox/SandboxKeys.h"

#include "common/crypto/Certificate.h"
#include "common/crypto/Random.h"
#include "common/util/PrivateFiles.h"
#include "server/channels/payout/BankpayProtocol.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSandboxKeys, "paydesk.sandbox.keys")

namespace paydesk::sandbox {

namespace {

constexpr qint64 kMaxKeyFileBytes = 64 * 1024;
constexpr int kCertificateValidityDays = 5 * 365;

template<auto Free> struct OpenSslFree
{
    template<typename T> void operator()(T *pointer) const { Free(pointer); }
};
using Bio = std::unique_ptr<BIO, OpenSslFree<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using NamePtr = std::unique_ptr<X509_NAME, OpenSslFree<X509_NAME_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BN_free>>;

struct Failure
{
    QString message;
};

QByteArray readOrThrow(const QString &path, bool secret)
{
    QString error;
    const std::optional<QByteArray> contents
        = secret ? readPrivateFile(path, kMaxKeyFileBytes, &error) : readFileBounded(path, kMaxKeyFileBytes, &error);
    if (!contents)
        throw Failure{error};
    return *contents;
}

void writeOrThrow(const QString &path, const QByteArray &contents, QFileDevice::Permissions permissions)
{
    QString error;
    if (!writeFileAtomically(path, contents, permissions, &error))
        throw Failure{error};
}

// An RSA-2048 key pair: the private key from privatePath (created with its public half in
// publicPath when missing).
PrivateKey loadOrCreateKeyPair(const QString &privatePath, const QString &publicPath)
{
    if (QFileInfo::exists(privatePath)) {
        auto key = PrivateKey::fromPem(readOrThrow(privatePath, true));
        if (!key)
            throw Failure{u"%1: %2 (remove it to create a new key)"_s.arg(privatePath, key.error())};
        if (!publicPath.isEmpty() && !QFileInfo::exists(publicPath))
            writeOrThrow(publicPath, key->publicKey().toPem(), kWorldReadable);
        return *key;
    }
    auto key = PrivateKey::generateRsa(2048);
    if (!key)
        throw Failure{key.error()};
    writeOrThrow(privatePath, key->toPkcs8Pem(), kOwnerReadWrite);
    if (!publicPath.isEmpty())
        writeOrThrow(publicPath, key->publicKey().toPem(), kWorldReadable);
    qCInfo(lcSandboxKeys).noquote() << "created" << privatePath;
    return *key;
}

// A self-signed RSA certificate for key. WeChat Pay's merchant and platform certificates are
// issued by its own CA; nothing checks the chain here, only the serial and the public key matter.
QByteArray issueSelfSigned(const PrivateKey &key, const QString &commonName)
{
    const QByteArray keyPem = key.toPkcs8Pem();
    const Bio keyBio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())));
    const PkeyPtr pkey(keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr) : nullptr);
    X509Ptr certificate(X509_new());
    NamePtr name(X509_NAME_new());
    // 20 random bytes like WeChat's 40-hex-digit serials; positive (RFC 5280) and never zero.
    unsigned char serialBytes[20];
    const bool random = RAND_bytes(serialBytes, sizeof serialBytes) == 1;
    serialBytes[0] = (serialBytes[0] & 0x7f) | 0x10;
    const BignumPtr serial(BN_bin2bn(serialBytes, sizeof serialBytes, nullptr));
    const QByteArray cn = commonName.toUtf8();
    const QByteArray organisation = QByteArrayLiteral("Paydesk Sandbox");
    const bool ok = pkey && certificate && name && random && serial
        && X509_set_version(certificate.get(), X509_VERSION_3) == 1
        && BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()))
        && X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600)
        && X509_time_adj_ex(X509_getm_notAfter(certificate.get()), kCertificateValidityDays, 0, nullptr)
        && X509_set_pubkey(certificate.get(), pkey.get()) == 1
        && X509_NAME_add_entry_by_txt(name.get(), "C", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>("CN"), 2,
                                      -1, 0)
            == 1
        && X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(organisation.constData()),
                                      int(organisation.size()), -1, 0)
            == 1
        && X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(cn.constData()), int(cn.size()), -1, 0)
            == 1
        && X509_set_subject_name(certificate.get(), name.get()) == 1
        && X509_set_issuer_name(certificate.get(), name.get()) == 1
        && X509_sign(certificate.get(), pkey.get(), EVP_sha256()) > 0;
    if (!ok) {
        ERR_clear_error();
        throw Failure{u"cannot issue the certificate for %1"_s.arg(commonName)};
    }
    const Bio out(BIO_new(BIO_s_mem()));
    if (!out || PEM_write_bio_X509(out.get(), certificate.get()) != 1)
        throw Failure{u"cannot encode the certificate for %1"_s.arg(commonName)};
    char *data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    return QByteArray(data, qsizetype(size));
}

// The certificate in path for key, issued anew when missing or when it holds another key.
Certificate loadOrIssueCertificate(const QString &path, const PrivateKey &key, const QString &commonName)
{
    if (QFileInfo::exists(path)) {
        auto certificate = Certificate::fromPem(readOrThrow(path, false));
        if (!certificate)
            throw Failure{u"%1: %2 (remove it to issue a new certificate)"_s.arg(path, certificate.error())};
        const auto publicKey = certificate->publicKey();
        if (publicKey && *publicKey == key.publicKey())
            return *certificate;
        qCWarning(lcSandboxKeys).noquote() << path << "does not match its private key; issuing a new one";
    }
    const QByteArray pem = issueSelfSigned(key, commonName);
    auto certificate = Certificate::fromPem(pem);
    if (!certificate)
        throw Failure{certificate.error()};
    writeOrThrow(path, pem, kWorldReadable);
    qCInfo(lcSandboxKeys).noquote() << "issued" << path << "serial" << certificate->serialNumberHex();
    return *certificate;
}

QByteArray loadOrCreateApiV3Key(const QString &path)
{
    if (QFileInfo::exists(path)) {
        const QByteArray key = readOrThrow(path, true).trimmed();
        if (key.size() != 32)
            throw Failure{u"%1 must hold exactly 32 ASCII characters"_s.arg(path)};
        return key;
    }
    const QByteArray key = Random::alphanumeric(32).toLatin1();
    writeOrThrow(path, key, kOwnerReadWrite);
    return key;
}

} // namespace

std::optional<SandboxKeys> SandboxKeys::loadOrCreate(const QString &dataDir, QString *error)
{
    const QDir root(QDir(dataDir).absolutePath());
    const QString alipayDir = root.filePath(u"alipay"_s);
    const QString wechatDir = root.filePath(u"wechat"_s);
    const QString bankpayDir = root.filePath(u"bankpay"_s);
    SandboxKeys keys;
    keys.appPrivateKeyFile = alipayDir + u"/app_private_key.pem"_s;
    keys.appPublicKeyFile = alipayDir + u"/app_public_key.pem"_s;
    keys.alipayPrivateKeyFile = alipayDir + u"/alipay_private_key.pem"_s;
    keys.alipayPublicKeyFile = alipayDir + u"/alipay_public_key.pem"_s;
    keys.merchantPrivateKeyFile = wechatDir + u"/merchant_private_key.pem"_s;
    keys.merchantCertificateFile = wechatDir + u"/merchant_certificate.pem"_s;
    keys.platformPrivateKeyFile = wechatDir + u"/platform_private_key.pem"_s;
    keys.platformCertificateFile = wechatDir + u"/platform_certificate.pem"_s;
    keys.apiV3KeyFile = wechatDir + u"/apiv3_key.txt"_s;
    keys.bankpayMerchantPrivateKeyFile = bankpayDir + u"/merchant_private_key.pem"_s;
    keys.bankpayMerchantPublicKeyFile = bankpayDir + u"/merchant_public_key.pem"_s;
    keys.bankpayProviderPrivateKeyFile = bankpayDir + u"/provider_private_key.pem"_s;
    keys.bankpayProviderPublicKeyFile = bankpayDir + u"/provider_public_key.pem"_s;
    try {
        for (const QString &dir : {alipayDir, wechatDir, bankpayDir}) {
            QString dirError;
            if (!ensurePrivateDirectory(dir, &dirError))
                throw Failure{dirError};
        }
        keys.appPublicKey = loadOrCreateKeyPair(keys.appPrivateKeyFile, keys.appPublicKeyFile).publicKey();
        keys.alipayPrivateKey = loadOrCreateKeyPair(keys.alipayPrivateKeyFile, keys.alipayPublicKeyFile);

        const PrivateKey merchantKey = loadOrCreateKeyPair(keys.merchantPrivateKeyFile, {});
        const Certificate merchantCertificate
            = loadOrIssueCertificate(keys.merchantCertificateFile, merchantKey, QString(WechatMchId));
        keys.merchantPublicKey = merchantKey.publicKey();
        keys.merchantSerial = merchantCertificate.serialNumberHex();

        keys.platformPrivateKey = loadOrCreateKeyPair(keys.platformPrivateKeyFile, {});
        const Certificate platformCertificate = loadOrIssueCertificate(
            keys.platformCertificateFile, keys.platformPrivateKey, u"Paydesk Sandbox WeChat Pay Platform"_s);
        keys.platformSerial = platformCertificate.serialNumberHex();
        keys.platformCertificatePem = platformCertificate.toPem();
        keys.platformNotBefore = platformCertificate.notBefore();
        keys.platformNotAfter = platformCertificate.notAfter();

        keys.apiV3Key = loadOrCreateApiV3Key(keys.apiV3KeyFile);

        keys.bankpayMerchantPublicKey
            = loadOrCreateKeyPair(keys.bankpayMerchantPrivateKeyFile, keys.bankpayMerchantPublicKeyFile).publicKey();
        keys.bankpayMerchantKeyId = BankpayProtocol::keyIdOf(keys.bankpayMerchantPublicKey);
        keys.bankpayProviderPrivateKey
            = loadOrCreateKeyPair(keys.bankpayProviderPrivateKeyFile, keys.bankpayProviderPublicKeyFile);
        keys.bankpayProviderKeyId = BankpayProtocol::keyIdOf(keys.bankpayProviderPrivateKey.publicKey());
    } catch (const Failure &failure) {
        *error = failure.message;
        return std::nullopt;
    }
    return keys;
}

QJsonObject SandboxKeys::alipayInfo(const QString &baseUrl) const
{
    return QJsonObject{
        {u"app_id"_s, QString(AlipayAppId)},
        {u"seller_id"_s, QString(AlipaySellerId)},
        {u"gateway_url"_s, baseUrl + u"/gateway.do"_s},
        {u"app_private_key_file"_s, appPrivateKeyFile},
        {u"app_public_key_file"_s, appPublicKeyFile},
        {u"alipay_public_key_file"_s, alipayPublicKeyFile},
        {u"sign_type"_s, u"RSA2"_s},
    };
}

QJsonObject SandboxKeys::wechatInfo(const QString &baseUrl) const
{
    return QJsonObject{
        {u"appid"_s, QString(WechatAppId)},
        {u"mchid"_s, QString(WechatMchId)},
        {u"base_url"_s, baseUrl},
        {u"merchant_private_key_file"_s, merchantPrivateKeyFile},
        {u"merchant_certificate_file"_s, merchantCertificateFile},
        {u"merchant_serial"_s, merchantSerial},
        {u"platform_certificate_file"_s, platformCertificateFile},
        {u"platform_serial"_s, platformSerial},
        {u"api_v3_key_file"_s, apiV3KeyFile},
    };
}

QJsonObject SandboxKeys::bankpayInfo(const QString &baseUrl) const
{
    return QJsonObject{
        {u"merchant_id"_s, QString(BankpayMerchantId)},
        {u"gateway_url"_s, baseUrl + u"/bankpay"_s},
        {u"merchant_private_key_file"_s, bankpayMerchantPrivateKeyFile},
        {u"merchant_public_key_file"_s, bankpayMerchantPublicKeyFile},
        {u"merchant_key_id"_s, bankpayMerchantKeyId},
        {u"provider_public_key_file"_s, bankpayProviderPublicKeyFile},
        {u"provider_key_id"_s, bankpayProviderKeyId},
        {u"sign_type"_s, u"RSA2"_s},
    };
}

QJsonObject SandboxKeys::wechatTransferInfo(const QString &baseUrl) const
{
    // The same WeChat Pay merchant as "wechat": transfers are another product of the same API.
    return QJsonObject{
        {u"appid"_s, QString(WechatAppId)},
        {u"mchid"_s, QString(WechatMchId)},
        {u"base_url"_s, baseUrl},
        {u"merchant_private_key_file"_s, merchantPrivateKeyFile},
        {u"merchant_serial"_s, merchantSerial},
        {u"platform_certificate_file"_s, platformCertificateFile},
        {u"platform_serial"_s, platformSerial},
        {u"api_v3_key_file"_s, apiV3KeyFile},
    };
}

} // namespace paydesk::sandbox
