#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSslCertificate>
#include <QString>
#include <QStringList>

namespace paydesk::test {

/// paydesk-sandbox as a real child process on a free loopback port, with its manifest
/// (sandbox.json: gateway URLs, ids and key files) and a client for its control API.
class SandboxProcess final
{
public:
    SandboxProcess(QString dataDir, QStringList extraArguments = {});
    ~SandboxProcess();

    /// Starts the process and waits for its "listening on" line and sandbox.json.
    bool start(QString *error, int timeoutMs = 60'000);
    void terminate();

    quint16 port() const { return m_port; }
    QString dataDir() const { return m_dataDir; }
    const QJsonObject &manifest() const { return m_manifest; }
    QSslCertificate caCertificate() const;
    QByteArray output();

    /// A control API call; the JSON answer and HTTP status (0 when no answer).
    QJsonObject control(const QByteArray &method, const QByteArray &path, const QJsonObject &body = {},
                        int *status = nullptr);

    /// A control API GET that answers with a JSON array (e.g. /control/notifications?…).
    QJsonArray controlList(const QByteArray &path);

    static QString binary();

private:
    QJsonDocument request(const QByteArray &method, const QByteArray &path, const QJsonObject &body, int *status);

    QString m_dataDir;
    QStringList m_extraArguments;
    quint16 m_port = 0;
    QProcess m_process;
    QJsonObject m_manifest;
};

} // namespace paydesk::test
