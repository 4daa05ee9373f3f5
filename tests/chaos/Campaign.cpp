#include "Campaign.h"

#include "MerchantReceiver.h"
#include "PaymentStack.h"

#include "server/recon/ReconService.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <atomic>
#include <cstdio>
#include <random>
#include <thread>

using namespace Qt::StringLiterals;
using paydesk::test::ApiClient;
using paydesk::test::PaymentStack;
using paydesk::test::RawResponse;
using paydesk::test::ServerProcess;

namespace paydesk::chaos {

namespace {

/// Waits for a condition with a deadline.
template<typename Condition> bool waitUntil(Condition condition, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (condition())
            return true;
        QThread::msleep(25);
    }
    return condition();
}

/// The server faults a seed can arm: named failpoints in the server (test builds only).
const QStringList kFailpoints{
    u"writer.before_commit=kill"_s,
    u"writer.after_commit=kill"_s,
    u"http.before_answer=kill"_s,
    u"notify.after_send=kill"_s,
    u"payments.after_prepay_call=fail"_s,
    u"payments.after_refund_call=fail"_s,
    u"payments.after_refund_call=kill"_s,
    u"withdrawal.after_payout_call=kill"_s,
    u"redpacket.between_claim_and_transfer=fail"_s,
};

class Scenario
{
public:
    Scenario(quint64 seed, const Options &options, Outcome &outcome)
        : m_seed(seed), m_options(options), m_outcome(outcome), m_rng(seed * 0x9E3779B97F4A7C15ULL + 1)
    {
    }
    ~Scenario()
    {
        if (m_second)
            m_second->terminate();
    }

    bool setUp();
    void run();
    void settle();
    void check();
    bool tearDown();

private:
    struct Order
    {
        QString orderNo, outTradeNo, channel;
        qint64 amount = 0;
    };
    struct User
    {
        PaymentStack::AppUser app;
        QString cardId;
    };

    // randomness: everything a scenario does comes from the seed
    int below(int n) { return n <= 1 ? 0 : int(m_rng() % quint64(n)); }
    qint64 between(qint64 low, qint64 high)
    {
        return high <= low ? low : low + qint64(m_rng() % quint64(high - low + 1));
    }
    bool chance(int percent) { return below(100) < percent; }

    // history
    void note(const QString &op, const QString &what, const std::optional<RawResponse> &answer)
    {
        const QString line = u"#%1 %2 %3 -> %4"_s.arg(m_step).arg(
            op, what,
            answer ? u"%1 %2"_s.arg(answer->status).arg(QString::fromUtf8(answer->body.left(160))) : u"no answer"_s);
        m_history.append(line);
        ++m_outcome.requests;
        if (m_options.verbose)
            std::printf("%s\n", qPrintable(line));
    }
    void event(const QString &what)
    {
        m_history.append(u"#%1 ** %2"_s.arg(m_step).arg(what));
        if (m_options.verbose)
            std::printf("%s\n", qPrintable(m_history.constLast()));
    }
    void violation(const QString &what)
    {
        if (m_outcome.violations.isEmpty())
            m_outcome.historyTail = m_history.mid(std::max<qsizetype>(0, m_history.size() - 25));
        m_outcome.violations.append(what);
    }
    void expect(bool holds, const QString &what)
    {
        ++m_outcome.invariantsChecked;
        if (!holds)
            violation(what);
    }

    // the server, restarted (disarmed) whenever a fault killed it
    // No event loop runs here: waitForFinished(1) lets QProcess notice a child that died.
    bool serverAlive()
    {
        QProcess &process = m_stack.server().process();
        return process.state() == QProcess::Running && !process.waitForFinished(1);
    }
    void ensureServer();
    std::optional<RawResponse> merchant(const QByteArray &method, const QByteArray &target,
                                        const QJsonObject &body = {});
    std::optional<RawResponse> admin(const QByteArray &method, const QByteArray &target, const QJsonObject &body = {});
    std::optional<RawResponse> app(const User &user, const QByteArray &method, const QByteArray &target,
                                   const QJsonObject &body = {}, const QByteArray &headers = {});
    QJsonObject control(const QByteArray &method, const QByteArray &path, const QJsonObject &body = {},
                        int *status = nullptr)
    {
        int code = 0;
        const QJsonObject answer = m_stack.sandbox().control(method, path, body, &code);
        if (status)
            *status = code;
        return answer;
    }
    QSqlDatabase db() { return m_stack.reader().threadConnection(); }
    qint64 scalar(const QString &sql, const QVariantList &binds = {})
    {
        QSqlQuery query = sqlExec(db(), sql, binds);
        return query.next() ? query.value(0).toLongLong() : -1;
    }
    QString reasonOf(const QString &orderNo)
    {
        QSqlQuery query
            = sqlExec(db(), u"SELECT COALESCE(status_reason, '') FROM orders WHERE order_no = ?"_s, {orderNo});
        return query.next() ? query.value(0).toString() : QString();
    }
    QString orderStatus(const QString &orderNo)
    {
        QSqlQuery query = sqlExec(db(), u"SELECT status FROM orders WHERE order_no = ?"_s, {orderNo});
        return query.next() ? query.value(0).toString() : QString();
    }
    User &someUser();
    User *userWith(qint64 atLeast);
    qint64 available(const User &user) { return m_stack.available(user.app); }

