#include "server/sandbox/WechatSim.h"
#include "common/util/Patterns.h"

#include "common/crypto/AesGcm.h"
#include "common/crypto/Digest.h"
#include "common/crypto/Random.h"
#include "common/crypto/RsaSignature.h"
#include "common/money/Money.h"
#include "common/protocol/WechatPaySign.h"
#include "server/sandbox/Bills.h"
#include "server/sandbox/Faults.h"
#include "server/sandbox/HeldResponses.h"
#include "server/sandbox/Notifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTimer>
#include <QUuid>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcWechatSim, "paydesk.sandbox.wechat")

namespace paydesk::sandbox {

namespace {

constexpr qint64 kMaxClockSkewSeconds = 300;
constexpr qint64 kBillUrlLifetimeMs = 30'000;
constexpr qint64 kMaxAmountFen = 100'000'000 * qint64(100);
const QByteArray kJsonType = QByteArrayLiteral("application/json; charset=utf-8");

HttpResponse wxError(int status, const QString &code, const QString &message, const QJsonObject &detail = {})
{
    QJsonObject body{{u"code"_s, code}, {u"message"_s, message}};
    if (!detail.isEmpty())
        body.insert(u"detail"_s, detail);
    return jsonResponse(status, body, kJsonType);
}

HttpResponse paramError(const QString &message)
{
    return wxError(400, u"PARAM_ERROR"_s, message);
}

// Fen as a JSON integer, positive and within WeChat's limits; nullopt otherwise.
std::optional<qint64> fenField(const QJsonObject &object, const QString &name)
{
    const std::optional<Money> money = Money::fromJsonMinorUnits(object.value(name));
    if (!money || !money->isPositive() || money->minorUnits() > kMaxAmountFen)
        return std::nullopt;
    return money->minorUnits();
}

bool currencyOk(const QJsonObject &amount)
{
    return !amount.contains(u"currency"_s) || amount.value(u"currency"_s).toString() == u"CNY"_s;
}

std::optional<QJsonObject> jsonBody(const HttpRequest &request)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

QString stateDescription(const QString &state)
{
    if (state == u"SUCCESS"_s)
        return u"支付成功"_s;
    if (state == u"REFUND"_s)
        return u"转入退款"_s;
    if (state == u"CLOSED"_s)
        return u"订单已关闭"_s;
    return u"订单未支付"_s;
}

qint64 statedTotal(const TradeRecord &trade)
{
    return trade.paid ? trade.paidAmount : trade.amount;
}

} // namespace

WechatSim::WechatSim(TradeBook &book, Faults &faults, const SandboxKeys &keys, Notifier &notifier, HeldResponses &held,
                     BillDownloads &bills, TimeScale timeScale, QString baseUrl, QObject *parent)
    : QObject(parent), m_book(book), m_faults(faults), m_keys(keys), m_notifier(notifier), m_held(held), m_bills(bills),
      m_timeScale(timeScale), m_baseUrl(std::move(baseUrl))
{
}

void WechatSim::registerRoutes(Router &router)
{
    add(router, "POST", "/v3/pay/transactions/native", u"native"_s,
        [this](HttpRequest &request) { return prepay(request, true); });
    add(router, "POST", "/v3/pay/transactions/app", u"app"_s,
        [this](HttpRequest &request) { return prepay(request, false); });
    add(router, "GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}", u"query"_s,
        [this](HttpRequest &request) { return query(request, false); });
    add(router, "GET", "/v3/pay/transactions/id/{transaction_id}", u"query"_s,
        [this](HttpRequest &request) { return query(request, true); });
    add(router, "POST", "/v3/pay/transactions/out-trade-no/{out_trade_no}/close", u"close"_s,
        [this](HttpRequest &request) { return close(request); });
    add(router, "POST", "/v3/refund/domestic/refunds", u"refund"_s,
        [this](HttpRequest &request) { return refund(request); });
    add(router, "GET", "/v3/refund/domestic/refunds/{out_refund_no}", u"refund_query"_s,
        [this](HttpRequest &request) { return refundQuery(request); });
    add(router, "POST", "/v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund", u"refund"_s,
        [this](HttpRequest &request) { return applyAbnormalRefund(request); });
    add(router, "GET", "/v3/bill/tradebill", u"bill"_s, [this](HttpRequest &request) { return tradeBill(request); });
    add(router, "GET", "/v3/billdownload/file", u"bill_download"_s,
        [this](HttpRequest &request) { return billDownload(request); });
    add(router, "GET", "/v3/certificates", u"certificates"_s, [this](HttpRequest &) { return certificates(); });
}

void WechatSim::add(Router &router, QByteArrayView method, QByteArrayView pattern, const QString &operation,
                    Operation handler)
{
    router.routeAsync(method, pattern, [this, operation, handler](HttpRequest &request) -> QFuture<HttpResponse> {
        const ChannelFaults faults = m_faults.get(SimChannel::Wechat);
        if (faults.down) {
            HttpResponse unavailable = wxError(503, u"SYSTEM_ERROR"_s, u"系统错误 (sandbox fault: down)"_s);
            return QtFuture::makeReadyFuture(std::move(unavailable));
        }
        HttpResponse response;
        if (std::optional<HttpResponse> denied = authenticate(request)) {
            response = std::move(*denied);
        } else {
            try {
                response = handler(request);
            } catch (const std::exception &error) {
                qCWarning(lcWechatSim) << "handler failed:" << error.what();
                response = wxError(500, u"SYSTEM_ERROR"_s, u"系统错误"_s);
            }
        }
        sign(response, faults.badSignature);
        response.headers.append({QByteArrayLiteral("Request-ID"), randomUpperHex(40)});
        if (faults.timesOut(operation))
            return m_held.hold(std::move(response));
        return QtFuture::makeReadyFuture(std::move(response));
    });
}

std::optional<HttpResponse> WechatSim::authenticate(const HttpRequest &request) const
{
    const auto deny = [](const QString &issue) {
        return wxError(401, u"SIGN_ERROR"_s, u"签名错误，请检查后再试"_s, QJsonObject{{u"issue"_s, issue}});
    };
    const QByteArray header = request.header("authorization");
    if (header.isEmpty())
        return deny(u"missing Authorization header"_s);
    const auto authorization = WechatPaySign::parseAuthorization(header);
    if (!authorization)
        return deny(authorization.error());
    if (QLatin1StringView(authorization->mchid) != SandboxKeys::WechatMchId)
        return deny(u"mchid %1 is not the sandbox merchant"_s.arg(QString::fromLatin1(authorization->mchid)));
    if (QString::fromLatin1(authorization->serialNo).compare(m_keys.merchantSerial, Qt::CaseInsensitive) != 0)
        return deny(u"serial_no is not the merchant certificate's serial"_s);
    bool numeric = false;
    const qint64 timestamp = authorization->timestamp.toLongLong(&numeric);
    if (!numeric || qAbs(nowMs() / 1000 - timestamp) >= kMaxClockSkewSeconds)
        return deny(u"timestamp is more than 5 minutes away from the sandbox's clock"_s);
    const QByteArray message = WechatPaySign::requestMessage(request.method, request.target, authorization->timestamp,
                                                             authorization->nonce, request.body);
    if (!RsaSignature::verifyBase64(m_keys.merchantPublicKey, message, authorization->signature))
        return deny(u"signature does not verify over \"%1\""_s.arg(QString::fromUtf8(message).toHtmlEscaped()));
    return std::nullopt;
}

void WechatSim::sign(HttpResponse &response, bool badSignature) const
{
    const QByteArray timestamp = QByteArray::number(nowMs() / 1000);
    const QByteArray nonce = Random::alphanumeric(32).toLatin1();
    // A 204 has an empty body and is signed all the same: "ts\nnonce\n\n".
    const QByteArray message
        = WechatPaySign::responseMessage(timestamp, nonce, badSignature ? response.body + " " : response.body);
    const auto signature = RsaSignature::signBase64(m_keys.platformPrivateKey, message);
    response.headers.append({QByteArrayLiteral("Wechatpay-Timestamp"), timestamp});
    response.headers.append({QByteArrayLiteral("Wechatpay-Nonce"), nonce});
    response.headers.append({QByteArrayLiteral("Wechatpay-Serial"), m_keys.platformSerial.toLatin1()});
    response.headers.append({QByteArrayLiteral("Wechatpay-Signature"), signature ? *signature : QByteArray()});
    response.headers.append(
        {QByteArrayLiteral("Wechatpay-Signature-Type"), QByteArrayLiteral("WECHATPAY2-SHA256-RSA2048")});
}

HttpResponse WechatSim::prepay(HttpRequest &request, bool native)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return paramError(u"请求体不是合法的 JSON 对象"_s);
    if (body->value(u"mchid"_s).toString() != SandboxKeys::WechatMchId)
        return wxError(400, u"MCH_NOT_EXISTS"_s, u"商户号不存在"_s);
    if (body->value(u"appid"_s).toString() != SandboxKeys::WechatAppId)
        return wxError(400, u"APPID_MCHID_NOT_MATCH"_s, u"appid和mch_id不匹配"_s);
    const QString description = body->value(u"description"_s).toString();
    const QString outTradeNo = body->value(u"out_trade_no"_s).toString();
    const QString notifyUrl = body->value(u"notify_url"_s).toString();
    const QString attach = body->value(u"attach"_s).toString();
    const QJsonObject amount = body->value(u"amount"_s).toObject();
    const std::optional<qint64> total = fenField(amount, u"total"_s);
    if (description.isEmpty() || description.size() > 127)
        return paramError(u"description 缺失或超过 127 个字符"_s);
    if (!matchesWhole(outTradeNo, u"^[0-9A-Za-z_\\-|*]{6,32}$"_s))
        return paramError(u"out_trade_no 须为 6-32 个字母、数字或 _-|*"_s);
    if (!notifyUrl.startsWith(u"https://"_s) && !notifyUrl.startsWith(u"http://"_s))
        return paramError(u"notify_url 须为 http(s) 地址"_s);
    if (!total || !currencyOk(amount))
        return paramError(u"amount.total 须为正整数（分），currency 须为 CNY"_s);
    if (attach.size() > 128)
        return paramError(u"attach 超过 128 个字符"_s);
    const QString tradeType = native ? u"NATIVE"_s : u"APP"_s;

