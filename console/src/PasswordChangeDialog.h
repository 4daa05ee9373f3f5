#pragma once

// The password change a new staff account must make before anything else (and any user may make
// from the Account menu): current password, new password twice, sent to POST /v1/me/password.

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace paydesk::client {
class RestClient;
}

namespace paydesk::console {

class PasswordChangeDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit PasswordChangeDialog(client::RestClient &api, QWidget *parent = nullptr);

private:
    void submit();

    client::RestClient &m_api;
    QLineEdit *m_current;
    QLineEdit *m_new;
    QLineEdit *m_repeat;
    QLabel *m_error;
    QPushButton *m_ok;
};

} // namespace paydesk::console
