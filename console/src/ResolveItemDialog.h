#pragma once

// Resolving a reconciliation discrepancy by hand: what was done about it (one of the resolutions a
// person may choose) and a required note of at most 500 characters for the audit log.

#include <QDialog>
#include <QJsonObject>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace paydesk::console {

class ResolveItemDialog final : public QDialog
{
    Q_OBJECT

public:
    static constexpr int kMaxNoteChars = 500; ///< the server's limit

    explicit ResolveItemDialog(const QJsonObject &item, QWidget *parent = nullptr);

    /// The chosen resolution in the API's words ("WRITTEN_OFF", …).
    QString resolution() const;
    /// The note as it will be sent (trimmed).
    QString note() const;

    QComboBox *resolutionBox() const { return m_resolution; }
    QPlainTextEdit *noteEdit() const { return m_note; }
    QPushButton *resolveButton() const { return m_ok; }

    void accept() override;

private:
    void updateState();

    QComboBox *m_resolution;
    QPlainTextEdit *m_note;
    QLabel *m_count;
    QPushButton *m_ok;
};

} // namespace paydesk::console