    return m_book.locked([&](TradeBook::Data &data) {
        const auto answer = [native](const TradeRecord &trade) {
            return jsonResponse(200, QJsonObject{{native ? u"code_url"_s : u"prepay_id"_s, trade.code}}, kJsonType);
        };
        if (const TradeRecord *existing = data.find(SimChannel::Wechat, outTradeNo)) {
            if (existing->paid)
                return wxError(400, u"ORDERPAID"_s, u"该订单已支付"_s);
            if (existing->closed)
                return wxError(400, u"ORDER_CLOSED"_s, u"订单已关闭"_s);
            if (existing->amount != *total || existing->subject != description || existing->tradeType != tradeType)
                return wxError(400, u"INVALID_REQUEST"_s, u"201 商户订单号重复"_s);
            return answer(*existing); // the same request again gets the same code
        }
        if (data.full())
            return wxError(500, u"SYSTEM_ERROR"_s, u"系统错误 (the sandbox holds too many trades)"_s);
        TradeRecord trade;
        trade.channel = SimChannel::Wechat;
        trade.outTradeNo = outTradeNo;
        trade.tradeType = tradeType;
        trade.amount = *total;
        trade.subject = description;
        trade.attach = attach;
        trade.notifyUrl = notifyUrl;
        trade.createdAtMs = nowMs();
        trade.tradeNo = newTransactionId(trade.createdAtMs);
        trade.code = native ? u"weixin://wxpay/bizpayurl?pr="_s + Random::alphanumeric(7)
                            : u"wx"_s + beijingTime(trade.createdAtMs).remove(u'-').remove(u' ').remove(u':')
                + randomLowerAlphanumeric(20);
        return answer(data.add(std::move(trade)));
    });
}

