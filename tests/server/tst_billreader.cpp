// BillReader over the channels' real sample bills (tests/data/bills), over the sandbox's own bill
// writer, and over every kind of broken file: strict errors that name the line, never a crash.
#include "server/recon/BillReader.h"
#include "server/sandbox/Bills.h"

#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>
#include <QStringEncoder>
#include <QTemporaryDir>
#include <QTest>

#include <zip.h>
#include <zlib.h>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::recon;
using sandbox::Bills;
using sandbox::RefundRecord;
using sandbox::SimChannel;
using sandbox::TradeRecord;

Q_DECLARE_METATYPE(paydesk::recon::BillTotals)

namespace {

QByteArray readData(const QString &name)
{
    QFile file(QStringLiteral(PAYDESK_TEST_DATA) + u"/bills/"_s + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(file.fileName()));
    return file.readAll();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

// "yyyy-MM-dd HH:mm:ss" read as UTC+8.
qint64 beijingMs(const QString &text)
{
    QDateTime utc = QDateTime::fromString(text, u"yyyy-MM-dd HH:mm:ss"_s);
    utc.setTimeSpec(Qt::UTC);
    return utc.toMSecsSinceEpoch() - 8 * 3600 * 1000;
}

QByteArray gbk(const QString &text)
{
    QStringEncoder encoder("GBK");
    return encoder.encode(text);
}

QByteArray alipayEntryName(bool utf8 = false)
{
    const QString name = u"20880211096256330156_20190916_业务明细.csv"_s;
    return utf8 ? name.toUtf8() : gbk(name);
}

// A zip made with libzip: GBK names stored raw (UTF-8 flag off), stored or deflated entries.
QByteArray makeZip(const QList<std::pair<QByteArray, QByteArray>> &entries, bool deflate)
{
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t *buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
    zip_t *archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
    Q_ASSERT(archive);
    zip_source_keep(buffer);
    for (const auto &[name, data] : entries) {
        zip_source_t *source = zip_source_buffer(archive, data.constData(), zip_uint64_t(data.size()), 0);
        const zip_int64_t index = zip_file_add(archive, name.constData(), source, ZIP_FL_ENC_GUESS);
        Q_ASSERT(index >= 0);
        zip_set_file_compression(archive, zip_uint64_t(index), deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
    }
    const int closed = zip_close(archive);
    Q_ASSERT(closed == 0);
    Q_UNUSED(closed);
    QByteArray out;
    zip_source_open(buffer);
    char chunk[4096];
    for (zip_int64_t n; (n = zip_source_read(buffer, chunk, sizeof chunk)) > 0;)
        out.append(chunk, qsizetype(n));
    zip_source_close(buffer);
    zip_source_free(buffer);
    zip_error_fini(&error);
    return out;
}

QByteArray alipayZip(const QByteArray &csv, bool deflate = false, bool utf8Name = false)
{
    return makeZip(
        {{alipayEntryName(utf8Name), csv}, {gbk(u"20880211096256330156_20190916_业务明细(汇总).csv"_s), "x\n"}},
        deflate);
}

QByteArray gzipped(const QByteArray &data)
{
    return Bills::gzip(data).value();
}

struct ReadResult
{
    QString error; // the open error or the reader's
    QList<BillLine> lines;
    BillTotals declared;
    BillTotals computed;
    bool hasDeclared = false;
    qint64 bytesRead = 0;
};

ReadResult readAll(std::unique_ptr<BillReader> reader, const QString &openError)
{
    ReadResult result;
    if (!reader) {
        result.error = openError;
        return result;
    }
    BillLine line;
    while (reader->next(line))
        result.lines.append(line);
    result.error = reader->error();
    result.declared = reader->declared();
    result.computed = reader->computed();
    result.hasDeclared = reader->hasDeclared();
    result.bytesRead = reader->bytesRead();
    return result;
}

ReadResult readBytes(BillFormat format, const QByteArray &content)
{
    QString error;
    std::unique_ptr<BillReader> reader = BillReader::openBytes(format, content, &error);
    return readAll(std::move(reader), error);
}

BillTotals totals(qint64 rows, qint64 payments, qint64 paid, qint64 refunds, qint64 refunded, qint64 fee)
{
    BillTotals result;
    result.rowCount = rows;
    result.paymentCount = payments;
    result.paymentAmount = paid;
    result.refundCount = refunds;
    result.refundAmount = refunded;
    result.feeMillifen = fee;
    return result;
}

QString describe(const BillTotals &t)
{
    return u"rows %1, payments %2 / %3, refunds %4 / %5, fee %6"_s.arg(t.rowCount)
        .arg(t.paymentCount)
        .arg(t.paymentAmount)
        .arg(t.refundCount)
        .arg(t.refundAmount)
        .arg(t.feeMillifen);
}

// Replaces line `number` (1-based) of text, split on '\n'; an empty replacement removes it.
QByteArray withLine(const QByteArray &text, int number, const QByteArray &replacement, bool remove = false)
{
    QByteArrayList lines = text.split('\n');
    if (remove)
        lines.removeAt(number - 1);
    else
        lines[number - 1] = replacement;
    return lines.join('\n');
}

QByteArray lineOf(const QByteArray &text, int number)
{
    return text.split('\n').at(number - 1);
}

// Field `column` (0-based) of a line split on separator set to value.
QByteArray withField(const QByteArray &line, const QByteArray &separator, int column, const QByteArray &value)
{
    QByteArrayList fields;
    qsizetype start = 0;
    for (;;) {
        const qsizetype at = line.indexOf(separator, start);
        fields.append(line.mid(start, at < 0 ? -1 : at - start));
        if (at < 0)
            break;
        start = at + separator.size();
    }
    fields[column] = value;
    return fields.join(separator);
}

TradeRecord trade(SimChannel channel, const QString &outTradeNo, qint64 fen, qint64 paidAtMs)
{
    TradeRecord record;
    record.channel = channel;
    record.outTradeNo = outTradeNo;
    record.tradeNo = u"T"_s + outTradeNo;
    record.tradeType = channel == SimChannel::Alipay ? u"precreate"_s : u"NATIVE"_s;
    record.amount = fen;
    record.paidAmount = fen;
    record.subject = u"测试, with a comma"_s;
    record.buyerId = u"buyer"_s;
    record.buyerLogonId = u"b***@example.com"_s;
    record.createdAtMs = paidAtMs - 5000;
    record.paidAtMs = paidAtMs;
    record.scanned = true;
    record.paid = true;
    return record;
}

RefundRecord refund(const QString &outRefundNo, qint64 fen, qint64 succeededAtMs)
{
    RefundRecord record;
    record.outRefundNo = outRefundNo;
    record.refundId = u"5000"_s + outRefundNo;
    record.amount = fen;
    record.createdAtMs = succeededAtMs - 1000;
    record.succeeded = true;
    record.succeededAtMs = succeededAtMs;
    return record;
}

// Trades of 2024-03-01 (UTC+8) for the sandbox round trips: fees 0.6%, a full refund in two
// parts, a refund of yesterday's payment, a refund still processing.
QList<TradeRecord> sandboxTrades(SimChannel channel)
{
    const qint64 noon = beijingMs(u"2024-03-01 12:00:00"_s);
    TradeRecord a = trade(channel, u"ORDER_A"_s, 1234, noon);
    a.refunds = {refund(u"RA1"_s, 500, noon + 60'000), refund(u"RA2"_s, 734, noon + 120'000)};
    TradeRecord b = trade(channel, u"ORDER_B"_s, 99, noon + 1000);
    TradeRecord c = trade(channel, u"ORDER_C"_s, 10000, beijingMs(u"2024-02-29 23:59:59"_s));
    c.refunds = {refund(u"RC1"_s, 2500, noon + 2000)};
    RefundRecord processing = refund(u"RC2"_s, 100, 0);
    processing.succeeded = false;
    c.refunds.append(processing);
    return {a, b, c};
}

} // namespace

class tst_BillReader : public QObject
{
    Q_OBJECT

private slots:
    void formatNames();
    void alipaySample_data();
    void alipaySample();
    void alipayZipFromFile();
    void wechatSamples_data();
    void wechatSamples();
    void wechatGzipFromFile();
    void sandboxAlipayBillRoundTrips();
    void sandboxWechatBillRoundTrips_data();
    void sandboxWechatBillRoundTrips();
    void emptyBills_data();
    void emptyBills();
    void malformedBillsNameTheLine_data();
    void malformedBillsNameTheLine();
    void mutatedBillsNeverCrash_data();
    void mutatedBillsNeverCrash();
    void largeBillsReadInBoundedMemory();
};

void tst_BillReader::formatNames()
{
    for (const BillFormat format :
         {BillFormat::AlipayTradeZip, BillFormat::WechatTradeCsv, BillFormat::WechatTradeGzip}) {
        BillFormat parsed = BillFormat::AlipayTradeZip;
        QVERIFY(billFormatFromName(billFormatName(format), &parsed));
        QCOMPARE(parsed, format);
    }
    BillFormat parsed = BillFormat::WechatTradeCsv;
    QVERIFY(!billFormatFromName(u"alipay"_s, &parsed));
    QCOMPARE(billFormatName(BillFormat::AlipayTradeZip), u"alipay-trade-zip"_s);
}

void tst_BillReader::alipaySample_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<bool>("deflate");
    QTest::addColumn<bool>("utf8Name");
    const QByteArray gbkCsv = readData(u"alipay_trade_detail.sample.gbk.csv"_s);
    const QByteArray utf8Csv = readData(u"alipay_trade_detail.sample.utf8.csv"_s);
    QTest::newRow("gbk stored") << gbkCsv << false << false;
    QTest::newRow("gbk deflated") << gbkCsv << true << false;
    QTest::newRow("utf8 stored") << utf8Csv << false << false;
    QTest::newRow("utf8 deflated, utf8 name") << utf8Csv << true << true;
    QTest::newRow("gbk with CRLF") << QByteArray(gbkCsv).replace("\n", "\r\n") << true << false;
}

void tst_BillReader::alipaySample()
{
    QFETCH(QByteArray, csv);
    QFETCH(bool, deflate);
    QFETCH(bool, utf8Name);
    const ReadResult result = readBytes(BillFormat::AlipayTradeZip, alipayZip(csv, deflate, utf8Name));
    QCOMPARE(result.error, QString());
    // Lines 6-15: six payments of 0.01 and four refunds of them; the footer says the same.
    QCOMPARE(result.lines.size(), 10);
    const BillLine &first = result.lines.at(0);
    QCOMPARE(first.kind, BillLine::Kind::Payment);
    QCOMPARE(first.lineNumber, 6);
    QCOMPARE(first.channelTradeNo, "2019091622001458860515315453");
    QCOMPARE(first.outTradeNo, "service_1568601259302");
    QCOMPARE(first.outRefundNo, QByteArray());
    QCOMPARE(first.status, "SUCCESS");
    QCOMPARE(first.amount, 1);
    QCOMPARE(first.feeMillifen, 0);
    QCOMPARE(first.bookedAtMs, beijingMs(u"2019-09-16 10:55:23"_s));
    const BillLine &refundLine = result.lines.at(1);
    QCOMPARE(refundLine.kind, BillLine::Kind::Refund);
    QCOMPARE(refundLine.lineNumber, 7);
    QCOMPARE(refundLine.outTradeNo, "service_1568601259302");
    QCOMPARE(refundLine.outRefundNo, "re_test_1568602607356");
    QCOMPARE(refundLine.amount, 1);
    QCOMPARE(refundLine.bookedAtMs, beijingMs(u"2019-09-16 10:56:48"_s));
    const BillLine &last = result.lines.at(9);
    QCOMPARE(last.lineNumber, 15);
    QCOMPARE(last.outTradeNo, "qd_201909161844073417CB0wPzR");
    // A row without store fields (only TABs) still has its 25 fields.
    QCOMPARE(result.lines.at(8).outTradeNo, "20190916165659224L3VUQRL9");

    int payments = 0;
    for (const BillLine &line : result.lines)
        payments += line.kind == BillLine::Kind::Payment ? 1 : 0;
    QCOMPARE(payments, 6);
    QVERIFY(result.hasDeclared);
    QCOMPARE(describe(result.declared), describe(totals(10, 6, 6, 4, 4, 0)));
    QCOMPARE(result.computed, result.declared);
    QCOMPARE(result.bytesRead, csv.size());
}

void tst_BillReader::alipayZipFromFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"bill.csv.zip"_s);
    QVERIFY(writeFile(path, alipayZip(readData(u"alipay_trade_detail.sample.gbk.csv"_s), true)));
    QString error;
    const ReadResult result = readAll(BillReader::openFile(BillFormat::AlipayTradeZip, path, &error), error);
    QCOMPARE(result.error, QString());
    QCOMPARE(result.lines.size(), 10);
    QCOMPARE(result.computed, result.declared);

    QVERIFY(!BillReader::openFile(BillFormat::AlipayTradeZip, dir.filePath(u"missing.zip"_s), &error));
    QVERIFY2(error.startsWith(u"zip: cannot open"_s), qPrintable(error));
    QVERIFY(!BillReader::openFile(BillFormat::WechatTradeCsv, dir.filePath(u"missing.csv"_s), &error));
    QVERIFY2(error.startsWith(u"file: cannot open"_s), qPrintable(error));
}

