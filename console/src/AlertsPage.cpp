#include "AlertsPage.h"

#include "ConsoleSession.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>

#include <memory>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {

constexpr int kListLimit = 200; // newest first; older ones are a filter away
constexpr int kMaxAcknowledgeAtOnce = 100;
constexpr int kSortRole = Qt::UserRole;
constexpr int kIdRole = Qt::UserRole + 1;

QString timeText(qint64 ms)
{
    return ms <= 0 ? QString() : QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat);
}

QString fullTimeText(qint64 ms)
{
    return ms <= 0 ? QString() : QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), u"yyyy-MM-dd HH:mm:ss t"_s);
}

QString severityTitle(const QString &severity)
{
    if (severity == u"CRITICAL"_s)
        return AlertsPage::tr("Critical");
    if (severity == u"WARNING"_s)
        return AlertsPage::tr("Warning");
    if (severity == u"INFO"_s)
        return AlertsPage::tr("Info");
    return severity;
}

int severityRank(const QString &severity)
{
    return severity == u"CRITICAL"_s ? 3 : severity == u"WARNING"_s ? 2 : severity == u"INFO"_s ? 1 : 0;
}

QString statusTitle(const QString &status)
{
    if (status == u"OPEN"_s)
        return AlertsPage::tr("Open");
    if (status == u"ACKNOWLEDGED"_s)
        return AlertsPage::tr("Acknowledged");
    return status;
}

// The kinds the server raises, for the filter before any was seen.
const QStringList &knownKinds()
{
    static const QStringList kinds{u"ORDER_ABNORMAL"_s,    u"UNKNOWN_TRADE"_s,  u"WRONG_CHANNEL"_s,
                                   u"DUPLICATE_PAYMENT"_s, u"CHANNEL_ERRORS"_s, u"NOTIFY_EXHAUSTED"_s,
                                   u"UNKNOWN_REFUND"_s,    u"REFUND_STUCK"_s,   u"PAYOUT_FAILED"_s,
                                   u"PAYOUT_STUCK"_s,      u"PAYOUT_BLOCKED"_s, u"PAYOUT_MISMATCH"_s};
    return kinds;
}

