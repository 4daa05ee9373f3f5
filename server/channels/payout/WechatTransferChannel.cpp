#include "server/channels/payout/WechatTransferChannel.h"

#include "common/crypto/RsaOaep.h"
#include "common/money/Money.h"
#include "common/protocol/ApiError.h"
#include "common/protocol/WechatPaySign.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace paydesk {

using namespace wechatpay;

namespace {

// What WeChat shows the payee when we give no memo ("withdrawal").
const QString kDefaultRemark = u"提现"_s;

[[noreturn]] void invalidConfig(const QString &field, const QString &message)
{
    throw ApiError(ErrorCode::ValidationFailed, message, QJsonObject{{u"field"_s, field}});
}

// The account checks of WechatPayClient, with the payout configuration's field names.
WechatPayClient makeClient(const PayoutConfig &config, HttpClient &http, Clock clock)
{
    try {
        return WechatPayClient(WechatPayAccount{config.merchantId, config.merchantCertSerial, config.privateKeyPem,
                                                config.providerKeys, config.gatewayUrl, config.gatewayCa,
                                                config.timeoutMs},
                               http, std::move(clock));
    } catch (const ApiError &error) {
        if (error.details().value(u"field"_s).toString() == u"platform_keys"_s)
            invalidConfig(u"provider_keys"_s, error.message());
        throw;
    }
}

std::optional<qint64> fen(const QJsonValue &value)
{
    const std::optional<Money> money = Money::fromJsonMinorUnits(value);
    if (!money)
        return std::nullopt;
    return money->minorUnits();
}

// The exchange log keeps a prefix of the openid and no trace of the (encrypted) name.
QByteArray maskedTransfer(const QJsonObject &object)
{
    QJsonObject copy = object;
    const auto maskDetail = [](QJsonObject detail) {
        if (detail.contains(u"openid"_s))
            detail.insert(u"openid"_s, maskIdentifier(detail.value(u"openid"_s).toString()));
        if (detail.contains(u"user_name"_s))
            detail.insert(u"user_name"_s, u"(encrypted)"_s);
        return detail;
    };
    if (copy.contains(u"transfer_detail_list"_s)) {
        QJsonArray details;
        for (const QJsonValue &detail : copy.value(u"transfer_detail_list"_s).toArray())
            details.append(maskDetail(detail.toObject()));
        copy.insert(u"transfer_detail_list"_s, details);
    }
    return compactJson(maskDetail(copy));
}

std::optional<PayoutState> detailStateOf(const QString &status)
{
    if (isOneOf(status, {"INIT"_L1, "WAIT_PAY"_L1, "PROCESSING"_L1}))
        return PayoutState::Processing;
    if (status == u"SUCCESS"_s)
        return PayoutState::Success;
    if (status == u"FAIL"_s)
        return PayoutState::Failed;
    return std::nullopt;
}

using channelcalls::adopt;
using channelcalls::malformed;

QString requestProblem(const PayoutRequest &request)
{
    if (!matchesWhole(request.payoutNo, u"[0-9A-Za-z]{5,32}"_s))
        return u"payout_no must be 5 to 32 letters or digits (out_batch_no / out_detail_no)"_s;
    if (request.amount <= 0 || request.amount > WechatTransferChannel::MaxAmount)
        return u"amount must be from 1 to %1 fen"_s.arg(WechatTransferChannel::MaxAmount);
    if (request.currency != u"CNY"_s)
        return u"WeChat transfers are in CNY only"_s;
    if (!matchesWhole(request.openId, u"[0-9A-Za-z_-]{1,128}"_s))
        return u"openid must be 1 to 128 letters, digits, '_' or '-'"_s;
    if (request.holderName.size() > 64 || request.memo.size() > 32)
        return u"user_name is limited to 64 characters and the memo to 32"_s;
    return {};
}

} // namespace

WechatTransferChannel::WechatTransferChannel(PayoutConfig config, HttpClient &http, Clock clock)
    : m_config(std::move(config)), m_client(makeClient(m_config, http, std::move(clock)))
{
    if (!matchesWhole(m_config.appId, u"[0-9A-Za-z_]{1,32}"_s))
        invalidConfig(u"app_id"_s, u"The WeChat appid must be 1 to 32 letters, digits or '_'."_s);
    // Batch notifications arrive encrypted with the API v3 key (AEAD_AES_256_GCM).
    if (m_config.apiV3Key.size() != 32)
        invalidConfig(u"api_v3_key"_s, u"The API v3 key must be exactly 32 characters."_s);
    if (m_client.requestKey().isNull())
        invalidConfig(u"provider_keys"_s, u"No platform key to encrypt user_name with."_s);
}

WechatTransferChannel::~WechatTransferChannel() = default;

