#pragma once

namespace paydesk {

struct ApiContext;
class Router;

/// Orders, refunds and merchant notifications (/v1/orders…, /v1/refunds…), the channel callbacks
/// (/notify/<type>/<channel id>) and the staff order detail.
void registerPaymentRoutes(Router &router, ApiContext &context);
/// Channel accounts (/v1/channels…, platform admins) and alerts (/v1/alerts…).
void registerChannelRoutes(Router &router, ApiContext &context);

} // namespace paydesk
