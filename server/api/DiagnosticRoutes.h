#pragma once

namespace paydesk {

class DbWriter;
class Database;
class Router;

/// Routes under /_test that the integration tests use to exercise the HTTP layer and the
/// group-commit writer through a real server process. Registered only with --enable-test-routes
/// (or [testing] routes=true); production servers never serve them.
void registerDiagnosticRoutes(Router &router, Database &database, DbWriter &writer);

} // namespace paydesk
