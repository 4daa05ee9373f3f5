#include "OrdersPage.h"

#include "ConsoleSession.h"
#include "ConsoleSettings.h"
#include "MoneyText.h"
#include "OrderCsvExport.h"
#include "OrdersModel.h"
#include "RefundDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QEventLoop>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {

constexpr qint64 kMaxFilterFen = 10'000'000'000LL;

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString timeText(qint64 ms)
{
    return ms > 0 ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), u"yyyy-MM-dd HH:mm:ss.zzz"_s)
                  : QStringLiteral("—");
}

} // namespace

OrdersPage::OrdersPage(ConsoleSession &session, ConsoleSettings &settings, QWidget *parent)
    : QWidget(parent), m_session(session), m_settings(settings), m_model(new OrdersModel(session, this)),
      m_numberKind(new QComboBox(this)), m_number(new QLineEdit(this)), m_status(new QComboBox(this)),
      m_channel(new QComboBox(this)), m_minAmount(new QLineEdit(this)), m_maxAmount(new QLineEdit(this)),
      m_useDates(new QCheckBox(tr("&Created between"), this)), m_from(new QDateEdit(this)), m_to(new QDateEdit(this)),
      m_search(new QPushButton(tr("&Search"), this)), m_summary(new QLabel(this)), m_table(new QTableView(this)),
      m_detail(new QTextBrowser(this)), m_refund(new QPushButton(tr("&Refund…"), this)),
      m_close(new QPushButton(tr("C&lose order"), this)), m_resend(new QPushButton(tr("Resend &notification"), this)),
      m_settleRefund(new QPushButton(tr("Settle re&fund…"), this))
{
    setObjectName(u"ordersPage"_s);
    m_numberKind->addItem(tr("Order no."), u"order_no"_s);
    m_numberKind->addItem(tr("Merchant order no."), u"out_trade_no"_s);
    m_numberKind->addItem(tr("Channel trade no."), u"channel_trade_no"_s);
    m_number->setMaxLength(64);
    m_number->setPlaceholderText(tr("exact number"));
    m_number->setClearButtonEnabled(true);
    m_status->addItem(tr("Any status"), QString());
    for (const QString &status : {u"PAYING"_s, u"SUCCESS"_s, u"PARTIALLY_REFUNDED"_s, u"REFUNDED"_s, u"CLOSED"_s,
                                  u"ABNORMAL"_s, u"CREATED"_s})
        m_status->addItem(OrdersModel::statusTitle(status), status);
    m_channel->addItem(tr("Any channel"), QString());
    m_channel->addItem(OrdersModel::channelTitle(u"alipay"_s), u"alipay"_s);
    m_channel->addItem(OrdersModel::channelTitle(u"wechat"_s), u"wechat"_s);
    for (QLineEdit *amount : {m_minAmount, m_maxAmount}) {
        amount->setValidator(new MoneyValidator(kMaxFilterFen, amount));
        amount->setAlignment(Qt::AlignRight);
        amount->setMaximumWidth(110);
    }
    m_minAmount->setPlaceholderText(tr("min ¥"));
    m_maxAmount->setPlaceholderText(tr("max ¥"));
    for (QDateEdit *date : {m_from, m_to}) {
        date->setCalendarPopup(true);
        date->setDate(QDate::currentDate());
        date->setEnabled(false);
        date->setDisplayFormat(u"yyyy-MM-dd"_s);
    }
    m_from->setDate(QDate::currentDate().addDays(-30));
    connect(m_useDates, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_useDates, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    m_search->setDefault(true);
    auto *clear = new QPushButton(tr("Clear"), this);
    auto *exportButton = new QPushButton(QIcon(u":/icons/export.svg"_s), tr("&Export CSV…"), this);

    auto *filters = new QGridLayout;
    filters->addWidget(m_numberKind, 0, 0);
    filters->addWidget(m_number, 0, 1, 1, 3);
    filters->addWidget(m_status, 0, 4);
    filters->addWidget(m_channel, 0, 5);
    filters->addWidget(new QLabel(tr("Amount:"), this), 1, 0, Qt::AlignRight);
    auto *amounts = new QHBoxLayout;
    amounts->addWidget(m_minAmount);
    amounts->addWidget(new QLabel(u"–"_s, this));
    amounts->addWidget(m_maxAmount);
    amounts->addStretch();
    filters->addLayout(amounts, 1, 1);
    filters->addWidget(m_useDates, 1, 2, Qt::AlignRight);
    auto *dates = new QHBoxLayout;
    dates->addWidget(m_from);
    dates->addWidget(new QLabel(u"–"_s, this));
    dates->addWidget(m_to);
    filters->addLayout(dates, 1, 3);
    filters->addWidget(m_search, 1, 4);
    filters->addWidget(clear, 1, 5);
    filters->setColumnStretch(1, 1);

    m_table->setObjectName(u"ordersTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(OrdersModel::Created, Qt::DescendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(OrdersModel::Subject, QHeaderView::Stretch);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->verticalHeader()->setVisible(false);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setColumnWidth(OrdersModel::Created, 150);
    m_table->setColumnWidth(OrdersModel::OrderNo, 250);
    m_table->setColumnWidth(OrdersModel::OutTradeNo, 180);
    m_table->setColumnWidth(OrdersModel::Status, 130);

    m_detail->setObjectName(u"orderDetail"_s);
    m_detail->setOpenLinks(false);
    m_detail->setPlaceholderText(tr("Select an order to see its timeline, channel log, notifications and refunds."));
    m_refund->setObjectName(u"refundButton"_s);
    m_close->setObjectName(u"closeButton"_s);
    m_resend->setObjectName(u"resendButton"_s);
    m_settleRefund->setObjectName(u"settleRefundButton"_s);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_refund);
    actions->addWidget(m_close);
    actions->addWidget(m_resend);
    actions->addWidget(m_settleRefund);
    actions->addStretch();
    auto *detailPane = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(detailPane);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addLayout(actions);
    detailLayout->addWidget(m_detail, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(detailPane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_summary, 1);
    bottom->addWidget(exportButton);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);
    layout->addLayout(bottom);

    connect(m_search, &QPushButton::clicked, this, &OrdersPage::search);
    connect(m_number, &QLineEdit::returnPressed, this, &OrdersPage::search);
    connect(m_minAmount, &QLineEdit::returnPressed, this, &OrdersPage::search);
    connect(m_maxAmount, &QLineEdit::returnPressed, this, &OrdersPage::search);
    connect(clear, &QPushButton::clicked, this, &OrdersPage::clearFilters);
    connect(exportButton, &QPushButton::clicked, this, &OrdersPage::exportCsv);
    connect(m_refund, &QPushButton::clicked, this, &OrdersPage::refundSelected);
    connect(m_close, &QPushButton::clicked, this, &OrdersPage::closeSelected);
    connect(m_resend, &QPushButton::clicked, this, &OrdersPage::resendSelected);
    connect(m_settleRefund, &QPushButton::clicked, this, &OrdersPage::settleRefund);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    showDetail(m_model->orderAt(current.row()).value(u"order_no"_s).toString());
            });
    connect(m_model, &OrdersModel::loadingChanged, this, [this](bool loading) {
        m_search->setEnabled(!loading);
        if (loading)
            m_summary->setText(tr("Searching…"));
    });
    connect(m_model, &OrdersModel::pageLoaded, this, [this](int rows, bool more) {
        m_summary->setText(more ? tr("%1 orders shown; scroll for more").arg(QLocale().toString(rows))
                                : tr("%n order(s) found", nullptr, rows));
    });
    connect(m_model, &OrdersModel::failed, this,
            [this](const QString &message) { m_summary->setText(tr("Search failed: %1").arg(message)); });

    restoreSearch();
    updateActions();
}

