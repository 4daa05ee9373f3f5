#include "SettingsDialog.h"

#include "Appearance.h"
#include "ConsoleSettings.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace paydesk::console {

SettingsDialog::SettingsDialog(ConsoleSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_language(new QComboBox(this))
    , m_theme(new QComboBox(this))
    , m_sandbox(new QLineEdit(this))
{
    setWindowTitle(tr("Settings"));
    for (const auto &[code, name] : availableLanguages())
        m_language->addItem(code == u"system"_s ? tr("System language") : name, code);
    m_language->setCurrentIndex(qMax(0, m_language->findData(settings.language())));
    m_theme->addItem(tr("System"), u"system"_s);
    m_theme->addItem(tr("Light"), u"light"_s);
    m_theme->addItem(tr("Dark"), u"dark"_s);
    m_theme->setCurrentIndex(qMax(0, m_theme->findData(settings.theme())));
    m_sandbox->setText(settings.sandboxManifest());
    m_sandbox->setPlaceholderText(tr("var/sandbox/sandbox.json (optional)"));
    auto *browse = new QPushButton(tr("&Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Sandbox manifest"), m_sandbox->text(),
                                                          tr("Sandbox manifest (sandbox.json)"));
        if (!file.isEmpty())
            m_sandbox->setText(file);
    });
    auto *sandboxRow = new QHBoxLayout;
    sandboxRow->addWidget(m_sandbox, 1);
    sandboxRow->addWidget(browse);

    auto *forget = new QPushButton(tr("&Forget the trusted certificate of %1")
                                       .arg(ConsoleSettings::normalizeServer(settings.serverAddress()).authority()),
                                   this);
    connect(forget, &QPushButton::clicked, this, [this] {
        const QUrl server = ConsoleSettings::normalizeServer(m_settings.serverAddress());
        if (QMessageBox::question(this, tr("Forget certificate"),
                                  tr("Forget the certificate trusted for %1? The next sign-in asks again.")
                                      .arg(server.authority()))
            == QMessageBox::Yes)
            m_settings.pinCertificate(server, {});
    });

    auto *form = new QFormLayout;
    form->addRow(tr("&Language:"), m_language);
    form->addRow(tr("&Theme:"), m_theme);
    form->addRow(tr("Sandbox &manifest:"), sandboxRow);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(forget);
    layout->addWidget(buttons);
}

void SettingsDialog::accept()
{
    const QString language = m_language->currentData().toString();
    m_languageChanged = language != m_settings.language();
    m_settings.setLanguage(language);
    m_settings.setTheme(m_theme->currentData().toString());
    m_settings.setSandboxManifest(m_sandbox->text().trimmed());
    QDialog::accept();
}

} // namespace paydesk::console
