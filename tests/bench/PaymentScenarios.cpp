// create, notify and mixed: the payment paths, with the channel sandbox on the other side.
#include "BenchRun.h"

#include "BenchDatabase.h"
#include "BenchStack.h"
#include "Books.h"
#include "MerchantEndpoint.h"
#include "NotificationSigner.h"
#include "OrderSeeder.h"

#include "server/store/Database.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

qint64 amountOf(qint64 i)
{
    return 1 + (i * 7919) % 99'999; // 0.01 to 999.99 CNY, a different amount for neighbours
}

// Signed POST /v1/orders, alternating Alipay and WeChat; remembers what was acknowledged.
class CreateLoad final
{
public:
    CreateLoad(const BenchStack &stack, QString prefix)
        : m_keyId(stack.keyId()), m_secret(stack.secret()), m_prefix(std::move(prefix))
    {
    }

    QByteArray request(qint64 i)
    {
        ++m_sent;
        const QJsonObject body{{u"out_trade_no"_s, m_prefix + QString::number(i)},
                               {u"amount"_s, amountOf(i)},
                               {u"subject"_s, u"Bench create %1"_s.arg(i)},
                               {u"channel"_s, channel(i)},
                               {u"method"_s, u"qr"_s}};
        return signedRequest(m_keyId, m_secret, "POST", "/v1/orders",
                             QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    bool check(qint64 i, int status, const QByteArray &body)
    {
        if (status != 201)
            return false;
        const QJsonObject order = QJsonDocument::fromJson(body).object();
        const QString outTradeNo = m_prefix + QString::number(i);
        if (order.value(u"out_trade_no"_s).toString() != outTradeNo
            || order.value(u"amount"_s).toInteger() != amountOf(i) || order.value(u"status"_s).toString() != u"PAYING"_s
            || order.value(u"qr_code"_s).toString().isEmpty())
            return false;
        m_acknowledged.insert(outTradeNo,
                              Books::Created{order.value(u"order_no"_s).toString(), amountOf(i), channel(i)});
        return true;
    }

    QString books(const QSqlDatabase &db, const QString &merchantId, QStringList *problems) const
    {
        return Books::checkCreates(db, merchantId, m_prefix, m_acknowledged, m_sent - m_acknowledged.size(), problems);
    }
    qint64 acknowledged() const { return m_acknowledged.size(); }

private:
    static QString channel(qint64 i) { return i % 2 == 0 ? u"alipay"_s : u"wechat"_s; }

    QString m_keyId;
    QByteArray m_secret;
    QString m_prefix;
    qint64 m_sent = 0;
    QHash<QString, Books::Created> m_acknowledged;
};

// PAYING orders in the database and their channel notifications, signed before the timed phase.
struct NotifyPool
{
    QString prefix;
    QList<SeededOrder> orders;
    QList<QByteArray> requests;
    std::vector<Books::Sent> sent;
    qsizetype next = 0;

    LoadClient::Request take(int kind)
    {
        if (next >= requests.size())
            return {};
        sent[size_t(next)] = Books::Sent::Unanswered;
        return {requests.at(next++), kind};
    }
    // Alipay wants the body "success", WeChat 200 or 204.
    bool check(qsizetype i, int status, const QByteArray &body)
    {
        const bool alipay = i % 2 == 0;
        const bool right = alipay ? status == 200 && body == "success" : status == 200 || status == 204;
        if (right)
            sent[size_t(i)] = Books::Sent::Acknowledged;
        return right;
    }
    qint64 acknowledgedAmount() const
    {
        qint64 total = 0;
        for (qsizetype i = 0; i < orders.size(); ++i)
            if (sent[size_t(i)] == Books::Sent::Acknowledged)
                total += orders.at(i).amount;
        return total;
    }
    qint64 acknowledged() const { return std::count(sent.begin(), sent.end(), Books::Sent::Acknowledged); }
};

// One order per channel through the API: the rows the seeded orders are cloned from.
bool createTemplates(BenchStack &stack, QList<OrderTemplate> *templates, QString *error)
{
    QStringList numbers;
    for (const QString &channel : {u"alipay"_s, u"wechat"_s}) {
        paydesk::test::ApiClient api = stack.client();
        const QJsonObject body{{u"out_trade_no"_s, u"TEMPLATE-"_s + channel},
                               {u"amount"_s, 100},
                               {u"subject"_s, u"Bench template"_s},
                               {u"channel"_s, channel},
                               {u"method"_s, u"qr"_s}};
        const auto created = api.signedRequest(stack.keyId(), stack.secret(), "POST", "/v1/orders",
                                               QJsonDocument(body).toJson(QJsonDocument::Compact));
        if (!created || created->status != 201) {
            *error = u"template order (%1): %2"_s.arg(channel, created ? QString::fromUtf8(created->body) : u"-"_s);
            return false;
        }
        numbers.append(paydesk::test::ApiClient::json(created).value(u"order_no"_s).toString());
    }
    for (const QString &number : std::as_const(numbers)) {
        OrderTemplate t;
        if (!PayingOrders::loadTemplate(stack.reader().threadConnection(), number, &t, error))
            return false;
        templates->append(t);
    }
    return true;
}

// count PAYING orders with their notifications, signed first. The server keeps running: the
// orders appear as another instance's writes would, created just before the phase that pays them,
// so their first active query (10 s after creation, as for the server's own) comes after it.
bool seedNotifyPool(BenchStack &stack, const QList<OrderTemplate> &templates, int count, const QString &prefix,
                    NotifyPool *pool, QString *error)
{
    const auto signer = NotificationSigner::load(stack.sandboxDir(), stack.sandboxManifest(), error);
    if (!signer)
        return false;
    pool->prefix = prefix;
    pool->orders = PayingOrders::plan(templates, count, prefix, [](int i) { return amountOf(i); });
    QList<NotificationSigner::Payment> payments;
    for (const SeededOrder &order : std::as_const(pool->orders))
        payments.append({order.orderNo, order.amount, order.subject, order.createdAt, order.createdAt + 20'000});
    QElapsedTimer timer;
    timer.start();
    pool->requests = signer->signAll(payments, BenchStack::channelId(u"alipay"_s), BenchStack::channelId(u"wechat"_s));
    const qint64 signMs = timer.restart();
    PayingOrders::insert(stack.reader().threadConnection(), templates, pool->orders);
    out() << QString::asprintf("  %d notifications signed in %.1f s; their %d PAYING orders written in %.1f s\n", count,
                               double(signMs) / 1000.0, count, double(timer.elapsed()) / 1000.0);
    out().flush();
    pool->sent.assign(size_t(count), Books::Sent::No);
    return true;
}

// Merchant notifications are delivered asynchronously by the server's job runner. After a phase
// the bench waits for all of them, bounded: a smoke run must see every one; a measuring run waits
// at most waitMs and reports the delivery rate since the phase began (deliveries are at least once,
// so the books count merchant_events rows and jobs, and delivery is a rate, not a verdict).
struct DeliveryWatch
{
    QElapsedTimer since;
    qint64 deliveredAtStart = 0;
};

DeliveryWatch watchDeliveries(BenchStack &stack)
{
    DeliveryWatch watch;
    watch.since.start();
    watch.deliveredAtStart = stack.merchantEndpoint()->counts().events;
    return watch;
}

QString awaitMerchantDeliveries(BenchStack &stack, const DeliveryWatch &watch, qint64 expected, qint64 waitMs,
                                bool mustComplete, ScenarioReport *report)
{
    MerchantEndpoint *endpoint = stack.merchantEndpoint();
    QElapsedTimer timer;
    timer.start();
    while (endpoint->counts().events < expected && timer.elapsed() < waitMs)
        QThread::msleep(50);
    const MerchantEndpoint::Counts counts = endpoint->counts();
    const double seconds = double(watch.since.elapsed()) / 1000.0;
    const double rate = double(counts.events - watch.deliveredAtStart) / std::max(0.001, seconds);
    report->details.insert(u"merchant_notifications_delivered"_s, counts.events);
    report->details.insert(u"merchant_notifications_owed"_s, expected);
    report->details.insert(u"merchant_deliveries_per_second"_s, rate);
    const QString state
        = u"%1 of %2 merchant notifications delivered, signed, %3/s since the phase began"_s.arg(counts.events)
              .arg(expected)
              .arg(formatRate(rate));
    if (counts.events < expected) {
        if (mustComplete)
            report->problems.append(
                u"the merchant received %1 of %2 paid-order notifications within %3 s"_s.arg(counts.events)
                    .arg(expected)
                    .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1));
        else
            report->notes.append(
                u"merchant delivery lags: %1 of %2 delivered %3 s after the phase (%4/s)"_s.arg(counts.events)
                    .arg(expected)
                    .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1)
                    .arg(formatRate(rate)));
    }
    if (counts.rejected > 0)
        report->problems.append(u"%1 merchant notifications had a wrong signature"_s.arg(counts.rejected));
    if (counts.repeated > 0)
        report->notes.append(
            u"%1 merchant notifications were delivered more than once (allowed: at least once)"_s.arg(counts.repeated));
    return state;
}

} // namespace

qint64 BenchRun::deliveryWaitMs() const
{
    return m_settings.smoke ? 60'000 : qint64(m_settings.seconds) * 1000;
}

std::optional<ScenarioReport> BenchRun::create()
{
    BenchStack stack(m_databases, {});
    QString error;
    if (!stack.prepare(&error) || !stack.startServer(&error)) {
        out() << "paydesk-bench: " << error << "\n";
        return std::nullopt;
    }
    CreateLoad creates(stack, u"C%1-"_s.arg(m_runTag));
    ScenarioReport report = measure(
        stack, u"create"_s, phase(m_settings.creates),
        [&](qint64 i, int) {
            return LoadClient::Request{creates.request(i), int(i % 2)};
        },
        [&](qint64 i, int, int, int status, const QByteArray &body) { return creates.check(i, status, body); });
    report.kindNames = {{0, u"alipay precreate"_s}, {1, u"wechat native"_s}};
    report.target = u">= 2000/s"_s;
    report.targetMet = report.load.perSecond() >= 2000;
    if (m_limits) {
        report.ceilings.append(
            Ceiling{u"crypto bound"_s, m_limits->createCryptoBound(),
                    u"%1 cores / (2 RSA-2048 signs + 2 verifies) per create"_s.arg(m_limits->cores)});
        addBareCeiling(report, u"GET /healthz on the same stack"_s);
    }
    QStringList summaries;
    QSqlDatabase db = stack.reader().threadConnection();
    summaries << creates.books(db, stack.merchantId(), &report.problems) << Books::checkWhole(db, &report.problems);
    db = QSqlDatabase(); // the handle goes before the reader's connections close
    closeBooks(stack, report, summaries);
    return report;
}

std::optional<ScenarioReport> BenchRun::notify()
{
    BenchStack stack(m_databases, BenchStack::Options{true, {}});
    QString error;
    QList<OrderTemplate> templates;
    if (!stack.prepare(&error) || !stack.startServer(&error) || !createTemplates(stack, &templates, &error)) {
        out() << "paydesk-bench: " << error << "\n";
        return std::nullopt;
    }
    // A short unmeasured run first: it warms the server up and sizes the measured pool to what
    // this machine gets through in the phase (unpaid orders left over would only be polled).
    NotifyPool calibration;
    int poolSize = m_settings.notifies;
    if (!m_settings.smoke) {
        const int count = std::min(m_settings.notifies, 2'000);
        if (!seedNotifyPool(stack, templates, count, u"NC%1-"_s.arg(m_runTag), &calibration, &error)) {
            out() << "paydesk-bench: " << error << "\n";
            return std::nullopt;
        }
        LoadClient warm(
            stack.port(), stack.ca(), LoadClient::Options{m_settings.connections, count, 3, false},
            [&](qint64, int) { return calibration.take(int(calibration.next % 2)); },
            [&](qint64 i, int, int, int status, const QByteArray &body) { return calibration.check(i, status, body); });
        const double rate = warm.run().perSecond();
        poolSize = int(std::clamp(rate * m_settings.seconds, 1'000.0, double(m_settings.notifies)));
        out() << QString::asprintf("  calibration: %.0f notifications/s; %d for the %d s phase\n", rate, poolSize,
                                   m_settings.seconds);
    }
    NotifyPool pool;
    if (!seedNotifyPool(stack, templates, poolSize, u"N%1-"_s.arg(m_runTag), &pool, &error)) {
        out() << "paydesk-bench: " << error << "\n";
        return std::nullopt;
    }
    const DeliveryWatch deliveries = watchDeliveries(stack);
    ScenarioReport report = measure(
        stack, u"notify"_s, phase(pool.requests.size()), [&](qint64, int) { return pool.take(int(pool.next % 2)); },
        [&](qint64 i, int, int, int status, const QByteArray &body) { return pool.check(i, status, body); });
    report.kindNames = {{0, u"alipay notify"_s}, {1, u"wechat notify"_s}};
    report.target = u">= 10000/s"_s;
    report.targetMet = report.load.perSecond() >= 10'000;
    if (pool.next >= pool.requests.size())
        report.notes.append(u"all %1 pre-signed notifications were sent in %2 s"_s.arg(pool.requests.size())
                                .arg(report.load.seconds, 0, 'f', 1));
    if (m_limits) {
        addBareCeiling(report, u"GET /healthz on the same stack"_s);
        report.ceilings.append(Ceiling{u"RSA-2048 verify, all cores"_s, m_limits->rsaVerifyPerSecond * m_limits->cores,
                                       u"one signature check per notification"_s});
        report.ceilings.append(Ceiling{u"durable rows / 16"_s, m_limits->batchedRowsPerSecond / 16.0,
                                       u"about 16 row writes per paid order (order, entry, 2 postings, 2 balances,"
                                       " timeline, log, event, 2 jobs, stream; delivery: attempt, event, job)"_s});
    }
    QStringList summaries;
    summaries << awaitMerchantDeliveries(stack, deliveries, calibration.acknowledged() + pool.acknowledged(),
                                         deliveryWaitMs(), m_settings.smoke, &report);
    QSqlDatabase db = stack.reader().threadConnection();
    if (!calibration.orders.isEmpty())
        summaries << u"calibration: "_s
                + Books::checkNotified(db, stack.merchantId(), calibration.prefix, calibration.orders, calibration.sent,
                                       &report.problems);
    summaries << Books::checkNotified(db, stack.merchantId(), pool.prefix, pool.orders, pool.sent, &report.problems);
    const qint64 balance = Books::merchantBalance(db, stack.merchantId());
    const qint64 credited = calibration.acknowledgedAmount() + pool.acknowledgedAmount();
    if (balance != credited)
        report.problems.append(
            u"the merchant's settlement balance is %1 fen, the notified orders sum to %2"_s.arg(balance).arg(credited));
    if (balance == credited)
        summaries << u"merchant balance %1 fen = sum of the paid orders"_s.arg(balance);
    summaries << Books::checkWhole(db, &report.problems);
    db = QSqlDatabase(); // the handle goes before the reader's connections close
    closeBooks(stack, report, summaries);
    return report;
}

std::optional<ScenarioReport> BenchRun::mixed()
{
    BenchStack stack(m_databases, BenchStack::Options{true, {}});
    QString error;
    NotifyPool pool;
    const ScenarioReport *create = previous(u"create"_s);
    const ScenarioReport *notify = previous(u"notify"_s);
    const ScenarioReport *query = previous(u"query"_s);
    double blended = 0;
    if (create && notify && query)
        blended
            = 1.0 / (0.3 / create->load.perSecond() + 0.3 / notify->load.perSecond() + 0.4 / query->load.perSecond());
    // Enough notifications for the phase, going by the single paths when they ran.
    const int poolSize = m_settings.smoke || blended <= 0
        ? std::max(2, m_settings.smoke ? m_settings.notifies : m_settings.notifies / 4)
        : int(std::clamp(0.3 * blended * m_settings.seconds * 1.5, 1'000.0, double(m_settings.notifies)));
    QList<OrderTemplate> templates;
    if (!stack.prepare(&error) || !stack.startServer(&error) || !createTemplates(stack, &templates, &error)
        || !seedNotifyPool(stack, templates, poolSize, u"X%1-"_s.arg(m_runTag), &pool, &error)) {
        out() << "paydesk-bench: " << error << "\n";
        return std::nullopt;
    }
    CreateLoad creates(stack, u"M%1-"_s.arg(m_runTag));
    enum Kind { Create = 0, Notify = 1, Query = 2 };
    std::vector<qsizetype> notifyOf; // request index → pool index, for notifications
    QHash<qint64, qsizetype> poolIndex;
    QHash<qint64, qint64> queried; // request index → order index
    quint64 seed = 0x5EED;
    const auto random = [&seed] {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        return seed >> 33;
    };
    const DeliveryWatch deliveries = watchDeliveries(stack);
    ScenarioReport report = measure(
        stack, u"mixed"_s, phase(),
        [&](qint64 i, int) -> LoadClient::Request {
            const int slot = int(i % 10); // 3 creates, 3 notifications, 4 look-ups in every 10 requests
            if (slot < 3)
                return {creates.request(i), Create};
            if (slot < 6 && pool.next < pool.requests.size()) {
                poolIndex.insert(i, pool.next);
                return pool.take(Notify);
            }
            const qint64 order = qint64(random() % quint64(pool.orders.size()));
            queried.insert(i, order);
            return {signedRequest(stack.keyId(), stack.secret(), "GET",
                                  "/v1/orders/" + pool.orders.at(order).orderNo.toLatin1()),
                    Query};
        },
        [&](qint64 i, int, int kind, int status, const QByteArray &body) {
            if (kind == Create)
                return creates.check(i, status, body);
            if (kind == Notify)
                return pool.check(poolIndex.value(i), status, body);
            const SeededOrder &order = pool.orders.at(queried.take(i));
            return status == 200 && body.contains(order.orderNo.toLatin1())
                && body.contains("\"amount\":" + QByteArray::number(order.amount) + ',');
        });
    report.kindNames = {{Create, u"create"_s}, {Notify, u"notify"_s}, {Query, u"query"_s}};
    if (pool.next >= pool.requests.size())
        report.notes.append(u"the %1 pre-signed notifications ran out: later notification slots became look-ups"_s.arg(
            pool.requests.size()));
    if (blended > 0) {
        report.ceilings.append(Ceiling{u"blend of the single paths"_s, blended,
                                       u"1 / (0.3/create + 0.3/notify + 0.4/query) of this run's scenarios"_s});
    }
    addBareCeiling(report, u"GET /healthz on the same stack"_s);
    QStringList summaries;
    summaries << awaitMerchantDeliveries(stack, deliveries, pool.acknowledged(), deliveryWaitMs(), m_settings.smoke,
                                         &report);
    QSqlDatabase db = stack.reader().threadConnection();
    summaries << creates.books(db, stack.merchantId(), &report.problems)
              << Books::checkNotified(db, stack.merchantId(), pool.prefix, pool.orders, pool.sent, &report.problems);
    const qint64 balance = Books::merchantBalance(db, stack.merchantId());
    if (balance != pool.acknowledgedAmount())
        report.problems.append(
            u"the merchant's settlement balance is %1 fen, the notified orders sum to %2"_s.arg(balance).arg(
                pool.acknowledgedAmount()));
    else
        summaries << u"merchant balance %1 fen = sum of the paid orders"_s.arg(balance);
    summaries << Books::checkWhole(db, &report.problems);
    db = QSqlDatabase(); // the handle goes before the reader's connections close
    closeBooks(stack, report, summaries);
    return report;
}

} // namespace paydesk::bench
