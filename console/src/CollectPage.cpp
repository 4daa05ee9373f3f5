#include "CollectPage.h"

#include "ConsoleSession.h"
#include "CustomerDisplay.h"
#include "MoneyText.h"
#include "QrCodeView.h"

#include <QButtonGroup>
#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QShortcut>
#include <QStackedWidget>
#include <QStyle>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {

constexpr qint64 kMaxCollectFen = 100'000'000; // 1,000,000.00 CNY per collection
constexpr int kExpireMinutes = 10;
constexpr int kPollMs = 2'000;

QLabel *styledLabel(QWidget *parent, int pointDelta, bool bold, Qt::Alignment alignment = Qt::AlignCenter)
{
    auto *label = new QLabel(parent);
    QFont font = label->font();
    font.setPointSize(font.pointSize() + pointDelta);
    font.setBold(bold);
    label->setFont(font);
    label->setAlignment(alignment);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QString channelTitle(const QString &channel)
{
    return channel == u"wechat"_s ? CollectPage::tr("WeChat Pay") : CollectPage::tr("Alipay");
}

QString newOutTradeNo()
{
    return u"C%1%2"_s.arg(QDateTime::currentDateTime().toString(u"yyyyMMddHHmmsszzz"_s))
        .arg(QRandomGenerator::system()->bounded(0x10000), 4, 16, QChar(u'0'));
}

} // namespace

