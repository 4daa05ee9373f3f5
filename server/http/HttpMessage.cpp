#include "server/http/HttpMessage.h"

#include "common/protocol/ApiError.h"

#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace paydesk {

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.size() == name.size() && qstrnicmp(key.constData(), name.data(), key.size()) == 0)
            return value;
    }
    return {};
}

QUrlQuery HttpRequest::queryItems() const
{
    return QUrlQuery(QString::fromUtf8(query));
}

QJsonObject HttpRequest::jsonObject() const
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        throw ApiError(ErrorCode::ValidationFailed, u"The request body must be a JSON object."_s);
    return document.object();
}

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    return json(status, QJsonDocument(object));
}

HttpResponse HttpResponse::json(int status, const QJsonDocument &document)
{
    HttpResponse response;
    response.status = status;
    response.body = document.toJson(QJsonDocument::Compact);
    response.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    return response;
}

HttpResponse HttpResponse::text(int status, QByteArray body, QByteArray contentType)
{
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.headers.append({QByteArrayLiteral("Content-Type"), std::move(contentType)});
    return response;
}

HttpResponse HttpResponse::error(const ApiError &error)
{
    HttpResponse response;
    response.status = error.httpStatus();
    response.body = error.toJson();
    response.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    // Limits (LOCKED, RATE_LIMITED) tell the client when to come back.
    const QJsonValue retryAfter = error.details().value(u"retry_after_seconds"_s);
    if (retryAfter.isDouble())
        response.headers.append({QByteArrayLiteral("Retry-After"), QByteArray::number(retryAfter.toInteger())});
    return response;
}

HttpResponse HttpResponse::noContent()
{
    HttpResponse response;
    response.status = 204;
    return response;
}

HttpResponse &HttpResponse::withHeader(QByteArray name, QByteArray value)
{
    headers.append({std::move(name), std::move(value)});
    return *this;
}

QByteArray httpReasonPhrase(int status)
{
    switch (status) {
    case 100: return QByteArrayLiteral("Continue");
    case 200: return QByteArrayLiteral("OK");
    case 201: return QByteArrayLiteral("Created");
    case 202: return QByteArrayLiteral("Accepted");
    case 204: return QByteArrayLiteral("No Content");
    case 304: return QByteArrayLiteral("Not Modified");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 409: return QByteArrayLiteral("Conflict");
    case 411: return QByteArrayLiteral("Length Required");
    case 413: return QByteArrayLiteral("Payload Too Large");
    case 414: return QByteArrayLiteral("URI Too Long");
    case 415: return QByteArrayLiteral("Unsupported Media Type");
    case 422: return QByteArrayLiteral("Unprocessable Content");
    case 423: return QByteArrayLiteral("Locked");
    case 429: return QByteArrayLiteral("Too Many Requests");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 500: return QByteArrayLiteral("Internal Server Error");
    case 501: return QByteArrayLiteral("Not Implemented");
    case 503: return QByteArrayLiteral("Service Unavailable");
    case 505: return QByteArrayLiteral("HTTP Version Not Supported");
    default: return QByteArrayLiteral("Status");
    }
}

} // namespace paydesk
