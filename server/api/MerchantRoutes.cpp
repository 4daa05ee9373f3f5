#include "server/api/ApiContext.h"
#include "server/api/IdentityRoutes.h"
#include "server/api/JsonBody.h"
#include "server/api/RouteSupport.h"

#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/auth/ApiKeyService.h"
#include "server/auth/Idempotency.h"
#include "server/http/Router.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonArray>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

const QList<AuthScheme> kStaff{AuthScheme::StaffSession};
const QString kMerchantColumns = u"id, code, name, status, notify_url, created_at, updated_at"_s;

QJsonObject merchantJson(const QSqlQuery &row)
{
    return QJsonObject{{u"id"_s, row.value(0).toString()},
                       {u"code"_s, row.value(1).toString()},
                       {u"name"_s, row.value(2).toString()},
                       {u"status"_s, row.value(3).toString()},
                       {u"notify_url"_s, row.value(4).isNull() ? QJsonValue() : QJsonValue(row.value(4).toString())},
                       {u"created_at"_s, row.value(5).toLongLong()},
                       {u"updated_at"_s, row.value(6).toLongLong()}};
}

// A merchant the principal may see; others do not exist for it (404, never 403).
QJsonObject visibleMerchant(ApiContext &context, const Principal &principal, const QString &merchantId)
{
    if (!principal.canSeeMerchant(merchantId))
        throw ApiError(ErrorCode::NotFound, u"No such merchant."_s);
    QSqlQuery row = sqlExec(context.database.threadConnection(),
                            u"SELECT "_s + kMerchantColumns + u" FROM merchants WHERE id = ?"_s, {merchantId});
    if (!row.next())
        throw ApiError(ErrorCode::NotFound, u"No such merchant."_s);
    return merchantJson(row);
}

QString validNotifyUrl(const QString &text)
{
    if (text.isEmpty())
        return text;
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"https"_s && url.scheme() != u"http"_s) || url.host().isEmpty())
        throw ApiError(ErrorCode::ValidationFailed, u"notify_url must be an http(s) URL."_s,
                       QJsonObject{{u"field"_s, u"notify_url"_s}});
    return text;
}

} // namespace