CollectPage::CollectPage(ConsoleSession &session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_amount(new QLineEdit(this))
    , m_subject(new QLineEdit(this))
    , m_alipay(new QRadioButton(tr("&Alipay"), this))
    , m_wechat(new QRadioButton(tr("&WeChat Pay"), this))
    , m_showQr(new QPushButton(tr("Show &QR"), this))
    , m_newCollection(new QPushButton(tr("&New collection (F2)"), this))
    , m_simulate(new QPushButton(tr("Simulate &buyer payment"), this))
    , m_fullScreen(new QPushButton(tr("&Customer display (F11)"), this))
    , m_formError(new QLabel(this))
    , m_stack(new QStackedWidget(this))
    , m_idleHint(styledLabel(this, 2, false))
    , m_qr(new QrCodeView(this))
    , m_waitingAmount(styledLabel(this, 14, true))
    , m_waitingOrder(styledLabel(this, 0, false))
    , m_countdown(styledLabel(this, 2, false))
    , m_statusLine(styledLabel(this, 0, false))
    , m_resultIcon(styledLabel(this, 40, true))
    , m_resultTitle(styledLabel(this, 22, true))
    , m_resultDetail(styledLabel(this, 2, false))
{
    setObjectName(u"collectPage"_s);

    // The form: amount, subject, channel.
    m_amount->setObjectName(u"amountEdit"_s);
    m_amount->setValidator(new MoneyValidator(kMaxCollectFen, m_amount));
    m_amount->setPlaceholderText(u"0.00"_s);
    m_amount->setAlignment(Qt::AlignRight);
    QFont amountFont = m_amount->font();
    amountFont.setPointSize(amountFont.pointSize() + 8);
    m_amount->setFont(amountFont);
    m_subject->setObjectName(u"subjectEdit"_s);
    m_subject->setMaxLength(128);
    m_subject->setText(tr("In-store purchase"));
    m_alipay->setChecked(true);
    auto *channels = new QButtonGroup(this);
    channels->addButton(m_alipay);
    channels->addButton(m_wechat);
    m_showQr->setObjectName(u"showQrButton"_s);
    m_showQr->setDefault(true);
    m_simulate->setObjectName(u"simulateButton"_s);
    m_simulate->setToolTip(tr("Sandbox only: the sandbox plays the customer, scans the code and pays."));
    m_formError->setObjectName(u"formError"_s);
    m_formError->setWordWrap(true);
    m_formError->setStyleSheet(u"color: #c62828;"_s);

    auto *channelRow = new QHBoxLayout;
    channelRow->addWidget(m_alipay);
    channelRow->addWidget(m_wechat);
    channelRow->addStretch();
    auto *form = new QFormLayout;
    form->addRow(tr("A&mount (CNY):"), m_amount);
    form->addRow(tr("&Subject:"), m_subject);
    form->addRow(tr("Channel:"), channelRow);
    auto *formBox = new QGroupBox(tr("New collection"), this);
    auto *formLayout = new QVBoxLayout(formBox);
    formLayout->addLayout(form);
    formLayout->addWidget(m_showQr);
    formLayout->addWidget(m_formError);
    formLayout->addStretch();
    formLayout->addWidget(m_newCollection);
    formLayout->addWidget(m_fullScreen);
    formLayout->addWidget(m_simulate);
    formBox->setMaximumWidth(380);

    // The right side: idle hint, waiting (QR), result.
    m_idleHint->setText(tr("Enter an amount and press Show QR.\nThe customer scans the code with Alipay or WeChat."));
    auto *waiting = new QWidget(this);
    auto *waitingLayout = new QVBoxLayout(waiting);
    m_qr->setObjectName(u"qrView"_s);
    m_waitingAmount->setObjectName(u"waitingAmount"_s);
    m_statusLine->setObjectName(u"statusLine"_s);
    waitingLayout->addWidget(m_waitingAmount);
    waitingLayout->addWidget(m_qr, 1);
    waitingLayout->addWidget(m_countdown);
    waitingLayout->addWidget(m_waitingOrder);
    waitingLayout->addWidget(m_statusLine);
    auto *result = new QWidget(this);
    auto *resultLayout = new QVBoxLayout(result);
    m_resultTitle->setObjectName(u"resultTitle"_s);
    resultLayout->addStretch();
    resultLayout->addWidget(m_resultIcon);
    resultLayout->addWidget(m_resultTitle);
    resultLayout->addWidget(m_resultDetail);
    resultLayout->addStretch();
    m_stack->addWidget(m_idleHint);
    m_stack->addWidget(waiting);
    m_stack->addWidget(result);

    auto *layout = new QHBoxLayout(this);
    layout->addWidget(formBox);
    layout->addWidget(m_stack, 1);

    connect(m_showQr, &QPushButton::clicked, this, &CollectPage::showQr);
    connect(m_amount, &QLineEdit::returnPressed, this, &CollectPage::showQr);
    connect(m_newCollection, &QPushButton::clicked, this, &CollectPage::newCollection);
    connect(m_simulate, &QPushButton::clicked, this, &CollectPage::simulateBuyerPayment);
    connect(m_fullScreen, &QPushButton::clicked, this, &CollectPage::toggleCustomerDisplay);
    auto *newShortcut = new QShortcut(QKeySequence(Qt::Key_F2), this);
    connect(newShortcut, &QShortcut::activated, this, &CollectPage::newCollection);
    auto *displayShortcut = new QShortcut(QKeySequence(Qt::Key_F11), this);
    connect(displayShortcut, &QShortcut::activated, this, &CollectPage::toggleCustomerDisplay);

    connect(&session.events(), &client::EventStream::eventReceived, this,
            [this](const QString &type, const QJsonObject &data, qint64) { onEvent(type, data); });
    connect(&session.events(), &client::EventStream::connectedChanged, this, [this](bool connected) {
        // While the stream was down an event may have been missed: ask once on reconnect.
        if (connected && m_state == State::Waiting)
            poll();
    });
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, &CollectPage::tick);
    m_poller.setInterval(kPollMs);
    connect(&m_poller, &QTimer::timeout, this, [this] {
        if (!m_session.events().isConnected())
            poll();
    });
    setState(State::Idle);
}

CollectPage::~CollectPage()
{
    delete m_customer;
}

QString CollectPage::orderNo() const
{
    return m_order.value(u"order_no"_s).toString();
}

QString CollectPage::channel() const
{
    return m_wechat->isChecked() ? u"wechat"_s : u"alipay"_s;
}

void CollectPage::selectChannel(const QString &channelName)
{
    (channelName == u"wechat"_s ? m_wechat : m_alipay)->setChecked(true);
}

QString CollectPage::statusText() const
{
    if (m_state == State::Waiting)
        return m_statusLine->text();
    if (m_state == State::Idle)
        return m_idleHint->text();
    return m_resultTitle->text() + u'\n' + m_resultDetail->text();
}