void tst_BillReader::wechatSamples_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("payments");
    QTest::addColumn<int>("refunds");
    QTest::addColumn<BillTotals>("computed");
    QTest::addColumn<BillTotals>("declared");

    // The PHP SDK's fixture adds up: 45 rows (31 SUCCESS, 14 REFUND), 订单金额 0.47, 退款金额
    // 0.14, fees 0.08; its summary writes "45.0", "0.0" and "0.08" (not "0.08000").
    QTest::newRow("ALL, PHP fixture") << u"wechat_bill_ALL.wechatpay-php_fixture.csv"_s << 31 << 14
                                      << totals(45, 0, 47, 0, 14, 8000) << totals(45, 0, 47, 0, 14, 8000);
    // The wxjava files are excerpts: one row under the summary of a whole day, which does not
    // add up. The reader reports both honestly.
    QTest::newRow("ALL, wxjava") << u"wechat_tradebill_ALL.wxjava_test.csv"_s << 1 << 0 << totals(1, 0, 600, 0, 0, 4000)
                                 << totals(48, 0, 576, 0, 142, 1000);
    QTest::newRow("SUCCESS, wxjava") << u"wechat_tradebill_SUCCESS.wxjava_test.csv"_s << 1 << 0
                                     << totals(1, 0, 1, 0, 0, 0) << totals(31, 0, 305, 0, 0, 2000);
    QTest::newRow("REFUND, wxjava") << u"wechat_tradebill_REFUND.wxjava_test.csv"_s << 0 << 1
                                    << totals(1, 0, 0, 0, 1, 0) << totals(4, 0, 0, 0, 202, -2000);
}

