#include "ReconciliationPage.h"

#include "common/util/BusinessDay.h"
#include "ConsoleSession.h"
#include "MoneyText.h"
#include "ReconciliationCsv.h"
#include "ReconciliationItemsModel.h"
#include "ReconciliationPdf.h"
#include "ReconciliationRunText.h"
#include "ResolveItemDialog.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QDateEdit>
#include <QDateTime>
#include <QEventLoop>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QToolTip>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>
#include <QValueAxis>

#include <map>
#include <utility>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {

constexpr int kMaxPollFailures = 20; // 10 s of failed polls: the server is gone, stop following
constexpr int kMaxFollowMs = 6 * 3600 * 1000; // a run longer than this is left to the next refresh
constexpr int kRunIdRole = Qt::UserRole;

QString pathId(const QString &id)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(id));
}

QString fullTimeText(qint64 ms)
{
    return ms <= 0 ? QString() : QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), u"yyyy-MM-dd HH:mm:ss t"_s);
}

/// The newest run per (day, channel account): a re-run replaces what the day said before.
QList<QJsonObject> newestPerDayAndChannel(const QJsonArray &runs)
{
    std::map<std::pair<QString, QString>, QJsonObject> newest;
    for (const QJsonValue &value : runs) {
        const QJsonObject run = value.toObject();
        const auto key = std::make_pair(run.value(u"date"_s).toString(), run.value(u"channel_id"_s).toString());
        const auto it = newest.find(key);
        if (it == newest.end()
            || run.value(u"started_at"_s).toInteger() >= it->second.value(u"started_at"_s).toInteger())
            newest[key] = run;
    }
    QList<QJsonObject> out;
    for (const auto &[key, run] : newest)
        out.append(run);
    return out;
}

QString runCellText(const QJsonObject &run, ReconciliationPage::RunColumn column)
{
    using Run = ReconciliationRunText;
    const QJsonObject bill = run.value(u"bill"_s).toObject();
    const QJsonObject local = run.value(u"local"_s).toObject();
    switch (column) {
    case ReconciliationPage::RunChannel:
        return ReconciliationItemsModel::channelTitle(run.value(u"channel_id"_s).toString());
    case ReconciliationPage::RunStatus: return Run::status(run);
    case ReconciliationPage::RunBillPayments: return Run::side(bill.value(u"payments"_s));
    case ReconciliationPage::RunLocalPayments: return Run::side(local.value(u"payments"_s));
    case ReconciliationPage::RunBillRefunds: return Run::side(bill.value(u"refunds"_s));
    case ReconciliationPage::RunLocalRefunds: return Run::side(local.value(u"refunds"_s));
    case ReconciliationPage::RunFees: return Run::fee(run);
    case ReconciliationPage::RunMatched: return Run::count(run.value(u"matched"_s));
    case ReconciliationPage::RunCrossDay: return Run::count(run.value(u"cross_day"_s));
    case ReconciliationPage::RunDiscrepancies: return Run::count(run.value(u"discrepancies"_s));
    case ReconciliationPage::RunRepaired: return Run::count(run.value(u"repaired"_s));
    case ReconciliationPage::RunDuration: return Run::duration(run);
    case ReconciliationPage::RunColumnCount: break;
    }
    return {};
}

} // namespace

