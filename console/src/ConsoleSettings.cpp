#include "ConsoleSettings.h"

using namespace Qt::StringLiterals;

namespace paydesk::console {

ConsoleSettings::ConsoleSettings() = default;

QString ConsoleSettings::serverAddress() const
{
    return m_settings.value(u"server/address"_s, u"https://127.0.0.1:8443"_s).toString();
}

void ConsoleSettings::setServerAddress(const QString &address)
{
    m_settings.setValue(u"server/address"_s, address);
}

QString ConsoleSettings::lastUsername() const
{
    return m_settings.value(u"server/username"_s).toString();
}

void ConsoleSettings::setLastUsername(const QString &username)
{
    m_settings.setValue(u"server/username"_s, username);
}

QString ConsoleSettings::serverKey(const QUrl &server)
{
    // QSettings treats '/' as a group separator and ':' is awkward in INI keys.
    return u"trust/"_s + server.host().replace(u':', u'_') + u'_' + QString::number(server.port(443));
}

client::ServerTrust ConsoleSettings::trustFor(const QUrl &server) const
{
    const QString key = serverKey(server);
    return client::ServerTrust{m_settings.value(key + u"/ca_file"_s).toString(),
                               m_settings.value(key + u"/sha256"_s).toByteArray()};
}

void ConsoleSettings::pinCertificate(const QUrl &server, const QByteArray &sha256Hex)
{
    const QString key = serverKey(server);
    m_settings.setValue(key + u"/sha256"_s, sha256Hex);
    m_settings.remove(key + u"/ca_file"_s);
}

void ConsoleSettings::trustCaFile(const QUrl &server, const QString &caFile)
{
    const QString key = serverKey(server);
    m_settings.setValue(key + u"/ca_file"_s, caFile);
    m_settings.remove(key + u"/sha256"_s);
}

QString ConsoleSettings::language() const
{
    return m_settings.value(u"ui/language"_s, u"system"_s).toString();
}

void ConsoleSettings::setLanguage(const QString &language)
{
    m_settings.setValue(u"ui/language"_s, language);
}

QString ConsoleSettings::theme() const
{
    return m_settings.value(u"ui/theme"_s, u"system"_s).toString();
}

void ConsoleSettings::setTheme(const QString &theme)
{
    m_settings.setValue(u"ui/theme"_s, theme);
}

QByteArray ConsoleSettings::windowGeometry() const
{
    return m_settings.value(u"window/geometry"_s).toByteArray();
}

void ConsoleSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(u"window/geometry"_s, geometry);
}

QVariantMap ConsoleSettings::lastOrderSearch() const
{
    return m_settings.value(u"orders/last_search"_s).toMap();
}

void ConsoleSettings::setLastOrderSearch(const QVariantMap &search)
{
    m_settings.setValue(u"orders/last_search"_s, search);
}

QString ConsoleSettings::sandboxManifest() const
{
    return m_settings.value(u"sandbox/manifest"_s).toString();
}

void ConsoleSettings::setSandboxManifest(const QString &path)
{
    m_settings.setValue(u"sandbox/manifest"_s, path);
}

QUrl ConsoleSettings::normalizeServer(const QString &address)
{
    QString text = address.trimmed();
    if (text.isEmpty() || text.size() > 512)
        return {};
    if (!text.contains(u"://"_s))
        text.prepend(u"https://"_s);
    QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != u"https"_s || url.host().isEmpty() || !url.userInfo().isEmpty())
        return {};
    url.setPath(QString());
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}

} // namespace paydesk::console
