#include "server/channels/wechatpay/WechatPayChannel.h"

#include "common/crypto/Random.h"
#include "common/crypto/RsaSignature.h"
#include "common/money/Money.h"
#include "common/protocol/ApiError.h"
#include "common/protocol/WechatPaySign.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>
#include <QScopeGuard>

#include <zlib.h>

#include <optional>

using namespace Qt::StringLiterals;

namespace paydesk {

using namespace wechatpay;

namespace {

constexpr qint64 kBeijingOffsetMs = 8 * 3600 * 1000LL; // WeChat writes times in +08:00
constexpr qsizetype kMaxBillCsvBytes = 256 * 1024 * 1024; // decompressed: a gzip bomb stops here
const QString kBillFormat = u"wechat-tradebill-csv"_s;

[[noreturn]] void invalidConfig(const QString &field, const QString &message)
{
    throw ApiError(ErrorCode::ValidationFailed, message, QJsonObject{{u"field"_s, field}});
}

// RFC 3339 in Beijing time, the form WeChat uses for time_expire ("2018-06-08T10:34:56+08:00").
QString beijingTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch + kBeijingOffsetMs, Qt::UTC).toString(u"yyyy-MM-ddTHH:mm:ss"_s)
        + u"+08:00"_s;
}

// Amounts are JSON integers of fen; fromJsonMinorUnits refuses fractions and unsafe magnitudes.
std::optional<qint64> fen(const QJsonValue &value)
{
    const std::optional<Money> money = Money::fromJsonMinorUnits(value);
    if (!money)
        return std::nullopt;
    return money->minorUnits();
}

std::optional<TradeState> tradeStateOf(const QString &state)
{
    if (state == u"SUCCESS"_s)
        return TradeState::Paid;
    if (isOneOf(state, {"NOTPAY"_L1, "USERPAYING"_L1, "ACCEPT"_L1}))
        return TradeState::Waiting;
    if (isOneOf(state, {"CLOSED"_L1, "REVOKED"_L1}))
        return TradeState::Closed;
    if (state == u"REFUND"_s)
        return TradeState::Refunded;
    if (state == u"PAYERROR"_s)
        return TradeState::Failed;
    return std::nullopt;
}

std::optional<RefundState> refundStateOf(const QString &status)
{
    if (status == u"SUCCESS"_s)
        return RefundState::Succeeded;
    if (status == u"PROCESSING"_s)
        return RefundState::Processing;
    if (status == u"ABNORMAL"_s)
        return RefundState::Abnormal; // not a failure: the money is still on its way
    if (status == u"CLOSED"_s)
        return RefundState::Failed;
    return std::nullopt;
}

// A Transaction (query answer or decrypted TRADE notification) as TradeInfo; nullopt and *why
// when a field the state needs is missing or malformed.
std::optional<TradeInfo> tradeFromTransaction(const QJsonObject &transaction, QString *why)
{
    TradeInfo trade;
    trade.rawState = transaction.value(u"trade_state"_s).toString();
    const std::optional<TradeState> state = tradeStateOf(trade.rawState);
    if (!state) {
        *why = u"unknown trade_state \"%1\""_s.arg(trade.rawState);
        return std::nullopt;
    }
    trade.state = *state;
    trade.outTradeNo = transaction.value(u"out_trade_no"_s).toString();
    if (trade.outTradeNo.isEmpty()) {
        *why = u"no out_trade_no"_s;
        return std::nullopt;
    }
    trade.channelTradeNo = transaction.value(u"transaction_id"_s).toString();
    trade.appId = transaction.value(u"appid"_s).toString();
    trade.merchantId = transaction.value(u"mchid"_s).toString();
    trade.payer = maskIdentifier(transaction.value(u"payer"_s).toObject().value(u"openid"_s).toString());
    trade.paidAtMs = parseRfc3339(transaction.value(u"success_time"_s));

    const QJsonObject amount = transaction.value(u"amount"_s).toObject();
    const bool moneyMoved = trade.state == TradeState::Paid || trade.state == TradeState::Refunded;
    const std::optional<qint64> total = fen(amount.value(u"total"_s));
    if (!total && (moneyMoved || amount.contains(u"total"_s))) {
        *why = u"no valid amount.total"_s;
        return std::nullopt;
    }
    trade.totalAmount = total.value_or(0);
    // payer_total is what the buyer paid after coupons; older answers omit it.
    const std::optional<qint64> payerTotal = fen(amount.value(u"payer_total"_s));
    if (!payerTotal && amount.contains(u"payer_total"_s)) {
        *why = u"invalid amount.payer_total"_s;
        return std::nullopt;
    }
    trade.paidAmount = moneyMoved ? payerTotal.value_or(trade.totalAmount) : payerTotal.value_or(0);
    if (amount.contains(u"currency"_s))
        trade.currency = amount.value(u"currency"_s).toString();
    return trade;
}

