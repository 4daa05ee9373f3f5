#include "ReportsPage.h"

#include "common/util/BusinessDay.h"
#include "ConsoleSession.h"
#include "DailyReportModel.h"
#include "MoneyText.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QDateEdit>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QToolTip>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace paydesk::console {

ReportsPage::ReportsPage(ConsoleSession &session, QWidget *parent)
    : QWidget(parent), m_session(session), m_model(new DailyReportModel(this)), m_from(new QDateEdit(this)),
      m_to(new QDateEdit(this)), m_merchant(new QComboBox(this)), m_channel(new QComboBox(this)),
      m_show(new QPushButton(tr("&Show"), this)),
      m_export(new QPushButton(QIcon(u":/icons/export.svg"_s), tr("Export &CSV…"), this)), m_summary(new QLabel(this)),
      m_table(new QTableView(this)), m_chart(new QChart), m_chartView(nullptr), m_series(new QBarSeries),
      m_paidSet(new QBarSet(tr("Paid"))), m_refundedSet(new QBarSet(tr("Refunded"))),
      m_dayAxis(new QBarCategoryAxis), m_amountAxis(new QValueAxis)
{
    setObjectName(u"reportsPage"_s);
    const QDate today = businessToday(); // the server's days, not the machine's
    for (QDateEdit *edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(u"yyyy-MM-dd"_s);
        edit->setMaximumDate(today.addDays(1));
    }
    m_from->setObjectName(u"reportFrom"_s);
    m_to->setObjectName(u"reportTo"_s);
    m_from->setDate(today.addDays(1 - kDefaultDays));
    m_to->setDate(today);
    m_merchant->setObjectName(u"reportMerchant"_s);
    m_merchant->addItem(tr("All merchants"), QString());
    m_merchant->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_channel->setObjectName(u"reportChannel"_s);
    m_channel->addItem(tr("All channel accounts"), QString());
    m_channel->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_show->setObjectName(u"reportShowButton"_s);
    m_show->setDefault(true);
    m_export->setObjectName(u"exportCsvButton"_s);
    m_summary->setObjectName(u"reportSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *filters = new QHBoxLayout;
    auto *fromLabel = new QLabel(tr("&From:"), this);
    fromLabel->setBuddy(m_from);
    filters->addWidget(fromLabel);
    filters->addWidget(m_from);
    auto *toLabel = new QLabel(tr("&To:"), this);
    toLabel->setBuddy(m_to);
    filters->addWidget(toLabel);
    filters->addWidget(m_to);
    auto *merchantLabel = new QLabel(tr("&Merchant:"), this);
    merchantLabel->setBuddy(m_merchant);
    filters->addWidget(merchantLabel);
    filters->addWidget(m_merchant);
    merchantLabel->setVisible(session.seesAllMerchants());
    m_merchant->setVisible(session.seesAllMerchants());
    auto *channelLabel = new QLabel(tr("C&hannel:"), this);
    channelLabel->setBuddy(m_channel);
    filters->addWidget(channelLabel);
    filters->addWidget(m_channel);
    filters->addWidget(m_show);
    filters->addStretch(1);
    filters->addWidget(m_export);

    m_table->setObjectName(u"reportTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);

    // Paid against refunded per day: bar heights in yuan are for drawing only; tooltips are exact.
    m_paidSet->setColor(QColor(0x19, 0x76, 0xd2));
    m_refundedSet->setColor(QColor(0xef, 0x6c, 0x00));
    m_series->append(m_paidSet);
    m_series->append(m_refundedSet);
    m_chart->addSeries(m_series);
    m_chart->addAxis(m_dayAxis, Qt::AlignBottom);
    m_chart->addAxis(m_amountAxis, Qt::AlignLeft);
    m_series->attachAxis(m_dayAxis);
    m_series->attachAxis(m_amountAxis);
    m_amountAxis->setTitleText(tr("CNY"));
    m_amountAxis->setLabelFormat(u"%.0f"_s);
    m_amountAxis->setRange(0, 1);
    m_dayAxis->setLabelsAngle(-90);
    m_chart->setTitle(tr("Paid and refunded per day"));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setBackgroundVisible(false);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setObjectName(u"reportChart"_s);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(220);
    const auto hover = [this](bool status, int index) {
        if (!status || index < 0 || index >= m_days.size()) {
            QToolTip::hideText();
            return;
        }
        QToolTip::showText(QCursor::pos(),
                           tr("%1: paid %2, refunded %3")
                               .arg(m_days.at(index), formatCny(m_paid.at(index)), formatCny(m_refunded.at(index))),
                           m_chartView);
    };
    connect(m_paidSet, &QBarSet::hovered, this, hover);
    connect(m_refundedSet, &QBarSet::hovered, this, hover);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_chartView);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);

    connect(m_show, &QPushButton::clicked, this, &ReportsPage::refresh);
    connect(m_merchant, &QComboBox::currentIndexChanged, this, &ReportsPage::refresh);
    connect(m_channel, &QComboBox::currentIndexChanged, this, &ReportsPage::refresh);
    connect(m_export, &QPushButton::clicked, this, &ReportsPage::exportCsv);
}