ReconciliationPage::ReconciliationPage(ConsoleSession &session, QWidget *parent)
    : QWidget(parent), m_session(session), m_date(new QDateEdit(this)), m_channel(new QComboBox(this)),
      m_refresh(new QPushButton(QIcon(u":/icons/refresh.svg"_s), tr("Re&fresh"), this)),
      m_run(new QPushButton(tr("&Run now"), this)),
      m_exportCsv(new QPushButton(QIcon(u":/icons/export.svg"_s), tr("Export &CSV…"), this)),
      m_exportPdf(new QPushButton(QIcon(u":/icons/export.svg"_s), tr("Export &PDF…"), this)),
      m_message(new QLabel(this)), m_progressLabel(new QLabel(this)), m_progress(new QProgressBar(this)),
      m_runsTable(new QTableWidget(0, RunColumnCount, this)), m_chart(new QChart), m_chartView(nullptr),
      m_series(new QStackedBarSeries), m_matchedSet(new QBarSet(tr("Matched"))),
      m_discrepancySet(new QBarSet(tr("Discrepancies"))), m_dayAxis(new QBarCategoryAxis),
      m_countAxis(new QValueAxis), m_items(new ReconciliationItemsModel(session, this)),
      m_itemStatus(new QComboBox(this)), m_itemKind(new QComboBox(this)), m_itemsView(new QTableView(this)),
      m_itemsSummary(new QLabel(this)), m_details(new QLabel(this)), m_resolve(new QPushButton(tr("Re&solve…"), this))
{
    setObjectName(u"reconciliationPage"_s);

    m_date->setObjectName(u"reconciliationDate"_s);
    m_date->setCalendarPopup(true);
    m_date->setDisplayFormat(u"yyyy-MM-dd"_s);
    m_date->setMaximumDate(businessToday().addDays(1));
    m_date->setDate(businessToday().addDays(-1)); // the server's days, not the machine's
    m_channel->setObjectName(u"reconciliationChannel"_s);
    m_channel->addItem(tr("All channel accounts"), QString());
    m_channel->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_refresh->setObjectName(u"refreshButton"_s);
    m_run->setObjectName(u"runButton"_s);
    m_run->setToolTip(tr("Reconcile the chosen day again now, for the chosen channel account or all of them."));
    m_exportCsv->setObjectName(u"exportCsvButton"_s);
    m_exportPdf->setObjectName(u"exportPdfButton"_s);
    m_message->setObjectName(u"reconciliationMessage"_s);
    m_message->setWordWrap(true);
    m_message->setVisible(false);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progressLabel->setObjectName(u"runProgressLabel"_s);
    m_progress->setObjectName(u"runProgress"_s);
    m_progress->setMaximumWidth(260);
    m_progressLabel->setVisible(false);
    m_progress->setVisible(false);

    auto *top = new QHBoxLayout;
    auto *dateLabel = new QLabel(tr("&Day:"), this);
    dateLabel->setBuddy(m_date);
    top->addWidget(dateLabel);
    top->addWidget(m_date);
    auto *channelLabel = new QLabel(tr("C&hannel:"), this);
    channelLabel->setBuddy(m_channel);
    top->addWidget(channelLabel);
    top->addWidget(m_channel);
    top->addWidget(m_refresh);
    top->addStretch(1);
    if (!canRun()) {
        m_run->setVisible(false);
        auto *readOnly = new QLabel(tr("Read-only: auditors see the reconciliation but cannot run or resolve."), this);
        readOnly->setObjectName(u"readOnlyNote"_s);
        top->addWidget(readOnly);
    }
    top->addWidget(m_run);
    top->addWidget(m_exportCsv);
    top->addWidget(m_exportPdf);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progressLabel, 1);
    progressRow->addWidget(m_progress);

    // The day's runs.
    m_runsTable->setObjectName(u"runsTable"_s);
    m_runsTable->setHorizontalHeaderLabels({tr("Channel account"), tr("Status"), tr("Bill payments"),
                                            tr("Paydesk payments"), tr("Bill refunds"), tr("Paydesk refunds"),
                                            tr("Fees"), tr("Matched"), tr("Cross-day"), tr("Discrepancies"),
                                            tr("Repaired"), tr("Duration")});
    m_runsTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_runsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runsTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_runsTable->verticalHeader()->setVisible(false);
    m_runsTable->setAlternatingRowColors(true);
    m_runsTable->setWordWrap(false);
    m_runsTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_runsTable->horizontalHeader()->setStretchLastSection(true);
    m_runsTable->setToolTip(tr("Double-click a channel account to list only its discrepancies."));

    // Matched against discrepancies per day; heights are counts, the tooltips say both.
    m_matchedSet->setColor(QColor(0x2e, 0x7d, 0x32));
    m_discrepancySet->setColor(QColor(0xc6, 0x28, 0x28));
    m_series->append(m_matchedSet);
    m_series->append(m_discrepancySet);
    m_chart->addSeries(m_series);
    m_chart->addAxis(m_dayAxis, Qt::AlignBottom);
    m_chart->addAxis(m_countAxis, Qt::AlignLeft);
    m_series->attachAxis(m_dayAxis);
    m_series->attachAxis(m_countAxis);
    m_countAxis->setLabelFormat(u"%.0f"_s);
    m_countAxis->setRange(0, 1);
    m_dayAxis->setLabelsVisible(false);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setBackgroundVisible(false);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setObjectName(u"reconciliationChart"_s);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(220);
    const auto hover = [this](bool status, int index) {
        if (!status || index < 0 || index >= m_chartDays.size()) {
            QToolTip::hideText();
            return;
        }
        const QLocale locale;
        QToolTip::showText(QCursor::pos(),
                           tr("%1: %2 matched, %3 discrepancies")
                               .arg(m_chartDays.at(index), locale.toString(m_chartMatched.at(index)),
                                    locale.toString(m_chartDiscrepancies.at(index))),
                           m_chartView);
    };
    connect(m_matchedSet, &QBarSet::hovered, this, hover);
    connect(m_discrepancySet, &QBarSet::hovered, this, hover);

    // The day's discrepancy items.
    m_itemStatus->setObjectName(u"itemStatusFilter"_s);
    m_itemStatus->addItem(tr("Every status"), QString());
    for (const QString &status : {u"OPEN"_s, u"CARRIED"_s, u"RESOLVED"_s})
        m_itemStatus->addItem(ReconciliationItemsModel::statusTitle(status), status);
    m_itemKind->setObjectName(u"itemKindFilter"_s);
    m_itemKind->addItem(tr("Every kind"), QString());
    for (const QString &kind : ReconciliationItemsModel::kinds())
        m_itemKind->addItem(ReconciliationItemsModel::kindTitle(kind), kind);
    m_itemsSummary->setObjectName(u"itemsSummary"_s);
    m_itemsView->setObjectName(u"itemsTable"_s);
    m_itemsView->setModel(m_items);
    m_itemsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_itemsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_itemsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_itemsView->setAlternatingRowColors(true);
    m_itemsView->setWordWrap(false);
    m_itemsView->verticalHeader()->setVisible(false);
    m_itemsView->horizontalHeader()->setStretchLastSection(true);
    m_itemsView->setColumnWidth(ReconciliationItemsModel::Created, 150);
    m_itemsView->setColumnWidth(ReconciliationItemsModel::Kind, 170);
    m_itemsView->setColumnWidth(ReconciliationItemsModel::Key, 230);
    m_resolve->setObjectName(u"resolveButton"_s);
    m_resolve->setToolTip(tr("Record what was done about the selected discrepancy."));
    m_resolve->setVisible(canRun());
    m_details->setObjectName(u"itemDetails"_s);
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::PlainText);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setContentsMargins(4, 4, 4, 4);
    m_details->setText(tr("Select a discrepancy to see its details."));

    auto *itemFilters = new QHBoxLayout;
    auto *itemsTitle = new QLabel(tr("<b>Discrepancies</b>"), this);
    itemFilters->addWidget(itemsTitle);
    auto *statusLabel = new QLabel(tr("S&tatus:"), this);
    statusLabel->setBuddy(m_itemStatus);
    itemFilters->addWidget(statusLabel);
    itemFilters->addWidget(m_itemStatus);
    auto *kindLabel = new QLabel(tr("&Kind:"), this);
    kindLabel->setBuddy(m_itemKind);
    itemFilters->addWidget(kindLabel);
    itemFilters->addWidget(m_itemKind);
    itemFilters->addWidget(m_itemsSummary, 1);
    auto *detailsBox = new QScrollArea(this);
    detailsBox->setWidget(m_details);
    detailsBox->setWidgetResizable(true);
    detailsBox->setFrameShape(QFrame::NoFrame);
    auto *detailsPane = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(detailsPane);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(detailsBox, 1);
    detailsLayout->addWidget(m_resolve, 0, Qt::AlignRight);
    auto *itemsSplit = new QSplitter(Qt::Horizontal, this);
    itemsSplit->addWidget(m_itemsView);
    itemsSplit->addWidget(detailsPane);
    itemsSplit->setStretchFactor(0, 3);
    itemsSplit->setStretchFactor(1, 1);
    auto *itemsPane = new QWidget(this);
    auto *itemsLayout = new QVBoxLayout(itemsPane);
    itemsLayout->setContentsMargins(0, 0, 0, 0);
    itemsLayout->addLayout(itemFilters);
    itemsLayout->addWidget(itemsSplit, 1);

    auto *upper = new QSplitter(Qt::Horizontal, this);
    upper->addWidget(m_runsTable);
    upper->addWidget(m_chartView);
    upper->setStretchFactor(0, 3);
    upper->setStretchFactor(1, 2);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(upper);
    split->addWidget(itemsPane);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    // Splitters start from their children's size hints, which would leave the chart and the
    // details a sliver: give them a fair share first (the user's dragging wins after that).
    upper->setSizes({600, 440});
    itemsSplit->setSizes({700, 340});
    split->setSizes({300, 450});
    m_chartView->setMinimumWidth(320);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_message);
    layout->addLayout(progressRow);
    layout->addWidget(split, 1);

    connect(m_refresh, &QPushButton::clicked, this, &ReconciliationPage::refresh);
    connect(m_run, &QPushButton::clicked, this, &ReconciliationPage::runNow);
    connect(m_exportCsv, &QPushButton::clicked, this, &ReconciliationPage::exportCsv);
    connect(m_exportPdf, &QPushButton::clicked, this, &ReconciliationPage::exportPdf);
    connect(m_resolve, &QPushButton::clicked, this, &ReconciliationPage::resolveSelected);
    connect(m_date, &QDateEdit::dateChanged, this, &ReconciliationPage::refresh);
    connect(m_channel, &QComboBox::currentIndexChanged, this, &ReconciliationPage::refresh);
    connect(m_itemStatus, &QComboBox::currentIndexChanged, this, &ReconciliationPage::searchItems);
    connect(m_itemKind, &QComboBox::currentIndexChanged, this, &ReconciliationPage::searchItems);
    connect(m_runsTable, &QTableWidget::cellDoubleClicked, this, [this](int row) {
        const int index = m_channel->findData(m_runsTable->item(row, RunChannel)->data(kRunIdRole));
        if (index >= 0)
            m_channel->setCurrentIndex(index);
    });
    connect(m_itemsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ReconciliationPage::onItemSelectionChanged);
    connect(m_itemsView, &QTableView::doubleClicked, this, [this] {
        if (canRun())
            resolveSelected();
    });
    connect(m_items, &ReconciliationItemsModel::loadingChanged, this, [this](bool loading) {
        if (loading)
            m_itemsSummary->setText(tr("Loading…"));
        updateActions();
    });
    connect(m_items, &ReconciliationItemsModel::pageLoaded, this, [this](int rows, bool more) {
        m_itemsSummary->setText(more ? tr("%1 shown; scroll for more").arg(QLocale().toString(rows))
                                     : tr("%n item(s)", nullptr, rows));
        onItemSelectionChanged();
    });
    connect(m_items, &ReconciliationItemsModel::failed, this, [this](const QString &message) {
        m_itemsSummary->setText(tr("The items could not be loaded."));
        setMessage(message, true);
    });
    connect(m_items, &QAbstractItemModel::modelReset, this, &ReconciliationPage::onItemSelectionChanged);

    m_pollTimer.setSingleShot(true);
    m_pollTimer.setInterval(kPollMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &ReconciliationPage::poll);
    updateActions();
}