QString OrdersPage::statusMessage() const
{
    return m_summary->text();
}

QUrlQuery OrdersPage::filtersFromInputs(QString *error) const
{
    QUrlQuery query;
    const QString number = m_number->text().trimmed();
    if (!number.isEmpty())
        query.addQueryItem(m_numberKind->currentData().toString(), number);
    if (!m_status->currentData().toString().isEmpty())
        query.addQueryItem(u"status"_s, m_status->currentData().toString());
    if (!m_channel->currentData().toString().isEmpty())
        query.addQueryItem(u"channel"_s, m_channel->currentData().toString());
    std::optional<qint64> minFen, maxFen;
    if (!m_minAmount->text().trimmed().isEmpty() && !(minFen = parseFen(m_minAmount->text()))) {
        *error = tr("The minimum amount is not an amount.");
        return {};
    }
    if (!m_maxAmount->text().trimmed().isEmpty() && !(maxFen = parseFen(m_maxAmount->text()))) {
        *error = tr("The maximum amount is not an amount.");
        return {};
    }
    if (minFen && maxFen && *minFen > *maxFen) {
        *error = tr("The minimum amount is above the maximum.");
        return {};
    }
    if (minFen)
        query.addQueryItem(u"amount_min"_s, QString::number(*minFen));
    if (maxFen)
        query.addQueryItem(u"amount_max"_s, QString::number(*maxFen));
    if (m_useDates->isChecked()) {
        if (m_from->date() > m_to->date()) {
            *error = tr("The first date is after the last.");
            return {};
        }
        // Whole local days: from the start of the first to the start of the day after the last.
        query.addQueryItem(u"from"_s, QString::number(m_from->date().startOfDay().toMSecsSinceEpoch()));
        query.addQueryItem(u"to"_s, QString::number(m_to->date().addDays(1).startOfDay().toMSecsSinceEpoch()));
    }
    return query;
}

