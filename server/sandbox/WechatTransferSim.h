#pragma once

#include "server/http/Router.h"
#include "server/sandbox/PayoutBook.h"
#include "server/sandbox/SandboxKeys.h"

#include <QJsonObject>

#include <functional>
#include <optional>

namespace paydesk::sandbox {

class Faults;
class HeldResponses;
class WechatSim;

/// WeChat Pay API v3 transfers to a user's balance: POST /v3/transfer/batches (one detail per
/// batch in the sandbox) and GET …/out-batch-no/{no}/details/out-detail-no/{no}, authenticated and
/// signed like every WeChat Pay call (the same merchant and platform keys as WechatSim), user_name
/// decrypted with the platform key (RSA-OAEP) and encrypted with the merchant key in answers;
/// MCHTRANSFER.BATCH.FINISHED notifications. Rule: user_name "INVALID" fails with
/// NAME_NOT_CORRECT.
///
/// Handlers run on HTTP worker threads.
class WechatTransferSim final
{
    Q_DISABLE_COPY_MOVE(WechatTransferSim)

public:
    WechatTransferSim(PayoutBook &payouts, Faults &faults, const SandboxKeys &keys, WechatSim &wechat,
                      HeldResponses &held);

    void registerRoutes(Router &router);

    /// The MCHTRANSFER.BATCH.FINISHED notification of a settled transfer (payload: the resource).
    static std::optional<NotificationRecord> buildNotification(const PayoutRecord &payout);

private:
    using Operation = std::function<HttpResponse(HttpRequest &)>;

    void add(Router &router, QByteArrayView method, QByteArrayView pattern, const QString &operation,
             Operation handler);
    HttpResponse createBatch(HttpRequest &request);
    HttpResponse queryDetail(HttpRequest &request);
    QJsonObject detailJson(const PayoutRecord &payout) const;

    PayoutBook &m_payouts;
    Faults &m_faults;
    const SandboxKeys &m_keys;
    WechatSim &m_wechat;
    HeldResponses &m_held;
};

} // namespace paydesk::sandbox
