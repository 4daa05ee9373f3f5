#include "server/api/OpenApiRoutes.h"

#include "common/protocol/ApiError.h"
#include "server/http/Router.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

QJsonObject errorComponents()
{
    QJsonArray codes;
    for (ErrorCode code : allErrorCodes())
        codes.append(errorCodeName(code).toString());
    const QJsonObject error{
        {u"type"_s, u"object"_s},
        {u"required"_s, QJsonArray{u"error"_s}},
        {u"properties"_s,
         QJsonObject{{u"error"_s,
                      QJsonObject{{u"type"_s, u"object"_s},
                                  {u"required"_s, QJsonArray{u"code"_s, u"message"_s}},
                                  {u"properties"_s,
                                   QJsonObject{{u"code"_s, QJsonObject{{u"type"_s, u"string"_s}, {u"enum"_s, codes}}},
                                               {u"message"_s, QJsonObject{{u"type"_s, u"string"_s}}},
                                               {u"details"_s, QJsonObject{{u"type"_s, u"object"_s}}}}}}}}}};
    return QJsonObject{{u"Error"_s, error}};
}

QJsonObject securitySchemes()
{
    return QJsonObject{{u"staffSession"_s,
                        QJsonObject{{u"type"_s, u"http"_s},
                                    {u"scheme"_s, u"bearer"_s},
                                    {u"description"_s, u"Token from POST /v1/sessions (staff)."_s}}},
                       {u"appSession"_s,
                        QJsonObject{{u"type"_s, u"http"_s},
                                    {u"scheme"_s, u"bearer"_s},
                                    {u"description"_s, u"Token from POST /v1/app/sessions (app users)."_s}}},
                       {u"paydeskHmac"_s,
                        QJsonObject{{u"type"_s, u"apiKey"_s},
                                    {u"in"_s, u"header"_s},
                                    {u"name"_s, u"Authorization"_s},
                                    {u"description"_s,
                                     u"PAYDESK-HMAC-SHA256 key_id=…,timestamp=…,nonce=…,signature=… "
                                     "(docs/authentication.md)."_s}}}};
}

QString schemeName(AuthScheme scheme)
{
    switch (scheme) {
    case AuthScheme::StaffSession: return u"staffSession"_s;
    case AuthScheme::Signed: return u"paydeskHmac"_s;
    case AuthScheme::AppSession: return u"appSession"_s;
    }
    return {};
}

} // namespace

QJsonObject buildOpenApiDocument(const Router &router, const QString &version)
{
    static const QRegularExpression placeholder(u"\\{([a-z_]+)\\}"_s);
    QJsonObject paths;
    for (const Router::Route &route : router.routes()) {
        const RouteSpec &spec = route.spec;
        if (!spec.documented)
            continue;
        const QString path = QString::fromLatin1(spec.pattern);
        QJsonObject operation{{u"summary"_s, spec.summary},
                              {u"operationId"_s, QString::fromLatin1(spec.method).toLower() + path}};
        if (!spec.tag.isEmpty())
            operation.insert(u"tags"_s, QJsonArray{spec.tag});
        QJsonArray parameters;
        for (auto it = placeholder.globalMatch(path); it.hasNext();) {
            parameters.append(QJsonObject{{u"name"_s, it.next().captured(1)},
                                          {u"in"_s, u"path"_s},
                                          {u"required"_s, true},
                                          {u"schema"_s, QJsonObject{{u"type"_s, u"string"_s}}}});
        }
        if (spec.idempotent) {
            parameters.append(
                QJsonObject{{u"name"_s, u"Idempotency-Key"_s},
                            {u"in"_s, u"header"_s},
                            {u"required"_s, false},
                            {u"description"_s, u"Retries with the same key and body get the first answer."_s},
                            {u"schema"_s, QJsonObject{{u"type"_s, u"string"_s}, {u"maxLength"_s, 64}}}});
        }
        if (spec.actionToken) {
            parameters.append(QJsonObject{{u"name"_s, u"X-Action-Token"_s},
                                          {u"in"_s, u"header"_s},
                                          {u"required"_s, true},
                                          {u"schema"_s, QJsonObject{{u"type"_s, u"string"_s}}}});
        }
        if (!parameters.isEmpty())
            operation.insert(u"parameters"_s, parameters);
        QJsonArray security;
        for (AuthScheme scheme : spec.auth)
            security.append(QJsonObject{{schemeName(scheme), QJsonArray{}}});
        operation.insert(u"security"_s, security); // empty: public
        if (!spec.roles.isEmpty()) {
            QJsonArray roles;
            for (Role role : spec.roles)
                roles.append(roleName(role));
            operation.insert(u"x-roles"_s, roles);
        }
        if (spec.method == "POST" || spec.method == "PUT" || spec.method == "PATCH") {
            operation.insert(
                u"requestBody"_s,
                QJsonObject{{u"content"_s,
                             QJsonObject{{u"application/json"_s,
                                          QJsonObject{{u"schema"_s, QJsonObject{{u"type"_s, u"object"_s}}}}}}}});
        }
        const QJsonObject errorResponse{
            {u"description"_s, u"An error; see error.code."_s},
            {u"content"_s,
             QJsonObject{{u"application/json"_s,
                          QJsonObject{{u"schema"_s, QJsonObject{{u"$ref"_s, u"#/components/schemas/Error"_s}}}}}}}};
        operation.insert(
            u"responses"_s,
            QJsonObject{{u"2XX"_s, QJsonObject{{u"description"_s, u"Success."_s}}}, {u"default"_s, errorResponse}});
        QJsonObject item = paths.value(path).toObject();
        item.insert(QString::fromLatin1(spec.method).toLower(), operation);
        paths.insert(path, item);
    }
    return QJsonObject{
        {u"openapi"_s, u"3.0.3"_s},
        {u"info"_s,
         QJsonObject{{u"title"_s, u"Paydesk HTTPS API"_s},
                     {u"version"_s, version},
                     {u"description"_s,
                      u"Amounts are integers of minor units (fen) or decimal strings where "
                      "a field says so, never floating point. Errors are "
                      "{\"error\":{\"code\",\"message\"}}. See docs/ for the guides."_s}}},
        {u"paths"_s, paths},
        {u"components"_s, QJsonObject{{u"schemas"_s, errorComponents()}, {u"securitySchemes"_s, securitySchemes()}}}};
}

void registerOpenApiRoute(Router &router)
{
    router.add({"GET", "/openapi.json", {}, {}, false, false, u"This API description (OpenAPI 3)"_s, u"system"_s},
               [&router](HttpRequest &) {
                   static const QByteArray document
                       = QJsonDocument(buildOpenApiDocument(router, QCoreApplication::applicationVersion()))
                             .toJson(QJsonDocument::Compact);
                   return HttpResponse::text(200, document, "application/json");
               });
}

} // namespace paydesk