HttpResponse WechatSim::query(HttpRequest &request, bool byTransactionId)
{
    const QString mchid = request.queryItems().queryItemValue(u"mchid"_s, QUrl::FullyDecoded);
    if (mchid != SandboxKeys::WechatMchId)
        return paramError(u"mchid 缺失或与请求商户不一致"_s);
    return m_book.locked([&](TradeBook::Data &data) {
        const TradeRecord *trade = byTransactionId
            ? data.findByTradeNo(SimChannel::Wechat, request.pathParams.value(u"transaction_id"_s))
            : data.find(SimChannel::Wechat, request.pathParams.value(u"out_trade_no"_s));
        // The transaction id only exists once paid.
        if (!trade || (byTransactionId && !trade->paid))
            return wxError(404, u"ORDER_NOT_EXIST"_s, u"订单不存在"_s);
        return jsonResponse(200, transactionJson(*trade), kJsonType);
    });
}

HttpResponse WechatSim::close(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body || body->value(u"mchid"_s).toString() != SandboxKeys::WechatMchId)
        return paramError(u"mchid 缺失或与请求商户不一致"_s);
    return m_book.locked([&](TradeBook::Data &data) {
        TradeRecord *trade = data.find(SimChannel::Wechat, request.pathParams.value(u"out_trade_no"_s));
        if (!trade)
            return wxError(404, u"ORDER_NOT_EXIST"_s, u"订单不存在"_s);
        if (trade->paid)
            return wxError(400, u"ORDERPAID"_s, u"订单已支付"_s);
        trade->closed = true;
        return HttpResponse::noContent();
    });
}

