#include "DashboardPage.h"

#include "ConsoleSession.h"
#include "MoneyText.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QDate>
#include <QDateTime>
#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <limits>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {

constexpr int kLiveDelayMs = 300;
constexpr int kPollMs = 30'000;

// One figure: a caption above a large value.
QLabel *addFigure(QGridLayout *grid, int row, int column, const QString &caption, const QString &objectName,
                  QWidget *parent)
{
    auto *frame = new QFrame(parent);
    frame->setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(frame);
    auto *title = new QLabel(caption, frame);
    QFont small = title->font();
    small.setPointSize(small.pointSize() - 1);
    title->setFont(small);
    title->setEnabled(false); // the palette's dimmed text: a caption, not a value
    auto *value = new QLabel(QStringLiteral("—"), frame);
    value->setObjectName(objectName);
    QFont large = value->font();
    large.setPointSize(large.pointSize() + 10);
    large.setBold(true);
    value->setFont(large);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(title);
    layout->addWidget(value);
    grid->addWidget(frame, row, column);
    return value;
}

QString offsetText(int minutes)
{
    const int magnitude = minutes < 0 ? -minutes : minutes;
    const QString sign = minutes < 0 ? u"−"_s : u"+"_s;
    return magnitude % 60 == 0 ? u"UTC%1%2"_s.arg(sign).arg(magnitude / 60)
                               : u"UTC%1%2:%3"_s.arg(sign).arg(magnitude / 60).arg(magnitude % 60, 2, 10, QChar(u'0'));
}

