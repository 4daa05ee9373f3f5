#pragma once

// Refund (full or partial) of a paid order, with the amount checked against what is refundable and
// a confirmation; the refund number is chosen once per dialog so a retry after a network failure
// cannot refund twice.

#include <QDialog>
#include <QJsonObject>

class QLabel;
class QLineEdit;
class QPushButton;

namespace paydesk::console {

class ConsoleSession;

class RefundDialog final : public QDialog
{
    Q_OBJECT

public:
    RefundDialog(ConsoleSession &session, const QJsonObject &order, QWidget *parent = nullptr);

    QLineEdit *amountEdit() const { return m_amount; }
    QLineEdit *reasonEdit() const { return m_reason; }
    QPushButton *refundButton() const { return m_ok; }
    QString errorText() const;
    const QJsonObject &refund() const { return m_refund; }

    void accept() override;

private:
    void submit(qint64 fen);

    ConsoleSession &m_session;
    QJsonObject m_order;
    QString m_outRefundNo;
    QLineEdit *m_amount;
    QLineEdit *m_reason;
    QLabel *m_error;
    QPushButton *m_ok;
    QJsonObject m_refund;
    bool m_confirm = true;
};

} // namespace paydesk::console
