#include "server/api/ConsoleRoutes.h"

#include "server/api/ApiContext.h"
#include "server/api/RouteSupport.h"

#include "common/protocol/ApiError.h"
#include "server/http/Router.h"
#include "server/payments/Dashboard.h"
#include "server/payments/FlowSupport.h"
#include "server/payments/OrderSearch.h"
#include "server/payments/Payments.h"
#include "server/store/Database.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

using flows::invalid;

const QList<AuthScheme> kStaff{AuthScheme::StaffSession};

} // namespace

void registerConsoleRoutes(Router &router, ApiContext &context)
{
    router.add({"GET",
                "/v1/console/orders",
                kStaff,
                {},
                false,
                false,
                u"Order search for the console, keyset-paged (?order_no=&out_trade_no=&channel_trade_no="
                "&status=A,B&channel=&kind=&amount_min=&amount_max=&from=&to=&sort=created_at|amount"
                "&order=desc|asc&limit=1..200&cursor=&merchant_id= platform staff)"_s,
                u"console"_s},
               [&context](HttpRequest &request) {
                   const QUrlQuery query = request.queryItems();
                   OrderSearchQuery search = OrderSearch::parse(query);
                   search.merchantId = merchantScope(*request.principal, query);
                   const OrderSearch::Page page = OrderSearch::run(context.database.threadConnection(), search);
                   return HttpResponse::json(
                       200,
                       QJsonObject{
                           {u"items"_s, page.items},
                           {u"next_cursor"_s, page.nextCursor.isEmpty() ? QJsonValue() : QJsonValue(page.nextCursor)}});
               });

    router.add({"GET",
                "/v1/console/dashboard",
                kStaff,
                {},
                false,
                false,
                u"Collections today, today by channel and per business day (?days=1..90, default 14;"
                " merchant_id= platform staff)"_s,
                u"console"_s},
               [&context](HttpRequest &request) {
                   const QUrlQuery query = request.queryItems();
                   QStringList seen;
                   for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
                       if (name != u"days"_s && name != u"merchant_id"_s)
                           invalid(name.left(64),
                                   u"Unknown parameter %1; known: days, merchant_id."_s.arg(name.left(64)));
                       if (seen.contains(name))
                           invalid(name, u"%1 is given more than once."_s.arg(name));
                       seen.append(name);
                   }
                   int days = 14;
                   if (query.hasQueryItem(u"days"_s)) {
                       bool ok = false;
                       const QString text = query.queryItemValue(u"days"_s, QUrl::FullyDecoded);
                       days = text.size() <= 2 ? text.toInt(&ok) : 0;
                       if (!ok || days < 1 || days > Dashboard::kMaxDays)
                           invalid(u"days"_s, u"days must be an integer from 1 to %1."_s.arg(Dashboard::kMaxDays));
                   }
                   const QString merchantId = merchantScope(*request.principal, query);
                   return HttpResponse::json(200,
                                             Dashboard::build(context.database.threadConnection(), merchantId, days,
                                                              context.clock(),
                                                              context.payments->wallet.config().dayOffsetMinutes));
               });
}

} // namespace paydesk
