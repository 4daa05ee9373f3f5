#pragma once

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslSocket>

#include <memory>
#include <optional>

namespace paydesk::test {

/// A parsed HTTP/1.1 response as a test sees it.
struct RawResponse
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers; ///< names lower-case
    QByteArray body;
    QByteArray header(const QByteArray &name) const;
};

/// A blocking TLS client speaking raw HTTP/1.1, for tests that need control over the bytes
/// (pipelining, partial requests, oversized bodies). Every wait has a deadline.
class RawTlsClient final
{
public:
    /// With a CA the server certificate must verify against it; without, verification is off.
    explicit RawTlsClient(std::optional<QSslCertificate> ca = std::nullopt);
    ~RawTlsClient();

    bool connectTo(quint16 port, int timeoutMs = 10'000);
    /// Connects without starting TLS (to test the handshake timeout).
    bool connectPlain(quint16 port, int timeoutMs = 10'000);
    void send(const QByteArray &bytes);
    /// Reads one response; nullopt on timeout, disconnect or malformed response.
    std::optional<RawResponse> readResponse(int timeoutMs = 10'000);
    /// True if the server closes the connection within the deadline.
    bool waitForClose(int timeoutMs);
    bool isConnected() const;
    QSslSocket &socket() { return *m_socket; }
    QString lastError() const { return m_socket->errorString(); }

    static QByteArray get(const QByteArray &target, const QByteArray &extraHeaders = {});
    static QByteArray post(const QByteArray &target, const QByteArray &body, const QByteArray &extraHeaders = {});

private:
    bool fill(int timeoutMs);
    std::unique_ptr<QSslSocket> m_socket;
    QByteArray m_buffer;
};

} // namespace paydesk::test