void tst_BillReader::wechatSamples()
{
    QFETCH(QString, file);
    QFETCH(int, payments);
    QFETCH(int, refunds);
    QFETCH(BillTotals, computed);
    QFETCH(BillTotals, declared);
    const QByteArray csv = readData(file);
    for (const BillFormat format : {BillFormat::WechatTradeCsv, BillFormat::WechatTradeGzip}) {
        const ReadResult result = readBytes(format, format == BillFormat::WechatTradeGzip ? gzipped(csv) : csv);
        QCOMPARE(result.error, QString());
        int paymentLines = 0;
        int refundLines = 0;
        for (const BillLine &line : result.lines)
            ++(line.kind == BillLine::Kind::Payment ? paymentLines : refundLines);
        QCOMPARE(paymentLines, payments);
        QCOMPARE(refundLines, refunds);
        QVERIFY(result.hasDeclared);
        QCOMPARE(describe(result.computed), describe(computed));
        QCOMPARE(describe(result.declared), describe(declared));
        QCOMPARE(result.bytesRead, csv.size());
        QCOMPARE(result.lines.first().lineNumber, 2);
    }
}

void tst_BillReader::wechatGzipFromFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray csv = readData(u"wechat_bill_ALL.wechatpay-php_fixture.csv"_s);
    const QString path = dir.filePath(u"bill.csv.gz"_s);
    QVERIFY(writeFile(path, gzipped(csv)));
    QString error;
    const ReadResult result = readAll(BillReader::openFile(BillFormat::WechatTradeGzip, path, &error), error);
    QCOMPARE(result.error, QString());
    QCOMPARE(result.lines.size(), 45);
    // Line 2: a refund of 0.01 in an ALL bill (booked at 交易时间, which is all ALL has).
    const BillLine &refundLine = result.lines.at(0);
    QCOMPARE(refundLine.kind, BillLine::Kind::Refund);
    QCOMPARE(refundLine.outTradeNo, "autotest_20190216081946_82335");
    QCOMPARE(refundLine.channelTradeNo, "4200000263201902167700134212");
    QCOMPARE(refundLine.outRefundNo, "REF4200000263201902167700963919");
    QCOMPARE(refundLine.channelRefundNo, "50000709672019011908420787722");
    QCOMPARE(refundLine.status, "SUCCESS");
    QCOMPARE(refundLine.amount, 1);
    QCOMPARE(refundLine.bookedAtMs, beijingMs(u"2019-02-19 05:01:46"_s));
    // Line 4: a payment of 0.03 with a fee of 0.01000 (and CRLF, unlike lines 2 and 3).
    const BillLine &payment = result.lines.at(2);
    QCOMPARE(payment.kind, BillLine::Kind::Payment);
    QCOMPARE(payment.lineNumber, 4);
    QCOMPARE(payment.outTradeNo, "autotest_20190219015232_89201");
    QCOMPARE(payment.channelTradeNo, "4200000263201902167700134902");
    QCOMPARE(payment.bookedAtMs, beijingMs(u"2019-02-19 01:52:32"_s));
    QCOMPARE(payment.status, "SUCCESS");
    QCOMPARE(payment.amount, 3);
    QCOMPARE(payment.feeMillifen, 1000);
    QCOMPARE(result.computed, result.declared);

    // A gzip of two members reads as one stream, as gunzip reads it.
    const qsizetype half = csv.indexOf('\n', csv.size() / 2) + 1;
    const ReadResult twoMembers
        = readBytes(BillFormat::WechatTradeGzip, gzipped(csv.left(half)) + gzipped(csv.mid(half)));
    QCOMPARE(twoMembers.error, QString());
    QCOMPARE(twoMembers.lines.size(), 45);
}

