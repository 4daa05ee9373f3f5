#include "server/sandbox/WechatTransferSim.h"
#include "common/util/Patterns.h"

#include "common/crypto/RsaOaep.h"
#include "common/money/Money.h"
#include "server/sandbox/Faults.h"
#include "server/sandbox/HeldResponses.h"
#include "server/sandbox/WechatSim.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTransferSim, "paydesk.sandbox.transfer")

namespace paydesk::sandbox {

namespace {

constexpr qint64 kMaxAmountFen = 100'000'000;
const QByteArray kJsonType = QByteArrayLiteral("application/json; charset=utf-8");

HttpResponse wxError(int status, const QString &code, const QString &message)
{
    return jsonResponse(status, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}, kJsonType);
}

HttpResponse paramError(const QString &message)
{
    return wxError(400, u"PARAM_ERROR"_s, message);
}

// The detail's word for the payout state.
QString detailStatus(const PayoutRecord &payout)
{
    if (payout.status == u"SUCCESS"_s)
        return u"SUCCESS"_s;
    if (payout.status == u"FAILED"_s)
        return u"FAIL"_s;
    return u"PROCESSING"_s;
}

QJsonObject batchAnswer(const PayoutRecord &payout)
{
    return QJsonObject{{u"out_batch_no"_s, payout.payoutNo},
                       {u"batch_id"_s, payout.payoutId},
                       {u"create_time"_s, beijingRfc3339(payout.createdAtMs)},
                       {u"batch_status"_s, payout.isFinal() ? u"FINISHED"_s : u"ACCEPTED"_s}};
}

} // namespace

WechatTransferSim::WechatTransferSim(PayoutBook &payouts, Faults &faults, const SandboxKeys &keys, WechatSim &wechat,
                                     HeldResponses &held)
    : m_payouts(payouts), m_faults(faults), m_keys(keys), m_wechat(wechat), m_held(held)
{
}

void WechatTransferSim::registerRoutes(Router &router)
{
    add(router, "POST", "/v3/transfer/batches", u"payout"_s,
        [this](HttpRequest &request) { return createBatch(request); });
    add(router, "GET", "/v3/transfer/batches/out-batch-no/{out_batch_no}/details/out-detail-no/{out_detail_no}",
        u"payout_query"_s, [this](HttpRequest &request) { return queryDetail(request); });
}

void WechatTransferSim::add(Router &router, QByteArrayView method, QByteArrayView pattern, const QString &operation,
                            Operation handler)
{
    router.routeAsync(method, pattern, [this, operation, handler](HttpRequest &request) -> QFuture<HttpResponse> {
        const ChannelFaults faults = m_faults.get(SimChannel::WechatTransfer);
        if (faults.down) {
            HttpResponse unavailable = wxError(503, u"SYSTEM_ERROR"_s, u"系统错误 (sandbox fault: down)"_s);
            return QtFuture::makeReadyFuture(std::move(unavailable));
        }
        HttpResponse response;
        if (std::optional<HttpResponse> denied = m_wechat.authenticate(request)) {
            response = std::move(*denied);
        } else {
            try {
                response = handler(request);
            } catch (const std::exception &error) {
                qCWarning(lcTransferSim) << "handler failed:" << error.what();
                response = wxError(500, u"SYSTEM_ERROR"_s, u"系统错误"_s);
            }
        }
        m_wechat.sign(response, faults.badSignature);
        response.headers.append({QByteArrayLiteral("Request-ID"), randomUpperHex(40)});
        if (faults.timesOut(operation))
            return m_held.hold(std::move(response));
        return QtFuture::makeReadyFuture(std::move(response));
    });
}