/// part / whole in basis points (rounded half up), or -1 when whole is not positive or it overflows.
qint64 basisPoints(qint64 part, qint64 whole)
{
    if (whole <= 0 || part < 0)
        return -1;
    qint64 scaled = 0;
    if (qMulOverflow(part, qint64(10'000), &scaled) || qAddOverflow(scaled, whole / 2, &scaled))
        return -1;
    return scaled / whole;
}

QString percentText(qint64 basis, const QLocale &locale)
{
    return formatBasisPoints(basis, locale);
}

} // namespace

QString DashboardPage::successRateText(qint64 paidCount, qint64 createdCount, const QLocale &locale)
{
    qint64 basis = basisPoints(paidCount, createdCount);
    if (basis < 0)
        return u"—"_s;
    // Paid today may include orders created yesterday: the rate never claims more than all of them.
    basis = std::min<qint64>(basis, 10'000);
    return percentText(basis, locale);
}

DashboardPage::DashboardPage(ConsoleSession &session, QWidget *parent)
    : QWidget(parent), m_session(session), m_title(new QLabel(this)), m_collected(nullptr), m_paidCount(nullptr),
      m_successRate(nullptr), m_successDetail(new QLabel(this)), m_refunded(nullptr), m_alipay(new QLabel(this)),
      m_wechat(new QLabel(this)), m_error(new QLabel(this)), m_updated(new QLabel(this)),
      m_refresh(new QPushButton(QIcon(u":/icons/refresh.svg"_s), tr("Re&fresh"), this)), m_chart(new QChart),
      m_chartView(nullptr), m_series(new QBarSeries), m_bars(new QBarSet(tr("Collected"))),
      m_dateAxis(new QBarCategoryAxis), m_amountAxis(new QValueAxis)
{
    setObjectName(u"dashboardPage"_s);

    QFont titleFont = m_title->font();
    titleFont.setPointSize(titleFont.pointSize() + 4);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setObjectName(u"dashboardTitle"_s);
    m_title->setText(tr("Today"));
    m_refresh->setObjectName(u"refreshButton"_s);
    m_updated->setObjectName(u"dashboardUpdated"_s);
    m_error->setObjectName(u"dashboardError"_s);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"color: #c62828;"_s);
    m_error->setVisible(false);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_updated);
    header->addWidget(m_refresh);

    auto *grid = new QGridLayout;
    m_collected = addFigure(grid, 0, 0, tr("Collected today"), u"collectedToday"_s, this);
    m_paidCount = addFigure(grid, 0, 1, tr("Payments today"), u"paidCountToday"_s, this);
    m_successRate = addFigure(grid, 0, 2, tr("Success rate (paid / created)"), u"successRate"_s, this);
    m_refunded = addFigure(grid, 0, 3, tr("Refunded today"), u"refundedToday"_s, this);
    m_successRate->setToolTip(tr("Orders paid today divided by orders created today."));
    m_successDetail->setObjectName(u"successDetail"_s);
    m_successDetail->setEnabled(false);
    m_successRate->parentWidget()->layout()->addWidget(m_successDetail);
    for (QLabel *label : {m_collected, m_paidCount, m_successRate, m_refunded})
        label->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_successDetail->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    m_alipay->setObjectName(u"alipayCollected"_s);
    m_wechat->setObjectName(u"wechatCollected"_s);
    auto *channels = new QFrame(this);
    channels->setFrameShape(QFrame::StyledPanel);
    auto *channelLayout = new QGridLayout(channels);
    auto *alipayTitle = new QLabel(tr("Alipay"), channels);
    auto *wechatTitle = new QLabel(tr("WeChat Pay"), channels);
    alipayTitle->setStyleSheet(u"color: #1677ff; font-weight: bold;"_s);
    wechatTitle->setStyleSheet(u"color: #07c160; font-weight: bold;"_s);
    channelLayout->addWidget(new QLabel(tr("Today by channel:"), channels), 0, 0);
    channelLayout->addWidget(alipayTitle, 0, 1);
    channelLayout->addWidget(m_alipay, 0, 2);
    channelLayout->addWidget(wechatTitle, 0, 3);
    channelLayout->addWidget(m_wechat, 0, 4);
    channelLayout->setColumnStretch(2, 1);
    channelLayout->setColumnStretch(4, 1);
    for (QLabel *label : {m_alipay, m_wechat})
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // The chart owns series, set and axes once they are added.
    m_series->append(m_bars);
    m_bars->setColor(QColor(0x19, 0x76, 0xd2));
    m_chart->addSeries(m_series);
    m_chart->addAxis(m_dateAxis, Qt::AlignBottom);
    m_chart->addAxis(m_amountAxis, Qt::AlignLeft);
    m_series->attachAxis(m_dateAxis);
    m_series->attachAxis(m_amountAxis);
    m_amountAxis->setTitleText(tr("CNY"));
    m_amountAxis->setLabelFormat(u"%.0f"_s);
    m_amountAxis->setRange(0, 1);
    m_chart->setTitle(tr("Collected per day, last %n day(s)", nullptr, kDays));
    m_chart->legend()->setVisible(false);
    m_chart->setBackgroundVisible(false);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setObjectName(u"dailyChart"_s);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(260);
    connect(m_bars, &QBarSet::hovered, this, [this](bool status, int index) {
        if (!status || index < 0 || index >= m_dailyFen.size()) {
            QToolTip::hideText();
            return;
        }
        QToolTip::showText(QCursor::pos(), tr("%1: %2").arg(m_dailyDates.value(index), formatCny(m_dailyFen.at(index))),
                           m_chartView);
    });

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_error);
    layout->addLayout(grid);
    layout->addWidget(channels);
    layout->addWidget(m_chartView, 1);

    connect(m_refresh, &QPushButton::clicked, this, &DashboardPage::refresh);
    m_liveRefresh.setSingleShot(true);
    m_liveRefresh.setInterval(kLiveDelayMs);
    connect(&m_liveRefresh, &QTimer::timeout, this, &DashboardPage::refresh);
    connect(&session.events(), &client::EventStream::eventReceived, this,
            [this](const QString &type, const QJsonObject &, qint64) {
                if ((type == u"order.paid"_s || type.startsWith(u"refund."_s)) && isVisible())
                    m_liveRefresh.start();
            });
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &DashboardPage::refresh);
}

DashboardPage::~DashboardPage() = default;

QLabel *DashboardPage::channelLabel(const QString &channel) const
{
    return channel == u"wechat"_s ? m_wechat : channel == u"alipay"_s ? m_alipay : nullptr;
}

void DashboardPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_poll.start();
}

void DashboardPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poll.stop();
}

void DashboardPage::refresh()
{
    if (!m_session.isSignedIn())
        return;
    m_liveRefresh.stop();
    if (m_loading) {
        m_reloadWanted = true;
        return;
    }
    m_loading = true;
    m_reloadWanted = false;
    m_refresh->setEnabled(false);
    m_updated->setText(tr("Loading…"));
    m_session.api().get(u"/v1/console/dashboard?days=%1"_s.arg(kDays), this, [this](const client::RestResult &result) {
        m_loading = false;
        m_refresh->setEnabled(true);
        if (m_reloadWanted) {
            refresh();
            return;
        }
        if (!result.ok()) {
            showError(result.message);
            return;
        }
        apply(result.object());
        emit loaded();
    });
}

