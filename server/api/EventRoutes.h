#pragma once

namespace paydesk {

struct ApiContext;
class Router;

/// GET /v1/events: the authenticated WebSocket event stream of app users and staff.
void registerEventRoutes(Router &router, ApiContext &context);

} // namespace paydesk
