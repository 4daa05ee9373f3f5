// paydesk-console: the merchant and admin desktop console.

#include "src/Appearance.h"
#include "src/ConsoleApp.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QMessageBox>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"Paydesk"_s);
    QApplication::setApplicationName(u"paydesk-console"_s);
    QApplication::setApplicationVersion(QStringLiteral(PAYDESK_VERSION));
    QApplication::setWindowIcon(QIcon(u":/icons/paydesk.svg"_s));

    paydesk::console::ConsoleApp console;
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Paydesk merchant and admin console"_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption server(u"server"_s, u"Server address (https://host:port)."_s, u"url"_s);
    const QCommandLineOption sandbox(u"sandbox"_s, u"paydesk-sandbox manifest: enables 'Simulate buyer payment'."_s,
                                     u"sandbox.json"_s);
    const QCommandLineOption caFile(u"ca-file"_s, u"Trust this CA for the server (e.g. var/tls/ca.pem)."_s, u"pem"_s);
    const QCommandLineOption language(u"language"_s, u"system, en or zh_CN (remembered)."_s, u"language"_s);
    parser.addOptions({server, sandbox, caFile, language});
    parser.process(app);

    paydesk::console::ConsoleSettings &settings = console.settings();
    if (parser.isSet(language))
        settings.setLanguage(parser.value(language));
    if (parser.isSet(server))
        settings.setServerAddress(parser.value(server));
    if (parser.isSet(caFile)) {
        const QUrl url = paydesk::console::ConsoleSettings::normalizeServer(settings.serverAddress());
        if (url.isValid())
            settings.trustCaFile(url, QFileInfo(parser.value(caFile)).absoluteFilePath());
    }
    paydesk::console::applyLanguage(settings.language());
    paydesk::console::applyTheme(settings.theme());

    const QString manifest = parser.isSet(sandbox) ? parser.value(sandbox) : settings.sandboxManifest();
    if (!manifest.isEmpty()) {
        QString error;
        if (!console.useSandboxManifest(manifest, &error))
            QMessageBox::warning(nullptr, QApplication::translate("main", "Sandbox"), error);
    }
    QObject::connect(&console, &paydesk::console::ConsoleApp::finished, &app, &QApplication::quit);
    console.start();
    return app.exec();
}
