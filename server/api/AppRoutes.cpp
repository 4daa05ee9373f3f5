#include "server/api/ApiContext.h"
#include "server/api/IdentityRoutes.h"
#include "server/api/JsonBody.h"

#include "common/protocol/ApiError.h"
#include "server/auth/AppAuthService.h"
#include "server/http/Router.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"

using namespace Qt::StringLiterals;

namespace paydesk {

void registerAppAuthRoutes(Router &router, ApiContext &context, AppAuthService &appAuth)
{
    router.addAsync({"POST",
                     "/v1/app/sms-codes",
                     {},
                     {},
                     false,
                     false,
                     u"Send a one-time sign-in code to a phone (rate-limited)"_s,
                     u"app"_s},
                    [&appAuth](HttpRequest &request) {
                        const JsonBody body(request, {u"phone"_s});
                        return appAuth.sendCode(body.string(u"phone"_s, true, 20), request.peer)
                            .then(QtFuture::Launch::Sync, [](qint64 expiresIn) {
                                return HttpResponse::json(202, QJsonObject{{u"expires_in"_s, expiresIn}});
                            });
                    });

    router.addAsync({"POST",
                     "/v1/app/sessions",
                     {},
                     {},
                     false,
                     false,
                     u"Sign in with phone and SMS code; the first sign-in registers the user"_s,
                     u"app"_s},
                    [&appAuth](HttpRequest &request) {
                        const JsonBody body(request, {u"phone"_s, u"code"_s});
                        return appAuth
                            .signIn(body.string(u"phone"_s, true, 20), body.string(u"code"_s, true, 6),
                                    request.requestId, request.peer)
                            .then(QtFuture::Launch::Sync,
                                  [](QJsonObject session) { return HttpResponse::json(201, session); });
                    });

    router.add({"GET", "/v1/app/me", {AuthScheme::AppSession}, {}, false, false, u"The signed-in app user"_s, u"app"_s},
               [&context](HttpRequest &request) {
                   QSqlQuery row = sqlExec(context.database.threadConnection(),
                                           u"SELECT id, phone_masked, status, created_at FROM app_users WHERE id = ?"_s,
                                           {request.principal->id});
                   row.next();
                   return HttpResponse::json(200,
                                             QJsonObject{{u"id"_s, row.value(0).toString()},
                                                         {u"phone"_s, row.value(1).toString()},
                                                         {u"status"_s, row.value(2).toString()},
                                                         {u"created_at"_s, row.value(3).toLongLong()}});
               });

    router.addAsync({"POST",
                     "/v1/app/action-tokens",
                     {AuthScheme::AppSession},
                     {},
                     false,
                     false,
                     u"A single-use token (X-Action-Token) for one transfer, withdrawal or red packet"_s,
                     u"app"_s},
                    [&appAuth](HttpRequest &request) {
                        const JsonBody body(request, {u"purpose"_s, u"delivery"_s});
                        const QString delivery = body.string(u"delivery"_s, false, 16);
                        if (!delivery.isEmpty() && delivery != u"response"_s && delivery != u"stream"_s)
                            throw ApiError(ErrorCode::ValidationFailed, u"delivery must be response or stream."_s,
                                           QJsonObject{{u"field"_s, u"delivery"_s}});
                        const bool onStream = delivery == u"stream"_s;
                        return appAuth
                            .issueActionToken(request.principal->id, body.string(u"purpose"_s, true, 32), onStream)
                            .then(QtFuture::Launch::Sync, [onStream](QJsonObject token) {
                                return HttpResponse::json(onStream ? 202 : 201, token);
                            });
                    });
}

} // namespace paydesk
