#pragma once

// The sandbox's key material, created on first start and reused afterwards:
//
//   <data-dir>/alipay/  app_private_key.pem (0600)   the merchant app's key; Paydesk signs with it
//                       app_public_key.pem           the sandbox verifies requests with it
//                       alipay_private_key.pem (0600) the sandbox signs responses/notifications
//                       alipay_public_key.pem        Paydesk verifies with it
//   <data-dir>/wechat/  merchant_private_key.pem (0600) + merchant_certificate.pem (serial_no)
//                       platform_private_key.pem (0600) + platform_certificate.pem (Wechatpay-Serial)
//                       apiv3_key.txt (0600)         32 ASCII characters, no newline
//   <data-dir>/bankpay/ merchant_private_key.pem (0600) the payout merchant's key; Paydesk signs with it
//                       merchant_public_key.pem      the sandbox verifies payout requests with it
//                       provider_private_key.pem (0600) the sandbox signs answers/notifications
//                       provider_public_key.pem      Paydesk verifies with it (key id: provider_key_id)
//
// WeChat transfers (wechat_transfer) use the WeChat merchant and platform keys above.
//
// Both halves of every pair are kept so that a developer can configure Paydesk from the files
// alone; a real channel would of course never hand out its own private key.

#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace paydesk::sandbox {

struct SandboxKeys
{
    // The sandbox's fixed identities (sandbox-looking values of the real formats).
    static constexpr QLatin1StringView AlipayAppId{"2021000000000001"};
    static constexpr QLatin1StringView AlipaySellerId{"2088000000000001"};
    static constexpr QLatin1StringView WechatAppId{"wx8888888888888888"};
    static constexpr QLatin1StringView WechatMchId{"1900000001"};
    static constexpr QLatin1StringView BankpayMerchantId{"10012345678"};

    QString appPrivateKeyFile;
    QString appPublicKeyFile;
    QString alipayPrivateKeyFile;
    QString alipayPublicKeyFile;
    QString merchantPrivateKeyFile;
    QString merchantCertificateFile;
    QString platformPrivateKeyFile;
    QString platformCertificateFile;
    QString apiV3KeyFile;
    QString bankpayMerchantPrivateKeyFile;
    QString bankpayMerchantPublicKeyFile;
    QString bankpayProviderPrivateKeyFile;
    QString bankpayProviderPublicKeyFile;

    PublicKey appPublicKey; ///< verifies Alipay requests
    PrivateKey alipayPrivateKey; ///< signs Alipay responses and notifications
    PublicKey merchantPublicKey; ///< verifies WeChat requests
    QString merchantSerial; ///< upper-case hex serial of the merchant certificate
    PrivateKey platformPrivateKey; ///< signs WeChat responses and notifications
    QString platformSerial; ///< upper-case hex serial of the platform certificate
    QByteArray platformCertificatePem; ///< served, encrypted, by GET /v3/certificates
    QDateTime platformNotBefore;
    QDateTime platformNotAfter;
    QByteArray apiV3Key; ///< 32 ASCII bytes
    PublicKey bankpayMerchantPublicKey; ///< verifies bankpay requests
    QString bankpayMerchantKeyId; ///< key_id of the merchant key (optional in requests)
    PrivateKey bankpayProviderPrivateKey; ///< signs bankpay answers and notifications
    QString bankpayProviderKeyId; ///< key_id in every bankpay answer and notification

    /// Loads the files under dataDir, creating whatever is missing. A file that exists but
    /// cannot be read is an error (never silently replaced: Paydesk may be configured with it).
    static std::optional<SandboxKeys> loadOrCreate(const QString &dataDir, QString *error);

    /// The "alipay" and "wechat" objects of sandbox.json.
    QJsonObject alipayInfo(const QString &baseUrl) const;
    QJsonObject wechatInfo(const QString &baseUrl) const;
    /// The "bankpay" and "wechat_transfer" objects of sandbox.json (payout providers).
    QJsonObject bankpayInfo(const QString &baseUrl) const;
    QJsonObject wechatTransferInfo(const QString &baseUrl) const;
};

} // namespace paydesk::sandbox