PayoutResult WechatTransferChannel::submit(const PayoutRequest &request)
{
    PayoutResult result;
    result.payout.payoutNo = request.payoutNo;
    result.exchange.operation = u"payout"_s;
    result.exchange.direction = u"out"_s;
    result.exchange.verification = u"n/a"_s;
    if (const QString problem = requestProblem(request); !problem.isEmpty()) {
        result.outcome = CallOutcome::Rejected; // not sent
        result.error = {u"INVALID_REQUEST"_s, problem};
        return result;
    }
    const QString remark = request.memo.isEmpty() ? kDefaultRemark : request.memo;
    QJsonObject detail{{u"out_detail_no"_s, request.payoutNo},
                       {u"transfer_amount"_s, request.amount},
                       {u"transfer_remark"_s, remark},
                       {u"openid"_s, request.openId}};
    if (!request.holderName.isEmpty()) {
        // Sensitive fields travel RSA-OAEP encrypted with the platform key that Wechatpay-Serial names.
        const CryptoResult<QByteArray> userName
            = RsaOaep::encryptBase64(m_client.requestKey(), request.holderName.toUtf8());
        if (!userName) {
            result.outcome = CallOutcome::Rejected;
            result.error = {u"ENCRYPTION_FAILED"_s, userName.error()};
            return result;
        }
        detail.insert(u"user_name"_s, QString::fromLatin1(*userName));
    }
    QJsonObject body{{u"appid"_s, m_config.appId},
                     {u"out_batch_no"_s, request.payoutNo},
                     {u"batch_name"_s, remark},
                     {u"batch_remark"_s, remark},
                     {u"total_amount"_s, request.amount},
                     {u"total_num"_s, 1},
                     {u"transfer_detail_list"_s, QJsonArray{detail}}};
    if (!m_config.notifyUrl.isEmpty())
        body.insert(u"notify_url"_s, m_config.notifyUrl);
    const WechatPayReply reply = m_client.send(u"payout"_s, "POST", m_client.apiUrl("/v3/transfer/batches"),
                                               compactJson(body), WechatPayClient::Expect::SignedJson);
    adopt(result, reply);
    result.exchange.request = maskedTransfer(body);
    if (reply.outcome != CallOutcome::Ok)
        return result;
    const QString outBatchNo = reply.json.value(u"out_batch_no"_s).toString();
    if (outBatchNo != request.payoutNo)
        return malformed(result, u"the answer is about out_batch_no %1"_s.arg(outBatchNo.left(32)));
    result.payout.providerPayoutId = reply.json.value(u"batch_id"_s).toString();
    result.payout.rawState = reply.json.value(u"batch_status"_s).toString();
    result.payout.amount = request.amount;
    if (result.payout.providerPayoutId.isEmpty())
        return malformed(result, u"no batch_id"_s);
    if (result.payout.rawState == u"CLOSED"_s) {
        result.payout.state = PayoutState::Failed;
        result.payout.failureCode = reply.json.value(u"close_reason"_s).toString(u"BATCH_CLOSED"_s);
        return result;
    }
    // ACCEPTED / PROCESSING, and FINISHED too: only the detail says how the transfer ended.
    result.payout.state = PayoutState::Processing;
    return result;
}

PayoutResult WechatTransferChannel::query(const QString &payoutNo)
{
    PayoutResult result;
    result.payout.payoutNo = payoutNo;
    if (!matchesWhole(payoutNo, u"[0-9A-Za-z]{5,32}"_s)) {
        result.outcome = CallOutcome::Rejected;
        result.error = {u"INVALID_REQUEST"_s, u"payout_no must be 5 to 32 letters or digits"_s};
        return result;
    }
    const QByteArray no = encoded(payoutNo);
    const WechatPayReply reply
        = m_client.send(u"payout_query"_s, "GET",
                        m_client.apiUrl("/v3/transfer/batches/out-batch-no/" + no + "/details/out-detail-no/" + no), {},
                        WechatPayClient::Expect::SignedJson);
    adopt(result, reply);
    bool isObject = false;
    const QJsonObject answer = jsonObjectOf(reply.exchange.response, &isObject);
    if (isObject)
        result.exchange.response = maskedTransfer(answer);
    if (reply.outcome == CallOutcome::Rejected
        && isOneOf(reply.error.code, {"NOT_FOUND"_L1, "RESOURCE_NOT_EXISTS"_L1})) {
        result.outcome = CallOutcome::Ok;
        result.payout.state = PayoutState::NotFound;
        result.payout.rawState = reply.error.code;
        result.error = {};
        return result;
    }
    if (reply.outcome != CallOutcome::Ok)
        return result;
    const QJsonObject &detail = reply.json;
    if (detail.value(u"out_detail_no"_s).toString() != payoutNo)
        return malformed(
            result,
            u"the answer is about out_detail_no %1"_s.arg(detail.value(u"out_detail_no"_s).toString().left(32)));
    if (detail.value(u"mchid"_s).toString() != m_config.merchantId)
        return malformed(result, u"the answer is about mchid %1"_s.arg(detail.value(u"mchid"_s).toString().left(32)));
    PayoutInfo &payout = result.payout;
    payout.rawState = detail.value(u"detail_status"_s).toString();
    const std::optional<PayoutState> state = detailStateOf(payout.rawState);
    if (!state)
        return malformed(result, u"unknown detail_status \"%1\""_s.arg(payout.rawState.left(32)));
    const std::optional<qint64> amount = fen(detail.value(u"transfer_amount"_s));
    if (!amount)
        return malformed(result, u"no valid transfer_amount"_s);
    payout.state = *state;
    payout.amount = *amount;
    payout.providerPayoutId = detail.value(u"batch_id"_s).toString();
    if (payout.state == PayoutState::Failed) {
        payout.failureCode = detail.value(u"fail_reason"_s).toString(u"FAIL"_s);
        payout.failureReason = payout.failureCode;
    }
    if (payout.state != PayoutState::Processing)
        payout.finishedAtMs = parseRfc3339(detail.value(u"update_time"_s));
    return result;
}

