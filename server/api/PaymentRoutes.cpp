#include "server/api/PaymentRoutes.h"

#include "server/api/ApiContext.h"
#include "server/api/RouteSupport.h"

#include "common/protocol/ApiError.h"
#include "server/http/Router.h"
#include "server/payments/Alerts.h"
#include "server/payments/FlowSupport.h"
#include "server/payments/Payments.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

const QList<AuthScheme> kSignedOrStaff{AuthScheme::Signed, AuthScheme::StaffSession};
const QList<AuthScheme> kStaff{AuthScheme::StaffSession};
// Roles apply to staff only: a signed request is the merchant's own back end.
const QList<Role> kOrderStaff{Role::Operator, Role::MerchantAdmin};

// The order if the caller may see it; others do not exist for it (404, never 403).
OrderRecord visibleOrder(ApiContext &context, const Principal &principal, const QString &orderNo)
{
    const OrderRecord order = context.payments->service.loadOrder(context.database.threadConnection(), orderNo);
    if (!order.exists || !principal.canSeeMerchant(order.merchantId))
        throw ApiError(ErrorCode::NotFound, u"No such order."_s);
    return order;
}

HttpResponse created(const PaymentService::CreateOutcome &outcome)
{
    return HttpResponse::json(outcome.status, outcome.body);
}

// The merchant a key or a merchant's staff acts for. The routes' roles already keep platform staff
// out; a principal without a merchant that gets here anyway is refused with the reason.
QString actingMerchant(const HttpRequest &request)
{
    if (request.principal->merchantId.isEmpty())
        throw ApiError(
            ErrorCode::Forbidden,
            u"Orders belong to a merchant: only its API key or its staff may create, close or refund them."_s);
    return request.principal->merchantId;
}

// Staff actions on orders go to the audit log in the unit that records them; a key's calls are the
// merchant's own back end and are not audited here.
PaymentService::ActionRecorder staffAudit(const HttpRequest &request, const Clock &clock, const QString &action,
                                          const QString &targetType, const QString &targetKey)
{
    if (!request.principal->isStaff())
        return {};
    return [copy = request, clock, action, targetType, targetKey](const QSqlDatabase &db, const QJsonObject &details) {
        AuditLog::append(
            db, auditEntryFor(copy, clock(), action, targetType, details.value(targetKey).toString(), details));
    };
}

} // namespace

