#include "PasswordChangeDialog.h"

#include "common/client/RestClient.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace paydesk::console {

PasswordChangeDialog::PasswordChangeDialog(client::RestClient &api, QWidget *parent)
    : QDialog(parent)
    , m_api(api)
    , m_current(new QLineEdit(this))
    , m_new(new QLineEdit(this))
    , m_repeat(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_ok(nullptr)
{
    setWindowTitle(tr("Change password"));
    for (QLineEdit *edit : {m_current, m_new, m_repeat}) {
        edit->setEchoMode(QLineEdit::Password);
        edit->setMaxLength(256);
    }
    auto *form = new QFormLayout;
    form->addRow(tr("&Current password:"), m_current);
    form->addRow(tr("&New password:"), m_new);
    form->addRow(tr("&Repeat new password:"), m_repeat);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"color: #c62828;"_s);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &PasswordChangeDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Choose a new password of at least 12 characters."), this));
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
}

void PasswordChangeDialog::submit()
{
    if (m_new->text() != m_repeat->text()) {
        m_error->setText(tr("The new passwords differ."));
        return;
    }
    m_ok->setEnabled(false);
    m_api.post(u"/v1/me/password"_s,
               QJsonObject{{u"current_password"_s, m_current->text()}, {u"new_password"_s, m_new->text()}}, this,
               [this](const client::RestResult &result) {
                   m_ok->setEnabled(true);
                   if (result.ok())
                       accept();
                   else
                       m_error->setText(result.message);
               });
}

} // namespace paydesk::console
