#pragma once

#include "TestClient.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace paydesk::test {

/// An HTTPS client for API tests: plain, bearer-authenticated and PAYDESK-HMAC-SHA256-signed
/// requests over one keep-alive connection, with the server's CA verified.
class ApiClient final
{
public:
    ApiClient(quint16 port, const QSslCertificate &ca);

    std::optional<RawResponse> send(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                                    const QByteArray &headers = {});
    std::optional<RawResponse> bearer(const QString &token, const QByteArray &method, const QByteArray &target,
                                      const QByteArray &body = {}, const QByteArray &headers = {});
    /// Signs with the secret; timestamp 0 means now, an empty nonce a fresh random one.
    std::optional<RawResponse> signedRequest(const QString &keyId, const QByteArray &secret, const QByteArray &method,
                                             const QByteArray &target, const QByteArray &body = {},
                                             qint64 timestamp = 0, QByteArray nonce = {},
                                             const QByteArray &headers = {});
    /// POST /v1/sessions; the token, or empty with the response left in lastResponse().
    QString login(const QString &username, const QString &password);
    /// First sign-in of a staff user made by `paydesk-server staff create` (its output holds the
    /// one-time password): the password is changed to username + "-long-passphrase", and the
    /// session token after that change is returned (empty on any failure).
    QString firstStaffSignIn(const QString &username, const QByteArray &staffCreateOutput);

    const std::optional<RawResponse> &lastResponse() const { return m_last; }

    static QJsonObject json(const std::optional<RawResponse> &response);
    static QString errorCode(const std::optional<RawResponse> &response);

private:
    bool ensureConnected();
    quint16 m_port;
    QSslCertificate m_ca;
    std::unique_ptr<RawTlsClient> m_client;
    std::optional<RawResponse> m_last;
};

} // namespace paydesk::test
