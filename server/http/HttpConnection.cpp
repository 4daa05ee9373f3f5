#include "server/http/HttpConnection.h"

#include "server/http/HttpServer.h"
#include "server/http/WebSocketFrames.h"

#include "common/protocol/ApiError.h"
#include "common/util/Failpoint.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcConnection, "paydesk.http.connection")

namespace paydesk {

namespace {

constexpr int kLingerMs = 1000;
// Responses a client has not read yet; beyond this the connection stops taking requests, so a
// client that pipelines without reading cannot make the server buffer without bound.
constexpr qint64 kMaxUnsentBytes = 256 * 1024;
constexpr qint64 kStreamPingMs = 30'000; // keep NAT and proxies from dropping a quiet event stream
constexpr qint64 kStreamSilenceMs = 75'000; // no pong or frame for this long: the client is gone
constexpr qsizetype kStreamMaxFrame = 4096; // clients only send control frames and small acks
constexpr qint64 kStreamMaxUnsent = 1024 * 1024; // a client this far behind is dropped

HttpConnection *self(http_parser *parser)
{
    return static_cast<HttpConnection *>(parser->data);
}

} // namespace

const http_parser_settings HttpConnection::s_settings = [] {
    http_parser_settings settings{};
    settings.on_message_begin = &HttpConnection::onMessageBegin;
    settings.on_url = &HttpConnection::onUrl;
    settings.on_header_field = &HttpConnection::onHeaderField;
    settings.on_header_value = &HttpConnection::onHeaderValue;
    settings.on_headers_complete = &HttpConnection::onHeadersComplete;
    settings.on_body = &HttpConnection::onBody;
    settings.on_message_complete = &HttpConnection::onMessageComplete;
    return settings;
}();

HttpConnection::HttpConnection(QSslSocket *socket, HttpServer *server, quint64 id, bool rejectOnly)
    : m_socket(socket), m_server(server), m_limits(server->limits()), m_id(id), m_rejectOnly(rejectOnly)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(m_limits.socketReadBufferBytes);
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
    m_deadline = QDeadlineTimer(m_limits.handshakeTimeoutMs);
    m_idleSince.start();