ReconciliationPage::~ReconciliationPage() = default;

bool ReconciliationPage::canRun() const
{
    return m_session.canRunReconciliation();
}

bool ReconciliationPage::isBusy() const
{
    return m_runsLoading || m_items->isLoading() || m_starting || m_resolving || m_exporting || isRunning();
}

QString ReconciliationPage::messageText() const
{
    return m_message->text();
}

QString ReconciliationPage::detailsText() const
{
    return m_details->text();
}

void ReconciliationPage::setMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    m_message->setStyleSheet(error ? u"color: #c62828;"_s : u"color: #2e7d32;"_s);
}

void ReconciliationPage::refresh()
{
    if (!m_session.isSignedIn())
        return;
    loadRuns();
    searchItems();
}

void ReconciliationPage::loadRuns()
{
    if (m_runsLoading) {
        m_reloadWanted = true; // the day or channel changed while runs were on their way
        return;
    }
    m_runsLoading = true;
    m_reloadWanted = false;
    updateActions();
    const QDate day = m_date->date();
    QUrlQuery query;
    query.addQueryItem(u"from"_s, day.addDays(1 - kChartDays).toString(Qt::ISODate));
    query.addQueryItem(u"to"_s, day.toString(Qt::ISODate));
    m_session.api().get(u"/v1/reconciliation/runs?"_s + query.toString(QUrl::FullyEncoded), this,
                        [this](const client::RestResult &result) {
                            m_runsLoading = false;
                            if (m_reloadWanted) {
                                loadRuns();
                                return;
                            }
                            updateActions();
                            if (!result.ok()) {
                                setMessage(tr("The runs could not be loaded: %1").arg(result.message), true);
                                return;
                            }
                            applyRuns(newestPerDayAndChannel(result.object().value(u"runs"_s).toArray()));
                            emit runsLoaded();
                        });
}