void CollectPage::showQr()
{
    if (m_state == State::Creating || m_state == State::Waiting)
        return;
    const std::optional<qint64> fen = parseFen(m_amount->text());
    if (!fen || *fen <= 0) {
        m_formError->setText(tr("Enter an amount greater than zero, at most two decimals."));
        m_amount->setFocus();
        return;
    }
    if (*fen > kMaxCollectFen) {
        m_formError->setText(tr("At most %1 per collection.").arg(formatCny(kMaxCollectFen)));
        return;
    }
    if (m_subject->text().trimmed().isEmpty()) {
        m_formError->setText(tr("Enter what the customer pays for."));
        m_subject->setFocus();
        return;
    }
    m_formError->clear();
    m_order = {};
    m_paidSeenAtMs = 0;
    setState(State::Creating);
    const QJsonObject body{{u"out_trade_no"_s, newOutTradeNo()},
                           {u"amount"_s, *fen},
                           {u"subject"_s, m_subject->text().trimmed()},
                           {u"channel"_s, channel()},
                           {u"method"_s, u"qr"_s},
                           {u"expire_minutes"_s, kExpireMinutes}};
    m_session.api().post(u"/v1/orders"_s, body, this, [this](const client::RestResult &result) {
        if (!result.ok()) {
            setState(State::Failed, result.message);
            return;
        }
        applyOrder(result.object());
    });
}

void CollectPage::applyOrder(const QJsonObject &order)
{
    if (!m_order.isEmpty() && order.value(u"order_no"_s) != m_order.value(u"order_no"_s))
        return; // an answer about an earlier collection
    m_order = order;
    const QString status = order.value(u"status"_s).toString();
    if (status == u"SUCCESS"_s || status == u"PARTIALLY_REFUNDED"_s || status == u"REFUNDED"_s) {
        if (m_paidSeenAtMs == 0)
            m_paidSeenAtMs = QDateTime::currentMSecsSinceEpoch();
        setState(State::Paid);
    } else if (status == u"CLOSED"_s) {
        const QString reason = order.value(u"status_reason"_s).toString();
        setState(reason.contains(u"EXPIRED"_s, Qt::CaseInsensitive) ? State::Expired : State::Closed, reason);
    } else if (status == u"ABNORMAL"_s) {
        setState(State::Abnormal, order.value(u"status_reason"_s).toString());
    } else if (order.value(u"qr_code"_s).toString().isEmpty()) {
        setState(State::Failed, tr("The channel gave no QR code (%1).").arg(order.value(u"prepay"_s).toString()));
    } else {
        setState(State::Waiting);
    }
}

void CollectPage::onEvent(const QString &type, const QJsonObject &data)
{
    if (m_state != State::Waiting || data.value(u"order_no"_s).toString() != orderNo())
        return;
    if (type == u"order.paid"_s)
        applyOrder(data);
}

void CollectPage::poll()
{
    if (orderNo().isEmpty())
        return;
    m_session.api().get(u"/v1/orders/"_s + orderNo(), this, [this](const client::RestResult &result) {
        if (result.ok() && m_state == State::Waiting)
            applyOrder(result.object());
    });
}