ReportsPage::~ReportsPage() = default;

QString ReportsPage::summaryText() const
{
    return m_summary->text();
}

void ReportsPage::loadMerchants()
{
    if (m_merchantsLoaded || !m_session.seesAllMerchants())
        return;
    m_merchantsLoaded = true;
    m_session.api().get(u"/v1/merchants"_s, this, [this](const client::RestResult &result) {
        if (!result.ok()) {
            m_merchantsLoaded = false; // the next visit tries again
            return;
        }
        const QSignalBlocker quiet(m_merchant);
        const QJsonArray items = result.object().value(u"items"_s).toArray();
        for (const QJsonValue &value : items) {
            const QJsonObject merchant = value.toObject();
            const QString id = merchant.value(u"id"_s).toString();
            if (id.isEmpty() || m_merchant->findData(id) >= 0)
                continue;
            m_merchant->addItem(tr("%1 (%2)").arg(merchant.value(u"name"_s).toString(),
                                                  merchant.value(u"code"_s).toString()),
                                id);
        }
    });
}

void ReportsPage::refresh()
{
    if (!m_session.isSignedIn())
        return;
    loadMerchants();
    const QDate from = m_from->date();
    const QDate to = m_to->date();
    if (from > to) {
        m_summary->setText(tr("The first day is after the last day."));
        return;
    }
    if (from.daysTo(to) >= kMaxDays) {
        m_summary->setText(tr("Choose at most %1 days.").arg(kMaxDays));
        return;
    }
    if (m_loading) {
        m_reloadWanted = true;
        return;
    }
    m_loading = true;
    m_reloadWanted = false;
    m_show->setEnabled(false);
    m_summary->setText(tr("Loading…"));
    QUrlQuery query;
    query.addQueryItem(u"from"_s, from.toString(Qt::ISODate));
    query.addQueryItem(u"to"_s, to.toString(Qt::ISODate));
    const QString merchant = m_merchant->currentData().toString();
    if (!merchant.isEmpty() && m_session.seesAllMerchants())
        query.addQueryItem(u"merchant_id"_s, merchant);
    const QString channel = m_channel->currentData().toString();
    if (!channel.isEmpty())
        query.addQueryItem(u"channel_id"_s, channel);
    query.addQueryItem(u"format"_s, u"json"_s);
    m_session.api().get(u"/v1/reports/daily?"_s + query.toString(QUrl::FullyEncoded), this,
                        [this, from, to](const client::RestResult &result) {
                            m_loading = false;
                            m_show->setEnabled(true);
                            if (m_reloadWanted) {
                                refresh();
                                return;
                            }
                            if (!result.ok()) {
                                m_summary->setText(tr("The report could not be loaded: %1").arg(result.message));
                                return;
                            }
                            QJsonObject report = result.object();
                            if (!report.contains(u"from"_s))
                                report.insert(u"from"_s, from.toString(Qt::ISODate));
                            if (!report.contains(u"to"_s))
                                report.insert(u"to"_s, to.toString(Qt::ISODate));
                            apply(report);
                            emit loaded();
                        });
}