void tst_BillReader::sandboxAlipayBillRoundTrips()
{
    QString error;
    const qint64 exportedAt = beijingMs(u"2024-03-02 09:00:00"_s);
    const auto zip = Bills::alipayTradeZip(sandboxTrades(SimChannel::Alipay), u"2088000000000001"_s, QDate(2024, 3, 1),
                                           exportedAt, &error);
    QVERIFY2(zip, qPrintable(error));
    const ReadResult result = readBytes(BillFormat::AlipayTradeZip, *zip);
    QCOMPARE(result.error, QString());
    // In time order: A paid, B paid, refund RC1 (C was paid the day before), RA1, RA2.
    QCOMPARE(result.lines.size(), 5);
    const BillLine &a = result.lines.at(0);
    QCOMPARE(a.kind, BillLine::Kind::Payment);
    QCOMPARE(a.outTradeNo, "ORDER_A");
    QCOMPARE(a.channelTradeNo, "TORDER_A");
    QCOMPARE(a.amount, 1234);
    QCOMPARE(a.feeMillifen, 7000); // 0.6% of 12.34 = 7.404 fen → 0.07
    QCOMPARE(a.bookedAtMs, beijingMs(u"2024-03-01 12:00:00"_s));
    QCOMPARE(a.lineNumber, 6);
    QCOMPARE(result.lines.at(1).outTradeNo, "ORDER_B");
    QCOMPARE(result.lines.at(1).feeMillifen, 1000); // 0.594 fen rounds up to 0.01
    const BillLine &ra1 = result.lines.at(3);
    QCOMPARE(ra1.kind, BillLine::Kind::Refund);
    QCOMPARE(ra1.outRefundNo, "RA1");
    QCOMPARE(ra1.amount, 500);
    QCOMPARE(ra1.feeMillifen, -3000); // fee(5.00) = 3 fen
    QCOMPARE(result.lines.at(4).outRefundNo, "RA2");
    QCOMPARE(result.lines.at(4).feeMillifen, -4000); // the rest of A's 7 fen
    const BillLine &rc1 = result.lines.at(2);
    QCOMPARE(rc1.outTradeNo, "ORDER_C");
    QCOMPARE(rc1.amount, 2500);
    QCOMPARE(rc1.feeMillifen, -15000);
    QCOMPARE(rc1.bookedAtMs, beijingMs(u"2024-03-01 12:00:02"_s));

    QVERIFY(result.hasDeclared);
    // Alipay's footer declares no fee total: 0 in both.
    QCOMPARE(describe(result.declared), describe(totals(5, 2, 1333, 3, 3734, 0)));
    QCOMPARE(result.computed, result.declared);
    qint64 fees = 0;
    for (const BillLine &line : result.lines)
        fees += line.feeMillifen;
    QCOMPARE(fees, 8000 - 22000);

    // No trades: an empty bill, still with its footer.
    const auto empty = Bills::alipayTradeZip({}, u"2088000000000001"_s, QDate(2024, 3, 1), exportedAt, &error);
    QVERIFY(empty);
    const ReadResult emptyResult = readBytes(BillFormat::AlipayTradeZip, *empty);
    QCOMPARE(emptyResult.error, QString());
    QVERIFY(emptyResult.lines.isEmpty());
    QVERIFY(emptyResult.hasDeclared);
    QCOMPARE(emptyResult.declared, BillTotals());
    QCOMPARE(emptyResult.computed, BillTotals());
}

