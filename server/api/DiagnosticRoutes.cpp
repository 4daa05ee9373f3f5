#include "server/api/DiagnosticRoutes.h"

#include "common/protocol/ApiError.h"
#include "server/http/Router.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QDateTime>
#include <QThread>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

RouteSpec testRoute(const char *method, const char *pattern)
{
    RouteSpec spec;
    spec.method = method;
    spec.pattern = pattern;
    spec.documented = false;
    return spec;
}

} // namespace

void registerDiagnosticRoutes(Router &router, Database &database, DbWriter &writer)
{
    // A table of its own, created on first use, so the production schema carries nothing for tests.
    writer
        .submit<void>([](const QSqlDatabase &db) {
            sqlExecRaw(db,
                       u"CREATE TABLE IF NOT EXISTS test_writes (id TEXT PRIMARY KEY, payload TEXT NOT NULL,"
                       " created_at TEXT NOT NULL)"_s);
        })
        .waitForFinished();

    // Acknowledged (201) only after the commit that made the row durable.
    router.addAsync(testRoute("POST", "/_test/writes"), [&writer](HttpRequest &request) {
        const QJsonObject body = request.jsonObject();
        const QString id = body.value(u"id"_s).toString();
        if (id.isEmpty() || id.size() > 64)
            throw ApiError(ErrorCode::ValidationFailed, u"id must be 1 to 64 characters."_s);
        const QString payload = body.value(u"payload"_s).toString();
        return writer
            .submit<void>([id, payload](const QSqlDatabase &db) {
                try {
                    sqlExec(db, u"INSERT INTO test_writes (id, payload, created_at) VALUES (?, ?, ?)"_s,
                            {id, payload, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)});
                } catch (const DatabaseError &error) {
                    if (error.isUniqueViolation())
                        throw ApiError(ErrorCode::Conflict, u"id %1 exists already."_s.arg(id));
                    throw;
                }
            })
            .then(QtFuture::Launch::Sync, [id] {
                return HttpResponse::json(201, QJsonObject{{u"id"_s, id}});
            });
    });

    router.add(testRoute("GET", "/_test/writes/{id}"), [&database](HttpRequest &request) {
        const QString id = request.pathParams.value(u"id"_s);
        QSqlQuery query = sqlExec(database.threadConnection(), u"SELECT payload FROM test_writes WHERE id = ?"_s, {id});
        if (!query.next())
            throw ApiError(ErrorCode::NotFound, u"No write %1."_s.arg(id));
        return HttpResponse::json(200, QJsonObject{{u"id"_s, id}, {u"payload"_s, query.value(0).toString()}});
    });

    // Holds a worker for ?ms= milliseconds (at most 5 s): lets tests prove slow handlers stall nobody.
    router.add(testRoute("GET", "/_test/delay"), [](HttpRequest &request) {
        bool ok = false;
        const int ms = request.queryItems().queryItemValue(u"ms"_s).toInt(&ok);
        if (!ok || ms < 0 || ms > 5000)
            throw ApiError(ErrorCode::ValidationFailed, u"ms must be from 0 to 5000."_s);
        QThread::msleep(ulong(ms));
        return HttpResponse::json(
            200, QJsonObject{{u"ms"_s, ms}, {u"tag"_s, request.queryItems().queryItemValue(u"tag"_s)}});
    });

    // An app call that spends an action token, as transfers and withdrawals will.
    RouteSpec appAction = testRoute("POST", "/_test/app-action");
    appAction.auth = {AuthScheme::AppSession};
    appAction.actionToken = true;
    appAction.actionPurpose = u"transfer"_s;
    router.add(appAction, [](HttpRequest &request) {
        return HttpResponse::json(200, QJsonObject{{u"app_user"_s, request.principal->id}});
    });

    router.add(testRoute("POST", "/_test/echo"), [](HttpRequest &request) {
        return HttpResponse::json(
            200,
            QJsonObject{{u"bytes"_s, qint64(request.body.size())},
                        {u"sha256_prefix"_s, QString::fromLatin1(request.body.left(16).toHex())}});
    });
}

} // namespace paydesk
