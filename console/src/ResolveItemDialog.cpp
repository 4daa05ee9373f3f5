#include "ResolveItemDialog.h"

#include "ReconciliationItemsModel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace paydesk::console {

ResolveItemDialog::ResolveItemDialog(const QJsonObject &item, QWidget *parent)
    : QDialog(parent)
    , m_resolution(new QComboBox(this))
    , m_note(new QPlainTextEdit(this))
    , m_count(new QLabel(this))
    , m_ok(nullptr)
{
    setObjectName(u"resolveDialog"_s);
    setWindowTitle(tr("Resolve discrepancy"));
    using Model = ReconciliationItemsModel;
    auto *what = new QLabel(tr("%1 · %2 · %3\nPaydesk %4, bill %5")
                                .arg(Model::kindTitle(item.value(u"kind"_s).toString()),
                                     Model::channelTitle(item.value(u"channel_id"_s).toString()), Model::keyText(item),
                                     Model::amountText(item.value(u"local_amount"_s)),
                                     Model::amountText(item.value(u"channel_amount"_s))),
                            this);
    what->setWordWrap(true);
    what->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_resolution->setObjectName(u"resolutionBox"_s);
    for (const QString &resolution : Model::manualResolutions())
        m_resolution->addItem(Model::resolutionTitle(resolution), resolution);
    m_note->setObjectName(u"resolveNoteEdit"_s);
    m_note->setTabChangesFocus(true);
    m_note->setPlaceholderText(tr("What was done and why, for the audit log (required)"));
    m_note->setMinimumHeight(90);
    m_count->setObjectName(u"resolveNoteCount"_s);
    auto *buttons = new QDialogButtonBox(this);
    m_ok = buttons->addButton(tr("Resolve"), QDialogButtonBox::AcceptRole);
    m_ok->setObjectName(u"confirmResolveButton"_s);
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_note, &QPlainTextEdit::textChanged, this, &ResolveItemDialog::updateState);

    auto *form = new QFormLayout;
    form->addRow(tr("&Resolution:"), m_resolution);
    form->addRow(tr("&Note:"), m_note);
    form->addRow(QString(), m_count);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(what);
    layout->addLayout(form);
    layout->addWidget(buttons);
    resize(520, sizeHint().height());
    updateState();
}

QString ResolveItemDialog::resolution() const
{
    return m_resolution->currentData().toString();
}

QString ResolveItemDialog::note() const
{
    return m_note->toPlainText().trimmed();
}

void ResolveItemDialog::updateState()
{
    const qsizetype length = note().size();
    const bool fits = length <= kMaxNoteChars;
    m_ok->setEnabled(length > 0 && fits);
    m_count->setText(tr("%1 / %2").arg(length).arg(kMaxNoteChars));
    m_count->setStyleSheet(fits ? QString() : u"color: #c62828;"_s);
}

void ResolveItemDialog::accept()
{
    const qsizetype length = note().size();
    if (length == 0 || length > kMaxNoteChars)
        return;
    QDialog::accept();
}

} // namespace paydesk::console