void tst_BillReader::sandboxWechatBillRoundTrips_data()
{
    QTest::addColumn<QString>("billType");
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<QByteArrayList>("outTradeNos");
    QTest::addColumn<BillTotals>("expected");
    // Fees: 6 per fen in 1e-5 yuan; refunds return theirs (negative).
    QTest::newRow("ALL") << u"ALL"_s << false << QByteArrayList{"ORDER_A", "ORDER_B", "ORDER_C", "ORDER_A", "ORDER_A"}
                         << totals(5, 0, 1333, 0, 3734, 1333 * 6 - 3734 * 6);
    QTest::newRow("ALL gzip") << u"ALL"_s << true
                              << QByteArrayList{"ORDER_A", "ORDER_B", "ORDER_C", "ORDER_A", "ORDER_A"}
                              << totals(5, 0, 1333, 0, 3734, 1333 * 6 - 3734 * 6);
    QTest::newRow("SUCCESS") << u"SUCCESS"_s << false << QByteArrayList{"ORDER_A", "ORDER_B"}
                             << totals(2, 0, 1333, 0, 0, 1333 * 6);
    QTest::newRow("REFUND gzip") << u"REFUND"_s << true << QByteArrayList{"ORDER_C", "ORDER_A", "ORDER_A"}
                                 << totals(3, 0, 0, 0, 3734, -3734 * 6);
}

void tst_BillReader::sandboxWechatBillRoundTrips()
{
    QFETCH(QString, billType);
    QFETCH(bool, gzip);
    QFETCH(QByteArrayList, outTradeNos);
    QFETCH(BillTotals, expected);
    int rows = 0;
    const QByteArray csv = Bills::wechatTradeBill(sandboxTrades(SimChannel::Wechat), u"wx8888888888888888"_s,
                                                  u"1900000001"_s, QDate(2024, 3, 1), billType, &rows);
    QCOMPARE(rows, outTradeNos.size());
    const ReadResult result
        = gzip ? readBytes(BillFormat::WechatTradeGzip, gzipped(csv)) : readBytes(BillFormat::WechatTradeCsv, csv);
    QCOMPARE(result.error, QString());
    QByteArrayList seen;
    for (const BillLine &line : result.lines)
        seen.append(line.outTradeNo);
    QCOMPARE(seen, outTradeNos);
    QVERIFY(result.hasDeclared);
    QCOMPARE(describe(result.declared), describe(expected));
    QCOMPARE(result.computed, result.declared);

    for (const BillLine &line : result.lines) {
        if (line.kind == BillLine::Kind::Payment && line.outTradeNo == "ORDER_A") {
            QCOMPARE(line.amount, 1234);
            QCOMPARE(line.feeMillifen, 7404); // "0.07404"
            QCOMPARE(line.status, "SUCCESS");
            QCOMPARE(line.channelTradeNo, "TORDER_A");
        }
        if (line.kind == BillLine::Kind::Refund && line.outRefundNo == "RA2") {
            QCOMPARE(line.amount, 734);
            QCOMPARE(line.feeMillifen, -4404);
            QCOMPARE(line.channelRefundNo, "5000RA2");
            QCOMPARE(line.status, "SUCCESS");
        }
        if (line.kind == BillLine::Kind::Refund && line.outRefundNo == "RC1" && billType == u"REFUND"_s)
            QCOMPARE(line.bookedAtMs, beijingMs(u"2024-03-01 12:00:02"_s)); // 退款成功时间
    }
}

void tst_BillReader::emptyBills_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<bool>("hasDeclared");

    const QByteArray alipay = readData(u"alipay_trade_detail.sample.utf8.csv"_s);
    QByteArrayList lines = alipay.split('\n');
    const QByteArray head = QByteArrayList(lines.begin(), lines.begin() + 5).join('\n') + '\n';
    const QByteArray end = lines.at(15) + '\n';
    const QByteArray footer = u"#交易合计：0笔，商家实收共0.00元，商家优惠共0.00元\n"
                              "#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元\n"_s.toUtf8();
    QTest::newRow("alipay with totals") << int(BillFormat::AlipayTradeZip) << alipayZip(head + end + footer) << true;
    QTest::newRow("alipay without totals") << int(BillFormat::AlipayTradeZip) << alipayZip(head + end) << false;

    const QByteArray wechat = readData(u"wechat_tradebill_SUCCESS.wxjava_test.csv"_s);
    const QByteArrayList wechatLines = wechat.split('\n');
    const QByteArray empty
        = wechatLines.at(0) + '\n' + wechatLines.at(2) + "\n`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00\n";
    QTest::newRow("wechat") << int(BillFormat::WechatTradeCsv) << empty << true;
    QTest::newRow("wechat gzip, trailing empty lines")
        << int(BillFormat::WechatTradeGzip) << gzipped(empty + "\r\n\n") << true;
}

void tst_BillReader::emptyBills()
{
    QFETCH(int, format);
    QFETCH(QByteArray, content);
    QFETCH(bool, hasDeclared);
    const ReadResult result = readBytes(BillFormat(format), content);
    QCOMPARE(result.error, QString());
    QVERIFY(result.lines.isEmpty());
    QCOMPARE(result.hasDeclared, hasDeclared);
    QCOMPARE(result.declared, BillTotals());
    QCOMPARE(result.computed, BillTotals());
}

