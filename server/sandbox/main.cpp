// paydesk-sandbox: plays Alipay, WeChat Pay and the payout providers over their real wire protocols, for development,
// tests and demos. See server/sandbox/README.md.
#include "server/app/Logging.h"
#include "server/sandbox/SandboxApp.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"paydesk-sandbox"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(PAYDESK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Plays Alipay (open API gateway, RSA2) and WeChat Pay API v3 over HTTPS for development and tests.\n"
        "Prints \"paydesk-sandbox listening on <url>\" and writes <data-dir>/sandbox.json once ready."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {u"data-dir"_s, u"Directory for keys, TLS files and sandbox.json (required)."_s, u"dir"_s},
        {u"bind"_s, u"Address to listen on (default 127.0.0.1)."_s, u"address"_s, u"127.0.0.1"_s},
        {u"port"_s, u"Port to listen on; 0 picks a free one (default)."_s, u"port"_s, u"0"_s},
        {u"time-scale"_s, u"Divide every retry interval and delay by N (default 1)."_s, u"N"_s, u"1"_s},
        {u"trust-ca"_s, u"PEM CA trusted when posting notifications; repeatable."_s, u"file"_s},
        {u"log-format"_s, u"text or json (default text)."_s, u"format"_s, u"text"_s},
    });
    parser.process(app);

    QTextStream err(stderr);
    const auto usage = [&err](const QString &message) {
        err << "paydesk-sandbox: " << message << Qt::endl;
        return 64;
    };
    paydesk::sandbox::SandboxOptions options;
    options.dataDir = parser.value(u"data-dir"_s);
    if (options.dataDir.isEmpty())
        return usage(u"--data-dir is required"_s);
    if (!options.bind.setAddress(parser.value(u"bind"_s)))
        return usage(u"--bind needs an IP address"_s);
    bool ok = false;
    const uint port = parser.value(u"port"_s).toUInt(&ok);
    if (!ok || port > 65535)
        return usage(u"--port needs a number from 0 to 65535"_s);
    options.port = quint16(port);
    options.timeScale = parser.value(u"time-scale"_s).toLongLong(&ok);
    if (!ok || options.timeScale < 1 || options.timeScale > paydesk::sandbox::TimeScale::MaxFactor)
        return usage(u"--time-scale needs a whole number from 1 to %1"_s.arg(paydesk::sandbox::TimeScale::MaxFactor));
    options.trustCaFiles = parser.values(u"trust-ca"_s);
    paydesk::installLogHandler(parser.value(u"log-format"_s));

    int exitCode = 0;
    {
        paydesk::sandbox::SandboxApp sandbox(std::move(options));
        QString error;
        if (!sandbox.start(&error)) {
            qCritical().noquote() << "paydesk-sandbox:" << error;
            return 1;
        }
        QObject::connect(&sandbox, &paydesk::sandbox::SandboxApp::finished, &app, &QCoreApplication::exit,
                         Qt::QueuedConnection);
        exitCode = app.exec();
    }
    // Connections that closed in the last moments were only scheduled for deletion: delete them
    // (and their TLS state) now, before OpenSSL's exit-time cleanup.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return exitCode;
}