void OrdersPage::refresh()
{
    search();
}

void OrdersPage::search()
{
    QString error;
    const QUrlQuery filters = filtersFromInputs(&error);
    if (!error.isEmpty()) {
        m_summary->setText(error);
        return;
    }
    saveSearch();
    m_detailJson = {};
    m_detailOrderNo.clear();
    m_detail->clear();
    updateActions();
    m_model->search(filters);
}

void OrdersPage::clearFilters()
{
    m_number->clear();
    m_status->setCurrentIndex(0);
    m_channel->setCurrentIndex(0);
    m_minAmount->clear();
    m_maxAmount->clear();
    m_useDates->setChecked(false);
    search();
}

void OrdersPage::saveSearch() const
{
    m_settings.setLastOrderSearch(QVariantMap{{u"number_kind"_s, m_numberKind->currentData()},
                                              {u"number"_s, m_number->text()},
                                              {u"status"_s, m_status->currentData()},
                                              {u"channel"_s, m_channel->currentData()},
                                              {u"amount_min"_s, m_minAmount->text()},
                                              {u"amount_max"_s, m_maxAmount->text()},
                                              {u"use_dates"_s, m_useDates->isChecked()},
                                              {u"from"_s, m_from->date()},
                                              {u"to"_s, m_to->date()}});
}

void OrdersPage::restoreSearch()
{
    const QVariantMap last = m_settings.lastOrderSearch();
    if (last.isEmpty())
        return;
    m_numberKind->setCurrentIndex(qMax(0, m_numberKind->findData(last.value(u"number_kind"_s))));
    m_number->setText(last.value(u"number"_s).toString().left(64));
    m_status->setCurrentIndex(qMax(0, m_status->findData(last.value(u"status"_s))));
    m_channel->setCurrentIndex(qMax(0, m_channel->findData(last.value(u"channel"_s))));
    m_minAmount->setText(last.value(u"amount_min"_s).toString().left(20));
    m_maxAmount->setText(last.value(u"amount_max"_s).toString().left(20));
    m_useDates->setChecked(last.value(u"use_dates"_s).toBool());
    if (last.value(u"from"_s).toDate().isValid())
        m_from->setDate(last.value(u"from"_s).toDate());
    if (last.value(u"to"_s).toDate().isValid())
        m_to->setDate(last.value(u"to"_s).toDate());
}