void tst_BillReader::malformedBillsNameTheLine_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("error"); // the error starts with this

    const auto alipay = int(BillFormat::AlipayTradeZip);
    const auto wechat = int(BillFormat::WechatTradeCsv);
    const auto wechatGzip = int(BillFormat::WechatTradeGzip);
    const QByteArray a = readData(u"alipay_trade_detail.sample.utf8.csv"_s);
    const QByteArray w = readData(u"wechat_bill_ALL.wechatpay-php_fixture.csv"_s);

    QTest::newRow("alipay: 26 fields") << alipay << alipayZip(withLine(a, 7, lineOf(a, 7) + ",extra"))
                                       << u"line 7: expected 25 fields, found 26"_s;
    QTest::newRow("alipay: 24 fields") << alipay
                                       << alipayZip(withLine(a, 6, lineOf(a, 6).left(lineOf(a, 6).lastIndexOf(','))))
                                       << u"line 6: expected 25 fields, found 24"_s;
    QTest::newRow("alipay: 1.234") << alipay << alipayZip(withLine(a, 6, withField(lineOf(a, 6), ",", 11, "1.234")))
                                   << u"line 6: column 12 (订单金额（元）) is not an amount of whole fen: \"1.234\""_s;
    QTest::newRow("alipay: 1e3") << alipay << alipayZip(withLine(a, 8, withField(lineOf(a, 8), ",", 12, "1e3")))
                                 << u"line 8: column 13 (商家实收（元）)"_s;
    QTest::newRow("alipay: overflow") << alipay
                                      << alipayZip(withLine(
                                             a, 8, withField(lineOf(a, 8), ",", 11, "99999999999999999999.00")))
                                      << u"line 8: column 12"_s;
    QTest::newRow("alipay: fee 6 decimals")
        << alipay << alipayZip(withLine(a, 9, withField(lineOf(a, 9), ",", 22, "0.000001")))
        << u"line 9: column 23 (服务费（元）)"_s;
    QTest::newRow("alipay: negative payment")
        << alipay << alipayZip(withLine(a, 6, withField(lineOf(a, 6), ",", 11, "-0.01")))
        << u"line 6: column 12 (订单金额（元）) is negative in a 交易 row"_s;
    QTest::newRow("alipay: bad time") << alipay
                                      << alipayZip(
                                             withLine(a, 10, withField(lineOf(a, 10), ",", 5, "2019-02-30 10:00:00")))
                                      << u"line 10: column 6 (完成时间) is not a time"_s;
    QTest::newRow("alipay: unknown kind")
        << alipay << alipayZip(withLine(a, 11, withField(lineOf(a, 11), ",", 2, u"冻结\t"_s.toUtf8())))
        << u"line 11: column 3 (业务类型)"_s;
    QTest::newRow("alipay: comment among rows")
        << alipay << alipayZip(withLine(a, 12, "#note")) << u"line 12: a '#' line among the rows"_s;
    QTest::newRow("alipay: garbage after the footer")
        << alipay << alipayZip(a + "garbage\n") << u"line 20: a line after the end of the list"_s;
    QTest::newRow("alipay: no end marker")
        << alipay << alipayZip(QByteArrayList(a.split('\n').mid(0, 15)).join('\n') + '\n')
        << u"line 16: the file ends before the '#…业务明细列表结束' line"_s;
    QTest::newRow("alipay: only one total line")
        << alipay << alipayZip(withLine(a, 18, {}, true)) << u"line 19: the '#退款合计' line is missing"_s;
    QTest::newRow("alipay: bad total line")
        << alipay << alipayZip(withLine(a, 17, u"#交易合计：六笔，商家实收共0.06元"_s.toUtf8()))
        << u"line 17: cannot read the total line"_s;
    QTest::newRow("alipay: wrong header")
        << alipay << alipayZip(withLine(a, 5, "a,b,c")) << u"line 5: not the column header"_s;
    QTest::newRow("alipay: only comments")
        << alipay << alipayZip("#a\n#b\n") << u"line 3: the file ends before the column header"_s;
    QTest::newRow("alipay: overlong line")
        << alipay << alipayZip(withLine(a, 9, QByteArray(70'000, 'x'))) << u"line 9: longer than 65536 bytes"_s;
    QTest::newRow("zip without the entry")
        << alipay << makeZip({{"other.csv", a}}, true) << u"zip: no 业务明细.csv entry"_s;
    QTest::newRow("not a zip") << alipay << a << u"zip: not a readable zip archive"_s;
    QTest::newRow("empty zip file") << alipay << QByteArray() << u"zip: "_s;
    QByteArray badCrc = alipayZip(a);
    badCrc[badCrc.indexOf("service_1568601259302") + 3] = 'X';
    QTest::newRow("zip: damaged entry") << alipay << badCrc << u"zip: cannot read the bill entry"_s;

    const int summaryHeader = 47;
    QTest::newRow("wechat: 26 fields") << wechat << withLine(w, 3, lineOf(w, 3).chopped(2))
                                       << u"line 3: expected 27 backticked fields, found 26"_s;
    QTest::newRow("wechat: no backticks")
        << wechat << withLine(w, 4, "2019-02-19 08:56:31,wx") << u"line 4: expected 27 backticked fields, found 1"_s;
    QTest::newRow("wechat: empty line") << wechat << withLine(w, 4, "")
                                        << u"line 4: expected 27 backticked fields, found 1"_s;
    QTest::newRow("wechat: 1.234") << wechat << withLine(w, 5, withField(lineOf(w, 5), ",`", 24, "1.234"))
                                   << u"line 5: column 25 (订单金额) is not an amount of whole fen: \"1.234\""_s;
    QTest::newRow("wechat: fee") << wechat << withLine(w, 6, withField(lineOf(w, 6), ",`", 22, "0.0.1"))
                                 << u"line 6: column 23 (手续费)"_s;
    QTest::newRow("wechat: bad time") << wechat << withLine(w, 7, "`2019-02-19 25:00:00" + lineOf(w, 7).mid(20))
                                      << u"line 7: column 1 (交易时间) is not a time"_s;
    QTest::newRow("wechat: unknown status")
        << wechat << withLine(w, 8, withField(lineOf(w, 8), ",`", 9, "NOTPAY")) << u"line 8: column 10 (交易状态)"_s;
    QTest::newRow("wechat: garbage after the summary") << wechat << w + "`1,`2\r\n"
                                                       << u"line 49: a line after the summary row"_s;
    QTest::newRow("wechat: a second summary row") << wechat << w + lineOf(w, 48) + "\r\n"
                                                  << u"line 49: a line after the summary row"_s;
    QTest::newRow("wechat: no summary") << wechat
                                        << QByteArrayList(w.split('\n').mid(0, summaryHeader - 1)).join('\n') + '\n'
                                        << u"line 47: the file ends before the summary"_s;
    QTest::newRow("wechat: no summary row")
        << wechat << QByteArrayList(w.split('\n').mid(0, summaryHeader)).join('\n') + '\n'
        << u"line 48: the file ends before the summary row"_s;
    QTest::newRow("wechat: summary count 45.5")
        << wechat << withLine(w, 48, "`45.5,`0.47,`0.14,`0.0,`0.08,`0.47,`0.14\r")
        << u"line 48: column 1 (总交易单数) is not a count"_s;
    QTest::newRow("wechat: summary of 6 fields") << wechat << withLine(w, 48, "`45,`0.47,`0.14,`0.0,`0.08,`0.47\r")
                                                 << u"line 48: expected 7 backticked fields"_s;
    QTest::newRow("wechat: unknown header")
        << wechat << withLine(w, 1, "交易时间,公众账号ID") << u"line 1: not the column header"_s;
    QTest::newRow("wechat: overlong line")
        << wechat << withLine(w, 3, QByteArray(70'000, '`')) << u"line 3: longer than 65536 bytes"_s;
    QTest::newRow("wechat: one huge line")
        << wechat << QByteArray(300'000, 'x') << u"line 1: longer than 65536 bytes"_s;
    QTest::newRow("wechat: empty") << wechat << QByteArray() << u"line 1: the file is empty"_s;
    const QByteArray compressed = gzipped(w);
    QTest::newRow("truncated gzip") << wechatGzip << compressed.left(compressed.size() - 10)
                                    << u"gzip: the stream is truncated"_s;
    QTest::newRow("gzip cut in the header") << wechatGzip << compressed.left(5) << u"gzip: the stream is truncated"_s;
    QTest::newRow("not gzip") << wechatGzip << w << u"gzip: corrupt data"_s;
    QTest::newRow("gzip of a broken bill") << wechatGzip << gzipped(withLine(w, 3, lineOf(w, 3) + ",`x"))
                                           << u"line 3: expected 27 backticked fields, found 28"_s;
    QTest::newRow("gzip with garbage after it") << wechatGzip << compressed + "garbage" << u"gzip: corrupt data"_s;
}

void tst_BillReader::malformedBillsNameTheLine()
{
    QFETCH(int, format);
    QFETCH(QByteArray, content);
    QFETCH(QString, error);
    const ReadResult result = readBytes(BillFormat(format), content);
    QVERIFY2(result.error.startsWith(error), qPrintable(u"got: "_s + result.error));
}

void tst_BillReader::mutatedBillsNeverCrash_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<bool>("zipAfterMutation");
    const QByteArray gbkCsv = readData(u"alipay_trade_detail.sample.gbk.csv"_s);
    const QByteArray wechat = readData(u"wechat_bill_ALL.wechatpay-php_fixture.csv"_s);
    QTest::newRow("alipay gbk csv") << int(BillFormat::AlipayTradeZip) << gbkCsv << true;
    QTest::newRow("alipay utf8 csv") << int(BillFormat::AlipayTradeZip)
                                     << readData(u"alipay_trade_detail.sample.utf8.csv"_s) << true;
    QTest::newRow("alipay deflated zip") << int(BillFormat::AlipayTradeZip) << alipayZip(gbkCsv, true) << false;
    QTest::newRow("wechat csv") << int(BillFormat::WechatTradeCsv) << wechat << false;
    QTest::newRow("wechat refund csv") << int(BillFormat::WechatTradeCsv)
                                       << readData(u"wechat_tradebill_REFUND.wxjava_test.csv"_s) << false;
    QTest::newRow("wechat gzip") << int(BillFormat::WechatTradeGzip) << gzipped(wechat) << false;
}

void tst_BillReader::mutatedBillsNeverCrash()
{
    QFETCH(int, format);
    QFETCH(QByteArray, content);
    QFETCH(bool, zipAfterMutation);
    // Deterministic: the same mutations on every run, so a failure can be replayed.
    QRandomGenerator random(20240301);
    static const char interesting[] = {',', '`', '\t', '\n', '\r', '#', '.', '-', '0', '9', '\0', '\xff', '\x80'};
    int succeeded = 0;
    for (int round = 0; round < 3000; ++round) {
        QByteArray mutated = content;
        const int edits = 1 + int(random.bounded(4));
        for (int e = 0; e < edits && !mutated.isEmpty(); ++e) {
            const qsizetype at = qsizetype(random.bounded(quint32(mutated.size())));
            const char byte = random.bounded(2) ? interesting[random.bounded(quint32(sizeof interesting))]
                                                : char(random.bounded(256));
            switch (random.bounded(3)) {
            case 0: mutated[at] = char(mutated[at] ^ (1 << random.bounded(8))); break;
            case 1: mutated.insert(at, byte); break;
            default: mutated.remove(at, 1 + qsizetype(random.bounded(3))); break;
            }
        }
        if (zipAfterMutation)
            mutated = alipayZip(mutated);
        const ReadResult result = readBytes(BillFormat(format), mutated);
        if (result.error.isEmpty()) {
            ++succeeded;
            for (const BillLine &line : result.lines)
                QVERIFY(line.amount >= 0);
        } else {
            const bool named = result.error.startsWith(u"line "_s) || result.error.startsWith(u"zip: "_s)
                || result.error.startsWith(u"gzip: "_s);
            QVERIFY2(named, qPrintable(u"round %1: %2"_s.arg(round).arg(result.error)));
            if (result.error.startsWith(u"line "_s))
                QVERIFY2(result.error.indexOf(u": "_s) > 5, qPrintable(result.error));
        }
    }
    qInfo("%d of 3000 mutated bills still read without an error", succeeded);
}

void tst_BillReader::largeBillsReadInBoundedMemory()
{
    constexpr int kRows = 200'000;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    // WeChat: 200 000 rows written through gzip as they are made, never whole in memory.
    const QByteArray wechatHeader = lineOf(readData(u"wechat_tradebill_SUCCESS.wxjava_test.csv"_s), 1);
    const QString gzPath = dir.filePath(u"large.csv.gz"_s);
    gzFile gz = gzopen(QFile::encodeName(gzPath).constData(), "wb1");
    QVERIFY(gz);
    qint64 uncompressed = 0;
    const auto put = [&](const QByteArray &text) {
        uncompressed += text.size();
        return gzwrite(gz, text.constData(), unsigned(text.size())) == int(text.size());
    };
    QVERIFY(put(wechatHeader + "\r\n"));
    for (int i = 0; i < kRows; ++i) {
        const QByteArray no = QByteArray::number(i);
        QVERIFY(put("`2024-03-01 12:00:00,`wx8888888888888888,`1900000001,`0,`,`4200000" + no + ",`ORDER" + no
                    + ",`openid,`NATIVE,`SUCCESS,`OTHERS,`CNY,`1.00,`0.00,`商品,`,`0.00600,`0.60%,`1.00,`\r\n"));
    }
    QVERIFY(put(lineOf(readData(u"wechat_tradebill_SUCCESS.wxjava_test.csv"_s), 3) + "\r\n"));
    QVERIFY(put("`" + QByteArray::number(kRows) + ",`" + QByteArray::number(kRows) + ".00,`0.00,`0.00,`"
                + QByteArray::number(kRows * 6 / 1000) + ".00000,`" + QByteArray::number(kRows) + ".00,`0.00\r\n"));
    QCOMPARE(gzclose(gz), Z_OK);

    QString error;
    std::unique_ptr<BillReader> reader = BillReader::openFile(BillFormat::WechatTradeGzip, gzPath, &error);
    QVERIFY2(reader, qPrintable(error));
    BillLine line;
    qint64 count = 0;
    while (reader->next(line))
        ++count;
    QCOMPARE(reader->error(), QString());
    QCOMPARE(count, kRows);
    QCOMPARE(line.outTradeNo, "ORDER" + QByteArray::number(kRows - 1));
    QCOMPARE(reader->computed(), reader->declared());
    QCOMPARE(reader->declared().rowCount, kRows);
    QCOMPARE(reader->bytesRead(), uncompressed);

    // Alipay: the same number of rows in a deflated zip entry made from a file by libzip.
    const QByteArray sample = readData(u"alipay_trade_detail.sample.gbk.csv"_s);
    const QByteArrayList lines = sample.split('\n');
    const QString csvPath = dir.filePath(u"large.csv"_s);
    {
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::WriteOnly));
        for (int i = 0; i < 5; ++i)
            csv.write(lines.at(i) + '\n');
        const QByteArray row = lines.at(5);
        for (int i = 0; i < kRows; ++i)
            csv.write(withField(row, ",", 1, "ORDER" + QByteArray::number(i) + '\t') + '\n');
        csv.write(lines.at(15) + '\n');
        csv.write(gbk(u"#交易合计：%1笔，商家实收共%2.00元，商家优惠共0.00元\n"_s.arg(kRows).arg(kRows / 100)));
        csv.write(gbk(u"#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元\n"_s));
    }
    const QString zipPath = dir.filePath(u"large.csv.zip"_s);
    int code = 0;
    zip_t *archive = zip_open(QFile::encodeName(zipPath).constData(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    QVERIFY(archive);
    zip_source_t *source = zip_source_file(archive, QFile::encodeName(csvPath).constData(), 0, -1);
    QVERIFY(source);
    const zip_int64_t index = zip_file_add(archive, alipayEntryName().constData(), source, ZIP_FL_ENC_CP437);
    QVERIFY(index >= 0);
    zip_set_file_compression(archive, zip_uint64_t(index), ZIP_CM_DEFLATE, 0);
    QCOMPARE(zip_close(archive), 0);

    reader = BillReader::openFile(BillFormat::AlipayTradeZip, zipPath, &error);
    QVERIFY2(reader, qPrintable(error));
    count = 0;
    while (reader->next(line))
        ++count;
    QCOMPARE(reader->error(), QString());
    QCOMPARE(count, kRows);
    QCOMPARE(line.outTradeNo, "ORDER" + QByteArray::number(kRows - 1));
    QCOMPARE(line.lineNumber, kRows + 5);
    QCOMPARE(reader->declared().paymentCount, kRows);
    QCOMPARE(reader->computed(), reader->declared());
}

QTEST_GUILESS_MAIN(tst_BillReader)
#include "tst_billreader.moc"