CardCheckResult WechatTransferChannel::verifyCard(const QString &, const QString &, const QString &)
{
    // Transfers go to a WeChat balance; WeChat checks user_name itself when it pays.
    CardCheckResult result;
    result.outcome = CallOutcome::Rejected;
    result.error = {u"NOT_SUPPORTED"_s, u"wechat_transfer pays to WeChat balances, not to bank cards"_s};
    result.exchange.operation = u"verify_card"_s;
    result.exchange.direction = u"out"_s;
    result.exchange.verification = u"n/a"_s;
    return result;
}

PayoutNotificationResult WechatTransferChannel::parseNotification(const InboundNotification &notification)
{
    PayoutNotificationResult result;
    result.exchange.operation = u"notify"_s;
    result.exchange.direction = u"in"_s;
    result.exchange.url = m_config.notifyUrl;
    result.exchange.request = notification.body;
    result.exchange.verification = u"n/a"_s;
    const auto reject = [&result](const QString &why) {
        result.accepted = false;
        result.rejectReason = why;
        result.answer = WechatPayClient::acknowledgement(false, why);
        return result;
    };

    QString refusal;
    const std::optional<WechatPayNotification> opened
        = m_client.openNotification(notification, m_config.apiV3Key, &result.exchange.verification, &refusal);
    if (!opened)
        return reject(refusal);
    result.notifyId = opened->id;
    const QString &eventType = opened->eventType;
    const QJsonObject &batch = opened->content;
    result.exchange.request = notification.body + '\n' + opened->plaintext;
    if (!isOneOf(eventType, {"MCHTRANSFER.BATCH.FINISHED"_L1, "MCHTRANSFER.BATCH.CLOSED"_L1}))
        return reject(u"unexpected event_type %1"_s.arg(eventType.left(64)));
    if (batch.value(u"mchid"_s).toString() != m_config.merchantId)
        return reject(u"addressed to mchid %1"_s.arg(batch.value(u"mchid"_s).toString().left(32)));

    PayoutInfo &payout = result.payout;
    payout.payoutNo = batch.value(u"out_batch_no"_s).toString();
    payout.providerPayoutId = batch.value(u"batch_id"_s).toString();
    payout.rawState = batch.value(u"batch_status"_s).toString();
    payout.finishedAtMs = parseRfc3339(batch.value(u"update_time"_s));
    if (payout.payoutNo.isEmpty() || payout.providerPayoutId.isEmpty())
        return reject(u"no out_batch_no or batch_id"_s);
    // One detail per batch: the counts say how it ended; the reason of a failure is only in the
    // detail (query it).
    const std::optional<qint64> successNum = fen(batch.value(u"success_num"_s));
    const std::optional<qint64> failNum = fen(batch.value(u"fail_num"_s));
    if (payout.rawState == u"CLOSED"_s) {
        payout.state = PayoutState::Failed;
        payout.failureCode = batch.value(u"close_reason"_s).toString(u"BATCH_CLOSED"_s);
        payout.amount = fen(batch.value(u"total_amount"_s)).value_or(0);
    } else if (payout.rawState == u"FINISHED"_s && successNum && failNum && *successNum + *failNum == 1) {
        const bool success = *successNum == 1;
        payout.state = success ? PayoutState::Success : PayoutState::Failed;
        payout.amount = fen(batch.value(success ? u"success_amount"_s : u"fail_amount"_s)).value_or(0);
        if (!success)
            payout.failureCode = u"FAIL"_s;
    } else {
        return reject(
            u"batch_status %1 with success_num/fail_num not describing one transfer"_s.arg(payout.rawState.left(32)));
    }
    result.accepted = true;
    result.answer = WechatPayClient::acknowledgement(true, {});
    return result;
}

} // namespace paydesk