void registerMerchantRoutes(Router &router, ApiContext &context)
{
    RouteSpec create{"POST", "/v1/merchants",        kStaff,        {Role::PlatformAdmin}, true,
                     false,  u"Create a merchant"_s, u"merchants"_s};
    router.addAsync(create, [&context](HttpRequest &request) {
        const JsonBody body(request, {u"code"_s, u"name"_s, u"notify_url"_s});
        const QString code
            = body.matching(u"code"_s, true, u"[A-Za-z0-9_-]{2,32}"_s, u"2 to 32 characters of [A-Za-z0-9_-]"_s);
        const QString name = body.string(u"name"_s, true, 100);
        const QString notifyUrl = validNotifyUrl(body.string(u"notify_url"_s, false, 512));
        const QString id = context.merchantIds.next();
        const qint64 now = context.clock();
        const HttpRequest copy = request;
        return context.writer.submit<HttpResponse>([id, code, name, notifyUrl, now, copy](const QSqlDatabase &db) {
            QSqlQuery insert = sqlExec(
                db,
                u"INSERT INTO merchants (id, code, name, status, notify_url, created_at, updated_at)"
                " VALUES (?, ?, ?, 'ACTIVE', ?, ?, ?) ON CONFLICT DO NOTHING"_s,
                {id, code, name, notifyUrl.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(notifyUrl),
                 now, now});
            if (insert.numRowsAffected() != 1)
                throw ApiError(ErrorCode::Conflict, u"The merchant code %1 is taken."_s.arg(code));
            AuditLog::append(db,
                             auditEntryFor(copy, now, u"merchant.created"_s, u"merchant"_s, id,
                                           QJsonObject{{u"code"_s, code}, {u"name"_s, name}}));
            QSqlQuery row = sqlExec(db, u"SELECT "_s + kMerchantColumns + u" FROM merchants WHERE id = ?"_s, {id});
            row.next();
            HttpResponse created = HttpResponse::json(201, merchantJson(row));
            if (copy.idempotency) // the merchant and the answer a retry gets commit together
                copy.idempotency->record(db, created);
            return created;
        });
    });

    router.add({"GET", "/v1/merchants", kStaff, {}, false, false, u"Merchants the caller may see"_s, u"merchants"_s},
               [&context](HttpRequest &request) {
                   const Principal &me = *request.principal;
                   QSqlQuery rows = me.isPlatformWide()
                       ? sqlExec(context.database.threadConnection(),
                                 u"SELECT "_s + kMerchantColumns + u" FROM merchants ORDER BY code LIMIT 1000"_s)
                       : sqlExec(context.database.threadConnection(),
                                 u"SELECT "_s + kMerchantColumns + u" FROM merchants WHERE id = ?"_s, {me.merchantId});
                   QJsonArray items;
                   while (rows.next())
                       items.append(merchantJson(rows));
                   return HttpResponse::json(200, QJsonObject{{u"items"_s, items}});
               });

    router.add({"GET", "/v1/merchants/{id}", kStaff, {}, false, false, u"One merchant"_s, u"merchants"_s},
               [&context](HttpRequest &request) {
                   return HttpResponse::json(
                       200, visibleMerchant(context, *request.principal, request.pathParams.value(u"id"_s)));
               });

    router.add({"GET",
                "/v1/merchant",
                {AuthScheme::Signed},
                {},
                false,
                false,
                u"The merchant of the signing API key"_s,
                u"merchants"_s},
               [&context](HttpRequest &request) {
                   return HttpResponse::json(
                       200, visibleMerchant(context, *request.principal, request.principal->merchantId));
               });

    router.addAsync(
        {"POST",
         "/v1/merchant/settings",
         {AuthScheme::Signed},
         {},
         false,
         false,
         u"Change the signing merchant's notify_url"_s,
         u"merchants"_s},
        [&context](HttpRequest &request) {
            const JsonBody body(request, {u"notify_url"_s});
            const QString notifyUrl = validNotifyUrl(body.string(u"notify_url"_s, true, 512));
            const QString merchantId = request.principal->merchantId;
            const qint64 now = context.clock();
            const HttpRequest copy = request;
            return context.writer.submit<HttpResponse>([merchantId, notifyUrl, now, copy](const QSqlDatabase &db) {
                sqlExec(db, u"UPDATE merchants SET notify_url = ?, updated_at = ? WHERE id = ?"_s,
                        {notifyUrl, now, merchantId});
                AuditLog::append(db,
                                 auditEntryFor(copy, now, u"merchant.settings_changed"_s, u"merchant"_s, merchantId,
                                               QJsonObject{{u"notify_url"_s, notifyUrl}}));
                QSqlQuery row
                    = sqlExec(db, u"SELECT "_s + kMerchantColumns + u" FROM merchants WHERE id = ?"_s, {merchantId});
                row.next();
                return HttpResponse::json(200, merchantJson(row));
            });
        });

    // API keys: a merchant admin manages its own merchant's, a platform admin anyone's.
    const QList<Role> keyAdmins{Role::PlatformAdmin, Role::MerchantAdmin};
    router.addAsync({"POST", "/v1/merchants/{id}/api-keys", kStaff, keyAdmins, false, false,
                     u"Create an API key; the secret is shown only in this response"_s, u"api-keys"_s},
                    [&context](HttpRequest &request) {
                        const QString merchantId = request.pathParams.value(u"id"_s);
                        if (!request.principal->canSeeMerchant(merchantId))
                            throw ApiError(ErrorCode::NotFound, u"No such merchant."_s);
                        const JsonBody body(request, {u"label"_s});
                        const QString label = body.string(u"label"_s, false, 100);
                        const qint64 now = context.clock();
                        ApiKeyService &apiKeys = context.apiKeys;
                        const HttpRequest copy = request;
                        return context.writer.submit<HttpResponse>(
                            [&apiKeys, merchantId, label, now, copy](const QSqlDatabase &db) {
                                const ApiKeyService::Created key = apiKeys.create(db, merchantId, label);
                                AuditLog::append(db,
                                                 auditEntryFor(copy, now, u"api_key.created"_s, u"api_key"_s, key.keyId,
                                                               QJsonObject{{u"merchant_id"_s, merchantId}}));
                                return HttpResponse::json(201,
                                                          QJsonObject{{u"key_id"_s, key.keyId},
                                                                      {u"secret"_s, key.secret},
                                                                      {u"label"_s, key.label},
                                                                      {u"merchant_id"_s, merchantId},
                                                                      {u"status"_s, u"ACTIVE"_s},
                                                                      {u"created_at"_s, key.createdAt}});
                            });
                    });

    router.add({"GET", "/v1/merchants/{id}/api-keys", kStaff, keyAdmins, false, false,
                u"A merchant's API keys (never their secrets)"_s, u"api-keys"_s},
               [&context](HttpRequest &request) {
                   const QString merchantId = request.pathParams.value(u"id"_s);
                   visibleMerchant(context, *request.principal, merchantId);
                   return HttpResponse::json(200, QJsonObject{{u"items"_s, context.apiKeys.list(merchantId)}});
               });

    router.addAsync({"DELETE", "/v1/merchants/{id}/api-keys/{key_id}", kStaff, keyAdmins, false, false,
                     u"Revoke an API key at once"_s, u"api-keys"_s},
                    [&context](HttpRequest &request) {
                        const QString merchantId = request.pathParams.value(u"id"_s);
                        const QString keyId = request.pathParams.value(u"key_id"_s);
                        if (!request.principal->canSeeMerchant(merchantId))
                            throw ApiError(ErrorCode::NotFound, u"No such API key."_s);
                        const qint64 now = context.clock();
                        ApiKeyService &apiKeys = context.apiKeys;
                        const HttpRequest copy = request;
                        return context.writer.submit<HttpResponse>(
                            [&apiKeys, merchantId, keyId, now, copy](const QSqlDatabase &db) {
                                if (!apiKeys.revoke(db, merchantId, keyId))
                                    throw ApiError(ErrorCode::NotFound, u"No such API key."_s);
                                AuditLog::append(db,
                                                 auditEntryFor(copy, now, u"api_key.revoked"_s, u"api_key"_s, keyId,
                                                               QJsonObject{{u"merchant_id"_s, merchantId}}));
                                return HttpResponse::noContent();
                            });
                    });
}

} // namespace paydesk