// Gzip (RFC 1952, members possibly concatenated), at most maxSize bytes out.
std::optional<QByteArray> gunzip(QByteArrayView data, qsizetype maxSize)
{
    z_stream stream{};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) // 16+: gzip wrapper only
        return std::nullopt;
    const auto end = qScopeGuard([&stream] { inflateEnd(&stream); });
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size()); // bounded by the client's download limit
    QByteArray out;
    QByteArray buffer(64 * 1024, Qt::Uninitialized);
    for (;;) {
        stream.next_out = reinterpret_cast<Bytef *>(buffer.data());
        stream.avail_out = static_cast<uInt>(buffer.size());
        const int rc = inflate(&stream, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            return std::nullopt;
        out.append(buffer.constData(), buffer.size() - stream.avail_out);
        if (out.size() > maxSize)
            return std::nullopt;
        if (rc == Z_STREAM_END) {
            if (stream.avail_in == 0)
                return out;
            if (inflateReset(&stream) != Z_OK)
                return std::nullopt;
        } else if (stream.avail_in == 0 && stream.avail_out != 0) {
            return std::nullopt; // truncated: inflate wants more input than there is
        }
    }
}

using channelcalls::adopt;
using channelcalls::malformed;

} // namespace

namespace {

WechatPayAccount accountOf(const ChannelConfig &config)
{
    return WechatPayAccount{config.merchantId, config.merchantCertSerial, config.privateKeyPem, config.platformKeys,
                            config.gatewayUrl, config.gatewayCa,          config.timeoutMs};
}

} // namespace

WechatPayChannel::WechatPayChannel(ChannelConfig config, HttpClient &http, Clock clock)
    : m_config(std::move(config)), m_client(accountOf(m_config), http, std::move(clock))
{
    if (!matchesWhole(m_config.appId, u"[0-9A-Za-z_]{1,32}"_s))
        invalidConfig(u"app_id"_s, u"The WeChat appid must be 1 to 32 letters, digits or '_'."_s);
    // AEAD_AES_256_GCM: the API v3 key is the AES key itself, so exactly 32 bytes.
    if (m_config.apiV3Key.size() != 32)
        invalidConfig(u"api_v3_key"_s, u"The API v3 key must be exactly 32 characters."_s);
}

WechatPayChannel::~WechatPayChannel() = default;