void ReconciliationPage::applyRuns(const QList<QJsonObject> &runs)
{
    const QDate day = m_date->date();
    const QString dayText = day.toString(Qt::ISODate);

    // Every channel account seen in the window is offered, the chosen one kept.
    QStringList channels;
    for (const QJsonObject &run : runs) {
        const QString id = run.value(u"channel_id"_s).toString();
        if (!id.isEmpty() && !channels.contains(id))
            channels.append(id);
    }
    channels.sort();
    {
        const QSignalBlocker quiet(m_channel);
        for (const QString &id : std::as_const(channels))
            if (m_channel->findData(id) < 0)
                m_channel->addItem(ReconciliationItemsModel::channelTitle(id), id);
    }
    const QString channel = m_channel->currentData().toString();

    m_dayRuns.clear();
    std::map<QString, std::pair<qint64, qint64>> perDay; // date → matched, discrepancies
    for (const QJsonObject &run : runs) {
        if (!channel.isEmpty() && run.value(u"channel_id"_s).toString() != channel)
            continue;
        const QString date = run.value(u"date"_s).toString();
        auto &[matched, discrepancies] = perDay[date];
        matched += run.value(u"matched"_s).toInteger();
        discrepancies += run.value(u"discrepancies"_s).toInteger();
        if (date == dayText)
            m_dayRuns.append(run);
    }

    m_runsTable->setRowCount(int(m_dayRuns.size()));
    for (int row = 0; row < m_dayRuns.size(); ++row) {
        const QJsonObject &run = m_dayRuns.at(row);
        const bool differ = ReconciliationRunText::sidesDiffer(run);
        for (int column = 0; column < RunColumnCount; ++column) {
            auto *cell = new QTableWidgetItem(runCellText(run, RunColumn(column)));
            if (column >= RunBillPayments)
                cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (column == RunStatus) {
                const QString status = run.value(u"status"_s).toString();
                const bool bad = status == u"FAILED"_s || run.value(u"discrepancies"_s).toInteger() > 0;
                if (bad)
                    cell->setForeground(QColor(0xc6, 0x28, 0x28));
                else if (status == u"DONE"_s)
                    cell->setForeground(QColor(0x2e, 0x7d, 0x32));
                QString tip = run.value(u"error"_s).toString();
                if (ReconciliationRunText::isInternal(run))
                    tip = ReconciliationRunText::checks(run);
                tip += (tip.isEmpty() ? QString() : u"\n"_s)
                    + tr("Started %1").arg(fullTimeText(run.value(u"started_at"_s).toInteger()));
                cell->setToolTip(tip);
            }
            if (differ && column >= RunBillPayments && column <= RunLocalRefunds)
                cell->setForeground(QColor(0xc6, 0x28, 0x28));
            if (column == RunChannel)
                cell->setData(kRunIdRole, run.value(u"channel_id"_s).toString());
            m_runsTable->setItem(row, column, cell);
        }
    }

    // The chart: every day of the window, oldest first, zero when nothing ran.
    m_chartDays.clear();
    m_chartMatched.clear();
    m_chartDiscrepancies.clear();
    QStringList categories;
    qint64 top = 0;
    for (int offset = kChartDays - 1; offset >= 0; --offset) {
        const QDate date = day.addDays(-offset);
        const QString text = date.toString(Qt::ISODate);
        const auto it = perDay.find(text);
        const qint64 matched = it == perDay.end() ? 0 : it->second.first;
        const qint64 discrepancies = it == perDay.end() ? 0 : it->second.second;
        m_chartDays.append(text);
        m_chartMatched.append(matched);
        m_chartDiscrepancies.append(discrepancies);
        categories.append(date.toString(u"M/d"_s)); // short, and unique within the 30 days
        top = std::max(top, matched + discrepancies);
    }
    m_matchedSet->remove(0, m_matchedSet->count());
    m_discrepancySet->remove(0, m_discrepancySet->count());
    for (int i = 0; i < m_chartDays.size(); ++i) {
        m_matchedSet->append(qreal(m_chartMatched.at(i)));
        m_discrepancySet->append(qreal(m_chartDiscrepancies.at(i)));
    }
    m_dayAxis->clear();
    m_dayAxis->append(categories);
    // Thirty labels do not fit under the bars: the title names the range, a bar's tooltip its day.
    m_chart->setTitle(tr("Matched and discrepancies per day, %1 to %2")
                          .arg(QLocale().toString(day.addDays(1 - kChartDays), QLocale::ShortFormat),
                               QLocale().toString(day, QLocale::ShortFormat)));
    m_countAxis->setRange(0, top > 0 ? qreal(top) : 1.0);
    m_countAxis->applyNiceNumbers();

    // A run still going (started here, elsewhere or by the schedule) is followed to its end.
    for (const QJsonObject &run : std::as_const(m_dayRuns))
        if (run.value(u"status"_s).toString() == u"RUNNING"_s)
            follow(run);
}

