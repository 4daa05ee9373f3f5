#pragma once

#include <QMap>
#include <QProcess>
#include <QSslCertificate>
#include <QString>
#include <QStringList>

#include <optional>

namespace paydesk::test {

/// paydesk-server as a real child process on a free loopback port, for integration tests.
class ServerProcess final
{
public:
    ServerProcess(QString dataDir, QString database, QStringList extraArguments = {});
    ~ServerProcess();

    /// Starts the process and waits until /healthz answers 200 (or the deadline passes).
    bool start(QString *error, int timeoutMs = 60'000);
    /// SIGTERM and wait for exit; returns the exit code, or -1 if it had to be killed.
    int terminate(int timeoutMs = 30'000);
    /// SIGKILL: no chance to flush anything.
    void kill();

    quint16 port() const { return m_port; }
    QString database() const { return m_database; }
    QString dataDir() const { return m_dataDir; }
    QSslCertificate caCertificate() const;
    QByteArray output();
    QProcess &process() { return m_process; }

    static QString serverBinary();
    /// key=value lines (e.g. the first-run credentials file); # starts a comment line.
    static QMap<QString, QString> readKeyValueFile(const QString &path);

private:
    QString m_dataDir;
    QString m_database;
    QStringList m_extraArguments;
    quint16 m_port = 0;
    QProcess m_process;
};

} // namespace paydesk::test