void CollectPage::tick()
{
    if (m_state != State::Waiting)
        return;
    const qint64 left = m_order.value(u"expires_at"_s).toInteger() - QDateTime::currentMSecsSinceEpoch();
    if (left <= 0) {
        m_countdown->setText(tr("Expired"));
        poll(); // the server closes it; show what it says
        return;
    }
    const qint64 seconds = (left + 999) / 1000;
    m_countdown->setText(tr("Expires in %1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QChar(u'0')));
}

void CollectPage::setState(State state, const QString &detail)
{
    m_state = state;
    m_detail = detail;
    const bool busy = state == State::Creating;
    const bool open = state == State::Waiting || busy;
    m_amount->setEnabled(!open);
    m_subject->setEnabled(!open);
    m_alipay->setEnabled(!open);
    m_wechat->setEnabled(!open);
    m_showQr->setEnabled(!open);
    m_showQr->setText(busy ? tr("Creating order…") : tr("Show &QR"));
    m_simulate->setVisible(m_session.hasSandbox());
    m_simulate->setEnabled(state == State::Waiting);
    m_clock.stop();
    m_poller.stop();

    const QString amount = formatCny(m_order.value(u"amount"_s).toInteger());
    const QString channelName = channelTitle(m_order.value(u"channel"_s).toString());
    switch (state) {
    case State::Idle:
    case State::Creating:
        m_stack->setCurrentIndex(0);
        if (m_customer)
            m_customer->showIdle();
        break;
    case State::Waiting:
        m_qr->setText(m_order.value(u"qr_code"_s).toString());
        m_waitingAmount->setText(amount);
        m_waitingOrder->setText(tr("Order %1").arg(orderNo()));
        m_statusLine->setText(tr("Waiting for the customer to pay with %1…").arg(channelName));
        m_stack->setCurrentIndex(1);
        m_clock.start();
        m_poller.start();
        tick();
        if (m_customer)
            m_customer->showWaiting(amount, channelName, m_qr->text());
        break;
    case State::Paid: {
        m_resultIcon->setText(u"✔"_s);
        m_resultIcon->setStyleSheet(u"color: #2e7d32;"_s);
        m_resultTitle->setText(tr("Paid %1").arg(formatCny(m_order.value(u"paid_amount"_s).toInteger())));
        m_resultTitle->setStyleSheet(u"color: #2e7d32;"_s);
        const QString trade = m_order.value(u"channel_trade_no"_s).toString();
        m_resultDetail->setText(tr("Order %1 · %2 trade %3").arg(orderNo(), channelName, trade));
        m_stack->setCurrentIndex(2);
        if (m_customer)
            m_customer->showResult(true, tr("Paid"), amount);
        m_newCollection->setFocus();
        break;
    }
    case State::Expired:
    case State::Closed:
    case State::Abnormal:
    case State::Failed: {
        m_resultIcon->setText(state == State::Abnormal || state == State::Failed ? u"⚠"_s : u"⌛"_s);
        m_resultIcon->setStyleSheet(u"color: #c62828;"_s);
        const QString title = state == State::Expired  ? tr("Expired: not paid")
                              : state == State::Closed ? tr("Closed: not paid")
                              : state == State::Abnormal
                                  ? tr("Needs attention: the payment state is unclear")
                                  : tr("Could not create the order");
        m_resultTitle->setText(title);
        m_resultTitle->setStyleSheet(u"color: #c62828;"_s);
        QString text = orderNo().isEmpty() ? QString() : tr("Order %1").arg(orderNo());
        if (!detail.isEmpty())
            text += (text.isEmpty() ? QString() : u"\n"_s) + detail;
        if (state == State::Abnormal)
            text += u"\n"_s + tr("Do not hand over goods yet; check the order in Orders.");
        m_resultDetail->setText(text);
        m_stack->setCurrentIndex(2);
        if (m_customer)
            m_customer->showResult(false, title, QString());
        m_newCollection->setFocus();
        break;
    }
    }
    emit stateChanged(state);
}

void CollectPage::newCollection()
{
    if (m_state == State::Creating)
        return;
    m_order = {};
    m_paidSeenAtMs = 0;
    m_amount->clear();
    m_formError->clear();
    setState(State::Idle);
    m_amount->setFocus();
}

void CollectPage::simulateBuyerPayment()
{
    client::RestClient *sandbox = m_session.sandbox();
    if (!sandbox || m_state != State::Waiting)
        return;
    m_simulate->setEnabled(false);
    sandbox->post(u"/control/pay"_s, QJsonObject{{u"code"_s, m_qr->text()}}, this,
                  [this](const client::RestResult &result) {
                      if (!result.ok()) {
                          m_statusLine->setText(tr("The sandbox did not pay: %1").arg(result.message));
                          m_simulate->setEnabled(m_state == State::Waiting);
                          return;
                      }
                      m_statusLine->setText(tr("The sandbox paid; waiting for the channel's notification…"));
                  });
}

void CollectPage::toggleCustomerDisplay()
{
    if (m_customer && m_customer->isVisible()) {
        m_customer->close();
        return;
    }
    if (!m_customer)
        m_customer = new CustomerDisplay;
    if (m_state == State::Waiting)
        m_customer->showWaiting(formatCny(m_order.value(u"amount"_s).toInteger()),
                                channelTitle(m_order.value(u"channel"_s).toString()), m_qr->text());
    else if (m_state == State::Paid)
        m_customer->showResult(true, tr("Paid"), formatCny(m_order.value(u"amount"_s).toInteger()));
    else
        m_customer->showIdle();
    m_customer->showFullScreen();
}

} // namespace paydesk::console