void ReconciliationPage::searchItems()
{
    if (!m_session.isSignedIn())
        return;
    QUrlQuery filters;
    filters.addQueryItem(u"date"_s, m_date->date().toString(Qt::ISODate));
    const QString channel = m_channel->currentData().toString();
    if (!channel.isEmpty())
        filters.addQueryItem(u"channel_id"_s, channel);
    const QString kind = m_itemKind->currentData().toString();
    if (!kind.isEmpty())
        filters.addQueryItem(u"kind"_s, kind);
    const QString status = m_itemStatus->currentData().toString();
    if (!status.isEmpty())
        filters.addQueryItem(u"status"_s, status);
    m_items->search(filters);
}

QString ReconciliationPage::runCell(const QString &channelId, RunColumn column) const
{
    for (const QJsonObject &run : m_dayRuns)
        if (run.value(u"channel_id"_s).toString() == channelId)
            return runCellText(run, column);
    return {};
}

void ReconciliationPage::runNow()
{
    if (!canRun() || m_starting || isRunning())
        return;
    m_starting = true;
    updateActions();
    QJsonObject body{{u"date"_s, m_date->date().toString(Qt::ISODate)}};
    const QString channel = m_channel->currentData().toString();
    if (!channel.isEmpty())
        body.insert(u"channel_id"_s, channel);
    setMessage(channel.isEmpty() ? tr("Starting the reconciliation of %1…").arg(m_date->date().toString(Qt::ISODate))
                                 : tr("Starting the reconciliation of %1 for %2…")
                                       .arg(m_date->date().toString(Qt::ISODate), channel),
               false);
    m_session.api().post(u"/v1/reconciliation/runs"_s, body, this, [this](const client::RestResult &result) {
        m_starting = false;
        if (!result.ok()) {
            setMessage(tr("The reconciliation did not start: %1").arg(result.message), true);
            updateActions();
            return;
        }
        const QJsonArray runs = result.object().value(u"runs"_s).toArray();
        for (const QJsonValue &value : runs)
            if (value.toObject().value(u"status"_s).toString() == u"RUNNING"_s)
                follow(value.toObject());
        if (!isRunning())
            finishFollowing(tr("The reconciliation finished."), false);
        else
            updateActions();
    });
}

