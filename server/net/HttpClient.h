#pragma once

#include "server/http/Barrier.h"
#include "server/http/HttpMessage.h"

#include <QFuture>
#include <QList>
#include <QSslCertificate>
#include <QUrl>

#include <memory>

namespace paydesk {

/// One outbound HTTPS request (to a payment channel, a merchant's notify URL, a webhook).
struct OutboundRequest
{
    QByteArray method = "GET";
    QUrl url;
    HttpHeaders headers;
    QByteArray body;
    int timeoutMs = 10'000; ///< whole exchange; on expiry the outcome is Timeout
    qsizetype maxResponseBytes = 8 * 1024 * 1024; ///< a longer body aborts with TooLarge
    QList<QSslCertificate> extraCa; ///< trusted in addition to the system's CAs (private gateways)
};

/// What came back. Any HTTP status is Outcome::Ok: the peer answered; the caller judges the status.
struct OutboundResponse
{
    enum class Outcome {
        Ok,
        NotSent, ///< connection refused, unknown host, TLS failure: the request certainly did not arrive
        Timeout, ///< no complete answer in time: the request may or may not have taken effect
        Failed, ///< the connection broke mid-exchange or another transport error: outcome unknown
        TooLarge, ///< the answer exceeded maxResponseBytes
    };
    Outcome outcome = Outcome::Failed;
    int status = 0;
    HttpHeaders headers; ///< names lower-case
    QByteArray body;
    QString error; ///< for the log and alerts when outcome is not Ok
    qint64 elapsedMs = 0;

    bool ok() const { return outcome == Outcome::Ok; }
    /// First value of a header (any case), or a null QByteArray.
    QByteArray header(QByteArrayView name) const;
};

/// Asynchronous HTTP(S) client on threads of its own: `lanes` QNetworkAccessManagers, each on its
/// own thread (connection reuse, TLS verification on, no redirects followed, HTTP/1.1), taken in
/// turn, so that up to 6 × lanes requests to one host run at once and their TLS is spread over
/// threads. Thread-safe; send() may be called from any thread, sendAndWait() from any thread
/// except the client's own.
class HttpClient final
{
    Q_DISABLE_COPY_MOVE(HttpClient)

public:
    static constexpr int kDefaultLanes = 4;
    explicit HttpClient(int lanes = kDefaultLanes);
    ~HttpClient();

    QFuture<OutboundResponse> send(OutboundRequest request);
    OutboundResponse sendAndWait(OutboundRequest request);

    /// Every request passes this barrier before it goes out, as answers pass the HTTP server's.
    /// Set before first use.
    void setSendBarrier(Barrier barrier);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace paydesk
