#include "WithdrawalsPage.h"

#include "ConsoleSession.h"
#include "MoneyText.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {

constexpr int kQueuePageSize = 200; // the server's largest page
constexpr int kQueueMaxRows = 2'000; // a queue longer than this is shown newest first, with a note
constexpr int kHistoryPageSize = 200;
constexpr int kHistoryMaxPages = 10; // at most 2,000 rows in the history table; a narrower filter shows more
constexpr int kMaxReasonChars = 200; // the server's limit
constexpr int kSortRole = Qt::UserRole;
constexpr int kIdRole = Qt::UserRole + 1;

QString pathId(const QString &id)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(id));
}

QString timeText(qint64 ms)
{
    if (ms <= 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat);
}

QString fullTimeText(qint64 ms)
{
    if (ms <= 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), u"yyyy-MM-dd HH:mm:ss t"_s);
}

QString holderText(const QJsonObject &w)
{
    const QString id = w.value(u"holder_id"_s).toString();
    return w.value(u"holder_type"_s).toString() == u"merchant"_s ? WithdrawalsPage::tr("Merchant %1").arg(id)
                                                                 : WithdrawalsPage::tr("App user %1").arg(id);
}

QString cardText(const QJsonObject &w)
{
    const QJsonObject card = w.value(u"bank_card"_s).toObject();
    const QString bank = card.value(u"bank"_s).toString();
    const QString masked = card.value(u"masked"_s).toString();
    return bank.isEmpty() ? masked : WithdrawalsPage::tr("%1 (%2)").arg(masked, bank);
}

QString statusTitle(const QString &status)
{
    if (status == u"PENDING_REVIEW"_s)
        return WithdrawalsPage::tr("Pending review");
    if (status == u"APPROVED"_s)
        return WithdrawalsPage::tr("Approved");
    if (status == u"PROCESSING"_s)
        return WithdrawalsPage::tr("Paying out");
    if (status == u"SUCCESS"_s)
        return WithdrawalsPage::tr("Paid out");
    if (status == u"FAILED"_s)
        return WithdrawalsPage::tr("Payout failed");
    if (status == u"INVALID"_s)
        return WithdrawalsPage::tr("Rejected by an admin");
    if (status == u"REJECTED"_s)
        return WithdrawalsPage::tr("Refused by a risk rule");
    return status;
}

QString riskText(const QJsonObject &w)
{
    const QJsonObject risk = w.value(u"risk"_s).toObject();
    const QString outcome = risk.value(u"outcome"_s).toString();
    const QString rule = risk.value(u"rule"_s).toString();
    if (outcome == u"review"_s)
        return WithdrawalsPage::tr("Review: %1").arg(rule);
    if (outcome == u"reject"_s)
        return WithdrawalsPage::tr("Refused: %1").arg(rule);
    return WithdrawalsPage::tr("Passed");
}

int approvalsGiven(const QJsonObject &w)
{
    const QString status = w.value(u"status"_s).toString();
    // Still open, or stopped before the last approval: only a first approval may have been given.
    if (status == u"PENDING_REVIEW"_s || status == u"REJECTED"_s || status == u"INVALID"_s)
        return w.value(u"first_approver"_s).toString().isEmpty() ? 0 : 1;
    return w.value(u"approvals_needed"_s).toInt(1);
}

QString approvalsText(const QJsonObject &w, const QString &myId)
{
    const int needed = w.value(u"approvals_needed"_s).toInt(1);
    const int given = approvalsGiven(w);
    if (needed < 2)
        return WithdrawalsPage::tr("%1 of %2").arg(given).arg(needed);
    const QString first = w.value(u"first_approver"_s).toString();
    if (given == 0)
        return WithdrawalsPage::tr("%1 of %2 · two admins needed").arg(given).arg(needed);
    if (given < needed && !myId.isEmpty() && first == myId)
        return WithdrawalsPage::tr("%1 of %2 · first by you; another admin must approve").arg(given).arg(needed);
    if (given < needed)
        return WithdrawalsPage::tr("%1 of %2 · first by %3").arg(given).arg(needed).arg(first);
    return WithdrawalsPage::tr("%1 of %2").arg(given).arg(needed);
}

