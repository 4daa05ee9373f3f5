#include "SandboxProcess.h"

#include "TestClient.h"

#include <QDebug>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QThread>

using namespace Qt::StringLiterals;

namespace paydesk::test {

SandboxProcess::SandboxProcess(QString dataDir, QStringList extraArguments)
    : m_dataDir(std::move(dataDir)), m_extraArguments(std::move(extraArguments))
{
    // Into a file, not a pipe: nobody reads a pipe while a test blocks, and a full pipe would
    // stop the process at its next log line.
    QDir().mkpath(m_dataDir);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setStandardOutputFile(m_dataDir + u"/process.log"_s, QIODevice::Append);
}

SandboxProcess::~SandboxProcess()
{
    terminate();
    const QString logFile = qEnvironmentVariable("PAYDESK_TEST_SANDBOX_LOG");
    if (!logFile.isEmpty()) {
        QFile file(logFile);
        if (file.open(QIODevice::Append))
            file.write(output());
    }
}

QString SandboxProcess::binary()
{
    return QStringLiteral(PAYDESK_BIN_DIR) + u"/paydesk-sandbox"_s;
}

QByteArray SandboxProcess::output()
{
    QFile file(m_dataDir + u"/process.log"_s);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void SandboxProcess::terminate()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(15'000)) {
        m_process.kill();
        m_process.waitForFinished(5'000);
    }
}

QSslCertificate SandboxProcess::caCertificate() const
{
    QFile file(m_manifest.value(u"ca_file"_s).toString());
    if (!file.open(QIODevice::ReadOnly))
        return QSslCertificate();
    return QSslCertificate(file.readAll(), QSsl::Pem);
}

bool SandboxProcess::start(QString *error, int timeoutMs)
{
    m_process.start(binary(), QStringList{u"--data-dir"_s, m_dataDir, u"--port"_s, u"0"_s} + m_extraArguments);
    if (!m_process.waitForStarted(10'000)) {
        *error = u"cannot start %1: %2"_s.arg(binary(), m_process.errorString());
        return false;
    }
    static const QRegularExpression listening(u"listening on https://[^:]+:(\\d+)"_s);
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process.state() == QProcess::NotRunning) {
            *error = u"paydesk-sandbox exited with %1: %2"_s.arg(m_process.exitCode()).arg(QString::fromUtf8(output()));
            return false;
        }
        const QRegularExpressionMatch match = listening.match(QString::fromUtf8(output()));
        if (match.hasMatch()) {
            m_port = quint16(match.captured(1).toUInt());
            QFile file(m_dataDir + u"/sandbox.json"_s);
            if (file.open(QIODevice::ReadOnly)) {
                m_manifest = QJsonDocument::fromJson(file.readAll()).object();
                if (!m_manifest.isEmpty())
                    return true;
            }
        }
        QThread::msleep(50);
    }
    *error = u"paydesk-sandbox did not start in time: %1"_s.arg(QString::fromUtf8(output()));
    return false;
}

QJsonArray SandboxProcess::controlList(const QByteArray &path)
{
    return request("GET", path, {}, nullptr).array();
}

QJsonObject SandboxProcess::control(const QByteArray &method, const QByteArray &path, const QJsonObject &body,
                                    int *status)
{
    return request(method, path, body, status).object();
}

QJsonDocument SandboxProcess::request(const QByteArray &method, const QByteArray &path, const QJsonObject &body,
                                      int *status)
{
    if (status)
        *status = 0;
    RawTlsClient client(caCertificate());
    if (!client.connectTo(m_port, 5'000)) {
        qWarning().noquote() << "sandbox control: cannot connect:" << client.lastError();
        return {};
    }
    const QByteArray payload
        = body.isEmpty() && method == "GET" ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!payload.isEmpty() || method != "GET")
        request += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(payload.size()) + "\r\n";
    request += "\r\n" + payload;
    client.send(request);
    const auto response = client.readResponse(30'000);
    if (!response) {
        qWarning().noquote() << "sandbox control: no answer to" << method << path;
        return {};
    }
    if (status)
        *status = response->status;
    return QJsonDocument::fromJson(response->body);
}

} // namespace paydesk::test
