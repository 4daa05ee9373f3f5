#include "server/api/ReconRoutes.h"

#include "server/api/ApiContext.h"
#include "server/api/RouteSupport.h"

#include "common/protocol/ApiError.h"
#include "server/audit/AuditLog.h"
#include "server/http/Router.h"
#include "server/payments/Payments.h"
#include "server/recon/DailyReport.h"
#include "server/recon/ReconService.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"


using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

using flows::invalid;

const QList<AuthScheme> kStaff{AuthScheme::StaffSession};
const QList<Role> kAdmins{Role::PlatformAdmin};
const QList<Role> kReaders{Role::PlatformAdmin, Role::Auditor};

/// Refuses unknown and repeated parameters, so a typo is an error and not a silently wider answer.
void checkParameters(const QUrlQuery &query, const QStringList &known)
{
    QStringList seen;
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!known.contains(name))
            invalid(name.left(64), u"Unknown parameter %1; known: %2."_s.arg(name.left(64), known.join(u", "_s)));
        if (seen.contains(name))
            invalid(name, u"%1 is given more than once."_s.arg(name));
        seen.append(name);
    }
}

// A day as YYYY-MM-DD; invalid otherwise (no other spelling is accepted).
QDate parseDay(const QString &text)
{
    return text.size() == 10 ? QDate::fromString(text, Qt::ISODate) : QDate();
}

QDate dayParameter(const QUrlQuery &query, const QString &name, const QDate &fallback)
{
    if (!query.hasQueryItem(name))
        return fallback;
    const QDate day = parseDay(query.queryItemValue(name, QUrl::FullyDecoded));
    if (!day.isValid())
        invalid(name, u"%1 must be a day as YYYY-MM-DD."_s.arg(name));
    return day;
}

QString idParameter(const QUrlQuery &query, const QString &name, const QStringList &allowed = {})
{
    const QString value = query.queryItemValue(name, QUrl::FullyDecoded);
    if (value.isEmpty())
        return {};
    static const QRegularExpression pattern(u"^[A-Za-z0-9_.:-]{1,64}$"_s);
    if (!pattern.match(value).hasMatch() || (!allowed.isEmpty() && !allowed.contains(value)))
        invalid(name, allowed.isEmpty() ? u"%1 must be 1 to 64 characters of [A-Za-z0-9_.:-]."_s.arg(name)
                                        : u"%1 must be one of %2."_s.arg(name, allowed.join(u", "_s)));
    return value;
}

} // namespace

