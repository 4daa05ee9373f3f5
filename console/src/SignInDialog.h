#pragma once

// Sign-in: server address (remembered), username, password and, when the account has one, the
// one-time code. The first connection to a server whose certificate nobody trusts yet shows its
// SHA-256 fingerprint and asks; a certificate other than the pinned one is refused with a warning.

#include <QDialog>
#include <QJsonObject>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSslCertificate;

namespace paydesk::console {

class ConsoleSession;
class ConsoleSettings;

class SignInDialog final : public QDialog
{
    Q_OBJECT

public:
    SignInDialog(ConsoleSession &session, ConsoleSettings &settings, QWidget *parent = nullptr);

    /// For a session that expired: explains why and keeps the server and username.
    void setReason(const QString &reason);
    QString errorText() const;
    bool isBusy() const;

    // Reached by tests and by the screenshot tour.
    QLineEdit *serverEdit() const { return m_server; }
    QLineEdit *usernameEdit() const { return m_username; }
    QLineEdit *passwordEdit() const { return m_password; }
    QLineEdit *totpEdit() const { return m_totp; }
    QPushButton *signInButton() const { return m_signIn; }

signals:
    /// The user must decide about an unknown certificate; tests answer through trustDecision().
    void certificateQuestion(const QString &fingerprint);

public slots:
    void signIn();

private:
    void setBusy(bool busy);
    void showError(const QString &message);
    bool askToTrust(const QUrl &server, const QSslCertificate &certificate);
    void finishSignIn(const QJsonObject &session);

    ConsoleSession &m_session;
    ConsoleSettings &m_settings;
    QLabel *m_reason;
    QLineEdit *m_server;
    QLineEdit *m_username;
    QLineEdit *m_password;
    QLabel *m_totpLabel;
    QLineEdit *m_totp;
    QLabel *m_error;
    QProgressBar *m_busy;
    QPushButton *m_signIn;
};

} // namespace paydesk::console
