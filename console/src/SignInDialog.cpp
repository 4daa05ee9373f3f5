#include "SignInDialog.h"

#include "ConsoleSession.h"
#include "ConsoleSettings.h"
#include "PasswordChangeDialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace paydesk::console {

SignInDialog::SignInDialog(ConsoleSession &session, ConsoleSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_settings(settings)
    , m_reason(new QLabel(this))
    , m_server(new QLineEdit(this))
    , m_username(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_totpLabel(new QLabel(tr("One-time &code:"), this))
    , m_totp(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_busy(new QProgressBar(this))
    , m_signIn(new QPushButton(tr("&Sign in"), this))
{
    setWindowTitle(tr("Sign in to Paydesk"));
    setObjectName(u"signInDialog"_s);
    setMinimumWidth(420);

    auto *title = new QLabel(u"<h2>Paydesk</h2>"_s + tr("Merchant and admin console"), this);
    m_reason->setWordWrap(true);
    m_reason->setVisible(false);
    m_reason->setObjectName(u"reasonLabel"_s);

    m_server->setText(settings.serverAddress());
    m_server->setMaxLength(512);
    m_server->setPlaceholderText(u"https://pay.example.com:8443"_s);
    m_username->setText(settings.lastUsername());
    m_username->setMaxLength(64);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setMaxLength(256);
    m_totp->setMaxLength(8);
    m_totp->setValidator(new QRegularExpressionValidator(QRegularExpression(u"[0-9]{0,8}"_s), m_totp));
    m_totp->setPlaceholderText(tr("6 digits from your authenticator app"));
    m_totpLabel->setBuddy(m_totp);
    m_totpLabel->setVisible(false);
    m_totp->setVisible(false);

    auto *form = new QFormLayout;
    form->addRow(tr("Se&rver:"), m_server);
    form->addRow(tr("&Username:"), m_username);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(m_totpLabel, m_totp);

    m_error->setWordWrap(true);
    m_error->setObjectName(u"errorLabel"_s);
    m_error->setStyleSheet(u"color: #c62828;"_s);
    m_error->setVisible(false);
    m_busy->setRange(0, 0);
    m_busy->setMaximumHeight(6);
    m_busy->setTextVisible(false);
    m_busy->setVisible(false);

    auto *buttons = new QDialogButtonBox(this);
    m_signIn->setDefault(true);
    buttons->addButton(m_signIn, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &SignInDialog::signIn);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(m_reason);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_busy);
    layout->addWidget(buttons);

    if (m_username->text().isEmpty())
        m_username->setFocus();
    else
        m_password->setFocus();
}

void SignInDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
    m_reason->setVisible(!reason.isEmpty());
    m_password->clear();
    m_totp->clear();
    m_password->setFocus();
}

QString SignInDialog::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

bool SignInDialog::isBusy() const
{
    return m_busy->isVisible();
}

void SignInDialog::setBusy(bool busy)
{
    m_busy->setVisible(busy);
    for (QWidget *input : {static_cast<QWidget *>(m_server), static_cast<QWidget *>(m_username),
                           static_cast<QWidget *>(m_password), static_cast<QWidget *>(m_totp),
                           static_cast<QWidget *>(m_signIn)})
        input->setEnabled(!busy);
}

void SignInDialog::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void SignInDialog::signIn()
{
    const QUrl server = ConsoleSettings::normalizeServer(m_server->text());
    if (!server.isValid()) {
        showError(tr("Enter the server as https://host:port."));
        m_server->setFocus();
        return;
    }
    if (m_username->text().trimmed().isEmpty() || m_password->text().isEmpty()) {
        showError(tr("Enter your username and password."));
        (m_username->text().trimmed().isEmpty() ? m_username : m_password)->setFocus();
        return;
    }
    if (m_totp->isVisible() && m_totp->text().size() != 6) {
        showError(tr("Enter the 6-digit code from your authenticator app."));
        m_totp->setFocus();
        return;
    }
    showError(QString());
    setBusy(true);

    client::RestClient &api = m_session.api();
    api.setBaseUrl(server);
    api.setTrust(m_settings.trustFor(server));
    api.setToken(QString());
    QJsonObject body{{u"username"_s, m_username->text().trimmed()}, {u"password"_s, m_password->text()}};
    if (m_totp->isVisible())
        body.insert(u"totp"_s, m_totp->text());

    api.post(u"/v1/sessions"_s, body, this, [this, server](const client::RestResult &result) {
        setBusy(false);
        using Failure = client::RestResult::Failure;
        switch (result.failure) {
        case Failure::None:
            m_settings.setServerAddress(server.toString());
            m_settings.setLastUsername(m_username->text().trimmed());
            finishSignIn(result.object());
            return;
        case Failure::UntrustedCertificate:
            if (askToTrust(server, result.certificate))
                signIn();
            return;
        case Failure::CertificateChanged:
            showError(tr("Refused: this server now presents a different certificate than the one you trusted "
                         "(SHA-256 %1). Someone may be intercepting the connection. If the server's certificate "
                         "was replaced on purpose, forget the old one in Settings and sign in again.")
                          .arg(client::displayFingerprint(client::certificateFingerprint(result.certificate))));
            return;
        case Failure::Http:
            if (result.details.value(u"totp_required"_s).toBool()) {
                m_totpLabel->setVisible(true);
                m_totp->setVisible(true);
                m_totp->setFocus();
                showError(tr("This account uses a second factor: enter the one-time code."));
                return;
            }
            if (result.code == u"LOCKED"_s) {
                const qint64 seconds = result.details.value(u"retry_after_seconds"_s).toInteger();
                showError(tr("Too many failed sign-ins: sign-in is locked for %n more minute(s).", nullptr,
                             int((seconds + 59) / 60)));
                return;
            }
            if (result.status == 401) {
                showError(m_totp->isVisible() ? tr("Wrong username, password or one-time code.")
                                              : tr("Wrong username or password."));
                m_password->selectAll();
                m_password->setFocus();
                return;
            }
            showError(result.message);
            return;
        default:
            showError(result.message);
            return;
        }
    });
}

bool SignInDialog::askToTrust(const QUrl &server, const QSslCertificate &certificate)
{
    const QByteArray fingerprint = client::certificateFingerprint(certificate);
    emit certificateQuestion(client::displayFingerprint(fingerprint));
    QMessageBox box(QMessageBox::Warning, tr("Trust this server?"),
                    tr("The server %1 presents a certificate that this computer does not trust yet.").arg(
                        server.host() + u':' + QString::number(server.port(443))),
                    QMessageBox::NoButton, this);
    box.setObjectName(u"trustQuestion"_s);
    box.setInformativeText(
        tr("Compare its SHA-256 fingerprint with the one the server's administrator gives you "
           "(paydesk-server prints it at start):\n\n%1\n\nIssued to: %2\nValid until: %3")
            .arg(client::displayFingerprint(fingerprint),
                 certificate.subjectInfo(QSslCertificate::CommonName).join(u", "_s),
                 QLocale().toString(certificate.expiryDate(), QLocale::ShortFormat)));
    QPushButton *trust = box.addButton(tr("&Trust this certificate"), QMessageBox::AcceptRole);
    QPushButton *caFile = box.addButton(tr("Use a &CA file…"), QMessageBox::ActionRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == trust) {
        m_settings.pinCertificate(server, fingerprint);
        return true;
    }
    if (box.clickedButton() == caFile) {
        const QString file = QFileDialog::getOpenFileName(this, tr("The server's CA certificate"), QString(),
                                                          tr("PEM certificates (*.pem *.crt);;All files (*)"));
        if (file.isEmpty())
            return false;
        client::ServerTrust trustFile{file, {}};
        QSslConfiguration probe;
        QString error;
        if (!client::applyTrust(probe, trustFile, &error)) {
            showError(error);
            return false;
        }
        m_settings.trustCaFile(server, file);
        return true;
    }
    showError(tr("Not signed in: the server's certificate was not trusted."));
    return false;
}

void SignInDialog::finishSignIn(const QJsonObject &session)
{
    m_password->clear();
    m_totp->clear();
    if (session.value(u"user"_s).toObject().value(u"must_change_password"_s).toBool()) {
        m_session.api().setToken(session.value(u"token"_s).toString());
        PasswordChangeDialog change(m_session.api(), this);
        if (change.exec() != QDialog::Accepted) {
            m_session.api().setToken(QString());
            showError(tr("Choose a new password to finish signing in."));
            return;
        }
        QJsonObject updated = session;
        QJsonObject user = updated.value(u"user"_s).toObject();
        user.insert(u"must_change_password"_s, false);
        updated.insert(u"user"_s, user);
        m_session.begin(updated);
    } else {
        m_session.begin(session);
    }
    accept();
}

} // namespace paydesk::console