void DashboardPage::showError(const QString &message)
{
    m_updated->setText(QString());
    m_error->setText(tr("The figures could not be loaded: %1").arg(message));
    m_error->setVisible(true);
}

void DashboardPage::apply(const QJsonObject &figures)
{
    m_figures = figures;
    m_error->clear();
    m_error->setVisible(false);
    const QLocale locale;

    const QJsonObject today = figures.value(u"today"_s).toObject();
    const qint64 collected = today.value(u"collected"_s).toInteger();
    const qint64 paid = today.value(u"paid_count"_s).toInteger();
    const qint64 created = today.value(u"created_count"_s).toInteger();
    const QDate date = QDate::fromString(today.value(u"date"_s).toString(), Qt::ISODate);
    const int offset = figures.value(u"day_offset_minutes"_s).toInt(480);
    m_title->setText(
        tr("Today, %1")
            .arg(date.isValid() ? locale.toString(date, QLocale::LongFormat) : today.value(u"date"_s).toString()));
    m_title->setToolTip(tr("Business days start at 00:00 %1.").arg(offsetText(offset)));
    m_collected->setText(formatCny(collected, locale));
    m_paidCount->setText(locale.toString(paid));
    m_successRate->setText(successRateText(paid, created, locale));
    m_successDetail->setText(tr("%1 paid of %2 created").arg(locale.toString(paid), locale.toString(created)));
    m_refunded->setText(formatCny(today.value(u"refunded"_s).toInteger(), locale));

    m_alipay->setText(tr("%1 · %n payment(s)", nullptr, 0).arg(formatCny(0, locale)));
    m_wechat->setText(m_alipay->text());
    const QJsonArray channels = figures.value(u"channels"_s).toArray();
    for (const QJsonValue &value : channels) {
        const QJsonObject channel = value.toObject();
        QLabel *label = channelLabel(channel.value(u"channel"_s).toString());
        if (!label)
            continue;
        const qint64 amount = channel.value(u"collected"_s).toInteger();
        const qint64 count = channel.value(u"paid_count"_s).toInteger();
        QString text = tr("%1 · %n payment(s)", nullptr, int(std::min<qint64>(count, std::numeric_limits<int>::max())))
                           .arg(formatCny(amount, locale));
        const qint64 share = basisPoints(amount, collected);
        if (share >= 0)
            text += tr(" · %1 of today").arg(percentText(share, locale));
        label->setText(text);
    }

    // The chart: bar heights in yuan are for drawing only; the tooltips say the exact amount.
    m_dailyFen.clear();
    m_dailyDates.clear();
    QStringList categories;
    qint64 maxFen = 0;
    const QJsonArray days = figures.value(u"days"_s).toArray();
    for (const QJsonValue &value : days) {
        const QJsonObject day = value.toObject();
        const qint64 fen = day.value(u"collected"_s).toInteger();
        const QString text = day.value(u"date"_s).toString();
        const QDate dayDate = QDate::fromString(text, Qt::ISODate);
        m_dailyFen.append(fen);
        m_dailyDates.append(dayDate.isValid() ? locale.toString(dayDate, QLocale::ShortFormat) : text);
        categories.append(dayDate.isValid() ? dayDate.toString(u"MM-dd"_s) : text);
        maxFen = std::max(maxFen, fen);
    }
    m_bars->remove(0, m_bars->count());
    for (const qint64 fen : std::as_const(m_dailyFen))
        m_bars->append(qreal(fen) / 100.0);
    m_dateAxis->clear();
    m_dateAxis->append(categories);
    const qreal top = maxFen > 0 ? qreal(maxFen) / 100.0 : 1.0;
    m_amountAxis->setLabelFormat(maxFen < 1'000 ? u"%.2f"_s : u"%.0f"_s);
    m_amountAxis->setRange(0, top);
    m_amountAxis->applyNiceNumbers();
    qint64 total = 0;
    bool overflow = false;
    for (const qint64 fen : std::as_const(m_dailyFen))
        overflow = overflow || qAddOverflow(total, fen, &total);
    m_chart->setTitle(overflow ? tr("Collected per day, last %n day(s)", nullptr, int(m_dailyFen.size()))
                               : tr("Collected per day, last %n day(s): %1 in total", nullptr, int(m_dailyFen.size()))
                                     .arg(formatCny(total, locale)));
    m_updated->setText(
        tr("Updated %1").arg(locale.toString(QDateTime::currentDateTime().time(), QLocale::ShortFormat)));
}

} // namespace paydesk::console