PrepayResult WechatPayChannel::prepay(const PrepayRequest &request)
{
    const bool app = request.method == PayMethod::App;
    QJsonObject body{{u"appid"_s, m_config.appId},
                     {u"mchid"_s, m_config.merchantId},
                     {u"description"_s, request.subject},
                     {u"out_trade_no"_s, request.outTradeNo},
                     {u"notify_url"_s, m_config.notifyUrl},
                     {u"amount"_s, QJsonObject{{u"total"_s, request.amount}, {u"currency"_s, request.currency}}}};
    if (request.expiresAtMs > 0)
        body.insert(u"time_expire"_s, beijingTime(request.expiresAtMs));
    const Reply reply
        = send(u"prepay"_s, "POST", apiUrl(app ? "/v3/pay/transactions/app" : "/v3/pay/transactions/native"),
               compactJson(body), Expect::SignedJson);
    PrepayResult result;
    adopt(result, reply);
    if (reply.outcome != CallOutcome::Ok)
        return result;
    if (!app) {
        result.qrCode = reply.json.value(u"code_url"_s).toString();
        return result.qrCode.isEmpty() ? malformed(result, u"no code_url"_s) : result;
    }

    const QString prepayId = reply.json.value(u"prepay_id"_s).toString();
    if (prepayId.isEmpty())
        return malformed(result, u"no prepay_id"_s);
    // What the WeChat app SDK's PayReq needs; its sign is the merchant key's signature over
    // "appid\ntimestamp\nnoncestr\nprepayid\n" (APP 调起支付签名).
    const QString timestamp = QString::number(nowSeconds());
    const QString nonce = Random::alphanumeric(32);
    const QByteArray message = (m_config.appId + u'\n' + timestamp + u'\n' + nonce + u'\n' + prepayId + u'\n').toUtf8();
    const CryptoResult<QByteArray> sign = RsaSignature::signBase64(m_client.merchantKey(), message);
    if (!sign) {
        result.outcome = CallOutcome::Unknown; // the prepay exists at WeChat, but cannot be offered
        result.error = {u"SIGNING_FAILED"_s, sign.error()};
        return result;
    }
    result.appParams = QJsonObject{{u"appid"_s, m_config.appId},
                                   {u"partnerid"_s, m_config.merchantId},
                                   {u"prepayid"_s, prepayId},
                                   {u"package"_s, u"Sign=WXPay"_s},
                                   {u"noncestr"_s, nonce},
                                   {u"timestamp"_s, timestamp},
                                   {u"sign"_s, QString::fromLatin1(sign.value())}};
    return result;
}

QueryResult WechatPayChannel::query(const QString &outTradeNo)
{
    const Reply reply = send(
        u"query"_s, "GET",
        apiUrl("/v3/pay/transactions/out-trade-no/" + encoded(outTradeNo) + "?mchid=" + encoded(m_config.merchantId)),
        {}, Expect::SignedJson);
    QueryResult result;
    adopt(result, reply);
    result.trade.outTradeNo = outTradeNo;
    if (reply.outcome == CallOutcome::Rejected
        && isOneOf(reply.error.code, {"ORDER_NOT_EXIST"_L1, "RESOURCE_NOT_EXISTS"_L1})) {
        result.outcome = CallOutcome::Ok;
        result.trade.state = TradeState::NotFound;
        result.trade.rawState = reply.error.code;
        result.error = {};
        return result;
    }
    if (reply.outcome != CallOutcome::Ok)
        return result;
    QString why;
    const std::optional<TradeInfo> trade = tradeFromTransaction(reply.json, &why);
    if (!trade)
        return malformed(result, why);
    if (trade->outTradeNo != outTradeNo)
        return malformed(result, u"the answer is about out_trade_no %1"_s.arg(trade->outTradeNo));
    result.trade = *trade;
    return result;
}

CloseResult WechatPayChannel::close(const QString &outTradeNo)
{
    const Reply reply
        = send(u"close"_s, "POST", apiUrl("/v3/pay/transactions/out-trade-no/" + encoded(outTradeNo) + "/close"),
               compactJson({{u"mchid"_s, m_config.merchantId}}), Expect::SignedJson);
    CloseResult result;
    adopt(result, reply);
    if (reply.outcome == CallOutcome::Ok && reply.status == 202) {
        // 202 USER_PAYING: the buyer is entering the password; whether it gets paid is open.
        result.outcome = CallOutcome::Unknown;
        result.error
            = {reply.json.value(u"code"_s).toString(u"USER_PAYING"_s), reply.json.value(u"message"_s).toString()};
        return result;
    }
    if (reply.outcome != CallOutcome::Rejected)
        return result;
    const QString &code = reply.error.code;
    // Closing is for unpaid trades: one that is gone or already closed is as good as closed.
    if (isOneOf(code, {"ORDER_NOT_EXIST"_L1, "RESOURCE_NOT_EXISTS"_L1, "ORDER_CLOSED"_L1, "ORDERCLOSED"_L1})) {
        result.outcome = CallOutcome::Ok;
        result.error = {};
        return result;
    }
    // v3 documents ORDERPAID; older texts and some gateways say ORDER_PAID or a TRADE_ERROR
    // whose message says the order is paid. Any of them: the payment must be processed.
    result.alreadyPaid = isOneOf(code, {"ORDERPAID"_L1, "ORDER_PAID"_L1})
        || (code == u"TRADE_ERROR"_s
            && (reply.error.message.contains(u"已支付"_s)
                || reply.error.message.contains(u"paid"_s, Qt::CaseInsensitive)));
    return result;
}

