#include "ConsoleDriver.h"

#include "Appearance.h"
#include "MainWindow.h"
#include "SignInDialog.h"

#include <QApplication>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace paydesk::test {

ConsoleDriver::ConsoleDriver() = default;

ConsoleDriver::~ConsoleDriver()
{
    closeConsole();
}

bool ConsoleDriver::setUp(QString *error)
{
    // The console's QSettings live in a folder of this run only.
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QApplication::setOrganizationName(u"PaydeskTest"_s);
    QApplication::setApplicationName(u"paydesk-console-test"_s);
    if (!m_stack.setUp(error))
        return false;
    console::ConsoleSettings settings;
    settings.setServerAddress(serverAddress());
    settings.trustCaFile(console::ConsoleSettings::normalizeServer(serverAddress()),
                         m_stack.dataDir() + u"/tls/ca.pem"_s);
    return true;
}

bool ConsoleDriver::tearDown(QByteArray *output)
{
    closeConsole();
    return m_stack.tearDown(output);
}

QString ConsoleDriver::serverAddress() const
{
    return u"https://127.0.0.1:%1"_s.arg(const_cast<PaymentStack &>(m_stack).server().port());
}

QString ConsoleDriver::sandboxManifest() const
{
    return const_cast<PaymentStack &>(m_stack).sandbox().dataDir() + u"/sandbox.json"_s;
}

console::ConsoleApp &ConsoleDriver::newConsole(const QString &language)
{
    closeConsole();
    {
        console::ConsoleSettings settings;
        settings.setLanguage(language);
        console::applyLanguage(language);
    }
    m_app = std::make_unique<console::ConsoleApp>();
    QString error;
    if (!m_app->useSandboxManifest(sandboxManifest(), &error))
        qWarning() << "sandbox manifest:" << error;
    m_app->start();
    return *m_app;
}

void ConsoleDriver::closeConsole()
{
    if (!m_app)
        return;
    m_app->disconnect();
    m_app.reset();
    QCoreApplication::processEvents();
}

bool ConsoleDriver::typeSignIn(const QString &username, const QString &password)
{
    console::SignInDialog *dialog = m_app ? m_app->signInDialog() : nullptr;
    if (!dialog)
        return false;
    dialog->usernameEdit()->clear();
    QTest::keyClicks(dialog->usernameEdit(), username);
    dialog->passwordEdit()->clear();
    QTest::keyClicks(dialog->passwordEdit(), password);
    QTest::mouseClick(dialog->signInButton(), Qt::LeftButton);
    return waitUntil([&] { return !m_app->signInDialog() || !m_app->signInDialog()->isBusy(); });
}

console::MainWindow *ConsoleDriver::signIn(const QString &username, const QString &password, QString *error)
{
    if (!m_app)
        newConsole();
    if (!typeSignIn(username, password))
        return nullptr;
    if (!waitUntil([&] { return m_app->mainWindow() != nullptr || !m_app->signInDialog()->errorText().isEmpty(); }))
        return nullptr;
    if (!m_app->mainWindow() && error)
        *error = m_app->signInDialog()->errorText();
    return m_app->mainWindow();
}

QString ConsoleDriver::createStaff(const QString &username, const QString &role, const QString &merchantCode)
{
    if (m_stack.staffToken(username, role, merchantCode).isEmpty())
        return {};
    return username + u"-long-passphrase"_s; // the password PaymentStack::staffToken sets
}

QStringList pageTitles(console::MainWindow *window)
{
    QStringList titles;
    for (int row = 0; row < window->navigation()->count(); ++row)
        titles << window->navigation()->item(row)->text();
    return titles;
}

void onNextModal(const QString &name, const std::function<void(QWidget *)> &answer, QDeadlineTimer deadline)
{
    QTimer::singleShot(10, qApp, [name, answer, deadline] {
        QWidget *modal = QApplication::activeModalWidget();
        if (modal && modal->objectName() == name) {
            answer(modal);
            return;
        }
        if (deadline.hasExpired()) {
            qWarning() << "no modal dialog" << name << "opened; closing" << (modal ? modal->objectName() : QString());
            if (modal)
                modal->close();
            return;
        }
        onNextModal(name, answer, deadline);
    });
}

} // namespace paydesk::test
