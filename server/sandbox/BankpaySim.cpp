#include "server/sandbox/BankpaySim.h"
#include "common/util/Patterns.h"

#include "common/crypto/Random.h"
#include "server/channels/payout/BankpayProtocol.h"
#include "server/channels/payout/PayoutChannel.h"
#include "server/sandbox/Faults.h"
#include "server/sandbox/HeldResponses.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBankpaySim, "paydesk.sandbox.bankpay")

namespace paydesk::sandbox {

namespace {

constexpr qint64 kMaxAmountFen = 100'000'000;
const QString kSuccess = u"SUCCESS"_s;

QJsonObject failure(const QString &code, const QString &message)
{
    return QJsonObject{{u"code"_s, code}, {u"message"_s, message}};
}

// What every payout answer and notification states about the payout.
QJsonObject payoutFields(const PayoutRecord &payout)
{
    QJsonObject fields{{u"payout_no"_s, payout.payoutNo},
                       {u"payout_id"_s, payout.payoutId},
                       {u"status"_s, payout.status},
                       {u"amount"_s, formatYuan(payout.amount)}};
    if (payout.status == u"FAILED"_s) {
        fields.insert(u"fail_code"_s, payout.failCode);
        fields.insert(u"fail_reason"_s, payout.failMessage);
    }
    if (payout.finishedAtMs > 0)
        fields.insert(u"finished_at"_s, beijingRfc3339(payout.finishedAtMs));
    return fields;
}

// The card rules of the sandbox (README.md): how a verification of this card comes out.
QString cardVerdict(const PayoutBook::Data &data, const QString &cardNo, const QString &holderName)
{
    if (holderName == u"INVALID"_s || data.invalidCards.contains(cardNo))
        return u"MISMATCH"_s;
    if (holderName == u"UNKNOWN"_s)
        return u"UNKNOWN"_s;
    return u"MATCH"_s;
}

} // namespace

BankpaySim::BankpaySim(PayoutBook &payouts, Faults &faults, const SandboxKeys &keys, HeldResponses &held)
    : m_payouts(payouts), m_faults(faults), m_keys(keys), m_held(held)
{
}

void BankpaySim::registerRoutes(Router &router)
{
    add(router, "/bankpay/v1/payout", u"payout"_s, [this](const QJsonObject &request) { return payout(request); });
    add(router, "/bankpay/v1/payout/query", u"payout_query"_s,
        [this](const QJsonObject &request) { return query(request); });
    add(router, "/bankpay/v1/card/verify", u"verify_card"_s,
        [this](const QJsonObject &request) { return verifyCard(request); });
}

void BankpaySim::add(Router &router, QByteArrayView pattern, const QString &operation, Operation handler)
{
    router.routeAsync("POST", pattern, [this, operation, handler](HttpRequest &request) -> QFuture<HttpResponse> {
        const ChannelFaults faults = m_faults.get(SimChannel::Bankpay);
        if (faults.down) {
            HttpResponse unavailable = HttpResponse::text(503, "service unavailable (sandbox fault: down)");
            return QtFuture::makeReadyFuture(std::move(unavailable));
        }
        QJsonObject answer;
        QString why;
        const std::optional<QJsonObject> body = BankpayProtocol::parse(request.body, &why);
        if (!body) {
            answer = failure(u"PARAM_ERROR"_s, why);
        } else if (const QString denied = authenticate(*body); !denied.isEmpty()) {
            answer = failure(u"SIGN_ERROR"_s, denied);
        } else {
            try {
                answer = handler(*body);
            } catch (const std::exception &error) {
                qCWarning(lcBankpaySim) << "handler failed:" << error.what();
                answer = failure(u"SYSTEM_ERROR"_s, u"system error"_s);
            }
        }
        if (!answer.contains(u"code"_s))
            answer.insert(u"code"_s, kSuccess);
        // Every answer the provider processed is HTTP 200 with a signed body.
        HttpResponse response;
        response.status = 200;
        response.body = BankpayProtocol::serialize(signedMessage(answer, faults.badSignature));
        response.headers.append(
            {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json; charset=utf-8")});
        if (faults.timesOut(operation))
            return m_held.hold(std::move(response));
        return QtFuture::makeReadyFuture(std::move(response));
    });
}

QJsonObject BankpaySim::signedMessage(QJsonObject fields, bool badSignature) const
{
    fields.insert(u"merchant_id"_s, QString(SandboxKeys::BankpayMerchantId));
    fields.insert(u"timestamp"_s, QString::number(nowMs() / 1000));
    fields.insert(u"nonce"_s, Random::alphanumeric(32));
    fields.insert(u"key_id"_s, m_keys.bankpayProviderKeyId);
    CryptoResult<QJsonObject> signedFields = BankpayProtocol::sign(m_keys.bankpayProviderPrivateKey, fields);
    if (!signedFields) {
        qCWarning(lcBankpaySim).noquote() << "cannot sign:" << signedFields.error();
        return fields;
    }
    QJsonObject message = std::move(signedFields).value();
    if (badSignature) {
        // A signature over other content: the nonce changes after signing.
        message.insert(u"nonce"_s, Random::alphanumeric(32));
    }
    return message;
}

QString BankpaySim::authenticate(const QJsonObject &request) const
{
    if (request.value(u"merchant_id"_s).toString() != SandboxKeys::BankpayMerchantId)
        return u"merchant_id is not the sandbox merchant %1"_s.arg(QString(SandboxKeys::BankpayMerchantId));
    const QString keyId = request.value(u"key_id"_s).toString();
    if (!keyId.isEmpty() && keyId != m_keys.bankpayMerchantKeyId)
        return u"key_id %1 is not the merchant key (%2)"_s.arg(keyId.left(64), m_keys.bankpayMerchantKeyId);
    const QString nonce = request.value(u"nonce"_s).toString();
    if (!matchesWhole(nonce, u"^[0-9A-Za-z]{16,64}$"_s))
        return u"nonce must be 16 to 64 letters or digits"_s;
    if (const QString stale = BankpayProtocol::checkTimestamp(request, nowMs() / 1000); !stale.isEmpty())
        return stale;
    if (const QString bad = BankpayProtocol::verify(m_keys.bankpayMerchantPublicKey, request); !bad.isEmpty()) {
        const CryptoResult<QByteArray> content = BankpayProtocol::signContent(request);
        return bad + u" over \""_s + QString::fromUtf8(content ? *content : QByteArray()) + u'"';
    }
    return {};
}

QJsonObject BankpaySim::payout(const QJsonObject &request)
{
    const QString payoutNo = request.value(u"payout_no"_s).toString();
    const QString accountNo = request.value(u"account_no"_s).toString();
    const QString accountName = request.value(u"account_name"_s).toString();
    const QString bankCode = request.value(u"bank_code"_s).toString();
    const QString notifyUrl = request.value(u"notify_url"_s).toString();
    QString amountError;
    const std::optional<qint64> amount = parseYuan(request.value(u"amount"_s).toString(), &amountError);
    if (!matchesWhole(payoutNo, u"^[0-9A-Za-z]{5,32}$"_s))
        return failure(u"PARAM_ERROR"_s, u"payout_no must be 5 to 32 letters or digits"_s);
    if (!amount || *amount <= 0 || *amount > kMaxAmountFen)
        return failure(u"PARAM_ERROR"_s, amount ? u"amount out of range"_s : amountError);
    if (request.value(u"currency"_s).toString(u"CNY"_s) != u"CNY"_s)
        return failure(u"PARAM_ERROR"_s, u"currency must be CNY"_s);
    if (!matchesWhole(accountNo, u"^[0-9]{12,19}$"_s))
        return failure(u"PARAM_ERROR"_s, u"account_no must be 12 to 19 digits"_s);
    if (accountName.isEmpty() || accountName.size() > 64)
        return failure(u"PARAM_ERROR"_s, u"account_name must be 1 to 64 characters"_s);
    if (!matchesWhole(bankCode, u"^[A-Z0-9_]{2,16}$"_s))
        return failure(u"PARAM_ERROR"_s, u"bank_code must be 2 to 16 upper-case letters, digits or '_'"_s);
    if (!notifyUrl.isEmpty() && !notifyUrl.startsWith(u"https://"_s) && !notifyUrl.startsWith(u"http://"_s))
        return failure(u"PARAM_ERROR"_s, u"notify_url must be an http(s) URL"_s);

    PayoutRecord candidate;
    candidate.provider = SimChannel::Bankpay;
    candidate.payoutNo = payoutNo;
    candidate.payoutId = u"BP"_s + beijingTime(nowMs()).left(10).remove(u'-') + randomDigits(14);
    candidate.amount = *amount;
    candidate.accountNo = accountNo;
    candidate.accountName = accountName;
    candidate.bankCode = bankCode;
    candidate.bankName = request.value(u"bank_name"_s).toString();
    candidate.memo = request.value(u"memo"_s).toString();
    candidate.notifyUrl = notifyUrl;
    PayoutRecord stored;
    const PayoutBook::Acceptance acceptance = m_payouts.accept(
        candidate,
        [](const PayoutBook::Data &data, const PayoutRecord &payout) -> std::optional<PayoutFailure> {
            if (cardVerdict(data, payout.accountNo, payout.accountName) == u"MISMATCH"_s)
                return PayoutFailure{u"ACCOUNT_MISMATCH"_s, u"the account name does not match the card"_s};
            return std::nullopt;
        },
        &stored);
    switch (acceptance) {
    case PayoutBook::Acceptance::Created:
    case PayoutBook::Acceptance::Existing: return payoutFields(stored);
    case PayoutBook::Acceptance::Conflict:
        return failure(u"PAYOUT_NO_CONFLICT"_s, u"payout_no %1 exists with other details"_s.arg(payoutNo));
    case PayoutBook::Acceptance::Full: return failure(u"SYSTEM_ERROR"_s, u"the sandbox holds too many payouts"_s);
    }
    return failure(u"SYSTEM_ERROR"_s, u"system error"_s);
}

QJsonObject BankpaySim::query(const QJsonObject &request)
{
    const QString payoutNo = request.value(u"payout_no"_s).toString();
    if (!matchesWhole(payoutNo, u"^[0-9A-Za-z]{5,32}$"_s))
        return failure(u"PARAM_ERROR"_s, u"payout_no must be 5 to 32 letters or digits"_s);
    const std::optional<PayoutRecord> payout = m_payouts.query(SimChannel::Bankpay, payoutNo);
    if (!payout)
        return failure(u"PAYOUT_NOT_FOUND"_s, u"no payout with this payout_no"_s);
    return payoutFields(*payout);
}

QJsonObject BankpaySim::verifyCard(const QJsonObject &request)
{
    const QString accountNo = request.value(u"account_no"_s).toString();
    const QString accountName = request.value(u"account_name"_s).toString();
    if (!matchesWhole(accountNo, u"^[0-9]{12,19}$"_s) || accountName.isEmpty() || accountName.size() > 64
        || !matchesWhole(request.value(u"bank_code"_s).toString(), u"^[A-Z0-9_]{2,16}$"_s))
        return failure(u"PARAM_ERROR"_s, u"needs account_no (12 to 19 digits), account_name and bank_code"_s);
    const QString verdict
        = m_payouts.locked([&](PayoutBook::Data &data) { return cardVerdict(data, accountNo, accountName); });
    const QString message = verdict == u"MATCH"_s ? u"the card, name and bank belong together"_s
        : verdict == u"MISMATCH"_s                ? u"the name does not match the card"_s
                                                  : u"the bank cannot verify this card now"_s;
    return QJsonObject{{u"result"_s, verdict}, {u"message"_s, message}};
}

std::optional<NotificationRecord> BankpaySim::buildNotification(const PayoutRecord &payout)
{
    NotificationRecord record;
    record.kind = u"payout"_s;
    record.eventType = u"PAYOUT."_s + payout.status;
    record.payload = BankpayProtocol::serialize(payoutFields(payout));
    return record;
}

OutboundRequest BankpaySim::renderNotification(const NotificationRecord &record, bool badSignature) const
{
    QJsonObject fields = QJsonDocument::fromJson(record.payload).object();
    fields.insert(u"notify_id"_s, record.id);
    OutboundRequest request;
    request.method = "POST";
    request.body = BankpayProtocol::serialize(signedMessage(fields, badSignature));
    request.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    return request;
}

bool BankpaySim::acknowledges(const OutboundResponse &response)
{
    if (!response.ok() || response.status != 200)
        return false;
    return QJsonDocument::fromJson(response.body).object().value(u"code"_s).toString() == kSuccess;
}

} // namespace paydesk::sandbox