void OrdersPage::showDetail(const QString &orderNo)
{
    m_detailOrderNo = orderNo;
    m_session.api().get(u"/v1/admin/orders/"_s + orderNo, this, [this, orderNo](const client::RestResult &result) {
        if (orderNo != m_detailOrderNo)
            return;
        if (!result.ok()) {
            m_detailJson = {};
            m_detail->setHtml(u"<p style='color:#c62828'>%1</p>"_s.arg(esc(result.message)));
            updateActions();
            return;
        }
        m_detailJson = result.object();
        m_model->updateOrder(m_detailJson.value(u"order"_s).toObject());
        renderDetail();
        updateActions();
        emit detailLoaded(orderNo);
    });
}

void OrdersPage::renderDetail()
{
    const QJsonObject order = m_detailJson.value(u"order"_s).toObject();
    QString html;
    html += u"<h3>%1 · %2</h3>"_s.arg(esc(order.value(u"order_no"_s).toString()),
                                     esc(OrdersModel::statusTitle(order.value(u"status"_s).toString())));
    html += u"<table cellspacing='2' cellpadding='2'>"_s;
    const auto row = [&html](const QString &label, const QString &value) {
        html += u"<tr><td><b>%1</b></td><td>%2</td></tr>"_s.arg(esc(label), esc(value));
    };
    row(tr("Merchant order no."), order.value(u"out_trade_no"_s).toString());
    row(tr("Subject"), order.value(u"subject"_s).toString());
    row(tr("Channel"), OrdersModel::channelTitle(order.value(u"channel"_s).toString()) + u" ("_s
                           + order.value(u"channel_id"_s).toString() + u')');
    row(tr("Channel trade no."), order.value(u"channel_trade_no"_s).toString());
    row(tr("Amount"), formatCny(order.value(u"amount"_s).toInteger()));
    row(tr("Paid"), formatCny(order.value(u"paid_amount"_s).toInteger()));
    row(tr("Refunded"), formatCny(order.value(u"refunded_amount"_s).toInteger()));
    row(tr("Refundable"), formatCny(order.value(u"refundable_amount"_s).toInteger()));
    row(tr("Created"), timeText(order.value(u"created_at"_s).toInteger()));
    row(tr("Paid at"), timeText(order.value(u"paid_at"_s).toInteger()));
    row(tr("Expires"), timeText(order.value(u"expires_at"_s).toInteger()));
    html += u"</table>"_s;

    html += u"<h4>%1</h4><table cellspacing='2' cellpadding='2'>"_s.arg(esc(tr("Timeline")));
    for (const QJsonValue &value : m_detailJson.value(u"timeline"_s).toArray()) {
        const QJsonObject event = value.toObject();
        html += u"<tr><td>%1</td><td><b>%2</b></td><td>%3</td><td>%4</td></tr>"_s.arg(
            esc(timeText(event.value(u"at"_s).toInteger())),
            esc(OrdersModel::statusTitle(event.value(u"status"_s).toString())), esc(event.value(u"event"_s).toString()),
            esc(event.value(u"detail"_s).toString()));
    }
    html += u"</table>"_s;

    html += u"<h4>%1</h4>"_s.arg(esc(tr("Refunds")));
    const QJsonArray refunds = m_detailJson.value(u"refunds"_s).toArray();
    if (refunds.isEmpty())
        html += u"<p>%1</p>"_s.arg(esc(tr("None")));
    html += u"<table cellspacing='2' cellpadding='2'>"_s;
    for (const QJsonValue &value : refunds) {
        const QJsonObject refund = value.toObject();
        const QString channelStatus = refund.value(u"channel_status"_s).toString();
        const QString status = channelStatus.isEmpty()
            ? refund.value(u"status"_s).toString()
            : tr("%1 (%2 at the channel)").arg(refund.value(u"status"_s).toString(), channelStatus);
        html += u"<tr><td>%1</td><td>%2</td><td align='right'>%3</td><td>%4</td><td>%5</td></tr>"_s.arg(
            esc(timeText(refund.value(u"created_at"_s).toInteger())), esc(refund.value(u"refund_no"_s).toString()),
            esc(formatCny(refund.value(u"amount"_s).toInteger())), esc(status),
            esc(refund.value(u"reason"_s).toString()));
    }
    html += u"</table>"_s;

    html += u"<h4>%1</h4><table cellspacing='2' cellpadding='2'>"_s.arg(esc(tr("Channel log")));
    for (const QJsonValue &value : m_detailJson.value(u"channel_logs"_s).toArray()) {
        const QJsonObject log = value.toObject();
        const QString verification = log.value(u"verification"_s).toString();
        html += u"<tr><td>%1</td><td>%2 %3</td><td>HTTP %4</td><td>%5</td><td>%6</td><td>%7 ms</td></tr>"_s.arg(
            esc(timeText(log.value(u"at"_s).toInteger())), esc(log.value(u"direction"_s).toString()),
            esc(log.value(u"operation"_s).toString()), QString::number(log.value(u"http_status"_s).toInt()),
            esc(log.value(u"outcome"_s).toString()),
            esc(verification.isEmpty() ? QString() : tr("signature: %1").arg(verification)),
            QString::number(log.value(u"elapsed_ms"_s).toInteger()));
    }
    html += u"</table>"_s;

    html += u"<h4>%1</h4>"_s.arg(esc(tr("Merchant notifications")));
    const QJsonArray notifications = m_detailJson.value(u"notifications"_s).toArray();
    if (notifications.isEmpty())
        html += u"<p>%1</p>"_s.arg(esc(tr("None (no notify_url, or not paid yet)")));
    for (const QJsonValue &value : notifications) {
        const QJsonObject event = value.toObject();
        html += u"<p><b>%1</b> %2 · %3 · %4</p><table cellspacing='2' cellpadding='2'>"_s.arg(
            esc(event.value(u"type"_s).toString()), esc(event.value(u"url"_s).toString()),
            esc(event.value(u"status"_s).toString()),
            esc(tr("%n attempt(s)", nullptr, event.value(u"attempts"_s).toInt())));
        for (const QJsonValue &attempt : event.value(u"deliveries"_s).toArray()) {
            const QJsonObject a = attempt.toObject();
            html += u"<tr><td>#%1</td><td>%2</td><td>HTTP %3</td><td>%4</td><td>%5 ms</td></tr>"_s.arg(
                QString::number(a.value(u"attempt"_s).toInt()), esc(timeText(a.value(u"at"_s).toInteger())),
                QString::number(a.value(u"http_status"_s).toInt()),
                esc(a.value(u"error"_s).toString().isEmpty() ? a.value(u"response"_s).toString().left(60)
                                                              : a.value(u"error"_s).toString()),
                QString::number(a.value(u"elapsed_ms"_s).toInteger()));
        }
        html += u"</table>"_s;
    }
    m_detail->setHtml(html);
}

