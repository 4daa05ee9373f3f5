#include "ApiClient.h"

#include "common/crypto/Random.h"
#include "common/protocol/PaydeskSignature.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace paydesk::test {

ApiClient::ApiClient(quint16 port, const QSslCertificate &ca) : m_port(port), m_ca(ca) {}

bool ApiClient::ensureConnected()
{
    if (m_client && m_client->isConnected())
        return true;
    m_client = std::make_unique<RawTlsClient>(m_ca);
    return m_client->connectTo(m_port);
}

std::optional<RawResponse> ApiClient::send(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                           const QByteArray &headers)
{
    if (!ensureConnected())
        return m_last = std::nullopt;
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: localhost\r\n" + headers;
    if (!body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH")
        request += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    request += "\r\n" + body;
    m_client->send(request);
    m_last = m_client->readResponse(30'000);
    return m_last;
}

std::optional<RawResponse> ApiClient::bearer(const QString &token, const QByteArray &method, const QByteArray &target,
                                             const QByteArray &body, const QByteArray &headers)
{
    return send(method, target, body, "Authorization: Bearer " + token.toLatin1() + "\r\n" + headers);
}

std::optional<RawResponse> ApiClient::signedRequest(const QString &keyId, const QByteArray &secret,
                                                    const QByteArray &method, const QByteArray &target,
                                                    const QByteArray &body, qint64 timestamp, QByteArray nonce,
                                                    const QByteArray &headers)
{
    if (timestamp == 0)
        timestamp = QDateTime::currentSecsSinceEpoch();
    if (nonce.isEmpty())
        nonce = Random::alphanumeric(24).toLatin1();
    const QByteArray signature = PaydeskSignature::sign(secret, method, target, timestamp, nonce, body);
    return send(method, target, body,
                "Authorization: " + PaydeskSignature::authorization(keyId.toLatin1(), timestamp, nonce, signature)
                    + "\r\n" + headers);
}

QString ApiClient::login(const QString &username, const QString &password)
{
    const QJsonObject body{{u"username"_s, username}, {u"password"_s, password}};
    const auto response = send("POST", "/v1/sessions", QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (!response || response->status != 201)
        return {};
    return json(response).value(u"token"_s).toString();
}

QString ApiClient::firstStaffSignIn(const QString &username, const QByteArray &staffCreateOutput)
{
    const qsizetype at = staffCreateOutput.indexOf("one_time_password=");
    if (at < 0)
        return {};
    const QString oneTime = QString::fromUtf8(staffCreateOutput.mid(at + 18)).section(u'\n', 0, 0).trimmed();
    const QString token = login(username, oneTime);
    const QString password = username + u"-long-passphrase"_s;
    const QJsonObject change{{u"current_password"_s, oneTime}, {u"new_password"_s, password}};
    const auto changed = bearer(token, "POST", "/v1/me/password", QJsonDocument(change).toJson(QJsonDocument::Compact));
    if (token.isEmpty() || !changed || changed->status != 204)
        return {};
    return login(username, password);
}

QJsonObject ApiClient::json(const std::optional<RawResponse> &response)
{
    return response ? QJsonDocument::fromJson(response->body).object() : QJsonObject();
}

QString ApiClient::errorCode(const std::optional<RawResponse> &response)
{
    return json(response).value(u"error"_s).toObject().value(u"code"_s).toString();
}

} // namespace paydesk::test