void registerPaymentRoutes(Router &router, ApiContext &context)
{
    PaymentService &payments = context.payments->service;

    // Merchant staff collect money at the counter (the console) with the same calls as the back end.
    router.addAsync({"POST",
                     "/v1/orders",
                     kSignedOrStaff,
                     kOrderStaff,
                     false,
                     false,
                     u"Create an order and its QR code or app parameters (repeat-safe per out_trade_no)"_s,
                     u"orders"_s},
                    [&payments](HttpRequest &request) {
                        const QJsonObject body = request.jsonObject();
                        const QString merchantId = actingMerchant(request);
                        return payments.run(
                            [&payments, merchantId, body] { return created(payments.createOrder(merchantId, body)); });
                    });

    router.add({"GET",
                "/v1/orders",
                kSignedOrStaff,
                {},
                false,
                false,
                u"Find an order by out_trade_no (?out_trade_no=…, signed) "_s,
                u"orders"_s},
               [&context, &payments](HttpRequest &request) {
                   const QString outTradeNo = request.queryItems().queryItemValue(u"out_trade_no"_s);
                   if (outTradeNo.isEmpty() || outTradeNo.size() > 64)
                       throw ApiError(ErrorCode::ValidationFailed, u"out_trade_no is required."_s,
                                      QJsonObject{{u"field"_s, u"out_trade_no"_s}});
                   const QString merchantId = request.principal->merchantId;
                   if (merchantId.isEmpty())
                       throw ApiError(ErrorCode::ValidationFailed, u"Platform staff look orders up by order number."_s);
                   const OrderRecord order
                       = payments.loadOrderByOutTradeNo(context.database.threadConnection(), merchantId, outTradeNo);
                   if (!order.exists)
                       throw ApiError(ErrorCode::NotFound, u"No such order."_s);
                   return HttpResponse::json(200, order.toJson());
               });

    router.add({"GET", "/v1/orders/{order_no}", kSignedOrStaff, {}, false, false, u"One order"_s, u"orders"_s},
               [&context](HttpRequest &request) {
                   return HttpResponse::json(
                       200,
                       visibleOrder(context, *request.principal, request.pathParams.value(u"order_no"_s)).toJson());
               });

    router.add({"GET",
                "/v1/orders/{order_no}/events",
                kSignedOrStaff,
                {},
                false,
                false,
                u"The order's timeline: every state change with its time and cause"_s,
                u"orders"_s},
               [&context, &payments](HttpRequest &request) {
                   const OrderRecord order
                       = visibleOrder(context, *request.principal, request.pathParams.value(u"order_no"_s));
                   const QJsonObject detail = payments.orderDetail(context.database.threadConnection(), order.orderNo);
                   return HttpResponse::json(200,
                                             QJsonObject{{u"order_no"_s, order.orderNo},
                                                         {u"status"_s, order.status},
                                                         {u"items"_s, detail.value(u"timeline"_s)}});
               });

    router.addAsync({"POST",
                     "/v1/orders/{order_no}/close",
                     kSignedOrStaff,
                     kOrderStaff,
                     false,
                     false,
                     u"Close an unpaid order (at the channel first; staff closes are audited)"_s,
                     u"orders"_s},
                    [&context, &payments](HttpRequest &request) {
                        const QString merchantId = actingMerchant(request);
                        const QString orderNo = request.pathParams.value(u"order_no"_s);
                        const PaymentService::ActionRecorder audit
                            = staffAudit(request, context.clock, u"order.closed"_s, u"order"_s, u"order_no"_s);
                        return payments.run([&payments, merchantId, orderNo, audit] {
                            return HttpResponse::json(200, payments.closeOrder(merchantId, orderNo, audit).toJson());
                        });
                    });

    // Money leaves a merchant only on its admins' word (or its back end's key): not on an
    // operator's, and not on a platform admin's, who may see the order but does not own the money.
    router.addAsync({"POST",
                     "/v1/orders/{order_no}/refunds",
                     kSignedOrStaff,
                     {Role::MerchantAdmin},
                     false,
                     false,
                     u"Refund all or part of a paid order (repeat-safe per out_refund_no; staff refunds are audited)"_s,
                     u"refunds"_s},
                    [&context, &payments](HttpRequest &request) {
                        const QJsonObject body = request.jsonObject();
                        const QString merchantId = actingMerchant(request);
                        const QString orderNo = request.pathParams.value(u"order_no"_s);
                        const PaymentService::ActionRecorder audit
                            = staffAudit(request, context.clock, u"refund.requested"_s, u"refund"_s, u"refund_no"_s);
                        return payments.run([&payments, merchantId, orderNo, body, audit] {
                            return created(payments.refund(merchantId, orderNo, body, audit));
                        });
                    });

    router.add(
        {"GET", "/v1/refunds/{refund_no}", kSignedOrStaff, {}, false, false, u"One refund"_s, u"refunds"_s},
        [&context, &payments](HttpRequest &request) {
            const QJsonObject refund
                = payments.refundJson(context.database.threadConnection(), request.pathParams.value(u"refund_no"_s));
            if (refund.isEmpty() || !request.principal->canSeeMerchant(refund.value(u"merchant_id"_s).toString()))
                throw ApiError(ErrorCode::NotFound, u"No such refund."_s);
            return HttpResponse::json(200, refund);
        });

    // A refund the channel holds as ABNORMAL (the bank returned it), or one whose result Paydesk
    // cannot take as it is, is the platform's to settle: retried through the channel, or decided.
    router.addAsync({"POST",
                     "/v1/admin/refunds/{refund_no}/abnormal-retry",
                     kStaff,
                     {Role::PlatformAdmin},
                     false,
                     false,
                     u"Send an ABNORMAL refund again through the channel's abnormal-refund path (audited)"_s,
                     u"refunds"_s},
                    [&context, &payments](HttpRequest &request) {
                        const QJsonObject body = request.jsonObject();
                        flows::refuseUnknown(body, {u"type"_s});
                        const QString type = body.value(u"type"_s).toString(u"MERCHANT_BANK_CARD"_s);
                        const QString refundNo = request.pathParams.value(u"refund_no"_s).left(64);
                        const PaymentService::ActionRecorder audit = staffAudit(
                            request, context.clock, u"refund.abnormal_retried"_s, u"refund"_s, u"refund_no"_s);
                        return payments.run([&payments, refundNo, type, audit] {
                            return HttpResponse::json(200, payments.retryAbnormalRefund(refundNo, type, audit));
                        });
                    });
    router.addAsync(
        {"POST",
         "/v1/admin/refunds/{refund_no}/resolve",
         kStaff,
         {Role::PlatformAdmin},
         false,
         false,
         u"Decide a refund still in flight by hand: {\"outcome\": \"succeeded\"|\"failed\", \"note\"} (audited)"_s,
         u"refunds"_s},
        [&context, &payments](HttpRequest &request) {
            const QJsonObject body = request.jsonObject();
            flows::refuseUnknown(body, {u"outcome"_s, u"note"_s});
            const QString outcome = body.value(u"outcome"_s).toString();
            if (outcome != u"succeeded"_s && outcome != u"failed"_s)
                throw ApiError(ErrorCode::ValidationFailed, u"outcome must be succeeded or failed."_s,
                               QJsonObject{{u"field"_s, u"outcome"_s}});
            const QString note = flows::requiredText(body, u"note"_s, 200);
            const QString refundNo = request.pathParams.value(u"refund_no"_s).left(64);
            const PaymentService::ActionRecorder audit
                = staffAudit(request, context.clock, u"refund.resolved"_s, u"refund"_s, u"refund_no"_s);
            return payments.run([&payments, refundNo, outcome, note, audit] {
                return HttpResponse::json(200,
                                          payments.resolveRefund(refundNo, outcome == u"succeeded"_s, note, audit));
            });
        });

    router.addAsync({"POST",
                     "/v1/orders/{order_no}/notifications/resend",
                     kSignedOrStaff,
                     {Role::PlatformAdmin, Role::MerchantAdmin, Role::Operator},
                     false,
                     false,
                     u"Send the order's merchant notifications again, from the first attempt"_s,
                     u"orders"_s},
                    [&context, &payments](HttpRequest &request) {
                        const OrderRecord order
                            = visibleOrder(context, *request.principal, request.pathParams.value(u"order_no"_s));
                        const HttpRequest copy = request;
                        const qint64 now = context.clock();
                        return payments.run([&context, &payments, order, copy, now] {
                            const QJsonArray events = payments.resendNotifications(order.orderNo);
                            if (events.isEmpty())
                                throw ApiError(ErrorCode::Conflict, u"The order has no notifications yet."_s);
                            context.writer
                                .submit<void>([copy, now, order, events](const QSqlDatabase &db) {
                                    AuditLog::append(db,
                                                     auditEntryFor(copy, now, u"order.notify_resent"_s, u"order"_s,
                                                                   order.orderNo, QJsonObject{{u"events"_s, events}}));
                                })
                                .waitForFinished();
                            return HttpResponse::json(200, QJsonObject{{u"items"_s, events}});
                        });
                    });

    router.add({"GET",
                "/v1/admin/orders/{order_no}",
                kStaff,
                {},
                false,
                false,
                u"Order detail for staff: timeline, channel log, refunds, merchant notifications"_s,
                u"orders"_s},
               [&context, &payments](HttpRequest &request) {
                   const OrderRecord order
                       = visibleOrder(context, *request.principal, request.pathParams.value(u"order_no"_s));
                   return HttpResponse::json(200,
                                             payments.orderDetail(context.database.threadConnection(), order.orderNo));
               });

    // Channel callbacks: public, authenticated by the channel's signature, answered in its dialect.
    for (const QByteArray &type : {QByteArrayLiteral("alipay"), QByteArrayLiteral("wechat")}) {
        router.addAsync(
            {"POST",
             "/notify/" + type + "/{channel_id}",
             {},
             {},
             false,
             false,
             u"Payment and refund notifications from %1 (channel's own signature)"_s.arg(QString::fromLatin1(type)),
             u"callbacks"_s},
            [&payments, type](HttpRequest &request) {
                // Verifying is CPU work (a signature, a decryption), done on this worker; the
                // answer follows the commit without holding a thread.
                InboundNotification inbound{request.headers, request.body};
                const QString channelId = request.pathParams.value(u"channel_id"_s);
                return payments.handleNotification(QString::fromLatin1(type), channelId, inbound);
            });
    }
}