HttpResponse WechatSim::refund(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return paramError(u"请求体不是合法的 JSON 对象"_s);
    const QString outRefundNo = body->value(u"out_refund_no"_s).toString();
    const QString outTradeNo = body->value(u"out_trade_no"_s).toString();
    const QString transactionId = body->value(u"transaction_id"_s).toString();
    const QString reason = body->value(u"reason"_s).toString();
    const QString notifyUrl = body->value(u"notify_url"_s).toString();
    const QJsonObject amount = body->value(u"amount"_s).toObject();
    const std::optional<qint64> refundFen = fenField(amount, u"refund"_s);
    const std::optional<qint64> totalFen = fenField(amount, u"total"_s);
    if (!matchesWhole(outRefundNo, u"^[0-9A-Za-z_\\-|*@]{1,64}$"_s))
        return paramError(u"out_refund_no 须为 1-64 个字母、数字或 _-|*@"_s);
    if (outTradeNo.isEmpty() && transactionId.isEmpty())
        return paramError(u"transaction_id 和 out_trade_no 必须二选一"_s);
    if (!refundFen || !totalFen || !currencyOk(amount))
        return paramError(u"amount.refund 与 amount.total 须为正整数（分），currency 须为 CNY"_s);
    if (reason.size() > 80)
        return paramError(u"reason 超过 80 个字符"_s);
    if (!notifyUrl.isEmpty() && !notifyUrl.startsWith(u"https://"_s) && !notifyUrl.startsWith(u"http://"_s))
        return paramError(u"notify_url 须为 http(s) 地址"_s);

    QString settleTrade;
    HttpResponse response = m_book.locked([&](TradeBook::Data &data) {
        TradeRecord *trade = outTradeNo.isEmpty() ? data.findByTradeNo(SimChannel::Wechat, transactionId)
                                                  : data.find(SimChannel::Wechat, outTradeNo);
        if (!trade || (outTradeNo.isEmpty() && !trade->paid))
            return wxError(404, u"RESOURCE_NOT_EXISTS"_s, u"订单不存在"_s);
        if (!trade->paid)
            return wxError(400, u"INVALID_REQUEST"_s, u"订单未支付，不能退款"_s);
        // An out_refund_no is unique per merchant; the same request again returns the refund.
        if (const TradeRecord *owner = data.findByRefundNo(SimChannel::Wechat, outRefundNo)) {
            const RefundRecord *existing = owner->refund(outRefundNo);
            if (owner != trade || existing->amount != *refundFen)
                return wxError(400, u"INVALID_REQUEST"_s, u"退款单号已存在且请求参数与之前不一致"_s);
            return jsonResponse(200, refundJson(*trade, *existing), kJsonType);
        }
        if (*totalFen != statedTotal(*trade) && *totalFen != trade->amount)
            return paramError(u"amount.total 与订单金额不一致"_s);
        if (trade->refundedAmount() + *refundFen > trade->paidAmount)
            return wxError(400, u"INVALID_REQUEST"_s, u"申请退款金额超过订单可退金额"_s);
        if (trade->refunds.size() >= TradeBook::MaxRefundsPerTrade)
            return wxError(400, u"INVALID_REQUEST"_s, u"退款次数超过限制"_s);
        RefundRecord record;
        record.outRefundNo = outRefundNo;
        record.createdAtMs = nowMs();
        record.refundId = u"5000"_s + beijingTime(record.createdAtMs).left(10).remove(u'-') + randomDigits(17);
        record.amount = *refundFen;
        record.reason = reason;
        record.notifyUrl = notifyUrl;
        trade->refunds.append(record);
        data.indexRefund(*trade, outRefundNo);
        settleTrade = trade->outTradeNo;
        return jsonResponse(200, refundJson(*trade, record), kJsonType);
    });
    if (!settleTrade.isEmpty())
        scheduleCompletion(settleTrade, outRefundNo);
    return response;
}

