#include "common/client/RestClient.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>

using namespace Qt::StringLiterals;

namespace paydesk::client {

namespace {

constexpr const char *kVerdictProperty = "paydeskTlsVerdict";
constexpr const char *kTooLargeProperty = "paydeskTooLarge";
constexpr const char *kCanceledProperty = "paydeskCanceled";

QString networkMessage(const QNetworkReply *reply)
{
    switch (reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
        return RestClient::tr("The server refused the connection. Is it running at this address?");
    case QNetworkReply::HostNotFoundError:
        return RestClient::tr("The server's host name could not be found.");
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
        return RestClient::tr("The server did not answer in time.");
    case QNetworkReply::SslHandshakeFailedError:
        return RestClient::tr("The secure connection could not be established: %1").arg(reply->errorString());
    default:
        return RestClient::tr("The server could not be reached: %1").arg(reply->errorString());
    }
}

} // namespace

QByteArray certificateFingerprint(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    return QCryptographicHash::hash(certificate.toDer(), QCryptographicHash::Sha256).toHex();
}

QString displayFingerprint(const QByteArray &hexFingerprint)
{
    QString grouped;
    for (qsizetype i = 0; i < hexFingerprint.size(); i += 2) {
        if (!grouped.isEmpty())
            grouped += u':';
        grouped += QString::fromLatin1(hexFingerprint.mid(i, 2)).toUpper();
    }
    return grouped;
}

TrustVerdict judgeTlsErrors(const QList<QSslError> &errors, const QSslCertificate &peer, const ServerTrust &trust)
{
    if (!trust.pinnedSha256.isEmpty())
        return certificateFingerprint(peer) == trust.pinnedSha256 ? TrustVerdict::Trusted : TrustVerdict::Changed;
    return errors.isEmpty() ? TrustVerdict::Trusted : TrustVerdict::Unknown;
}

bool applyTrust(QSslConfiguration &configuration, const ServerTrust &trust, QString *error)
{
    if (trust.caFile.isEmpty())
        return true;
    QFile file(trust.caFile);
    if (!file.open(QIODevice::ReadOnly) || file.size() > 1024 * 1024) {
        if (error)
            *error = RestClient::tr("The CA file %1 cannot be read.").arg(trust.caFile);
        return false;
    }
    const QList<QSslCertificate> authorities = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (authorities.isEmpty()) {
        if (error)
            *error = RestClient::tr("The CA file %1 holds no PEM certificate.").arg(trust.caFile);
        return false;
    }
    configuration.addCaCertificates(authorities);
    return true;
}

RestClient::RestClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

RestClient::~RestClient()
{
    // No callback may run into a half-destroyed client or its owner.
    const QList<QNetworkReply *> replies = m_network->findChildren<QNetworkReply *>();
    for (QNetworkReply *reply : replies) {
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
    }
}

void RestClient::setBaseUrl(const QUrl &url)
{
    m_baseUrl = url;
    m_baseUrl.setPath(QString());
    m_baseUrl.setQuery(QString());
    m_baseUrl.setFragment(QString());
}

QNetworkRequest RestClient::authorizedRequest(const QUrl &url) const
{
    QNetworkRequest request(url);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    applyTrust(tls, m_trust);
    request.setSslConfiguration(tls);
    request.setTransferTimeout(m_timeoutMs);
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("Accept-Language", QLocale().name().replace(u'_', u'-').toLatin1());
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
    return request;
}

QNetworkReply *RestClient::call(const QByteArray &method, const QString &pathAndQuery, const QJsonValue &body,
                                QObject *context, Callback callback,
                                const QList<QPair<QByteArray, QByteArray>> &extraHeaders)
{
    QUrl url = m_baseUrl;
    const qsizetype question = pathAndQuery.indexOf(u'?');
    url.setPath(pathAndQuery.left(question));
    if (question >= 0)
        url.setQuery(pathAndQuery.mid(question + 1), QUrl::StrictMode);
    QNetworkRequest request = authorizedRequest(url);
    for (const auto &[name, value] : extraHeaders)
        request.setRawHeader(name, value);

    QByteArray payload;
    if (body.isObject() || body.isArray()) {
        payload = body.isObject() ? QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact)
                                  : QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    }
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, payload);

    const ServerTrust trust = m_trust;
    connect(reply, &QNetworkReply::sslErrors, reply, [reply, trust](const QList<QSslError> &errors) {
        const QSslCertificate peer = reply->sslConfiguration().peerCertificate();
        const TrustVerdict verdict = judgeTlsErrors(errors, peer, trust);
        reply->setProperty(kVerdictProperty, int(verdict));
        if (verdict == TrustVerdict::Trusted)
            reply->ignoreSslErrors(errors);
    });
    connect(reply, &QNetworkReply::encrypted, reply, [reply, trust] {
        // A pin holds even when the certificate chains to a trusted CA.
        const QSslCertificate peer = reply->sslConfiguration().peerCertificate();
        if (judgeTlsErrors({}, peer, trust) == TrustVerdict::Changed) {
            reply->setProperty(kVerdictProperty, int(TrustVerdict::Changed));
            reply->abort();
        }
    });
    const qint64 limit = m_maxAnswerBytes;
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply, limit](qint64 received, qint64 total) {
        if (received > limit || total > limit) {
            reply->setProperty(kTooLargeProperty, true);
            reply->abort();
        }
    });

    const bool hadContext = context != nullptr;
    const QPointer<QObject> guard(context);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, guard, callback = std::move(callback), hadContext] {
                finish(reply, guard, callback, hadContext);
            });
    setBusy(+1);
    return reply;
}

