#pragma once

#include "server/auth/SecurityConfig.h"
#include "server/http/HttpMessage.h"

#include <QDate>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

#include <memory>

namespace paydesk {

class HttpClient;

/// One channel account (an Alipay app or a WeChat Pay merchant) as configured by an admin. Secrets
/// are decrypted only in memory; the database keeps them encrypted (see ChannelStore).
struct ChannelConfig
{
    QString id; ///< Paydesk's id of the account; callbacks arrive at /notify/<type>/<id>
    QString type; ///< "alipay" | "wechat"
    QString appId; ///< Alipay app_id; WeChat appid
    QString merchantId; ///< Alipay seller_id (PID 2088…); WeChat mchid
    QByteArray privateKeyPem; ///< Alipay app private key; WeChat merchant API private key (PKCS#1 or #8)
    QString merchantCertSerial; ///< WeChat: serial_no of the merchant API certificate
    /// The channel's keys that sign responses and notifications. Alipay: key id "alipay" → the Alipay
    /// public key (PEM, or bare base64 SPKI). WeChat: serial (platform certificate serial in upper-case
    /// hex, or "PUB_KEY_ID_…") → certificate or public key PEM; several are valid during rotation.
    QMap<QString, QByteArray> platformKeys;
    QByteArray apiV3Key; ///< WeChat API v3 key (32 ASCII bytes); empty for Alipay
    QString appCertSn; ///< Alipay certificate mode: app_cert_sn (empty in public-key mode)
    QString alipayRootCertSn; ///< Alipay certificate mode: alipay_root_cert_sn
    QUrl gatewayUrl; ///< Alipay: …/gateway.do; WeChat: the API base, e.g. https://api.mch.weixin.qq.com
    QList<QSslCertificate> gatewayCa; ///< extra trust anchors for the gateway (private deployments)
    QString notifyUrl; ///< Paydesk's public callback URL for this account
    int timeoutMs = 10'000; ///< per call
};

/// How a call to the channel ended.
enum class CallOutcome {
    Ok, ///< the channel answered, the answer verified, and it is a success
    Rejected, ///< the channel answered (verified) with a definite business failure; see ChannelError
    Unknown, ///< timeout, transport failure, 5xx or an unverifiable answer: the effect is unknown
};

struct ChannelError
{
    QString code; ///< the channel's code, e.g. "ACQ.TRADE_NOT_EXIST", "ORDER_NOT_EXIST", or "TRANSPORT"
    QString message;
};

/// One request/response or notification exchanged with the channel, for the channel log. Secrets
/// (keys, buyer identifiers beyond a prefix) are masked before they are put here.
struct ChannelExchange
{
    QString operation; ///< prepay, query, close, refund, refund_query, bill, notify
    QString direction; ///< "out": Paydesk called the channel; "in": the channel called Paydesk
    QString url;
    int httpStatus = 0;
    QByteArray request;
    QByteArray response;
    QString verification; ///< "ok", "failed: <why>", or "n/a"
    qint64 elapsedMs = 0;
};

enum class PayMethod { Qr, App };

struct PrepayRequest
{
    QString outTradeNo; ///< Paydesk's order number (the channel's out_trade_no)
    qint64 amount = 0; ///< minor units (fen)
    QString currency = QStringLiteral("CNY");
    QString subject;
    qint64 expiresAtMs = 0;
    PayMethod method = PayMethod::Qr;
};

struct PrepayResult
{
    CallOutcome outcome = CallOutcome::Unknown;
    QString qrCode; ///< Qr: Alipay qr_code / WeChat code_url
    QJsonObject appParams; ///< App: Alipay {"order_string"}; WeChat {appid, partnerid, prepayid, package, noncestr,
                           ///< timestamp, sign}
    ChannelError error;
    ChannelExchange exchange;
};

/// A trade's state as the channel sees it.
enum class TradeState {
    NotFound, ///< the channel has no such trade (e.g. a QR never scanned on Alipay)
    Waiting, ///< created, not paid (WAIT_BUYER_PAY / NOTPAY / USERPAYING)
    Paid, ///< TRADE_SUCCESS / SUCCESS (refunds may follow)
    Finished, ///< Alipay TRADE_FINISHED: paid, no longer refundable
    Closed, ///< closed unpaid (TRADE_CLOSED without payment / CLOSED / REVOKED)
    Refunded, ///< paid and then fully refunded (Alipay TRADE_CLOSED after payment / WeChat REFUND)
    Failed, ///< PAYERROR
};

struct TradeInfo
{
    TradeState state = TradeState::NotFound;
    QString rawState; ///< the channel's own word, e.g. "TRADE_SUCCESS"
    QString outTradeNo;
    QString channelTradeNo; ///< Alipay trade_no; WeChat transaction_id
    qint64 totalAmount = 0; ///< the trade's amount as the channel states it, minor units
    qint64 paidAmount = 0; ///< what the buyer paid (Alipay buyer_pay_amount/receipt; WeChat payer_total)
    QString currency = QStringLiteral("CNY");
    qint64 paidAtMs = 0;
    QString payer; ///< masked buyer identifier
    QString appId; ///< as stated by the channel
    QString merchantId; ///< as stated by the channel (seller_id / mchid)
};

struct QueryResult
{
    CallOutcome outcome = CallOutcome::Unknown;
    TradeInfo trade; ///< with Ok; NotFound is Ok with trade.state == NotFound
    ChannelError error;
    ChannelExchange exchange;
};

struct CloseResult
{
    CallOutcome outcome = CallOutcome::Unknown; ///< Ok also when the trade did not exist at the channel
    bool alreadyPaid = false; ///< Rejected because the buyer has paid: query and process the payment
    ChannelError error;
    ChannelExchange exchange;
};

struct RefundRequest
{
    QString outTradeNo;
    QString channelTradeNo;
    QString outRefundNo; ///< Paydesk's refund number (Alipay out_request_no / WeChat out_refund_no)
    qint64 amount = 0; ///< this refund
    qint64 totalAmount = 0; ///< the order's amount
    QString currency = QStringLiteral("CNY");
    QString reason;
};

/// Abnormal: WeChat Pay's ABNORMAL, the bank returned the refund (e.g. a closed card); it is still
/// in flight, and usually ends in success after a retry through the channel's abnormal-refund path.
enum class RefundState { Succeeded, Processing, Failed, NotFound, Abnormal };

struct RefundResult
{
    CallOutcome outcome = CallOutcome::Unknown;
    RefundState state = RefundState::Processing;
    QString channelRefundNo;
    qint64 refundAmount = 0;
    qint64 succeededAtMs = 0;
    ChannelError error;
    ChannelExchange exchange;
};

/// A notification as it arrived at /notify/<type>/<id>.
struct InboundNotification
{
    HttpHeaders headers; ///< names lower-case
    QByteArray body;
};

enum class NotificationKind { Payment, Refund, Other };

struct NotificationResult
{
    bool accepted = false; ///< signature verified, fresh, decrypted, and addressed to this account
    QString rejectReason; ///< why not, for the log and the alert
    NotificationKind kind = NotificationKind::Other;
    QString notifyId; ///< the channel's id of this message (Alipay notify_id, WeChat id)
    TradeInfo trade; ///< Payment (and Refund: the trade it belongs to)
    QString outRefundNo; ///< Refund
    RefundState refundState = RefundState::Processing; ///< Refund
    qint64 refundAmount = 0; ///< Refund
    QString channelRefundNo; ///< Refund
    ChannelExchange exchange; ///< direction "in"
};

/// A bill file as the channel serves it, checked but not parsed (reconciliation parses it).
struct BillResult
{
    CallOutcome outcome = CallOutcome::Unknown;
    bool noBill = false; ///< the channel says no bill exists for the day (Ok)
    QByteArray content; ///< Alipay: the csv.zip as downloaded; WeChat: the CSV (decompressed, SHA-1 checked)
    QString format; ///< "alipay-trade-zip" | "wechat-tradebill-csv"
    ChannelError error;
    QList<ChannelExchange> exchanges;
};

/// A payment channel account: the operations Paydesk needs, over the channel's real wire protocol.
/// Calls block (network), so they run on the channel worker pool, never on the HTTP thread.
/// Implementations are immutable after construction and safe to call from several threads.
class Channel
{
public:
    virtual ~Channel() = default;

