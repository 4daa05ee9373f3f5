#pragma once

#include "server/http/HttpMessage.h"

#include <QFuture>
#include <QList>

#include <functional>

namespace paydesk {

/// Maps method + path to handlers; paths are literal segments and {name} placeholders.
class Router final
{
public:
    /// Runs on a worker thread; may block briefly (CPU work, a read query).
    using Handler = std::function<HttpResponse(HttpRequest &)>;
    /// Runs on a worker thread and returns a future, e.g. one that completes at a commit.
    using AsyncHandler = std::function<QFuture<HttpResponse>(HttpRequest &)>;

    void get(QByteArrayView pattern, Handler handler);
    void post(QByteArrayView pattern, Handler handler);
    void route(QByteArrayView method, QByteArrayView pattern, Handler handler);
    void routeAsync(QByteArrayView method, QByteArrayView pattern, AsyncHandler handler);

    struct Match
    {
        const AsyncHandler *handler = nullptr;
        QByteArray routeName; ///< the pattern, used as the metrics label
        QMap<QString, QString> params;
        bool methodMismatch = false; ///< the path exists with other methods (→ 405)
        QByteArray allowedMethods;
    };
    Match match(QByteArrayView method, QByteArrayView path) const;

private:
    struct Route
    {
        QByteArray method;
        QByteArray pattern;
        QList<QByteArray> segments;
        AsyncHandler handler;
    };
    QList<Route> m_routes;
};

} // namespace paydesk