void WechatSim::scheduleCompletion(const QString &outTradeNo, const QString &outRefundNo)
{
    // PROCESSING now, SUCCESS a moment later, then REFUND.SUCCESS to the refund's notify_url;
    // with the hold_refunds fault it waits for POST /control/refunds/{no}/settle instead.
    if (m_faults.get(SimChannel::Wechat).holdRefunds)
        return;
    QMetaObject::invokeMethod(
        this,
        [this, outTradeNo, outRefundNo] {
            QTimer::singleShot(int(m_timeScale.scaled(RefundSettleMs)), this,
                               [this, outTradeNo, outRefundNo] { completeRefund(outTradeNo, outRefundNo); });
        },
        Qt::QueuedConnection);
}

HttpResponse WechatSim::applyAbnormalRefund(HttpRequest &request)
{
    const std::optional<QJsonObject> body = jsonBody(request);
    if (!body)
        return paramError(u"请求体不是合法的 JSON 对象"_s);
    const QString refundId = request.pathParams.value(u"refund_id"_s);
    const QString outRefundNo = body->value(u"out_refund_no"_s).toString();
    const QString type = body->value(u"type"_s).toString();
    if (type != u"USER_BANK_CARD"_s && type != u"MERCHANT_BANK_CARD"_s)
        return paramError(u"type 须为 USER_BANK_CARD 或 MERCHANT_BANK_CARD"_s);
    if (type == u"USER_BANK_CARD"_s
        && (body->value(u"bank_type"_s).toString().isEmpty() || body->value(u"bank_account"_s).toString().isEmpty()
            || body->value(u"real_name"_s).toString().isEmpty()))
        return paramError(u"退款至用户银行卡须提供 bank_type、bank_account 与 real_name"_s);
    QString settleTrade;
    HttpResponse response = m_book.locked([&](TradeBook::Data &data) {
        TradeRecord *trade = data.findByRefundNo(SimChannel::Wechat, outRefundNo);
        RefundRecord *refund = trade ? trade->refund(outRefundNo) : nullptr;
        if (!refund || refund->refundId != refundId)
            return wxError(404, u"RESOURCE_NOT_EXISTS"_s, u"退款单不存在"_s);
        if (refund->status != u"ABNORMAL"_s)
            return wxError(400, u"INVALID_REQUEST"_s, u"退款单状态不是退款异常，无需发起异常退款"_s);
        refund->status = u"PROCESSING"_s;
        settleTrade = trade->outTradeNo;
        return jsonResponse(200, refundJson(*trade, *refund), kJsonType);
    });
    if (!settleTrade.isEmpty())
        scheduleCompletion(settleTrade, outRefundNo);
    return response;
}

QString WechatSim::settleRefund(const QString &outRefundNo, const QString &status, qint64 reportedAmount,
                                const QString &notifyUrl)
{
    if (status != u"SUCCESS"_s && status != u"ABNORMAL"_s && status != u"CLOSED"_s)
        return u"status must be SUCCESS, ABNORMAL or CLOSED"_s;
    const QString outTradeNo = m_book.locked([&](TradeBook::Data &data) -> QString {
        TradeRecord *trade = data.findByRefundNo(SimChannel::Wechat, outRefundNo);
        return trade ? trade->outTradeNo : QString();
    });
    if (outTradeNo.isEmpty())
        return u"no WeChat refund with this out_refund_no"_s;
    completeRefund(outTradeNo, outRefundNo, status, reportedAmount, notifyUrl);
    return {};
}

QJsonObject WechatSim::refundOutOfBand(const QString &outTradeNo, qint64 amount, QString *error)
{
    return m_book.locked([&](TradeBook::Data &data) -> QJsonObject {
        TradeRecord *trade = data.find(SimChannel::Wechat, outTradeNo);
        if (!trade || !trade->paid) {
            *error = u"no paid WeChat trade with this out_trade_no"_s;
            return {};
        }
        if (trade->refundedAmount() + amount > trade->paidAmount) {
            *error = u"the refund exceeds what is left of the payment"_s;
            return {};
        }
        RefundRecord record;
        record.createdAtMs = nowMs();
        record.outRefundNo = u"PORTAL"_s + randomDigits(16);
        record.refundId = u"5000"_s + beijingTime(record.createdAtMs).left(10).remove(u'-') + randomDigits(17);
        record.amount = amount;
        record.reason = u"merchant portal"_s;
        record.status = u"SUCCESS"_s;
        record.succeeded = true;
        record.succeededAtMs = record.createdAtMs;
        trade->refunds.append(record);
        data.indexRefund(*trade, record.outRefundNo);
        return refundJson(*trade, record);
    });
}

