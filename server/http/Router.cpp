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
    routeAsync(method, pattern, [handler = std::move(handler)](HttpRequest &request) {
        return QtFuture::makeReadyFuture(handler(request));
    });
}

void Router::routeAsync(QByteArrayView method, QByteArrayView pattern, AsyncHandler handler)
{
    m_routes.append({method.toByteArray(), pattern.toByteArray(), splitPath(pattern), std::move(handler)});
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
        if (route.method != method) {
            result.methodMismatch = true;
            if (!result.allowedMethods.isEmpty())
                result.allowedMethods += ", ";
            result.allowedMethods += route.method;
            continue;
        }
        result.handler = &route.handler;
        result.routeName = route.pattern;
        result.params = std::move(params);
        result.methodMismatch = false;
        return result;
    }
    return result;
}

} // namespace paydesk
