#pragma once

// Scan-to-collect: the merchant types an amount, picks Alipay or WeChat Pay and shows the QR code;
// the customer scans it with a phone. The page follows the order live through the event stream
// (polling only while the stream is down) and switches to a large "Paid" the moment it succeeds.

#include <QJsonObject>
#include <QTimer>
#include <QWidget>

class QButtonGroup;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QStackedWidget;

namespace paydesk::console {

class ConsoleSession;
class CustomerDisplay;
class QrCodeView;

class CollectPage final : public QWidget
{
    Q_OBJECT

public:
    enum class State { Idle, Creating, Waiting, Paid, Expired, Closed, Abnormal, Failed };
    Q_ENUM(State)

    explicit CollectPage(ConsoleSession &session, QWidget *parent = nullptr);
    ~CollectPage() override;

    State state() const { return m_state; }
    const QJsonObject &order() const { return m_order; }
    QString orderNo() const;
    /// When the payment was first seen as paid (ms since epoch, this computer's clock); 0 before.
    qint64 paidSeenAtMs() const { return m_paidSeenAtMs; }

    QLineEdit *amountEdit() const { return m_amount; }
    QLineEdit *subjectEdit() const { return m_subject; }
    QPushButton *showQrButton() const { return m_showQr; }
    QPushButton *simulateButton() const { return m_simulate; }
    QrCodeView *qrView() const { return m_qr; }
    QString statusText() const;
    void selectChannel(const QString &channel);

public slots:
    void showQr();
    void newCollection();
    void simulateBuyerPayment();
    void toggleCustomerDisplay();

signals:
    void stateChanged(paydesk::console::CollectPage::State state);

private:
    void setState(State state, const QString &detail = {});
    void applyOrder(const QJsonObject &order);
    void onEvent(const QString &type, const QJsonObject &data);
    void poll();
    void tick();
    QString channel() const;

    ConsoleSession &m_session;
    State m_state = State::Idle;
    QJsonObject m_order;
    qint64 m_paidSeenAtMs = 0;
    QString m_detail;

    QLineEdit *m_amount;
    QLineEdit *m_subject;
    QRadioButton *m_alipay;
    QRadioButton *m_wechat;
    QPushButton *m_showQr;
    QPushButton *m_newCollection;
    QPushButton *m_simulate;
    QPushButton *m_fullScreen;
    QLabel *m_formError;

    QStackedWidget *m_stack;
    QLabel *m_idleHint;
    QrCodeView *m_qr;
    QLabel *m_waitingAmount;
    QLabel *m_waitingOrder;
    QLabel *m_countdown;
    QLabel *m_statusLine;
    QLabel *m_resultIcon;
    QLabel *m_resultTitle;
    QLabel *m_resultDetail;

    QTimer m_clock;
    QTimer m_poller;
    CustomerDisplay *m_customer = nullptr;
};

} // namespace paydesk::console
