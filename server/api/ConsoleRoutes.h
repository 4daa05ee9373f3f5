#pragma once

namespace paydesk {

struct ApiContext;
class Router;

/// Read models for the staff console: order search (/v1/console/orders) and the collection
/// dashboard (/v1/console/dashboard), scoped to the caller's merchant unless platform-wide.
void registerConsoleRoutes(Router &router, ApiContext &context);

} // namespace paydesk