void ReportsPage::rememberChannels()
{
    const QSignalBlocker quiet(m_channel);
    for (const QJsonObject &row : m_model->rows()) {
        const QString id = row.value(u"channel_id"_s).toString();
        if (!id.isEmpty() && m_channel->findData(id) < 0)
            m_channel->addItem(id, id);
    }
}

void ReportsPage::apply(const QJsonObject &report)
{
    m_model->setReport(report);
    rememberChannels();
    const QLocale locale;
    const QJsonObject totals = m_model->totals();
    m_summary->setText(
        m_model->rows().isEmpty()
            ? tr("No business in these days.")
            : tr("%1 paid, %2 refunded, %3 net over %n row(s).", nullptr, int(m_model->rows().size()))
                  .arg(formatCny(totals.value(u"paid_amount"_s).toInteger(), locale),
                       formatCny(totals.value(u"refunded_amount"_s).toInteger(), locale),
                       formatCny(totals.value(u"net"_s).toInteger(), locale)));

    // Every day of the range, oldest first, zero where nothing happened.
    const QDate from = QDate::fromString(report.value(u"from"_s).toString(), Qt::ISODate);
    const QDate to = QDate::fromString(report.value(u"to"_s).toString(), Qt::ISODate);
    m_days.clear();
    m_paid.clear();
    m_refunded.clear();
    QStringList categories;
    qint64 top = 0;
    if (from.isValid() && to.isValid() && from <= to && from.daysTo(to) < kMaxDays) {
        for (QDate day = from; day <= to; day = day.addDays(1)) {
            const QString text = day.toString(Qt::ISODate);
            m_days.append(text);
            m_paid.append(m_model->paidPerDay().value(text));
            m_refunded.append(m_model->refundedPerDay().value(text));
            categories.append(day.toString(u"MM-dd"_s));
            top = std::max({top, m_paid.constLast(), m_refunded.constLast()});
        }
    }
    m_paidSet->remove(0, m_paidSet->count());
    m_refundedSet->remove(0, m_refundedSet->count());
    for (int i = 0; i < m_days.size(); ++i) {
        m_paidSet->append(qreal(m_paid.at(i)) / 100.0);
        m_refundedSet->append(qreal(m_refunded.at(i)) / 100.0);
    }
    m_dayAxis->clear();
    m_dayAxis->append(categories);
    m_amountAxis->setLabelFormat(top < 1'000 ? u"%.2f"_s : u"%.0f"_s);
    m_amountAxis->setRange(0, top > 0 ? qreal(top) / 100.0 : 1.0);
    m_amountAxis->applyNiceNumbers();
}

bool ReportsPage::exportCsvTo(const QString &path, QString *error)
{
    QSaveFile file(path);
    const QByteArray bytes = m_model->toCsv();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = tr("%1 cannot be written: %2").arg(path, file.errorString());
        return false;
    }
    m_summary->setText(tr("%n row(s) exported to %1", nullptr, int(m_model->rows().size())).arg(path));
    return true;
}

void ReportsPage::exportCsv()
{
    const QString suggested = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
        + u"/paydesk-report-%1-%2.csv"_s.arg(m_from->date().toString(Qt::ISODate), m_to->date().toString(Qt::ISODate));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export report"), suggested, tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsvTo(path, &error))
        QMessageBox::warning(this, tr("Export"), error);
}

} // namespace paydesk::console
