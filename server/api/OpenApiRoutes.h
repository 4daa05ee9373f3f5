#pragma once

#include <QJsonObject>

namespace paydesk {

class Router;

/// The OpenAPI 3 description of every documented route, generated from the routes themselves
/// (method, path, parameters, auth schemes, roles, idempotency), with the error model.
QJsonObject buildOpenApiDocument(const Router &router, const QString &version);
/// GET /openapi.json.
void registerOpenApiRoute(Router &router);

} // namespace paydesk