namespace {

// A Refund answer into result; false and *why when it is not one, or about another refund.
bool readRefund(const QJsonObject &refund, const QString &outRefundNo, RefundResult &result, QString *why)
{
    if (refund.value(u"out_refund_no"_s).toString() != outRefundNo) {
        *why = u"the answer is about out_refund_no %1"_s.arg(refund.value(u"out_refund_no"_s).toString());
        return false;
    }
    const std::optional<RefundState> state = refundStateOf(refund.value(u"status"_s).toString());
    if (!state) {
        *why = u"unknown refund status \"%1\""_s.arg(refund.value(u"status"_s).toString());
        return false;
    }
    const std::optional<qint64> amount = fen(refund.value(u"amount"_s).toObject().value(u"refund"_s));
    if (!amount) {
        *why = u"no valid amount.refund"_s;
        return false;
    }
    result.state = *state;
    result.refundAmount = *amount;
    result.channelRefundNo = refund.value(u"refund_id"_s).toString();
    result.succeededAtMs = parseRfc3339(refund.value(u"success_time"_s));
    return true;
}

} // namespace

RefundResult WechatPayChannel::refund(const RefundRequest &request)
{
    QJsonObject body{{u"out_trade_no"_s, request.outTradeNo},
                     {u"out_refund_no"_s, request.outRefundNo},
                     {u"amount"_s,
                      QJsonObject{{u"refund"_s, request.amount},
                                  {u"total"_s, request.totalAmount},
                                  {u"currency"_s, request.currency}}}};
    if (!request.reason.isEmpty())
        body.insert(u"reason"_s, request.reason);
    if (!m_config.notifyUrl.isEmpty())
        body.insert(u"notify_url"_s, m_config.notifyUrl);
    const Reply reply
        = send(u"refund"_s, "POST", apiUrl("/v3/refund/domestic/refunds"), compactJson(body), Expect::SignedJson);
    return refundAnswer(reply, request.outRefundNo);
}

RefundResult WechatPayChannel::retryAbnormalRefund(const RefundRequest &request, const QString &channelRefundNo,
                                                   const QString &type)
{
    // POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund: the refund goes again,
    // to the merchant's bank account (MERCHANT_BANK_CARD) or a card the buyer names.
    const QJsonObject body{{u"out_refund_no"_s, request.outRefundNo}, {u"type"_s, type}};
    const Reply reply
        = send(u"refund"_s, "POST",
               apiUrl("/v3/refund/domestic/refunds/" + encoded(channelRefundNo) + "/apply-abnormal-refund"),
               compactJson(body), Expect::SignedJson);
    return refundAnswer(reply, request.outRefundNo);
}

RefundResult WechatPayChannel::queryRefund(const RefundRequest &request)
{
    const Reply reply
        = send(u"refund_query"_s, "GET", apiUrl("/v3/refund/domestic/refunds/" + encoded(request.outRefundNo)), {},
               Expect::SignedJson);
    if (reply.outcome == CallOutcome::Rejected
        && isOneOf(reply.error.code, {"RESOURCE_NOT_EXISTS"_L1, "ORDER_NOT_EXIST"_L1})) {
        RefundResult result;
        adopt(result, reply);
        result.outcome = CallOutcome::Ok;
        result.state = RefundState::NotFound;
        result.error = {};
        return result;
    }
    return refundAnswer(reply, request.outRefundNo);
}