    connect(m_socket, &QSslSocket::encrypted, this, &HttpConnection::onEncrypted);
    connect(m_socket, &QSslSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QSslSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QSslSocket::disconnected, this, [this] { m_server->connectionClosed(this); });
    connect(m_socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError)
            qCDebug(lcConnection) << "connection" << m_id << "socket error" << m_socket->errorString();
        if (m_socket->state() != QAbstractSocket::UnconnectedState)
            m_socket->abort();
        m_server->connectionClosed(this);
    });
    connect(m_socket, &QSslSocket::sslErrors, this, [this] { m_socket->abort(); });
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::onEncrypted()
{
    if (m_rejectOnly) {
        m_stopReading = true;
        m_closeAfterSeq = 0;
        m_inFlight = 1;
        m_nextSeq = 1;
        complete(0,
                 HttpResponse::error(
                     ApiError(ErrorCode::Unavailable, u"The server has too many open connections; retry shortly."_s)),
                 QString());
        return;
    }
    enterPhase(Phase::Idle);
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

void HttpConnection::enterPhase(Phase phase)
{
    m_phase = phase;
    switch (phase) {
    case Phase::Handshake: m_deadline = QDeadlineTimer(m_limits.handshakeTimeoutMs); break;
    case Phase::Idle:
        m_deadline = QDeadlineTimer(m_limits.idleTimeoutMs);
        m_idleSince.start();
        break;
    case Phase::Reading: m_deadline = QDeadlineTimer(m_limits.requestTimeoutMs); break;
    case Phase::Busy:
    case Phase::Closing:
    case Phase::Stream: m_deadline = QDeadlineTimer(QDeadlineTimer::Forever); break;
    }
}

void HttpConnection::onReadyRead()
{
    if (m_phase == Phase::Handshake)
        return;
    if (m_phase == Phase::Stream) {
        readStream();
        return;
    }
    if (m_phase == Phase::Closing || m_stopReading) {
        // Nothing more will be parsed; keep the socket's buffer from growing.
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    if (m_inFlight >= m_limits.maxPipelined || m_socket->bytesToWrite() >= kMaxUnsentBytes)
        return; // backpressure: the socket's bounded read buffer fills, then TCP stops the client
    m_input += m_socket->readAll();
    parseBuffered();
}

void HttpConnection::parseBuffered()
{
    while (!m_input.isEmpty() && !m_stopReading && m_inFlight < m_limits.maxPipelined
           && m_socket->bytesToWrite() < kMaxUnsentBytes) {
        if (!m_messageInProgress && m_phase != Phase::Reading)
            enterPhase(Phase::Reading);
        const size_t parsed = http_parser_execute(&m_parser, &s_settings, m_input.constData(), size_t(m_input.size()));
        const auto error = HTTP_PARSER_ERRNO(&m_parser);
        if (error != HPE_OK && error != HPE_PAUSED) {
            if (m_limitStatus == 413)
                failRequest(ErrorCode::PayloadTooLarge,
                            u"The request body exceeds %1 bytes."_s.arg(m_limits.maxBodyBytes));
            else if (m_limitStatus == 431)
                failRequest(ErrorCode::HeadersTooLarge, u"The request line and headers exceed the limit."_s);
            else
                failRequest(ErrorCode::BadRequest,
                            u"Malformed HTTP request: %1."_s.arg(QString::fromLatin1(http_errno_description(error))));
            return;
        }
        m_input.remove(0, qsizetype(parsed));
        if (error == HPE_PAUSED)
            http_parser_pause(&m_parser, 0);
        if (m_messageDone)
            requestComplete();
        else if (parsed == 0)
            break;
    }
    if (m_input.isEmpty() && !m_messageInProgress && m_phase == Phase::Reading)
        enterPhase(m_inFlight > 0 ? Phase::Busy : Phase::Idle);
    // Data may have arrived while we were not reading (pipelining backpressure).
    if (m_input.isEmpty() && m_socket->bytesAvailable() > 0)
        scheduleResume();
}

void HttpConnection::resetMessageState()
{
    m_request = HttpRequest{};
    m_field.clear();
    m_value.clear();
    m_lastWasValue = false;
    m_headerBytes = 0;
    m_messageDone = false;
    m_headersDone = false;
    m_limitStatus = 0;
}

bool HttpConnection::anyRequestPartial() const
{
    return m_messageInProgress || !m_input.isEmpty();
}

int HttpConnection::onMessageBegin(http_parser *parser)
{
    HttpConnection *c = self(parser);
    c->resetMessageState();
    c->m_messageInProgress = true;
    return 0;
}

bool HttpConnection::addHeaderBytes(size_t length)
{
    m_headerBytes += qsizetype(length);
    if (m_headerBytes > m_limits.maxHeaderBytes) {
        m_limitStatus = 431;
        return false;
    }
    return true;
}

int HttpConnection::onUrl(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *c = self(parser);
    if (!c->addHeaderBytes(length))
        return 1;
    c->m_request.target.append(at, qsizetype(length));
    return 0;
}

void HttpConnection::finishHeaderLine()
{
    if (!m_field.isEmpty()) {
        m_request.headers.append({m_field.toLower(), m_value.trimmed()});
        m_field.clear();
        m_value.clear();
    }
}

int HttpConnection::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *c = self(parser);
    if (!c->addHeaderBytes(length + 4))
        return 1;
    if (c->m_headersDone)
        return 0; // chunked trailers are counted but never become request headers
    if (c->m_lastWasValue) {
        c->finishHeaderLine();
        c->m_lastWasValue = false;
    }
    if (c->m_field.isEmpty() && c->m_request.headers.size() >= c->m_limits.maxHeaderCount) {
        c->m_limitStatus = 431;
        return 1;
    }
    c->m_field.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *c = self(parser);
    if (!c->addHeaderBytes(length))
        return 1;
    if (c->m_headersDone)
        return 0;
    c->m_lastWasValue = true;
    c->m_value.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeadersComplete(http_parser *parser)
{
    HttpConnection *c = self(parser);
    c->finishHeaderLine();
    c->m_headersDone = true;
    HttpRequest &request = c->m_request;
    request.method = http_method_str(http_method(parser->method));
    const qsizetype question = request.target.indexOf('?');
    request.path = question < 0 ? request.target : request.target.left(question);
    request.query = question < 0 ? QByteArray() : request.target.mid(question + 1);
    c->m_keepAlive = http_should_keep_alive(parser) != 0;

    const bool hasLength = (parser->flags & F_CONTENTLENGTH) != 0;
    if (hasLength && parser->content_length > quint64(c->m_limits.maxBodyBytes)) {
        c->m_limitStatus = 413; // decided before a byte of the body is read
        return -1; // not 1 or 2: those mean "no body" to http_parser
    }
    if (hasLength && parser->content_length > 0 && c->m_inFlight == 0
        && request.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0) {
        c->m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    if (hasLength)
        request.body.reserve(qsizetype(parser->content_length));
    return 0;
}

int HttpConnection::onBody(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *c = self(parser);
    if (c->m_request.body.size() + qint64(length) > c->m_limits.maxBodyBytes) {
        c->m_limitStatus = 413; // chunked bodies are counted as they arrive
        return 1;
    }
    c->m_request.body.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onMessageComplete(http_parser *parser)
{
    HttpConnection *c = self(parser);
    c->m_messageInProgress = false;
    c->m_messageDone = true;
    // Hand one request at a time to requestComplete(): the rest stays buffered.
    http_parser_pause(parser, 1);
    return 0;
}

void HttpConnection::requestComplete()
{
    m_messageDone = false;
    const quint64 seq = m_nextSeq++;
    ++m_inFlight;
    // An upgrade request is the last HTTP on the connection: it becomes an event stream (101),
    // or the refusal closes it.
    if (!m_keepAlive || !m_request.header("upgrade").isEmpty()) {
        m_stopReading = true;
        m_closeAfterSeq = seq;
    }
    HttpRequest request = std::move(m_request);
    m_request = HttpRequest{};
    request.peer = m_socket->peerAddress();
    request.receivedAt = std::chrono::steady_clock::now();
    if (m_input.isEmpty())
        enterPhase(Phase::Busy);
    m_server->dispatch(this, seq, std::move(request));
}

void HttpConnection::failRequest(ErrorCode code, const QString &message)
{
    // A protocol-level failure ends the connection: we cannot tell where the next request starts.
    m_stopReading = true;
    m_messageInProgress = false;
    m_input.clear();
    const quint64 seq = m_nextSeq++;
    ++m_inFlight;
    m_closeAfterSeq = seq;
    m_linger = true;
    enterPhase(Phase::Busy);
    const ApiError error(code, message);
    m_server->recordProtocolError(error.httpStatus());
    HttpResponse response = HttpResponse::error(error);
    response.closeConnection = true;
    complete(seq, std::move(response), QString());
}

void HttpConnection::complete(quint64 seq, HttpResponse response, const QString &requestId)
{
    if (m_phase == Phase::Closing)
        return;
    m_ready.insert(seq, Ready{std::move(response), requestId});
    while (!m_ready.isEmpty() && m_ready.firstKey() == m_nextToSend) {
        Ready ready = m_ready.take(m_nextToSend);
        const bool upgraded = ready.response.status == 101;
        const bool closing = !upgraded
            && (ready.response.closeConnection || m_nextToSend == m_closeAfterSeq
                || (m_stopReading && m_inFlight == 1 && m_closeAfterSeq != ~quint64(0)));
        writeResponse(ready.response, ready.requestId, closing);
        ++m_nextToSend;
        --m_inFlight;
        if (upgraded) {
            enterStream(ready.response);
            return;
        }
        if (closing) {
            enterPhase(Phase::Closing);
            m_ready.clear();
            if (m_linger) {
                // The client may still be sending what we refused; closing now would reset the
                // connection and could destroy the error response before it is read.
                m_lingerUntil = QDeadlineTimer(kLingerMs);
            } else {
                m_socket->disconnectFromHost(); // flushes what was written, then closes
            }
            return;
        }
    }
    if (m_inFlight == 0 && !anyRequestPartial())
        enterPhase(Phase::Idle);
    if (!m_input.isEmpty() || m_socket->bytesAvailable() > 0)
        scheduleResume();
}

void HttpConnection::writeResponse(const HttpResponse &response, const QString &requestId, bool closing)
{
    // Fault campaign: everything the request did is committed, and the answer never leaves.
    if (response.status / 100 == 2)
        failpoint::hit("http.before_answer");
    QByteArray out;
    out.reserve(256 + response.body.size());
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + httpReasonPhrase(response.status) + "\r\n";
    bool hasCacheControl = false;
    for (const auto &[name, value] : response.headers) {
        out += name + ": " + value + "\r\n";
        hasCacheControl = hasCacheControl || name.compare("cache-control", Qt::CaseInsensitive) == 0;
    }
    if (!hasCacheControl)
        out += "Cache-Control: no-store\r\n";
    // An API answers machines; none of its responses may be framed, sniffed or sent on over HTTP.
    out += "Strict-Transport-Security: max-age=31536000\r\n"
           "X-Content-Type-Options: nosniff\r\n"
           "X-Frame-Options: DENY\r\n"
           "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
           "Referrer-Policy: no-referrer\r\n";
    if (!requestId.isEmpty())
        out += "X-Request-Id: " + requestId.toLatin1() + "\r\n";
    out += "Date: " + m_server->httpDate() + "\r\n";
    if (response.status == 101) { // Switching Protocols: no body, the connection stays open
        out += "\r\n";
        if (m_socket->bytesToWrite() == 0)
            m_writeProgress.start();
        m_socket->write(out);
        return;
    }
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    out += closing ? "Connection: close\r\n\r\n" : "\r\n";
    out += response.body;
    if (m_socket->bytesToWrite() == 0)
        m_writeProgress.start();
    m_socket->write(out);
}

void HttpConnection::onBytesWritten()
{
    m_writeProgress.start();
    if (!m_input.isEmpty() || m_socket->bytesAvailable() > 0)
        scheduleResume();
}

void HttpConnection::scheduleResume()
{
    // Queued, never direct: answering a request can complete synchronously (404, 503), and a
    // direct call back into the parser would recurse once per pipelined request.
    if (m_resumeScheduled || m_stopReading || m_phase == Phase::Closing)
        return;
    if (m_inFlight >= m_limits.maxPipelined || m_socket->bytesToWrite() >= kMaxUnsentBytes)
        return; // bytesWritten or the next completed response resumes
    m_resumeScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_resumeScheduled = false;
            if (!m_input.isEmpty())
                parseBuffered();
            else
                onReadyRead();
        },
        Qt::QueuedConnection);
}

void HttpConnection::checkTimeouts()
{
    if (m_phase == Phase::Closing) {
        if (m_linger && m_lingerUntil.hasExpired()) {
            m_linger = false;
            m_socket->disconnectFromHost();
            return;
        }
        if (m_writeProgress.isValid() && m_writeProgress.hasExpired(m_limits.writeTimeoutMs))
            close("write_timeout");
        return;
    }
    if (m_socket->bytesToWrite() > 0 && m_writeProgress.isValid()
        && m_writeProgress.hasExpired(m_limits.writeTimeoutMs)) {
        close("write_timeout");
        return;
    }
    if (m_phase == Phase::Stream) {
        if (m_lastHeard.hasExpired(kStreamSilenceMs)) {
            close("stream_silent");
        } else if (m_lastPing.hasExpired(kStreamPingMs)) {
            m_lastPing.start();
            m_socket->write(WebSocketFrames::frame(WebSocketFrames::Ping, QByteArray()));
        }
        return;
    }
    if (!m_deadline.hasExpired())
        return;
    switch (m_phase) {
    case Phase::Handshake: close("handshake_timeout"); break;
    case Phase::Idle: close("idle_timeout"); break;
    case Phase::Reading:
        m_server->recordDrop("request_timeout");
        failRequest(ErrorCode::RequestTimeout, u"The request was not received in time."_s);
        break;
    case Phase::Busy:
    case Phase::Closing: break;
    case Phase::Stream: break;
    }
}

void HttpConnection::enterStream(const HttpResponse &response)
{
    enterPhase(Phase::Stream);
    m_stopReading = true; // no more HTTP on this connection
    m_audiences = response.streamAudiences;
    m_lastHeard.start();
    m_lastPing.start();
    m_server->streamOpened(this);
    for (const QByteArray &event : response.streamBacklog)
        sendEvent(event);
    readStream(); // frames the client sent right after the handshake
}

void HttpConnection::sendEvent(const QByteArray &text)
{
    if (m_phase != Phase::Stream)
        return;
    if (m_socket->bytesToWrite() > kStreamMaxUnsent) {
        close("stream_backlog");
        return;
    }
    if (m_socket->bytesToWrite() == 0)
        m_writeProgress.start();
    m_socket->write(WebSocketFrames::frame(WebSocketFrames::Text, text));
}

void HttpConnection::readStream()
{
    m_input += m_socket->readAll();
    QByteArray error;
    const auto frames = WebSocketFrames::takeFrames(m_input, kStreamMaxFrame, &error);
    if (!frames) {
        m_socket->write(WebSocketFrames::frame(WebSocketFrames::Close, QByteArray("\x03\xea", 2) + error));
        enterPhase(Phase::Closing);
        m_socket->disconnectFromHost();
        return;
    }
    for (const WebSocketFrames::Frame &frame : *frames) {
        m_lastHeard.start();
        if (frame.opcode == WebSocketFrames::Ping) {
            m_socket->write(WebSocketFrames::frame(WebSocketFrames::Pong, frame.payload));
        } else if (frame.opcode == WebSocketFrames::Close) {
            m_socket->write(WebSocketFrames::frame(WebSocketFrames::Close, frame.payload.left(2)));
            enterPhase(Phase::Closing);
            m_socket->disconnectFromHost();
            return;
        }
    }
}

void HttpConnection::beginShutdown()
{
    if (m_phase == Phase::Stream) { // 1001 "going away": the client reconnects to another server
        m_socket->write(WebSocketFrames::frame(WebSocketFrames::Close, QByteArray("\x03\xe9", 2)));
        enterPhase(Phase::Closing);
        m_socket->disconnectFromHost();
        return;
    }
    m_stopReading = true;
    if (m_inFlight == 0) {
        close("shutdown");
        return;
    }
    m_closeAfterSeq = m_nextSeq - 1;
}

void HttpConnection::close(const QByteArray &reason)
{
    if (reason != "shutdown")
        m_server->recordDrop(reason);
    enterPhase(Phase::Closing);
    m_socket->abort();
    m_server->connectionClosed(this);
}

} // namespace paydesk