void OrdersPage::updateActions()
{
    const QJsonObject order = m_detailJson.value(u"order"_s).toObject();
    const QString status = order.value(u"status"_s).toString();
    const bool mine = !m_session.merchantId().isEmpty() && order.value(u"merchant_id"_s).toString() == m_session.merchantId();
    m_refund->setVisible(m_session.canRefund());
    m_close->setVisible(m_session.canClose());
    m_resend->setVisible(m_session.canResendNotifications());
    m_refund->setEnabled(mine && order.value(u"refundable_amount"_s).toInteger() > 0);
    m_close->setEnabled(mine && (status == u"PAYING"_s || status == u"CREATED"_s));
    m_resend->setEnabled(!m_detailJson.value(u"notifications"_s).toArray().isEmpty());
    m_settleRefund->setVisible(m_session.canSettleRefunds());
    bool inFlight = false;
    for (const QJsonValue &refund : m_detailJson.value(u"refunds"_s).toArray())
        inFlight = inFlight || refund[u"status"_s].toString() == u"PROCESSING"_s;
    m_settleRefund->setEnabled(inFlight);
}

void OrdersPage::settleRefund()
{
    // The oldest refund still in flight: retried through the channel when it is ABNORMAL there,
    // otherwise (or when a person knows better) decided by hand, with a note for the audit log.
    QJsonObject refund;
    for (const QJsonValue &value : m_detailJson.value(u"refunds"_s).toArray())
        if (refund.isEmpty() && value[u"status"_s].toString() == u"PROCESSING"_s)
            refund = value.toObject();
    const QString refundNo = refund.value(u"refund_no"_s).toString();
    const QString orderNo = m_detailJson.value(u"order"_s).toObject().value(u"order_no"_s).toString();
    if (refundNo.isEmpty())
        return;
    const bool abnormal = refund.value(u"channel_status"_s).toString() == u"ABNORMAL"_s;
    QMessageBox box(QMessageBox::Question, tr("Settle refund"),
                    abnormal ? tr("Refund %1 (%2) is ABNORMAL at the channel: the buyer's bank returned it. Send it "
                                  "again through the channel to the merchant's settlement account, or decide it by "
                                  "hand?")
                                   .arg(refundNo, formatCny(refund.value(u"amount"_s).toInteger()))
                             : tr("Refund %1 (%2) is still in flight. Decide it by hand?")
                                   .arg(refundNo, formatCny(refund.value(u"amount"_s).toInteger())),
                    QMessageBox::Cancel, this);
    box.setObjectName(u"settleRefundBox"_s);
    QPushButton *retry = abnormal ? box.addButton(tr("&Retry through the channel"), QMessageBox::AcceptRole) : nullptr;
    if (retry)
        retry->setObjectName(u"retryRefundButton"_s);
    QPushButton *byHand = box.addButton(tr("Decide by &hand…"), QMessageBox::ActionRole);
    box.exec();
    const auto done = [this, orderNo](const client::RestResult &result) {
        if (!result.ok())
            QMessageBox::warning(this, tr("Settle refund"), result.message);
        showDetail(orderNo);
    };
    if (retry && box.clickedButton() == retry) {
        m_settleRefund->setEnabled(false);
        m_session.api().post(u"/v1/admin/refunds/%1/abnormal-retry"_s.arg(refundNo),
                             QJsonObject{{u"type"_s, u"MERCHANT_BANK_CARD"_s}}, this, done);
        return;
    }
    if (box.clickedButton() != byHand)
        return;
    const QStringList outcomes{tr("The buyer got the money: succeeded"), tr("Abandon it: failed, money back")};
    bool ok = false;
    const QString outcome
        = QInputDialog::getItem(this, tr("Settle refund"), tr("Outcome of %1:").arg(refundNo), outcomes, 0, false, &ok);
    if (!ok)
        return;
    const QString note
        = QInputDialog::getText(this, tr("Settle refund"), tr("Note for the audit log:"), QLineEdit::Normal, {}, &ok)
              .trimmed()
              .left(200);
    if (!ok)
        return;
    if (note.isEmpty()) {
        QMessageBox::warning(this, tr("Settle refund"), tr("A note is required: say why."));
        return;
    }
    m_settleRefund->setEnabled(false);
    m_session.api().post(
        u"/v1/admin/refunds/%1/resolve"_s.arg(refundNo),
        QJsonObject{{u"outcome"_s, outcome == outcomes.first() ? u"succeeded"_s : u"failed"_s}, {u"note"_s, note}},
        this, done);
}