QString outcomeText(const QJsonObject &w)
{
    const QString status = w.value(u"status"_s).toString();
    const QJsonObject payout = w.value(u"payout"_s).toObject();
    if (status == u"INVALID"_s)
        return w.value(u"review_reason"_s).toString();
    if (status == u"FAILED"_s) {
        const QString message = payout.value(u"failure_message"_s).toString();
        const QString code = payout.value(u"failure_code"_s).toString();
        return message.isEmpty() ? code : WithdrawalsPage::tr("%1 (%2)").arg(message, code);
    }
    if (status == u"REJECTED"_s)
        return w.value(u"risk"_s).toObject().value(u"rule"_s).toString();
    if (status == u"SUCCESS"_s || status == u"PROCESSING"_s) {
        const QString ref = payout.value(u"ref"_s).toString();
        return ref.isEmpty() ? QString() : WithdrawalsPage::tr("Payout %1").arg(ref);
    }
    const QString reviewer = w.value(u"reviewed_by"_s).toString();
    return reviewer.isEmpty() ? QString() : WithdrawalsPage::tr("By %1").arg(reviewer);
}

QString inputsText(const QJsonObject &inputs)
{
    QStringList parts;
    for (auto it = inputs.begin(); it != inputs.end(); ++it) {
        const QJsonValue value = it.value();
        QString text;
        if (value.isArray())
            text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
        else if (value.isObject())
            text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        else
            text = value.toVariant().toString();
        parts.append(u"%1 %2"_s.arg(it.key(), text));
    }
    return parts.join(u", "_s);
}

QColor statusColor(const QString &status)
{
    if (status == u"SUCCESS"_s)
        return QColor(0x2e, 0x7d, 0x32);
    if (status == u"FAILED"_s || status == u"INVALID"_s || status == u"REJECTED"_s)
        return QColor(0xc6, 0x28, 0x28);
    if (status == u"PENDING_REVIEW"_s)
        return QColor(0xef, 0x6c, 0x00);
    return {};
}

QTableView *newTable(QAbstractItemModel *model, QWidget *parent, QAbstractItemView::SelectionMode mode)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(mode);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setSortingEnabled(true);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->setVisible(false);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    view->horizontalHeader()->setSortIndicatorShown(true);
    return view;
}

} // namespace

/// Withdrawals as a table: one row per withdrawal JSON, the columns as given; money right-aligned
/// and sorted by its integer fen, times sorted by their milliseconds.
class WithdrawalTableModel final : public QAbstractTableModel
{
public:
    using Column = WithdrawalsPage::Column;

    WithdrawalTableModel(QList<Column> columns, const ConsoleSession &session, QObject *parent)
        : QAbstractTableModel(parent), m_columns(std::move(columns)), m_session(session)
    {
    }

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_columns.size());
    }

    void setRows(QList<QJsonObject> rows)
    {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
    }

    void appendRows(const QList<QJsonObject> &rows)
    {
        if (rows.isEmpty())
            return;
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows.size() - 1));
        m_rows.append(rows);
        endInsertRows();
    }

    const QList<QJsonObject> &rows() const { return m_rows; }
    int rowOf(const QString &id) const
    {
        for (int row = 0; row < m_rows.size(); ++row)
            if (m_rows.at(row).value(u"id"_s).toString() == id)
                return row;
        return -1;
    }
    int columnOf(Column column) const { return int(m_columns.indexOf(column)); }

    QString text(const QJsonObject &w, Column column) const
    {
        switch (column) {
        case Column::CreatedColumn: return timeText(w.value(u"created_at"_s).toInteger());
        case Column::HolderColumn: return holderText(w);
        case Column::CardColumn: return cardText(w);
        case Column::AmountColumn: return formatCny(w.value(u"amount"_s).toInteger());
        case Column::RiskColumn: return riskText(w);
        case Column::ApprovalsColumn: return approvalsText(w, m_session.user().value(u"id"_s).toString());
        case Column::StatusColumn: return statusTitle(w.value(u"status"_s).toString());
        case Column::OutcomeColumn: return outcomeText(w);
        }
        return {};
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= m_columns.size())
            return {};
        const QJsonObject &w = m_rows.at(index.row());
        const Column column = m_columns.at(index.column());
        switch (role) {
        case Qt::DisplayRole: return text(w, column);
        case Qt::ToolTipRole:
            if (column == Column::CreatedColumn)
                return fullTimeText(w.value(u"created_at"_s).toInteger());
            return text(w, column);
        case Qt::TextAlignmentRole: return alignment(column);
        case Qt::ForegroundRole:
            if (column == Column::StatusColumn) {
                const QColor color = statusColor(w.value(u"status"_s).toString());
                if (color.isValid())
                    return color;
            }
            if (column == Column::ApprovalsColumn && w.value(u"approvals_needed"_s).toInt() >= 2)
                return QColor(0xef, 0x6c, 0x00);
            return {};
        case kSortRole:
            if (column == Column::AmountColumn)
                return w.value(u"amount"_s).toInteger();
            if (column == Column::CreatedColumn)
                return w.value(u"created_at"_s).toInteger();
            return text(w, column);
        case kIdRole: return w.value(u"id"_s).toString();
        default: return {};
        }
    }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation != Qt::Horizontal || section < 0 || section >= m_columns.size())
            return {};
        const Column column = m_columns.at(section);
        if (role == Qt::TextAlignmentRole)
            return alignment(column);
        if (role != Qt::DisplayRole)
            return {};
        switch (column) {
        case Column::CreatedColumn: return WithdrawalsPage::tr("Applied");
        case Column::HolderColumn: return WithdrawalsPage::tr("Holder");
        case Column::CardColumn: return WithdrawalsPage::tr("Bank card");
        case Column::AmountColumn: return WithdrawalsPage::tr("Amount");
        case Column::RiskColumn: return WithdrawalsPage::tr("Risk check");
        case Column::ApprovalsColumn: return WithdrawalsPage::tr("Approvals");
        case Column::StatusColumn: return WithdrawalsPage::tr("Status");
        case Column::OutcomeColumn: return WithdrawalsPage::tr("Reason / payout");
        }
        return {};
    }