void WechatSim::completeRefund(const QString &outTradeNo, const QString &outRefundNo, const QString &status,
                               qint64 reportedAmount, const QString &notifyUrl)
{
    const QString target = status.isEmpty() ? u"SUCCESS"_s : status;
    const QString notificationId = m_book.locked([&](TradeBook::Data &data) -> QString {
        TradeRecord *trade = data.find(SimChannel::Wechat, outTradeNo);
        RefundRecord *refund = trade ? trade->refund(outRefundNo) : nullptr;
        // SUCCESS is final; the automatic completion only ends a PROCESSING refund.
        if (!refund || refund->succeeded || (status.isEmpty() && refund->status != u"PROCESSING"_s))
            return {};
        refund->status = target;
        if (reportedAmount > 0)
            refund->reportedAmount = reportedAmount;
        if (target == u"SUCCESS"_s) {
            refund->succeeded = true;
            refund->succeededAtMs = nowMs();
        }
        const QString url = notifyUrl.isEmpty() ? refund->notifyUrl : notifyUrl;
        if (url.isEmpty())
            return {};
        const qint64 stated = refund->reportedAmount > 0 ? refund->reportedAmount : refund->amount;
        QJsonObject resource{
            {u"mchid"_s, QString(SandboxKeys::WechatMchId)},
            {u"transaction_id"_s, trade->tradeNo},
            {u"out_trade_no"_s, trade->outTradeNo},
            {u"refund_id"_s, refund->refundId},
            {u"out_refund_no"_s, refund->outRefundNo},
            {u"refund_status"_s, target},
            {u"user_received_account"_s, u"支付用户零钱"_s},
            {u"amount"_s,
             QJsonObject{{u"total"_s, statedTotal(*trade)},
                         {u"refund"_s, stated},
                         {u"payer_total"_s, trade->paidAmount},
                         {u"payer_refund"_s, stated}}},
        };
        if (refund->succeeded)
            resource.insert(u"success_time"_s, beijingRfc3339(refund->succeededAtMs));
        NotificationRecord record;
        record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        record.channel = SimChannel::Wechat;
        record.kind = u"refund"_s;
        record.outTradeNo = trade->outTradeNo;
        record.outRefundNo = refund->outRefundNo;
        record.url = url;
        record.payload = QJsonDocument(resource).toJson(QJsonDocument::Compact);
        record.eventType = u"REFUND."_s + target;
        record.createdAtMs = refund->succeeded ? refund->succeededAtMs : nowMs();
        record.state = u"pending"_s;
        const QString id = record.id;
        return data.addNotification(*trade, std::move(record)) ? id : QString();
    });
    if (!notificationId.isEmpty())
        m_notifier.deliver(notificationId);
}

HttpResponse WechatSim::refundQuery(HttpRequest &request)
{
    const QString outRefundNo = request.pathParams.value(u"out_refund_no"_s);
    return m_book.locked([&](TradeBook::Data &data) {
        const TradeRecord *trade = data.findByRefundNo(SimChannel::Wechat, outRefundNo);
        const RefundRecord *refund = trade ? trade->refund(outRefundNo) : nullptr;
        if (!refund)
            return wxError(404, u"RESOURCE_NOT_EXISTS"_s, u"退款单不存在"_s);
        return jsonResponse(200, refundJson(*trade, *refund), kJsonType);
    });
}

