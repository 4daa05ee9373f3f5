#pragma once

#include "server/auth/SecurityConfig.h"
#include "server/http/HttpMessage.h"

#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace paydesk {

/// The Idempotency-Key of one request: who sent it (scope), the key and the request's hash.
struct IdempotencyClaim
{
    QString scope;
    QString key;
    QString requestHash;

    /// From the request's header; nullopt without one. Throws VALIDATION_FAILED when malformed.
    static std::optional<IdempotencyClaim> fromRequest(const HttpRequest &request, const Principal &principal);

    /// Inside a writer unit: claims the key, or returns the stored response of the first request
    /// with this key. Throws IDEMPOTENCY_KEY_REUSED (other body) or IN_PROGRESS (first still running).
    std::optional<HttpResponse> claim(const QSqlDatabase &db, qint64 nowMs, const SecurityConfig &config) const;
    /// Inside a writer unit: stores the response a retry will get. Server errors (5xx) release
    /// the key instead, so the client's retry runs the request again.
    void complete(const QSqlDatabase &db, const HttpResponse &response) const;
};

} // namespace paydesk