private:
    // Money right-aligned so the digits line up; as int, which every Qt 6 delegate reads.
    static QVariant alignment(Column column)
    {
        return int(column == Column::AmountColumn ? Qt::AlignRight | Qt::AlignVCenter
                                                  : Qt::AlignLeft | Qt::AlignVCenter);
    }

    QList<Column> m_columns;
    const ConsoleSession &m_session;
    QList<QJsonObject> m_rows;
};

WithdrawalsPage::WithdrawalsPage(ConsoleSession &session, QWidget *parent)
    : QWidget(parent), m_session(session), m_tabs(new QTabWidget(this)),
      m_queue(new WithdrawalTableModel(
          {CreatedColumn, HolderColumn, CardColumn, AmountColumn, RiskColumn, ApprovalsColumn}, session, this)),
      m_queueProxy(new QSortFilterProxyModel(this)), m_queueView(nullptr),
      m_approve(new QPushButton(tr("&Approve…"), this)), m_reject(new QPushButton(tr("&Reject…"), this)),
      m_refresh(new QPushButton(QIcon(u":/icons/refresh.svg"_s), tr("Re&fresh"), this)),
      m_queueSummary(new QLabel(this)), m_message(new QLabel(this)), m_details(new QLabel(this)),
      m_history(new WithdrawalTableModel(
          {CreatedColumn, HolderColumn, CardColumn, AmountColumn, StatusColumn, OutcomeColumn}, session, this)),
      m_historyProxy(new QSortFilterProxyModel(this)), m_historyView(nullptr), m_historyStatus(new QComboBox(this)),
      m_historyFrom(new QDateEdit(this)), m_historyTo(new QDateEdit(this)),
      m_historyLoad(new QPushButton(tr("&Show"), this)), m_historySummary(new QLabel(this))
{
    setObjectName(u"withdrawalsPage"_s);
    m_tabs->setObjectName(u"withdrawalTabs"_s);

    // The review queue.
    m_queueProxy->setSourceModel(m_queue);
    m_queueProxy->setSortRole(kSortRole);
    m_queueView = newTable(m_queueProxy, this, QAbstractItemView::SingleSelection);
    m_queueView->setObjectName(u"withdrawalQueue"_s);
    m_queueView->sortByColumn(-1, Qt::AscendingOrder); // the server's order: newest first
    m_approve->setObjectName(u"approveButton"_s);
    m_approve->setToolTip(tr("Approve the selected withdrawal; you confirm amount and card first."));
    m_reject->setObjectName(u"rejectButton"_s);
    m_reject->setToolTip(tr("Reject the selected withdrawal with a reason; the amount returns to the holder."));
    m_refresh->setObjectName(u"refreshButton"_s);
    m_queueSummary->setObjectName(u"queueSummary"_s);
    m_message->setObjectName(u"withdrawalMessage"_s);
    m_message->setWordWrap(true);
    m_message->setVisible(false);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setObjectName(u"withdrawalDetails"_s);
    m_details->setWordWrap(true);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setTextFormat(Qt::PlainText);
    m_details->setText(tr("Select a withdrawal to see its risk decisions and approvals."));

    auto *actions = new QHBoxLayout;
    actions->addWidget(m_queueSummary, 1);
    actions->addWidget(m_refresh);
    actions->addWidget(m_reject);
    actions->addWidget(m_approve);
    if (!canReview()) {
        m_approve->setVisible(false);
        m_reject->setVisible(false);
        auto *readOnly = new QLabel(tr("Read-only: auditors see the queue but cannot approve or reject."), this);
        readOnly->setObjectName(u"readOnlyNote"_s);
        actions->insertWidget(1, readOnly);
    }
    auto *detailsBox = new QScrollArea(this);
    detailsBox->setWidget(m_details);
    detailsBox->setWidgetResizable(true);
    detailsBox->setFrameShape(QFrame::NoFrame);
    m_details->setContentsMargins(4, 4, 4, 4);
    auto *queueSplit = new QSplitter(Qt::Vertical, this);
    queueSplit->addWidget(m_queueView);
    queueSplit->addWidget(detailsBox);
    queueSplit->setStretchFactor(0, 3);
    queueSplit->setStretchFactor(1, 2);
    queueSplit->setSizes({360, 180});
    auto *queueTab = new QWidget(this);
    auto *queueLayout = new QVBoxLayout(queueTab);
    queueLayout->addLayout(actions);
    queueLayout->addWidget(m_message);
    queueLayout->addWidget(queueSplit, 1);
    m_tabs->addTab(queueTab, tr("Review queue"));

    // The history.
    m_historyProxy->setSourceModel(m_history);
    m_historyProxy->setSortRole(kSortRole);
    m_historyView = newTable(m_historyProxy, this, QAbstractItemView::ExtendedSelection);
    m_historyView->setObjectName(u"withdrawalHistory"_s);
    m_historyView->sortByColumn(-1, Qt::AscendingOrder);
    m_historyStatus->setObjectName(u"historyStatusFilter"_s);
    m_historyStatus->addItem(tr("Every status"), QString());
    for (const QString &status :
         {u"SUCCESS"_s, u"FAILED"_s, u"INVALID"_s, u"REJECTED"_s, u"PROCESSING"_s, u"APPROVED"_s, u"PENDING_REVIEW"_s})
        m_historyStatus->addItem(statusTitle(status), status);
    const QDate today = QDate::currentDate();
    for (QDateEdit *edit : {m_historyFrom, m_historyTo}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(u"yyyy-MM-dd"_s);
        edit->setMaximumDate(today.addDays(1));
    }
    m_historyFrom->setObjectName(u"historyFrom"_s);
    m_historyTo->setObjectName(u"historyTo"_s);
    m_historyFrom->setDate(today.addDays(-30));
    m_historyTo->setDate(today);
    m_historyLoad->setObjectName(u"historyShowButton"_s);
    m_historySummary->setObjectName(u"historySummary"_s);
    m_historySummary->setWordWrap(true);
    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Status:"), this));
    filters->addWidget(m_historyStatus);
    filters->addSpacing(12);
    filters->addWidget(new QLabel(tr("From:"), this));
    filters->addWidget(m_historyFrom);
    filters->addWidget(new QLabel(tr("To:"), this));
    filters->addWidget(m_historyTo);
    filters->addWidget(m_historyLoad);
    filters->addStretch();
    auto *historyTab = new QWidget(this);
    auto *historyLayout = new QVBoxLayout(historyTab);
    historyLayout->addLayout(filters);
    historyLayout->addWidget(m_historySummary);
    historyLayout->addWidget(m_historyView, 1);
    m_tabs->addTab(historyTab, tr("History"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);

    connect(m_approve, &QPushButton::clicked, this, &WithdrawalsPage::approveSelected);
    connect(m_reject, &QPushButton::clicked, this, &WithdrawalsPage::rejectSelected);
    connect(m_refresh, &QPushButton::clicked, this, &WithdrawalsPage::refresh);
    connect(m_historyLoad, &QPushButton::clicked, this, &WithdrawalsPage::loadHistory);
    connect(m_historyStatus, &QComboBox::currentIndexChanged, this, &WithdrawalsPage::loadHistory);
    connect(m_queueView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &WithdrawalsPage::onSelectionChanged);
    connect(m_queueView, &QTableView::doubleClicked, this, [this] {
        if (canReview())
            approveSelected();
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == 1 && m_history->rows().isEmpty() && !m_historyLoading)
            loadHistory();
    });

    // A new application reaches every platform admin's console through the event stream.
    m_liveRefresh.setSingleShot(true);
    m_liveRefresh.setInterval(250);
    connect(&m_liveRefresh, &QTimer::timeout, this, &WithdrawalsPage::loadQueue);
    connect(&session.events(), &client::EventStream::eventReceived, this,
            [this](const QString &type, const QJsonObject &, qint64) {
                if (type.startsWith(u"withdrawal."_s))
                    m_liveRefresh.start();
            });
    updateActions();
}