HttpResponse WechatSim::tradeBill(HttpRequest &request)
{
    const QUrlQuery items = request.queryItems();
    const QDate day = QDate::fromString(items.queryItemValue(u"bill_date"_s), u"yyyy-MM-dd"_s);
    QString billType = items.queryItemValue(u"bill_type"_s);
    if (billType.isEmpty())
        billType = u"ALL"_s;
    const QString tarType = items.queryItemValue(u"tar_type"_s);
    if (!day.isValid())
        return paramError(u"bill_date 须为 yyyy-MM-dd"_s);
    if (billType != u"ALL"_s && billType != u"SUCCESS"_s && billType != u"REFUND"_s)
        return paramError(u"bill_type: the sandbox serves ALL, SUCCESS and REFUND"_s);
    if (!tarType.isEmpty() && tarType != u"GZIP"_s)
        return paramError(u"tar_type 只支持 GZIP"_s);
    // Bills up to tomorrow's, which holds the payments a day_shift bill fault books there.
    if (day > beijingDate(nowMs()).addDays(1))
        return wxError(400, u"NO_STATEMENT_EXIST"_s, u"账单文件不存在"_s);

    const QList<TradeRecord> trades
        = m_book.locked([&](TradeBook::Data &data) { return Bills::tradesOfDay(data, SimChannel::Wechat, day); });
    int rows = 0;
    const QByteArray csv = Bills::wechatTradeBill(trades, QString(SandboxKeys::WechatAppId),
                                                  QString(SandboxKeys::WechatMchId), day, billType, &rows);
    // WeChat Pay has no bill for a day without transactions.
    if (rows == 0)
        return wxError(400, u"NO_STATEMENT_EXIST"_s, u"账单文件不存在"_s);
    QByteArray content = csv;
    if (!tarType.isEmpty()) {
        const std::optional<QByteArray> compressed = Bills::gzip(csv);
        if (!compressed)
            return wxError(500, u"SYSTEM_ERROR"_s, u"系统错误 (gzip failed)"_s);
        content = *compressed;
    }
    const QString token
        = m_bills.put({content, "application/octet-stream", day.toString(u"yyyyMMdd"_s) + u"_"_s + billType + u".csv"_s,
                       nowMs() + kBillUrlLifetimeMs});
    return jsonResponse(200,
                        QJsonObject{{u"hash_type"_s, u"SHA1"_s},
                                    {u"hash_value"_s, QString::fromLatin1(Digest::sha1Hex(csv))},
                                    {u"download_url"_s, m_baseUrl + u"/v3/billdownload/file?token="_s + token}},
                        kJsonType);
}

HttpResponse WechatSim::billDownload(HttpRequest &request)
{
    const std::optional<BillDownloads::File> file
        = m_bills.get(request.queryItems().queryItemValue(u"token"_s, QUrl::FullyDecoded));
    if (!file)
        return wxError(400, u"INVALID_REQUEST"_s, u"下载链接已失效"_s);
    return HttpResponse::text(200, file->content, file->contentType);
}

HttpResponse WechatSim::certificates()
{
    // Platform-certificate mode: the certificate travels encrypted with the API v3 key, so only
    // the merchant can read it (AAD "certificate", as WeChat Pay sends it).
    const QString nonce = Random::alphanumeric(12);
    const QString associatedData = u"certificate"_s;
    const std::optional<QByteArray> ciphertext
        = AesGcm::sealWechatResource(m_keys.apiV3Key, nonce, associatedData, m_keys.platformCertificatePem);
    if (!ciphertext)
        return wxError(500, u"SYSTEM_ERROR"_s, u"系统错误"_s);
    const QJsonObject certificate{
        {u"serial_no"_s, m_keys.platformSerial},
        {u"effective_time"_s, beijingRfc3339(m_keys.platformNotBefore.toMSecsSinceEpoch())},
        {u"expire_time"_s, beijingRfc3339(m_keys.platformNotAfter.toMSecsSinceEpoch())},
        {u"encrypt_certificate"_s,
         QJsonObject{{u"algorithm"_s, u"AEAD_AES_256_GCM"_s},
                     {u"nonce"_s, nonce},
                     {u"associated_data"_s, associatedData},
                     {u"ciphertext"_s, QString::fromLatin1(*ciphertext)}}},
    };
    return jsonResponse(200, QJsonObject{{u"data"_s, QJsonArray{certificate}}}, kJsonType);
}

QJsonObject WechatSim::transactionJson(const TradeRecord &trade) const
{
    const QString state = trade.channelStatus();
    QJsonObject amount{{u"total"_s, statedTotal(trade)}, {u"currency"_s, u"CNY"_s}, {u"payer_currency"_s, u"CNY"_s}};
    QJsonObject object{
        {u"appid"_s, QString(SandboxKeys::WechatAppId)},
        {u"mchid"_s, QString(SandboxKeys::WechatMchId)},
        {u"out_trade_no"_s, trade.outTradeNo},
        {u"trade_state"_s, state},
        {u"trade_state_desc"_s, stateDescription(state)},
        {u"attach"_s, trade.attach},
        {u"promotion_detail"_s, QJsonArray()},
    };
    if (trade.paid) {
        amount.insert(u"payer_total"_s, trade.paidAmount);
        object.insert(u"transaction_id"_s, trade.tradeNo);
        object.insert(u"trade_type"_s, trade.tradeType);
        object.insert(u"bank_type"_s, u"OTHERS"_s);
        object.insert(u"success_time"_s, beijingRfc3339(trade.paidAtMs));
        object.insert(u"payer"_s, QJsonObject{{u"openid"_s, trade.buyerId}});
    }
    object.insert(u"amount"_s, amount);
    return object;
}

