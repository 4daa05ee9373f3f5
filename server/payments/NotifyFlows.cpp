// Merchant notifications (best-effort delivery until acknowledged) and the alert webhook.
//
// A notification is a POST of the event's JSON body, signed exactly like a merchant's own request
// to Paydesk (docs/authentication.md), with the merchant's newest active API key:
//   Paydesk-Signature: PAYDESK-HMAC-SHA256 key_id=…,timestamp=…,nonce=…,signature=…
// over "POST\n<path?query of the notify URL>\n<timestamp>\n<nonce>\n<hex sha256(body)>\n".
// The merchant acknowledges with a 2xx answer whose body is exactly "success".
#include "server/payments/PaymentService.h"

#include "common/crypto/Random.h"
#include "common/protocol/PaydeskSignature.h"
#include "common/util/Failpoint.h"
#include "server/auth/ApiKeyService.h"
#include "server/net/HttpClient.h"
#include "server/payments/Alerts.h"
#include "server/payments/FlowSupport.h"
#include "server/security/FieldCipher.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/store/Sql.h"

#include <QJsonDocument>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace paydesk {

using namespace flows;

namespace {

// Retries after attempt 1, 2, …: 5 s, 2 m, 10 m, 15 m, 1 h, 2 h, 6 h, 15 h; then the event FAILED.
constexpr qint64 kNotifyDelays[] = {5'000, 120'000, 600'000, 900'000, 3'600'000, 7'200'000, 21'600'000, 54'000'000};
constexpr int kNotifyAttempts = int(std::size(kNotifyDelays)) + 1;
constexpr qsizetype kMaxAnswerBytes = 64 * 1024;

QString describeFailure(const OutboundResponse &response)
{
    if (!response.ok())
        return response.error.isEmpty() ? u"no answer"_s : response.error;
    return u"HTTP %1, body is not \"success\""_s.arg(response.status);
}

} // namespace

