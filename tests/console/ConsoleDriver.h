#pragma once

// The console as GUI tests and the screenshot tour drive it: the real payment stack (server and
// sandbox processes, see PaymentStack), the real ConsoleApp with its widgets, settings kept in a
// throwaway folder, and helpers that type, click and wait like a person (with deadlines).

#include "../server/PaymentStack.h"

#include "ConsoleApp.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace paydesk::console {
class MainWindow;
}

namespace paydesk::test {

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

/// QTest::qWaitFor with the suite's default deadline.
template<typename Condition> bool waitUntil(Condition condition, int timeoutMs = 20'000)
{
    return QTest::qWaitFor(condition, timeoutMs);
}

} // namespace paydesk::test
