#include "ConsoleSession.h"

using namespace Qt::StringLiterals;

namespace paydesk::console {

ConsoleSession::ConsoleSession(QObject *parent)
    : QObject(parent)
    , m_api(new client::RestClient(this))
    , m_events(new client::EventStream(m_api, this))
{
    connect(m_api, &client::RestClient::sessionExpired, this, &ConsoleSession::expire);
}

void ConsoleSession::begin(const QJsonObject &session)
{
    m_user = session.value(u"user"_s).toObject();
    const QString role = m_user.value(u"role"_s).toString();
    m_role = role == u"operator"_s         ? Role::Operator
             : role == u"merchant_admin"_s ? Role::MerchantAdmin
             : role == u"platform_admin"_s ? Role::PlatformAdmin
             : role == u"auditor"_s        ? Role::Auditor
                                           : Role::None;
    m_api->setToken(session.value(u"token"_s).toString());
    m_events->start();
    emit signedIn();
}

void ConsoleSession::signOut()
{
    if (!isSignedIn())
        return;
    m_events->stop();
    m_api->call("DELETE", u"/v1/sessions/current"_s, QJsonValue(), nullptr, nullptr);
    m_api->setToken(QString());
    emit signedOut();
}

void ConsoleSession::expire()
{
    if (!isSignedIn())
        return;
    m_events->stop();
    m_api->setToken(QString());
    emit expired();
}

QString ConsoleSession::username() const
{
    return m_user.value(u"username"_s).toString();
}

QString ConsoleSession::merchantId() const
{
    return m_user.value(u"merchant_id"_s).toString();
}

QString ConsoleSession::roleTitle() const
{
    switch (m_role) {
    case Role::Operator:
        return tr("Operator");
    case Role::MerchantAdmin:
        return tr("Merchant admin");
    case Role::PlatformAdmin:
        return tr("Platform admin");
    case Role::Auditor:
        return tr("Auditor");
    case Role::None:
        break;
    }
    return tr("No role");
}

void ConsoleSession::setSandbox(const QUrl &controlUrl, const QString &caFile)
{
    if (!m_sandbox)
        m_sandbox = new client::RestClient(this);
    m_sandbox->setBaseUrl(controlUrl);
    m_sandbox->setTrust(client::ServerTrust{caFile, {}});
}

} // namespace paydesk::console