HttpResponse WechatTransferSim::createBatch(HttpRequest &request)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return paramError(u"请求体不是合法的 JSON 对象"_s);
    const QJsonObject body = document.object();
    if (body.value(u"appid"_s).toString() != SandboxKeys::WechatAppId)
        return wxError(400, u"INVALID_REQUEST"_s, u"appid 与商户号不匹配"_s);
    const QString outBatchNo = body.value(u"out_batch_no"_s).toString();
    const QString batchName = body.value(u"batch_name"_s).toString();
    const QString batchRemark = body.value(u"batch_remark"_s).toString();
    const QString notifyUrl = body.value(u"notify_url"_s).toString();
    const QJsonArray details = body.value(u"transfer_detail_list"_s).toArray();
    const std::optional<Money> total = Money::fromJsonMinorUnits(body.value(u"total_amount"_s));
    if (!matchesWhole(outBatchNo, u"^[0-9A-Za-z]{5,32}$"_s))
        return paramError(u"out_batch_no 须为 5-32 个字母或数字"_s);
    if (batchName.isEmpty() || batchName.size() > 32 || batchRemark.isEmpty() || batchRemark.size() > 32)
        return paramError(u"batch_name 与 batch_remark 须为 1-32 个字符"_s);
    // The real API takes up to 1000 details; Paydesk sends one per payout, and so does the sandbox.
    if (details.size() != 1 || body.value(u"total_num"_s).toInt(-1) != 1)
        return paramError(u"the sandbox takes exactly one transfer detail per batch (total_num 1)"_s);
    if (!notifyUrl.isEmpty() && !notifyUrl.startsWith(u"https://"_s) && !notifyUrl.startsWith(u"http://"_s))
        return paramError(u"notify_url 须为 http(s) 地址"_s);
    const QJsonObject detail = details.first().toObject();
    const std::optional<Money> amount = Money::fromJsonMinorUnits(detail.value(u"transfer_amount"_s));
    if (!amount || !amount->isPositive() || amount->minorUnits() > kMaxAmountFen || !total
        || total->minorUnits() != amount->minorUnits())
        return paramError(u"transfer_amount 须为正整数（分），且与 total_amount 一致"_s);
    const QString outDetailNo = detail.value(u"out_detail_no"_s).toString();
    const QString openId = detail.value(u"openid"_s).toString();
    const QString remark = detail.value(u"transfer_remark"_s).toString();
    if (!matchesWhole(outDetailNo, u"^[0-9A-Za-z]{5,32}$"_s))
        return paramError(u"out_detail_no 须为 5-32 个字母或数字"_s);
    // One detail per batch: the sandbox keeps them as one payout under one number.
    if (outDetailNo != outBatchNo)
        return paramError(u"the sandbox needs out_detail_no = out_batch_no"_s);
    if (!matchesWhole(openId, u"^[0-9A-Za-z_-]{1,128}$"_s))
        return paramError(u"openid 不合法"_s);
    if (remark.isEmpty() || remark.size() > 32)
        return paramError(u"transfer_remark 须为 1-32 个字符"_s);
    QString userName;
    if (detail.contains(u"user_name"_s)) {
        // Encrypted with the platform key that Wechatpay-Serial names.
        if (QString::fromLatin1(request.header("wechatpay-serial")) != m_keys.platformSerial)
            return paramError(u"Wechatpay-Serial 须为加密 user_name 所用的平台证书序列号"_s);
        const CryptoResult<QByteArray> plain
            = RsaOaep::decryptBase64(m_keys.platformPrivateKey, detail.value(u"user_name"_s).toString().toLatin1());
        if (!plain)
            return paramError(u"user_name 解密失败：须以平台证书公钥 RSA-OAEP 加密"_s);
        userName = QString::fromUtf8(*plain);
    }

    PayoutRecord candidate;
    candidate.provider = SimChannel::WechatTransfer;
    candidate.payoutNo = outBatchNo;
    candidate.payoutId = u"1030000"_s + randomDigits(24);
    candidate.detailId = u"1040000"_s + randomDigits(24);
    candidate.amount = amount->minorUnits();
    candidate.accountName = userName;
    candidate.openId = openId;
    candidate.appId = body.value(u"appid"_s).toString();
    candidate.memo = remark;
    candidate.notifyUrl = notifyUrl;
    PayoutRecord stored;
    const PayoutBook::Acceptance acceptance = m_payouts.accept(
        candidate,
        [](const PayoutBook::Data &, const PayoutRecord &payout) -> std::optional<PayoutFailure> {
            if (payout.accountName == u"INVALID"_s)
                return PayoutFailure{u"NAME_NOT_CORRECT"_s, u"收款人姓名校验不通过"_s};
            return std::nullopt;
        },
        &stored);
    switch (acceptance) {
    case PayoutBook::Acceptance::Created:
    case PayoutBook::Acceptance::Existing:
        // The same out_batch_no again is the same batch: answered, never paid twice.
        return jsonResponse(200, batchAnswer(stored), kJsonType);
    case PayoutBook::Acceptance::Conflict:
        return wxError(400, u"INVALID_REQUEST"_s, u"商户批次单号已存在且请求参数与之前不一致"_s);
    case PayoutBook::Acceptance::Full: return wxError(500, u"SYSTEM_ERROR"_s, u"系统错误 (too many payouts)"_s);
    }
    return wxError(500, u"SYSTEM_ERROR"_s, u"系统错误"_s);
}

