#include "common/protocol/ApiError.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

#include <cstring>

using namespace Qt::StringLiterals;
using paydesk::ApiError;
using paydesk::ErrorCode;

Q_DECLARE_METATYPE(paydesk::ErrorCode)

class tst_ApiError final : public QObject
{
    Q_OBJECT

private slots:
    void codesMapToWireNameAndStatus_data();
    void codesMapToWireNameAndStatus();
    void everyCodeHasAUniqueNameAndRoundTrips();
    void unknownNamesAreRejected();
    void bodyHasExactlyCodeAndMessage();
    void detailsAppearInsideError();
    void defaultMessageIsUsedWhenNoneIsGiven();
    void caughtAsStdExceptionKeepsCodeAndMessage();
    void messageIsEscapedNotInterpolated();
};

void tst_ApiError::codesMapToWireNameAndStatus_data()
{
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("status");

    const auto row = [](ErrorCode code, const char *name, int status) {
        QTest::newRow(name) << code << QString::fromLatin1(name) << status;
    };
    row(ErrorCode::BadRequest, "BAD_REQUEST", 400);
    row(ErrorCode::ValidationFailed, "VALIDATION_FAILED", 400);
    row(ErrorCode::Unauthenticated, "UNAUTHENTICATED", 401);
    row(ErrorCode::BadSignature, "BAD_SIGNATURE", 401);
    row(ErrorCode::StaleTimestamp, "STALE_TIMESTAMP", 401);
    row(ErrorCode::Replayed, "REPLAYED", 401);
    row(ErrorCode::ActionTokenInvalid, "ACTION_TOKEN_INVALID", 401);
    row(ErrorCode::PasswordChangeRequired, "PASSWORD_CHANGE_REQUIRED", 403);
    row(ErrorCode::Forbidden, "FORBIDDEN", 403);
    row(ErrorCode::NotFound, "NOT_FOUND", 404);
    row(ErrorCode::MethodNotAllowed, "METHOD_NOT_ALLOWED", 405);
    row(ErrorCode::RequestTimeout, "REQUEST_TIMEOUT", 408);
    row(ErrorCode::Conflict, "CONFLICT", 409);
    row(ErrorCode::InProgress, "IN_PROGRESS", 409);
    row(ErrorCode::PayloadTooLarge, "PAYLOAD_TOO_LARGE", 413);
    row(ErrorCode::IdempotencyKeyReused, "IDEMPOTENCY_KEY_REUSED", 422);
    row(ErrorCode::InsufficientFunds, "INSUFFICIENT_FUNDS", 422);
    row(ErrorCode::AmountMismatch, "AMOUNT_MISMATCH", 422);
    row(ErrorCode::Locked, "LOCKED", 423);
    row(ErrorCode::RateLimited, "RATE_LIMITED", 429);
    row(ErrorCode::HeadersTooLarge, "HEADERS_TOO_LARGE", 431);
    row(ErrorCode::Internal, "INTERNAL", 500);
    row(ErrorCode::NotImplemented, "NOT_IMPLEMENTED", 501);
    row(ErrorCode::Unavailable, "UNAVAILABLE", 503);
    row(ErrorCode::ChannelError, "CHANNEL_ERROR", 502);
    row(ErrorCode::RiskRejected, "RISK_REJECTED", 422);
    row(ErrorCode::CardRejected, "CARD_REJECTED", 422);
    row(ErrorCode::AlreadyGrabbed, "ALREADY_GRABBED", 409);
    row(ErrorCode::SoldOut, "SOLD_OUT", 409);
    row(ErrorCode::Expired, "EXPIRED", 410);
    row(ErrorCode::NotActive, "NOT_ACTIVE", 409);
}

void tst_ApiError::codesMapToWireNameAndStatus()
{
    QFETCH(ErrorCode, code);
    QFETCH(QString, name);
    QFETCH(int, status);

    QCOMPARE(QString(paydesk::errorCodeName(code)), name);
    QCOMPARE(paydesk::httpStatusFor(code), status);
    const ApiError error(code, u"whatever"_s);
    QCOMPARE(error.code(), code);
    QCOMPARE(QString(error.codeName()), name);
    QCOMPARE(error.httpStatus(), status);
}

