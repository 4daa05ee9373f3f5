#include "ServerProcess.h"

#include "PgCluster.h"
#include "TestClient.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QThread>

using namespace Qt::StringLiterals;

namespace paydesk::test {

ServerProcess::ServerProcess(QString dataDir, QString database, QStringList extraArguments)
    : m_dataDir(std::move(dataDir)), m_database(std::move(database)), m_extraArguments(std::move(extraArguments))
{
    // Into a file, not a pipe: nobody reads a pipe while a test blocks, and a full pipe would
    // stop the process at its next log line.
    QDir().mkpath(m_dataDir);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setStandardOutputFile(m_dataDir + u"/process.log"_s, QIODevice::Append);
}

ServerProcess::~ServerProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(10'000);
    }
    // For debugging a failed test: PAYDESK_TEST_SERVER_LOG=file keeps what the server printed.
    const QString logFile = qEnvironmentVariable("PAYDESK_TEST_SERVER_LOG");
    if (!logFile.isEmpty()) {
        QFile file(logFile);
        if (file.open(QIODevice::Append))
            file.write(output());
    }
}

QString ServerProcess::serverBinary()
{
    return QStringLiteral(PAYDESK_BIN_DIR) + u"/paydesk-server"_s;
}

QMap<QString, QString> ServerProcess::readKeyValueFile(const QString &path)
{
    QMap<QString, QString> values;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return values;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const qsizetype eq = line.indexOf('=');
        if (eq > 0 && !line.startsWith('#'))
            values.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    return values;
}

QByteArray ServerProcess::output()
{
    QFile file(m_dataDir + u"/process.log"_s);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QSslCertificate ServerProcess::caCertificate() const
{
    QFile file(m_dataDir + u"/tls/ca.pem"_s);
    if (!file.open(QIODevice::ReadOnly))
        return QSslCertificate();
    return QSslCertificate(file.readAll(), QSsl::Pem);
}

bool ServerProcess::start(QString *error, int timeoutMs)
{
    if (m_port == 0) // a restart keeps its port, as a real server keeps its address
        m_port = quint16(freeLoopbackPort());
    QStringList arguments{u"serve"_s, u"--data-dir"_s, m_dataDir, u"--listen"_s, u"127.0.0.1:%1"_s.arg(m_port),
                          u"--db"_s,  m_database};
    arguments += m_extraArguments;
    m_process.start(serverBinary(), arguments);
    if (!m_process.waitForStarted(10'000)) {
        *error = u"cannot start %1: %2"_s.arg(serverBinary(), m_process.errorString());
        return false;
    }
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process.state() == QProcess::NotRunning) {
            *error = u"paydesk-server exited with %1: %2"_s.arg(m_process.exitCode()).arg(QString::fromUtf8(output()));
            return false;
        }
        if (output().contains("listening on")) {
            RawTlsClient client;
            if (client.connectTo(m_port, 2000)) {
                client.send(RawTlsClient::get("/healthz"));
                const auto response = client.readResponse(5000);
                if (response && response->status == 200)
                    return true;
            }
        }
        QThread::msleep(50); // bounded poll of the child's output, not a sleep
    }
    *error = u"paydesk-server did not become healthy in time: %1"_s.arg(QString::fromUtf8(output()));
    return false;
}

int ServerProcess::terminate(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return m_process.exitCode();
    m_process.terminate();
    if (!m_process.waitForFinished(timeoutMs)) {
        m_process.kill();
        m_process.waitForFinished(10'000);
        return -1;
    }
    output();
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

void ServerProcess::kill()
{
    m_process.kill();
    m_process.waitForFinished(10'000);
    output();
}

} // namespace paydesk::test
