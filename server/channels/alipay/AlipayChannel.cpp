#include "server/channels/alipay/AlipayChannel.h"

#include "common/crypto/Digest.h"
#include "common/crypto/RsaSignature.h"
#include "common/money/Money.h"
#include "common/protocol/AlipayResponseSign.h"
#include "common/protocol/AlipaySignContent.h"
#include "common/protocol/ApiError.h"
#include "server/net/HttpClient.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimeZone>

#include <functional>
#include <optional>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

const QString kAlipayKeyId = u"alipay"_s; ///< ChannelConfig::platformKeys entry of the Alipay public key
const QString kCodeSuccess = u"10000"_s;
const QString kTradeNotExist = u"ACQ.TRADE_NOT_EXIST"_s;
const QString kDateTimeFormat = u"yyyy-MM-dd HH:mm:ss"_s;
constexpr int kChinaUtcOffsetSeconds = 8 * 3600;
/// Daily trade bills of busy merchants run to tens of MB zipped; the default 8 MB cap is for API answers.
constexpr qsizetype kMaxBillBytes = 256 * 1024 * 1024;

ApiError invalidConfig(const QString &field, const QString &message)
{
    return ApiError(ErrorCode::ValidationFailed, message, QJsonObject{{u"field"_s, field}});
}

// Alipay speaks Beijing time (GMT+8, no daylight saving) in timestamps, time_expire and every
// *_date / gmt_* field, whatever the server's own time zone is.
QTimeZone chinaTime()
{
    return QTimeZone(kChinaUtcOffsetSeconds);
}

QString chinaTimestamp(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, chinaTime()).toString(kDateTimeFormat);
}

// "2019-08-15 15:56:24" in GMT+8 as ms since the epoch. Date and time are parsed separately so
// that the server's local zone (and its DST gaps) never takes part.
std::optional<qint64> parseChinaTime(const QString &text)
{
    if (text.size() != 19 || text.at(10) != u' ')
        return std::nullopt;
    const QDate date = QDate::fromString(text.left(10), u"yyyy-MM-dd"_s);
    const QTime time = QTime::fromString(text.mid(11), u"HH:mm:ss"_s);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, chinaTime()).toMSecsSinceEpoch();
}

QString yuan(qint64 fen)
{
    return Money::fromMinor(fen).toString();
}

// Buyer identifiers go to the channel log only as a prefix: enough to match a complaint, not
// enough to identify the buyer.
QString maskId(const QString &id)
{
    return id.isEmpty() ? id : id.left(3) + u"****"_s;
}

const QStringList kBuyerFields{u"buyer_id"_s, u"buyer_user_id"_s, u"buyer_open_id"_s, u"buyer_logon_id"_s};

FormFields maskedFields(FormFields fields)
{
    for (auto &[name, value] : fields)
        if (kBuyerFields.contains(name))
            value = maskId(value);
    return fields;
}

