// query, search and connections: reads on a large table, and what open connections cost.
#include "BenchRun.h"

#include "BenchDatabase.h"
#include "BenchStack.h"
#include "Books.h"
#include "OrderSeeder.h"

#include "server/store/Database.h"
#include "server/store/Sql.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

constexpr int kExtraMerchants = 9;
constexpr int kPageSize = 100; // the console's page

QStringList extraMerchantCodes(bool smoke)
{
    QStringList codes;
    for (int i = 1; i <= (smoke ? 2 : kExtraMerchants); ++i)
        codes.append(u"shop%1"_s.arg(i, 2, 10, QChar(u'0')));
    return codes;
}

struct SeededTable
{
    OrderHistory::Index index;
    OrderHistory::Plan plan;
    qint64 ordersBefore = 0;
};

// Writes the past-orders table while the server is stopped, then starts it.
bool seedHistory(BenchStack &stack, qint64 orders, SeededTable *table, QString *error)
{
    QElapsedTimer timer;
    {
        QSqlDatabase db = stack.reader().threadConnection();
        table->plan.orders = orders;
        table->plan.alipayChannel = BenchStack::channelId(u"alipay"_s);
        table->plan.wechatChannel = BenchStack::channelId(u"wechat"_s);
        table->plan.endMs = QDateTime::currentMSecsSinceEpoch();
        if (stack.isPostgres())
            table->plan.copyUrl = stack.databaseSpec();
        table->plan.merchantIds.append(stack.merchantId());
        QSqlQuery merchants
            = sqlExec(db, u"SELECT id FROM merchants WHERE id <> ? ORDER BY code"_s, {stack.merchantId()});
        while (merchants.next())
            table->plan.merchantIds.append(merchants.value(0).toString());
        table->ordersBefore = Books::orderCount(db);
        timer.start();
        table->index = OrderHistory::insert(db, stack.isPostgres(), table->plan, [&timer](qint64 done) {
            out() << QString::asprintf("  %lld orders written (%.0f s)\n", done, double(timer.elapsed()) / 1000.0);
            out().flush();
        });
    }
    stack.reader().closeAll();
    out() << QString::asprintf("  %lld past orders of %lld merchants written in %.1f s\n", orders,
                               qint64(table->plan.merchantIds.size()), double(timer.elapsed()) / 1000.0);
    out().flush();
    return stack.startServer(error);
}

QString checkTable(BenchStack &stack, const SeededTable &table, QStringList *problems)
{
    const qint64 count = Books::orderCount(stack.reader().threadConnection());
    if (count != table.ordersBefore + table.index.size())
        problems->append(
            u"%1 orders in the database, %2 expected"_s.arg(count).arg(table.ordersBefore + table.index.size()));
    return u"%1 orders, unchanged by the reads"_s.arg(count);
}

quint64 nextRandom(quint64 &state)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
}

// One console search: who asks, and the filters of its first page.
struct SearchShape
{
    QString name;
    bool platform = false; ///< a platform admin across merchants; else the big merchant's staff
    QByteArray query;
};

} // namespace

