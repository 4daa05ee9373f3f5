#pragma once

// The console's (and any Qt client's) way to talk to a Paydesk server: asynchronous HTTPS calls
// with a staff bearer token, the server's JSON errors turned into RestResult, TLS trust either from
// a CA file or from a pinned certificate fingerprint, a count of calls in flight for busy
// indicators, and a signal when the session has ended so the caller can sign in again.

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QSslError>
#include <QUrl>

#include <functional>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;
class QSslConfiguration;
QT_END_NAMESPACE

namespace paydesk::client {

/// How a client decides that it is talking to the right server.
struct ServerTrust
{
    QString caFile; ///< PEM file of CAs to trust in addition to the system's (e.g. the server's var/tls/ca.pem)
    QByteArray pinnedSha256; ///< lower-case hex SHA-256 of the server certificate (DER) the user trusted

    bool isEmpty() const { return caFile.isEmpty() && pinnedSha256.isEmpty(); }
};

/// Lower-case hex SHA-256 of a certificate's DER encoding; the form users compare and pin.
QByteArray certificateFingerprint(const QSslCertificate &certificate);
/// The same, grouped for reading aloud: "AB:CD:…".
QString displayFingerprint(const QByteArray &hexFingerprint);

/// Why a TLS handshake was refused, as decided from its errors and the trust settings.
enum class TrustVerdict {
    Trusted, ///< no errors, or errors only because the certificate is self-signed and pinned
    Unknown, ///< not trusted and nothing pinned: the user may decide to trust it
    Changed, ///< a different certificate than the pinned one: refuse and warn
};
TrustVerdict judgeTlsErrors(const QList<QSslError> &errors, const QSslCertificate &peer, const ServerTrust &trust);

/// Applies the trust's CA file (if any) to a TLS configuration; false with *error when unreadable.
bool applyTrust(QSslConfiguration &configuration, const ServerTrust &trust, QString *error = nullptr);

/// The outcome of one call.
struct RestResult
{
    enum class Failure {
        None,
        Http, ///< the server answered with a status >= 400 (code and message from its JSON error)
        Network, ///< no answer: refused, reset, timeout, DNS
        UntrustedCertificate, ///< TLS refused a certificate nobody has trusted yet (see certificate)
        CertificateChanged, ///< TLS saw a certificate other than the pinned one
        Canceled,
        TooLarge,
        BadBody, ///< an answer that is not the JSON it should be
    };

    Failure failure = Failure::None;
    int status = 0; ///< HTTP status, 0 without an answer
    QJsonValue body; ///< the answer's JSON (object or array); undefined for 204 or failures
    QByteArray raw; ///< the answer's bytes as received
    QString code; ///< the error code ("VALIDATION_FAILED", …) or a client-side one ("NETWORK", …)
    QString message; ///< the server's message, or a client-side description
    QJsonObject details; ///< the error's details object, when the server gave one
    QSslCertificate certificate; ///< the server's certificate, for the two certificate failures

    bool ok() const { return failure == Failure::None; }
    QJsonObject object() const { return body.toObject(); }
};

/// Asynchronous JSON calls to one server. Lives on the GUI thread.
class RestClient final : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const RestResult &)>;

    explicit RestClient(QObject *parent = nullptr);
    ~RestClient() override;

    /// https://host:port; paths given to call() are appended to it.
    void setBaseUrl(const QUrl &url);
    QUrl baseUrl() const { return m_baseUrl; }
    void setTrust(const ServerTrust &trust) { m_trust = trust; }
    const ServerTrust &trust() const { return m_trust; }
    /// Bearer token of the signed-in staff user; empty for none.
    void setToken(const QString &token) { m_token = token; }
    const QString &token() const { return m_token; }
    /// Per call: no byte for this long aborts it as a network failure.
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    /// Largest answer accepted (default 32 MiB).
    void setMaxAnswerBytes(qint64 bytes) { m_maxAnswerBytes = bytes; }

    /// Sends METHOD path?query with an optional JSON body. callback runs on this thread unless
    /// context has been destroyed by then. extraHeaders are added as given.
    QNetworkReply *call(const QByteArray &method, const QString &pathAndQuery, const QJsonValue &body,
                        QObject *context, Callback callback,
                        const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {});
    QNetworkReply *get(const QString &pathAndQuery, QObject *context, Callback callback)
    {
        return call("GET", pathAndQuery, QJsonValue(), context, std::move(callback));
    }
    QNetworkReply *post(const QString &pathAndQuery, const QJsonObject &body, QObject *context, Callback callback)
    {
        return call("POST", pathAndQuery, body, context, std::move(callback));
    }

    /// Calls in flight.
    int busyCount() const { return m_busy; }
    /// Aborts every call in flight (their callbacks get Failure::Canceled).
    void abortAll();

    /// A request for a URL below the base, with the token and trust applied (for WebSockets).
    QNetworkRequest authorizedRequest(const QUrl &url) const;

signals:
    void busyChanged(bool busy);
    /// A call with a token was answered 401: the session ended (expired, signed out elsewhere).
    void sessionExpired();

private:
    void finish(QNetworkReply *reply, const QPointer<QObject> &context, const Callback &callback, bool hadContext);
    void setBusy(int delta);

    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    ServerTrust m_trust;
    QString m_token;
    int m_timeoutMs = 30'000;
    qint64 m_maxAnswerBytes = 32LL * 1024 * 1024;
    int m_busy = 0;
};

} // namespace paydesk::client