void RestClient::finish(QNetworkReply *reply, const QPointer<QObject> &context, const Callback &callback,
                        bool hadContext)
{
    reply->deleteLater();
    setBusy(-1);

    RestResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QVariant verdict = reply->property(kVerdictProperty);
    if (verdict.isValid() && verdict.toInt() != int(TrustVerdict::Trusted)) {
        result.failure = verdict.toInt() == int(TrustVerdict::Changed) ? RestResult::Failure::CertificateChanged
                                                                       : RestResult::Failure::UntrustedCertificate;
        result.certificate = reply->sslConfiguration().peerCertificate();
        result.code = result.failure == RestResult::Failure::CertificateChanged ? u"CERTIFICATE_CHANGED"_s
                                                                                 : u"CERTIFICATE_UNTRUSTED"_s;
        result.message = result.failure == RestResult::Failure::CertificateChanged
                             ? tr("The server presented a different certificate than the one you trusted before. "
                                  "The connection was refused.")
                             : tr("The server's certificate is not trusted yet.");
        result.status = 0;
    } else if (reply->property(kTooLargeProperty).toBool()) {
        result.failure = RestResult::Failure::TooLarge;
        result.code = u"TOO_LARGE"_s;
        result.message = tr("The server's answer is larger than this client accepts.");
    } else if (reply->property(kCanceledProperty).toBool()) {
        result.failure = RestResult::Failure::Canceled;
        result.code = u"CANCELED"_s;
        result.message = tr("The call was canceled.");
    } else if (result.status == 0) {
        result.failure = RestResult::Failure::Network;
        result.code = u"NETWORK"_s;
        result.message = networkMessage(reply);
    } else {
        result.raw = reply->readAll();
        QJsonParseError parseError{};
        const QJsonDocument document = result.raw.isEmpty() ? QJsonDocument() : QJsonDocument::fromJson(result.raw, &parseError);
        if (!result.raw.isEmpty() && parseError.error == QJsonParseError::NoError)
            result.body = document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
        if (result.status >= 400) {
            result.failure = RestResult::Failure::Http;
            const QJsonObject error = result.body.toObject().value(u"error"_s).toObject();
            result.code = error.value(u"code"_s).toString(u"HTTP_%1"_s.arg(result.status));
            result.message = error.value(u"message"_s).toString(tr("The server answered HTTP %1.").arg(result.status));
            result.details = error.value(u"details"_s).toObject();
        } else if (!result.raw.isEmpty() && parseError.error != QJsonParseError::NoError) {
            result.failure = RestResult::Failure::BadBody;
            result.code = u"BAD_BODY"_s;
            result.message = tr("The server's answer is not valid JSON.");
        }
    }

    if (result.status == 401 && !m_token.isEmpty()
        && reply->request().rawHeader("Authorization") == "Bearer " + m_token.toLatin1())
        emit sessionExpired();
    if (hadContext && !context)
        return;
    if (callback)
        callback(result);
}

void RestClient::abortAll()
{
    const QList<QNetworkReply *> replies = m_network->findChildren<QNetworkReply *>();
    for (QNetworkReply *reply : replies) {
        if (reply->isRunning()) {
            reply->setProperty(kCanceledProperty, true);
            reply->abort();
        }
    }
}

void RestClient::setBusy(int delta)
{
    const bool wasBusy = m_busy > 0;
    m_busy += delta;
    if (wasBusy != (m_busy > 0))
        emit busyChanged(m_busy > 0);
}

} // namespace paydesk::client
