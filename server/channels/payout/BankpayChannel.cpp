#include "server/channels/payout/BankpayChannel.h"
#include "common/util/Patterns.h"

#include "common/crypto/Random.h"
#include "common/protocol/ApiError.h"
#include "server/channels/payout/BankpayProtocol.h"
#include "server/net/HttpClient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBankpay, "paydesk.channels.bankpay")

namespace paydesk {

namespace {

constexpr int kMaxTimeoutMs = 120'000;
constexpr qsizetype kMaxResponseBytes = BankpayProtocol::MaxMessageBytes;

[[noreturn]] void invalidConfig(const QString &field, const QString &message)
{
    throw ApiError(ErrorCode::ValidationFailed, message, QJsonObject{{u"field"_s, field}});
}

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && (url.scheme() == u"https"_s || url.scheme() == u"http"_s) && !url.host().isEmpty()
        && !url.hasQuery() && !url.hasFragment();
}

// The channel log never holds a card number or a full name.
QJsonObject masked(QJsonObject message)
{
    if (message.contains(u"account_no"_s))
        message.insert(u"account_no"_s, maskCardNo(message.value(u"account_no"_s).toString()));
    if (message.contains(u"account_name"_s))
        message.insert(u"account_name"_s, maskName(message.value(u"account_name"_s).toString()));
    return message;
}

QByteArray maskedBody(const QByteArray &body)
{
    QString why;
    const std::optional<QJsonObject> object = BankpayProtocol::parse(body, &why);
    // Not JSON: keep a prefix only, it could echo anything we sent.
    return object ? BankpayProtocol::serialize(masked(*object)) : body.left(256);
}

QString requestProblem(const PayoutRequest &request)
{
    if (!matchesWhole(request.payoutNo, u"[0-9A-Za-z]{5,32}"_s))
        return u"payout_no must be 5 to 32 letters or digits"_s;
    if (request.amount <= 0 || request.amount > BankpayChannel::MaxAmount)
        return u"amount must be from 1 to %1 fen"_s.arg(BankpayChannel::MaxAmount);
    if (request.currency != u"CNY"_s)
        return u"bankpay pays CNY only"_s;
    if (!matchesWhole(request.cardNo, u"[0-9]{12,19}"_s))
        return u"the card number must be 12 to 19 digits"_s;
    if (request.holderName.trimmed().isEmpty() || request.holderName.size() > 64)
        return u"the holder name must be 1 to 64 characters"_s;
    if (!matchesWhole(request.bankCode, u"[A-Z0-9_]{2,16}"_s))
        return u"the bank code must be 2 to 16 upper-case letters, digits or '_'"_s;
    if (request.bankName.size() > 64 || request.memo.size() > 32)
        return u"the bank name is limited to 64 characters and the memo to 32"_s;
    return {};
}

std::optional<PayoutState> stateOf(const QString &status)
{
    if (status == u"PROCESSING"_s)
        return PayoutState::Processing;
    if (status == u"SUCCESS"_s)
        return PayoutState::Success;
    if (status == u"FAILED"_s)
        return PayoutState::Failed;
    return std::nullopt;
}

// A verified answer or notification about one payout; nullopt and *why when unreadable.
std::optional<PayoutInfo> payoutFrom(const QJsonObject &message, QString *why)
{
    PayoutInfo payout;
    payout.rawState = message.value(u"status"_s).toString();
    const std::optional<PayoutState> state = stateOf(payout.rawState);
    if (!state) {
        *why = u"unknown status \"%1\""_s.arg(payout.rawState.left(32));
        return std::nullopt;
    }
    payout.state = *state;
    payout.payoutNo = message.value(u"payout_no"_s).toString();
    payout.providerPayoutId = message.value(u"payout_id"_s).toString();
    if (payout.payoutNo.isEmpty() || payout.providerPayoutId.isEmpty()) {
        *why = u"no payout_no or payout_id"_s;
        return std::nullopt;
    }
    QString amountError;
    const std::optional<qint64> amount = parseYuan(message.value(u"amount"_s).toString(), &amountError);
    if (!amount) {
        *why = amountError;
        return std::nullopt;
    }
    payout.amount = *amount;
    payout.failureCode = message.value(u"fail_code"_s).toString();
    payout.failureReason = message.value(u"fail_reason"_s).toString();
    if (payout.state == PayoutState::Failed && payout.failureCode.isEmpty()) {
        *why = u"FAILED without fail_code"_s;
        return std::nullopt;
    }
    const QDateTime finished = QDateTime::fromString(message.value(u"finished_at"_s).toString(), Qt::ISODate);
    payout.finishedAtMs = finished.isValid() ? finished.toMSecsSinceEpoch() : 0;
    return payout;
}

} // namespace