void ReconciliationPage::follow(const QJsonObject &run)
{
    const QString id = run.value(u"id"_s).toString();
    if (id.isEmpty() || m_polling.contains(id))
        return;
    if (m_polling.isEmpty()) {
        m_pollDeadline.setRemainingTime(kMaxFollowMs);
        m_pollFailures = 0;
    }
    m_polling.insert(id, run);
    updateProgress();
    updateActions();
    if (m_pollOutstanding == 0 && !m_pollTimer.isActive())
        m_pollTimer.start();
}

void ReconciliationPage::poll()
{
    if (m_polling.isEmpty() || m_pollOutstanding > 0)
        return;
    if (!m_session.isSignedIn()) {
        m_pollTimer.start(); // the sign-in dialog is up; resume after it
        return;
    }
    if (m_pollDeadline.hasExpired()) {
        finishFollowing(tr("The run is still going; refresh later to see its result."), false);
        return;
    }
    const QStringList ids = m_polling.keys();
    m_pollOutstanding = int(ids.size());
    for (const QString &id : ids) {
        m_session.api().get(u"/v1/reconciliation/runs/"_s + pathId(id), this,
                            [this, id](const client::RestResult &result) {
                                --m_pollOutstanding;
                                if (!m_polling.contains(id))
                                    return;
                                if (result.ok()) {
                                    m_pollFailures = 0;
                                    const QJsonObject run = result.object();
                                    if (run.value(u"status"_s).toString() == u"RUNNING"_s)
                                        m_polling.insert(id, run);
                                    else
                                        m_polling.remove(id);
                                } else if (result.status == 404 || ++m_pollFailures >= kMaxPollFailures) {
                                    m_polling.remove(id);
                                    m_followProblem = tr("The run could not be followed: %1").arg(result.message);
                                }
                                if (m_pollOutstanding > 0)
                                    return;
                                if (m_polling.isEmpty()) {
                                    finishFollowing(tr("The reconciliation finished."), false);
                                    return;
                                }
                                updateProgress();
                                m_pollTimer.start();
                            });
    }
}

void ReconciliationPage::finishFollowing(const QString &message, bool error)
{
    m_polling.clear();
    m_pollTimer.stop();
    updateProgress();
    if (m_followProblem.isEmpty())
        setMessage(message, error);
    else
        setMessage(m_followProblem, true);
    m_followProblem.clear();
    updateActions();
    refresh();
    emit runFinished();
}

void ReconciliationPage::updateProgress()
{
    const bool running = !m_polling.isEmpty();
    m_progress->setVisible(running);
    m_progressLabel->setVisible(running);
    if (!running)
        return;
    qint64 bytes = 0;
    qint64 total = 0;
    qint64 lines = 0;
    QStringList what;
    for (const QJsonObject &run : std::as_const(m_polling)) {
        const QJsonObject progress = run.value(u"progress"_s).toObject();
        const qint64 runTotal = progress.value(u"total_bytes"_s).toInteger();
        if (runTotal > 0) {
            total += runTotal;
            bytes += std::min(progress.value(u"bytes"_s).toInteger(), runTotal);
        }
        lines += progress.value(u"lines"_s).toInteger();
        QString name = ReconciliationItemsModel::channelTitle(run.value(u"channel_id"_s).toString());
        const QString phase = run.value(u"phase"_s).toString();
        if (!phase.isEmpty())
            name += u" ("_s + phase + u')';
        what.append(name);
    }
    what.sort();
    const QLocale locale;
    m_progressLabel->setText(tr("Reconciling %1: %2 line(s) read").arg(what.join(u", "_s), locale.toString(lines)));
    if (total > 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(bytes * 1000 / total)); // per mille, exact in integers
    } else {
        m_progress->setRange(0, 0); // busy: the size of the bill is not known yet
    }
}

