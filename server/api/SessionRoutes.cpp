#include "server/api/ApiContext.h"
#include "server/api/IdentityRoutes.h"
#include "server/api/JsonBody.h"
#include "server/api/RouteSupport.h"

#include "common/protocol/ApiError.h"
#include "server/auth/SessionStore.h"
#include "server/auth/StaffAuthService.h"
#include "server/http/Router.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

const QList<AuthScheme> kStaff{AuthScheme::StaffSession};

QJsonObject staffJson(const QSqlQuery &row)
{
    return QJsonObject{{u"id"_s, row.value(0).toString()},
                       {u"username"_s, row.value(1).toString()},
                       {u"display_name"_s, row.value(2).toString()},
                       {u"role"_s, row.value(3).toString()},
                       {u"merchant_id"_s, row.value(4).isNull() ? QJsonValue() : QJsonValue(row.value(4).toString())},
                       {u"status"_s, row.value(5).toString()},
                       {u"must_change_password"_s, row.value(6).toInt() != 0},
                       {u"created_at"_s, row.value(7).toLongLong()}};
}

const QString kStaffColumns
    = u"id, username, display_name, role, merchant_id, status, must_change_password, created_at"_s;

} // namespace

void registerSessionRoutes(Router &router, ApiContext &context)
{
    router.addAsync(
        {"POST", "/v1/sessions", {}, {}, false, false, u"Sign in with username and password (+ totp)"_s, u"sessions"_s},
        [&context](HttpRequest &request) {
            const JsonBody body(request, {u"username"_s, u"password"_s, u"totp"_s});
            StaffAuthService::LoginRequest login;
            login.username = body.string(u"username"_s, true, 64);
            login.password = body.string(u"password"_s, true, 256);
            login.totp = body.string(u"totp"_s, false, 8);
            login.address = request.peer;
            login.requestId = request.requestId;
            return context.staffAuth.login(login).then(
                QtFuture::Launch::Sync, [](QJsonObject session) { return HttpResponse::json(201, session); });
        });

    router.addAsync(
        {"DELETE", "/v1/sessions/current", kStaff, {}, false, false, u"Sign out"_s, u"sessions"_s, true, true},
        [&context](HttpRequest &request) {
            const QString hash = request.principal->sessionHash;
            const qint64 now = context.clock();
            const AuditEntry audit
                = auditEntryFor(request, now, u"staff.logout"_s, u"staff_user"_s, request.principal->id);
            return context.writer
                .submit<void>([hash, now, audit](const QSqlDatabase &db) {
                    SessionStore::revoke(db, hash, now);
                    AuditLog::append(db, audit);
                })
                .then(QtFuture::Launch::Sync, [] { return HttpResponse::noContent(); });
        });

    router.add({"GET", "/v1/me", kStaff, {}, false, false, u"The signed-in staff user"_s, u"sessions"_s, true, true},
               [&context](HttpRequest &request) {
                   QSqlQuery row = sqlExec(context.database.threadConnection(),
                                           u"SELECT "_s + kStaffColumns + u" FROM staff_users WHERE id = ?"_s,
                                           {request.principal->id});
                   if (!row.next())
                       throw ApiError(ErrorCode::NotFound, u"No such user."_s);
                   return HttpResponse::json(200, staffJson(row));
               });

    router.addAsync({"POST",
                     "/v1/me/password",
                     kStaff,
                     {},
                     false,
                     false,
                     u"Change the signed-in user's password"_s,
                     u"sessions"_s,
                     true,
                     true},
                    [&context](HttpRequest &request) {
                        const JsonBody body(request, {u"current_password"_s, u"new_password"_s});
                        return context.staffAuth
                            .changePassword(request.principal->id, body.string(u"current_password"_s, true, 256),
                                            body.string(u"new_password"_s, true, 256), request.principal->sessionHash)
                            .then(QtFuture::Launch::Sync, [] { return HttpResponse::noContent(); });
                    });

    router.addAsync(
        {"POST",
         "/v1/me/totp/setup",
         kStaff,
         {},
         false,
         false,
         u"Start (or replace) the TOTP second factor; needs the password; returns the secret and an otpauth:// URI"_s,
         u"sessions"_s},
        [&context](HttpRequest &request) {
            QSqlQuery row = sqlExec(context.database.threadConnection(),
                                    u"SELECT username FROM staff_users WHERE id = ?"_s, {request.principal->id});
            const QString username = row.next() ? row.value(0).toString() : request.principal->id;
            const JsonBody body(request, {u"password"_s});
            return context.staffAuth.setupTotp(request.principal->id, username, body.string(u"password"_s, true, 256))
                .then(QtFuture::Launch::Sync, [](QJsonObject setup) { return HttpResponse::json(200, setup); });
        });

    router.addAsync({"POST",
                     "/v1/me/totp/confirm",
                     kStaff,
                     {},
                     false,
                     false,
                     u"Turn the TOTP second factor on with a current code"_s,
                     u"sessions"_s},
                    [&context](HttpRequest &request) {
                        const JsonBody body(request, {u"code"_s});
                        return context.staffAuth
                            .confirmTotp(request.principal->id,
                                         body.matching(u"code"_s, true, u"[0-9]{6}"_s, u"six digits"_s),
                                         request.requestId)
                            .then(QtFuture::Launch::Sync, [] { return HttpResponse::noContent(); });
                    });

    // Platform admins create any staff user; merchant admins create staff of their own merchant.
    router.addAsync(
        {"POST",
         "/v1/staff-users",
         kStaff,
         {Role::PlatformAdmin, Role::MerchantAdmin},
         false,
         false,
         u"Create a staff user (returns a one-time password)"_s,
         u"staff"_s},
        [&context](HttpRequest &request) {
            const JsonBody body(request, {u"username"_s, u"display_name"_s, u"role"_s, u"merchant_id"_s});
            const QString username = body.string(u"username"_s, true, 64);
            const QString displayName = body.string(u"display_name"_s, false, 100);
            const QString role = body.string(u"role"_s, true, 32);
            QString merchantId = body.string(u"merchant_id"_s, false, 64);
            const Principal &me = *request.principal;
            if (me.hasRole(Role::MerchantAdmin)) {
                if (role != u"operator"_s && role != u"merchant_admin"_s)
                    throw ApiError(ErrorCode::Forbidden,
                                   u"Merchant admins create operators and merchant admins only."_s);
                if (!merchantId.isEmpty() && merchantId != me.merchantId)
                    throw ApiError(ErrorCode::NotFound, u"No such merchant."_s);
                merchantId = me.merchantId;
            }
            const qint64 now = context.clock();
            StaffAuthService &staffAuth = context.staffAuth;
            const HttpRequest copy = request;
            return context.writer
                .submit<StaffAuthService::NewStaff>([&staffAuth, username, displayName, role, merchantId, now,
                                                     copy](const QSqlDatabase &db) {
                    StaffAuthService::NewStaff created
                        = staffAuth.createStaff(db, username, displayName, role, merchantId);
                    AuditLog::append(
                        db,
                        auditEntryFor(
                            copy, now, u"staff.created"_s, u"staff_user"_s, created.id,
                            QJsonObject{{u"username"_s, username}, {u"role"_s, role}, {u"merchant_id"_s, merchantId}}));
                    return created;
                })
                .then(QtFuture::Launch::Sync, [role, merchantId](StaffAuthService::NewStaff created) {
                    return HttpResponse::json(
                        201,
                        QJsonObject{{u"id"_s, created.id},
                                    {u"username"_s, created.username},
                                    {u"role"_s, role},
                                    {u"merchant_id"_s, merchantId.isEmpty() ? QJsonValue() : QJsonValue(merchantId)},
                                    {u"one_time_password"_s, created.password}});
                });
        });

    router.add({"GET",
                "/v1/staff-users",
                kStaff,
                {Role::PlatformAdmin, Role::Auditor, Role::MerchantAdmin},
                false,
                false,
                u"List staff users (a merchant admin sees their merchant's)"_s,
                u"staff"_s},
               [&context](HttpRequest &request) {
                   const Principal &me = *request.principal;
                   QSqlQuery rows = me.isPlatformWide()
                       ? sqlExec(context.database.threadConnection(),
                                 u"SELECT "_s + kStaffColumns + u" FROM staff_users ORDER BY username LIMIT 1000"_s)
                       : sqlExec(context.database.threadConnection(),
                                 u"SELECT "_s + kStaffColumns
                                     + u" FROM staff_users WHERE merchant_id = ? ORDER BY username LIMIT 1000"_s,
                                 {me.merchantId});
                   QJsonArray users;
                   while (rows.next())
                       users.append(staffJson(rows));
                   return HttpResponse::json(200, QJsonObject{{u"items"_s, users}});
               });
}

} // namespace paydesk
