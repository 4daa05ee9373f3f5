#include "server/api/SystemRoutes.h"

#include "common/protocol/ApiError.h"
#include "server/http/Metrics.h"
#include "server/http/Router.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"

#include <QCoreApplication>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHealth, "paydesk.health")

namespace paydesk {

void registerSystemRoutes(Router &router, Database &database, Metrics &metrics, int schemaVersion,
                          QList<std::pair<QHostAddress, int>> metricsAllow)
{
    router.add({"GET", "/healthz", {}, {}, false, false, u"Liveness and database reachability"_s, u"system"_s},
               [&database, schemaVersion](HttpRequest &request) {
                   QJsonObject db{{u"backend"_s, database.isSqlite() ? u"sqlite"_s : u"postgresql"_s},
                                  {u"schema_version"_s, schemaVersion}};
                   bool reachable = false;
                   try {
                       QSqlQuery query = sqlExec(database.threadConnection(), u"SELECT 1"_s);
                       reachable = query.next() && query.value(0).toInt() == 1;
                   } catch (const std::exception &error) {
                       qCWarning(lcHealth).noquote()
                           << u"request_id="_s + request.requestId << "database check failed:" << error.what();
                   }
                   db.insert(u"reachable"_s, reachable);
                   const QJsonObject body{{u"status"_s, reachable ? u"ok"_s : u"unavailable"_s},
                                          {u"version"_s, QCoreApplication::applicationVersion()},
                                          {u"database"_s, db}};
                   return HttpResponse::json(reachable ? 200 : 503, body);
               });

    router.add(
        {"GET", "/metrics", {}, {}, false, false, u"Prometheus metrics (loopback only by default)"_s, u"system"_s},
        [&metrics, metricsAllow = std::move(metricsAllow)](HttpRequest &request) {
            const bool allowed = std::any_of(metricsAllow.cbegin(), metricsAllow.cend(), [&](const auto &subnet) {
                QHostAddress peer = request.peer;
                bool isV4 = false;
                const quint32 v4 = peer.toIPv4Address(&isV4);
                if (isV4)
                    peer = QHostAddress(v4); // ::ffff:127.0.0.1 counts as 127.0.0.1
                return peer.isInSubnet(subnet);
            });
            if (!allowed)
                throw ApiError(ErrorCode::Forbidden, u"Metrics are not served to this address."_s);
            return HttpResponse::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
        });
}

} // namespace paydesk
