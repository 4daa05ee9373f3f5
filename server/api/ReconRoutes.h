#pragma once

namespace paydesk {

struct ApiContext;
class Router;

/// Reconciliation runs and discrepancy items (/v1/reconciliation/…, platform admins; auditors
/// read) and the daily report (/v1/reports/daily, every staff role, scoped to their merchant).
void registerReconRoutes(Router &router, ApiContext &context);

} // namespace paydesk
