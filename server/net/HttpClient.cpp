#include "server/net/HttpClient.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPromise>
#include <QSslConfiguration>
#include <QThread>

#include <openssl/crypto.h>

#include <atomic>
#include <vector>

using namespace Qt::StringLiterals;

namespace paydesk {

QByteArray OutboundResponse::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers)
        if (name.compare(key, Qt::CaseInsensitive) == 0)
            return value;
    return {};
}

namespace {

OutboundResponse::Outcome outcomeOf(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::SslHandshakeFailedError:
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyNotFoundError: return OutboundResponse::Outcome::NotSent;
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // the transfer timeout aborts this way
        return OutboundResponse::Outcome::Timeout;
    default: return OutboundResponse::Outcome::Failed;
    }
}

// The QNetworkAccessManager and its replies live on the client thread.
class Worker final : public QObject
{
public:
    void start(OutboundRequest request, std::shared_ptr<QPromise<OutboundResponse>> promise)
    {
        if (!m_manager) {
            m_manager = new QNetworkAccessManager(this);
            m_manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        }
        QNetworkRequest networkRequest(request.url);
        networkRequest.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        networkRequest.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
        networkRequest.setTransferTimeout(request.timeoutMs);
        for (const auto &[name, value] : request.headers)
            networkRequest.setRawHeader(name, value);
        if (!request.extraCa.isEmpty()) {
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            tls.addCaCertificates(request.extraCa);
            networkRequest.setSslConfiguration(tls);
        }
        QNetworkReply *reply = m_manager->sendCustomRequest(networkRequest, request.method, request.body);
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        const qsizetype limit = request.maxResponseBytes;
        auto tooLarge = std::make_shared<bool>(false);
        connect(reply, &QNetworkReply::downloadProgress, reply, [reply, limit, tooLarge](qint64 received, qint64) {
            if (received > limit && !*tooLarge) {
                *tooLarge = true;
                reply->abort();
            }
        });
        connect(reply, &QNetworkReply::finished, reply, [reply, promise, timer, tooLarge] {
            OutboundResponse response;
            response.elapsedMs = timer->elapsed();
            const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
            if (*tooLarge) {
                response.outcome = OutboundResponse::Outcome::TooLarge;
                response.error = u"response too large"_s;
            } else if (status.isValid() && reply->error() != QNetworkReply::OperationCanceledError
                       && reply->error() != QNetworkReply::TimeoutError
                       && reply->error() != QNetworkReply::RemoteHostClosedError) {
                // HTTP-level errors (4xx/5xx) are answers, not transport failures.
                response.outcome = OutboundResponse::Outcome::Ok;
                response.status = status.toInt();
                for (const auto &[name, value] : reply->rawHeaderPairs())
                    response.headers.append({name.toLower(), value});
                response.body = reply->readAll();
            } else {
                response.outcome = outcomeOf(reply->error());
                response.error = reply->errorString();
            }
            reply->deleteLater();
            promise->addResult(std::move(response));
            promise->finish();
        });
    }

    // On the client thread, before it ends: replies, connections and OpenSSL's thread state go.
    void stop()
    {
        delete m_manager;
        m_manager = nullptr;
        OPENSSL_thread_stop();
    }

private:
    QNetworkAccessManager *m_manager = nullptr;
};

} // namespace

struct HttpClient::Private
{
    struct Lane
    {
        QThread thread;
        Worker *worker = nullptr;
    };
    std::vector<std::unique_ptr<Lane>> lanes;
    std::atomic<unsigned> next{0};
    Barrier barrier;
};

HttpClient::HttpClient(int lanes) : d(std::make_unique<Private>())
{
    for (int i = 0; i < std::max(1, lanes); ++i) {
        auto lane = std::make_unique<Private::Lane>();
        lane->thread.setObjectName(u"http-client-%1"_s.arg(i));
        lane->worker = new Worker;
        lane->worker->moveToThread(&lane->thread);
        lane->thread.start();
        d->lanes.push_back(std::move(lane));
    }
}

HttpClient::~HttpClient()
{
    for (const std::unique_ptr<Private::Lane> &lane : d->lanes) {
        QMetaObject::invokeMethod(
            lane->worker, [worker = lane->worker] { worker->stop(); }, Qt::BlockingQueuedConnection);
        lane->thread.quit();
        lane->thread.wait();
        delete lane->worker;
    }
}

QFuture<OutboundResponse> HttpClient::send(OutboundRequest request)
{
    auto promise = std::make_shared<QPromise<OutboundResponse>>();
    promise->start();
    QFuture<OutboundResponse> future = promise->future();
    // Round robin: each lane keeps its own connections (six per host, QNetworkAccessManager's
    // fixed number) and does its own TLS on its own thread.
    const std::unique_ptr<Private::Lane> &lane
        = d->lanes[d->next.fetch_add(1, std::memory_order_relaxed) % d->lanes.size()];
    auto dispatch = [worker = lane->worker, request = std::move(request), promise]() mutable {
        QMetaObject::invokeMethod(
            worker,
            [worker, request = std::move(request), promise]() mutable { worker->start(std::move(request), promise); },
            Qt::QueuedConnection);
    };
    passBarrier(d->barrier, std::move(dispatch));
    return future;
}

void HttpClient::setSendBarrier(Barrier barrier)
{
    d->barrier = std::move(barrier);
}

OutboundResponse HttpClient::sendAndWait(OutboundRequest request)
{
#ifndef QT_NO_DEBUG
    for (const std::unique_ptr<Private::Lane> &lane : d->lanes)
        Q_ASSERT(QThread::currentThread() != &lane->thread);
#endif
    QFuture<OutboundResponse> future = send(std::move(request));
    future.waitForFinished();
    return future.result();
}

} // namespace paydesk