WithdrawalsPage::~WithdrawalsPage() = default;

bool WithdrawalsPage::canReview() const
{
    return m_session.canReviewWithdrawals();
}

void WithdrawalsPage::refresh()
{
    loadQueue();
    if (m_tabs->currentIndex() == 1 || !m_history->rows().isEmpty())
        loadHistory();
}

void WithdrawalsPage::loadQueue()
{
    if (!m_session.isSignedIn())
        return;
    m_liveRefresh.stop();
    if (m_queueLoading) {
        m_liveRefresh.start(); // one more load once this one is answered
        return;
    }
    m_queueLoading = true;
    m_queueSummary->setText(tr("Loading…"));
    updateActions();
    loadQueuePage(QString(), {});
}

void WithdrawalsPage::loadQueuePage(const QString &before, QList<QJsonObject> rows)
{
    // The server pages newest first; the whole queue is read (up to a limit) so that the
    // withdrawals waiting longest are never the ones left out.
    QString path = u"/v1/admin/withdrawals?status=PENDING_REVIEW&limit=%1"_s.arg(kQueuePageSize);
    if (!before.isEmpty())
        path += u"&before="_s + pathId(before);
    m_session.api().get(path, this, [this, rows](const client::RestResult &result) mutable {
        if (!result.ok()) {
            m_queueLoading = false;
            m_queueSummary->setText(tr("The queue could not be loaded."));
            setMessage(result.message, true);
            updateActions();
            return;
        }
        const QJsonArray items = result.object().value(u"items"_s).toArray();
        for (const QJsonValue &item : items)
            rows.append(item.toObject());
        const QString next = result.object().value(u"next_before"_s).toString();
        if (!next.isEmpty() && rows.size() < kQueueMaxRows) {
            loadQueuePage(next, rows);
            return;
        }
        m_queueLoading = false;
        const QString selected = selectedWithdrawal().value(u"id"_s).toString();
        m_queue->setRows(rows);
        m_queueView->resizeColumnsToContents();
        const int count = int(rows.size());
        m_queueSummary->setText(
            count == 0 ? tr("Nothing waits for review.")
                : next.isEmpty()
                ? tr("%n withdrawal(s) wait for review.", nullptr, count)
                : tr("The newest %n withdrawal(s) are shown; more, older ones wait as well.", nullptr, count));
        m_tabs->setTabText(0, count == 0 ? tr("Review queue") : tr("Review queue (%1)").arg(count));
        m_detailsId.clear(); // the reloaded row may say more (a first approval): show it afresh
        if (!selected.isEmpty() && !selectWithdrawal(selected))
            showDetails({});
        updateActions();
        emit queueLoaded();
    });
}