void OrdersPage::refundSelected()
{
    const QJsonObject order = m_detailJson.value(u"order"_s).toObject();
    if (order.isEmpty())
        return;
    RefundDialog dialog(m_session, order, this);
    if (dialog.exec() == QDialog::Accepted)
        showDetail(order.value(u"order_no"_s).toString());
}

void OrdersPage::closeSelected()
{
    const QJsonObject order = m_detailJson.value(u"order"_s).toObject();
    const QString orderNo = order.value(u"order_no"_s).toString();
    if (orderNo.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Close order"),
                              tr("Close order %1 (%2)? The customer can no longer pay it.")
                                  .arg(orderNo, formatCny(order.value(u"amount"_s).toInteger())))
        != QMessageBox::Yes)
        return;
    m_close->setEnabled(false);
    m_session.api().post(u"/v1/orders/%1/close"_s.arg(orderNo), {}, this,
                         [this, orderNo](const client::RestResult &result) {
                             if (!result.ok())
                                 QMessageBox::warning(this, tr("Close order"), result.message);
                             showDetail(orderNo);
                         });
}

void OrdersPage::resendSelected()
{
    const QString orderNo = m_detailJson.value(u"order"_s).toObject().value(u"order_no"_s).toString();
    if (orderNo.isEmpty())
        return;
    m_resend->setEnabled(false);
    m_session.api().post(u"/v1/orders/%1/notifications/resend"_s.arg(orderNo), {}, this,
                         [this, orderNo](const client::RestResult &result) {
                             if (!result.ok())
                                 QMessageBox::warning(this, tr("Resend notification"), result.message);
                             showDetail(orderNo);
                         });
}

