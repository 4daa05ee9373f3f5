#pragma once

#include "server/http/Router.h"
#include "server/sandbox/SandboxSupport.h"

#include <QJsonObject>

#include <functional>

namespace paydesk::sandbox {

class AlipaySim;
class Faults;
class Notifier;
class TradeBook;
class WechatSim;

/// The sandbox's own JSON API under /control: act as the buyer, inject faults, inspect trades and
/// notification deliveries. No authentication: the sandbox binds to loopback by default.
///
///   GET    /control/info                    sandbox.json
///   POST   /control/pay                     {"code"|"out_trade_no"|"order_string", "channel"?,
///                                            "amount"? (fen), "force"?}
///   GET    /control/faults                  POST merges, DELETE clears (see Faults)
///   GET    /control/trades/{out_trade_no}   ?channel=
///   POST   /control/notify                  {"out_trade_no", "channel"?, "out_refund_no"?}
///   GET    /control/notifications           ?out_trade_no=&channel=
///   POST   /control/trades/{out_trade_no}/bill  {"channel"?, "omit"?, "amount"?, "day_shift"?}
///   POST   /control/bill-trades             {"channel", "out_trade_no", "amount"}
///   POST   /control/refunds/{out_refund_no}/settle  {"status", "amount"?}  (WeChat)
///   POST   /control/trades/{out_trade_no}/refund    {"amount"}  out of band, as from the merchant
///                                            portal (WeChat)
class ControlRoutes final
{
    Q_DISABLE_COPY_MOVE(ControlRoutes)

public:
    ControlRoutes(TradeBook &book, Faults &faults, Notifier &notifier, AlipaySim &alipay, WechatSim &wechat,
                  std::function<QJsonObject()> info);

    void registerRoutes(Router &router);

private:
    HttpResponse pay(HttpRequest &request);
    HttpResponse trade(HttpRequest &request);
    HttpResponse notify(HttpRequest &request);
    HttpResponse notifications(HttpRequest &request);
    HttpResponse setFaults(HttpRequest &request);
    HttpResponse setBillFault(HttpRequest &request);
    HttpResponse addBillTrade(HttpRequest &request);
    HttpResponse settleRefund(HttpRequest &request);
    HttpResponse refundOutOfBand(HttpRequest &request);

    TradeBook &m_book;
    Faults &m_faults;
    Notifier &m_notifier;
    AlipaySim &m_alipay;
    WechatSim &m_wechat;
    std::function<QJsonObject()> m_info;
};

} // namespace paydesk::sandbox
