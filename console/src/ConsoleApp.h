#pragma once

// The console's life cycle: sign-in, then the main window for the signed-in role; back to sign-in
// after signing out; a new window when the language changes. main() and the GUI tests both drive it.

#include "ConsoleSession.h"
#include "ConsoleSettings.h"

#include <QObject>
#include <QPointer>

namespace paydesk::console {

class MainWindow;
class SignInDialog;

class ConsoleApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsoleApp)

public:
    explicit ConsoleApp(QObject *parent = nullptr);
    ~ConsoleApp() override;

    /// Reads a sandbox.json (paydesk-sandbox's manifest): enables "Simulate buyer payment".
    bool useSandboxManifest(const QString &path, QString *error);
    /// Shows the sign-in dialog.
    void start();

    ConsoleSession &session() { return m_session; }
    ConsoleSettings &settings() { return m_settings; }
    MainWindow *mainWindow() const;
    SignInDialog *signInDialog() const;

signals:
    void mainWindowShown(paydesk::console::MainWindow *window);
    /// The user closed the sign-in dialog without signing in, or closed the main window.
    void finished();

private:
    void showSignIn();
    void showMainWindow();

    ConsoleSession m_session;
    ConsoleSettings m_settings;
    QPointer<MainWindow> m_window;
    QPointer<SignInDialog> m_signIn;
};

} // namespace paydesk::console
