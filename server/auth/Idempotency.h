#pragma once

#include "server/auth/SecurityConfig.h"
#include "server/http/HttpMessage.h"

#include <QSqlDatabase>
#include <QString>

#include <atomic>
#include <optional>

namespace paydesk {

/// The Idempotency-Key of one request: who sent it (scope), the key and the request's hash.
struct IdempotencyClaim
{
    QString scope;
    QString key;
    QString requestHash;
    QString attempt; ///< random per request: only the attempt holding the claim may complete it

    /// From the request's header; nullopt without one. Throws VALIDATION_FAILED when malformed.
    static std::optional<IdempotencyClaim> fromRequest(const HttpRequest &request, const Principal &principal);

    /// Inside a writer unit: claims the key, or returns the stored response of the first request
    /// with this key. Throws IDEMPOTENCY_KEY_REUSED (other body) or IN_PROGRESS (first still running).
    std::optional<HttpResponse> claim(const QSqlDatabase &db, qint64 nowMs, const SecurityConfig &config) const;
    /// Inside a writer unit: stores the response a retry will get. Server errors (5xx) release
    /// the key instead, so the client's retry runs the request again. Money-moving handlers call
    /// it inside their own final unit (HttpRequest::idempotency), so the effect and the stored
    /// answer commit together; otherwise the pipeline calls it right after the handler. Throws
    /// IN_PROGRESS (rolling the unit back) when a retry has taken the key over from this attempt.
    void complete(const QSqlDatabase &db, const HttpResponse &response) const;
};

/// What a handler sees of its request's idempotency claim. A handler that moves money calls
/// record() inside the writer unit that makes the change, so the effect and the answer a retry
/// gets commit together; if it does not, the pipeline stores the answer right after.
struct IdempotencyContext
{
    IdempotencyClaim claim;
    std::atomic<bool> recorded{false};

    void record(const QSqlDatabase &db, const HttpResponse &response)
    {
        claim.complete(db, response);
        recorded = true;
    }
};

} // namespace paydesk