HttpResponse WechatTransferSim::queryDetail(HttpRequest &request)
{
    const QString outBatchNo = request.pathParams.value(u"out_batch_no"_s);
    const QString outDetailNo = request.pathParams.value(u"out_detail_no"_s);
    const std::optional<PayoutRecord> payout
        = outBatchNo == outDetailNo ? m_payouts.query(SimChannel::WechatTransfer, outBatchNo) : std::nullopt;
    if (!payout)
        return wxError(404, u"NOT_FOUND"_s, u"记录不存在"_s);
    return jsonResponse(200, detailJson(*payout), kJsonType);
}

QJsonObject WechatTransferSim::detailJson(const PayoutRecord &payout) const
{
    QJsonObject detail{
        {u"mchid"_s, QString(SandboxKeys::WechatMchId)},
        {u"out_batch_no"_s, payout.payoutNo},
        {u"batch_id"_s, payout.payoutId},
        {u"appid"_s, payout.appId},
        {u"out_detail_no"_s, payout.payoutNo},
        {u"detail_id"_s, payout.detailId},
        {u"detail_status"_s, detailStatus(payout)},
        {u"transfer_amount"_s, payout.amount},
        {u"transfer_remark"_s, payout.memo},
        {u"openid"_s, payout.openId},
        {u"initiate_time"_s, beijingRfc3339(payout.createdAtMs)},
        {u"update_time"_s, beijingRfc3339(payout.finishedAtMs > 0 ? payout.finishedAtMs : payout.createdAtMs)},
    };
    if (payout.status == u"FAILED"_s)
        detail.insert(u"fail_reason"_s, payout.failCode);
    if (!payout.accountName.isEmpty()) {
        // Answers carry sensitive fields encrypted for the merchant (its certificate's key).
        const CryptoResult<QByteArray> userName
            = RsaOaep::encryptBase64(m_keys.merchantPublicKey, payout.accountName.toUtf8());
        if (userName)
            detail.insert(u"user_name"_s, QString::fromLatin1(*userName));
    }
    return detail;
}

std::optional<NotificationRecord> WechatTransferSim::buildNotification(const PayoutRecord &payout)
{
    const bool success = payout.status == u"SUCCESS"_s;
    const QJsonObject resource{
        {u"out_batch_no"_s, payout.payoutNo},
        {u"batch_id"_s, payout.payoutId},
        {u"batch_status"_s, u"FINISHED"_s},
        {u"total_num"_s, 1},
        {u"total_amount"_s, payout.amount},
        {u"success_amount"_s, success ? payout.amount : 0},
        {u"success_num"_s, success ? 1 : 0},
        {u"fail_amount"_s, success ? 0 : payout.amount},
        {u"fail_num"_s, success ? 0 : 1},
        {u"mchid"_s, QString(SandboxKeys::WechatMchId)},
        {u"update_time"_s, beijingRfc3339(payout.finishedAtMs)},
    };
    NotificationRecord record;
    record.kind = u"transfer"_s;
    record.eventType = u"MCHTRANSFER.BATCH.FINISHED"_s;
    record.payload = QJsonDocument(resource).toJson(QJsonDocument::Compact);
    return record;
}

} // namespace paydesk::sandbox
