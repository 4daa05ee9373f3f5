#include "server/api/ApiContext.h"
#include "server/api/IdentityRoutes.h"

#include "common/protocol/ApiError.h"
#include "server/audit/AuditLog.h"
#include "server/http/Router.h"
#include "server/store/Database.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace paydesk {

void registerAuditRoutes(Router &router, ApiContext &context)
{
    router.add({"GET",
                "/v1/audit-log",
                {AuthScheme::StaffSession},
                {Role::Auditor, Role::PlatformAdmin},
                false,
                false,
                u"Audit trail, oldest first; page with after_seq; filter by action, actor_id, target_type, target_id"_s,
                u"audit"_s},
               [&context](HttpRequest &request) {
                   const QUrlQuery query = request.queryItems();
                   bool ok = true;
                   const qint64 afterSeq
                       = query.hasQueryItem(u"after_seq"_s) ? query.queryItemValue(u"after_seq"_s).toLongLong(&ok) : 0;
                   if (!ok || afterSeq < 0)
                       throw ApiError(ErrorCode::ValidationFailed, u"after_seq must be a whole number ≥ 0."_s);
                   const int limit = query.hasQueryItem(u"limit"_s) ? query.queryItemValue(u"limit"_s).toInt(&ok) : 100;
                   if (!ok || limit < 1 || limit > 1000)
                       throw ApiError(ErrorCode::ValidationFailed, u"limit must be from 1 to 1000."_s);
                   AuditFilter filter;
                   filter.action = query.queryItemValue(u"action"_s).left(128);
                   filter.actorId = query.queryItemValue(u"actor_id"_s).left(128);
                   filter.targetType = query.queryItemValue(u"target_type"_s).left(128);
                   filter.targetId = query.queryItemValue(u"target_id"_s).left(128);
                   const QList<AuditRecord> records
                       = AuditLog::list(context.database.threadConnection(), afterSeq, limit, filter);
                   QJsonArray items;
                   for (const AuditRecord &record : records)
                       items.append(record.toJson());
                   QJsonObject body{{u"items"_s, items}};
                   if (records.size() == limit)
                       body.insert(u"next_after_seq"_s, records.last().seq);
                   return HttpResponse::json(200, body);
               });
}

} // namespace paydesk