    virtual const ChannelConfig &config() const = 0;

    virtual PrepayResult prepay(const PrepayRequest &request) = 0;
    virtual QueryResult query(const QString &outTradeNo) = 0;
    virtual CloseResult close(const QString &outTradeNo) = 0;
    virtual RefundResult refund(const RefundRequest &request) = 0;
    virtual RefundResult queryRefund(const RefundRequest &request) = 0;
    /// Sends an ABNORMAL refund again by the channel's abnormal-refund path: type
    /// MERCHANT_BANK_CARD (to the merchant's settlement account) or USER_BANK_CARD. Channels without
    /// one answer Rejected with NOT_SUPPORTED.
    virtual RefundResult retryAbnormalRefund(const RefundRequest &request, const QString &channelRefundNo,
                                             const QString &type);
    /// Verifies (signature, timestamp window, decryption, app id and merchant id) and parses.
    virtual NotificationResult parseNotification(const InboundNotification &notification) = 0;
    /// The answer the channel expects: Alipay "success"/"fail"; WeChat 204 or 500 {"code":"FAIL"}.
    virtual HttpResponse acknowledge(bool accepted, const QString &message) const = 0;
    virtual BillResult downloadBill(const QDate &day) = 0;
};

/// Builds the implementation for config.type; throws ApiError VALIDATION_FAILED when the
/// configuration is unusable (unknown type, unreadable key, missing platform key, bad API v3 key).
std::unique_ptr<Channel> createChannel(const ChannelConfig &config, HttpClient &http, Clock clock);

/// Small helpers the channel implementations share to fill their call results.
namespace channelcalls {

/// Takes over the outcome, error and exchange of a judged reply.
template<typename Result, typename Reply> void adopt(Result &result, const Reply &reply)
{
    result.outcome = reply.outcome;
    result.error = reply.error;
    result.exchange = reply.exchange;
}

/// A verified answer we cannot read: we do not know what the channel did.
template<typename Result> Result malformed(Result result, const QString &why)
{
    result.outcome = CallOutcome::Unknown;
    result.error = {QStringLiteral("BAD_RESPONSE"), why};
    return result;
}

} // namespace channelcalls

} // namespace paydesk
