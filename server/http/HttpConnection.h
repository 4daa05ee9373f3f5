#pragma once

#include "common/protocol/ApiError.h"
#include "server/http/HttpLimits.h"
#include "server/http/HttpMessage.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QMap>
#include <QObject>
#include <QSslSocket>

#include <http_parser.h>

namespace paydesk {

class HttpServer;

/// One client connection: TLS, incremental HTTP/1.1 parsing with limits, pipelined requests
/// answered strictly in order. Lives on the HTTP thread.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    enum class Phase { Handshake, Idle, Reading, Busy, Closing, Stream };

    HttpConnection(QSslSocket *socket, HttpServer *server, quint64 id, bool rejectOnly);
    ~HttpConnection() override;

    quint64 id() const { return m_id; }
    Phase phase() const { return m_phase; }
    bool isRejectOnly() const { return m_rejectOnly; }
    /// Idle means evictable: no request in flight and none half-received.
    bool isIdle() const { return m_phase == Phase::Idle; }
    qint64 idleForMs() const { return m_idleSince.elapsed(); }

    /// A response for the request numbered seq; written once all earlier ones are.
    void complete(quint64 seq, HttpResponse response, const QString &requestId);
    /// Checks the deadline of the current phase; called by the server's sweep timer.
    void checkTimeouts();
    /// Stops taking new requests; closes once the ones in flight are answered.
    void beginShutdown();
    void close(const QByteArray &reason);
    /// Event stream connections (after a WebSocket handshake): one text frame per event.
    bool isStream() const { return m_phase == Phase::Stream; }
    const QStringList &streamAudiences() const { return m_audiences; }
    void sendEvent(const QByteArray &text);

private:
    void onEncrypted();
    void onReadyRead();
    void onBytesWritten();
    void scheduleResume();
    void parseBuffered();
    void requestComplete();
    void failRequest(ErrorCode code, const QString &message);
    void writeResponse(const HttpResponse &response, const QString &requestId, bool closing);
    void enterPhase(Phase phase);
    void resetMessageState();
    bool anyRequestPartial() const;
    void enterStream(const HttpResponse &response);
    void readStream();

    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);
    static const http_parser_settings s_settings;

    bool addHeaderBytes(size_t length);
    void finishHeaderLine();

    QSslSocket *m_socket;
    HttpServer *m_server;
    const HttpLimits &m_limits;
    quint64 m_id;
    bool m_rejectOnly;
    Phase m_phase = Phase::Handshake;
    QDeadlineTimer m_deadline;
    QElapsedTimer m_idleSince;
    QElapsedTimer m_writeProgress;

    http_parser m_parser{};
    QByteArray m_input;
    bool m_messageInProgress = false;
    bool m_messageDone = false;
    HttpRequest m_request;
    QByteArray m_field;
    QByteArray m_value;
    bool m_lastWasValue = false;
    bool m_headersDone = false;
    bool m_resumeScheduled = false;
    qsizetype m_headerBytes = 0;
    bool m_keepAlive = true;
    int m_limitStatus = 0; ///< set by a callback that refused the message (413, 431)

    quint64 m_nextSeq = 0; ///< number of the next parsed request
    quint64 m_nextToSend = 0; ///< number of the next response to write
    int m_inFlight = 0;
    bool m_stopReading = false; ///< no more requests will be parsed on this connection
    quint64 m_closeAfterSeq = ~quint64(0);
    bool m_linger = false; ///< drain the client's input briefly before closing
    QDeadlineTimer m_lingerUntil;
    struct Ready
    {
        HttpResponse response;
        QString requestId;
    };
    QMap<quint64, Ready> m_ready;

    QStringList m_audiences; ///< Stream: whose events this connection receives
    QElapsedTimer m_lastHeard; ///< Stream: the client's last frame
    QElapsedTimer m_lastPing; ///< Stream: our last ping
};

} // namespace paydesk