void WithdrawalsPage::loadHistory()
{
    if (!m_session.isSignedIn())
        return;
    if (m_historyFrom->date() > m_historyTo->date()) {
        m_historySummary->setText(tr("The first day is after the last day."));
        return;
    }
    ++m_historyGeneration;
    m_historyPages = 0;
    m_history->setRows({});
    m_historyLoading = true;
    m_historySummary->setText(tr("Loading…"));
    m_historyLoad->setEnabled(false);
    loadHistoryPage(QString(), m_historyGeneration);
}

void WithdrawalsPage::loadHistoryPage(const QString &before, int generation)
{
    // The server pages newest first by id and filters by status; the dates are applied here, and
    // paging stops at the first withdrawal older than the first day.
    QUrlQuery query;
    const QString status = m_historyStatus->currentData().toString();
    if (!status.isEmpty())
        query.addQueryItem(u"status"_s, status);
    query.addQueryItem(u"limit"_s, QString::number(kHistoryPageSize));
    if (!before.isEmpty())
        query.addQueryItem(u"before"_s, before);
    const qint64 fromMs = QDateTime(m_historyFrom->date(), QTime(0, 0)).toMSecsSinceEpoch();
    const qint64 toMs = QDateTime(m_historyTo->date().addDays(1), QTime(0, 0)).toMSecsSinceEpoch();
    m_session.api().get(
        u"/v1/admin/withdrawals?"_s + query.toString(QUrl::FullyEncoded), this,
        [this, generation, fromMs, toMs](const client::RestResult &result) {
            if (generation != m_historyGeneration)
                return; // a newer filter was asked for meanwhile
            if (!result.ok()) {
                m_historyLoading = false;
                m_historyLoad->setEnabled(true);
                m_historySummary->setText(tr("The history could not be loaded: %1").arg(result.message));
                return;
            }
            ++m_historyPages;
            QList<QJsonObject> rows;
            bool older = false;
            const QJsonArray items = result.object().value(u"items"_s).toArray();
            for (const QJsonValue &item : items) {
                const QJsonObject w = item.toObject();
                const qint64 created = w.value(u"created_at"_s).toInteger();
                if (created < fromMs)
                    older = true;
                else if (created < toMs)
                    rows.append(w);
            }
            m_history->appendRows(rows);
            if (m_historyPages == 1)
                m_historyView->resizeColumnsToContents();
            const QString next = result.object().value(u"next_before"_s).toString();
            if (!older && !next.isEmpty() && m_historyPages < kHistoryMaxPages) {
                loadHistoryPage(next, generation);
                return;
            }
            m_historyLoading = false;
            m_historyLoad->setEnabled(true);
            qint64 total = 0;
            for (const QJsonObject &w : m_history->rows())
                total += w.value(u"amount"_s).toInteger();
            const int count = int(m_history->rows().size());
            QString summary = tr("%n withdrawal(s), %1 in total.", nullptr, count).arg(formatCny(total));
            if (!older && !next.isEmpty())
                summary += u' '
                    + tr("Only the newest %1 are searched; narrow the dates or the status to see older ones.")
                          .arg(kHistoryPageSize * kHistoryMaxPages);
            m_historySummary->setText(summary);
            emit historyLoaded();
        });
}

