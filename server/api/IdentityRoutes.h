#pragma once

namespace paydesk {

struct ApiContext;
class AppAuthService;
class Router;

/// Staff sessions and accounts: POST/DELETE /v1/sessions, /v1/me, /v1/staff-users.
void registerSessionRoutes(Router &router, ApiContext &context);
/// Merchants and their API keys: /v1/merchants…, /v1/merchant (signed).
void registerMerchantRoutes(Router &router, ApiContext &context);
/// Mobile app users: SMS codes, app sessions, action tokens under /v1/app.
void registerAppAuthRoutes(Router &router, ApiContext &context, AppAuthService &appAuth);
/// The audit trail for auditors and platform admins: GET /v1/audit-log.
void registerAuditRoutes(Router &router, ApiContext &context);

} // namespace paydesk
