#pragma once

// The console as GUI tests and the screenshot tour drive it: the real payment stack (server and
// sandbox processes, see PaymentStack), the real ConsoleApp with its widgets, settings kept in a
// throwaway folder, and helpers that type, click and wait like a person (with deadlines).

#include "../server/PaymentStack.h"

#include "ConsoleApp.h"

#include <QDeadlineTimer>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

namespace paydesk::console {
class MainWindow;
}

namespace paydesk::test {

/// The platform admin's password once PaymentStack has replaced its one-time one.
inline const QString kAdminPassword = QStringLiteral("admin-long-passphrase");

class ConsoleDriver final
{
public:
    ConsoleDriver();
    ~ConsoleDriver();

    /// Starts server and sandbox; the console trusts the server's CA file and knows the sandbox.
    bool setUp(QString *error);
    bool tearDown(QByteArray *output);
    PaymentStack &stack() { return m_stack; }

    /// A fresh console application (settings kept), showing its sign-in dialog.
    console::ConsoleApp &newConsole(const QString &language = QStringLiteral("en"));
    console::ConsoleApp *console() { return m_app.get(); }
    /// Types into the sign-in dialog and clicks "Sign in"; waits until the call is answered.
    bool typeSignIn(const QString &username, const QString &password);
    /// Signs in and waits for the main window; null (with the dialog's error in *error) otherwise.
    console::MainWindow *signIn(const QString &username, const QString &password, QString *error = nullptr);
    void closeConsole();

    /// A staff user created with the CLI (one-time password changed); its password.
    QString createStaff(const QString &username, const QString &role, const QString &merchantCode = {});

    QString serverAddress() const;
    QString sandboxManifest() const;

private:
    PaymentStack m_stack;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<console::ConsoleApp> m_app;
};

/// The titles of the window's navigation, in order: the pages this user may open.
QStringList pageTitles(console::MainWindow *window);

/// Runs answer on the modal dialog named name as soon as it is open, like a person who reads it
/// and clicks. After the deadline whatever modal is open is closed, so a missing dialog fails the
/// test instead of hanging it.
void onNextModal(const QString &name, const std::function<void(QWidget *)> &answer,
                 QDeadlineTimer deadline = QDeadlineTimer(15'000));

/// QTest::qWaitFor with the suite's default deadline.
template<typename Condition> bool waitUntil(Condition condition, int timeoutMs = 20'000)
{
    return QTest::qWaitFor(condition, timeoutMs);
}

} // namespace paydesk::test
