// paydesk-server: the headless HTTPS server of Paydesk.
#include "server/app/Logging.h"
#include "server/app/ServerApp.h"
#include "server/app/ServerConfig.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"paydesk-server"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(PAYDESK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Paydesk payment server.\n\n"
                                     "Commands:\n"
                                     "  serve    run the HTTPS server (default)\n"
                                     "  init     create the data directory, TLS files, keys and schema, then exit\n"
                                     "  migrate  bring the database schema up to date, then exit"_s);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(u"command"_s, u"serve, init or migrate"_s, u"[command]"_s);
    paydesk::ServerConfig::addOptions(parser);
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    const QString command = positional.isEmpty() ? u"serve"_s : positional.first();
    if (positional.size() > 1 || (command != u"serve"_s && command != u"init"_s && command != u"migrate"_s)) {
        std::fprintf(stderr, "paydesk-server: unknown command '%s' (see --help)\n", qPrintable(positional.join(u' ')));
        return 64;
    }

    QString error;
    const std::optional<paydesk::ServerConfig> config = paydesk::ServerConfig::load(parser, &error);
    if (!config) {
        std::fprintf(stderr, "paydesk-server: %s\n", qPrintable(error));
        return 78;
    }
    paydesk::installLogHandler(config->logFormat);

    paydesk::ServerApp server(*config);
    if (!server.initialise(&error)) {
        qCritical().noquote() << error;
        return 1;
    }
    if (command != u"serve"_s)
        return 0;
    if (!server.start(&error)) {
        qCritical().noquote() << error;
        return 1;
    }
    QObject::connect(&server, &paydesk::ServerApp::finished, &app, &QCoreApplication::exit, Qt::QueuedConnection);
    return app.exec();
}
