#pragma once

#include "server/auth/Principal.h"
#include "server/http/HttpMessage.h"

#include <QFuture>
#include <QList>

#include <functional>

namespace paydesk {

/// How a route's caller proves who it is.
enum class AuthScheme {
    StaffSession, ///< Authorization: Bearer <token> from POST /v1/sessions
    Signed, ///< Authorization: PAYDESK-HMAC-SHA256 … with a merchant API key
    AppSession, ///< Authorization: Bearer <token> from POST /v1/app/sessions
};

/// Everything the pipeline and the API description need to know about one route.
struct RouteSpec
{
    QByteArray method;
    QByteArray pattern;
    QList<AuthScheme> auth; ///< accepted schemes; empty means public
    QList<Role> roles; ///< staff roles allowed; empty means any staff role
    bool idempotent = false; ///< honours Idempotency-Key (required for money-moving POSTs)
    bool actionToken = false; ///< app calls that move money need X-Action-Token
    QString summary; ///< one line for the OpenAPI document
    QString tag; ///< OpenAPI tag (resource name)
    bool documented = true; ///< false for the diagnostic /_test routes
    bool beforePasswordChange = false; ///< open to staff who still have a one-time password
    QString actionPurpose = {}; ///< with actionToken: the purpose the token was issued for
};

/// Maps method + path to handlers; paths are literal segments and {name} placeholders.
class Router final
{
public:
    /// Runs on a worker thread; may block briefly (CPU work, a read query).
    using Handler = std::function<HttpResponse(HttpRequest &)>;
    /// Runs on a worker thread and returns a future, e.g. one that completes at a commit.
    using AsyncHandler = std::function<QFuture<HttpResponse>(HttpRequest &)>;
    /// Wraps every handler: authentication, authorisation, limits, idempotency.
    using Pipeline = std::function<QFuture<HttpResponse>(HttpRequest &, const RouteSpec &, const AsyncHandler &)>;

    struct Route
    {
        RouteSpec spec;
        QList<QByteArray> segments;
        AsyncHandler handler;
    };

    void get(QByteArrayView pattern, Handler handler);
    void post(QByteArrayView pattern, Handler handler);
    void route(QByteArrayView method, QByteArrayView pattern, Handler handler);
    void routeAsync(QByteArrayView method, QByteArrayView pattern, AsyncHandler handler);
    void add(RouteSpec spec, Handler handler);
    void addAsync(RouteSpec spec, AsyncHandler handler);

    void setPipeline(Pipeline pipeline) { m_pipeline = std::move(pipeline); }
    /// Runs the route's handler through the pipeline (on the calling worker thread).
    QFuture<HttpResponse> run(const Route &route, HttpRequest &request) const;

    struct Match
    {
        const Route *route = nullptr;
        QMap<QString, QString> params;
        bool methodMismatch = false; ///< the path exists with other methods (→ 405)
        QByteArray allowedMethods;
    };
    Match match(QByteArrayView method, QByteArrayView path) const;
    const QList<Route> &routes() const { return m_routes; }

private:
    QList<Route> m_routes;
    Pipeline m_pipeline;
};

} // namespace paydesk