QJsonObject ReconciliationPage::selectedItem() const
{
    const QModelIndexList rows = m_itemsView->selectionModel()->selectedRows();
    return rows.isEmpty() ? QJsonObject() : m_items->itemAt(rows.first().row());
}

bool ReconciliationPage::selectItem(const QString &id)
{
    const int row = m_items->rowOf(id);
    if (row < 0)
        return false;
    const QModelIndex index = m_items->index(row, 0);
    m_itemsView->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_itemsView->setCurrentIndex(index);
    m_itemsView->scrollTo(index);
    return true;
}

void ReconciliationPage::onItemSelectionChanged()
{
    updateActions();
    const QJsonObject item = selectedItem();
    if (item.isEmpty()) {
        m_details->setText(tr("Select a discrepancy to see its details."));
        return;
    }
    using Model = ReconciliationItemsModel;
    const auto value = [&item](const QString &key) { return item.value(key).toString(); };
    QStringList lines;
    lines << tr("%1 · %2").arg(Model::kindTitle(value(u"kind"_s)), Model::statusTitle(value(u"status"_s)));
    lines << tr("Channel account: %1 · day %2").arg(Model::channelTitle(value(u"channel_id"_s)), value(u"date"_s));
    if (!value(u"ref_id"_s).isEmpty())
        lines << tr("About: %1 %2").arg(value(u"ref_type"_s), value(u"ref_id"_s));
    if (!value(u"channel_trade_no"_s).isEmpty())
        lines << tr("Channel trade no.: %1").arg(value(u"channel_trade_no"_s));
    const auto side = [&](const QString &amountKey, const QString &statusKey) {
        const QString status = value(statusKey);
        const QString amount = item.value(amountKey).isDouble() ? formatCny(item.value(amountKey).toInteger())
                                                                : tr("no record");
        return status.isEmpty() ? amount : tr("%1 (%2)").arg(amount, status);
    };
    lines << tr("Paydesk: %1").arg(side(u"local_amount"_s, u"local_status"_s));
    lines << tr("Bill: %1").arg(side(u"channel_amount"_s, u"channel_status"_s));
    if (!value(u"message"_s).isEmpty())
        lines << QString() << value(u"message"_s);
    lines << QString() << tr("Found %1 by run %2").arg(fullTimeText(item.value(u"created_at"_s).toInteger()),
                                                       value(u"run_id"_s));
    if (value(u"status"_s) == u"RESOLVED"_s) {
        const QString by = value(u"resolved_by"_s);
        lines << (by.isEmpty() ? tr("Resolved as “%1” at %2")
                                     .arg(Model::resolutionTitle(value(u"resolution"_s)),
                                          fullTimeText(item.value(u"resolved_at"_s).toInteger()))
                               : tr("Resolved as “%1” by %2 at %3")
                                     .arg(Model::resolutionTitle(value(u"resolution"_s)), by,
                                          fullTimeText(item.value(u"resolved_at"_s).toInteger())));
        if (!value(u"note"_s).isEmpty())
            lines << tr("Note: %1").arg(value(u"note"_s));
    }
    m_details->setText(lines.join(u'\n'));
}

void ReconciliationPage::updateActions()
{
    const QString status = selectedItem().value(u"status"_s).toString();
    const bool resolvable = status == u"OPEN"_s || status == u"CARRIED"_s;
    m_resolve->setEnabled(canRun() && resolvable && !m_resolving);
    m_run->setEnabled(canRun() && !m_starting && !isRunning());
    m_refresh->setEnabled(!m_runsLoading);
    m_exportCsv->setEnabled(!m_exporting);
    m_exportPdf->setEnabled(!m_exporting);
}

