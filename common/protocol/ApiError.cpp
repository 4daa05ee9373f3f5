#include "common/protocol/ApiError.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

struct ErrorCodeInfo
{
    const char *name = nullptr; // nullptr: not a code
    int httpStatus = 500;
    const char *message = nullptr;
};

// The single table of wire names, HTTP statuses and default messages.
ErrorCodeInfo infoFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadRequest: return {"BAD_REQUEST", 400, "The request is malformed."};
    case ErrorCode::ValidationFailed: return {"VALIDATION_FAILED", 400, "A field of the request is invalid."};
    case ErrorCode::Unauthenticated: return {"UNAUTHENTICATED", 401, "Authentication is required."};
    case ErrorCode::BadSignature: return {"BAD_SIGNATURE", 401, "The request signature does not verify."};
    case ErrorCode::StaleTimestamp:
        return {"STALE_TIMESTAMP", 401, "The request timestamp is too far from the server time."};
    case ErrorCode::Replayed: return {"REPLAYED", 401, "The request nonce has already been used."};
    case ErrorCode::ActionTokenInvalid:
        return {"ACTION_TOKEN_INVALID", 401, "The action token is missing, already used or expired."};
    case ErrorCode::PasswordChangeRequired:
        return {"PASSWORD_CHANGE_REQUIRED", 403, "Change your one-time password first (POST /v1/me/password)."};
    case ErrorCode::Forbidden: return {"FORBIDDEN", 403, "You are not allowed to do this."};
    case ErrorCode::NotFound: return {"NOT_FOUND", 404, "Not found."};
    case ErrorCode::MethodNotAllowed: return {"METHOD_NOT_ALLOWED", 405, "This method is not allowed here."};
    case ErrorCode::RequestTimeout: return {"REQUEST_TIMEOUT", 408, "The request was not received in time."};
    case ErrorCode::Conflict: return {"CONFLICT", 409, "The request conflicts with the current state."};
    case ErrorCode::InProgress:
        return {"IN_PROGRESS", 409, "A request with this idempotency key is still in progress."};
    case ErrorCode::IdempotencyKeyReused:
        return {"IDEMPOTENCY_KEY_REUSED", 422, "This idempotency key was used for a different request."};
    case ErrorCode::InsufficientFunds: return {"INSUFFICIENT_FUNDS", 422, "The balance is insufficient."};
    case ErrorCode::AmountMismatch: return {"AMOUNT_MISMATCH", 422, "The amount does not match."};
    case ErrorCode::PayloadTooLarge: return {"PAYLOAD_TOO_LARGE", 413, "The request body is too large."};
    case ErrorCode::HeadersTooLarge: return {"HEADERS_TOO_LARGE", 431, "The request headers are too large."};
    case ErrorCode::Locked: return {"LOCKED", 423, "The account is locked."};
    case ErrorCode::RateLimited: return {"RATE_LIMITED", 429, "Too many requests; retry later."};
    case ErrorCode::Internal: return {"INTERNAL", 500, "Internal error."};
    case ErrorCode::NotImplemented: return {"NOT_IMPLEMENTED", 501, "Not implemented."};
    case ErrorCode::Unavailable: return {"UNAVAILABLE", 503, "The service is temporarily unavailable; retry later."};
    case ErrorCode::ChannelError: return {"CHANNEL_ERROR", 502, "The payment channel refused the request."};
    case ErrorCode::RiskRejected: return {"RISK_REJECTED", 422, "A risk rule refused the request."};
    case ErrorCode::AlreadyGrabbed:
        return {"ALREADY_GRABBED", 409, "You already have a share of this red packet."};
    case ErrorCode::SoldOut: return {"SOLD_OUT", 409, "Every share of the red packet is taken."};
    case ErrorCode::Expired: return {"EXPIRED", 410, "The red packet has expired."};
    case ErrorCode::NotActive: return {"NOT_ACTIVE", 409, "The red packet is not active."};
    case ErrorCode::CardRejected:
        return {"CARD_REJECTED", 422, "The bank card could not be verified with this holder name."};
    }
    return {};
}

} // namespace

QLatin1StringView errorCodeName(ErrorCode code)
{
    return QLatin1StringView(infoFor(code).name);
}

int httpStatusFor(ErrorCode code)
{
    return infoFor(code).httpStatus;
}

QString defaultMessage(ErrorCode code)
{
    const ErrorCodeInfo info = infoFor(code);
    return info.message ? QString::fromLatin1(info.message) : QString();
}

QList<ErrorCode> allErrorCodes()
{
    // The enumeration is contiguous from zero and infoFor() knows every enumerator, so the
    // first value without a name is the end; nothing to keep in sync by hand.
    QList<ErrorCode> codes;
    for (int value = 0; value <= 0xff && infoFor(ErrorCode(value)).name; ++value)
        codes.append(ErrorCode(value));
    return codes;
}

std::optional<ErrorCode> errorCodeFromName(QStringView name)
{
    for (const ErrorCode code : allErrorCodes()) {
        if (name == errorCodeName(code))
            return code;
    }
    return std::nullopt;
}

ApiError::ApiError(ErrorCode code) : ApiError(code, defaultMessage(code))
{
}

ApiError::ApiError(ErrorCode code, QString message, QJsonObject details)
    : m_code(code), m_message(std::move(message)), m_details(std::move(details)),
      m_what(QByteArray(infoFor(code).name) + ": " + m_message.toUtf8())
{
}

QJsonObject ApiError::toJsonObject() const
{
    QJsonObject error{{u"code"_s, QString(codeName())}, {u"message"_s, m_message}};
    if (!m_details.isEmpty())
        error.insert(u"details"_s, m_details);
    return QJsonObject{{u"error"_s, error}};
}

QByteArray ApiError::toJson() const
{
    return QJsonDocument(toJsonObject()).toJson(QJsonDocument::Compact);
}

const char *ApiError::what() const noexcept
{
    return m_what.constData();
}

} // namespace paydesk
