#include "server/http/Router.h"

#include <QFuture>

namespace paydesk {

namespace {

QList<QByteArray> splitPath(QByteArrayView path)
{
    QList<QByteArray> segments;
    for (const QByteArray &segment : QByteArray(path.data(), path.size()).split('/')) {
        if (!segment.isEmpty())
            segments.append(segment);
    }
    return segments;
}

bool isPlaceholder(const QByteArray &segment)
{
    return segment.size() > 2 && segment.startsWith('{') && segment.endsWith('}');
}

Router::AsyncHandler makeAsync(Router::Handler handler)
{
    return [handler = std::move(handler)](HttpRequest &request) { return QtFuture::makeReadyFuture(handler(request)); };
}

} // namespace

void Router::get(QByteArrayView pattern, Handler handler)
{
    route("GET", pattern, std::move(handler));
}

void Router::post(QByteArrayView pattern, Handler handler)
{
    route("POST", pattern, std::move(handler));
}

void Router::route(QByteArrayView method, QByteArrayView pattern, Handler handler)
{
    routeAsync(method, pattern, makeAsync(std::move(handler)));
}

void Router::routeAsync(QByteArrayView method, QByteArrayView pattern, AsyncHandler handler)
{
    RouteSpec spec;
    spec.method = method.toByteArray();
    spec.pattern = pattern.toByteArray();
    addAsync(std::move(spec), std::move(handler));
}

void Router::add(RouteSpec spec, Handler handler)
{
    addAsync(std::move(spec), makeAsync(std::move(handler)));
}

void Router::addAsync(RouteSpec spec, AsyncHandler handler)
{
    QList<QByteArray> segments = splitPath(spec.pattern);
    m_routes.append({std::move(spec), std::move(segments), std::move(handler)});
}

QFuture<HttpResponse> Router::run(const Route &route, HttpRequest &request) const
{
    if (m_pipeline)
        return m_pipeline(request, route.spec, route.handler);
    return route.handler(request);
}

Router::Match Router::match(QByteArrayView method, QByteArrayView path) const
{
    Match result;
    const QList<QByteArray> segments = splitPath(path);
    for (const Route &route : m_routes) {
        if (route.segments.size() != segments.size())
            continue;
        QMap<QString, QString> params;
        bool matches = true;
        for (qsizetype i = 0; i < segments.size() && matches; ++i) {
            const QByteArray &expected = route.segments.at(i);
            if (isPlaceholder(expected)) {
                const QString name = QString::fromLatin1(expected.mid(1, expected.size() - 2));
                params.insert(name, QString::fromUtf8(QByteArray::fromPercentEncoding(segments.at(i))));
            } else {
                matches = expected == segments.at(i);
            }
        }
        if (!matches)
            continue;
        if (route.spec.method != method) {
            result.methodMismatch = true;
            if (!result.allowedMethods.isEmpty())
                result.allowedMethods += ", ";
            result.allowedMethods += route.spec.method;
            continue;
        }
        result.route = &route;
        result.params = std::move(params);
        result.methodMismatch = false;
        return result;
    }
    return result;
}

} // namespace paydesk
