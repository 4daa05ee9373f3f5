#include "server/api/RedPacketRoutes.h"

#include "server/api/ApiContext.h"

#include "common/protocol/ApiError.h"
#include "server/auth/Idempotency.h"
#include "server/http/Router.h"
#include "server/payments/Payments.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/wallet/RedPacketService.h"

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

const QList<AuthScheme> kApp{AuthScheme::AppSession};

WalletService::Client clientOf(const HttpRequest &request)
{
    return {request.peer.toString(), QString::fromUtf8(request.header("x-device-id").left(128))};
}

} // namespace

void registerRedPacketRoutes(Router &router, ApiContext &context)
{
    Payments &payments = *context.payments;
    RedPacketService &packets = payments.redPackets;

    RouteSpec send{"POST", "/v1/app/red-packets", kApp, {}, true, true,
                   u"Send a red packet: paid from the balance (active at once) or by Alipay / WeChat Pay (active"
                   " once paid); split into shares up front (X-Action-Token, Idempotency-Key)"_s,
                   u"red-packets"_s};
    send.actionPurpose = u"red_packet"_s;
    router.addAsync(send, [&context, &payments, &packets](HttpRequest &request) {
        if (!request.idempotency)
            throw ApiError(ErrorCode::ValidationFailed, u"A red packet needs an Idempotency-Key header."_s);
        const QJsonObject body = request.jsonObject();
        const QString userId = request.principal->id;
        const WalletService::Client client = clientOf(request);
        if (body.value(u"pay_with"_s).toString() == u"balance"_s) {
            const std::shared_ptr<IdempotencyContext> idempotency = request.idempotency;
            return context.writer.submit<HttpResponse>(
                [&packets, body, userId, client, idempotency](const QSqlDatabase &db) {
                    return packets.sendFromBalance(db, userId, body, client, idempotency.get());
                });
        }
        return payments.service.run(
            [&packets, body, userId, client] { return packets.sendByChannel(userId, body, client); });
    });

    router.addAsync({"POST", "/v1/app/red-packets/{id}/grab", kApp, {}, false, false,
                     u"Grab a share: the amount, or ALREADY_GRABBED, SOLD_OUT, EXPIRED, NOT_ACTIVE"_s,
                     u"red-packets"_s},
                    [&context, &packets](HttpRequest &request) {
                        const QString id = request.pathParams.value(u"id"_s).left(64);
                        const QString userId = request.principal->id;
                        return context.writer
                            .submit<HttpResponse>([&packets, id, userId](const QSqlDatabase &db) {
                                return HttpResponse::json(200, packets.grab(db, id, userId));
                            })
                            .then(QtFuture::Launch::Sync, [&packets, id](HttpResponse response) {
                                packets.invalidate(id);
                                return response;
                            });
                    });

    router.add({"GET", "/v1/app/red-packets/{id}", kApp, {}, false, false,
                u"A red packet: who grabbed what, what is left, and the caller's own share"_s, u"red-packets"_s},
               [&context, &packets](HttpRequest &request) {
                   return HttpResponse::json(200, packets.packet(context.database.threadConnection(),
                                                                 request.pathParams.value(u"id"_s).left(64),
                                                                 request.principal->id));
               });

    router.add({"GET", "/v1/app/red-packets", kApp, {}, false, false,
                u"The caller's red packets, newest first (?box=sent|received&before=&limit=)"_s, u"red-packets"_s},
               [&context, &packets](HttpRequest &request) {
                   const QUrlQuery query = request.queryItems();
                   const QString box = query.queryItemValue(u"box"_s);
                   if (box != u"sent"_s && box != u"received"_s)
                       throw ApiError(ErrorCode::ValidationFailed, u"box must be sent or received."_s,
                                      {{u"field"_s, u"box"_s}});
                   bool ok = true;
                   const int limit = query.hasQueryItem(u"limit"_s) ? query.queryItemValue(u"limit"_s).toInt(&ok) : 50;
                   if (!ok || limit < 1 || limit > 200)
                       throw ApiError(ErrorCode::ValidationFailed, u"limit must be 1 to 200."_s,
                                      {{u"field"_s, u"limit"_s}});
                   return HttpResponse::json(200, packets.list(context.database.threadConnection(),
                                                               request.principal->id, box == u"sent"_s,
                                                               query.queryItemValue(u"before"_s).left(64), limit));
               });
}

} // namespace paydesk
