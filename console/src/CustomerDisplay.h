#pragma once

// The customer-facing window of scan-to-collect: full screen, nothing but the amount, the QR code
// and the result, large enough to read and scan across a counter.

#include <QWidget>

class QLabel;
class QStackedWidget;

namespace paydesk::console {

class QrCodeView;

class CustomerDisplay final : public QWidget
{
    Q_OBJECT

public:
    explicit CustomerDisplay(QWidget *parent = nullptr);

    void showWaiting(const QString &amountText, const QString &channelName, const QString &qrText);
    void showResult(bool paid, const QString &title, const QString &detail);
    void showIdle();

protected:
    void keyPressEvent(class QKeyEvent *event) override;

private:
    QStackedWidget *m_stack;
    QLabel *m_idle;
    QLabel *m_amount;
    QLabel *m_channel;
    QrCodeView *m_qr;
    QLabel *m_resultTitle;
    QLabel *m_resultDetail;
};

} // namespace paydesk::console