void ReconciliationPage::resolveSelected()
{
    const QJsonObject item = selectedItem();
    const QString status = item.value(u"status"_s).toString();
    if (!canRun() || m_resolving || (status != u"OPEN"_s && status != u"CARRIED"_s))
        return;
    QPointer<ResolveItemDialog> dialog = new ResolveItemDialog(item, this);
    const int decision = dialog->exec();
    if (!dialog)
        return; // the page went away meanwhile
    const QString resolution = dialog->resolution();
    const QString note = dialog->note();
    dialog->deleteLater();
    if (decision != QDialog::Accepted)
        return;
    const QString id = item.value(u"id"_s).toString();
    m_resolving = true;
    updateActions();
    setMessage(tr("Resolving %1…").arg(ReconciliationItemsModel::keyText(item)), false);
    m_session.api().post(
        u"/v1/reconciliation/items/%1/resolve"_s.arg(pathId(id)),
        QJsonObject{{u"resolution"_s, resolution}, {u"note"_s, note}}, this,
        [this, id, item](const client::RestResult &result) {
            m_resolving = false;
            if (!result.ok()) {
                setMessage(tr("Not resolved: %1").arg(result.message), true);
                updateActions();
                return;
            }
            const QJsonObject answer = result.object();
            const QJsonObject resolved = answer.value(u"id"_s).toString() == id ? answer
                : answer.value(u"item"_s).toObject().value(u"id"_s).toString() == id
                ? answer.value(u"item"_s).toObject()
                : QJsonObject();
            setMessage(tr("Resolved %1 as “%2”.")
                           .arg(ReconciliationItemsModel::keyText(item),
                                ReconciliationItemsModel::resolutionTitle(
                                    resolved.value(u"resolution"_s).toString(answer.value(u"resolution"_s).toString()))),
                       false);
            if (!resolved.isEmpty()) {
                m_items->updateItem(resolved);
                onItemSelectionChanged();
            } else {
                // The answer did not carry the item: read it again.
                m_session.api().get(u"/v1/reconciliation/items/"_s + pathId(id), this,
                                    [this](const client::RestResult &again) {
                                        if (again.ok()) {
                                            m_items->updateItem(again.object());
                                            onItemSelectionChanged();
                                        }
                                    });
            }
            updateActions();
            emit itemResolved(id);
        });
}

bool ReconciliationPage::loadDayItems(QList<QJsonObject> *items, QString *error)
{
    // A list of its own: the export is the whole day, whatever the table's filters.
    ReconciliationItemsModel all(m_session);
    QUrlQuery filters;
    filters.addQueryItem(u"date"_s, m_date->date().toString(Qt::ISODate));
    const QString channel = m_channel->currentData().toString();
    if (!channel.isEmpty())
        filters.addQueryItem(u"channel_id"_s, channel);
    QEventLoop loop;
    bool ok = false;
    connect(&all, &ReconciliationItemsModel::allLoaded, &loop, [&](bool success) {
        ok = success;
        loop.quit();
    });
    all.search(filters);
    all.loadAll(); // continues page by page until the last one, then says allLoaded
    if (all.isLoading())
        loop.exec();
    if (!ok) {
        if (error)
            *error = tr("The items could not be loaded: %1").arg(all.lastError());
        return false;
    }
    *items = all.items();
    return true;
}

bool ReconciliationPage::exportDay(const std::function<bool(const QList<QJsonObject> &items, QString *problem)> &write,
                                   QString *error)
{
    if (m_exporting)
        return false;
    m_exporting = true;
    updateActions();
    QList<QJsonObject> items;
    QString problem;
    const bool ok = loadDayItems(&items, &problem) && write(items, &problem);
    m_exporting = false;
    updateActions();
    if (!ok && error)
        *error = problem;
    return ok;
}

bool ReconciliationPage::exportCsvTo(const QString &path, QString *error)
{
    int count = 0;
    const auto write = [&](const QList<QJsonObject> &items, QString *problem) {
        count = int(items.size());
        return ReconciliationCsv::write(path, m_dayRuns, items, problem);
    };
    if (!exportDay(write, error))
        return false;
    setMessage(tr("%n item(s) and the runs' totals exported to %1", nullptr, count).arg(path), false);
    return true;
}

bool ReconciliationPage::exportPdfTo(const QString &path, QString *error)
{
    int pages = 0;
    const auto write = [&](const QList<QJsonObject> &items, QString *problem) {
        ReconciliationPdf pdf(m_date->date(), m_dayRuns, items);
        const bool written = pdf.write(path, problem);
        pages = pdf.pageCount();
        return written;
    };
    if (!exportDay(write, error))
        return false;
    setMessage(tr("Report of %n page(s) written to %1", nullptr, pages).arg(path), false);
    return true;
}

void ReconciliationPage::exportWithDialog(const QString &title, const QString &suffix, const QString &filter,
                                          bool (ReconciliationPage::*exportTo)(const QString &path, QString *error))
{
    const QString suggested = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
        + u"/reconciliation-%1.%2"_s.arg(m_date->date().toString(Qt::ISODate), suffix);
    const QString path = QFileDialog::getSaveFileName(this, title, suggested, filter);
    if (path.isEmpty())
        return;
    QString error;
    if (!(this->*exportTo)(path, &error))
        QMessageBox::warning(this, tr("Export"), error);
}

void ReconciliationPage::exportCsv()
{
    exportWithDialog(tr("Export reconciliation"), u"csv"_s, tr("CSV files (*.csv)"), &ReconciliationPage::exportCsvTo);
}

void ReconciliationPage::exportPdf()
{
    exportWithDialog(tr("Export reconciliation report"), u"pdf"_s, tr("PDF files (*.pdf)"),
                     &ReconciliationPage::exportPdfTo);
}

} // namespace paydesk::console
