#include "MerchantEndpoint.h"

#include "server/http/HttpLimits.h"
#include "server/http/HttpMessage.h"
#include "server/http/HttpServer.h"
#include "server/http/Metrics.h"
#include "server/http/Router.h"
#include "server/tls/TlsBootstrap.h"

#include "common/crypto/Hmac.h"
#include "common/protocol/PaydeskSignature.h"

#include <QHostAddress>
#include <QMutexLocker>
#include <QSslConfiguration>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

MerchantEndpoint::MerchantEndpoint(QString keyId, QByteArray secret)
    : m_keyId(std::move(keyId)), m_secret(std::move(secret))
{
}

MerchantEndpoint::~MerchantEndpoint()
{
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(
            &m_context, [this] { delete m_http; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    m_workers.waitForDone();
}

bool MerchantEndpoint::start(const QString &dir, QString *error)
{
    const std::optional<TlsMaterial> tls = ensureTlsMaterial(dir, {}, error);
    if (!tls)
        return false;
    m_caFile = tls->caPath;
    m_router = std::make_unique<Router>();
    m_metrics = std::make_unique<Metrics>();
    m_workers.setMaxThreadCount(2);
    m_router->post("/merchant/notify", [this](HttpRequest &request) {
        const QString eventId = QString::fromUtf8(request.header("paydesk-event-id"));
        QString why;
        const auto parsed = PaydeskSignature::parse(request.header("paydesk-signature"), &why);
        const bool signedCorrectly = parsed && parsed->keyId == m_keyId
            && Hmac::constantTimeEquals(PaydeskSignature::sign(m_secret, request.method, request.target,
                                                               parsed->timestamp, parsed->nonce, request.body),
                                        parsed->signature);
        record(eventId, signedCorrectly);
        return signedCorrectly ? HttpResponse::text(200, "success") : HttpResponse::text(401, "bad signature");
    });
    m_thread.setObjectName(u"merchant-endpoint"_s);
    m_context.moveToThread(&m_thread);
    m_thread.start();
    bool listening = false;
    QMetaObject::invokeMethod(
        &m_context,
        [&] {
            m_http = new HttpServer(HttpLimits{}, *m_router, &m_workers, m_metrics.get());
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setLocalCertificate(tls->certificate);
            ssl.setLocalCertificateChain(QList<QSslCertificate>{tls->certificate} + tls->chain);
            ssl.setPrivateKey(tls->key);
            m_http->setTlsConfiguration(ssl);
            listening = m_http->listen(QHostAddress::LocalHost, 0);
            if (!listening)
                *error = u"merchant endpoint cannot listen: "_s + m_http->errorString();
            else
                m_url = u"https://127.0.0.1:%1/merchant/notify"_s.arg(m_http->serverPort());
        },
        Qt::BlockingQueuedConnection);
    return listening;
}

void MerchantEndpoint::record(const QString &eventId, bool signedCorrectly)
{
    QMutexLocker lock(&m_mutex);
    if (!signedCorrectly) {
        ++m_counts.rejected;
        return;
    }
    ++m_counts.deliveries;
    int &seen = m_events[eventId];
    if (seen++ > 0)
        ++m_counts.repeated;
    else
        ++m_counts.events;
}

MerchantEndpoint::Counts MerchantEndpoint::counts() const
{
    QMutexLocker lock(&m_mutex);
    return m_counts;
}

int MerchantEndpoint::deliveries(const QString &eventId) const
{
    QMutexLocker lock(&m_mutex);
    return m_events.value(eventId);
}

} // namespace paydesk::bench
