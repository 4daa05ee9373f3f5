#pragma once

#include "server/http/Router.h"
#include "server/net/HttpClient.h"
#include "server/sandbox/PayoutBook.h"
#include "server/sandbox/SandboxKeys.h"

#include <QJsonObject>

#include <functional>
#include <optional>

namespace paydesk::sandbox {

class Faults;
class HeldResponses;

/// The bankpay payout provider (docs/payouts.md): POST {base}/bankpay/v1/payout, /v1/payout/query
/// and /v1/card/verify, signed JSON both ways, and the signed result notifications. Card
/// verification rule: holder name "INVALID" or a card listed through the control API is a
/// MISMATCH (and payouts to it fail with ACCOUNT_MISMATCH); holder name "UNKNOWN" gives UNKNOWN.
///
/// Handlers run on HTTP worker threads.
class BankpaySim final
{
    Q_DISABLE_COPY_MOVE(BankpaySim)

public:
    BankpaySim(PayoutBook &payouts, Faults &faults, const SandboxKeys &keys, HeldResponses &held);

    void registerRoutes(Router &router);

    /// The result notification of a settled payout (payload: the fields without the signature).
    static std::optional<NotificationRecord> buildNotification(const PayoutRecord &payout);
    /// One delivery: timestamp, nonce and signature afresh.
    OutboundRequest renderNotification(const NotificationRecord &record, bool badSignature) const;
    /// bankpay stops retrying on HTTP 200 with {"code":"SUCCESS"}.
    static bool acknowledges(const OutboundResponse &response);

private:
    using Operation = std::function<QJsonObject(const QJsonObject &request)>;

    void add(Router &router, QByteArrayView pattern, const QString &operation, Operation handler);
    /// The fields common to every signed message, then the signature.
    QJsonObject signedMessage(QJsonObject fields, bool badSignature) const;
    /// Empty when the request is signed by the merchant key, fresh and from the sandbox merchant.
    QString authenticate(const QJsonObject &request) const;

    QJsonObject payout(const QJsonObject &request);
    QJsonObject query(const QJsonObject &request);
    QJsonObject verifyCard(const QJsonObject &request);

    PayoutBook &m_payouts;
    Faults &m_faults;
    const SandboxKeys &m_keys;
    HeldResponses &m_held;
};

} // namespace paydesk::sandbox