QString kindTitle(const QString &kind)
{
    static const QHash<QString, const char *> titles{
        {u"ORDER_ABNORMAL"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Abnormal order")},
        {u"UNKNOWN_TRADE"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Payment for no known order")},
        {u"WRONG_CHANNEL"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Paid through the wrong channel")},
        {u"DUPLICATE_PAYMENT"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Paid twice")},
        {u"CHANNEL_ERRORS"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Channel errors")},
        {u"NOTIFY_EXHAUSTED"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Merchant notification gave up")},
        {u"UNKNOWN_REFUND"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Refund for no known order")},
        {u"REFUND_STUCK"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Refund stuck")},
        {u"PAYOUT_FAILED"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Payout failed")},
        {u"PAYOUT_STUCK"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Payout stuck")},
        {u"PAYOUT_BLOCKED"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Payout blocked")},
        {u"PAYOUT_MISMATCH"_s, QT_TRANSLATE_NOOP("paydesk::console::AlertsPage", "Payout does not match")},
    };
    const char *title = titles.value(kind);
    return title ? AlertsPage::tr(title) : kind;
}

QString subjectText(const QJsonObject &alert)
{
    const QString type = alert.value(u"ref_type"_s).toString();
    const QString id = alert.value(u"ref_id"_s).toString();
    if (type.isEmpty())
        return id;
    return AlertsPage::tr("%1 %2").arg(type, id);
}

} // namespace

/// Alerts as a table; severity and time sort by rank and milliseconds, open ones stand out.
class AlertTableModel final : public QAbstractTableModel
{
public:
    using Column = AlertsPage::Column;

    explicit AlertTableModel(QObject *parent) : QAbstractTableModel(parent) { }

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : 6; }

    void setRows(QList<QJsonObject> rows)
    {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
    }
    const QList<QJsonObject> &rows() const { return m_rows; }
    int rowOf(const QString &id) const
    {
        for (int row = 0; row < m_rows.size(); ++row)
            if (m_rows.at(row).value(u"id"_s).toString() == id)
                return row;
        return -1;
    }

    static QString text(const QJsonObject &alert, int column)
    {
        switch (column) {
        case AlertsPage::SeverityColumn: return severityTitle(alert.value(u"severity"_s).toString());
        case AlertsPage::KindColumn: return kindTitle(alert.value(u"kind"_s).toString());
        case AlertsPage::SubjectColumn: return subjectText(alert);
        case AlertsPage::MessageColumn: return alert.value(u"message"_s).toString().section(u'\n', 0, 0);
        case AlertsPage::TimeColumn: return timeText(alert.value(u"created_at"_s).toInteger());
        case AlertsPage::StatusColumn: return statusTitle(alert.value(u"status"_s).toString());
        default: return {};
        }
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!index.isValid() || index.row() >= m_rows.size())
            return {};
        const QJsonObject &alert = m_rows.at(index.row());
        const bool open = alert.value(u"status"_s).toString() == u"OPEN"_s;
        switch (role) {
        case Qt::DisplayRole: return text(alert, index.column());
        case Qt::ToolTipRole:
            if (index.column() == AlertsPage::TimeColumn)
                return fullTimeText(alert.value(u"created_at"_s).toInteger());
            if (index.column() == AlertsPage::KindColumn)
                return alert.value(u"kind"_s).toString();
            if (index.column() == AlertsPage::MessageColumn)
                return alert.value(u"message"_s).toString();
            return text(alert, index.column());
        case Qt::ForegroundRole:
            if (index.column() == AlertsPage::SeverityColumn && open) {
                const QString severity = alert.value(u"severity"_s).toString();
                if (severity == u"CRITICAL"_s)
                    return QColor(0xc6, 0x28, 0x28);
                if (severity == u"WARNING"_s)
                    return QColor(0xef, 0x6c, 0x00);
            }
            return {};
        case Qt::FontRole:
            if (open) {
                QFont font;
                font.setBold(true);
                return font;
            }
            return {};
        case kSortRole:
            if (index.column() == AlertsPage::SeverityColumn)
                return severityRank(alert.value(u"severity"_s).toString());
            if (index.column() == AlertsPage::TimeColumn)
                return alert.value(u"created_at"_s).toInteger();
            return text(alert, index.column());
        case kIdRole: return alert.value(u"id"_s).toString();
        default: return {};
        }
    }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return {};
        switch (section) {
        case AlertsPage::SeverityColumn: return AlertsPage::tr("Severity");
        case AlertsPage::KindColumn: return AlertsPage::tr("Kind");
        case AlertsPage::SubjectColumn: return AlertsPage::tr("Subject");
        case AlertsPage::MessageColumn: return AlertsPage::tr("Message");
        case AlertsPage::TimeColumn: return AlertsPage::tr("Raised");
        case AlertsPage::StatusColumn: return AlertsPage::tr("Status");
        default: return {};
        }
    }

private:
    QList<QJsonObject> m_rows;
};

AlertsPage::AlertsPage(ConsoleSession &session, QWidget *parent)
    : QWidget(parent), m_session(session), m_model(new AlertTableModel(this)), m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QTableView(this)), m_status(new QComboBox(this)), m_kind(new QComboBox(this)),
      m_refresh(new QPushButton(QIcon(u":/icons/refresh.svg"_s), tr("Re&fresh"), this)),
      m_acknowledge(new QPushButton(tr("&Acknowledge"), this)), m_summary(new QLabel(this)),
      m_message(new QLabel(this)), m_details(new QLabel(this))
{
    setObjectName(u"alertsPage"_s);

    m_status->setObjectName(u"alertStatusFilter"_s);
    m_status->addItem(tr("Open"), u"OPEN"_s);
    m_status->addItem(tr("Acknowledged"), u"ACKNOWLEDGED"_s);
    m_status->addItem(tr("All"), QString());
    m_kind->setObjectName(u"alertKindFilter"_s);
    m_kind->addItem(tr("Every kind"), QString());
    rememberKinds(knownKinds());
    m_refresh->setObjectName(u"refreshButton"_s);
    m_acknowledge->setObjectName(u"acknowledgeButton"_s);
    m_acknowledge->setToolTip(tr("Mark the selected alerts as seen and handled (Ctrl+K)."));
    m_acknowledge->setShortcut(QKeySequence(u"Ctrl+K"_s));
    m_acknowledge->setVisible(m_session.canAcknowledgeAlerts());
    m_summary->setObjectName(u"alertSummary"_s);
    m_message->setObjectName(u"alertMessage"_s);
    m_message->setWordWrap(true);
    m_message->setVisible(false);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(kSortRole);
    m_view->setObjectName(u"alertTable"_s);
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // the server's order: newest first
    m_view->verticalHeader()->setVisible(false);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(MessageColumn, QHeaderView::Stretch);

    m_details->setObjectName(u"alertDetails"_s);
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::PlainText);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setText(tr("Select an alert to see its details."));

    auto *filters = new QHBoxLayout;
    auto *statusLabel = new QLabel(tr("&Status:"), this);
    statusLabel->setBuddy(m_status);
    filters->addWidget(statusLabel);
    filters->addWidget(m_status);
    auto *kindLabel = new QLabel(tr("&Kind:"), this);
    kindLabel->setBuddy(m_kind);
    filters->addWidget(kindLabel);
    filters->addWidget(m_kind);
    filters->addWidget(m_summary, 1);
    filters->addWidget(m_refresh);
    filters->addWidget(m_acknowledge);
    auto *detailsBox = new QScrollArea(this);
    detailsBox->setWidget(m_details);
    detailsBox->setWidgetResizable(true);
    detailsBox->setFrameShape(QFrame::NoFrame);
    m_details->setContentsMargins(4, 4, 4, 4);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_view);
    split->addWidget(detailsBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({360, 200});
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);

    connect(m_status, &QComboBox::currentIndexChanged, this, &AlertsPage::refresh);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &AlertsPage::refresh);
    connect(m_refresh, &QPushButton::clicked, this, &AlertsPage::refresh);
    connect(m_acknowledge, &QPushButton::clicked, this, &AlertsPage::acknowledgeSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &AlertsPage::onSelectionChanged);

    // Should the server announce alerts on the event stream, the list follows at once; otherwise
    // the main window's periodic count and every visit keep it current.
    m_liveRefresh.setSingleShot(true);
    m_liveRefresh.setInterval(250);
    connect(&m_liveRefresh, &QTimer::timeout, this, &AlertsPage::refresh);
    connect(&session.events(), &client::EventStream::eventReceived, this,
            [this](const QString &type, const QJsonObject &, qint64) {
                if (type.startsWith(u"alert."_s) && isVisible())
                    m_liveRefresh.start();
            });
    updateActions();
}

AlertsPage::~AlertsPage() = default;

void AlertsPage::refresh()
{
    if (!m_session.isSignedIn())
        return;
    m_liveRefresh.stop();
    if (m_loading) {
        m_reloadWanted = true; // the filter changed while a list was on its way
        return;
    }
    m_loading = true;
    m_reloadWanted = false;
    m_summary->setText(tr("Loading…"));
    updateActions();
    QUrlQuery query;
    const QString status = m_status->currentData().toString();
    const QString kind = m_kind->currentData().toString();
    if (!status.isEmpty())
        query.addQueryItem(u"status"_s, status);
    if (!kind.isEmpty())
        query.addQueryItem(u"kind"_s, kind);
    query.addQueryItem(u"limit"_s, QString::number(kListLimit));
    m_session.api().get(
        u"/v1/alerts?"_s + query.toString(QUrl::FullyEncoded), this, [this](const client::RestResult &result) {
            m_loading = false;
            if (m_reloadWanted) {
                refresh();
                return;
            }
            if (!result.ok()) {
                m_summary->setText(tr("The alerts could not be loaded."));
                setMessage(result.message, true);
                updateActions();
                return;
            }
            QStringList selected;
            for (const QJsonObject &alert : selectedAlerts())
                selected.append(alert.value(u"id"_s).toString());
            const QJsonObject answer = result.object();
            QList<QJsonObject> rows;
            QStringList kinds;
            const QJsonArray items = answer.value(u"items"_s).toArray();
            for (const QJsonValue &item : items) {
                rows.append(item.toObject());
                kinds.append(rows.constLast().value(u"kind"_s).toString());
            }
            m_model->setRows(rows);
            rememberKinds(kinds);
            selectAlerts(selected);
            onSelectionChanged();
            m_summary->setText(rows.size() >= kListLimit ? tr("The newest %1 shown.").arg(rows.size())
                                                         : tr("%n alert(s).", nullptr, int(rows.size())));
            m_openCount = int(answer.value(u"open_count"_s).toInteger());
            emit openCountChanged(m_openCount); // the window's badge may be older than this list
            updateActions();
            emit loaded();
        });
}

void AlertsPage::rememberKinds(const QStringList &kinds)
{
    for (const QString &kind : kinds) {
        if (kind.isEmpty() || m_kind->findData(kind) >= 0)
            continue;
        const QSignalBlocker quiet(m_kind);
        m_kind->addItem(kindTitle(kind), kind);
    }
}

QString AlertsPage::messageText() const
{
    return m_message->text();
}

QString AlertsPage::detailsText() const
{
    return m_details->text();
}

QStringList AlertsPage::alertIds() const
{
    QStringList ids;
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        ids.append(m_proxy->index(row, 0).data(kIdRole).toString());
    return ids;
}

QString AlertsPage::cell(const QString &id, Column column) const
{
    const int row = m_model->rowOf(id);
    return row < 0 ? QString() : AlertTableModel::text(m_model->rows().at(row), column);
}

int AlertsPage::selectAlerts(const QStringList &ids)
{
    QItemSelection selection;
    for (const QString &id : ids) {
        const int row = m_model->rowOf(id);
        if (row < 0)
            continue;
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        selection.select(index, index);
    }
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (!selection.isEmpty())
        m_view->scrollTo(selection.first().topLeft());
    return int(selection.size());
}

void AlertsPage::setStatusFilter(const QString &status)
{
    const int index = m_status->findData(status);
    if (index >= 0)
        m_status->setCurrentIndex(index);
}

QList<QJsonObject> AlertsPage::selectedAlerts() const
{
    QList<QJsonObject> alerts;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows) {
        const QModelIndex source = m_proxy->mapToSource(index);
        if (source.isValid() && source.row() < m_model->rows().size())
            alerts.append(m_model->rows().at(source.row()));
    }
    return alerts;
}

void AlertsPage::onSelectionChanged()
{
    updateActions();
    const QList<QJsonObject> alerts = selectedAlerts();
    if (alerts.isEmpty()) {
        m_details->setText(tr("Select an alert to see its details."));
        return;
    }
    if (alerts.size() > 1) {
        m_details->setText(tr("%n alert(s) selected.", nullptr, int(alerts.size())));
        return;
    }
    const QJsonObject &alert = alerts.first();
    QStringList lines;
    lines << tr("%1 · %2 · %3")
                 .arg(severityTitle(alert.value(u"severity"_s).toString()),
                      kindTitle(alert.value(u"kind"_s).toString()), alert.value(u"kind"_s).toString());
    lines << tr("About: %1").arg(subjectText(alert));
    lines << tr("Raised: %1").arg(fullTimeText(alert.value(u"created_at"_s).toInteger()));
    lines << QString() << alert.value(u"message"_s).toString();
    const QJsonObject details = alert.value(u"details"_s).toObject();
    if (!details.isEmpty()) {
        lines << QString() << tr("Details:");
        for (auto it = details.begin(); it != details.end(); ++it) {
            const QJsonValue value = it.value();
            QString text;
            if (value.isArray())
                text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
            else if (value.isObject())
                text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
            else
                text = value.toVariant().toString();
            lines << u"  %1: %2"_s.arg(it.key(), text);
        }
    }
    lines << QString();
    if (alert.value(u"status"_s).toString() == u"ACKNOWLEDGED"_s)
        lines << tr("Acknowledged by %1 at %2")
                     .arg(alert.value(u"acknowledged_by"_s).toString(),
                          fullTimeText(alert.value(u"acknowledged_at"_s).toInteger()));
    else
        lines << tr("Open: nobody has acknowledged it yet.");
    m_details->setText(lines.join(u'\n'));
}

void AlertsPage::setMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    m_message->setStyleSheet(error ? u"color: #c62828;"_s : u"color: #2e7d32;"_s);
}

void AlertsPage::updateActions()
{
    bool anyOpen = false;
    for (const QJsonObject &alert : selectedAlerts())
        anyOpen = anyOpen || alert.value(u"status"_s).toString() == u"OPEN"_s;
    m_acknowledge->setEnabled(m_session.canAcknowledgeAlerts() && anyOpen && m_acknowledging == 0);
    m_refresh->setEnabled(!m_loading);
}

void AlertsPage::acknowledgeSelected()
{
    if (!m_session.canAcknowledgeAlerts() || m_acknowledging > 0)
        return;
    QStringList ids;
    for (const QJsonObject &alert : selectedAlerts())
        if (alert.value(u"status"_s).toString() == u"OPEN"_s)
            ids.append(alert.value(u"id"_s).toString());
    if (ids.isEmpty())
        return;
    if (ids.size() > kMaxAcknowledgeAtOnce) {
        setMessage(tr("Select at most %1 alerts at a time.").arg(kMaxAcknowledgeAtOnce), true);
        return;
    }
    m_acknowledging = int(ids.size());
    setMessage(tr("Acknowledging %n alert(s)…", nullptr, int(ids.size())), false);
    updateActions();
    // One call per alert: each is acknowledged (or refused) on its own.
    auto failures = std::make_shared<QStringList>();
    auto done = std::make_shared<int>(0);
    for (const QString &id : ids) {
        m_session.api().post(
            u"/v1/alerts/%1/acknowledge"_s.arg(QString::fromLatin1(QUrl::toPercentEncoding(id))), QJsonObject(), this,
            [this, failures, done, id](const client::RestResult &result) {
                if (result.ok())
                    ++*done;
                else
                    failures->append(tr("%1: %2").arg(id, result.message));
                if (--m_acknowledging > 0)
                    return;
                if (failures->isEmpty())
                    setMessage(tr("Acknowledged %n alert(s).", nullptr, *done), false);
                else
                    setMessage(tr("Acknowledged %1; not acknowledged: %2").arg(*done).arg(failures->join(u"; "_s)),
                               true);
                updateActions();
                refresh();
            });
    }
}

} // namespace paydesk::console