QJsonObject WechatSim::refundJson(const TradeRecord &trade, const RefundRecord &refund) const
{
    const qint64 total = statedTotal(trade);
    const qint64 stated = refund.reportedAmount > 0 ? refund.reportedAmount : refund.amount;
    QJsonObject object{
        {u"refund_id"_s, refund.refundId},
        {u"out_refund_no"_s, refund.outRefundNo},
        {u"transaction_id"_s, trade.tradeNo},
        {u"out_trade_no"_s, trade.outTradeNo},
        {u"channel"_s, u"ORIGINAL"_s},
        {u"user_received_account"_s, u"支付用户零钱"_s},
        {u"create_time"_s, beijingRfc3339(refund.createdAtMs)},
        {u"status"_s, refund.status},
        {u"funds_account"_s, u"AVAILABLE"_s},
        {u"promotion_detail"_s, QJsonArray()},
        {u"amount"_s,
         QJsonObject{
             {u"total"_s, total},
             {u"refund"_s, stated},
             {u"from"_s, QJsonArray()},
             {u"payer_total"_s, trade.paidAmount},
             {u"payer_refund"_s, stated},
             {u"settlement_total"_s, total},
             {u"settlement_refund"_s, stated},
             {u"discount_refund"_s, 0},
             {u"currency"_s, u"CNY"_s},
             {u"refund_fee"_s, 0},
         }},
    };
    if (refund.succeeded)
        object.insert(u"success_time"_s, beijingRfc3339(refund.succeededAtMs));
    return object;
}

QString WechatSim::newTransactionId(qint64 atMs)
{
    return u"4200000"_s + randomDigits(1) + beijingTime(atMs).left(10).remove(u'-') + randomDigits(12);
}

void WechatSim::assignPayer(TradeRecord &trade)
{
    if (trade.buyerId.isEmpty())
        trade.buyerId = u"o"_s + Random::alphanumeric(27);
}

QString WechatSim::addPaymentNotification(TradeBook::Data &data, TradeRecord &trade) const
{
    if (trade.notifyUrl.isEmpty())
        return {};
    NotificationRecord record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.channel = SimChannel::Wechat;
    record.kind = u"payment"_s;
    record.outTradeNo = trade.outTradeNo;
    record.url = trade.notifyUrl;
    record.payload = QJsonDocument(transactionJson(trade)).toJson(QJsonDocument::Compact);
    record.eventType = u"TRANSACTION.SUCCESS"_s;
    record.createdAtMs = trade.paidAtMs;
    record.state = u"pending"_s;
    const QString id = record.id;
    return data.addNotification(trade, std::move(record)) ? id : QString();
}

OutboundRequest WechatSim::renderNotification(const NotificationRecord &record, bool badSignature) const
{
    const bool refund = record.kind == u"refund"_s;
    const bool transfer = record.kind == u"transfer"_s;
    // Transfer batch results travel as original_type/associated_data "mch_payment".
    const QString associatedData = transfer ? u"mch_payment"_s : refund ? u"refund"_s : u"transaction"_s;
    const QString summary = transfer ? u"商家转账批次处理完成"_s : refund ? u"退款成功"_s : u"支付成功"_s;
    const QString resourceNonce = Random::alphanumeric(12);
    const std::optional<QByteArray> ciphertext
        = AesGcm::sealWechatResource(m_keys.apiV3Key, resourceNonce, associatedData, record.payload);
    const QJsonObject body{
        {u"id"_s, record.id},
        {u"create_time"_s, beijingRfc3339(record.createdAtMs)},
        {u"resource_type"_s, u"encrypt-resource"_s},
        {u"event_type"_s, record.eventType},
        {u"summary"_s, summary},
        {u"resource"_s,
         QJsonObject{
             {u"original_type"_s, associatedData},
             {u"algorithm"_s, u"AEAD_AES_256_GCM"_s},
             {u"ciphertext"_s, QString::fromLatin1(ciphertext.value_or(QByteArray()))},
             {u"associated_data"_s, associatedData},
             {u"nonce"_s, resourceNonce},
         }},
    };
    HttpResponse signedBody;
    signedBody.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    sign(signedBody, badSignature);
    OutboundRequest request;
    request.method = "POST";
    request.body = signedBody.body;
    request.headers = signedBody.headers;
    request.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    return request;
}

bool WechatSim::acknowledges(const OutboundResponse &response)
{
    return response.ok() && (response.status == 200 || response.status == 204);
}

} // namespace paydesk::sandbox
