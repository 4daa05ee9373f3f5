#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1StringView>
#include <QList>
#include <QString>
#include <QStringView>

#include <exception>
#include <optional>

namespace paydesk {

// Why an API request failed. The wire form is the code string (errorCodeName), which clients
// switch on and which therefore never changes once released; the enumerator is for C++ code.
// Adding a code means adding its case to the table in ApiError.cpp (the compiler insists).
enum class ErrorCode : quint8 {
    BadRequest, // BAD_REQUEST 400: malformed request (syntax, framing, JSON)
    ValidationFailed, // VALIDATION_FAILED 400: well-formed but a field is invalid
    Unauthenticated, // UNAUTHENTICATED 401: no or unknown credentials
    BadSignature, // BAD_SIGNATURE 401
    StaleTimestamp, // STALE_TIMESTAMP 401: signed timestamp outside the allowed skew
    Replayed, // REPLAYED 401: nonce already used
    ActionTokenInvalid, // ACTION_TOKEN_INVALID 401: missing, used or expired one-time action token
    PasswordChangeRequired, // PASSWORD_CHANGE_REQUIRED 403: sign-in with a one-time password; change it first
    Forbidden, // FORBIDDEN 403: authenticated, but the role or owner does not match
    NotFound, // NOT_FOUND 404
    MethodNotAllowed, // METHOD_NOT_ALLOWED 405
    RequestTimeout, // REQUEST_TIMEOUT 408: the client was too slow to send the request
    Conflict, // CONFLICT 409: the state does not allow this now (e.g. order closed)
    InProgress, // IN_PROGRESS 409: the same idempotency key is still being processed
    IdempotencyKeyReused, // IDEMPOTENCY_KEY_REUSED 422: same key, different request
    InsufficientFunds, // INSUFFICIENT_FUNDS 422
    AmountMismatch, // AMOUNT_MISMATCH 422
    PayloadTooLarge, // PAYLOAD_TOO_LARGE 413
    HeadersTooLarge, // HEADERS_TOO_LARGE 431
    Locked, // LOCKED 423: account locked after failed logins
    RateLimited, // RATE_LIMITED 429
    Internal, // INTERNAL 500: the message must not reveal internals
    NotImplemented, // NOT_IMPLEMENTED 501
    Unavailable, // UNAVAILABLE 503: overloaded or a dependency is down; retry later
    ChannelError, // CHANNEL_ERROR 502: the payment channel refused the call (details carry its code)
    RiskRejected, // RISK_REJECTED 422: a risk rule refused the request (details name the rule)
    CardRejected, // CARD_REJECTED 422: the bank could not verify the card with this holder name
    AlreadyGrabbed, // ALREADY_GRABBED 409: this user has a share of the red packet already
    SoldOut, // SOLD_OUT 409: every share of the red packet is taken
    Expired, // EXPIRED 410: the red packet has expired
    NotActive, // NOT_ACTIVE 409: the red packet is not paid for (or was cancelled)
};

// "INSUFFICIENT_FUNDS". Empty for a value outside the enumeration.
QLatin1StringView errorCodeName(ErrorCode code);
// The one place that decides the HTTP status of an error code.
int httpStatusFor(ErrorCode code);
// A short English sentence used when a thrower gives no message of its own.
QString defaultMessage(ErrorCode code);
// The inverse of errorCodeName, for clients reading error bodies. Exact, case-sensitive.
std::optional<ErrorCode> errorCodeFromName(QStringView name);
// Every code, in declaration order.
QList<ErrorCode> allErrorCodes();

// A failed API request: thrown by domain code and turned into a response in one catch point.
class ApiError final : public std::exception
{
public:
    explicit ApiError(ErrorCode code);
    ApiError(ErrorCode code, QString message, QJsonObject details = {});

    ErrorCode code() const noexcept { return m_code; }
    QLatin1StringView codeName() const { return errorCodeName(m_code); }
    QString message() const { return m_message; }
    int httpStatus() const { return httpStatusFor(m_code); }
    QJsonObject details() const { return m_details; }

    // {"error":{"code":"…","message":"…"}}, with "details" inside "error" when there are any.
    QJsonObject toJsonObject() const;
    // toJsonObject() as compact UTF-8, ready to be a response body.
    QByteArray toJson() const;

    // "CODE: message", for logs.
    const char *what() const noexcept override;

private:
    ErrorCode m_code;
    QString m_message;
    QJsonObject m_details;
    QByteArray m_what;
};

} // namespace paydesk