QString WithdrawalsPage::messageText() const
{
    return m_message->text();
}

QString WithdrawalsPage::detailsText() const
{
    return m_details->text();
}

QStringList WithdrawalsPage::queueIds() const
{
    QStringList ids;
    for (int row = 0; row < m_queueProxy->rowCount(); ++row)
        ids.append(m_queueProxy->index(row, 0).data(kIdRole).toString());
    return ids;
}

QStringList WithdrawalsPage::historyIds() const
{
    QStringList ids;
    for (int row = 0; row < m_historyProxy->rowCount(); ++row)
        ids.append(m_historyProxy->index(row, 0).data(kIdRole).toString());
    return ids;
}

QString WithdrawalsPage::queueCell(const QString &id, Column column) const
{
    const int row = m_queue->rowOf(id);
    const int col = m_queue->columnOf(column);
    return row < 0 || col < 0 ? QString() : m_queue->index(row, col).data().toString();
}

QString WithdrawalsPage::historyCell(const QString &id, Column column) const
{
    const int row = m_history->rowOf(id);
    const int col = m_history->columnOf(column);
    return row < 0 || col < 0 ? QString() : m_history->index(row, col).data().toString();
}

bool WithdrawalsPage::selectWithdrawal(const QString &id)
{
    const int row = m_queue->rowOf(id);
    if (row < 0)
        return false;
    const QModelIndex index = m_queueProxy->mapFromSource(m_queue->index(row, 0));
    m_queueView->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_queueView->setCurrentIndex(index);
    m_queueView->scrollTo(index);
    return true;
}

QJsonObject WithdrawalsPage::selectedWithdrawal() const
{
    const QModelIndexList rows = m_queueView->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    const QModelIndex source = m_queueProxy->mapToSource(rows.first());
    return source.isValid() && source.row() < m_queue->rows().size() ? m_queue->rows().at(source.row()) : QJsonObject();
}

