#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslSocket>

#include <functional>
#include <memory>
#include <vector>

namespace paydesk::bench {

/// Closed-loop HTTPS load: many keep-alive connections, each sending its next request as soon as
/// the previous response arrived, on the calling thread's event loop. Records every latency.
class LoadClient final : public QObject
{
    Q_OBJECT

public:
    /// Produces the raw bytes of the i-th request (already signed where needed).
    using RequestSource = std::function<QByteArray(qint64 index)>;

    LoadClient(quint16 port, const QSslCertificate &ca, int connections, RequestSource source, qint64 maxRequests,
               int seconds);

    struct Result
    {
        qint64 requests = 0;
        qint64 errors = 0; ///< non-2xx answers or broken connections
        double seconds = 0;
        std::vector<qint64> latenciesUs;
        double perSecond() const { return seconds > 0 ? requests / seconds : 0; }
        double percentileMs(double p) const;
    };
    /// Runs until maxRequests answered or the time is up; blocks in a local event loop.
    Result run();

private:
    struct Connection
    {
        std::unique_ptr<QSslSocket> socket;
        QByteArray buffer;
        QElapsedTimer sent;
        bool busy = false;
    };
    void sendNext(Connection &connection);
    void onReadable(Connection &connection);

    quint16 m_port;
    QSslCertificate m_ca;
    RequestSource m_source;
    qint64 m_maxRequests;
    int m_seconds;
    std::vector<std::unique_ptr<Connection>> m_connections;
    qint64 m_issued = 0;
    Result m_result;
    QElapsedTimer m_clock;
    bool m_done = false;
    int m_inFlight = 0;
};

} // namespace paydesk::bench