JobResult PaymentService::deliverMerchantEvent(const OutboxJob &job)
{
    const QSqlDatabase reader = m_database.threadConnection();
    QSqlQuery event = sqlExec(reader,
                              u"SELECT e.merchant_id, e.type, e.body, e.status, COALESCE(e.url, m.notify_url, '')"
                              " FROM merchant_events e JOIN merchants m ON m.id = e.merchant_id WHERE e.event_id = ?"_s,
                              {job.ref});
    // A delivered (or given-up) event is sent again only when resent on demand.
    const bool resend = job.payload.value(u"resend"_s).toBool();
    if (!event.next() || (event.value(3).toString() != u"PENDING"_s && !resend))
        return JobResult::done();
    const QString merchantId = event.value(0).toString();
    const QString type = event.value(1).toString();
    const QByteArray body = event.value(2).toString().toUtf8();
    const QUrl url(event.value(4).toString());
    const int attempt = job.attempts + 1; ///< of this sending (a resend starts again at 1)

    OutboundResponse response;
    if (!url.isValid() || url.host().isEmpty()) {
        response.outcome = OutboundResponse::Outcome::NotSent;
        response.error = u"the merchant has no notify URL"_s;
    } else {
        QSqlQuery key = sqlExec(reader,
                                u"SELECT key_id, secret_enc FROM api_keys WHERE merchant_id = ? AND status = 'ACTIVE'"
                                " ORDER BY created_at DESC LIMIT 1"_s,
                                {merchantId});
        const std::optional<QByteArray> secret = key.next()
            ? m_cipher.decrypt(key.value(1).toString(), ApiKeyService::secretContext(key.value(0).toString()))
            : std::nullopt;
        if (!secret) {
            response.outcome = OutboundResponse::Outcome::NotSent;
            response.error = u"the merchant has no active API key to sign with"_s;
        } else {
            const QByteArray keyId = key.value(0).toString().toUtf8();
            const qint64 timestamp = m_clock() / 1000;
            const QByteArray nonce = Random::alphanumeric(24).toLatin1();
            const QByteArray target = url.path(QUrl::FullyEncoded).toUtf8()
                + (url.hasQuery() ? "?" + url.query(QUrl::FullyEncoded).toUtf8() : QByteArray());
            const QByteArray signature
                = PaydeskSignature::sign(*secret, "POST", target.isEmpty() ? "/" : target, timestamp, nonce, body);
            OutboundRequest request;
            request.method = "POST";
            request.url = url;
            request.body = body;
            request.timeoutMs = 10'000;
            request.maxResponseBytes = kMaxAnswerBytes;
            request.extraCa = m_config.notifyCa;
            request.headers
                = {{"Content-Type", "application/json"},
                   {"User-Agent", "Paydesk-Notify/" PAYDESK_VERSION},
                   {"Paydesk-Event-Id", job.ref.toUtf8()},
                   {"Paydesk-Event-Type", type.toUtf8()},
                   {"Paydesk-Signature", PaydeskSignature::authorization(keyId, timestamp, nonce, signature)}};
            response = m_http.sendAndWait(request);
            failpoint::hit("notify.after_send"); // fault campaign: delivered, not yet recorded
        }
    }
    const bool delivered
        = response.ok() && response.status >= 200 && response.status < 300 && response.body.trimmed() == "success";
    const bool exhausted = !delivered && attempt >= kNotifyAttempts;
    const qint64 now = m_clock();
    m_writer
        .submit<void>([&](const QSqlDatabase &db) {
            // Every attempt is counted and logged under its own number, resends included; the
            // status only moves forward: once acknowledged, an event stays DELIVERED.
            QSqlQuery counted
                = sqlExec(db,
                          u"UPDATE merchant_events SET attempts = attempts + 1, status = CASE WHEN status = 'DELIVERED'"
                          " THEN 'DELIVERED' ELSE ? END, delivered_at = COALESCE(delivered_at, ?) WHERE event_id = ?"
                          " RETURNING attempts"_s,
                          {delivered       ? u"DELIVERED"_s
                               : exhausted ? u"FAILED"_s
                                           : u"PENDING"_s,
                           delivered ? QVariant(now) : QVariant(QMetaType::fromType<qlonglong>()), job.ref});
            const int number = counted.next() ? counted.value(0).toInt() : attempt;
            while (counted.next()) { }
            sqlExec(db,
                    u"INSERT INTO notify_attempts (event_id, attempt, at, http_status, response, error, elapsed_ms)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                    {job.ref, number, now, response.status, nonNull(QString::fromUtf8(response.body.left(500))),
                     delivered ? u""_s : describeFailure(response), response.elapsedMs});
            if (exhausted)
                raiseAlert(db, u"NOTIFY_EXHAUSTED"_s, u"WARNING"_s, u"merchant_event"_s, job.ref,
                           u"Merchant %1 did not acknowledge %2 after %3 attempts (last: %4)."_s.arg(
                               merchantId, job.ref, QString::number(attempt), describeFailure(response)),
                           {}, u"NOTIFY_EXHAUSTED:%1:%2"_s.arg(job.ref).arg(now));
        })
        .waitForFinished();
    if (delivered)
        return JobResult::done();
    if (exhausted)
        return JobResult::failed(describeFailure(response));
    return JobResult::retryAt(now + scaled(kNotifyDelays[attempt - 1]), describeFailure(response));
}

JobResult PaymentService::deliverAlert(const OutboxJob &job)
{
    const QJsonObject alert = Alerts::get(m_database.threadConnection(), job.ref);
    if (alert.isEmpty() || m_config.alertWebhookUrl.isEmpty())
        return JobResult::done();
    OutboundRequest request;
    request.method = "POST";
    request.url = QUrl(m_config.alertWebhookUrl);
    request.body = QJsonDocument(alert).toJson(QJsonDocument::Compact);
    request.headers = {{"Content-Type", "application/json"}, {"User-Agent", "Paydesk-Alerts/" PAYDESK_VERSION}};
    request.extraCa = m_config.notifyCa;
    request.maxResponseBytes = kMaxAnswerBytes;
    const OutboundResponse response = m_http.sendAndWait(request);
    if (response.ok() && response.status >= 200 && response.status < 300)
        return JobResult::done();
    if (job.attempts + 1 >= 10)
        return JobResult::failed(describeFailure(response));
    return JobResult::retryAt(m_clock() + scaled(60'000) * (job.attempts + 1), describeFailure(response));
}

} // namespace paydesk
