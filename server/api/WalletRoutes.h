#pragma once

namespace paydesk {

struct ApiContext;
class Router;

/// Wallets of app users and merchants (/v1/app/wallet…, /v1/merchant/wallet…), recharges,
/// transfers, bank cards, withdrawals with admin review (/v1/admin/withdrawals…), risk rules,
/// the wallet consistency check, payout channels and the payout providers' callbacks.
void registerWalletRoutes(Router &router, ApiContext &context);

} // namespace paydesk
