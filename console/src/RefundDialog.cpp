#include "RefundDialog.h"

#include "ConsoleSession.h"
#include "MoneyText.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRandomGenerator>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace paydesk::console {

RefundDialog::RefundDialog(ConsoleSession &session, const QJsonObject &order, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_order(order)
    , m_outRefundNo(u"R%1%2"_s.arg(QDateTime::currentDateTime().toString(u"yyyyMMddHHmmsszzz"_s))
                        .arg(QRandomGenerator::system()->bounded(0x10000), 4, 16, QChar(u'0')))
    , m_amount(new QLineEdit(this))
    , m_reason(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_ok(nullptr)
{
    setObjectName(u"refundDialog"_s);
    setWindowTitle(tr("Refund order %1").arg(order.value(u"order_no"_s).toString()));
    const qint64 refundable = order.value(u"refundable_amount"_s).toInteger();
    m_amount->setValidator(new MoneyValidator(refundable, m_amount));
    m_amount->setText(formatFen(refundable, QLocale::c()));
    m_amount->setAlignment(Qt::AlignRight);
    m_amount->selectAll();
    m_reason->setMaxLength(80);
    m_reason->setPlaceholderText(tr("shown to the customer by the channel"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"color: #c62828;"_s);
    m_error->setObjectName(u"refundError"_s);

    auto *form = new QFormLayout;
    form->addRow(tr("Paid:"), new QLabel(formatCny(order.value(u"paid_amount"_s).toInteger()), this));
    form->addRow(tr("Refundable:"), new QLabel(formatCny(refundable), this));
    form->addRow(tr("Refund &amount (CNY):"), m_amount);
    form->addRow(tr("&Reason:"), m_reason);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_ok = buttons->addButton(tr("&Refund"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &RefundDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
}

QString RefundDialog::errorText() const
{
    return m_error->text();
}

void RefundDialog::accept()
{
    const qint64 refundable = m_order.value(u"refundable_amount"_s).toInteger();
    const std::optional<qint64> fen = parseFen(m_amount->text());
    if (!fen || *fen <= 0 || *fen > refundable) {
        m_error->setText(tr("Enter an amount from 0.01 to %1.").arg(formatCny(refundable)));
        return;
    }
    const QString question = *fen == refundable
                                 ? tr("Refund the full %1 to the customer? This cannot be undone.").arg(formatCny(*fen))
                                 : tr("Refund %1 of %2 to the customer? This cannot be undone.")
                                       .arg(formatCny(*fen), formatCny(m_order.value(u"paid_amount"_s).toInteger()));
    if (QMessageBox::question(this, tr("Confirm refund"), question) != QMessageBox::Yes)
        return;
    submit(*fen);
}

void RefundDialog::submit(qint64 fen)
{
    m_ok->setEnabled(false);
    m_amount->setEnabled(false);
    m_error->setText(tr("Refunding…"));
    QJsonObject body{{u"out_refund_no"_s, m_outRefundNo}, {u"amount"_s, fen}};
    if (!m_reason->text().trimmed().isEmpty())
        body.insert(u"reason"_s, m_reason->text().trimmed());
    m_session.api().post(u"/v1/orders/%1/refunds"_s.arg(m_order.value(u"order_no"_s).toString()), body, this,
                         [this](const client::RestResult &result) {
                             if (!result.ok()) {
                                 m_error->setText(result.message);
                                 m_ok->setEnabled(true);
                                 // The same refund number on a retry: the server answers the first refund.
                                 m_amount->setEnabled(result.failure == client::RestResult::Failure::Http);
                                 return;
                             }
                             m_refund = result.object();
                             QDialog::accept();
                         });
}

} // namespace paydesk::console
