#pragma once

#include <QHostAddress>
#include <QList>

namespace paydesk {

class Database;
class Metrics;
class Router;

/// GET /healthz (database reachable, version, schema) and GET /metrics (Prometheus text).
void registerSystemRoutes(Router &router, Database &database, Metrics &metrics, int schemaVersion,
                          QList<std::pair<QHostAddress, int>> metricsAllow);

} // namespace paydesk
