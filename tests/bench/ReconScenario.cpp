// recon: one business day's reconciliation, `paydesk-server reconcile` run as a child process
// against a bill of --orders payments (plus refunds) and as many orders, with its peak memory.
#include "BenchRun.h"

#include "BenchDatabase.h"
#include "BenchStack.h"
#include "Books.h"
#include "OrderSeeder.h"
#include "ReconBill.h"
#include "ServerProcess.h"

#include "server/recon/BillReader.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

constexpr int kFaultsEach = 10; // amount changes, omitted lines, lines of unknown orders
constexpr double kTargetLinesPerSecond = 1'000'000 / 20.0; // the issue: a million lines in 20 s

// A child's wall time, CPU time (from wait4) and peak RSS.
struct ChildRun
{
    int exitCode = -1;
    double seconds = 0;
    double cpuSeconds = 0;
    qint64 peakRssKiB = 0;
    QByteArray output;
};

ChildRun runChild(const QString &program, const QStringList &arguments, const QString &outputFile)
{
    ChildRun result;
    std::vector<QByteArray> words{QFile::encodeName(program)};
    for (const QString &argument : arguments)
        words.push_back(argument.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &word : words)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    const QByteArray outputPath = QFile::encodeName(outputFile);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, outputPath.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    QElapsedTimer timer;
    timer.start();
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv.front(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        result.output = QByteArray("cannot start ") + argv.front() + ": " + std::strerror(spawned);
        return result;
    }
    // Peak RSS: the child's VmHWM, sampled every 2 ms until it exits (ru_maxrss would not do: a
    // child spawned by this process starts out with the bench's own pages counted, and keeps that
    // high-water mark through exec).
    int status = 0;
    rusage usage{};
    for (;;) {
        const pid_t reaped = wait4(pid, &status, WNOHANG, &usage);
        if (reaped == pid || (reaped < 0 && errno != EINTR))
            break;
        result.peakRssKiB = std::max(result.peakRssKiB, processStats(pid).peakRssKiB);
        usleep(2'000);
    }
    result.seconds = double(timer.nsecsElapsed()) / 1e9;
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.cpuSeconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    QFile printed(outputFile);
    if (printed.open(QIODevice::ReadOnly))
        result.output = printed.readAll();
    return result;
}

// One channel account's day: its orders, its bill and what the bill was made to misstate.
struct ReconDay
{
    QString name; ///< the report's scenario name
    QString format; ///< --bill-format
    PaidDay day;
    QString billPath;
    ReconBill::Written written;
    double writeSeconds = 0;
};

// BillReader alone over the same file, in this process: lines per second.
double readBillAlone(const ReconDay &recon, QString *error)
{
    recon::BillFormat format{};
    recon::billFormatFromName(recon.format, &format);
    QElapsedTimer timer;
    timer.start();
    std::unique_ptr<recon::BillReader> reader = recon::BillReader::openFile(format, recon.billPath, error);
    if (!reader)
        return 0;
    recon::BillLine line;
    qint64 lines = 0;
    while (reader->next(line))
        ++lines;
    if (!reader->error().isEmpty()) {
        *error = reader->error();
        return 0;
    }
    return double(lines) / (double(timer.nsecsElapsed()) / 1e9);
}

// The run's two SELECTs of the day's records, rows streamed and dropped: rows per second.
double scanDayAlone(const QSqlDatabase &db, const ReconDay &recon)
{
    const qint64 from = recon.day.dayStartMs();
    const qint64 to = from + 86'400'000;
    QElapsedTimer timer;
    timer.start();
    qint64 rows = 0;
    for (const QString &sql :
         {u"SELECT order_no, paid_amount, merchant_id FROM orders WHERE paid_at >= ? AND paid_at < ? AND"
          " channel_id = ? AND paid_amount > 0"_s,
          u"SELECT r.refund_no, r.amount, r.merchant_id FROM refunds r JOIN orders o ON o.order_no = r.order_no"
          " WHERE r.succeeded_at >= ? AND r.succeeded_at < ? AND r.status = 'SUCCESS' AND o.channel_id = ?"_s}) {
        QSqlQuery query(db);
        query.setForwardOnly(true);
        query.prepare(sql);
        query.addBindValue(from);
        query.addBindValue(to);
        query.addBindValue(recon.day.plan().channelId);
        if (!query.exec())
            throw DatabaseError(u"scan of the day"_s, query.lastError());
        while (query.next()) {
            (void)query.value(0).toString();
            ++rows;
        }
    }
    return double(rows) / (double(timer.nsecsElapsed()) / 1e9);
}

// The run as the database has it must be DONE with exactly the bill's faults as discrepancies.
QJsonObject checkRun(const QSqlDatabase &db, const ReconDay &recon, QStringList *problems)
{
    const PaidDay::Plan &plan = recon.day.plan();
    const QString date = plan.day.toString(Qt::ISODate);
    QSqlQuery run = sqlExec(db,
                            u"SELECT id, status, totals, matched, discrepancies, duration_ms, error FROM recon_runs"
                            " WHERE business_date = ? AND channel_id = ?"_s,
                            {date, plan.channelId});
    if (!run.next()) {
        problems->append(u"no run of %1 for %2"_s.arg(plan.channelId, date));
        return {};
    }
    const QString runId = run.value(0).toString();
    const QString status = run.value(1).toString();
    QJsonObject totals = QJsonDocument::fromJson(run.value(2).toString().toUtf8()).object();
    const qint64 matched = run.value(3).toLongLong();
    totals.insert(u"status"_s, status);
    totals.insert(u"matched"_s, matched);
    totals.insert(u"discrepancies"_s, run.value(4).toLongLong());
    totals.insert(u"duration_ms"_s, run.value(5).toLongLong());
    const QString error = run.value(6).toString();
    run.finish();
    if (status != u"DONE"_s)
        problems->append(u"the run is %1, not DONE: %2"_s.arg(status, error));

    const qint64 refunds = recon.day.refunds();
    const qint64 expectedMatched = plan.orders - 2 * kFaultsEach + refunds;
    const QJsonObject bill = totals.value(u"bill"_s).toObject();
    const QJsonObject local = totals.value(u"local"_s).toObject();
    const auto expect = [&](const QString &what, qint64 found, qint64 wanted) {
        if (found != wanted)
            problems->append(u"%1: %2, %3 expected"_s.arg(what).arg(found).arg(wanted));
    };
    expect(u"bill lines"_s, bill.value(u"lines"_s).toInteger(), recon.written.rows);
    expect(u"local payments"_s, local.value(u"payments"_s).toObject().value(u"count"_s).toInteger(), plan.orders);
    expect(u"local refunds"_s, local.value(u"refunds"_s).toObject().value(u"count"_s).toInteger(), refunds);
    expect(u"matched"_s, matched, expectedMatched);
    const QJsonObject wantedKinds{
        {u"AMOUNT_MISMATCH"_s, kFaultsEach}, {u"MISSING_CHANNEL"_s, kFaultsEach}, {u"MISSING_LOCAL"_s, kFaultsEach}};
    if (totals.value(u"by_kind"_s).toObject() != wantedKinds)
        problems->append(u"discrepancies by kind %1, %2 expected"_s.arg(
            QString::fromUtf8(QJsonDocument(totals.value(u"by_kind"_s).toObject()).toJson(QJsonDocument::Compact)),
            QString::fromUtf8(QJsonDocument(wantedKinds).toJson(QJsonDocument::Compact))));

    // Item by item: the injected keys, each under its kind and in the status it should have.
    QMap<QString, QStringList> found;
    QSqlQuery items
        = sqlExec(db, u"SELECT kind, ref_type, ref_id, status FROM recon_items WHERE run_id = ?"_s, {runId});
    while (items.next())
        found[items.value(0).toString() + u' ' + items.value(1).toString() + u' ' + items.value(3).toString()].append(
            items.value(2).toString());
    const QMap<QString, QStringList> wanted{{u"AMOUNT_MISMATCH order OPEN"_s, recon.written.amountChanged},
                                            {u"MISSING_CHANNEL order CARRIED"_s, recon.written.omitted},
                                            {u"MISSING_LOCAL order OPEN"_s, recon.written.unknown}};
    for (auto it = found.begin(); it != found.end(); ++it)
        std::sort(it->begin(), it->end());
    QMap<QString, QStringList> sortedWanted = wanted;
    for (auto it = sortedWanted.begin(); it != sortedWanted.end(); ++it)
        std::sort(it->begin(), it->end());
    if (found != sortedWanted) {
        for (auto it = found.cbegin(); it != found.cend(); ++it)
            if (sortedWanted.value(it.key()) != it.value())
                problems->append(u"items %1: %2, expected %3"_s.arg(it.key(), it.value().join(u' ').left(300),
                                                                    sortedWanted.value(it.key()).join(u' ').left(300)));
        for (auto it = sortedWanted.cbegin(); it != sortedWanted.cend(); ++it)
            if (!found.contains(it.key()))
                problems->append(u"no items %1 (expected %2)"_s.arg(it.key()).arg(it.value().size()));
    }
    return totals;
}

} // namespace

