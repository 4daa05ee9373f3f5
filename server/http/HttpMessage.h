#pragma once

#include "server/auth/Principal.h"

#include <QByteArray>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace paydesk {

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

/// One parsed HTTP/1.1 request as handlers see it; header names are lower-case.
struct HttpRequest
{
    QByteArray method;
    QByteArray target; ///< raw request target as sent: path and optional "?query"
    QByteArray path; ///< raw path, not percent-decoded (signatures cover it as sent)
    QByteArray query; ///< raw query without '?', empty when absent
    HttpHeaders headers;
    QByteArray body;
    QHostAddress peer;
    QString requestId;
    QMap<QString, QString> pathParams; ///< values of {name} segments of the matched route
    std::chrono::steady_clock::time_point receivedAt;
    std::optional<Principal> principal; ///< set by authentication before the handler runs
    /// The request's Idempotency-Key claim, when it has one (see server/auth/Idempotency.h).
    std::shared_ptr<struct IdempotencyContext> idempotency;

    /// First value of a header (name in any case), or a null QByteArray.
    QByteArray header(QByteArrayView name) const;
    QUrlQuery queryItems() const;
    /// Body as a JSON object; throws ApiError(VALIDATION_FAILED) when it is not one.
    QJsonObject jsonObject() const;
};

/// A response produced by a handler; the connection adds framing headers.
struct HttpResponse
{
    int status = 200;
    HttpHeaders headers;
    QByteArray body;
    bool closeConnection = false;
    /// With status 101 (a WebSocket handshake the route accepted): the connection becomes an
    /// event stream for these audiences ("user:<id>", "merchant:<id>", …), first sending backlog.
    QStringList streamAudiences;
    QList<QByteArray> streamBacklog;

    static HttpResponse json(int status, const QJsonObject &object);
    static HttpResponse json(int status, const QJsonDocument &document);
    static HttpResponse text(int status, QByteArray body,
                             QByteArray contentType = QByteArrayLiteral("text/plain; charset=utf-8"));
    /// The JSON error body {"error":{"code","message"}} with the status ApiError maps the code to.
    static HttpResponse error(const class ApiError &error);
    static HttpResponse noContent();

    HttpResponse &withHeader(QByteArray name, QByteArray value);
};

/// Standard reason phrase for a status code ("OK", "Payload Too Large", …).
QByteArray httpReasonPhrase(int status);

} // namespace paydesk
