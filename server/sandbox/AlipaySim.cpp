#include "server/sandbox/AlipaySim.h"

#include "common/crypto/RsaSignature.h"
#include "common/money/Money.h"
#include "common/protocol/AlipayResponseSign.h"
#include "common/protocol/AlipaySignContent.h"
#include "server/sandbox/Bills.h"
#include "server/sandbox/Faults.h"
#include "server/sandbox/HeldResponses.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAlipaySim, "paydesk.sandbox.alipay")

namespace paydesk::sandbox {

namespace {

// The URL of a bill must be used within 30 s (PROTOCOLS.md A.6); real time, not scaled.
constexpr qint64 kBillUrlLifetimeMs = 30'000;
constexpr qint64 kMaxAmountFen = 100'000'000 * qint64(100);

// Gateway methods and the short names the timeout_operations fault uses for them.
const QHash<QString, QString> &operations()
{
    static const QHash<QString, QString> names{
        {u"alipay.trade.precreate"_s, u"precreate"_s},
        {u"alipay.trade.query"_s, u"query"_s},
        {u"alipay.trade.close"_s, u"close"_s},
        {u"alipay.trade.refund"_s, u"refund"_s},
        {u"alipay.trade.fastpay.refund.query"_s, u"refund_query"_s},
        {u"alipay.data.dataservice.bill.downloadurl.query"_s, u"bill"_s},
    };
    return names;
}

QString messageFor(const QString &code)
{
    if (code == u"10000"_s)
        return u"Success"_s;
    if (code == u"20000"_s)
        return u"Service Currently Unavailable"_s;
    if (code == u"40001"_s)
        return u"Missing Required Arguments"_s;
    if (code == u"40002"_s)
        return u"Invalid Arguments"_s;
    return u"Business Failed"_s;
}

QJsonObject success()
{
    return QJsonObject{{u"code"_s, u"10000"_s}, {u"msg"_s, u"Success"_s}};
}

QJsonObject failure(const QString &code, const QString &subCode, const QString &subMessage)
{
    return QJsonObject{
        {u"code"_s, code}, {u"msg"_s, messageFor(code)}, {u"sub_code"_s, subCode}, {u"sub_msg"_s, subMessage}};
}

QJsonObject tradeNotExist()
{
    return failure(u"40004"_s, u"ACQ.TRADE_NOT_EXIST"_s, u"交易不存在"_s);
}

QJsonObject invalidParameter(const QString &detail)
{
    return failure(u"40004"_s, u"ACQ.INVALID_PARAMETER"_s, u"参数无效: "_s + detail);
}

QString yuan(qint64 fen)
{
    return Money::fromMinor(fen).toString();
}

// The first value of name, or a null string (repeated names were rejected by the signature check).
QString value(const FormFields &params, QStringView name)
{
    for (const auto &[key, text] : params) {
        if (key == name)
            return text;
    }
    return {};
}

// Amounts arrive as yuan strings ("88.88"); a JSON number would have gone through a double.
std::optional<qint64> amountField(const QJsonObject &biz, const QString &name)
{
    const QJsonValue field = biz.value(name);
    if (!field.isString())
        return std::nullopt;
    const std::optional<Money> money = Money::parse(field.toString());
    if (!money || !money->isPositive() || money->minorUnits() > kMaxAmountFen)
        return std::nullopt;
    return money->minorUnits();
}

bool isValidOutNo(const QString &text)
{
    static const QRegularExpression pattern(u"^[0-9A-Za-z_\\-]{1,64}$"_s);
    return pattern.match(text).hasMatch();
}

TradeRecord *findTrade(TradeBook::Data &data, const QJsonObject &biz)
{
    const QString outTradeNo = biz.value(u"out_trade_no"_s).toString();
    if (!outTradeNo.isEmpty())
        return data.find(SimChannel::Alipay, outTradeNo);
    const QString tradeNo = biz.value(u"trade_no"_s).toString();
    return tradeNo.isEmpty() ? nullptr : data.findByTradeNo(SimChannel::Alipay, tradeNo);
}

// The amount the channel states for the trade: what was paid once paid (a tampered payment
// reports the tampered amount everywhere), the requested amount before.
qint64 statedTotal(const TradeRecord &trade)
{
    return trade.paid ? trade.paidAmount : trade.amount;
}

QJsonArray fundBills(qint64 fen)
{
    return QJsonArray{QJsonObject{{u"fund_channel"_s, u"ALIPAYACCOUNT"_s}, {u"amount"_s, yuan(fen)}}};
}

} // namespace

QString AlipaySim::newTradeNo(qint64 atMs)
{
    // yyyyMMdd + 22001 + 15 digits: the 28-digit shape of real trade numbers.
    return beijingTime(atMs).left(10).remove(u'-') + u"22001"_s + randomDigits(15);
}

struct AlipaySim::Call
{
    FormFields params;
    QString method;
    QString notifyUrl;
    QJsonObject biz;
};

AlipaySim::AlipaySim(TradeBook &book, Faults &faults, const SandboxKeys &keys, HeldResponses &held,
                     BillDownloads &bills, QString baseUrl)
    : m_book(book), m_faults(faults), m_keys(keys), m_held(held), m_bills(bills), m_baseUrl(std::move(baseUrl))
{
}

void AlipaySim::registerRoutes(Router &router)
{
    // SDKs POST; the gateway also takes everything in the query string of a GET.
    for (const char *method : {"POST", "GET"})
        router.routeAsync(method, "/gateway.do", [this](HttpRequest &request) { return gateway(request); });
    router.routeAsync("GET", "/downloadBillFile.resource", [this](HttpRequest &request) {
        const ChannelFaults faults = m_faults.get(SimChannel::Alipay);
        HttpResponse response
            = faults.down ? HttpResponse::text(503, "Service Unavailable (sandbox fault: down)\n") : billFile(request);
        return faults.timesOut(u"bill_download"_s) ? m_held.hold(std::move(response))
                                                   : QtFuture::makeReadyFuture(std::move(response));
    });
}

QFuture<HttpResponse> AlipaySim::gateway(HttpRequest &request)
{
    const ChannelFaults faults = m_faults.get(SimChannel::Alipay);
    if (faults.down)
        return QtFuture::makeReadyFuture(HttpResponse::text(503, "Service Unavailable (sandbox fault: down)\n"));

    QString responseKey = u"error_response"_s;
    QString operation;
    const auto answer = [&](const QJsonObject &content) {
        HttpResponse response = signedResponse(responseKey, content, faults.badSignature);
        if (!operation.isEmpty() && faults.timesOut(operation))
            return m_held.hold(std::move(response));
        return QtFuture::makeReadyFuture(std::move(response));
    };

    // System parameters usually come in the query string and biz_content in the form body;
    // both count (PROTOCOLS.md A.1).
    Call call;
    const auto queryFields = FormUrlEncoded::parse(request.query);
    if (!queryFields)
        return answer(failure(u"40002"_s, u"isv.invalid-parameter"_s, queryFields.error()));
    call.params = *queryFields;
    if (!request.body.isEmpty()) {
        if (!request.header("content-type").toLower().startsWith("application/x-www-form-urlencoded"))
            return answer(failure(u"40002"_s, u"isv.invalid-content-type"_s, u"不支持的 Content-Type"_s));
        const auto form = FormUrlEncoded::parse(request.body);
        if (!form)
            return answer(failure(u"40002"_s, u"isv.invalid-parameter"_s, form.error()));
        call.params += *form;
    }

    const auto method = AlipaySignContent::uniqueValue(call.params, u"method");
    if (!method)
        return answer(failure(u"40001"_s, u"isv.missing-method"_s, u"缺少方法名参数"_s));
    call.method = *method;
    responseKey = AlipayResponseSign::responseKeyFor(call.method);
    if (!operations().contains(call.method))
        return answer(failure(u"40002"_s, u"isv.invalid-method"_s, u"不存在的方法名"_s));
    operation = operations().value(call.method);

    const QString charset = value(call.params, u"charset");
    if (!charset.isEmpty() && charset.compare(u"utf-8"_s, Qt::CaseInsensitive) != 0)
        return answer(failure(u"40002"_s, u"isv.invalid-charset"_s, u"字符集错误 (the sandbox speaks utf-8)"_s));
    const auto appId = AlipaySignContent::uniqueValue(call.params, u"app_id");
    if (!appId)
        return answer(failure(u"40001"_s, u"isv.missing-app-id"_s, u"缺少AppID参数"_s));
    if (*appId != SandboxKeys::AlipayAppId)
        return answer(failure(u"40002"_s, u"isv.invalid-app-id"_s, u"无效的AppID参数"_s));
    const auto sign = AlipaySignContent::uniqueValue(call.params, u"sign");
    if (!sign)
        return answer(failure(u"40001"_s, u"isv.missing-signature"_s, u"缺少签名参数"_s));
    const auto signType = AlipaySignContent::uniqueValue(call.params, u"sign_type");
    if (!signType)
        return answer(failure(u"40001"_s, u"isv.missing-signature-type"_s, u"缺少签名类型参数"_s));
    if (*signType != u"RSA2"_s)
        return answer(failure(u"40002"_s, u"isv.invalid-signature-type"_s, u"无效的签名类型参数 (only RSA2)"_s));
    const auto content = AlipaySignContent::forRequest(call.params);
    if (!content)
        return answer(failure(u"40002"_s, u"isv.invalid-parameter"_s, content.error()));
    if (!RsaSignature::verifyBase64(m_keys.appPublicKey, *content, sign->toLatin1())) {
        // Like the real gateway, show the string it verified: the quickest way to find the bug.
        return answer(failure(u"40002"_s, u"isv.invalid-signature"_s,
                              u"验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为："_s
                                  + QString::fromUtf8(*content)));
    }
    const auto timestamp = AlipaySignContent::uniqueValue(call.params, u"timestamp");
    if (!timestamp)
        return answer(failure(u"40001"_s, u"isv.missing-timestamp"_s, u"缺少时间戳参数"_s));
    if (!QDateTime::fromString(*timestamp, u"yyyy-MM-dd HH:mm:ss"_s).isValid())
        return answer(failure(u"40002"_s, u"isv.invalid-timestamp"_s, u"非法的时间戳参数"_s));
    const auto version = AlipaySignContent::uniqueValue(call.params, u"version");
    if (!version)
        return answer(failure(u"40001"_s, u"isv.missing-version"_s, u"缺少版本参数"_s));
    if (*version != u"1.0"_s)
        return answer(failure(u"40002"_s, u"isv.invalid-parameter"_s, u"非法的版本参数"_s));
    const QString format = value(call.params, u"format");
    if (!format.isEmpty() && format.compare(u"JSON"_s, Qt::CaseInsensitive) != 0)
        return answer(failure(u"40002"_s, u"isv.invalid-format"_s, u"无效的数据格式参数"_s));
    const QString bizContent = value(call.params, u"biz_content");
    if (!bizContent.isEmpty()) {
        const QJsonDocument document = QJsonDocument::fromJson(bizContent.toUtf8());
        if (!document.isObject())
            return answer(failure(u"40002"_s, u"isv.invalid-parameter"_s, u"biz_content 不是 JSON 对象"_s));
        call.biz = document.object();
    }
    call.notifyUrl = value(call.params, u"notify_url");

    if (operation == u"precreate"_s)
        return answer(precreate(call));
    if (operation == u"query"_s)
        return answer(query(call));
    if (operation == u"close"_s)
        return answer(close(call));
    if (operation == u"refund"_s)
        return answer(refund(call));
    if (operation == u"refund_query"_s)
        return answer(refundQuery(call));
    return answer(billUrl(call));
}

QJsonObject AlipaySim::precreate(Call &call)
{
    const QString outTradeNo = call.biz.value(u"out_trade_no"_s).toString();
    const std::optional<qint64> amount = amountField(call.biz, u"total_amount"_s);
    const QString subject = call.biz.value(u"subject"_s).toString();
    if (!isValidOutNo(outTradeNo))
        return invalidParameter(u"out_trade_no"_s);
    if (!amount)
        return invalidParameter(u"total_amount"_s);
    if (subject.isEmpty() || subject.size() > 256)
        return invalidParameter(u"subject"_s);

    return m_book.locked([&](TradeBook::Data &data) {
        if (const TradeRecord *existing = data.find(SimChannel::Alipay, outTradeNo)) {
            if (existing->paid)
                return failure(u"40004"_s, u"ACQ.TRADE_HAS_SUCCESS"_s, u"交易已被支付"_s);
            if (existing->closed)
                return failure(u"40004"_s, u"ACQ.TRADE_HAS_CLOSE"_s, u"交易已经关闭"_s);
            if (existing->amount != *amount || existing->subject != subject || existing->code.isEmpty())
                return failure(u"40004"_s, u"ACQ.CONTEXT_INCONSISTENT"_s, u"交易信息被篡改"_s);
            // The same request again gets the same QR code, as with the real gateway.
            QJsonObject response = success();
            response.insert(u"out_trade_no"_s, outTradeNo);
            response.insert(u"qr_code"_s, existing->code);
            return response;
        }
        if (data.full())
            return failure(u"20000"_s, u"isp.unknow-error"_s, u"系统繁忙 (the sandbox holds too many trades)"_s);
        TradeRecord trade;
        trade.channel = SimChannel::Alipay;
        trade.outTradeNo = outTradeNo;
        trade.tradeType = u"precreate"_s;
        trade.amount = *amount;
        trade.subject = subject;
        trade.notifyUrl = call.notifyUrl;
        trade.createdAtMs = nowMs();
        trade.tradeNo = newTradeNo(trade.createdAtMs);
        trade.code = u"https://qr.alipay.com/bax"_s + randomLowerAlphanumeric(22);
        const TradeRecord &added = data.add(std::move(trade));
        QJsonObject response = success();
        response.insert(u"out_trade_no"_s, outTradeNo);
        response.insert(u"qr_code"_s, added.code);
        return response;
    });
}

QJsonObject AlipaySim::query(Call &call)
{
    return m_book.locked([&](TradeBook::Data &data) {
        const TradeRecord *trade = findTrade(data, call.biz);
        // A precreated QR code that nobody scanned is not a trade yet at Alipay.
        if (!trade || (!trade->scanned && !trade->paid))
            return tradeNotExist();
        QJsonObject response = success();
        response.insert(u"trade_no"_s, trade->tradeNo);
        response.insert(u"out_trade_no"_s, trade->outTradeNo);
        response.insert(u"buyer_logon_id"_s, trade->buyerLogonId);
        response.insert(u"buyer_user_id"_s, trade->buyerId);
        response.insert(u"trade_status"_s, trade->channelStatus());
        response.insert(u"total_amount"_s, yuan(statedTotal(*trade)));
        response.insert(u"buyer_pay_amount"_s, yuan(trade->paid ? trade->paidAmount : 0));
        response.insert(u"receipt_amount"_s, yuan(trade->paid ? trade->paidAmount : 0));
        response.insert(u"invoice_amount"_s, yuan(trade->paid ? trade->paidAmount : 0));
        response.insert(u"point_amount"_s, u"0.00"_s);
        response.insert(u"subject"_s, trade->subject);
        if (trade->paid) {
            response.insert(u"send_pay_date"_s, beijingTime(trade->paidAtMs));
            response.insert(u"fund_bill_list"_s, fundBills(trade->paidAmount));
        }
        return response;
    });
}

QJsonObject AlipaySim::close(Call &call)
{
    return m_book.locked([&](TradeBook::Data &data) {
        TradeRecord *trade = findTrade(data, call.biz);
        if (!trade)
            return tradeNotExist();
        if (trade->paid)
            return failure(u"40004"_s, u"ACQ.TRADE_STATUS_ERROR"_s, u"交易状态不合法"_s);
        trade->closed = true;
        // Unscanned: Alipay has no trade to close and says so, yet the QR code is dead from now
        // on; a payment forced through the control API then counts as a payment after close.
        if (!trade->scanned)
            return tradeNotExist();
        QJsonObject response = success();
        response.insert(u"trade_no"_s, trade->tradeNo);
        response.insert(u"out_trade_no"_s, trade->outTradeNo);
        return response;
    });
}

QJsonObject AlipaySim::refund(Call &call)
{
    const std::optional<qint64> amount = amountField(call.biz, u"refund_amount"_s);
    if (!amount)
        return invalidParameter(u"refund_amount"_s);
    return m_book.locked([&](TradeBook::Data &data) {
        TradeRecord *trade = findTrade(data, call.biz);
        if (!trade || (!trade->scanned && !trade->paid))
            return tradeNotExist();
        if (!trade->paid)
            return failure(u"40004"_s, u"ACQ.TRADE_STATUS_ERROR"_s, u"交易状态不合法"_s);
        // Without out_request_no the refund is identified by the trade itself (one full refund).
        QString outRequestNo = call.biz.value(u"out_request_no"_s).toString();
        if (outRequestNo.isEmpty())
            outRequestNo = trade->outTradeNo;
        if (!isValidOutNo(outRequestNo))
            return invalidParameter(u"out_request_no"_s);

        const RefundRecord *done = trade->refund(outRequestNo);
        qint64 thisRefund = done ? done->amount : *amount;
        if (!done) {
            if (trade->refundedAmount() + *amount > trade->paidAmount)
                return failure(u"40004"_s, u"ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"_s, u"退款金额超限"_s);
            if (trade->refunds.size() >= TradeBook::MaxRefundsPerTrade)
                return failure(u"40004"_s, u"ACQ.REFUND_FEE_ERROR"_s, u"退款次数超限"_s);
            RefundRecord record;
            record.outRefundNo = outRequestNo;
            record.amount = *amount;
            record.reason = call.biz.value(u"refund_reason"_s).toString().left(256);
            record.createdAtMs = nowMs();
            // Alipay refunds synchronously: the answer is the result.
            record.succeeded = true;
            record.status = u"SUCCESS"_s;
            record.succeededAtMs = record.createdAtMs;
            trade->refunds.append(record);
            data.indexRefund(*trade, outRequestNo);
        }
        const RefundRecord *record = trade->refund(outRequestNo);
        QJsonObject response = success();
        response.insert(u"trade_no"_s, trade->tradeNo);
        response.insert(u"out_trade_no"_s, trade->outTradeNo);
        response.insert(u"buyer_logon_id"_s, trade->buyerLogonId);
        response.insert(u"buyer_user_id"_s, trade->buyerId);
        // Y only when this call moved money; a repeated out_request_no answers N.
        response.insert(u"fund_change"_s, done ? u"N"_s : u"Y"_s);
        response.insert(u"refund_fee"_s, yuan(trade->refundedAmount()));
        response.insert(u"send_back_fee"_s, yuan(thisRefund));
        response.insert(u"gmt_refund_pay"_s, beijingTime(record->succeededAtMs));
        response.insert(u"refund_detail_item_list"_s, fundBills(thisRefund));
        return response;
    });
}

QJsonObject AlipaySim::refundQuery(Call &call)
{
    const QString outRequestNo = call.biz.value(u"out_request_no"_s).toString();
    if (outRequestNo.isEmpty())
        return invalidParameter(u"out_request_no"_s);
    return m_book.locked([&](TradeBook::Data &data) {
        const TradeRecord *trade = findTrade(data, call.biz);
        if (!trade || (!trade->scanned && !trade->paid))
            return tradeNotExist();
        QJsonObject response = success();
        response.insert(u"trade_no"_s, trade->tradeNo);
        response.insert(u"out_trade_no"_s, trade->outTradeNo);
        // An unknown refund is not an error at Alipay: the answer simply carries no refund.
        const RefundRecord *refund = trade->refund(outRequestNo);
        if (!refund)
            return response;
        response.insert(u"out_request_no"_s, refund->outRefundNo);
        response.insert(u"total_amount"_s, yuan(statedTotal(*trade)));
        response.insert(u"refund_amount"_s, yuan(refund->amount));
        response.insert(u"refund_status"_s, u"REFUND_SUCCESS"_s);
        response.insert(u"gmt_refund_pay"_s, beijingTime(refund->succeededAtMs));
        if (!refund->reason.isEmpty())
            response.insert(u"refund_reason"_s, refund->reason);
        return response;
    });
}

QJsonObject AlipaySim::billUrl(Call &call)
{
    const QString billType = call.biz.value(u"bill_type"_s).toString();
    const QString billDate = call.biz.value(u"bill_date"_s).toString();
    if (billType != u"trade"_s && billType != u"signcustomer"_s)
        return failure(u"40002"_s, u"isv.invalid-parameter"_s, u"bill_type 无效"_s);
    const QDate day = QDate::fromString(billDate, u"yyyy-MM-dd"_s);
    const bool monthly = !day.isValid() && QDate::fromString(billDate, u"yyyy-MM"_s).isValid();
    if (!day.isValid() && !monthly)
        return failure(u"40002"_s, u"isv.invalid-parameter"_s, u"bill_date 格式错误"_s);
    // Only daily trade bills up to tomorrow exist here (Alipay's real ones appear the next morning;
    // tomorrow's holds the payments a day_shift bill fault books there).
    if (billType != u"trade"_s || monthly || day > beijingDate(nowMs()).addDays(1))
        return failure(u"40004"_s, u"isp.bill_not_exist"_s, u"账单不存在"_s);

    const QList<TradeRecord> trades
        = m_book.locked([&](TradeBook::Data &data) { return Bills::tradesOfDay(data, SimChannel::Alipay, day); });
    QString error;
    const std::optional<QByteArray> zip
        = Bills::alipayTradeZip(trades, QString(SandboxKeys::AlipaySellerId), day, nowMs(), &error);
    if (!zip) {
        qCWarning(lcAlipaySim).noquote() << "cannot build the bill:" << error;
        return failure(u"20000"_s, u"isp.unknow-error"_s, u"系统繁忙: "_s + error);
    }
    const QString dayText = day.toString(u"yyyyMMdd"_s);
    const QString fileName = QString(SandboxKeys::AlipaySellerId) + u"0156_"_s + dayText + u".csv.zip"_s;
    const QString token = m_bills.put({*zip, "application/oct-stream", fileName, nowMs() + kBillUrlLifetimeMs});
    QJsonObject response = success();
    response.insert(u"bill_download_url"_s,
                    m_baseUrl + u"/downloadBillFile.resource?bizType=trade&userId="_s
                        + QString(SandboxKeys::AlipaySellerId) + u"&fileType=csv.zip&bizDates="_s + dayText
                        + u"&downloadFileName="_s + fileName + u"&token="_s + token);
    return response;
}

HttpResponse AlipaySim::billFile(HttpRequest &request)
{
    const std::optional<BillDownloads::File> file
        = m_bills.get(request.queryItems().queryItemValue(u"token"_s, QUrl::FullyDecoded));
    if (!file)
        return HttpResponse::text(404, "The bill file does not exist or its link has expired.\n");
    HttpResponse response = HttpResponse::text(200, file->content, file->contentType);
    response.withHeader("Content-Disposition", "attachment; filename=\"" + file->fileName.toUtf8() + "\"");
    return response;
}

HttpResponse AlipaySim::signedResponse(const QString &responseKey, const QJsonObject &content, bool badSignature) const
{
    // The signature covers exactly the bytes of the value as sent (PROTOCOLS.md A.5), so the
    // value is serialised once and the envelope is assembled around those bytes.
    const QByteArray json = QJsonDocument(content).toJson(QJsonDocument::Compact);
    const QByteArray signedBytes = badSignature ? json + " " : json;
    const auto sign = RsaSignature::signBase64(m_keys.alipayPrivateKey, signedBytes);
    HttpResponse response;
    response.body
        = "{\"" + responseKey.toUtf8() + "\":" + json + ",\"sign\":\"" + (sign ? *sign : QByteArray()) + "\"}";
    response.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json;charset=utf-8")});
    return response;
}

CryptoResult<QString> AlipaySim::acceptAppOrder(const QString &orderString)
{
    using Result = CryptoResult<QString>;
    const auto params = FormUrlEncoded::parse(orderString.toUtf8());
    if (!params)
        return Result::failure(u"the order string is not form-encoded: "_s + params.error());
    const auto content = AlipaySignContent::forRequest(*params);
    const auto sign = AlipaySignContent::uniqueValue(*params, u"sign");
    if (!content || !sign || !RsaSignature::verifyBase64(m_keys.appPublicKey, *content, sign->toLatin1()))
        return Result::failure(u"the order string's signature does not verify with the app public key"_s);
    if (value(*params, u"method") != u"alipay.trade.app.pay"_s)
        return Result::failure(u"the order string is not for alipay.trade.app.pay"_s);
    if (value(*params, u"app_id") != SandboxKeys::AlipayAppId)
        return Result::failure(u"the order string is for another app_id"_s);
    if (value(*params, u"sign_type") != u"RSA2"_s)
        return Result::failure(u"the order string is not signed with RSA2"_s);
    const QJsonObject biz = QJsonDocument::fromJson(value(*params, u"biz_content").toUtf8()).object();
    const QString outTradeNo = biz.value(u"out_trade_no"_s).toString();
    const std::optional<qint64> amount = amountField(biz, u"total_amount"_s);
    const QString subject = biz.value(u"subject"_s).toString();
    if (!isValidOutNo(outTradeNo) || !amount || subject.isEmpty())
        return Result::failure(u"biz_content needs out_trade_no, total_amount and subject"_s);
    const QString notifyUrl = value(*params, u"notify_url");
    return m_book.locked([&](TradeBook::Data &data) {
        if (const TradeRecord *existing = data.find(SimChannel::Alipay, outTradeNo)) {
            if (existing->amount != *amount)
                return Result::failure(
                    u"ACQ.CONTEXT_INCONSISTENT: a trade with this out_trade_no has another amount"_s);
            return Result::success(outTradeNo);
        }
        if (data.full())
            return Result::failure(u"the sandbox holds too many trades"_s);
        TradeRecord trade;
        trade.channel = SimChannel::Alipay;
        trade.outTradeNo = outTradeNo;
        trade.tradeType = u"app"_s;
        trade.amount = *amount;
        trade.subject = subject;
        trade.notifyUrl = notifyUrl;
        trade.createdAtMs = nowMs();
        trade.tradeNo = newTradeNo(trade.createdAtMs);
        trade.scanned = true; // the buyer's app opened it, so Alipay knows the trade
        data.add(std::move(trade));
        return Result::success(outTradeNo);
    });
}

void AlipaySim::assignBuyer(TradeRecord &trade)
{
    if (trade.buyerId.isEmpty())
        trade.buyerId = u"2088"_s + randomDigits(12);
    if (trade.buyerLogonId.isEmpty())
        trade.buyerLogonId = u"sbx***@sandbox.example"_s;
}

QString AlipaySim::addPaymentNotification(TradeBook::Data &data, TradeRecord &trade) const
{
    if (trade.notifyUrl.isEmpty())
        return {};
    NotificationRecord record;
    record.id = beijingTime(trade.paidAtMs).left(10).remove(u'-') + u"00222"_s + randomDigits(21);
    record.channel = SimChannel::Alipay;
    record.kind = u"payment"_s;
    record.outTradeNo = trade.outTradeNo;
    record.url = trade.notifyUrl;
    record.createdAtMs = trade.paidAtMs;
    const QString paid = yuan(trade.paidAmount);
    // The field set of a real trade_status_sync (PROTOCOLS.md A.4); notify_time, sign_type and
    // sign are added per delivery.
    const FormFields fields{
        {u"gmt_create"_s, beijingTime(trade.createdAtMs)},
        {u"charset"_s, u"utf-8"_s},
        {u"subject"_s, trade.subject},
        {u"buyer_id"_s, trade.buyerId},
        {u"invoice_amount"_s, paid},
        {u"notify_id"_s, record.id},
        {u"fund_bill_list"_s, u"[{\"amount\":\"%1\",\"fundChannel\":\"ALIPAYACCOUNT\"}]"_s.arg(paid)},
        {u"notify_type"_s, u"trade_status_sync"_s},
        {u"trade_status"_s, u"TRADE_SUCCESS"_s},
        {u"receipt_amount"_s, paid},
        {u"buyer_pay_amount"_s, paid},
        {u"app_id"_s, QString(SandboxKeys::AlipayAppId)},
        {u"seller_id"_s, QString(SandboxKeys::AlipaySellerId)},
        {u"gmt_payment"_s, beijingTime(trade.paidAtMs)},
        {u"version"_s, u"1.0"_s},
        {u"out_trade_no"_s, trade.outTradeNo},
        {u"total_amount"_s, paid},
        {u"trade_no"_s, trade.tradeNo},
        {u"auth_app_id"_s, QString(SandboxKeys::AlipayAppId)},
        {u"buyer_logon_id"_s, trade.buyerLogonId},
        {u"point_amount"_s, u"0.00"_s},
    };
    record.payload = FormUrlEncoded::encode(fields);
    record.state = u"pending"_s;
    const QString id = record.id;
    return data.addNotification(trade, std::move(record)) ? id : QString();
}

OutboundRequest AlipaySim::renderNotification(const NotificationRecord &record, bool badSignature) const
{
    FormFields fields = FormUrlEncoded::parse(record.payload).value();
    fields.append({u"notify_time"_s, beijingTime(nowMs())});
    // rsaCheckV1: sign and sign_type are not part of the signed content.
    const QByteArray content = AlipaySignContent::forNotifyV1(fields).value();
    const auto sign = RsaSignature::signBase64(m_keys.alipayPrivateKey, badSignature ? content + "&" : content);
    fields.append({u"sign_type"_s, u"RSA2"_s});
    fields.append({u"sign"_s, sign ? QString::fromLatin1(*sign) : QString()});
    OutboundRequest request;
    request.method = "POST";
    request.headers.append(
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/x-www-form-urlencoded; charset=utf-8")});
    request.body = FormUrlEncoded::encode(fields);
    return request;
}

bool AlipaySim::acknowledges(const OutboundResponse &response)
{
    return response.ok() && response.status >= 200 && response.status < 300 && response.body == "success";
}

} // namespace paydesk::sandbox
