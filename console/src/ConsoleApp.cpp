#include "ConsoleApp.h"

#include "MainWindow.h"
#include "SignInDialog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace paydesk::console {

ConsoleApp::ConsoleApp(QObject *parent)
    : QObject(parent)
{
    connect(&m_session, &ConsoleSession::signedOut, this, [this] {
        if (m_window) {
            m_window->disconnect(this);
            m_window->close();
            m_window->deleteLater();
        }
        showSignIn();
    });
}

ConsoleApp::~ConsoleApp()
{
    delete m_window;
    delete m_signIn;
}

bool ConsoleApp::useSandboxManifest(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() > 1024 * 1024) {
        *error = tr("The sandbox manifest %1 cannot be read.").arg(path);
        return false;
    }
    const QJsonObject manifest = QJsonDocument::fromJson(file.readAll()).object();
    const QUrl control(manifest.value(u"base_url"_s).toString());
    QString caFile = manifest.value(u"ca_file"_s).toString();
    if (!control.isValid() || control.scheme() != u"https"_s || caFile.isEmpty()) {
        *error = tr("%1 is not a paydesk-sandbox manifest (base_url and ca_file are missing).").arg(path);
        return false;
    }
    if (QFileInfo(caFile).isRelative())
        caFile = QFileInfo(path).absoluteDir().filePath(caFile);
    m_session.setSandbox(control, caFile);
    return true;
}

MainWindow *ConsoleApp::mainWindow() const
{
    return m_window.data();
}

SignInDialog *ConsoleApp::signInDialog() const
{
    return m_signIn.data();
}

void ConsoleApp::start()
{
    showSignIn();
}

void ConsoleApp::showSignIn()
{
    if (m_signIn)
        return;
    m_signIn = new SignInDialog(m_session, m_settings);
    m_signIn->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_signIn, &QDialog::finished, this, [this](int result) {
        if (result == QDialog::Accepted)
            showMainWindow();
        else
            emit finished();
    });
    m_signIn->show();
}

void ConsoleApp::showMainWindow()
{
    m_window = new MainWindow(m_session, m_settings);
    m_window->setAttribute(Qt::WA_DeleteOnClose);
    // Closing the window quits; signing out and switching languages disconnect it first.
    connect(m_window, &QObject::destroyed, this, &ConsoleApp::finished);
    connect(m_window, &MainWindow::languageChanged, this, [this] {
        MainWindow *old = m_window;
        old->disconnect(this);
        showMainWindow();
        m_window->restoreGeometry(old->saveGeometry());
        old->close();
    });
    m_window->show();
    emit mainWindowShown(m_window);
}

} // namespace paydesk::console