BankpayChannel::BankpayChannel(PayoutConfig config, HttpClient &http, Clock clock)
    : m_config(std::move(config)), m_http(http), m_clock(std::move(clock))
{
    if (!matchesWhole(m_config.merchantId, u"[0-9A-Za-z]{1,32}"_s))
        invalidConfig(u"merchant_id"_s, u"The bankpay merchant_id must be 1 to 32 letters or digits."_s);
    if (!m_config.merchantCertSerial.isEmpty() && !matchesWhole(m_config.merchantCertSerial, u"[0-9A-Za-z_]{1,64}"_s))
        invalidConfig(u"merchant_cert_serial"_s, u"Our key_id must be 1 to 64 letters, digits or '_'."_s);
    CryptoResult<PrivateKey> key = PrivateKey::fromPem(m_config.privateKeyPem);
    if (!key)
        invalidConfig(u"private_key"_s, u"The merchant private key cannot be read: %1"_s.arg(key.error()));
    m_key = std::move(key).value();
    if (m_config.providerKeys.isEmpty())
        invalidConfig(u"provider_keys"_s, u"At least one bankpay public key (by its key_id) is needed."_s);
    for (auto it = m_config.providerKeys.cbegin(); it != m_config.providerKeys.cend(); ++it) {
        if (!matchesWhole(it.key(), u"[0-9A-Za-z_]{1,64}"_s))
            invalidConfig(u"provider_keys"_s, u"A provider key id must be 1 to 64 letters, digits or '_'."_s);
        const CryptoResult<PublicKey> publicKey = PublicKey::fromPem(it.value());
        if (!publicKey)
            invalidConfig(u"provider_keys"_s, u"Provider key %1 cannot be read: %2"_s.arg(it.key(), publicKey.error()));
        m_providerKeys.insert(it.key(), *publicKey);
    }
    if (!isHttpUrl(m_config.gatewayUrl))
        invalidConfig(u"gateway_url"_s, u"The gateway must be an http(s) URL without query."_s);
    if (!m_config.notifyUrl.isEmpty() && !isHttpUrl(QUrl(m_config.notifyUrl)))
        invalidConfig(u"notify_url"_s, u"The notify URL must be an http(s) URL without query."_s);
    if (m_config.timeoutMs < 1 || m_config.timeoutMs > kMaxTimeoutMs)
        invalidConfig(u"timeout_ms"_s, u"The timeout must be from 1 to %1 ms."_s.arg(kMaxTimeoutMs));
}

BankpayChannel::~BankpayChannel() = default;

qint64 BankpayChannel::nowSeconds() const
{
    return m_clock() / 1000;
}

QString BankpayChannel::checkMessage(const QJsonObject &message) const
{
    const QString keyId = message.value(u"key_id"_s).toString();
    const auto key = m_providerKeys.constFind(keyId);
    if (key == m_providerKeys.cend())
        return u"unknown key_id \"%1\""_s.arg(keyId.left(64));
    const QString signature = BankpayProtocol::verify(*key, message);
    if (!signature.isEmpty())
        return signature + u" (key_id "_s + keyId + u')';
    // A captured answer or notification must not be replayable later (nor pre-dated).
    const QString timestamp = BankpayProtocol::checkTimestamp(message, nowSeconds());
    if (!timestamp.isEmpty())
        return timestamp;
    // Signed by the provider, but possibly for another of its merchants.
    const QString merchantId = message.value(u"merchant_id"_s).toString();
    if (merchantId != m_config.merchantId)
        return u"addressed to merchant_id %1"_s.arg(merchantId.left(32));
    return {};
}

