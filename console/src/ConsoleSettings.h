#pragma once

// What the console remembers between runs (QSettings): the server address, trusted certificates
// per server, language, theme, window geometry and the last order search.

#include "common/client/RestClient.h"

#include <QSettings>
#include <QUrl>
#include <QVariantMap>

namespace paydesk::console {

class ConsoleSettings final
{
public:
    ConsoleSettings();

    QString serverAddress() const;
    void setServerAddress(const QString &address);
    QString lastUsername() const;
    void setLastUsername(const QString &username);

    /// The trust the user gave this server (host:port): a pinned fingerprint or a CA file.
    client::ServerTrust trustFor(const QUrl &server) const;
    void pinCertificate(const QUrl &server, const QByteArray &sha256Hex);
    void trustCaFile(const QUrl &server, const QString &caFile);

    /// "system", "en" or "zh_CN".
    QString language() const;
    void setLanguage(const QString &language);
    /// "system", "light" or "dark".
    QString theme() const;
    void setTheme(const QString &theme);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QVariantMap lastOrderSearch() const;
    void setLastOrderSearch(const QVariantMap &search);

    /// Path of a sandbox.json: enables "Simulate buyer payment".
    QString sandboxManifest() const;
    void setSandboxManifest(const QString &path);

    /// https://host:port from what a user typed ("host", "host:port" or a URL); invalid if unusable.
    static QUrl normalizeServer(const QString &address);

private:
    static QString serverKey(const QUrl &server);
    mutable QSettings m_settings;
};

} // namespace paydesk::console
