#pragma once

#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"
#include "server/channels/Channel.h"

#include <QMap>

namespace paydesk {

struct OutboundResponse;
struct WechatPayReply; // one answer from the API, defined in the .cpp

/// WeChat Pay API v3 (direct merchant) as a Channel: JSON over HTTPS, requests signed with the
/// merchant key (WECHATPAY2-SHA256-RSA2048), every 2xx answer and every notification verified
/// against a platform key chosen by Wechatpay-Serial, notifications decrypted with the API v3 key.
///
/// Immutable after construction; all calls block and may run on several threads at once.
class WechatPayChannel final : public Channel
{
public:
    /// Throws ApiError(VALIDATION_FAILED, details {"field"}) for an unusable configuration.
    WechatPayChannel(ChannelConfig config, HttpClient &http, Clock clock);
    ~WechatPayChannel() override;

    /// Farthest a signed timestamp may be from our clock (both directions), as the SDKs allow.
    static constexpr qint64 MaxClockSkewSeconds = 300;

    const ChannelConfig &config() const override { return m_config; }
    PrepayResult prepay(const PrepayRequest &request) override;
    QueryResult query(const QString &outTradeNo) override;
    CloseResult close(const QString &outTradeNo) override;
    RefundResult refund(const RefundRequest &request) override;
    RefundResult queryRefund(const RefundRequest &request) override;
    NotificationResult parseNotification(const InboundNotification &notification) override;
    HttpResponse acknowledge(bool accepted, const QString &message) const override;
    BillResult downloadBill(const QDate &day) override;

private:
    using Reply = WechatPayReply;
    enum class Expect { SignedJson, RawFile };

    void loadPlatformKeys();
    QUrl apiUrl(const QByteArray &encodedPathAndQuery) const;
    Reply send(const QString &operation, const QByteArray &method, const QUrl &url, const QByteArray &body,
               Expect expect) const;
    void classify(Reply &reply, const OutboundResponse &response, Expect expect) const;
    QString checkSignature(const HttpHeaders &headers, const QByteArray &body) const;
    qint64 nowSeconds() const;

    ChannelConfig m_config;
    HttpClient &m_http;
    Clock m_clock;
    PrivateKey m_merchantKey;
    QMap<QString, PublicKey> m_platformKeys; ///< by serial (certificate serial or PUB_KEY_ID_…)
    QByteArray m_requestSerial; ///< the platform serial we name in Wechatpay-Serial
};

} // namespace paydesk