void registerReconRoutes(Router &router, ApiContext &context)
{
    ReconService &recon = context.payments->recon;

    router.add({"POST", "/v1/reconciliation/runs", kStaff, kAdmins, false, false,
                u"Start reconciliation runs for a day {date, channel_id?: one account, \"internal\", or all}"
                " (202; progress on GET …/runs/{id})"_s,
                u"reconciliation"_s},
               [&context, &recon](HttpRequest &request) {
                   const QJsonObject body = request.jsonObject();
                   flows::refuseUnknown(body, {u"date"_s, u"channel_id"_s});
                   const QDate day = parseDay(body.value(u"date"_s).toString());
                   if (!day.isValid())
                       invalid(u"date"_s, u"date must be a day as YYYY-MM-DD."_s);
                   const QJsonValue channelValue = body.value(u"channel_id"_s);
                   if (!channelValue.isUndefined() && !channelValue.isNull() && !channelValue.isString())
                       invalid(u"channel_id"_s, u"channel_id is the id of a channel account, or \"internal\"."_s);
                   const QString channelId = channelValue.toString().left(65);
                   const QJsonArray runs = recon.startRuns(day, channelId, request.principal->id);
                   const AuditEntry audit = auditEntryFor(request, context.clock(), u"recon_run.started"_s,
                                                          u"recon_run"_s, day.toString(Qt::ISODate),
                                                          {{u"channel_id"_s, channelId.isEmpty() ? u"all"_s : channelId},
                                                           {u"runs"_s, runs.size()}});
                   context.writer
                       .submit<bool>([audit](const QSqlDatabase &db) {
                           AuditLog::append(db, audit);
                           return true;
                       })
                       .waitForFinished();
                   return HttpResponse::json(202, QJsonObject{{u"runs"_s, runs}});
               });
    router.add({"GET", "/v1/reconciliation/runs", kStaff, kReaders, false, false,
                u"Reconciliation runs, newest day first (?from=&to= days, default the last 30; channel_id=)"_s,
                u"reconciliation"_s},
               [&context, &recon](HttpRequest &request) {
                   const QUrlQuery query = request.queryItems();
                   checkParameters(query, {u"from"_s, u"to"_s, u"channel_id"_s});
                   const QDate today = ReconService::billDay(context.clock());
                   const QDate to = dayParameter(query, u"to"_s, today);
                   const QDate from = dayParameter(query, u"from"_s, to.addDays(-29));
                   if (from > to || from.daysTo(to) > 366)
                       invalid(u"from"_s, u"from must not be after to, and the range at most 367 days."_s);
                   return HttpResponse::json(
                       200, QJsonObject{{u"runs"_s, recon.runs(context.database.threadConnection(), from, to,
                                                               idParameter(query, u"channel_id"_s))}});
               });
    router.add({"GET", "/v1/reconciliation/runs/{id}", kStaff, kReaders, false, false,
                u"One reconciliation run, with its progress while RUNNING"_s, u"reconciliation"_s},
               [&context, &recon](HttpRequest &request) {
                   return HttpResponse::json(
                       200, recon.run(context.database.threadConnection(), request.pathParams.value(u"id"_s).left(64)));
               });
    router.add({"GET", "/v1/reconciliation/items", kStaff, kReaders, false, false,
                u"Discrepancy items, newest first, keyset-paged (?date=&channel_id=&kind=&status=&run_id="
                "&limit=1..200&cursor=)"_s,
                u"reconciliation"_s},
               [&context](HttpRequest &request) {
                   const QUrlQuery query = request.queryItems();
                   checkParameters(query, {u"date"_s, u"channel_id"_s, u"kind"_s, u"status"_s, u"run_id"_s,
                                           u"limit"_s, u"cursor"_s});
                   recon::ReconItems::Query itemQuery;
                   if (query.hasQueryItem(u"date"_s))
                       itemQuery.date = dayParameter(query, u"date"_s, {}).toString(Qt::ISODate);
                   itemQuery.channelId = idParameter(query, u"channel_id"_s);
                   itemQuery.kind = idParameter(query, u"kind"_s,
                                                {u"MISSING_LOCAL"_s, u"MISSING_CHANNEL"_s, u"AMOUNT_MISMATCH"_s,
                                                 u"STATUS_MISMATCH"_s, u"SUMMARY_MISMATCH"_s, u"CROSS_DAY"_s,
                                                 u"INTERNAL"_s});
                   itemQuery.status = idParameter(query, u"status"_s, {u"OPEN"_s, u"CARRIED"_s, u"RESOLVED"_s});
                   itemQuery.runId = idParameter(query, u"run_id"_s);
                   itemQuery.cursor = query.queryItemValue(u"cursor"_s, QUrl::FullyDecoded).left(100);
                   if (query.hasQueryItem(u"limit"_s)) {
                       bool ok = false;
                       const QString text = query.queryItemValue(u"limit"_s, QUrl::FullyDecoded);
                       itemQuery.limit = text.size() <= 3 ? text.toInt(&ok) : 0;
                       if (!ok || itemQuery.limit < 1 || itemQuery.limit > 200)
                           invalid(u"limit"_s, u"limit must be an integer from 1 to 200."_s);
                   }
                   return HttpResponse::json(200, recon::ReconItems::list(context.database.threadConnection(), itemQuery));
               });
    router.add({"GET", "/v1/reconciliation/items/{id}", kStaff, kReaders, false, false,
                u"One discrepancy item"_s, u"reconciliation"_s},
               [&context, &recon](HttpRequest &request) {
                   return HttpResponse::json(
                       200, recon::ReconItems::get(context.database.threadConnection(), request.pathParams.value(u"id"_s).left(64)));
               });
    router.addAsync({"POST", "/v1/reconciliation/items/{id}/resolve", kStaff, kAdmins, false, false,
                     u"Resolve an OPEN or CARRIED item {resolution: ADJUSTED|REFUNDED|CHANNEL_ERROR|WRITTEN_OFF|"
                     "DUPLICATE|OTHER, note} (audited)"_s,
                     u"reconciliation"_s},
                    [&context, &recon](HttpRequest &request) {
                        const QJsonObject body = request.jsonObject();
                        flows::refuseUnknown(body, {u"resolution"_s, u"note"_s});
                        if (!body.value(u"resolution"_s).isString())
                            invalid(u"resolution"_s, u"resolution is required: one of %1."_s.arg(
                                                         recon::ReconItems::manualResolutions().join(u", "_s)));
                        if (!body.value(u"note"_s).isString())
                            invalid(u"note"_s, u"note is required: say what was done (1 to 500 characters)."_s);
                        const QString resolution = body.value(u"resolution"_s).toString();
                        const QString note = body.value(u"note"_s).toString();
                        const QString id = request.pathParams.value(u"id"_s).left(64);
                        const HttpRequest copy = request;
                        const qint64 now = context.clock();
                        return context.writer.submit<HttpResponse>([copy, id, resolution, note,
                                                                    now](const QSqlDatabase &db) {
                            const QJsonObject item = recon::ReconItems::resolve(db, id, resolution, note.trimmed(),
                                                                                copy.principal->id, now);
                            AuditLog::append(db, auditEntryFor(copy, now, u"recon_item.resolved"_s, u"recon_item"_s, id,
                                                               {{u"resolution"_s, resolution},
                                                                {u"note"_s, note.trimmed()},
                                                                {u"kind"_s, item.value(u"kind"_s)},
                                                                {u"ref_id"_s, item.value(u"ref_id"_s)}}));
                            return HttpResponse::json(200, item);
                        });
                    });

    router.add({"GET", "/v1/reports/daily", kStaff, {}, false, false,
                u"Daily summary per merchant and channel account (?from=&to= days, default the last 30;"
                " merchant_id= platform staff; channel_id=; format=json|csv)"_s,
                u"reports"_s},
               [&context](HttpRequest &request) {
                   const QUrlQuery query = request.queryItems();
                   checkParameters(query, {u"from"_s, u"to"_s, u"merchant_id"_s, u"channel_id"_s, u"format"_s});
                   const QDate today = ReconService::billDay(context.clock());
                   DailyReport::Query report;
                   report.to = dayParameter(query, u"to"_s, today);
                   report.from = dayParameter(query, u"from"_s, report.to.addDays(-29));
                   report.merchantId = merchantScope(*request.principal, query);
                   report.channelId = idParameter(query, u"channel_id"_s);
                   const QString format = idParameter(query, u"format"_s, {u"json"_s, u"csv"_s});
                   const QJsonObject built = DailyReport::build(context.database.threadConnection(), report);
                   if (format == u"csv"_s)
                       return HttpResponse::text(200, DailyReport::csv(built), "text/csv; charset=utf-8")
                           .withHeader("Content-Disposition",
                                       u"attachment; filename=\"paydesk-daily-%1-%2.csv\""_s
                                           .arg(built.value(u"from"_s).toString(), built.value(u"to"_s).toString())
                                           .toUtf8());
                   return HttpResponse::json(200, built);
               });
}

} // namespace paydesk
