#pragma once

namespace paydesk {

struct ApiContext;
class Router;

/// Red packets for app users: send, grab, read (/v1/app/red-packets…).
void registerRedPacketRoutes(Router &router, ApiContext &context);

} // namespace paydesk
