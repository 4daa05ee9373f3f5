#pragma once

#include "server/http/Router.h"
#include "server/net/HttpClient.h"
#include "server/sandbox/SandboxKeys.h"
#include "server/sandbox/SandboxSupport.h"
#include "server/sandbox/TradeBook.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace paydesk::sandbox {

class BillDownloads;
class Faults;
class HeldResponses;
class Notifier;

/// WeChat Pay API v3 for Native (QR) and APP payments: prepay, query, close, refunds, the trade
/// bill and its download, the platform certificate list (platform-certificate mode), and the encrypted
/// TRANSACTION.SUCCESS / REFUND.SUCCESS notifications (PROTOCOLS.md section B); it also renders the
/// MCHTRANSFER.BATCH.* notifications of WechatTransferSim. Requests must carry a valid
/// WECHATPAY2-SHA256-RSA2048 Authorization; every answer is signed with the platform key.
///
/// Handlers run on HTTP worker threads; the object itself lives on the main thread, where refunds
/// complete on a timer.
class WechatSim final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WechatSim)

public:
    /// A refund answers PROCESSING and succeeds this long (scaled) afterwards.
    static constexpr qint64 RefundSettleMs = 2000;

    WechatSim(TradeBook &book, Faults &faults, const SandboxKeys &keys, Notifier &notifier, HeldResponses &held,
              BillDownloads &bills, TimeScale timeScale, QString baseUrl, QObject *parent = nullptr);

    void registerRoutes(Router &router);

    /// Fills in the payer of a trade that is being paid (under the book's lock).
    static void assignPayer(TradeRecord &trade);
    /// A fresh transaction_id of a trade created at atMs.
    static QString newTransactionId(qint64 atMs);
    /// Stores the trade's TRANSACTION.SUCCESS notification (under the book's lock) and returns its
    /// id, or an empty string when there is nowhere to send it.
    QString addPaymentNotification(TradeBook::Data &data, TradeRecord &trade) const;

    /// One delivery: the resource encrypted afresh with the API v3 key, the body signed.
    OutboundRequest renderNotification(const NotificationRecord &record, bool badSignature) const;
    /// WeChat Pay stops retrying on HTTP 200 or 204.
    static bool acknowledges(const OutboundResponse &response);

    /// Ends (or moves on) a refund as the channel would: SUCCESS, ABNORMAL or CLOSED, with its
    /// REFUND.* notification; reportedAmount > 0 states another amount in that notification.
    /// Returns an error text, or empty. (POST /control/refunds/{out_refund_no}/settle)
    QString settleRefund(const QString &outRefundNo, const QString &status, qint64 reportedAmount,
                         const QString &notifyUrl = {});
    /// A refund made outside Paydesk (the merchant portal): settled at once, no notification.
    /// Returns the refund as JSON, or an error text in *error.
    QJsonObject refundOutOfBand(const QString &outTradeNo, qint64 amount, QString *error);

    /// The 401 answer when the Authorization header does not prove the merchant sent this request
    /// (shared with the transfer API, which the same merchant calls).
    std::optional<HttpResponse> authenticate(const HttpRequest &request) const;
    /// Adds the Wechatpay-* signature headers (over other bytes when badSignature).
    void sign(HttpResponse &response, bool badSignature) const;

private:
    using Operation = std::function<HttpResponse(HttpRequest &)>;

    void add(Router &router, QByteArrayView method, QByteArrayView pattern, const QString &operation,
             Operation handler);
    HttpResponse prepay(HttpRequest &request, bool native);
    HttpResponse query(HttpRequest &request, bool byTransactionId);
    HttpResponse close(HttpRequest &request);
    HttpResponse refund(HttpRequest &request);
    HttpResponse refundQuery(HttpRequest &request);
    HttpResponse tradeBill(HttpRequest &request);
    HttpResponse billDownload(HttpRequest &request);
    HttpResponse certificates();
    HttpResponse applyAbnormalRefund(HttpRequest &request);
    void completeRefund(const QString &outTradeNo, const QString &outRefundNo, const QString &status = {},
                        qint64 reportedAmount = 0, const QString &notifyUrl = {});
    void scheduleCompletion(const QString &outTradeNo, const QString &outRefundNo);

    QJsonObject transactionJson(const TradeRecord &trade) const;
    QJsonObject refundJson(const TradeRecord &trade, const RefundRecord &refund) const;

    TradeBook &m_book;
    Faults &m_faults;
    const SandboxKeys &m_keys;
    Notifier &m_notifier;
    HeldResponses &m_held;
    BillDownloads &m_bills;
    TimeScale m_timeScale;
    QString m_baseUrl;
};

} // namespace paydesk::sandbox
