#include "server/api/EventRoutes.h"

#include "server/api/ApiContext.h"

#include "common/protocol/ApiError.h"
#include "server/events/EventHub.h"
#include "server/http/Router.h"
#include "server/http/WebSocketFrames.h"
#include "server/store/Database.h"

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

// Whose events a principal receives.
QStringList audiencesOf(const Principal &principal)
{
    if (principal.kind == Principal::Kind::AppUser)
        return {u"user:"_s + principal.id};
    QStringList audiences{u"staff:"_s + principal.id};
    if (!principal.merchantId.isEmpty())
        audiences.append(u"merchant:"_s + principal.merchantId);
    if (principal.hasRole(Role::PlatformAdmin) || principal.hasRole(Role::Auditor))
        audiences.append(u"platform"_s);
    return audiences;
}

} // namespace

void registerEventRoutes(Router &router, ApiContext &context)
{
    router.add({"GET", "/v1/events", {AuthScheme::AppSession, AuthScheme::StaffSession}, {}, false, false,
                u"The event stream (WebSocket): a JSON text frame {seq, type, at, data} per event for the caller"
                " (?after=<seq> first replays what was missed, up to a day)"_s,
                u"events"_s},
               [&context](HttpRequest &request) {
                   const QByteArray key = request.header("sec-websocket-key");
                   if (request.header("upgrade").compare("websocket", Qt::CaseInsensitive) != 0 || key.isEmpty()
                       || request.header("sec-websocket-version") != "13")
                       throw ApiError(ErrorCode::BadRequest,
                                      u"This is a WebSocket endpoint: send Upgrade: websocket, Sec-WebSocket-Key and"
                                      " Sec-WebSocket-Version: 13."_s);
                   if (QByteArray::fromBase64(key).size() != 16)
                       throw ApiError(ErrorCode::BadRequest, u"Sec-WebSocket-Key must be 16 bytes in base64."_s);
                   HttpResponse response;
                   response.status = 101;
                   response.headers = {{"Upgrade", "websocket"},
                                       {"Connection", "Upgrade"},
                                       {"Sec-WebSocket-Accept", WebSocketFrames::acceptKey(key)}};
                   response.streamAudiences = audiencesOf(*request.principal);
                   const QString after = request.queryItems().queryItemValue(u"after"_s);
                   if (!after.isEmpty()) {
                       bool ok = false;
                       const qint64 seq = after.toLongLong(&ok);
                       if (!ok || seq < 0)
                           throw ApiError(ErrorCode::ValidationFailed, u"after must be an event seq."_s,
                                          {{u"field"_s, u"after"_s}});
                       response.streamBacklog = EventHub::backlog(context.database.threadConnection(),
                                                                  response.streamAudiences, seq);
                   }
                   return response;
               });
}

} // namespace paydesk
