#pragma once

// A merchant's back end for tests and the fault campaign: receives Paydesk's notifications on
// POST /merchant/notify over HTTPS, checks each signature with the merchant's API key, and answers
// "success" — or fails the next N deliveries (of one event, or of any), or answers the next N only
// after a delay, on purpose.
#include "HttpServerThread.h"

#include "common/protocol/PaydeskSignature.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QThread>

namespace paydesk::test {

class MerchantReceiver
{
public:
    struct Delivery
    {
        QString eventId; ///< the Paydesk-Event-Id header
        QJsonObject body;
        bool signatureValid = false;
    };

    MerchantReceiver() : m_server(HttpLimits{}, makeRouter()) { }

    void setSecret(const QString &keyId, const QByteArray &secret)
    {
        QMutexLocker lock(&m_mutex);
        m_keyId = keyId;
        m_secret = secret;
    }
    /// The next count deliveries (of eventId only, when given) are answered 503.
    void failNext(int count, const QString &eventId = {})
    {
        QMutexLocker lock(&m_mutex);
        m_failuresLeft = count;
        m_failingEvent = eventId;
    }
    /// The next count deliveries are answered "success" only after delayMs.
    void slowNext(int count, int delayMs)
    {
        QMutexLocker lock(&m_mutex);
        m_slowLeft = count;
        m_slowMs = delayMs;
    }
    QList<Delivery> deliveries(const QString &eventId = {})
    {
        QMutexLocker lock(&m_mutex);
        QList<Delivery> matching;
        for (const Delivery &delivery : std::as_const(m_deliveries))
            if (eventId.isEmpty() || delivery.eventId == eventId)
                matching.append(delivery);
        return matching;
    }
    quint16 port() const { return m_server.port(); }
    QSslCertificate ca() const { return m_server.ca(); }

private:
    Router makeRouter()
    {
        Router router;
        router.post("/merchant/notify", [this](HttpRequest &request) {
            Delivery delivery;
            delivery.eventId = QString::fromUtf8(request.header("paydesk-event-id"));
            delivery.body = QJsonDocument::fromJson(request.body).object();
            QString error;
            const auto parsed = PaydeskSignature::parse(request.header("paydesk-signature"), &error);
            QMutexLocker lock(&m_mutex);
            if (parsed && parsed->keyId == m_keyId)
                delivery.signatureValid = PaydeskSignature::sign(m_secret, "POST", request.target, parsed->timestamp,
                                                                 parsed->nonce, request.body)
                    == parsed->signature;
            m_deliveries.append(delivery);
            if (m_slowLeft > 0) {
                --m_slowLeft;
                const int delayMs = m_slowMs;
                lock.unlock();
                QThread::msleep(ulong(delayMs)); // a back end that answers late
                return HttpResponse::text(200, "success");
            }
            if (m_failuresLeft > 0 && (m_failingEvent.isEmpty() || m_failingEvent == delivery.eventId)) {
                --m_failuresLeft;
                return HttpResponse::text(503, "busy");
            }
            return HttpResponse::text(200, "success");
        });
        return router;
    }

    QMutex m_mutex;
    QString m_keyId;
    QByteArray m_secret;
    int m_failuresLeft = 0;
    QString m_failingEvent; ///< empty: any event
    int m_slowLeft = 0;
    int m_slowMs = 0;
    QList<Delivery> m_deliveries;
    HttpServerThread m_server;
};

} // namespace paydesk::test