RefundResult WechatPayChannel::refundAnswer(const Reply &reply, const QString &outRefundNo) const
{
    RefundResult result;
    adopt(result, reply);
    if (reply.outcome != CallOutcome::Ok)
        return result;
    QString why;
    return readRefund(reply.json, outRefundNo, result, &why) ? result : malformed(result, why);
}

NotificationResult WechatPayChannel::parseNotification(const InboundNotification &notification)
{
    NotificationResult result;
    result.exchange.operation = u"notify"_s;
    result.exchange.direction = u"in"_s;
    result.exchange.url = m_config.notifyUrl;
    result.exchange.request = notification.body;
    result.exchange.verification = u"n/a"_s;
    const auto reject = [&result](const QString &why) {
        result.accepted = false;
        result.rejectReason = why;
        return result;
    };

    QString refusal;
    const std::optional<WechatPayNotification> opened
        = m_client.openNotification(notification, m_config.apiV3Key, &result.exchange.verification, &refusal);
    if (!opened)
        return reject(refusal);
    result.notifyId = opened->id;
    const QString &eventType = opened->eventType;
    const QJsonObject &content = opened->content;
    // The log keeps what arrived and what it said, minus the buyer's full openid.
    QJsonObject logged = content;
    if (logged.contains(u"payer"_s)) {
        QJsonObject payer = logged.value(u"payer"_s).toObject();
        payer.insert(u"openid"_s, maskIdentifier(payer.value(u"openid"_s).toString()));
        logged.insert(u"payer"_s, payer);
    }
    result.exchange.request = notification.body + '\n' + compactJson(logged);

    if (eventType == u"TRANSACTION.SUCCESS"_s) {
        QString why;
        const std::optional<TradeInfo> trade = tradeFromTransaction(content, &why);
        if (!trade)
            return reject(u"unreadable transaction: "_s + why);
        if (trade->state != TradeState::Paid)
            return reject(u"TRANSACTION.SUCCESS with trade_state %1"_s.arg(trade->rawState));
        // Signed by WeChat, but possibly for another of the platform key holder's merchants.
        if (trade->appId != m_config.appId || trade->merchantId != m_config.merchantId)
            return reject(u"addressed to appid %1 / mchid %2"_s.arg(trade->appId, trade->merchantId));
        result.kind = NotificationKind::Payment;
        result.trade = *trade;
    } else if (isOneOf(eventType, {"REFUND.SUCCESS"_L1, "REFUND.ABNORMAL"_L1, "REFUND.CLOSED"_L1})) {
        const QString mchid = content.value(u"mchid"_s).toString();
        if (mchid != m_config.merchantId)
            return reject(u"addressed to mchid %1"_s.arg(mchid));
        const std::optional<RefundState> state = refundStateOf(content.value(u"refund_status"_s).toString());
        const QJsonObject amount = content.value(u"amount"_s).toObject();
        const std::optional<qint64> refunded = fen(amount.value(u"refund"_s));
        result.outRefundNo = content.value(u"out_refund_no"_s).toString();
        if (!state || !refunded || result.outRefundNo.isEmpty())
            return reject(u"unreadable refund: needs out_refund_no, refund_status and amount.refund"_s);
        result.kind = NotificationKind::Refund;
        result.refundState = *state;
        result.refundAmount = *refunded;
        result.channelRefundNo = content.value(u"refund_id"_s).toString();
        result.trade.outTradeNo = content.value(u"out_trade_no"_s).toString();
        result.trade.channelTradeNo = content.value(u"transaction_id"_s).toString();
        result.trade.merchantId = mchid;
        result.trade.totalAmount = fen(amount.value(u"total"_s)).value_or(0);
        result.trade.paidAmount = fen(amount.value(u"payer_total"_s)).value_or(result.trade.totalAmount);
    }
    // Other events (verified and decrypted) are accepted as Other so that WeChat stops retrying.
    result.accepted = true;
    return result;
}