BankpayChannel::Reply BankpayChannel::call(const QString &operation, const QByteArray &path, QJsonObject fields) const
{
    QByteArray base = m_config.gatewayUrl.toEncoded(QUrl::RemoveQuery | QUrl::RemoveFragment);
    while (base.endsWith('/'))
        base.chop(1);
    const QUrl url = QUrl::fromEncoded(base + path, QUrl::StrictMode);

    Reply reply;
    reply.exchange.operation = operation;
    reply.exchange.direction = u"out"_s;
    reply.exchange.url = url.toString();
    reply.exchange.verification = u"n/a"_s;

    fields.insert(u"merchant_id"_s, m_config.merchantId);
    fields.insert(u"timestamp"_s, QString::number(nowSeconds()));
    fields.insert(u"nonce"_s, Random::alphanumeric(32));
    if (!m_config.merchantCertSerial.isEmpty())
        fields.insert(u"key_id"_s, m_config.merchantCertSerial);
    const CryptoResult<QJsonObject> signedFields = BankpayProtocol::sign(m_key, fields);
    if (!signedFields) {
        // Nothing left Paydesk: the payout certainly was not made.
        reply.outcome = CallOutcome::Rejected;
        reply.error = {u"SIGNING_FAILED"_s, signedFields.error()};
        reply.exchange.request = BankpayProtocol::serialize(masked(fields));
        return reply;
    }
    reply.exchange.request = BankpayProtocol::serialize(masked(*signedFields));

    OutboundRequest request;
    request.method = "POST";
    request.url = url;
    request.body = BankpayProtocol::serialize(*signedFields);
    request.timeoutMs = m_config.timeoutMs;
    request.extraCa = m_config.gatewayCa;
    request.maxResponseBytes = kMaxResponseBytes;
    request.headers = {{"Content-Type", "application/json; charset=utf-8"},
                       {"Accept", "application/json"},
                       {"User-Agent", "Paydesk/" PAYDESK_VERSION}};
    QElapsedTimer timer;
    timer.start();
    const OutboundResponse response = m_http.sendAndWait(std::move(request));
    reply.exchange.elapsedMs = timer.elapsed();
    reply.exchange.httpStatus = response.status;
    reply.exchange.response = maskedBody(response.body);
    if (!response.ok()) {
        const bool timeout = response.outcome == OutboundResponse::Outcome::Timeout;
        reply.error = {timeout ? u"TIMEOUT"_s : u"TRANSPORT"_s, response.error};
        return reply;
    }
    // The provider answers every request it processed with HTTP 200 and a signed body; anything
    // else (503 while down, a proxy's 502) says nothing about what happened.
    if (response.status != 200) {
        reply.error = {u"HTTP_%1"_s.arg(response.status), u"the provider answered HTTP %1"_s.arg(response.status)};
        return reply;
    }
    QString why;
    const std::optional<QJsonObject> answer = BankpayProtocol::parse(response.body, &why);
    if (!answer) {
        reply.error = {u"BAD_RESPONSE"_s, why};
        return reply;
    }
    const QString failure = checkMessage(*answer);
    if (!failure.isEmpty()) {
        reply.exchange.verification = u"failed: "_s + failure;
        reply.error = {u"BAD_SIGNATURE"_s, failure};
        qCWarning(lcBankpay).noquote() << operation << "answer rejected:" << failure;
        return reply;
    }
    reply.exchange.verification = u"ok"_s;
    reply.json = *answer;
    const QString code = answer->value(u"code"_s).toString();
    if (code == u"SUCCESS"_s) {
        reply.outcome = CallOutcome::Ok;
        return reply;
    }
    reply.error = {code, answer->value(u"message"_s).toString()};
    // SYSTEM_ERROR: the provider itself does not know; every other code is a definite refusal.
    reply.outcome = code.isEmpty() || code == u"SYSTEM_ERROR"_s ? CallOutcome::Unknown : CallOutcome::Rejected;
    return reply;
}

namespace {

using channelcalls::adopt;
using channelcalls::malformed;

} // namespace

PayoutResult BankpayChannel::submit(const PayoutRequest &request)
{
    PayoutResult result;
    result.payout.payoutNo = request.payoutNo;
    if (const QString problem = requestProblem(request); !problem.isEmpty()) {
        result.outcome = CallOutcome::Rejected; // not sent
        result.error = {u"INVALID_REQUEST"_s, problem};
        result.exchange.operation = u"payout"_s;
        result.exchange.direction = u"out"_s;
        result.exchange.verification = u"n/a"_s;
        return result;
    }
    QJsonObject fields{{u"payout_no"_s, request.payoutNo}, {u"amount"_s, formatYuan(request.amount)},
                       {u"currency"_s, request.currency},  {u"bank_code"_s, request.bankCode},
                       {u"account_no"_s, request.cardNo},  {u"account_name"_s, request.holderName}};
    if (!request.bankName.isEmpty())
        fields.insert(u"bank_name"_s, request.bankName);
    if (!request.memo.isEmpty())
        fields.insert(u"memo"_s, request.memo);
    if (!m_config.notifyUrl.isEmpty())
        fields.insert(u"notify_url"_s, m_config.notifyUrl);
    const Reply reply = call(u"payout"_s, "/v1/payout", fields);
    adopt(result, reply);
    if (reply.outcome != CallOutcome::Ok)
        return result;
    QString why;
    const std::optional<PayoutInfo> payout = payoutFrom(reply.json, &why);
    if (!payout)
        return malformed(result, why);
    if (payout->payoutNo != request.payoutNo)
        return malformed(result, u"the answer is about payout_no %1"_s.arg(payout->payoutNo));
    if (payout->amount != request.amount)
        return malformed(result,
                         u"the answer states %1 fen, we asked for %2"_s.arg(payout->amount).arg(request.amount));
    result.payout = *payout;
    return result;
}