void OrdersPage::exportCsv()
{
    QString error;
    const QUrlQuery filters = filtersFromInputs(&error);
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Export"), error);
        return;
    }
    const QString suggested = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
                              + u"/paydesk-orders-%1.csv"_s.arg(QDate::currentDate().toString(u"yyyyMMdd"_s));
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Export orders"), suggested, tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    if (!exportCsvTo(path, &error))
        QMessageBox::warning(this, tr("Export"), error);
}

bool OrdersPage::exportCsvTo(const QString &path, QString *error)
{
    QString problem;
    QUrlQuery query = filtersFromInputs(&problem);
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    const QUrlQuery sorted = m_model->pageQuery(QString(), 1);
    for (const QString &key : {u"sort"_s, u"order"_s})
        query.addQueryItem(key, sorted.queryItemValue(key));
    OrderCsvExport exporter(m_session, query);
    QProgressDialog progress(tr("Exporting orders…"), tr("Cancel"), 0, 0, this);
    progress.setObjectName(u"exportProgress"_s);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(300);
    QEventLoop loop;
    bool ok = false;
    connect(&exporter, &OrderCsvExport::progress, &progress,
            [&progress](int rows) { progress.setLabelText(tr("Exporting orders… %1 written").arg(QLocale().toString(rows))); });
    connect(&progress, &QProgressDialog::canceled, &exporter, &OrderCsvExport::cancel);
    connect(&exporter, &OrderCsvExport::finished, &loop, [&](bool success, const QString &message) {
        ok = success;
        problem = message;
        loop.quit();
    });
    if (!exporter.start(path, &problem)) {
        if (error)
            *error = problem;
        return false;
    }
    loop.exec();
    progress.reset();
    if (ok)
        m_summary->setText(tr("%1 orders exported to %2").arg(QLocale().toString(exporter.rows()), path));
    else if (error)
        *error = problem;
    return ok;
}

} // namespace paydesk::console