HttpResponse WechatPayChannel::acknowledge(bool accepted, const QString &message) const
{
    return WechatPayClient::acknowledgement(accepted, message);
}

BillResult WechatPayChannel::downloadBill(const QDate &day)
{
    BillResult result;
    result.format = kBillFormat;
    const Reply info = send(u"bill"_s, "GET",
                            apiUrl("/v3/bill/tradebill?bill_date=" + day.toString(u"yyyy-MM-dd"_s).toLatin1()
                                   + "&bill_type=ALL&tar_type=GZIP"),
                            {}, Expect::SignedJson);
    result.exchanges.append(info.exchange);
    result.outcome = info.outcome;
    result.error = info.error;
    if (info.outcome == CallOutcome::Rejected
        && isOneOf(info.error.code, {"NO_STATEMENT_EXIST"_L1, "NO_BILL_EXIST"_L1, "BILL_NOT_EXIST"_L1})) {
        result.outcome = CallOutcome::Ok;
        result.noBill = true;
        result.error = {};
        return result;
    }
    if (info.outcome != CallOutcome::Ok)
        return result;

    const QString hashType = info.json.value(u"hash_type"_s).toString();
    const QString hashValue = info.json.value(u"hash_value"_s).toString();
    const QUrl downloadUrl(info.json.value(u"download_url"_s).toString(), QUrl::StrictMode);
    if (hashType.compare(u"SHA1"_s, Qt::CaseInsensitive) != 0 || hashValue.isEmpty())
        return malformed(result, u"hash_type %1 is not SHA1"_s.arg(hashType));
    // Never downgrade to plain HTTP from an HTTPS gateway; the download is signed like a call.
    if (!downloadUrl.isValid() || downloadUrl.host().isEmpty() || downloadUrl.scheme() != m_config.gatewayUrl.scheme())
        return malformed(result, u"download_url is not a %1 URL"_s.arg(m_config.gatewayUrl.scheme()));

    Reply file = send(u"bill"_s, "GET", downloadUrl, {}, Expect::RawFile);
    // The token in the URL opens the file; the log keeps the file's size, not the file.
    file.exchange.url = downloadUrl.toString(QUrl::RemoveQuery) + u"?token=***"_s;
    if (file.outcome == CallOutcome::Ok)
        file.exchange.response = QByteArray::number(file.body.size()) + " bytes";
    result.outcome = file.outcome;
    result.error = file.error;
    if (file.outcome != CallOutcome::Ok) {
        result.exchanges.append(file.exchange);
        return result;
    }

    // tar_type=GZIP asks for gzip; an HTTP layer that already undid it leaves the CSV itself,
    // and the SHA-1 below holds either way.
    std::optional<QByteArray> csv = file.body;
    if (file.body.startsWith("\x1f\x8b"))
        csv = gunzip(file.body, kMaxBillCsvBytes);
    if (!csv) {
        file.exchange.verification = u"failed: not a readable gzip file"_s;
        result.exchanges.append(file.exchange);
        return malformed(result, u"the bill is not a readable gzip file"_s);
    }
    const QByteArray sha1 = QCryptographicHash::hash(*csv, QCryptographicHash::Sha1).toHex();
    if (QString::fromLatin1(sha1).compare(hashValue, Qt::CaseInsensitive) != 0) {
        const QString why = u"SHA-1 of the bill is %1, WeChat says %2"_s.arg(QString::fromLatin1(sha1), hashValue);
        file.exchange.verification = u"failed: "_s + why;
        result.exchanges.append(file.exchange);
        result.outcome = CallOutcome::Unknown;
        result.error = {u"BAD_HASH"_s, why};
        return result;
    }
    file.exchange.verification = u"ok"_s;
    result.exchanges.append(file.exchange);
    result.content = std::move(*csv);
    return result;
}

} // namespace paydesk