std::optional<ScenarioReport> BenchRun::query()
{
    BenchStack stack(m_databases, BenchStack::Options{false, extraMerchantCodes(m_settings.smoke)});
    QString error;
    SeededTable table;
    if (!stack.prepare(&error) || !seedHistory(stack, m_settings.orders, &table, &error)) {
        out() << "paydesk-bench: " << error << "\n";
        return std::nullopt;
    }
    const OrderHistory::Index &index = table.index;
    // Look-ups by the big merchant's key: its own orders, picked at random.
    std::vector<qint64> own;
    for (qint64 i = 0; i < index.size(); ++i)
        if (OrderHistory::merchantOf(i, int(table.plan.merchantIds.size())) == 0)
            own.push_back(i);
    quint64 state = 42;
    QHash<qint64, qint64> asked;
    const LoadClient::Source source = [&](qint64 i, int) {
        const qint64 order = own.at(size_t(nextRandom(state) % own.size()));
        asked.insert(i, order);
        return LoadClient::Request{
            signedRequest(stack.keyId(), stack.secret(), "GET", "/v1/orders/" + index.number(order)), 0};
    };
    const LoadClient::Check check = [&](qint64 i, int, int, int status, const QByteArray &body) {
        const qint64 order = asked.take(i);
        return status == 200 && body.contains(index.number(order))
            && body.contains("\"amount\":" + QByteArray::number(index.amounts.at(size_t(order))) + ',');
    };
    warmUp(stack, source, check);
    asked.clear();
    ScenarioReport report = measure(stack, u"query"_s, phase(), source, check);
    report.target = u">= 20000/s"_s;
    report.targetMet = report.load.perSecond() >= 20'000;
    report.notes.append(u"signed GET /v1/orders/{order_no} of random orders of a %1-order table"_s.arg(index.size()));
    addBareCeiling(report, u"GET /healthz on the same stack"_s);
    if (m_limits)
        report.ceilings.append(Ceiling{u"durable rows (1 nonce/request)"_s, m_limits->batchedRowsPerSecond,
                                       u"every signed read's nonce is appended behind its answer"_s});
    QStringList summaries;
    // Every answered read's nonce reaches the database (written behind, within 100 ms).
    const qint64 answered = report.load.requests - report.load.errors;
    qint64 recorded = 0;
    QDeadlineTimer deadline(10'000);
    while (true) {
        QSqlQuery rows = sqlExec(stack.reader().threadConnection(), u"SELECT COUNT(*) FROM read_nonces"_s);
        recorded = rows.next() ? rows.value(0).toLongLong() : 0;
        if (recorded >= answered || deadline.hasExpired())
            break;
        QThread::msleep(50);
    }
    if (recorded < answered)
        report.problems.append(u"%1 reads answered but only %2 read nonces recorded"_s.arg(answered).arg(recorded));
    summaries << u"%1 read nonces recorded behind %2 answered reads"_s.arg(recorded).arg(answered);
    summaries << checkTable(stack, table, &report.problems)
              << Books::checkWhole(stack.reader().threadConnection(), &report.problems);
    closeBooks(stack, report, summaries);
    return report;
}

std::optional<ScenarioReport> BenchRun::search()
{
    BenchStack stack(m_databases, BenchStack::Options{false, extraMerchantCodes(m_settings.smoke)});
    QString error;
    SeededTable table;
    if (!stack.prepare(&error) || !seedHistory(stack, m_settings.orders, &table, &error)) {
        out() << "paydesk-bench: " << error << "\n";
        return std::nullopt;
    }
    const QString merchantToken = stack.staffToken(u"bench-merchant"_s, u"merchant_admin"_s, u"demo"_s);
    const QString platformToken = stack.staffToken(u"bench-platform"_s, u"platform_admin"_s);
    if (merchantToken.isEmpty() || platformToken.isEmpty()) {
        out() << "paydesk-bench: cannot sign staff in\n";
        return std::nullopt;
    }
    const qint64 dayMs = 86'400'000;
    const QByteArray end = QByteArray::number(table.plan.endMs + dayMs);
    const QByteArray lastMonth = QByteArray::number(table.plan.endMs - 30 * dayMs);
    const QByteArray lastWeek = QByteArray::number(table.plan.endMs - 7 * dayMs);
    const QByteArray smallMerchant = table.plan.merchantIds.value(1, stack.merchantId()).toLatin1();
    const QByteArray page = "&limit=" + QByteArray::number(kPageSize);
    const QList<SearchShape> shapes{
        {u"merchant: newest first"_s, false, "sort=created_at&order=desc" + page},
        {u"merchant: paid, last 30 days"_s, false, "status=SUCCESS&from=" + lastMonth + "&to=" + end + page},
        {u"merchant: wechat 10-50 CNY"_s, false, "channel=wechat&amount_min=1000&amount_max=5000" + page},
        {u"merchant: largest first"_s, false, "sort=amount&order=desc" + page},
        {u"merchant: refunded"_s, false, "status=REFUNDED,PARTIALLY_REFUNDED" + page},
        {u"merchant: by out_trade_no"_s, false, "out_trade_no=" + page},
        {u"platform: newest first"_s, true, "sort=created_at&order=desc" + page},
        {u"platform: abnormal"_s, true, "status=ABNORMAL" + page},
        {u"platform: one merchant, paid"_s, true, "merchant_id=" + smallMerchant + "&status=SUCCESS" + page},
        {u"platform: last 7 days by amount"_s, true,
         "from=" + lastWeek + "&to=" + end + "&sort=amount&order=desc" + page},
    };
    constexpr int kExactShape = 5;
    const int maxPages = std::max(1, m_settings.searchPages);
    struct Session
    {
        int shape = -1;
        int page = 0;
        QByteArray cursor;
    };
    const int fewConnections = std::max(1, QThread::idealThreadCount());
    std::vector<Session> sessions(size_t(std::max(m_settings.connections, fewConnections)));
    int started = 0;
    quint64 state = 7;
    const int merchants = int(table.plan.merchantIds.size());
    const LoadClient::Source source = [&](qint64, int connection) {
        Session &session = sessions[size_t(connection)];
        if (session.shape < 0 || session.cursor.isEmpty() || session.page >= maxPages) {
            session.shape = started++ % int(shapes.size());
            session.page = 0;
            session.cursor.clear();
        }
        const SearchShape &shape = shapes.at(session.shape);
        QByteArray target = "/v1/console/orders?" + shape.query;
        if (session.shape == kExactShape) {
            qint64 i = qint64(nextRandom(state) % quint64(table.index.size()));
            while (OrderHistory::merchantOf(i, merchants) != 0)
                i = (i + 1) % table.index.size();
            target.replace("out_trade_no=", "out_trade_no=" + OrderHistory::outTradeNo(i).toLatin1());
        }
        if (!session.cursor.isEmpty())
            target += "&cursor=" + session.cursor;
        ++session.page;
        return LoadClient::Request{bearerRequest(shape.platform ? platformToken : merchantToken, "GET", target),
                                   session.shape * 100 + session.page};
    };
    const LoadClient::Check check = [&](qint64, int connection, int, int status, const QByteArray &body) {
        Session &session = sessions[size_t(connection)];
        session.cursor.clear();
        if (status != 200 || !body.startsWith("{\"items\":["))
            return false;
        const qsizetype at = body.lastIndexOf("\"next_cursor\":\"");
        if (at >= 0) {
            const qsizetype start = at + 15;
            session.cursor = body.mid(start, body.indexOf('"', start) - start);
        }
        return true;
    };
    warmUp(stack, source, check);
    // Per shape and per page number: the kinds are shape * 100 + page.
    const auto summarise = [&](ScenarioReport &report) {
        std::map<int, std::vector<qint64>> byPage;
        QJsonArray perShape;
        double worstShapePage = 0;
        QString worstShape;
        for (int s = 0; s < int(shapes.size()); ++s) {
            std::vector<qint64> first, deeper;
            double shapeWorst = 0;
            for (int p = 1; p <= maxPages; ++p) {
                const auto it = report.load.latenciesByKind.find(s * 100 + p);
                if (it == report.load.latenciesByKind.end())
                    continue;
                (p == 1 ? first : deeper).insert((p == 1 ? first : deeper).end(), it->second.begin(), it->second.end());
                byPage[p].insert(byPage[p].end(), it->second.begin(), it->second.end());
            }
            for (const std::vector<qint64> *pages : {&first, &deeper})
                if (pages->size() >= 10) // fewer say little about a 95th percentile
                    shapeWorst = std::max(shapeWorst, LoadClient::Result::percentileMs(*pages, 95));
            if (shapeWorst > worstShapePage) {
                worstShapePage = shapeWorst;
                worstShape = shapes.at(s).name;
            }
            perShape.append(QJsonObject{{u"shape"_s, shapes.at(s).name},
                                        {u"query"_s, QString::fromLatin1(shapes.at(s).query)},
                                        {u"first_pages"_s, qint64(first.size())},
                                        {u"first_page_p95_ms"_s, LoadClient::Result::percentileMs(first, 95)},
                                        {u"deeper_pages"_s, qint64(deeper.size())},
                                        {u"deeper_page_p95_ms"_s, LoadClient::Result::percentileMs(deeper, 95)},
                                        {u"worst_p95_ms"_s, shapeWorst}});
            report.notes.append(
                QString::asprintf("%-36s first page p95 %7.2f ms (%5zu), pages 2-%d p95 %7.2f ms (%5zu)",
                                  qPrintable(shapes.at(s).name), LoadClient::Result::percentileMs(first, 95),
                                  first.size(), maxPages, LoadClient::Result::percentileMs(deeper, 95), deeper.size()));
        }
        double worstPage = 0;
        for (const auto &[p, latencies] : byPage) {
            report.kindNames.insert(p, u"page %1"_s.arg(p));
            worstPage = std::max(worstPage, LoadClient::Result::percentileMs(latencies, 95));
        }
        std::map<int, qint64> errorsByPage;
        for (const auto &[kind, errors] : report.load.errorsByKind)
            errorsByPage[kind % 100] += errors;
        report.load.latenciesByKind = byPage;
        report.load.errorsByKind = errorsByPage;
        report.details.insert(u"shapes"_s, perShape);
        report.details.insert(u"worst_page_p95_ms"_s, worstPage);
        report.details.insert(u"worst_shape_page_p95_ms"_s, worstShapePage);
        report.target = u"p95 <= 50 ms/page"_s;
        report.targetMet = worstPage <= 50.0;
        report.notes.prepend(
            u"worst p95 of a page number %1 ms; worst p95 of one search's first or deeper pages %2 ms (%3);"
            " table of %4"
            " orders, %5 per page"_s.arg(worstPage, 0, 'f', 2)
                .arg(worstShapePage, 0, 'f', 2)
                .arg(worstShape)
                .arg(table.index.size())
                .arg(kPageSize));
    };
    // At as many connections as cores first (the latency of a page when the server is not
    // saturated: the target), then at --connections (throughput; pages queue behind each other).
    for (Session &session : sessions)
        session = Session{};
    LoadClient::Options few = phase();
    few.connections = fewConnections;
    few.seconds = std::max(1, m_settings.seconds / 2);
    ScenarioReport light = measure(stack, u"search@%1"_s.arg(fewConnections), few, source, check);
    summarise(light);
    addBareCeiling(light, u"GET /healthz on the same stack"_s);
    light.print();
    m_reports.append(light);
    for (Session &session : sessions)
        session = Session{};
    ScenarioReport report = measure(stack, u"search"_s, phase(), source, check);
    summarise(report);
    addBareCeiling(report, u"GET /healthz on the same stack"_s);
    QStringList summaries;
    summaries << checkTable(stack, table, &report.problems)
              << Books::checkWhole(stack.reader().threadConnection(), &report.problems);
    closeBooks(stack, report, summaries);
    return report;
}

std::optional<ScenarioReport> BenchRun::connections()
{
    BenchStack stack(m_databases, {});
    QString error;
    if (!stack.prepare(&error) || !stack.startServer(&error)) {
        out() << "paydesk-bench: " << error << "\n";
        return std::nullopt;
    }
    const int count = m_settings.idleConnections;
    // A few requests first, so the idle figure includes what serving requests allocates anyway.
    warmUp(stack, [&](qint64, int) {
        return LoadClient::Request{signedRequest(stack.keyId(), stack.secret(), "GET", "/v1/merchant"), 0};
    });
    QThread::msleep(500);
    const ProcessStats idle = processStats(stack.serverPid());
    // Clients arrive over a moment, not in one millisecond: at most 32 handshakes at once.
    LoadClient::Options options{count, count, 60, true, 32};
    const LoadClient::Source request = [&](qint64, int) {
        return LoadClient::Request{signedRequest(stack.keyId(), stack.secret(), "GET", "/v1/merchant"), 0};
    };
    ScenarioReport report;
    report.scenario = u"connections"_s;
    report.database = backend();
    report.connections = count;
    ProcessStats held;
    {
        const ProcessStats server = processStats(stack.serverPid());
        LoadClient open(stack.port(), stack.ca(), options, request);
        report.load = open.run();
        report.serverCpuSeconds = processStats(stack.serverPid()).cpuSeconds - server.cpuSeconds;
        QThread::msleep(500); // the connections stay open, idle
        held = processStats(stack.serverPid());
        open.closeAll();
    }
    report.serverPeakRssKiB = held.peakRssKiB;
    const double perConnection = count > 0 ? double(held.rssKiB - idle.rssKiB) / count : 0;
    report.target = u"RSS <= 200 MiB"_s;
    report.targetMet = held.rssKiB <= 200 * 1024;
    report.notes.append(u"server RSS with %1 open keep-alive connections (one signed request each): %2 MiB;"
                        " %3 MiB before, %4 KiB per connection"_s.arg(count)
                            .arg(double(held.rssKiB) / 1024.0, 0, 'f', 1)
                            .arg(double(idle.rssKiB) / 1024.0, 0, 'f', 1)
                            .arg(perConnection, 0, 'f', 1));
    if (report.load.requests != count)
        report.problems.append(u"%1 of %2 connections got their answer"_s.arg(report.load.requests).arg(count));

    // Then the same number of clients in the same millisecond (after the RSS figure: what the
    // burst allocates would stay in it): how many the server lets in.
    QThread::msleep(200);
    LoadClient burst(stack.port(), stack.ca(), LoadClient::Options{count, count, 60, false, 0}, request);
    const LoadClient::Result burstResult = burst.run();
    report.details = QJsonObject{{u"open_connections"_s, count},
                                 {u"rss_idle_kib"_s, idle.rssKiB},
                                 {u"rss_with_connections_kib"_s, held.rssKiB},
                                 {u"rss_per_connection_kib"_s, perConnection},
                                 {u"burst_connections"_s, count},
                                 {u"burst_answered"_s, burstResult.requests - burstResult.errors},
                                 {u"burst_failed"_s, burstResult.errors}};
    report.notes.append(u"%1 connections opened at once: %2 answered, %3 failed%4"_s.arg(count)
                            .arg(burstResult.requests - burstResult.errors)
                            .arg(burstResult.errors)
                            .arg(burstResult.firstErrors.isEmpty()
                                     ? QString()
                                     : u" ("_s + QString::fromUtf8(burstResult.firstErrors.first()) + u")"_s));
    QStringList summaries{Books::checkWhole(stack.reader().threadConnection(), &report.problems)};
    closeBooks(stack, report, summaries);
    return report;
}

} // namespace paydesk::bench