void registerChannelRoutes(Router &router, ApiContext &context)
{
    Payments &payments = *context.payments;

    router.addAsync({"POST",
                     "/v1/channels",
                     kStaff,
                     {Role::PlatformAdmin},
                     false,
                     false,
                     u"Add a channel account (Alipay app or WeChat Pay merchant)"_s,
                     u"channels"_s},
                    [&context, &payments](HttpRequest &request) {
                        const QJsonObject body = request.jsonObject();
                        const HttpRequest copy = request;
                        const qint64 now = context.clock();
                        return context.writer.submit<HttpResponse>(
                            [&payments, body, copy, now](const QSqlDatabase &db) {
                                const QJsonObject channel = payments.channels.create(db, body, now);
                                AuditLog::append(db,
                                                 auditEntryFor(copy, now, u"channel.created"_s, u"channel"_s,
                                                               channel.value(u"id"_s).toString(),
                                                               QJsonObject{{u"type"_s, channel.value(u"type"_s)}}));
                                return HttpResponse::json(201, channel);
                            });
                    });

    router.add({"GET",
                "/v1/channels",
                kStaff,
                {Role::PlatformAdmin, Role::Auditor},
                false,
                false,
                u"Channel accounts (no secrets)"_s,
                u"channels"_s},
               [&context, &payments](HttpRequest &) {
                   return HttpResponse::json(
                       200, QJsonObject{{u"items"_s, payments.channels.list(context.database.threadConnection())}});
               });

    router.add({"GET",
                "/v1/channels/{id}",
                kStaff,
                {Role::PlatformAdmin, Role::Auditor},
                false,
                false,
                u"One channel account (no secrets)"_s,
                u"channels"_s},
               [&context, &payments](HttpRequest &request) {
                   return HttpResponse::json(200,
                                             payments.channels.describe(context.database.threadConnection(),
                                                                        request.pathParams.value(u"id"_s)));
               });

    router.addAsync(
        {"POST",
         "/v1/channels/{id}",
         kStaff,
         {Role::PlatformAdmin},
         false,
         false,
         u"Change a channel account: keys, gateway, enabled, routing weight"_s,
         u"channels"_s},
        [&context, &payments](HttpRequest &request) {
            const QJsonObject body = request.jsonObject();
            const QString id = request.pathParams.value(u"id"_s);
            const HttpRequest copy = request;
            const qint64 now = context.clock();
            QFuture<HttpResponse> changed
                = context.writer.submit<HttpResponse>([&payments, body, id, copy, now](const QSqlDatabase &db) {
                      const QJsonObject channel = payments.channels.change(db, id, body, now);
                      QStringList fields = body.keys();
                      AuditLog::append(db,
                                       auditEntryFor(copy, now, u"channel.changed"_s, u"channel"_s, id,
                                                     QJsonObject{{u"fields"_s, QJsonArray::fromStringList(fields)}}));
                      return HttpResponse::json(200, channel);
                  });
            return changed.then(QtFuture::Launch::Sync, [&payments](HttpResponse response) {
                payments.channels.invalidate();
                return response;
            });
        });

    // Alerts are the platform's (payouts, unknown trades, ledger checks, channels): merchant staff
    // would see other merchants' and app users' business in them.
    const QList<Role> alertReaders{Role::PlatformAdmin, Role::Auditor};
    router.add(
        {"GET", "/v1/alerts", kStaff, alertReaders, false, false,
         u"Alerts, newest first (?status=OPEN|ACKNOWLEDGED&kind=&limit=&before=)"_s, u"alerts"_s},
        [&context](HttpRequest &request) {
            const QUrlQuery query = request.queryItems();
            const QString status = query.queryItemValue(u"status"_s);
            if (!status.isEmpty() && status != u"OPEN"_s && status != u"ACKNOWLEDGED"_s)
                throw ApiError(ErrorCode::ValidationFailed, u"status must be OPEN or ACKNOWLEDGED."_s,
                               QJsonObject{{u"field"_s, u"status"_s}});
            bool ok = true;
            const int limit = query.hasQueryItem(u"limit"_s) ? query.queryItemValue(u"limit"_s).toInt(&ok) : 100;
            if (!ok || limit < 1 || limit > 500)
                throw ApiError(ErrorCode::ValidationFailed, u"limit must be 1 to 500."_s,
                               QJsonObject{{u"field"_s, u"limit"_s}});
            const QSqlDatabase db = context.database.threadConnection();
            const QJsonArray items = Alerts::list(db, status, query.queryItemValue(u"kind"_s).left(64), limit,
                                                  query.queryItemValue(u"before"_s).left(64));
            return HttpResponse::json(200, QJsonObject{{u"items"_s, items}, {u"open_count"_s, Alerts::openCount(db)}});
        });

    router.addAsync({"POST",
                     "/v1/alerts/{id}/acknowledge",
                     kStaff,
                     {Role::PlatformAdmin},
                     false,
                     false,
                     u"Acknowledge an alert"_s,
                     u"alerts"_s},
                    [&context](HttpRequest &request) {
                        const QString id = request.pathParams.value(u"id"_s);
                        const HttpRequest copy = request;
                        const qint64 now = context.clock();
                        return context.writer.submit<HttpResponse>([id, copy, now](const QSqlDatabase &db) {
                            const QJsonObject alert = Alerts::get(db, id);
                            if (alert.isEmpty())
                                throw ApiError(ErrorCode::NotFound, u"No such alert."_s);
                            if (!Alerts::acknowledge(db, id, copy.principal->id, now))
                                throw ApiError(ErrorCode::Conflict, u"The alert is already acknowledged."_s);
                            AuditLog::append(db,
                                             auditEntryFor(copy, now, u"alert.acknowledged"_s, u"alert"_s, id,
                                                           QJsonObject{{u"kind"_s, alert.value(u"kind"_s)}}));
                            return HttpResponse::json(200, Alerts::get(db, id));
                        });
                    });
}

} // namespace paydesk