void WithdrawalsPage::onSelectionChanged()
{
    const QJsonObject w = selectedWithdrawal();
    updateActions();
    const QString id = w.value(u"id"_s).toString();
    if (id == m_detailsId)
        return;
    showDetails(w);
    if (id.isEmpty())
        return;
    // The list has no risk decisions; one withdrawal has them with their inputs.
    m_session.api().get(u"/v1/admin/withdrawals/"_s + pathId(id), this, [this, id](const client::RestResult &result) {
        if (id != m_detailsId)
            return;
        if (result.ok())
            showDetails(result.object());
        else
            m_details->setText(m_details->text() + u"\n\n"_s
                               + tr("The risk decisions could not be loaded: %1").arg(result.message));
    });
}

void WithdrawalsPage::showDetails(const QJsonObject &w)
{
    m_detailsId = w.value(u"id"_s).toString();
    if (m_detailsId.isEmpty()) {
        m_details->setText(tr("Select a withdrawal to see its risk decisions and approvals."));
        return;
    }
    QStringList lines;
    lines << tr("Withdrawal %1 · %2").arg(m_detailsId, statusTitle(w.value(u"status"_s).toString()));
    lines << tr("%1 to %2 for %3").arg(formatCny(w.value(u"amount"_s).toInteger()), cardText(w), holderText(w));
    lines << tr("Applied %1").arg(fullTimeText(w.value(u"created_at"_s).toInteger()));
    lines << tr("Approvals: %1").arg(approvalsText(w, m_session.user().value(u"id"_s).toString()));
    const QString first = w.value(u"first_approver"_s).toString();
    if (!first.isEmpty())
        lines << tr("First approval by %1 at %2").arg(first, fullTimeText(w.value(u"first_approved_at"_s).toInteger()));
    const QString reason = w.value(u"review_reason"_s).toString();
    if (!reason.isEmpty())
        lines << tr("Review note: %1").arg(reason);
    lines << tr("Risk check: %1").arg(riskText(w));
    if (w.contains(u"risk_decisions"_s)) {
        const QJsonArray decisions = w.value(u"risk_decisions"_s).toArray();
        for (const QJsonValue &value : decisions) {
            const QJsonObject decision = value.toObject();
            const QString rule = decision.value(u"rule"_s).toString();
            lines << tr("  • %1: %2 (%3)")
                         .arg(rule == u"-"_s ? tr("no rule matched") : rule, decision.value(u"outcome"_s).toString(),
                              inputsText(decision.value(u"inputs"_s).toObject()));
        }
    } else {
        lines << tr("  Loading the risk decisions…");
    }
    m_details->setText(lines.join(u'\n'));
}

void WithdrawalsPage::setMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    m_message->setStyleSheet(error ? u"color: #c62828;"_s : u"color: #2e7d32;"_s);
}

void WithdrawalsPage::updateActions()
{
    const bool selected = !selectedWithdrawal().isEmpty();
    const bool idle = !m_acting;
    m_approve->setEnabled(canReview() && selected && idle);
    m_reject->setEnabled(canReview() && selected && idle);
    m_refresh->setEnabled(!m_queueLoading);
}

void WithdrawalsPage::approveSelected()
{
    const QJsonObject w = selectedWithdrawal();
    if (w.isEmpty() || !canReview() || m_acting)
        return;
    const int needed = w.value(u"approvals_needed"_s).toInt(1);
    const QString first = w.value(u"first_approver"_s).toString();
    QString consequence;
    if (needed < 2)
        consequence = tr("The money is paid out to the card once you confirm.");
    else if (first.isEmpty())
        consequence = tr("This withdrawal needs two approvals. Yours is the first; a different platform admin must "
                         "give the second before anything is paid out.");
    else if (first == m_session.user().value(u"id"_s).toString())
        consequence = tr("You gave the first approval already; the second must come from a different platform admin.");
    else
        consequence = tr("This is the second approval: the money is paid out to the card once you confirm.");

    QPointer<QMessageBox> box = new QMessageBox(
        QMessageBox::Question, tr("Approve withdrawal"),
        tr("Approve paying out %1 to card %2?").arg(formatCny(w.value(u"amount"_s).toInteger()), cardText(w)),
        QMessageBox::NoButton, this);
    box->setObjectName(u"approveConfirmation"_s);
    box->setInformativeText(tr("%1\n\n%2").arg(holderText(w), consequence));
    QPushButton *yes = box->addButton(tr("Approve"), QMessageBox::AcceptRole);
    yes->setObjectName(u"confirmApproveButton"_s);
    QPushButton *no = box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(no);
    box->exec();
    if (!box)
        return; // the page went away meanwhile
    const bool confirmed = box->clickedButton() == yes;
    box->deleteLater();
    if (confirmed)
        review(w, true, QString());
}