// The same masking inside a JSON answer kept for the log (the raw bytes, not re-serialised, so
// the log shows what came over the wire apart from the masked values).
QByteArray maskedJson(const QByteArray &body)
{
    static const QRegularExpression buyer(
        uR"re(("(?:buyer_id|buyer_user_id|buyer_open_id|buyer_logon_id)"\s*:\s*")((?:[^"\\]|\\.)*)")re"_s);
    const QString text = QString::fromUtf8(body);
    QString out;
    qsizetype last = 0;
    for (auto it = buyer.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        out += QStringView(text).mid(last, match.capturedStart(2) - last);
        out += maskId(match.captured(2));
        last = match.capturedEnd(2);
    }
    if (last == 0)
        return body;
    out += QStringView(text).mid(last);
    return out.toUtf8();
}

/// Reads yuan amounts ("12.34") into fen with Money's strict grammar and remembers the first
/// malformed one, so that a verified answer with a broken amount becomes BAD_RESPONSE, never 0.
class AmountReader final
{
public:
    explicit AmountReader(std::function<QString(const QString &)> value) : m_value(std::move(value)) { }

    /// nullopt when the field is absent or empty (or malformed, which error() then reports).
    std::optional<qint64> optional(const QString &name)
    {
        const QString text = m_value(name);
        if (text.isEmpty())
            return std::nullopt;
        Money::ParseError why = Money::ParseError::None;
        const std::optional<Money> money = Money::parse(text, Currency::CNY, Money::Sign::NonNegative, &why);
        if (!money) {
            fail(u"%1 \"%2\" %3"_s.arg(name, text, Money::describe(why)));
            return std::nullopt;
        }
        return money->minorUnits();
    }

    qint64 required(const QString &name)
    {
        const std::optional<qint64> amount = optional(name);
        if (!amount && m_value(name).isEmpty())
            fail(name + u" missing"_s);
        return amount.value_or(0);
    }

    const QString &error() const { return m_error; }

private:
    void fail(const QString &why)
    {
        if (m_error.isEmpty())
            m_error = why;
    }

    std::function<QString(const QString &)> m_value;
    QString m_error;
};

/// trade_status → TradeState. TRADE_CLOSED means either "closed unpaid" or "paid, then refunded in
/// full"; wasPaid (a payment time in the message) tells them apart.
std::optional<TradeState> tradeStateOf(const QString &status, bool wasPaid)
{
    if (status == u"WAIT_BUYER_PAY"_s)
        return TradeState::Waiting;
    if (status == u"TRADE_SUCCESS"_s)
        return TradeState::Paid;
    if (status == u"TRADE_FINISHED"_s)
        return TradeState::Finished;
    if (status == u"TRADE_CLOSED"_s)
        return wasPaid ? TradeState::Refunded : TradeState::Closed;
    return std::nullopt;
}

/// Where a trade's fields live: query answers and notifications name two of them differently.
struct TradeFieldNames
{
    QString paidAt; ///< send_pay_date (query) / gmt_payment (notification)
    QString buyerId; ///< buyer_user_id (query) / buyer_id (notification)
};

/// Fills trade from a verified message; returns why it cannot be used, or an empty string.
QString readTrade(const std::function<QString(const QString &)> &value, const TradeFieldNames &names, TradeInfo &trade)
{
    const QString status = value(u"trade_status"_s);
    const QString paidAtText = value(names.paidAt);
    const std::optional<TradeState> state = tradeStateOf(status, !paidAtText.isEmpty());
    if (!state)
        return u"unknown trade_status \"%1\""_s.arg(status);
    trade.state = *state;
    trade.rawState = status;
    if (const QString outTradeNo = value(u"out_trade_no"_s); !outTradeNo.isEmpty())
        trade.outTradeNo = outTradeNo;
    trade.channelTradeNo = value(u"trade_no"_s);

    AmountReader amounts(value);
    trade.totalAmount = amounts.required(u"total_amount"_s);
    const std::optional<qint64> buyerPaid = amounts.optional(u"buyer_pay_amount"_s);
    const std::optional<qint64> received = amounts.optional(u"receipt_amount"_s);
    // Only a trade that was paid falls back to its order amount; an unpaid one has paid nothing.
    const bool paid = *state == TradeState::Paid || *state == TradeState::Finished || *state == TradeState::Refunded;
    trade.paidAmount = buyerPaid ? *buyerPaid : received ? *received : paid ? trade.totalAmount : 0;
    if (!amounts.error().isEmpty())
        return amounts.error();

    if (!paidAtText.isEmpty()) {
        const std::optional<qint64> paidAt = parseChinaTime(paidAtText);
        if (!paidAt)
            return u"%1 \"%2\" is not yyyy-MM-dd HH:mm:ss"_s.arg(names.paidAt, paidAtText);
        trade.paidAtMs = *paidAt;
    }
    // Apps in OpenID mode get buyer_open_id instead of the 2088… user id.
    for (const QString &name : {u"buyer_logon_id"_s, names.buyerId, u"buyer_open_id"_s}) {
        if (const QString id = value(name); !id.isEmpty()) {
            trade.payer = maskId(id);
            break;
        }
    }
    return {};
}

std::function<QString(const QString &)> jsonLookup(const QJsonObject &object)
{
    return [object](const QString &name) { return object.value(name).toString(); };
}

/// Fills the exchange from the HTTP outcome; false (with error set) when there is no HTTP 200
/// answer to interpret.
bool takeHttpAnswer(const OutboundResponse &response, ChannelExchange &exchange, ChannelError &error)
{
    exchange.httpStatus = response.status;
    exchange.elapsedMs = response.elapsedMs;
    switch (response.outcome) {
    case OutboundResponse::Outcome::Ok: break;
    case OutboundResponse::Outcome::NotSent:
        // The request certainly did not arrive (refused, DNS, TLS), so it had no effect and a retry
        // is always safe. Callers treat every transport failure alike for now; this is the place to
        // report it separately once one of them can use the difference.
        error = {u"TRANSPORT"_s, u"not sent: "_s + response.error};
        return false;
    case OutboundResponse::Outcome::Timeout: error = {u"TIMEOUT"_s, response.error}; return false;
    case OutboundResponse::Outcome::Failed:
    case OutboundResponse::Outcome::TooLarge: error = {u"TRANSPORT"_s, response.error}; return false;
    }
    if (response.status != 200) {
        // The gateway answers business failures with 200 and a code; anything else (502 from a
        // proxy, 5xx) says nothing about whether the request took effect.
        error = {u"HTTP_%1"_s.arg(response.status), u"unexpected HTTP status %1"_s.arg(response.status)};
        return false;
    }
    return true;
}

// Gateway-level refusals: the request was turned away before any business processing (missing or
// invalid parameter, bad request signature, no permission), so it certainly had no effect.
bool isGatewayRefusal(const QString &code)
{
    return code == u"20001"_s || code == u"40001"_s || code == u"40002"_s || code == u"40006"_s;
}

// A definite business failure (Rejected) versus one whose effect Alipay itself does not know.
bool isSystemError(const QString &subCode)
{
    return subCode.endsWith(u"SYSTEM_ERROR"_s, Qt::CaseInsensitive)
        || subCode.contains(u"unknow"_s, Qt::CaseInsensitive);
}

bool isZip(const QByteArray &content)
{
    return content.startsWith(QByteArrayLiteral("PK\x03\x04"));
}

} // namespace

/// The outcome of one call to gateway.do.
///
/// Signature rules: a signed answer must verify, or it is Unknown (never trusted, whatever it
/// says). Alipay leaves some gateway-level error answers unsigned (e.g. an unknown app_id, where it
/// cannot know which key to use): an unsigned answer is Rejected only when its code is a
/// gateway-level refusal (20001/40001/40002/40006), which means nothing happened and a retry can
/// do no harm; any other unsigned answer — 10000 above all, but also 40004, whose sub_codes steer
/// decisions such as "trade does not exist" or "already paid" — is Unknown.
struct AlipayChannel::GatewayAnswer
{
    CallOutcome outcome = CallOutcome::Unknown;
    QJsonObject response; ///< the verified `<method>_response` (or error_response) object
    QString code;
    QString subCode;
    ChannelError error;
    ChannelExchange exchange;

    /// A Rejected answer with this sub_code.
    bool rejectedWith(QStringView expected) const { return outcome == CallOutcome::Rejected && subCode == expected; }
};

AlipayChannel::AlipayChannel(ChannelConfig config, HttpClient &http, Clock clock)
    : m_config(std::move(config)), m_http(http), m_clock(clock ? std::move(clock) : systemClock())
{
    if (m_config.appId.trimmed().isEmpty())
        throw invalidConfig(u"app_id"_s, u"The Alipay app_id is empty."_s);
    CryptoResult<PrivateKey> appKey = PrivateKey::fromPem(m_config.privateKeyPem);
    if (!appKey)
        throw invalidConfig(u"private_key"_s, u"The app private key cannot be read: %1"_s.arg(appKey.error()));
    m_appKey = std::move(appKey).value();
    const QByteArray alipayKeyText = m_config.platformKeys.value(kAlipayKeyId);
    if (alipayKeyText.trimmed().isEmpty())
        throw invalidConfig(u"platform_keys"_s, u"The Alipay public key (platform key \"alipay\") is missing."_s);
    CryptoResult<PublicKey> alipayKey = PublicKey::fromPem(alipayKeyText);
    if (!alipayKey)
        throw invalidConfig(u"platform_keys"_s, u"The Alipay public key cannot be read: %1"_s.arg(alipayKey.error()));
    m_alipayKey = std::move(alipayKey).value();
    const QUrl &gateway = m_config.gatewayUrl;
    if (!gateway.isValid() || (gateway.scheme() != u"https"_s && gateway.scheme() != u"http"_s)
        || gateway.host().isEmpty())
        throw invalidConfig(u"gateway_url"_s, u"The Alipay gateway must be an http(s) URL."_s);
    // A configured "…/gateway.do?charset=utf-8" is fine: the query is rebuilt from the signed
    // system parameters on every call, which include charset.
    m_gateway = gateway.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (m_config.timeoutMs <= 0)
        throw invalidConfig(u"timeout_ms"_s, u"The channel timeout must be positive."_s);
}

AlipayChannel::~AlipayChannel() = default;

FormFields AlipayChannel::systemParams(const QString &method, bool withNotifyUrl) const
{
    FormFields params{{u"app_id"_s, m_config.appId}, {u"method"_s, method},
                      {u"format"_s, u"JSON"_s},      {u"charset"_s, u"utf-8"_s},
                      {u"sign_type"_s, u"RSA2"_s},   {u"timestamp"_s, chinaTimestamp(m_clock())},
                      {u"version"_s, u"1.0"_s}};
    if (withNotifyUrl && !m_config.notifyUrl.isEmpty())
        params.append({u"notify_url"_s, m_config.notifyUrl});
    // Certificate mode: Alipay picks the keys by these serials (empty in public-key mode).
    if (!m_config.appCertSn.isEmpty())
        params.append({u"app_cert_sn"_s, m_config.appCertSn});
    if (!m_config.alipayRootCertSn.isEmpty())
        params.append({u"alipay_root_cert_sn"_s, m_config.alipayRootCertSn});
    return params;
}

std::optional<FormFields> AlipayChannel::signedParams(FormFields params) const
{
    const CryptoResult<QByteArray> content = AlipaySignContent::forRequest(params);
    if (!content)
        return std::nullopt;
    const CryptoResult<QByteArray> sign = RsaSignature::signBase64(m_appKey, *content);
    if (!sign)
        return std::nullopt;
    params.append({u"sign"_s, QString::fromLatin1(*sign)});
    return params;
}

AlipayChannel::GatewayAnswer AlipayChannel::call(const QString &operation, const QString &method,
                                                 const QJsonObject &biz, bool withNotifyUrl) const
{
    GatewayAnswer answer;
    ChannelExchange &exchange = answer.exchange;
    exchange.operation = operation;
    exchange.direction = u"out"_s;
    exchange.verification = u"n/a"_s;
    QUrl logged = m_gateway;
    logged.setQuery(u"method="_s + method);
    exchange.url = logged.toString();

    // System parameters travel in the query, biz_content in the body (as every Alipay SDK does);
    // the signature covers both.
    const QString bizContent = QString::fromUtf8(QJsonDocument(biz).toJson(QJsonDocument::Compact));
    FormFields query = systemParams(method, withNotifyUrl);
    FormFields all = query;
    all.append({u"biz_content"_s, bizContent});
    const std::optional<FormFields> signedAll = signedParams(all);
    if (!signedAll) {
        // Not sent, so certainly without effect; Unknown like every other unsent request.
        answer.error = {u"SIGN_FAILED"_s, u"the request could not be signed"_s};
        return answer;
    }
    query.append(signedAll->last());
    exchange.request = FormUrlEncoded::encode(*signedAll);

    OutboundRequest request;
    request.method = "POST";
    request.url = QUrl::fromEncoded(m_gateway.toEncoded() + '?' + FormUrlEncoded::encode(query), QUrl::StrictMode);
    request.headers
        = {{"content-type", "application/x-www-form-urlencoded;charset=utf-8"}, {"accept", "application/json"}};
    request.body = FormUrlEncoded::encode({{u"biz_content"_s, bizContent}});
    request.timeoutMs = m_config.timeoutMs;
    request.extraCa = m_config.gatewayCa;
    const OutboundResponse response = m_http.sendAndWait(std::move(request));
    exchange.response = maskedJson(response.body);
    if (!takeHttpAnswer(response, exchange, answer.error))
        return answer;

    const CryptoResult<AlipaySignedResponse> extracted
        = AlipayResponseSign::extract(response.body, AlipayResponseSign::responseKeyFor(method));
    if (!extracted) {
        exchange.verification = u"failed: "_s + extracted.error();
        answer.error = {u"BAD_RESPONSE"_s, extracted.error()};
        return answer;
    }
    // Parse the bytes that are (about to be) verified, never the whole body.
    const QJsonDocument document = QJsonDocument::fromJson(extracted->signedContent);
    if (!document.isObject()) {
        exchange.verification = u"failed: the response is not a JSON object"_s;
        answer.error = {u"BAD_RESPONSE"_s, u"the response is not a JSON object"_s};
        return answer;
    }
    const QJsonObject object = document.object();
    answer.code = object.value(u"code"_s).toString();
    answer.subCode = object.value(u"sub_code"_s).toString();
    const QString subMessage = object.value(u"sub_msg"_s).toString();
    const ChannelError channelError{answer.subCode.isEmpty() ? answer.code : answer.subCode,
                                    subMessage.isEmpty() ? object.value(u"msg"_s).toString() : subMessage};

    if (extracted->sign.isEmpty()) {
        exchange.verification = u"failed: unsigned"_s;
        if (answer.code != kCodeSuccess && isGatewayRefusal(answer.code)) {
            answer.outcome = CallOutcome::Rejected;
            answer.error = channelError;
        } else {
            answer.error = {u"UNSIGNED"_s, u"unsigned answer with code %1"_s.arg(answer.code)};
        }
        return answer;
    }
    if (!RsaSignature::verifyBase64(m_alipayKey, extracted->signedContent, extracted->sign)) {
        exchange.verification = u"failed: the signature does not verify with the Alipay public key"_s;
        answer.error = {u"BAD_SIGNATURE"_s, u"the answer's signature does not verify"_s};
        return answer;
    }
    exchange.verification = u"ok"_s;
    answer.response = object;

    if (answer.code == kCodeSuccess) {
        answer.outcome = CallOutcome::Ok;
    } else if ((answer.code == u"40004"_s || isGatewayRefusal(answer.code)) && !isSystemError(answer.subCode)) {
        answer.outcome = CallOutcome::Rejected;
        answer.error = channelError;
    } else {
        // 20000 (service unavailable), ACQ.SYSTEM_ERROR and codes we do not know: Alipay's own
        // advice is to retry or query, so the effect is unknown.
        answer.error = channelError;
    }
    return answer;
}

PrepayResult AlipayChannel::prepay(const PrepayRequest &request)
{
    if (request.currency != u"CNY"_s || request.amount <= 0) {
        // Refused before anything is sent: Alipay's domestic APIs take positive CNY amounts only.
        PrepayResult result;
        result.outcome = CallOutcome::Rejected;
        result.error = {u"INVALID_REQUEST"_s, u"Alipay takes positive CNY amounts only"_s};
        result.exchange = {u"prepay"_s, u"out"_s, {}, 0, {}, {}, u"n/a"_s, 0};
        return result;
    }
    if (request.method == PayMethod::App)
        return appPayOrder(request);

    QJsonObject biz{{u"out_trade_no"_s, request.outTradeNo},
                    {u"total_amount"_s, yuan(request.amount)},
                    {u"subject"_s, request.subject}};
    if (request.expiresAtMs > 0)
        biz.insert(u"time_expire"_s, chinaTimestamp(request.expiresAtMs));
    const GatewayAnswer answer = call(u"prepay"_s, u"alipay.trade.precreate"_s, biz, true);
    PrepayResult result{answer.outcome, {}, {}, answer.error, answer.exchange};
    if (answer.outcome != CallOutcome::Ok)
        return result;
    const QString qrCode = answer.response.value(u"qr_code"_s).toString();
    const QString echoed = answer.response.value(u"out_trade_no"_s).toString();
    if (qrCode.isEmpty() || (!echoed.isEmpty() && echoed != request.outTradeNo)) {
        result.outcome = CallOutcome::Unknown;
        result.error = {u"BAD_RESPONSE"_s, u"no qr_code for this out_trade_no in the answer"_s};
        return result;
    }
    result.qrCode = qrCode;
    return result;
}

// App payments start in the Alipay app: the order string is signed here and handed to the app,
// which sends it to Alipay itself, so there is no network call and nothing to verify.
PrepayResult AlipayChannel::appPayOrder(const PrepayRequest &request) const
{
    PrepayResult result;
    result.exchange = {u"prepay"_s, u"out"_s, {}, 0, {}, {}, u"n/a"_s, 0};
    QJsonObject biz{{u"out_trade_no"_s, request.outTradeNo},
                    {u"total_amount"_s, yuan(request.amount)},
                    {u"subject"_s, request.subject},
                    {u"product_code"_s, u"QUICK_MSECURITY_PAY"_s}};
    if (request.expiresAtMs > 0)
        biz.insert(u"time_expire"_s, chinaTimestamp(request.expiresAtMs));
    FormFields params = systemParams(u"alipay.trade.app.pay"_s, true);
    params.append({u"biz_content"_s, QString::fromUtf8(QJsonDocument(biz).toJson(QJsonDocument::Compact))});
    const std::optional<FormFields> signedOrder = signedParams(params); // sign is appended last
    if (!signedOrder) {
        result.error = {u"SIGN_FAILED"_s, u"the order string could not be signed"_s};
        return result;
    }
    const QByteArray orderString = FormUrlEncoded::encode(*signedOrder);
    result.outcome = CallOutcome::Ok;
    result.appParams = QJsonObject{{u"order_string"_s, QString::fromLatin1(orderString)}};
    result.exchange.url = u"alipay.trade.app.pay"_s;
    result.exchange.request = orderString;
    return result;
}

QueryResult AlipayChannel::query(const QString &outTradeNo)
{
    const GatewayAnswer answer
        = call(u"query"_s, u"alipay.trade.query"_s, QJsonObject{{u"out_trade_no"_s, outTradeNo}});
    QueryResult result{answer.outcome, {}, answer.error, answer.exchange};
    result.trade.outTradeNo = outTradeNo;
    if (answer.rejectedWith(kTradeNotExist)) {
        // A QR code nobody scanned leaves no trade at Alipay: a definite answer, not a failure.
        result.outcome = CallOutcome::Ok;
        result.error = {};
        result.trade.state = TradeState::NotFound;
        result.trade.rawState = kTradeNotExist;
        return result;
    }
    if (answer.outcome != CallOutcome::Ok)
        return result;
    const QString echoed = answer.response.value(u"out_trade_no"_s).toString();
    QString problem = echoed.isEmpty() || echoed == outTradeNo
        ? readTrade(jsonLookup(answer.response), {u"send_pay_date"_s, u"buyer_user_id"_s}, result.trade)
        : u"the answer is about out_trade_no %1"_s.arg(echoed);
    if (!problem.isEmpty()) {
        result.outcome = CallOutcome::Unknown;
        result.error = {u"BAD_RESPONSE"_s, problem};
    }
    return result;
}

CloseResult AlipayChannel::close(const QString &outTradeNo)
{
    const GatewayAnswer answer
        = call(u"close"_s, u"alipay.trade.close"_s, QJsonObject{{u"out_trade_no"_s, outTradeNo}});
    CloseResult result{answer.outcome, false, answer.error, answer.exchange};
    if (answer.rejectedWith(kTradeNotExist)) {
        // Never scanned, so never created at Alipay: nothing can be paid, which is what closing wants.
        result.outcome = CallOutcome::Ok;
        result.error = {};
    } else if (answer.rejectedWith(u"ACQ.TRADE_STATUS_ERROR") || answer.rejectedWith(u"ACQ.TRADE_HAS_SUCCESS")
               || answer.rejectedWith(u"ACQ.TRADE_HAS_FINISHED")) {
        // Only WAIT_BUYER_PAY trades can be closed. TRADE_STATUS_ERROR is also the answer for a
        // trade closed already; the caller's query tells the two apart.
        result.alreadyPaid = true;
    }
    return result;
}

RefundResult AlipayChannel::refund(const RefundRequest &request)
{
    QJsonObject biz{{u"out_trade_no"_s, request.outTradeNo},
                    {u"refund_amount"_s, yuan(request.amount)},
                    {u"out_request_no"_s, request.outRefundNo}};
    if (!request.reason.isEmpty())
        biz.insert(u"refund_reason"_s, request.reason);
    const GatewayAnswer answer = call(u"refund"_s, u"alipay.trade.refund"_s, biz);
    RefundResult result;
    result.outcome = answer.outcome;
    result.error = answer.error;
    result.exchange = answer.exchange;
    if (answer.outcome == CallOutcome::Rejected)
        result.state = RefundState::Failed;
    if (answer.outcome != CallOutcome::Ok)
        return result; // Unknown stays Processing: query the refund before deciding anything

    if (answer.response.value(u"fund_change"_s).toString() == u"Y"_s) {
        result.state = RefundState::Succeeded;
        result.refundAmount = request.amount; // the answer's refund_fee is the trade's cumulative total
        result.succeededAtMs
            = parseChinaTime(answer.response.value(u"gmt_refund_pay"_s).toString()).value_or(m_clock());
        return result;
    }
    // fund_change N: either a repeat of this out_request_no that succeeded earlier, or money that
    // has not moved yet. Only the refund query can tell. (Its exchange is not kept: RefundResult
    // holds one; the query is repeatable and the refund call is the one that matters for the log.)
    const RefundResult settled = queryRefund(request);
    if (settled.outcome == CallOutcome::Ok && settled.state == RefundState::Succeeded) {
        result.state = RefundState::Succeeded;
        result.refundAmount = settled.refundAmount;
        result.succeededAtMs = settled.succeededAtMs;
    } else {
        result.state = RefundState::Processing; // accepted (10000), not yet confirmed
    }
    return result;
}

RefundResult AlipayChannel::queryRefund(const RefundRequest &request)
{
    const QJsonObject biz{{u"out_trade_no"_s, request.outTradeNo},
                          {u"out_request_no"_s, request.outRefundNo},
                          {u"query_options"_s, QJsonArray{u"gmt_refund_pay"_s}}};
    const GatewayAnswer answer = call(u"refund_query"_s, u"alipay.trade.fastpay.refund.query"_s, biz);
    RefundResult result;
    result.outcome = answer.outcome;
    result.error = answer.error;
    result.exchange = answer.exchange;
    if (answer.rejectedWith(kTradeNotExist)) {
        result.outcome = CallOutcome::Ok;
        result.error = {};
        result.state = RefundState::NotFound;
        return result;
    }
    if (answer.outcome != CallOutcome::Ok)
        return result;

    const QString status = answer.response.value(u"refund_status"_s).toString();
    const QString amountText = answer.response.value(u"refund_amount"_s).toString();
    const QString echoed = answer.response.value(u"out_request_no"_s).toString();
    if (!echoed.isEmpty() && echoed != request.outRefundNo) {
        result.outcome = CallOutcome::Unknown;
        result.error = {u"BAD_RESPONSE"_s, u"the answer is about out_request_no %1"_s.arg(echoed)};
        return result;
    }
    // Alipay answers 10000 with no refund fields for a refund it has not received. Newer answers
    // say REFUND_SUCCESS; older ones only carry refund_amount once the refund has succeeded.
    if (status.isEmpty() && amountText.isEmpty()) {
        result.state = RefundState::NotFound;
        return result;
    }
    if (status != u"REFUND_SUCCESS"_s && !status.isEmpty()) {
        result.state = RefundState::Processing;
        return result;
    }
    AmountReader amounts(jsonLookup(answer.response));
    result.refundAmount = amounts.required(u"refund_amount"_s);
    if (!amounts.error().isEmpty()) {
        result.outcome = CallOutcome::Unknown;
        result.error = {u"BAD_RESPONSE"_s, amounts.error()};
        result.refundAmount = 0;
        return result;
    }
    result.state = RefundState::Succeeded;
    result.succeededAtMs = parseChinaTime(answer.response.value(u"gmt_refund_pay"_s).toString()).value_or(0);
    return result;
}

NotificationResult AlipayChannel::parseNotification(const InboundNotification &notification)
{
    NotificationResult result;
    result.exchange.operation = u"notify"_s;
    result.exchange.direction = u"in"_s;
    result.exchange.url = m_config.notifyUrl;
    result.exchange.verification = u"n/a"_s;
    const auto reject = [&result](const QString &why) {
        result.accepted = false;
        result.rejectReason = why;
        return result;
    };

    QByteArray contentType;
    for (const auto &[name, value] : notification.headers)
        if (name == "content-type")
            contentType = value.trimmed().toLower();
    if (!contentType.startsWith("application/x-www-form-urlencoded"))
        return reject(u"not a form-urlencoded body (Content-Type %1)"_s.arg(QString::fromLatin1(contentType)));
    // Decoded exactly once: the signature covers the values as they are after one form decode.
    const CryptoResult<FormFields> parsed = FormUrlEncoded::parse(notification.body);
    if (!parsed) {
        result.exchange.request
            = QByteArray("(malformed form body, ") + QByteArray::number(notification.body.size()) + " bytes)";
        return reject(u"malformed form body: "_s + parsed.error());
    }
    const FormFields &fields = *parsed;
    result.exchange.request = FormUrlEncoded::encode(maskedFields(fields));

    // rsaCheckV1 (trade notifications): sign and sign_type are left out of the content. The content
    // builder refuses repeated names, so after it every name below has exactly one value.
    const CryptoResult<QString> sign = AlipaySignContent::uniqueValue(fields, u"sign");
    if (!sign) {
        result.exchange.verification = u"failed: "_s + sign.error();
        return reject(u"signature missing"_s);
    }
    const CryptoResult<QByteArray> content = AlipaySignContent::forNotifyV1(fields);
    if (!content) {
        result.exchange.verification = u"failed: "_s + content.error();
        return reject(content.error());
    }
    QHash<QString, QString> values;
    for (const auto &[name, value] : fields)
        values.insert(name, value);
    const auto value = [&values](const QString &name) { return values.value(name); };
    if (const QString signType = value(u"sign_type"_s); !signType.isEmpty() && signType != u"RSA2"_s) {
        result.exchange.verification = u"failed: sign_type "_s + signType;
        return reject(u"sign_type %1 is not accepted (RSA2 only)"_s.arg(signType));
    }
    if (!RsaSignature::verifyBase64(m_alipayKey, *content, sign->toLatin1())) {
        result.exchange.verification = u"failed: the signature does not verify with the Alipay public key"_s;
        return reject(u"bad signature"_s);
    }
    result.exchange.verification = u"ok"_s;

    // Signed by Alipay, but possibly for another app or merchant that shares the key pair or
    // was pointed at this URL by mistake: it must be addressed to this account.
    if (const QString charset = value(u"charset"_s);
        !charset.isEmpty() && charset.compare(u"utf-8"_s, Qt::CaseInsensitive) != 0)
        return reject(u"charset %1 is not supported (utf-8 only)"_s.arg(charset));
    if (value(u"app_id"_s) != m_config.appId)
        return reject(u"app_id %1 is not this account's"_s.arg(value(u"app_id"_s)));
    const QString sellerId = value(u"seller_id"_s);
    if (!m_config.merchantId.isEmpty() && !sellerId.isEmpty() && sellerId != m_config.merchantId)
        return reject(u"seller_id %1 is not this account's"_s.arg(sellerId));
    if (value(u"notify_type"_s) != u"trade_status_sync"_s)
        return reject(u"unknown notify_type \"%1\""_s.arg(value(u"notify_type"_s)));
    result.notifyId = value(u"notify_id"_s);
    if (result.notifyId.isEmpty())
        return reject(u"notify_id missing"_s);
    if (value(u"out_trade_no"_s).isEmpty())
        return reject(u"out_trade_no missing"_s);

    if (const QString problem = readTrade(value, {u"gmt_payment"_s, u"buyer_id"_s}, result.trade); !problem.isEmpty())
        return reject(problem);
    result.trade.appId = value(u"app_id"_s);
    result.trade.merchantId = sellerId;

    // A refund of the trade is announced as a trade_status_sync of the same trade (TRADE_SUCCESS
    // after a partial refund, TRADE_CLOSED after a full one) carrying the refund fields. A
    // refund_fee of 0.00 alone, as some payment messages carry, does not make it one.
    AmountReader amounts(value);
    const qint64 refunded = amounts.optional(u"refund_fee"_s).value_or(0);
    if (!amounts.error().isEmpty())
        return reject(amounts.error());
    if (refunded > 0 || !value(u"out_biz_no"_s).isEmpty() || !value(u"gmt_refund"_s).isEmpty()) {
        result.kind = NotificationKind::Refund;
        result.outRefundNo = value(u"out_biz_no"_s);
        result.refundState = RefundState::Succeeded; // Alipay announces refunds once the money has moved
        // refund_fee is the trade's cumulative refunded total, not this refund's amount, and one
        // message cannot give the delta; the refund's amount is the one Paydesk recorded under
        // out_biz_no (queryRefund confirms it). 0 means "not stated".
        result.refundAmount = 0;
    } else {
        result.kind = NotificationKind::Payment;
    }
    result.accepted = true;
    return result;
}

HttpResponse AlipayChannel::acknowledge(bool accepted, const QString &message) const
{
    // Alipay reads only the body: exactly "success" stops the retries; anything else makes it send
    // the notification again. The reason stays in our own log.
    Q_UNUSED(message);
    return HttpResponse::text(200, accepted ? QByteArrayLiteral("success") : QByteArrayLiteral("fail"),
                              QByteArrayLiteral("text/plain; charset=utf-8"));
}

BillResult AlipayChannel::downloadBill(const QDate &day)
{
    BillResult result;
    result.format = u"alipay-trade-zip"_s;
    const QJsonObject biz{{u"bill_type"_s, u"trade"_s}, {u"bill_date"_s, day.toString(u"yyyy-MM-dd"_s)}};
    const GatewayAnswer answer = call(u"bill"_s, u"alipay.data.dataservice.bill.downloadurl.query"_s, biz);
    result.exchanges.append(answer.exchange);
    result.outcome = answer.outcome;
    result.error = answer.error;
    if (answer.outcome == CallOutcome::Rejected && answer.subCode.contains(u"bill_not_exist"_s, Qt::CaseInsensitive)) {
        // isp.bill_not_exist: no trades that day (or not generated yet, before ~10:00 on D+1).
        result.outcome = CallOutcome::Ok;
        result.error = {};
        result.noBill = true;
        return result;
    }
    if (answer.outcome != CallOutcome::Ok)
        return result;

    const QUrl url(answer.response.value(u"bill_download_url"_s).toString(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"https"_s && url.scheme() != u"http"_s) || url.host().isEmpty()) {
        result.outcome = CallOutcome::Unknown;
        result.error = {u"BAD_RESPONSE"_s, u"no usable bill_download_url in the answer"_s};
        return result;
    }
    OutboundRequest request;
    request.url = url;
    request.timeoutMs = m_config.timeoutMs;
    request.extraCa = m_config.gatewayCa;
    request.maxResponseBytes = kMaxBillBytes;
    const OutboundResponse response = m_http.sendAndWait(std::move(request));

    // The URL's query is a download credential: the log keeps scheme, host and path only.
    ChannelExchange download{
        u"bill"_s, u"out"_s, url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment).toString(), 0, {}, {}, u"n/a"_s, 0};
    download.request = "GET";
    const bool answered = takeHttpAnswer(response, download, result.error);
    // The file is unsigned (the signed answer vouched for the URL); only its size and hash are logged.
    if (answered)
        download.response
            = QByteArray::number(response.body.size()) + " bytes, sha256 " + Digest::sha256Hex(response.body);
    result.exchanges.append(download);
    if (!answered) {
        result.outcome = CallOutcome::Unknown;
        return result;
    }
    if (!isZip(response.body)) {
        result.outcome = CallOutcome::Unknown;
        result.error = {u"BAD_BILL"_s, u"the bill download is not a zip file"_s};
        return result;
    }
    result.content = response.body;
    return result;
}

} // namespace paydesk
