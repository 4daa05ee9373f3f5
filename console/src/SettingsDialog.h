#pragma once

// Settings: language, theme, the sandbox manifest for "Simulate buyer payment", and forgetting a
// server's trusted certificate after it was replaced on purpose.

#include <QDialog>

class QComboBox;
class QLineEdit;

namespace paydesk::console {

class ConsoleSettings;

class SettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(ConsoleSettings &settings, QWidget *parent = nullptr);

    bool languageChanged() const { return m_languageChanged; }
    QComboBox *languageBox() const { return m_language; }

    void accept() override;

private:
    ConsoleSettings &m_settings;
    QComboBox *m_language;
    QComboBox *m_theme;
    QLineEdit *m_sandbox;
    bool m_languageChanged = false;
};

} // namespace paydesk::console