std::optional<ScenarioReport> BenchRun::recon()
{
    BenchStack stack(m_databases, {});
    QString error;
    if (!stack.prepare(&error)) {
        out() << "paydesk-bench: " << error << "\n";
        return std::nullopt;
    }
    // Yesterday in China Standard Time: the day the channels' bills were cut for last midnight.
    const QDate day = QDateTime::currentDateTimeUtc().toTimeZone(QTimeZone(8 * 3600)).date().addDays(-1);
    const auto plan = [&](const QString &type, int nodeId, QChar series) {
        PaidDay::Plan p;
        p.orders = m_settings.orders;
        p.merchantId = stack.merchantId();
        p.channelId = BenchStack::channelId(type);
        p.channelType = type;
        p.day = day;
        p.nodeId = nodeId;
        p.series = series;
        if (stack.isPostgres())
            p.copyUrl = stack.databaseSpec();
        return p;
    };
    // WeChat Pay's CSV and Alipay's zip, one channel account each, the days seeded side by side.
    std::vector<ReconDay> days{
        {u"recon"_s, u"wechat-tradebill-csv"_s, PaidDay(plan(u"wechat"_s, 9999, u'W')), {}, {}, 0},
        {u"recon-zip"_s, u"alipay-trade-zip"_s, PaidDay(plan(u"alipay"_s, 9997, u'A')), {}, {}, 0},
    };

    // The orders, written while no server runs (none is started in this scenario: the run is the
    // CLI's, and a serving instance would only add its own noise and locks).
    QElapsedTimer timer;
    timer.start();
    qint64 ordersBefore = 0;
    {
        QSqlDatabase db = stack.reader().threadConnection();
        ordersBefore = Books::orderCount(db);
        for (const ReconDay &each : days)
            each.day.insert(db, stack.isPostgres(), [&](qint64 done) {
                out() << QString::asprintf("  %s: %lld orders written (%.0f s)\n",
                                           qPrintable(each.day.plan().channelId), done,
                                           double(timer.elapsed()) / 1000.0);
                out().flush();
            });
    }
    stack.reader().closeAll();
    out() << QString::asprintf("  %lld paid orders and %lld refunds of %s for each of %zu channel accounts written in "
                               "%.1f s\n",
                               m_settings.orders, days.front().day.refunds(), qPrintable(day.toString(Qt::ISODate)),
                               days.size(), double(timer.elapsed()) / 1000.0);

    // The bills, streamed to files.
    const QJsonObject wechat = stack.sandboxManifest().value(u"wechat"_s).toObject();
    const QJsonObject alipay = stack.sandboxManifest().value(u"alipay"_s).toObject();
    for (ReconDay &each : days) {
        timer.restart();
        const ReconBill::Faults faults = ReconBill::chooseFaults(each.day, kFaultsEach);
        if (each.day.plan().channelType == u"wechat"_s) {
            each.billPath = stack.dataDir() + u"/bill-wechat.csv"_s;
            each.written = ReconBill::writeWechat(each.day, faults, each.billPath, wechat.value(u"appid"_s).toString(),
                                                  wechat.value(u"mchid"_s).toString());
        } else {
            each.billPath = stack.dataDir() + u"/bill-alipay.zip"_s;
            if (!ReconBill::writeAlipay(each.day, faults, each.billPath, alipay.value(u"seller_id"_s).toString(),
                                        &each.written, &error)) {
                out() << "paydesk-bench: the Alipay bill: " << error << "\n";
                return std::nullopt;
            }
        }
        each.writeSeconds = double(timer.elapsed()) / 1000.0;
        out() << QString::asprintf("  %s bill: %lld lines, %.1f MB (%.1f MB of CSV) written in %.1f s\n",
                                   qPrintable(each.format), each.written.rows, double(each.written.fileBytes) / 1e6,
                                   double(each.written.textBytes) / 1e6, each.writeSeconds);
    }
    out().flush();

    std::optional<ScenarioReport> last;
    QStringList summaries;
    for (size_t i = 0; i < days.size(); ++i) {
        const ReconDay &each = days[i];
        const PaidDay::Plan &p = each.day.plan();
        ScenarioReport report;
        report.scenario = each.name;
        report.database = backend();
        const ChildRun child = runChild(paydesk::test::ServerProcess::serverBinary(),
                                        {u"reconcile"_s, u"--date"_s, day.toString(Qt::ISODate), u"--channel"_s,
                                         p.channelId, u"--bill-file"_s, each.billPath, u"--bill-format"_s, each.format,
                                         u"--data-dir"_s, stack.dataDir(), u"--db"_s, stack.databaseSpec()},
                                        stack.dataDir() + u"/reconcile-%1.out"_s.arg(p.channelId));
        report.load.requests = each.written.rows;
        report.load.seconds = child.seconds;
        report.serverCpuSeconds = child.cpuSeconds;
        report.serverPeakRssKiB = child.peakRssKiB;
        // Open discrepancies are expected: exit code 2.
        if (child.exitCode != 2)
            report.problems.append(
                u"paydesk-server reconcile exited with %1 (2 expected: open discrepancies): %2"_s.arg(child.exitCode)
                    .arg(QString::fromUtf8(child.output).trimmed().left(1000)));
        QJsonObject run;
        double scanRate = 0;
        {
            const QSqlDatabase db = stack.reader().threadConnection();
            run = checkRun(db, each, &report.problems);
            scanRate = scanDayAlone(db, each);
        }
        stack.reader().closeAll();
        // The same run's references: each half of the work alone, in this process.
        const double readRate = readBillAlone(each, &error);
        if (readRate <= 0)
            report.problems.append(u"the bench cannot read its own bill: "_s + error);

        const double rate = report.load.perSecond();
        const qint64 indexBytes = run.value(u"index_bytes"_s).toInteger();
        if (!m_settings.smoke) {
            report.target = u"1M lines <= 20 s"_s;
            report.targetMet = rate >= kTargetLinesPerSecond;
        }
        report.ceilings.append(
            Ceiling{u"target: 1,000,000 lines / 20 s"_s, kTargetLinesPerSecond, u"the issue's goal; >= 1 meets it"_s});
        if (readRate > 0 && scanRate > 0)
            report.ceilings.append(Ceiling{u"bill read + day scanned"_s, 1.0 / (1.0 / readRate + 1.0 / scanRate),
                                           u"the two below one after the other: the run's floor without matching"
                                           " and writing"_s});
        report.ceilings.append(Ceiling{u"bill read alone"_s, readRate,
                                       u"BillReader over the same file in the bench, lines/s on one core"_s});
        report.ceilings.append(Ceiling{u"day scanned alone"_s, scanRate,
                                       u"the run's two SELECTs of the day's orders and refunds, rows streamed"_s});
        report.notes.append(
            u"%1 lines (%2 payments, %3 refunds) of %4 against %5 orders and %6 refunds: %7 s wall (%8 s in the run"
            " itself), %9 lines/s"_s.arg(each.written.rows)
                .arg(each.written.payments)
                .arg(each.written.refunds)
                .arg(each.format)
                .arg(p.orders)
                .arg(each.day.refunds())
                .arg(child.seconds, 0, 'f', 2)
                .arg(double(run.value(u"duration_ms"_s).toInteger()) / 1000.0, 0, 'f', 2)
                .arg(qRound64(rate)));
        report.notes.append(u"peak RSS %1 MiB (the child's VmHWM), CPU %2 s, index %3 MiB, bill %4 MB (%5 MB"
                            " of CSV); at this rate 1,000,000 lines take %6 x the 20 s target"_s
                                .arg(double(child.peakRssKiB) / 1024.0, 0, 'f', 1)
                                .arg(child.cpuSeconds, 0, 'f', 2)
                                .arg(double(indexBytes) / 1048576.0, 0, 'f', 1)
                                .arg(double(each.written.fileBytes) / 1e6, 0, 'f', 1)
                                .arg(double(each.written.textBytes) / 1e6, 0, 'f', 1)
                                .arg(rate > 0 ? kTargetLinesPerSecond / rate : 0.0, 0, 'f', 2));
        report.notes.append(u"discrepancies found: %1 (injected: %2 amount changes, %2 omitted lines, %2 lines of"
                            " unknown orders)"_s
                                .arg(QString::fromUtf8(
                                    QJsonDocument(run.value(u"by_kind"_s).toObject()).toJson(QJsonDocument::Compact)))
                                .arg(kFaultsEach));
        report.details = QJsonObject{{u"bill_format"_s, each.format},
                                     {u"bill_lines"_s, each.written.rows},
                                     {u"bill_file_bytes"_s, each.written.fileBytes},
                                     {u"bill_text_bytes"_s, each.written.textBytes},
                                     {u"orders"_s, p.orders},
                                     {u"refunds"_s, each.day.refunds()},
                                     {u"seconds"_s, child.seconds},
                                     {u"lines_per_second"_s, rate},
                                     {u"peak_rss_kib"_s, child.peakRssKiB},
                                     {u"cpu_seconds"_s, child.cpuSeconds},
                                     {u"index_bytes"_s, indexBytes},
                                     {u"target_ratio"_s, rate / kTargetLinesPerSecond},
                                     {u"bill_read_lines_per_second"_s, readRate},
                                     {u"day_scan_rows_per_second"_s, scanRate},
                                     {u"bill_write_seconds"_s, each.writeSeconds},
                                     {u"run"_s, run}};
        summaries.append(u"%1: DONE with exactly the injected discrepancies"_s.arg(p.channelId));
        if (i + 1 < days.size()) {
            report.print();
            m_reports.append(report);
        } else {
            last = report;
        }
    }
    const qint64 count = Books::orderCount(stack.reader().threadConnection());
    if (count != ordersBefore + qint64(days.size()) * m_settings.orders)
        last->problems.append(u"%1 orders in the database, %2 expected"_s.arg(count).arg(
            ordersBefore + qint64(days.size()) * m_settings.orders));
    summaries.append(Books::checkWhole(stack.reader().threadConnection(), &last->problems));
    closeBooks(stack, *last, summaries);
    return last;
}

} // namespace paydesk::bench