void tst_ApiError::everyCodeHasAUniqueNameAndRoundTrips()
{
    const QList<ErrorCode> codes = paydesk::allErrorCodes();
    QCOMPARE(codes.size(), qsizetype(31));
    QSet<QString> names;
    for (const ErrorCode code : codes) {
        const QString name = paydesk::errorCodeName(code);
        QVERIFY(!name.isEmpty());
        QVERIFY2(!names.contains(name), qPrintable(name));
        names.insert(name);
        QCOMPARE(paydesk::errorCodeFromName(name), std::optional<ErrorCode>(code));
        const int status = paydesk::httpStatusFor(code);
        QVERIFY(status >= 400 && status <= 599);
        QVERIFY(!paydesk::defaultMessage(code).isEmpty());
    }
}

void tst_ApiError::unknownNamesAreRejected()
{
    QVERIFY(!paydesk::errorCodeFromName(u"not_found").has_value());
    QVERIFY(!paydesk::errorCodeFromName(u"").has_value());
    QVERIFY(!paydesk::errorCodeFromName(u"NOT_FOUND ").has_value());
    QVERIFY(paydesk::errorCodeName(ErrorCode(200)).isEmpty());
    QCOMPARE(paydesk::httpStatusFor(ErrorCode(200)), 500);
}

void tst_ApiError::bodyHasExactlyCodeAndMessage()
{
    const ApiError error(ErrorCode::InsufficientFunds, u"The balance is 3.00, 5.00 needed."_s);
    QCOMPARE(error.toJson(),
             QByteArray(R"({"error":{"code":"INSUFFICIENT_FUNDS",)"
                        R"("message":"The balance is 3.00, 5.00 needed."}})"));
}

void tst_ApiError::detailsAppearInsideError()
{
    const QJsonObject details{{u"field"_s, u"amount"_s}, {u"allowed"_s, QJsonArray{u"0.01"_s, u"100000000.00"_s}}};
    const ApiError error(ErrorCode::ValidationFailed, u"amount is out of range"_s, details);
    QCOMPARE(error.details(), details);

    const QJsonDocument body = QJsonDocument::fromJson(error.toJson());
    QVERIFY(body.isObject());
    QCOMPARE(body.object().keys(), QStringList{u"error"_s});
    const QJsonObject inner = body.object().value(u"error"_s).toObject();
    QCOMPARE(inner.keys(), (QStringList{u"code"_s, u"details"_s, u"message"_s}));
    QCOMPARE(inner.value(u"code"_s).toString(), u"VALIDATION_FAILED"_s);
    QCOMPARE(inner.value(u"message"_s).toString(), u"amount is out of range"_s);
    QCOMPARE(inner.value(u"details"_s).toObject(), details);
}

void tst_ApiError::defaultMessageIsUsedWhenNoneIsGiven()
{
    const ApiError error(ErrorCode::NotFound);
    QCOMPARE(error.message(), paydesk::defaultMessage(ErrorCode::NotFound));
    QCOMPARE(error.toJson(), QByteArray(R"({"error":{"code":"NOT_FOUND","message":"Not found."}})"));
}

void tst_ApiError::caughtAsStdExceptionKeepsCodeAndMessage()
{
    try {
        throw ApiError(ErrorCode::Replayed, u"nonce n-1 was used"_s);
    } catch (const std::exception &caught) {
        QCOMPARE(QByteArray(caught.what()), QByteArray("REPLAYED: nonce n-1 was used"));
        const auto *error = dynamic_cast<const ApiError *>(&caught);
        QVERIFY(error);
        QCOMPARE(error->httpStatus(), 401);
        QCOMPARE(error->code(), ErrorCode::Replayed);
    }
}

void tst_ApiError::messageIsEscapedNotInterpolated()
{
    const ApiError error(ErrorCode::BadRequest, u"bad \"quote\" \\ and 中文\n"_s);
    const QJsonDocument body = QJsonDocument::fromJson(error.toJson());
    QCOMPARE(body.object().value(u"error"_s).toObject().value(u"message"_s).toString(),
             u"bad \"quote\" \\ and 中文\n"_s);
}

QTEST_GUILESS_MAIN(tst_ApiError)
#include "tst_apierror.moc"
