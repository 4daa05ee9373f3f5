#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>

#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace paydesk::bench {

/// Closed-loop HTTPS load: many keep-alive connections, each sending its next request as soon as
/// the previous response arrived, on the calling thread's event loop. Records every latency, by
/// the kind of request the source says it sent.
class LoadClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoadClient)

public:
    /// One request: its raw bytes (already signed where needed) and a kind for the statistics
    /// (e.g. create / notify / query in a mixed run, or the page number of a search).
    struct Request
    {
        QByteArray bytes;
        int kind = 0;
    };
    /// The request with the given index, on the given connection (0 … connections-1); empty bytes
    /// when the source is exhausted, which ends the run once the answers in flight are in.
    using Source = std::function<Request(qint64 index, int connection)>;
    /// Judges an answer: true when it is what the request must get. Without a check, any 2xx is.
    using Check = std::function<bool(qint64 index, int connection, int kind, int status, const QByteArray &body)>;
    /// The old form: raw bytes of the i-th request, any 2xx answer is right.
    using RequestSource = std::function<QByteArray(qint64 index)>;

    struct Options
    {
        int connections = 32;
        qint64 maxRequests = 0; ///< 0: no limit, the clock stops the run
        int seconds = 10;
        /// Keep the connections open after run() (closeAll() or the destructor ends them), e.g. to
        /// measure what the server holds for idle keep-alive connections.
        bool keepOpen = false;
        /// At most this many TLS handshakes at once (0: every connection at once), as clients
        /// arriving over a moment rather than in the same millisecond.
        int handshakeWindow = 0;
    };

    LoadClient(quint16 port, const QSslCertificate &ca, int connections, RequestSource source, qint64 maxRequests,
               int seconds);
    LoadClient(quint16 port, const QSslCertificate &ca, Options options, Source source, Check check = {});
    ~LoadClient() override;

    struct Result
    {
        qint64 requests = 0;
        qint64 errors = 0; ///< wrong answers (see Check), non-2xx answers or broken connections
        double seconds = 0;
        std::vector<qint64> latenciesUs;
        std::map<int, std::vector<qint64>> latenciesByKind;
        std::map<int, qint64> errorsByKind;
        QList<QByteArray> firstErrors; ///< the first few wrong answers, for the report
        double perSecond() const { return seconds > 0 ? requests / seconds : 0; }
        double percentileMs(double p) const { return percentileMs(latenciesUs, p); }
        static double percentileMs(const std::vector<qint64> &latenciesUs, double p);
    };
    /// Runs until maxRequests answered or the time is up; blocks in a local event loop.
    Result run();
    /// Aborts the connections a keepOpen run left open.
    void closeAll();

private:
    struct Connection
    {
        std::unique_ptr<QSslSocket> socket;
        QByteArray buffer;
        QElapsedTimer sent;
        qint64 index = -1;
        int kind = 0;
        int id = 0;
        bool busy = false;
        bool failed = false; ///< never came up
    };
    void sendNext(Connection &connection);
    void onReadable(Connection &connection);
    void recordError(Connection &connection, const QByteArray &what);
    void connectOne(Connection &connection);

    quint16 m_port;
    QSslCertificate m_ca;
    Options m_options;
    Source m_source;
    Check m_check;
    std::vector<std::unique_ptr<Connection>> m_connections;
    qint64 m_issued = 0;
    Result m_result;
    QElapsedTimer m_clock;
    bool m_done = false;
    int m_inFlight = 0;
    size_t m_connecting = 0; ///< connections started so far
    int m_settled = 0; ///< connections that are up, or failed to come up
    QSslConfiguration m_tls;
};

} // namespace paydesk::bench