std::optional<QString> WithdrawalsPage::askRejectReason(const QJsonObject &w)
{
    QPointer<QDialog> dialog = new QDialog(this);
    dialog->setObjectName(u"rejectDialog"_s);
    dialog->setWindowTitle(tr("Reject withdrawal"));
    auto *what = new QLabel(tr("Reject the withdrawal of %1 to card %2 (%3)? The amount returns to the holder's "
                               "available balance.")
                                .arg(formatCny(w.value(u"amount"_s).toInteger()), cardText(w), holderText(w)),
                            dialog);
    what->setWordWrap(true);
    auto *reason = new QLineEdit(dialog);
    reason->setObjectName(u"rejectReasonEdit"_s);
    reason->setMaxLength(kMaxReasonChars);
    reason->setPlaceholderText(tr("Why, for the holder and the audit log (required)"));
    auto *count = new QLabel(dialog);
    count->setObjectName(u"rejectReasonCount"_s);
    auto *buttons = new QDialogButtonBox(dialog);
    QPushButton *confirm = buttons->addButton(tr("Reject withdrawal"), QDialogButtonBox::AcceptRole);
    confirm->setObjectName(u"confirmRejectButton"_s);
    buttons->addButton(QDialogButtonBox::Cancel);
    const auto update = [reason, count, confirm] {
        confirm->setEnabled(!reason->text().trimmed().isEmpty());
        count->setText(tr("%1 / %2").arg(reason->text().size()).arg(kMaxReasonChars));
    };
    update();
    connect(reason, &QLineEdit::textChanged, dialog, update);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [dialog, reason] {
        if (!reason->text().trimmed().isEmpty())
            dialog->accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto *form = new QFormLayout;
    form->addRow(tr("&Reason:"), reason);
    form->addRow(QString(), count);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(what);
    layout->addLayout(form);
    layout->addWidget(buttons);
    dialog->resize(480, dialog->sizeHint().height());
    const int result = dialog->exec();
    if (!dialog)
        return std::nullopt;
    const QString text = reason->text().trimmed();
    dialog->deleteLater();
    if (result != QDialog::Accepted || text.isEmpty())
        return std::nullopt;
    return text;
}

void WithdrawalsPage::rejectSelected()
{
    const QJsonObject w = selectedWithdrawal();
    if (w.isEmpty() || !canReview() || m_acting)
        return;
    QPointer<WithdrawalsPage> self(this);
    const std::optional<QString> reason = askRejectReason(w);
    if (!self || !reason)
        return;
    review(w, false, *reason);
}

void WithdrawalsPage::review(const QJsonObject &w, bool approve, const QString &reason)
{
    const QString id = w.value(u"id"_s).toString();
    const QString amount = formatCny(w.value(u"amount"_s).toInteger());
    m_acting = true;
    updateActions();
    setMessage(approve ? tr("Approving %1…").arg(amount) : tr("Rejecting %1…").arg(amount), false);
    QJsonObject body;
    if (!reason.isEmpty())
        body.insert(u"reason"_s, reason);
    const QString path = u"/v1/admin/withdrawals/%1/%2"_s.arg(pathId(id), approve ? u"approve"_s : u"reject"_s);
    m_session.api().post(path, body, this, [this, approve, amount, w](const client::RestResult &result) {
        m_acting = false;
        if (!result.ok()) {
            setMessage(approve ? tr("Not approved: %1").arg(result.message)
                               : tr("Not rejected: %1").arg(result.message),
                       true);
        } else {
            const QJsonObject answer = result.object();
            const QString status = answer.value(u"status"_s).toString();
            if (!approve)
                setMessage(tr("Rejected %1 to %2; the amount is back in the holder's available balance.")
                               .arg(amount, cardText(w)),
                           false);
            else if (status == u"PENDING_REVIEW"_s)
                setMessage(
                    tr("First approval of %1 recorded. A different platform admin must approve it too.").arg(amount),
                    false);
            else
                setMessage(tr("Approved %1 to %2; the payout is on its way.").arg(amount, cardText(w)), false);
        }
        updateActions();
        loadQueue(); // the queue changed either way: done, or someone else was first
        if (!m_history->rows().isEmpty())
            loadHistory();
    });
}

} // namespace paydesk::console
