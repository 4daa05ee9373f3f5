#pragma once

#include "server/http/Router.h"

namespace paydesk::sandbox {

class PayoutBook;
class TradeBook;

/// The control API of the payout providers (faults are set through /control/faults):
///
///   GET    /control/payouts/{payout_no}   ?provider=bankpay|wechat_transfer (default bankpay)
///   POST   /control/payouts/notify        {"payout_no", "provider"?}: deliver the result again
///   POST   /control/cards/invalid         {"card_no"}: verification says MISMATCH, payouts fail
///   DELETE /control/cards/invalid         forget every listed card
class PayoutControlRoutes final
{
    Q_DISABLE_COPY_MOVE(PayoutControlRoutes)

public:
    PayoutControlRoutes(PayoutBook &payouts, TradeBook &trades);

    void registerRoutes(Router &router);

private:
    HttpResponse payout(HttpRequest &request);
    HttpResponse notify(HttpRequest &request);
    HttpResponse addInvalidCard(HttpRequest &request);

    PayoutBook &m_payouts;
    TradeBook &m_trades;
};

} // namespace paydesk::sandbox