    // operations
    void payment();
    void refund();
    void wechatRefundAtItsEdges();
    void recharge();
    void transfer();
    void withdrawal();
    void redPacket();
    void merchantFails()
    {
        if (chance(50)) {
            m_receiver.failNext(int(between(1, 4)));
            event(u"the merchant's back end fails its next deliveries"_s);
        } else {
            m_receiver.slowNext(int(between(1, 3)), 2'000);
            event(u"the merchant's back end answers its next deliveries after 2 s (the job lease is 1.5 s)"_s);
        }
    }
    void kill();

    quint64 m_seed;
    Options m_options;
    Outcome &m_outcome;
    std::mt19937_64 m_rng;
    PaymentStack m_stack;
    test::MerchantReceiver m_receiver;
    std::unique_ptr<ServerProcess> m_second; ///< the second instance (PostgreSQL)
    QString m_secondDir;
    QStringList m_history;
    int m_step = 0;
    QList<Order> m_orders;
    QList<User> m_users;
    QStringList m_packets;
    QStringList m_withdrawals;
    struct Granted
    {
        QString kind, id;
        qint64 amount = 0;
        QString owner;
    };
    QList<Granted> m_granted; ///< what 2xx answers said was done: checked against storage
    int m_nextKey = 0;
};

void Scenario::ensureServer()
{
    if (serverAlive())
        return;
    event(u"server died (%1); restarting it without faults"_s.arg(m_outcome.faults));
    ++m_outcome.crashes;
    qunsetenv("PAYDESK_FAILPOINTS");
    QString error;
    // The same process object starts again on the same port: a real server keeps its address,
    // and the channels' notifications in flight are addressed to it.
    if (!m_stack.server().start(&error))
        violation(u"the server did not come back after a crash: "_s + error);
}

std::optional<RawResponse> Scenario::merchant(const QByteArray &method, const QByteArray &target,
                                              const QJsonObject &body)
{
    // With two instances, the merchant's calls go to either.
    if (m_second && m_second->process().state() == QProcess::Running && !m_second->process().waitForFinished(1)
        && chance(50)) {
        ApiClient api(m_second->port(), m_second->caCertificate());
        return api.signedRequest(m_stack.keyId(), m_stack.secret(), method, target,
                                 body.isEmpty() ? QByteArray() : test::compactJson(body));
    }
    return m_stack.merchant(method, target, body);
}

std::optional<RawResponse> Scenario::admin(const QByteArray &method, const QByteArray &target, const QJsonObject &body)
{
    ApiClient api = m_stack.client();
    return api.bearer(m_stack.adminToken(), method, target, body.isEmpty() ? QByteArray() : test::compactJson(body));
}

std::optional<RawResponse> Scenario::app(const User &user, const QByteArray &method, const QByteArray &target,
                                         const QJsonObject &body, const QByteArray &headers)
{
    return m_stack.app(user.app, method, target, body, headers);
}

bool Scenario::setUp()
{
    QString error;
    const bool ready = m_stack.setUp(&error, [this](const QString &dataDir) {
        QFile ca(dataDir + u"/receiver-ca.pem"_s);
        if (ca.open(QIODevice::WriteOnly))
            ca.write(m_receiver.ca().toPem());
        return QStringList{u"--notify-ca"_s, dataDir + u"/receiver-ca.pem"_s};
    });
    if (!ready) {
        m_outcome.setupError = error;
        return false;
    }
    m_receiver.setSecret(m_stack.keyId(), m_stack.secret());
    const auto settings
        = m_stack.merchant("POST", "/v1/merchant/settings",
                           {{u"notify_url"_s, u"https://localhost:%1/merchant/notify"_s.arg(m_receiver.port())}});
    if (!settings || settings->status != 200) {
        m_outcome.setupError = u"cannot set the merchant's notify URL"_s;
        return false;
    }
    // Short leases, so work a crashed instance held is taken over within the scenario.
    const QByteArray testing = "[testing]\nroutes=true\nidempotency_lease_ms=1500\njob_lease_ms=1500\n";
    QStringList faults;
    if (chance(60)) {
        const QString point = kFailpoints.at(below(int(kFailpoints.size())));
        faults << point + u"@"_s + QString::number(between(3, 40));
    }
    m_outcome.faults = faults.isEmpty() ? u"none"_s : faults.join(u';');
    if (!m_stack.writeConfig(testing, &error)) {
        m_outcome.setupError = error;
        return false;
    }
    if (!faults.isEmpty())
        qputenv("PAYDESK_FAILPOINTS", faults.join(u';').toUtf8());
    const bool restarted = m_stack.restartServer(&error);
    qunsetenv("PAYDESK_FAILPOINTS");
    if (!restarted && faults.isEmpty()) {
        m_outcome.setupError = error;
        return false;
    }
    if (!restarted) {
        // The armed point fired while the server was starting (its health checks are answers
        // too): a crash like any other, and the scenario goes on with a server without faults.
        event(u"the server died while starting with %1"_s.arg(m_outcome.faults));
        ++m_outcome.crashes;
        m_stack.server().process().waitForFinished(10'000);
        if (!m_stack.server().start(&error)) {
            m_outcome.setupError = error;
            return false;
        }
    }
    if (m_options.twoInstances && m_stack.reader().isSqlite() == false) {
        // A second instance: its own data directory with the same keys and TLS files, node 1, and a
        // clock a little off.
        m_secondDir = m_stack.dataDir() + u"-node1"_s;
        QDir().mkpath(m_secondDir);
        for (const QString &file : {u"paydesk.ini"_s, u"receiver-ca.pem"_s})
            QFile::copy(m_stack.dataDir() + u'/' + file, m_secondDir + u'/' + file);
        for (const QString &folder : {u"tls"_s, u"keys"_s}) {
            QDir source(m_stack.dataDir() + u'/' + folder);
            QDir().mkpath(m_secondDir + u'/' + folder);
            for (const QString &file : source.entryList(QDir::Files))
                QFile::copy(source.filePath(file), m_secondDir + u'/' + folder + u'/' + file);
        }
        QFile ini(m_secondDir + u"/paydesk.ini"_s);
        if (ini.open(QIODevice::Append))
            ini.write("[server]\nnode_id=1\n");
        ini.close();
        const qint64 skew = between(-2000, 2000);
        m_outcome.faults += u"; node 1 clock %1 ms"_s.arg(skew);
        qputenv("PAYDESK_CLOCK_SKEW_MS", QByteArray::number(skew));
        m_second = std::make_unique<ServerProcess>(
            m_secondDir, m_stack.server().database(),
            QStringList{u"--time-scale"_s, u"1000"_s, u"--notify-ca"_s, m_secondDir + u"/receiver-ca.pem"_s});
        const bool started = m_second->start(&error);
        qunsetenv("PAYDESK_CLOCK_SKEW_MS");
        if (!started) {
            m_outcome.setupError = u"second instance: "_s + error;
            return false;
        }
    }
    return true;
}

Scenario::User &Scenario::someUser()
{
    if (m_users.size() < 2 || (m_users.size() < 6 && chance(30)))
        m_users.append(User{m_stack.newAppUser(), {}});
    return m_users[below(int(m_users.size()))];
}

Scenario::User *Scenario::userWith(qint64 atLeast)
{
    QList<int> candidates;
    for (int i = 0; i < m_users.size(); ++i)
        if (available(m_users[i]) >= atLeast)
            candidates.append(i);
    return candidates.isEmpty() ? nullptr : &m_users[candidates.at(below(int(candidates.size())))];
}

void Scenario::payment()
{
    const QString channel = chance(50) ? u"alipay"_s : u"wechat"_s;
    const qint64 amount = between(1, 50'000);
    const QString outTradeNo = u"C%1-%2"_s.arg(m_seed).arg(m_step);
    const QJsonObject body{{u"out_trade_no"_s, outTradeNo},
                           {u"amount"_s, amount},
                           {u"subject"_s, u"chaos %1"_s.arg(m_step)},
                           {u"channel"_s, channel},
                           {u"method"_s, u"qr"_s}};
    std::optional<RawResponse> created = merchant("POST", "/v1/orders", body);
    note(u"create"_s, u"%1 %2 fen %3"_s.arg(outTradeNo).arg(amount).arg(channel), created);
    if (!created || created->status / 100 != 2) {
        ensureServer();
        created = merchant("POST", "/v1/orders", body); // the same out_trade_no: the same order
        note(u"create (retry)"_s, outTradeNo, created);
    }
    if (!created || created->status / 100 != 2)
        return;
    const QJsonObject order = ApiClient::json(created);
    const QString orderNo = order.value(u"order_no"_s).toString();
    m_orders.append(Order{orderNo, outTradeNo, channel, amount});
    m_granted.append({u"order"_s, orderNo, amount, {}});
    if (order.value(u"qr_code"_s).toString().isEmpty())
        return; // prepay unknown: the poll decides
    QJsonObject faults{{u"channel"_s, channel}};
    QJsonObject pay{{u"code"_s, order.value(u"qr_code"_s).toString()}};
    const int variant = below(channel == u"wechat"_s ? 9 : 8);
    QString how = u"normal"_s;
    if (variant == 8) {
        // Paid while the channel's API is down for Paydesk and no notification gets through, then
        // refunded in full from the merchant's portal before any query sees it paid.
        m_stack.setFaults({{u"channel"_s, channel}, {u"drop_notifications"_s, true}, {u"down"_s, true}});
        control("POST", "/control/pay", pay);
        int code = 0;
        control("POST", "/control/trades/" + orderNo.toUtf8() + "/refund", {{u"amount"_s, amount}}, &code);
        event(u"buyer pays %1, refunded at the channel's portal (%2)"_s.arg(orderNo).arg(code));
        // Paydesk hears of the payment only later: a notification retry, or a query.
        QThread::msleep(2'500);
        m_stack.setFaults({});
        return;
    }
    switch (variant) {
    case 1:
        faults.insert(u"duplicate_notifications"_s, int(between(1, 3)));
        how = u"duplicate notifications"_s;
        break;
    case 2:
        faults.insert(u"drop_notifications"_s, true);
        how = u"notifications dropped"_s;
        break;
    case 3:
        faults.insert(u"reverse_order"_s, true);
        faults.insert(u"duplicate_notifications"_s, 1);
        how = u"reordered"_s;
        break;
    case 4:
        pay.insert(u"amount"_s, amount + between(1, 100));
        how = u"another amount"_s;
        break;
    case 5:
        faults.insert(u"bad_signature"_s, true);
        how = u"forged notifications"_s;
        break;
    case 6: {
        const auto closed = merchant("POST", "/v1/orders/" + orderNo.toUtf8() + "/close");
        note(u"close"_s, orderNo, closed);
        pay.insert(u"force"_s, true);
        how = u"after close"_s;
        break;
    }
    case 7: how = u"not paid"_s; break;
    default: break;
    }
    if (variant == 7)
        return;
    m_stack.setFaults(faults);
    const QJsonObject paid = control("POST", "/control/pay", pay);
    event(u"buyer pays %1 (%2): %3"_s.arg(orderNo, how, paid.value(u"status"_s).toString()));
    if (variant == 3)
        QThread::msleep(quint64(between(0, 50)));
    m_stack.setFaults({});
}

void Scenario::refund()
{
    QList<Order> paid;
    for (const Order &order : std::as_const(m_orders)) {
        const QString status = orderStatus(order.orderNo);
        if (status == u"SUCCESS"_s || status == u"PARTIALLY_REFUNDED"_s)
            paid.append(order);
    }
    if (paid.isEmpty())
        return payment();
    const Order order = paid.at(below(int(paid.size())));
    const qint64 refundable
        = scalar(u"SELECT paid_amount - refund_reserved FROM orders WHERE order_no = ?"_s, {order.orderNo});
    if (refundable <= 0)
        return;
    const QByteArray path = "/v1/orders/" + order.orderNo.toUtf8() + "/refunds";
    // Sometimes two at once, together more than is left; sometimes one for more than is left.
    const int concurrent = chance(30) ? 2 : 1;
    const qint64 each = concurrent == 2 ? std::max<qint64>(1, refundable * 6 / 10)
        : chance(15)                    ? refundable + 1
                                        : between(1, refundable);
    std::vector<std::optional<RawResponse>> answers;
    answers.resize(size_t(concurrent));
    std::vector<QString> numbers;
    for (int i = 0; i < concurrent; ++i)
        numbers.push_back(u"RF%1-%2-%3"_s.arg(m_seed).arg(m_step).arg(i));
    std::vector<std::thread> threads;
    for (int i = 0; i < concurrent; ++i)
        threads.emplace_back([&, i] {
            answers[size_t(i)]
                = merchant("POST", path, {{u"out_refund_no"_s, numbers[size_t(i)]}, {u"amount"_s, each}});
        });
    for (std::thread &thread : threads)
        thread.join();
    for (int i = 0; i < concurrent; ++i) {
        note(u"refund"_s, u"%1 %2 fen of %3 refundable"_s.arg(order.orderNo).arg(each).arg(refundable),
             answers[size_t(i)]);
        if (answers[size_t(i)] && answers[size_t(i)]->status / 100 == 2)
            m_granted.append({u"refund"_s, ApiClient::json(answers[size_t(i)]).value(u"refund_no"_s).toString(), each,
                              order.orderNo});
    }
    ensureServer();
}

void Scenario::wechatRefundAtItsEdges()
{
    // A WeChat refund held at the channel, then ABNORMAL (retried through the abnormal path) or
    // CLOSED (and maybe reported successful after all).
    QList<Order> candidates;
    for (const Order &order : std::as_const(m_orders))
        if (order.channel == u"wechat"_s
            && (orderStatus(order.orderNo) == u"SUCCESS"_s || orderStatus(order.orderNo) == u"PARTIALLY_REFUNDED"_s))
            candidates.append(order);
    if (candidates.isEmpty())
        return refund();
    const Order order = candidates.at(below(int(candidates.size())));
    const qint64 refundable
        = scalar(u"SELECT paid_amount - refund_reserved FROM orders WHERE order_no = ?"_s, {order.orderNo});
    if (refundable <= 0)
        return;
    m_stack.setFaults({{u"channel"_s, u"wechat"_s}, {u"hold_refunds"_s, true}});
    const qint64 amount = between(1, refundable);
    const auto asked = merchant("POST", "/v1/orders/" + order.orderNo.toUtf8() + "/refunds",
                                {{u"out_refund_no"_s, u"RE%1-%2"_s.arg(m_seed).arg(m_step)}, {u"amount"_s, amount}});
    note(u"refund (held)"_s, u"%1 %2 fen"_s.arg(order.orderNo).arg(amount), asked);
    m_stack.setFaults({});
    if (!asked || asked->status != 201) {
        ensureServer();
        return;
    }
    const QString refundNo = ApiClient::json(asked).value(u"refund_no"_s).toString();
    m_granted.append({u"refund"_s, refundNo, amount, order.orderNo});
    const bool abnormal = chance(50);
    control("POST", "/control/refunds/" + refundNo.toUtf8() + "/settle",
            {{u"status"_s, abnormal ? u"ABNORMAL"_s : u"CLOSED"_s}});
    event(u"channel ends %1 as %2"_s.arg(refundNo, abnormal ? u"ABNORMAL"_s : u"CLOSED"_s));
    const auto refundField = [&](const QString &column) {
        QSqlQuery row = sqlExec(db(), u"SELECT "_s + column + u" FROM refunds WHERE refund_no = ?"_s, {refundNo});
        return row.next() ? row.value(0).toString() : QString();
    };
    if (abnormal) {
        if (!waitUntil([&] { return refundField(u"channel_status"_s) == u"ABNORMAL"_s; }, 15'000)) {
            violation(u"refund %1 never showed ABNORMAL"_s.arg(refundNo));
            return;
        }
        const auto retried = admin("POST", "/v1/admin/refunds/" + refundNo.toUtf8() + "/abnormal-retry",
                                   {{u"type"_s, u"MERCHANT_BANK_CARD"_s}});
        note(u"abnormal retry"_s, refundNo, retried);
        control("POST", "/control/refunds/" + refundNo.toUtf8() + "/settle", {{u"status"_s, u"SUCCESS"_s}});
    } else {
        if (!waitUntil([&] { return refundField(u"status"_s) == u"FAILED"_s; }, 15'000)) {
            violation(u"refund %1 closed at the channel never FAILED"_s.arg(refundNo));
            return;
        }
        if (chance(50)) {
            control("POST", "/control/refunds/" + refundNo.toUtf8() + "/settle", {{u"status"_s, u"SUCCESS"_s}});
            event(u"channel reports %1 SUCCESS after all"_s.arg(refundNo));
        }
    }
}

void Scenario::recharge()
{
    User &user = someUser();
    const qint64 amount = between(100, 20'000);
    const bool ok = m_stack.recharge(user.app, amount, chance(50) ? u"alipay"_s : u"wechat"_s);
    event(u"recharge %1 fen for %2: %3"_s.arg(amount).arg(user.app.id, ok ? u"credited"_s : u"not credited"_s));
    ensureServer();
}

void Scenario::transfer()
{
    const User *from = userWith(1);
    if (!from)
        return recharge();
    const User payer = *from; // a copy: someUser() may add users (and move them)
    const qint64 amount = between(1, available(payer));
    const User to = someUser();
    if (to.app.id == payer.app.id)
        return;
    const QByteArray key = "tr-" + QByteArray::number(m_seed) + "-" + QByteArray::number(++m_nextKey);
    const QByteArray headers = m_stack.actionHeaders(payer.app, u"transfer"_s, key);
    const QJsonObject body{{u"to_user"_s, to.app.id}, {u"amount"_s, amount}};
    // Sometimes the client sends it twice at once (a retry that overtook the first attempt).
    const int copies = chance(30) ? 2 : 1;
    std::vector<std::optional<RawResponse>> answers;
    answers.resize(size_t(copies));
    std::vector<std::thread> threads;
    for (int i = 0; i < copies; ++i)
        threads.emplace_back([&, i] { answers[size_t(i)] = app(payer, "POST", "/v1/app/transfers", body, headers); });
    for (std::thread &thread : threads)
        thread.join();
    for (const auto &answer : answers) {
        note(u"transfer"_s,
             u"%1 -> %2 %3 fen key %4"_s.arg(payer.app.id, to.app.id).arg(amount).arg(QString::fromLatin1(key)),
             answer);
        if (answer && answer->status / 100 == 2)
            m_granted.append({u"transfer"_s, ApiClient::json(answer).value(u"transfer_no"_s).toString(), amount,
                              QString::fromLatin1(key)});
    }
    ensureServer();
}

void Scenario::withdrawal()
{
    User *user = userWith(100);
    if (!user)
        return recharge();
    if (user->cardId.isEmpty()) {
        const auto bound = app(
            *user, "POST", "/v1/app/bank-cards",
            {{u"card_no"_s, u"6222021234567890128"_s}, {u"holder_name"_s, u"Zhang San"_s}, {u"bank"_s, u"ICBC"_s}});
        note(u"bind card"_s, user->app.id, bound);
        user->cardId = ApiClient::json(bound).value(u"id"_s).toString();
        if (user->cardId.isEmpty())
            return;
    }
    const qint64 amount = between(100, std::min<qint64>(available(*user), 300'000));
    const auto applied
        = app(*user, "POST", "/v1/app/withdrawals", {{u"amount"_s, amount}, {u"bank_card_id"_s, user->cardId}},
              m_stack.actionHeaders(user->app, u"withdrawal"_s));
    note(u"withdraw"_s, u"%1 %2 fen"_s.arg(user->app.id).arg(amount), applied);
    if (!applied || applied->status != 201) {
        ensureServer();
        return;
    }
    const QString id = ApiClient::json(applied).value(u"id"_s).toString();
    m_withdrawals.append(id);
    m_granted.append({u"withdrawal"_s, id, amount, user->app.id});
    if (ApiClient::json(applied).value(u"status"_s).toString() != u"PENDING_REVIEW"_s)
        return;
    if (chance(20)) {
        note(u"reject"_s, id,
             admin("POST", "/v1/admin/withdrawals/" + id.toUtf8() + "/reject", {{u"reason"_s, u"chaos"_s}}));
        return;
    }
    if (chance(25)) {
        control("POST", "/control/faults", {{u"channel"_s, u"bankpay"_s}, {u"fail_next_payouts"_s, 1}});
        event(u"the next payout fails"_s);
    }
    note(u"approve"_s, id,
         admin("POST", "/v1/admin/withdrawals/" + id.toUtf8() + "/approve", {{u"reason"_s, u"ok"_s}}));
    ensureServer();
}

void Scenario::redPacket()
{
    const int count = int(between(2, 6));
    User *sender = userWith(count * 2);
    if (!sender)
        return recharge();
    const qint64 total = between(count, std::min<qint64>(available(*sender), 5'000));
    const auto sent = app(*sender, "POST", "/v1/app/red-packets",
                          {{u"total"_s, total}, {u"count"_s, count}, {u"pay_with"_s, u"balance"_s}},
                          m_stack.actionHeaders(sender->app, u"red_packet"_s));
    note(u"red packet"_s, u"%1 %2 fen in %3"_s.arg(sender->app.id).arg(total).arg(count), sent);
    if (!sent || sent->status != 201) {
        ensureServer();
        return;
    }
    const QString id = ApiClient::json(sent).value(u"id"_s).toString();
    m_packets.append(id);
    QList<User> grabbers;
    for (int i = 0; i < count + 2; ++i)
        grabbers.append(User{m_stack.newAppUser(), {}});
    std::vector<std::optional<RawResponse>> answers;
    answers.resize(size_t(grabbers.size()));
    std::vector<std::thread> threads;
    for (qsizetype i = 0; i < grabbers.size(); ++i)
        threads.emplace_back([&, i] {
            answers[size_t(i)] = app(grabbers.at(i), "POST", "/v1/app/red-packets/" + id.toUtf8() + "/grab");
        });
    for (std::thread &thread : threads)
        thread.join();
    for (qsizetype i = 0; i < grabbers.size(); ++i) {
        note(u"grab"_s, u"%1 by %2"_s.arg(id, grabbers.at(i).app.id), answers[size_t(i)]);
        if (answers[size_t(i)] && answers[size_t(i)]->status == 200)
            m_granted.append({u"share"_s, id, ApiClient::json(answers[size_t(i)]).value(u"amount"_s).toInteger(),
                              grabbers.at(i).app.id});
    }
    ensureServer();
    if (chance(40)) {
        sqlExec(db(), u"UPDATE red_packets SET expires_at = ? WHERE id = ?"_s,
                {QDateTime::currentMSecsSinceEpoch() - 1'000, id});
        event(u"red packet %1 expires now"_s.arg(id));
    }
}

void Scenario::kill()
{
    event(u"SIGKILL the server"_s);
    m_stack.server().kill();
    m_stack.server().process().waitForFinished(10'000);
    ensureServer();
}

void Scenario::run()
{
    for (m_step = 1; m_step <= m_options.operations; ++m_step) {
        const int dice = below(100);
        if (dice < 30)
            payment();
        else if (dice < 45)
            refund();
        else if (dice < 52)
            wechatRefundAtItsEdges();
        else if (dice < 62)
            recharge();
        else if (dice < 74)
            transfer();
        else if (dice < 82)
            withdrawal();
        else if (dice < 92)
            redPacket();
        else if (dice < 97)
            merchantFails();
        else
            kill();
    }
}

void Scenario::settle()
{
    m_step = m_options.operations + 1;
    m_stack.setFaults({});
    control("DELETE", "/control/faults");
    m_receiver.failNext(0);
    m_receiver.slowNext(0, 0);
    ensureServer();
    // Orders nobody paid are closed, as a merchant would.
    for (const Order &order : std::as_const(m_orders)) {
        const QString status = orderStatus(order.orderNo);
        if (status == u"CREATED"_s || status == u"PAYING"_s)
            note(u"close"_s, order.orderNo, merchant("POST", "/v1/orders/" + order.orderNo.toUtf8() + "/close"));
    }
    ensureServer();
    // An order still open whose trade the buyer never paid (e.g. a recharge whose payment was cut
    // short by a crash) is settled as it is; one whose trade is paid is not, until it is booked.
    const auto openPaidOrders = [&] {
        QSqlQuery open
            = sqlExec(db(), u"SELECT order_no, channel_id FROM orders WHERE status IN ('CREATED', 'PAYING')"_s);
        QList<std::pair<QString, QString>> rows;
        while (open.next())
            rows.append({open.value(0).toString(), open.value(1).toString()});
        open.finish();
        int paid = 0;
        for (const auto &[orderNo, channelId] : std::as_const(rows)) {
            int code = 0;
            const QJsonObject trade = control("GET",
                                              "/control/trades/" + orderNo.toUtf8() + "?channel="
                                                  + (channelId.startsWith(u"alipay"_s) ? "alipay" : "wechat"),
                                              {}, &code);
            paid += code == 200 && trade.value(u"paid"_s).toBool() ? 1 : 0;
        }
        return paid;
    };
    const QString merchantId = m_stack.merchantId();
    const bool settled = waitUntil(
        [&] {
            if (!serverAlive())
                ensureServer();
            return openPaidOrders() == 0 && scalar(u"SELECT COUNT(*) FROM refunds WHERE status = 'PROCESSING'"_s) == 0
                && scalar(u"SELECT COUNT(*) FROM withdrawals WHERE status IN ('APPROVED', 'PROCESSING')"_s) == 0
                && scalar(u"SELECT COUNT(*) FROM merchant_events WHERE status <> 'DELIVERED'"_s) == 0
                && scalar(u"SELECT COUNT(*) FROM red_packet_shares WHERE grabber_id IS NOT NULL"
                          " AND transfer_no IS NULL"_s)
                == 0
                && scalar(u"SELECT COUNT(*) FROM red_packets WHERE status = 'ACTIVE' AND expires_at < ?"_s,
                          {QDateTime::currentMSecsSinceEpoch()})
                == 0;
        },
        90'000);
    ++m_outcome.invariantsChecked;
    if (!settled) {
        QStringList open;
        QSqlQuery rows = sqlExec(
            db(),
            u"SELECT 'open order ' || order_no || ' ' || status FROM orders WHERE status IN ('CREATED', 'PAYING')"
            " UNION ALL SELECT 'refund ' || refund_no || ' ' || status || ' ' || COALESCE(channel_status, '')"
            " FROM refunds WHERE status = 'PROCESSING' UNION ALL SELECT 'withdrawal ' || id || ' ' || status"
            " FROM withdrawals WHERE status IN ('APPROVED', 'PROCESSING') UNION ALL SELECT 'event ' ||"
            " event_id || ' ' || status FROM merchant_events WHERE status <> 'DELIVERED'"_s);
        while (rows.next() && open.size() < 10)
            open.append(rows.value(0).toString());
        violation(u"did not settle within 90 s: "_s + open.join(u", "_s));
    }
    Q_UNUSED(merchantId);
}

void Scenario::check()
{
    // 1. Every 2xx answer is stored as it was told (acknowledged means durable, crashes or not).
    for (const Granted &granted : std::as_const(m_granted)) {
        qint64 stored = -1;
        if (granted.kind == u"order"_s)
            stored = scalar(u"SELECT amount FROM orders WHERE order_no = ?"_s, {granted.id});
        else if (granted.kind == u"refund"_s)
            stored = scalar(u"SELECT amount FROM refunds WHERE refund_no = ? AND order_no = ?"_s,
                            {granted.id, granted.owner});
        else if (granted.kind == u"transfer"_s)
            stored
                = scalar(u"SELECT amount FROM transfers WHERE transfer_no = ? AND status = 'SUCCESS'"_s, {granted.id});
        else if (granted.kind == u"withdrawal"_s)
            stored = scalar(u"SELECT amount FROM withdrawals WHERE id = ? AND holder_id = ?"_s,
                            {granted.id, granted.owner});
        else if (granted.kind == u"share"_s)
            stored = scalar(u"SELECT amount FROM red_packet_shares WHERE packet_id = ? AND grabber_id = ?"_s,
                            {granted.id, granted.owner});
        expect(stored == granted.amount,
               u"%1 %2 was answered 2xx for %3 fen; stored: %4"_s.arg(granted.kind, granted.id)
                   .arg(granted.amount)
                   .arg(stored));
    }
    // The same transfer key answered 2xx twice must name one transfer.
    QHash<QString, QString> transferByKey;
    for (const Granted &granted : std::as_const(m_granted)) {
        if (granted.kind != u"transfer"_s)
            continue;
        expect(!transferByKey.contains(granted.owner) || transferByKey.value(granted.owner) == granted.id,
               u"key %1 answered with two transfers %2 and %3"_s.arg(granted.owner, granted.id,
                                                                     transferByKey.value(granted.owner)));
        transferByKey.insert(granted.owner, granted.id);
    }

    // 2. Each order credited at most once, and exactly when it holds paid money.
    QSqlQuery orders = sqlExec(db(),
                               u"SELECT order_no, status, amount, paid_amount, refunded_amount, refund_reserved,"
                               " channel_id, out_trade_no, kind FROM orders"_s);
    struct Row
    {
        QString orderNo, status, channelId, outTradeNo, kind;
        qint64 amount, paid, refunded, reserved;
    };
    QList<Row> rows;
    while (orders.next())
        rows.append(Row{orders.value(0).toString(), orders.value(1).toString(), orders.value(6).toString(),
                        orders.value(7).toString(), orders.value(8).toString(), orders.value(2).toLongLong(),
                        orders.value(3).toLongLong(), orders.value(4).toLongLong(), orders.value(5).toLongLong()});
    orders.finish();
    for (const Row &row : std::as_const(rows)) {
        const qint64 credits = scalar(u"SELECT COUNT(*) FROM journal_entries WHERE ref_type = 'order' AND ref_id = ?"
                                      " AND kind IN ('order.paid', 'recharge.paid', 'order.paid_abnormal')"_s,
                                      {row.orderNo});
        expect(
            credits == (row.paid > 0 ? 1 : 0),
            u"order %1 (%2, paid %3) has %4 credit entries"_s.arg(row.orderNo, row.status).arg(row.paid).arg(credits));
        expect(row.refunded <= row.reserved && row.reserved <= row.paid,
               u"order %1: refunded %2, reserved %3, paid %4"_s.arg(row.orderNo)
                   .arg(row.refunded)
                   .arg(row.reserved)
                   .arg(row.paid));
        const qint64 refunded = scalar(
            u"SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE order_no = ? AND status = 'SUCCESS'"_s, {row.orderNo});
        expect(
            refunded == row.refunded,
            u"order %1: refunded_amount %2, successful refunds %3"_s.arg(row.orderNo).arg(row.refunded).arg(refunded));
        // 3. The channel agrees: what the sandbox's trade says was paid and refunded is booked.
        int code = 0;
        const QString channel = row.channelId.startsWith(u"alipay"_s) ? u"alipay"_s : u"wechat"_s;
        const QJsonObject trade
            = control("GET", "/control/trades/" + row.orderNo.toUtf8() + "?channel=" + channel.toUtf8(), {}, &code);
        const bool tradePaid = code == 200 && trade.value(u"paid"_s).toBool();
        const qint64 tradeAmount = trade.value(u"paid_amount"_s).toInteger(trade.value(u"amount"_s).toInteger());
        expect(tradePaid == (row.paid > 0),
               u"order %1 is %2 with paid %3, the channel's trade %4"_s.arg(row.orderNo, row.status)
                   .arg(row.paid)
                   .arg(tradePaid ? u"is paid"_s : u"is not paid"_s));
        if (tradePaid)
            expect(tradeAmount == row.paid,
                   u"order %1: paid %2 here, %3 at the channel"_s.arg(row.orderNo).arg(row.paid).arg(tradeAmount));
        if (tradePaid && row.status == u"ABNORMAL"_s && reasonOf(row.orderNo) == u"REFUNDED_AT_CHANNEL"_s) {
            // Refunded outside Paydesk: never credited as paid, the money held in suspense.
            expect(trade.value(u"refunded_amount"_s).toInteger() == row.paid,
                   u"order %1 is REFUNDED_AT_CHANNEL, the channel refunded %2 of %3"_s.arg(row.orderNo)
                       .arg(trade.value(u"refunded_amount"_s).toInteger())
                       .arg(row.paid));
        } else if (tradePaid) {
            qint64 channelRefunded = 0;
            for (const QJsonValue &refund : trade.value(u"refunds"_s).toArray())
                if (refund[u"status"_s].toString() == u"SUCCESS"_s)
                    channelRefunded += refund[u"amount"_s].toInteger();
            expect(channelRefunded == row.refunded,
                   u"order %1: refunded %2 here, %3 at the channel"_s.arg(row.orderNo)
                       .arg(row.refunded)
                       .arg(channelRefunded));
        }
    }
    // 4. Each refund debited once: reserved once, then settled once the way its status says.
    QSqlQuery refunds = sqlExec(db(), u"SELECT refund_no, status FROM refunds"_s);
    QList<std::pair<QString, QString>> refundRows;
    while (refunds.next())
        refundRows.append({refunds.value(0).toString(), refunds.value(1).toString()});
    refunds.finish();
    for (const auto &[refundNo, status] : std::as_const(refundRows)) {
        const auto entries = [&](const QString &kind) {
            return scalar(
                u"SELECT COUNT(*) FROM journal_entries WHERE ref_type = 'refund' AND ref_id = ? AND kind = ?"_s,
                {refundNo, kind});
        };
        const qint64 succeeded = entries(u"refund.succeeded"_s), failed = entries(u"refund.failed"_s),
                     late = entries(u"refund.succeeded_after_failure"_s);
        expect(entries(u"refund.reserved"_s) == 1,
               u"refund %1 reserved %2 times"_s.arg(refundNo).arg(entries(u"refund.reserved"_s)));
        const bool consistent = status == u"SUCCESS"_s ? (succeeded + late == 1 && (late == 0 || failed == 1))
            : status == u"FAILED"_s                    ? (failed == 1 && succeeded == 0 && late == 0)
                                                       : (succeeded + failed + late == 0);
        expect(consistent,
               u"refund %1 is %2 with %3 succeeded, %4 failed, %5 late entries"_s.arg(refundNo, status)
                   .arg(succeeded)
                   .arg(failed)
                   .arg(late));
    }
    // 5. No share granted twice, and a packet's counters are its shares.
    expect(scalar(u"SELECT COUNT(*) FROM (SELECT packet_id, grabber_id FROM red_packet_shares WHERE grabber_id IS NOT"
                  " NULL GROUP BY packet_id, grabber_id HAVING COUNT(*) > 1) twice"_s)
               == 0,
           u"a user holds two shares of one red packet"_s);
    expect(scalar(u"SELECT COUNT(*) FROM red_packets p WHERE grabbed_amount <> (SELECT COALESCE(SUM(amount), 0) FROM"
                  " red_packet_shares s WHERE s.packet_id = p.id AND s.grabber_id IS NOT NULL) OR grabbed_count <>"
                  " (SELECT COUNT(*) FROM red_packet_shares s WHERE s.packet_id = p.id AND s.grabber_id IS NOT NULL)"_s)
               == 0,
           u"a red packet's counters differ from its shares"_s);
    expect(scalar(u"SELECT COUNT(*) FROM red_packet_shares s WHERE grabber_id IS NOT NULL AND (SELECT COUNT(*) FROM"
                  " transfers t WHERE t.ref_type = 'red_packet_share' AND t.ref_id = s.packet_id || ':' ||"
                  " CAST(s.seq AS TEXT)) <> 1"_s)
               == 0,
           u"a grabbed share was paid other than once"_s);
    // 6. Each merchant event delivered under its one id, signed, and received if DELIVERED.
    QSet<QString> received;
    for (const test::MerchantReceiver::Delivery &delivery : m_receiver.deliveries()) {
        const QString bodyId = delivery.body.value(u"event_id"_s).toString();
        expect(delivery.signatureValid && delivery.eventId == bodyId,
               u"a delivery of %1 (body %2) was not signed or named right"_s.arg(delivery.eventId, bodyId));
        expect(scalar(u"SELECT COUNT(*) FROM merchant_events WHERE event_id = ?"_s, {delivery.eventId}) == 1,
               u"event %1 was delivered but is unknown"_s.arg(delivery.eventId));
        received.insert(delivery.eventId);
    }
    QSqlQuery events = sqlExec(db(), u"SELECT event_id FROM merchant_events WHERE status = 'DELIVERED'"_s);
    QStringList delivered;
    while (events.next())
        delivered.append(events.value(0).toString());
    events.finish();
    for (const QString &id : std::as_const(delivered))
        expect(received.contains(id), u"event %1 is DELIVERED but the merchant never received it"_s.arg(id));
    expect(scalar(u"SELECT COUNT(*) FROM (SELECT order_no, type FROM merchant_events GROUP BY order_no, refund_no, type"
                  " HAVING COUNT(*) > 1) dup"_s)
               == 0,
           u"one fact was told the merchant under two event ids"_s);
    // 7. No order skipped a state: each status change in its timeline is one the flows make.
    static const QHash<QString, QSet<QString>> allowed{
        {u"CREATED"_s, {u"CREATED"_s, u"PAYING"_s, u"SUCCESS"_s, u"CLOSED"_s, u"ABNORMAL"_s}},
        {u"PAYING"_s, {u"PAYING"_s, u"SUCCESS"_s, u"CLOSED"_s, u"ABNORMAL"_s}},
        {u"SUCCESS"_s, {u"SUCCESS"_s, u"PARTIALLY_REFUNDED"_s, u"REFUNDED"_s}},
        {u"PARTIALLY_REFUNDED"_s, {u"PARTIALLY_REFUNDED"_s, u"REFUNDED"_s}},
        {u"REFUNDED"_s, {u"REFUNDED"_s}},
        {u"CLOSED"_s, {u"CLOSED"_s, u"ABNORMAL"_s}},
        {u"ABNORMAL"_s, {u"ABNORMAL"_s}},
    };
    QSqlQuery timeline = sqlExec(db(), u"SELECT order_no, status FROM order_events ORDER BY order_no, seq"_s);
    QString current, previous;
    while (timeline.next()) {
        const QString orderNo = timeline.value(0).toString();
        const QString status = timeline.value(1).toString();
        if (orderNo != current) {
            current = orderNo;
            previous = status;
            expect(status == u"CREATED"_s, u"order %1 began as %2"_s.arg(orderNo, status));
            continue;
        }
        expect(allowed.value(previous).contains(status), u"order %1 went %2 -> %3"_s.arg(orderNo, previous, status));
        previous = status;
    }
    timeline.finish();
    // 9. The internal reconciliation of the day (ledger against balances, orders, refunds and
    // wallets) finds nothing unexplained.
    {
        const QDate day = ReconService::billDay(QDateTime::currentMSecsSinceEpoch());
        const auto started = admin("POST", "/v1/reconciliation/runs",
                                   {{u"date"_s, day.toString(Qt::ISODate)}, {u"channel_id"_s, u"internal"_s}});
        const QString runId
            = ApiClient::json(started).value(u"runs"_s).toArray().first().toObject().value(u"id"_s).toString();
        QJsonObject run;
        const bool finished = !runId.isEmpty()
            && waitUntil(
                [&] {
                    run = ApiClient::json(admin("GET", "/v1/reconciliation/runs/" + runId.toUtf8()));
                    return !run.isEmpty() && run.value(u"status"_s).toString() != u"RUNNING"_s;
                },
                60'000);
        expect(finished && run.value(u"status"_s).toString() == u"DONE"_s
                   && run.value(u"discrepancies"_s).toInteger() == 0,
               u"internal reconciliation: "_s + QString::fromUtf8(test::compactJson(run).left(600)));
    }
    // 8. The wallets: every holder's identity and the platform's books (wallet check), and the trial
    // balance (ledger check, at tear-down).
    const QJsonObject wallets = m_stack.walletCheck();
    expect(wallets.value(u"ok"_s).toBool(),
           u"wallet check: "_s + QString::fromUtf8(test::compactJson(wallets).left(400)));
}

bool Scenario::tearDown()
{
    if (m_second)
        m_second->terminate();
    QByteArray output;
    const bool ok = m_stack.tearDown(&output);
    ++m_outcome.invariantsChecked;
    if (!ok)
        violation(u"ledger check (trial balance) failed: "_s + QString::fromUtf8(output.right(600)));
    return ok;
}

} // namespace

Outcome runSeed(quint64 seed, const Options &options)
{
    Outcome outcome;
    outcome.seed = seed;
    outcome.database = qEnvironmentVariable("PAYDESK_TEST_DB", u"sqlite"_s);
    QElapsedTimer timer;
    timer.start();
    {
        Scenario scenario(seed, options, outcome);
        if (scenario.setUp()) {
            scenario.run();
            scenario.settle();
            scenario.check();
        }
        if (outcome.setupError.isEmpty())
            scenario.tearDown();
    }
    outcome.seconds = double(timer.elapsed()) / 1000.0;
    return outcome;
}

} // namespace paydesk::chaos
