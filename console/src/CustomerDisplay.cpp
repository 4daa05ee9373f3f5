#include "CustomerDisplay.h"

#include "QrCodeView.h"

#include <QKeyEvent>
#include <QLabel>
#include <QStackedWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {
QLabel *bigLabel(QWidget *parent, int pointSize, bool bold = true)
{
    auto *label = new QLabel(parent);
    QFont font = label->font();
    font.setPointSize(pointSize);
    font.setBold(bold);
    label->setFont(font);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    return label;
}
} // namespace

CustomerDisplay::CustomerDisplay(QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_stack(new QStackedWidget(this))
    , m_idle(bigLabel(this, 28))
    , m_amount(bigLabel(this, 48))
    , m_channel(bigLabel(this, 20, false))
    , m_qr(new QrCodeView(this))
    , m_resultTitle(bigLabel(this, 64))
    , m_resultDetail(bigLabel(this, 28, false))
{
    setWindowTitle(tr("Paydesk — customer display"));
    setObjectName(u"customerDisplay"_s);
    // Scanners need contrast whatever the console's theme.
    setAutoFillBackground(true);
    QPalette light = palette();
    light.setColor(QPalette::Window, Qt::white);
    light.setColor(QPalette::WindowText, Qt::black);
    setPalette(light);

    m_idle->setText(tr("Welcome"));
    auto *waiting = new QWidget(this);
    auto *waitingLayout = new QVBoxLayout(waiting);
    waitingLayout->addWidget(m_amount);
    waitingLayout->addWidget(m_qr, 1);
    waitingLayout->addWidget(m_channel);
    auto *result = new QWidget(this);
    auto *resultLayout = new QVBoxLayout(result);
    resultLayout->addStretch();
    resultLayout->addWidget(m_resultTitle);
    resultLayout->addWidget(m_resultDetail);
    resultLayout->addStretch();
    m_stack->addWidget(m_idle);
    m_stack->addWidget(waiting);
    m_stack->addWidget(result);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_stack);
    auto *hint = new QLabel(tr("Esc closes this window"), this);
    hint->setAlignment(Qt::AlignRight);
    hint->setStyleSheet(u"color: #9e9e9e;"_s);
    layout->addWidget(hint);
}

void CustomerDisplay::showWaiting(const QString &amountText, const QString &channelName, const QString &qrText)
{
    m_amount->setText(amountText);
    m_channel->setText(tr("Scan with %1 to pay").arg(channelName));
    m_qr->setText(qrText);
    m_stack->setCurrentIndex(1);
}

void CustomerDisplay::showResult(bool paid, const QString &title, const QString &detail)
{
    m_resultTitle->setText(title);
    m_resultTitle->setStyleSheet(paid ? u"color: #2e7d32;"_s : u"color: #c62828;"_s);
    m_resultDetail->setText(detail);
    m_stack->setCurrentIndex(2);
}

void CustomerDisplay::showIdle()
{
    m_stack->setCurrentIndex(0);
}

void CustomerDisplay::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape || event->key() == Qt::Key_F11) {
        close();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace paydesk::console
