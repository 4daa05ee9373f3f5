#pragma once

#include "common/crypto/CryptoResult.h"
#include "common/protocol/FormUrlEncoded.h"
#include "server/http/Router.h"
#include "server/net/HttpClient.h"
#include "server/sandbox/SandboxKeys.h"
#include "server/sandbox/TradeBook.h"

#include <QJsonObject>
#include <QString>

namespace paydesk::sandbox {

class BillDownloads;
class Faults;
class HeldResponses;

/// Alipay's open API gateway (POST /gateway.do, OpenAPI 2.0 with RSA2) for the face-to-face
/// QR flow: precreate, query, close, refund, refund query and the bill download URL, plus the
/// trade_status_sync notifications and the bill file itself (PROTOCOLS.md section A).
///
/// Handlers run on HTTP worker threads; all state is in the TradeBook.
class AlipaySim final
{
    Q_DISABLE_COPY_MOVE(AlipaySim)

public:
    AlipaySim(TradeBook &book, Faults &faults, const SandboxKeys &keys, HeldResponses &held, BillDownloads &bills,
              QString baseUrl);

    void registerRoutes(Router &router);

    /// What the buyer's Alipay app does with the order string of alipay.trade.app.pay (which
    /// never reaches the gateway): checks its signature and app_id and registers the trade.
    /// Returns the out_trade_no.
    CryptoResult<QString> acceptAppOrder(const QString &orderString);
    /// Fills in the buyer of a trade that is being paid (under the book's lock).
    static void assignBuyer(TradeRecord &trade);
    /// A fresh trade_no of a trade created at atMs.
    static QString newTradeNo(qint64 atMs);
    /// Stores the trade's TRADE_SUCCESS notification (under the book's lock) and returns its
    /// id, or an empty string when the trade has no notify_url.
    QString addPaymentNotification(TradeBook::Data &data, TradeRecord &trade) const;

    /// One delivery of a notification: form-encoded, signed rsaCheckV1-style.
    OutboundRequest renderNotification(const NotificationRecord &record, bool badSignature) const;
    /// Alipay stops retrying only when the body is exactly "success".
    static bool acknowledges(const OutboundResponse &response);

private:
    struct Call;

    QFuture<HttpResponse> gateway(HttpRequest &request);
    HttpResponse billFile(HttpRequest &request);
    QJsonObject precreate(Call &call);
    QJsonObject query(Call &call);
    QJsonObject close(Call &call);
    QJsonObject refund(Call &call);
    QJsonObject refundQuery(Call &call);
    QJsonObject billUrl(Call &call);
    /// {"<key>":<json>,"sign":"…"} with the signature over exactly the <json> bytes.
    HttpResponse signedResponse(const QString &responseKey, const QJsonObject &content, bool badSignature) const;

    TradeBook &m_book;
    Faults &m_faults;
    const SandboxKeys &m_keys;
    HeldResponses &m_held;
    BillDownloads &m_bills;
    QString m_baseUrl;
};

} // namespace paydesk::sandbox
