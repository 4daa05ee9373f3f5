#pragma once

#include "server/auth/SecurityConfig.h"
#include "server/channels/Channel.h"
#include "server/http/HttpMessage.h"

#include <QList>
#include <QMap>
#include <QSslCertificate>
#include <QString>
#include <QStringView>
#include <QUrl>

#include <memory>
#include <optional>

namespace paydesk {

class HttpClient;

/// One payout provider account (money out to bank cards or to users' WeChat balances) as
/// configured by an admin. Secrets are decrypted only in memory.
struct PayoutConfig
{
    QString id; ///< Paydesk's id of the account; results arrive at /notify/<type>/<id>
    QString type; ///< "bankpay" | "wechat_transfer"
    QString merchantId; ///< bankpay merchant_id; WeChat mchid
    QString appId; ///< WeChat appid the openids belong to; empty for bankpay
    QByteArray privateKeyPem; ///< our key: bankpay merchant key; WeChat merchant API key (PKCS#1 or #8)
    QString merchantCertSerial; ///< WeChat: serial_no of the merchant API certificate; bankpay: our key_id (optional)
    /// The provider's keys that sign answers and notifications, by the id the provider names them
    /// with. bankpay: key_id → public key PEM (or certificate). WeChat: platform certificate serial
    /// or "PUB_KEY_ID_…" → certificate or public key PEM; the one named in Wechatpay-Serial also
    /// encrypts user_name.
    QMap<QString, QByteArray> providerKeys;
    QByteArray apiV3Key; ///< WeChat API v3 key (32 ASCII bytes; optional for transfers); empty for bankpay
    QUrl gatewayUrl; ///< bankpay: the API base, e.g. https://payout.example.com/bankpay; WeChat: the API base
    QList<QSslCertificate> gatewayCa; ///< extra trust anchors for the gateway (private deployments)
    QString notifyUrl; ///< Paydesk's public callback URL for payout results of this account
    int timeoutMs = 10'000; ///< per call
};

/// A payout's state as the provider sees it.
enum class PayoutState {
    Processing, ///< accepted, money not yet arrived (bankpay PROCESSING; WeChat INIT/WAIT_PAY/PROCESSING)
    Success, ///< credited to the card or balance: final
    Failed, ///< will not be paid (see failureCode): final; the money stays with the merchant
    NotFound, ///< the provider has no payout with this number: it never arrived or was refused
};

/// "PROCESSING", "SUCCESS", "FAILED", "NOT_FOUND": the names used in logs and docs.
QString payoutStateName(PayoutState state);

/// A payout as the provider states it.
struct PayoutInfo
{
    PayoutState state = PayoutState::NotFound;
    QString rawState; ///< the provider's own word, e.g. "PROCESSING", "FAIL"
    QString payoutNo; ///< ours
    QString providerPayoutId; ///< bankpay payout_id; WeChat batch_id
    qint64 amount = 0; ///< fen, as the provider states it (0 when it does not)
    QString failureCode; ///< Failed: bankpay fail_code; WeChat fail_reason (e.g. "NAME_NOT_CORRECT")
    QString failureReason; ///< Failed: human text when the provider gives one
    qint64 finishedAtMs = 0; ///< Success / Failed, when the provider states it
};

/// What to pay, and to whom. bankpay needs cardNo, holderName and bankCode; wechat_transfer needs
/// openId (of config.appId) and, for the real-name check, holderName (the user's real name).
struct PayoutRequest
{
    QString payoutNo; ///< Paydesk's id: idempotent at the provider; 5-32 letters and digits
    qint64 amount = 0; ///< fen, > 0
    QString currency = QStringLiteral("CNY");
    QString cardNo; ///< bank card number, 12-19 digits (bankpay)
    QString holderName; ///< bankpay: the card holder; WeChat: user_name (sent encrypted)
    QString bankCode; ///< bankpay: e.g. "ICBC"
    QString bankName; ///< bankpay: optional display name
    QString openId; ///< wechat_transfer
    QString memo; ///< shown to the payee where the provider supports it (≤ 32 characters)
};

/// The answer to submit() and query().
struct PayoutResult
{
    CallOutcome outcome = CallOutcome::Unknown;
    PayoutInfo payout; ///< with Ok (NotFound from query() is Ok with payout.state == NotFound)
    ChannelError error;
    ChannelExchange exchange; ///< card numbers masked, names shortened
};

enum class CardCheck {
    Verified, ///< number, holder name and bank belong together
    Mismatch, ///< they do not: do not pay to this card
    Unknown, ///< the provider cannot say (bank unavailable, no record)
};

struct CardCheckResult
{
    CallOutcome outcome = CallOutcome::Unknown; ///< Ok when the provider answered; then see check
    CardCheck check = CardCheck::Unknown;
    QString message; ///< the provider's explanation
    ChannelError error;
    ChannelExchange exchange;
};

/// An asynchronous payout result as it arrived at /notify/<type>/<id>.
struct PayoutNotificationResult
{
    bool accepted = false; ///< signature verified, fresh, readable and addressed to this account
    QString rejectReason;
    QString notifyId; ///< the provider's id of this message (bankpay notify_id; WeChat event id)
    PayoutInfo payout; ///< Success or Failed (a WeChat batch notification carries no fail reason: query)
    HttpResponse answer; ///< exactly what the provider expects back (acknowledges only when accepted)
    ChannelExchange exchange; ///< direction "in"
};

/// A payout provider account: the operations Paydesk needs to pay money out, over the provider's
/// real wire protocol. Calls block (network), so they run on the channel worker pool, never on the
/// HTTP threads. Implementations are immutable after construction and safe to call from several
/// threads.
///
/// Idempotency: submitting the same payoutNo again never pays twice; the provider answers with the
/// payout it already has (or refuses when the details differ). After an Unknown outcome, submit
/// the same request again or query: never invent a new payoutNo for the same withdrawal.
class PayoutChannel
{
public:
    virtual ~PayoutChannel() = default;

    virtual const PayoutConfig &config() const = 0;

    virtual PayoutResult submit(const PayoutRequest &request) = 0;
    virtual PayoutResult query(const QString &payoutNo) = 0;
    /// The "three-element check" of a bank card; wechat_transfer answers Rejected NOT_SUPPORTED.
    virtual CardCheckResult verifyCard(const QString &cardNo, const QString &holderName, const QString &bankCode) = 0;
    /// Verifies (signature, timestamp window, merchant) and parses a payout result notification,
    /// and builds the answer the provider expects.
    virtual PayoutNotificationResult parseNotification(const InboundNotification &notification) = 0;
};

/// Builds the implementation for config.type; throws ApiError VALIDATION_FAILED (details
/// {"field"}) when the configuration is unusable.
std::unique_ptr<PayoutChannel> createPayoutChannel(const PayoutConfig &config, HttpClient &http, Clock clock);

/// Decimal yuan strings on the payout wires ("100.05" ↔ 10005 fen), exact and strict: digits, an
/// optional '.' and one or two decimals, no sign, exponent, spaces or leading zeros, within qint64.
/// nullopt and *error (if given) for anything else.
std::optional<qint64> parseYuan(QStringView text, QString *error = nullptr);
/// Always two decimals ("0.01", "100.05"); amount must not be negative.
QString formatYuan(qint64 amountFen);

/// "6222********1234": the first and last four digits of a card number, the rest starred (at
/// least four stars, so short or malformed input gives nothing away either).
QString maskCardNo(const QString &cardNo);
/// "张*" / "J***": the first character of a name.
QString maskName(const QString &name);

} // namespace paydesk