PayoutResult BankpayChannel::query(const QString &payoutNo)
{
    PayoutResult result;
    result.payout.payoutNo = payoutNo;
    if (!matchesWhole(payoutNo, u"[0-9A-Za-z]{5,32}"_s)) {
        result.outcome = CallOutcome::Rejected;
        result.error = {u"INVALID_REQUEST"_s, u"payout_no must be 5 to 32 letters or digits"_s};
        return result;
    }
    const Reply reply = call(u"payout_query"_s, "/v1/payout/query", {{u"payout_no"_s, payoutNo}});
    adopt(result, reply);
    if (reply.outcome == CallOutcome::Rejected && reply.error.code == u"PAYOUT_NOT_FOUND"_s) {
        result.outcome = CallOutcome::Ok;
        result.payout.state = PayoutState::NotFound;
        result.payout.rawState = reply.error.code;
        result.error = {};
        return result;
    }
    if (reply.outcome != CallOutcome::Ok)
        return result;
    QString why;
    const std::optional<PayoutInfo> payout = payoutFrom(reply.json, &why);
    if (!payout)
        return malformed(result, why);
    if (payout->payoutNo != payoutNo)
        return malformed(result, u"the answer is about payout_no %1"_s.arg(payout->payoutNo));
    result.payout = *payout;
    return result;
}

CardCheckResult BankpayChannel::verifyCard(const QString &cardNo, const QString &holderName, const QString &bankCode)
{
    CardCheckResult result;
    if (!matchesWhole(cardNo, u"[0-9]{12,19}"_s) || holderName.trimmed().isEmpty() || holderName.size() > 64
        || !matchesWhole(bankCode, u"[A-Z0-9_]{2,16}"_s)) {
        result.outcome = CallOutcome::Rejected;
        result.error = {u"INVALID_REQUEST"_s, u"needs a 12 to 19 digit card number, a holder name and a bank code"_s};
        result.exchange.operation = u"verify_card"_s;
        result.exchange.direction = u"out"_s;
        return result;
    }
    const Reply reply = call(u"verify_card"_s, "/v1/card/verify",
                             {{u"account_no"_s, cardNo}, {u"account_name"_s, holderName}, {u"bank_code"_s, bankCode}});
    adopt(result, reply);
    if (reply.outcome != CallOutcome::Ok)
        return result;
    const QString verdict = reply.json.value(u"result"_s).toString();
    result.message = reply.json.value(u"message"_s).toString();
    if (verdict == u"MATCH"_s)
        result.check = CardCheck::Verified;
    else if (verdict == u"MISMATCH"_s)
        result.check = CardCheck::Mismatch;
    else if (verdict == u"UNKNOWN"_s)
        result.check = CardCheck::Unknown;
    else
        return malformed(result, u"unknown result \"%1\""_s.arg(verdict.left(32)));
    return result;
}

PayoutNotificationResult BankpayChannel::parseNotification(const InboundNotification &notification)
{
    PayoutNotificationResult result;
    result.exchange.operation = u"notify"_s;
    result.exchange.direction = u"in"_s;
    result.exchange.url = m_config.notifyUrl;
    result.exchange.request = maskedBody(notification.body);
    result.exchange.verification = u"n/a"_s;
    const auto reject = [&result](const QString &why) {
        result.accepted = false;
        result.rejectReason = why;
        // Anything but {"code":"SUCCESS"} has the provider deliver again later.
        result.answer = HttpResponse::json(400, QJsonObject{{u"code"_s, u"FAIL"_s}, {u"message"_s, why}});
        return result;
    };

    QString why;
    const std::optional<QJsonObject> message = BankpayProtocol::parse(notification.body, &why);
    if (!message)
        return reject(why);
    const QString failure = checkMessage(*message);
    if (!failure.isEmpty()) {
        result.exchange.verification = u"failed: "_s + failure;
        return reject(failure);
    }
    result.exchange.verification = u"ok"_s;
    result.notifyId = message->value(u"notify_id"_s).toString();
    if (result.notifyId.isEmpty())
        return reject(u"no notify_id"_s);
    const std::optional<PayoutInfo> payout = payoutFrom(*message, &why);
    if (!payout)
        return reject(u"unreadable payout: "_s + why);
    if (payout->state != PayoutState::Success && payout->state != PayoutState::Failed)
        return reject(u"a notification must carry a final status, not %1"_s.arg(payout->rawState));
    result.payout = *payout;
    result.accepted = true;
    result.answer = HttpResponse::json(200, QJsonObject{{u"code"_s, u"SUCCESS"_s}});
    return result;
}

} // namespace paydesk
