// Console widgets that need no server: money input and formatting, the QR code as drawn, and the
// reconciliation and report views' models, exports and dialogs fed with the API's JSON.

#include "ConsoleSession.h"
#include "DailyReportModel.h"
#include "MoneyText.h"
#include "OrderCsvExport.h"
#include "QrCodeView.h"
#include "ReconciliationCsv.h"
#include "ReconciliationItemsModel.h"
#include "ReconciliationPdf.h"
#include "ResolveItemDialog.h"

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <qrcodegen.hpp>

using namespace Qt::StringLiterals;
using namespace paydesk::console;

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

// A discrepancy item as GET /v1/reconciliation/items lists it (docs/reconciliation.md).
QJsonObject reconItem(const QString &id, const QString &kind, const QJsonValue &local, const QJsonValue &channel,
                      const QString &status = u"OPEN"_s)
{
    return QJsonObject{{u"id"_s, id},
                       {u"run_id"_s, u"rcn_1"_s},
                       {u"date"_s, u"2026-11-29"_s},
                       {u"channel_id"_s, u"alipay-main"_s},
                       {u"kind"_s, kind},
                       {u"ref_type"_s, u"order"_s},
                       {u"ref_id"_s, u"P20261129%1"_s.arg(id)},
                       {u"channel_trade_no"_s, u"2026112922001"_s},
                       {u"local_amount"_s, local},
                       {u"channel_amount"_s, channel},
                       {u"local_status"_s, local.isNull() ? QJsonValue() : QJsonValue(u"SUCCESS"_s)},
                       {u"channel_status"_s, u"SUCCESS"_s},
                       {u"status"_s, status},
                       {u"message"_s, u"the bill has it"_s},
                       {u"resolution"_s, QJsonValue()},
                       {u"note"_s, QJsonValue()},
                       {u"resolved_by"_s, QJsonValue()},
                       {u"resolved_at"_s, QJsonValue()},
                       {u"created_at"_s, 1764460801000LL}};
}

const char *kRun = R"({"id": "rcn_1", "date": "2026-11-29", "channel_id": "alipay-main", "channel_type": "alipay",
 "status": "DONE", "phase": "done", "progress": {"lines": 1234, "bytes": 52000000, "total_bytes": 52000000},
 "bill": {"lines": 1234, "payments": {"count": 1200, "amount": 9876500}, "refunds": {"count": 34, "amount": 12000},
          "fee_millifen": 5925900},
 "local": {"payments": {"count": 1199, "amount": 9875500}, "refunds": {"count": 34, "amount": 12000}},
 "matched": 1233, "cross_day": 1, "discrepancies": 2, "carried": 0, "repaired": 1,
 "by_kind": {"MISSING_LOCAL": 1, "AMOUNT_MISMATCH": 1},
 "started_at": 1764460800000, "finished_at": 1764460801234, "duration_ms": 1234, "error": null})";

} // namespace

class tst_ConsoleWidgets : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void formatsFeesInThousandthsOfAFen_data()
    {
        QTest::addColumn<qint64>("millifen");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << qint64(0) << u"0.00"_s;
        QTest::newRow("whole fen") << qint64(5'925'000) << u"59.25"_s;
        QTest::newRow("fraction of a fen") << qint64(5'925'900) << u"59.259"_s;
        QTest::newRow("smallest") << qint64(1) << u"0.00001"_s;
        QTest::newRow("grouped") << qint64(123'456'789'012) << u"1,234,567.89012"_s;
        QTest::newRow("negative") << qint64(-150'000) << u"-1.50"_s;
    }
    void formatsFeesInThousandthsOfAFen()
    {
        QFETCH(qint64, millifen);
        QFETCH(QString, text);
        QCOMPARE(formatMillifen(millifen, QLocale(u"en_US"_s)), text);
    }

    void successRateComesFromBasisPoints_data()
    {
        QTest::addColumn<QJsonValue>("basisPoints");
        QTest::addColumn<QString>("text");
        QTest::newRow("typical") << QJsonValue(9230) << u"92.30%"_s;
        QTest::newRow("all") << QJsonValue(10'000) << u"100.00%"_s;
        QTest::newRow("none") << QJsonValue(0) << u"0.00%"_s;
        QTest::newRow("one basis point") << QJsonValue(1) << u"0.01%"_s;
        QTest::newRow("odd") << QJsonValue(3333) << u"33.33%"_s;
        QTest::newRow("no orders") << QJsonValue() << u"—"_s;
    }
    void successRateComesFromBasisPoints()
    {
        QFETCH(QJsonValue, basisPoints);
        QFETCH(QString, text);
        QCOMPARE(DailyReportModel::rateText(basisPoints, QLocale(u"en_US"_s)), text);
    }

    void reconciliationItemsArePagedByCursor()
    {
        ConsoleSession session;
        ReconciliationItemsModel model(session);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.appendPage(QJsonObject{
            {u"items"_s, QJsonArray{reconItem(u"a"_s, u"MISSING_LOCAL"_s, QJsonValue(), 777),
                                    reconItem(u"b"_s, u"AMOUNT_MISMATCH"_s, 1000, 1001)}},
            {u"next_cursor"_s, u"c1"_s}});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.size(), 1);
        QVERIFY(model.hasMore());
        QVERIFY(model.canFetchMore({}));
        using M = ReconciliationItemsModel;
        QCOMPARE(model.index(0, M::Kind).data().toString(), u"Only in the bill"_s);
        QCOMPARE(model.index(0, M::Key).data().toString(), u"P20261129a"_s);
        QCOMPARE(model.index(0, M::LocalAmount).data().toString(), u"—"_s);
        QCOMPARE(model.index(0, M::ChannelAmount).data().toString(), u"7.77"_s);
        QCOMPARE(model.index(1, M::LocalAmount).data().toString(), u"10.00"_s);
        QCOMPARE(model.index(1, M::ChannelAmount).data().toString(), u"10.01"_s);
        QCOMPARE(model.index(1, M::Status).data().toString(), u"Open"_s);
        QCOMPARE(model.index(1, M::Channel).data().toString(), u"alipay-main"_s);
        QVERIFY(model.index(1, M::ChannelAmount).data(Qt::TextAlignmentRole).toInt() & Qt::AlignRight);
        QCOMPARE(model.index(1, 0).data(Qt::UserRole).toString(), u"b"_s);

        // The last page has no cursor: nothing more to fetch.
        model.appendPage(QJsonObject{{u"items"_s, QJsonArray{reconItem(u"c"_s, u"INTERNAL"_s, 5, 5)}}});
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(!model.hasMore());
        QVERIFY(!model.canFetchMore({}));
        QCOMPARE(model.rowOf(u"c"_s), 2);

        // A resolved item replaces its row.
        QJsonObject resolved = model.itemAt(0);
        resolved[u"status"_s] = u"RESOLVED"_s;
        resolved[u"resolution"_s] = u"WRITTEN_OFF"_s;
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.updateItem(resolved);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.index(0, M::Status).data().toString(), u"Resolved"_s);
        QCOMPARE(model.index(0, M::Resolution).data().toString(), u"Written off"_s);
    }

    void reconciliationCsvHasTheRunsThenTheItems()
    {
        QJsonObject item = reconItem(u"rci_1"_s, u"AMOUNT_MISMATCH"_s, 1000, 1001, u"RESOLVED"_s);
        item[u"resolution"_s] = u"ADJUSTED"_s;
        item[u"note"_s] = u"=booked 0.01, see \"ticket\""_s;
        item[u"resolved_by"_s] = u"usr_admin"_s;
        item[u"resolved_at"_s] = 1764547200000LL; // 2025-12-01 00:00 UTC
        const QJsonObject missing = reconItem(u"rci_2"_s, u"MISSING_LOCAL"_s, QJsonValue(), 777);
        const QByteArray csv = ReconciliationCsv::build({json(kRun)}, {item, missing});
        const QByteArray expected
            = "\xEF\xBB\xBF"
              "run_id,date,channel_id,status,bill_payment_count,bill_payment_amount,local_payment_count,"
              "local_payment_amount,bill_refund_count,bill_refund_amount,local_refund_count,local_refund_amount,"
              "fee,matched,cross_day,discrepancies,carried,repaired,duration_ms,error\r\n"
              "rcn_1,2026-11-29,alipay-main,DONE,1200,98765.00,1199,98755.00,34,120.00,34,120.00,59.25900,1233,1,2,0,1,"
              "1234,\r\n"
              "\r\n"
              "item_id,run_id,date,channel_id,kind,ref_type,ref_id,channel_trade_no,local_amount,channel_amount,"
              "local_status,channel_status,status,resolution,note,resolved_by,resolved_at,created_at,message\r\n"
              "rci_1,rcn_1,2026-11-29,alipay-main,AMOUNT_MISMATCH,order,P20261129rci_1,2026112922001,10.00,10.01,"
              "SUCCESS,SUCCESS,RESOLVED,ADJUSTED,\"'=booked 0.01, see \"\"ticket\"\"\",usr_admin,"
              "2025-12-01T08:00:00+08:00,2025-11-30T08:00:01+08:00,the bill has it\r\n"
              "rci_2,rcn_1,2026-11-29,alipay-main,MISSING_LOCAL,order,P20261129rci_2,2026112922001,,7.77,,SUCCESS,"
              "OPEN,,,,,2025-11-30T08:00:01+08:00,the bill has it\r\n";
        QCOMPARE(csv, expected);

        QTemporaryDir dir;
        QString error;
        QVERIFY2(ReconciliationCsv::write(dir.filePath(u"r.csv"_s), {json(kRun)}, {item, missing}, &error),
                 qPrintable(error));
        QFile file(dir.filePath(u"r.csv"_s));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), expected);
        QVERIFY(!ReconciliationCsv::write(dir.filePath(u"no/such/folder/r.csv"_s), {}, {}, &error));
        QVERIFY(!error.isEmpty());
    }

    void reconciliationPdfContinuesOnFurtherPages()
    {
        QList<QJsonObject> items;
        for (int i = 0; i < 300; ++i)
            items.append(reconItem(u"rci_%1"_s.arg(i), i % 2 ? u"MISSING_LOCAL"_s : u"AMOUNT_MISMATCH"_s,
                                   i % 2 ? QJsonValue() : QJsonValue(1000 + i), 1001 + i));
        QJsonObject internal{{u"id"_s, u"rcn_2"_s},  {u"date"_s, u"2026-11-29"_s}, {u"channel_id"_s, u"internal"_s},
                             {u"status"_s, u"DONE"_s}, {u"discrepancies"_s, 0},       {u"matched"_s, 0},
                             {u"checks"_s, QJsonArray{QJsonObject{{u"name"_s, u"trial_balance"_s}, {u"ok"_s, true}}}}};
        QTemporaryDir dir;
        const auto pagesOf = [](const QString &path) {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                return -1;
            const QByteArray bytes = file.readAll();
            if (!bytes.startsWith("%PDF-"))
                return -1;
            static const QRegularExpression page(u"/Type\\s*/Page(?![a-zA-Z])"_s);
            int pages = 0;
            for (QRegularExpressionMatchIterator it = page.globalMatch(QString::fromLatin1(bytes)); it.hasNext(); it.next())
                ++pages;
            return pages;
        };

        ReconciliationPdf longReport(QDate(2026, 11, 29), {json(kRun), internal}, items);
        longReport.setLocale(QLocale(u"en_US"_s));
        QVERIFY(longReport.html().contains(u"Discrepancies (300)"_s));
        QVERIFY(longReport.html().contains(u"98,765.00"_s));
        QVERIFY(longReport.html().contains(u"¥59.259"_s));
        QString error;
        QVERIFY2(longReport.write(dir.filePath(u"long.pdf"_s), &error), qPrintable(error));
        QVERIFY2(longReport.pageCount() >= 3, qPrintable(QString::number(longReport.pageCount())));
        QCOMPARE(pagesOf(dir.filePath(u"long.pdf"_s)), longReport.pageCount());

        ReconciliationPdf shortReport(QDate(2026, 11, 29), {json(kRun)}, items.mid(0, 2));
        QVERIFY2(shortReport.write(dir.filePath(u"short.pdf"_s), &error), qPrintable(error));
        QCOMPARE(shortReport.pageCount(), 1);
        QCOMPARE(pagesOf(dir.filePath(u"short.pdf"_s)), 1);
    }

    void dailyReportShowsRowsTotalsAndCsv()
    {
        const QJsonObject report = json(R"({"from": "2026-11-28", "to": "2026-11-29",
          "rows": [{"date": "2026-11-29", "merchant_id": "m1", "merchant_name": "Tea, Ltd", "channel_id": "alipay-main",
                    "channel_type": "alipay", "orders": 130, "paid_count": 120, "paid_amount": 9876500,
                    "refunded_count": 3, "refunded_amount": 12000, "fee_millifen": 5925900, "fee": 5926,
                    "net": 9858574, "success_rate_bp": 9230},
                   {"date": "2026-11-28", "merchant_id": "m1", "merchant_name": "Tea, Ltd", "channel_id": "wechat-main",
                    "channel_type": "wechat", "orders": 0, "paid_count": 0, "paid_amount": 0,
                    "refunded_count": 1, "refunded_amount": 500, "fee_millifen": 0, "fee": 0,
                    "net": -500, "success_rate_bp": null}],
          "totals": {"orders": 130, "paid_count": 120, "paid_amount": 9876500, "refunded_count": 4,
                     "refunded_amount": 12500, "fee_millifen": 5925900, "fee": 5926, "net": 9858074,
                     "success_rate_bp": 9230}})");
        DailyReportModel model;
        model.setReport(report);
        QCOMPARE(model.rowCount(), 3); // two rows and the totals
        using R = DailyReportModel;
        QCOMPARE(model.index(0, R::Merchant).data().toString(), u"Tea, Ltd"_s);
        QCOMPARE(model.index(0, R::PaidAmount).data().toString(), u"98,765.00"_s);
        QCOMPARE(model.index(0, R::Fee).data().toString(), u"59.26"_s);
        QCOMPARE(model.index(0, R::Fee).data(Qt::ToolTipRole).toString(), u"¥59.259 as the bills state it"_s);
        QCOMPARE(model.index(0, R::SuccessRate).data().toString(), u"92.30%"_s);
        QCOMPARE(model.index(1, R::SuccessRate).data().toString(), u"—"_s);
        QCOMPARE(model.index(1, R::Net).data().toString(), u"-5.00"_s);
        QCOMPARE(model.index(2, R::Date).data().toString(), u"Total"_s);
        QCOMPARE(model.index(2, R::Net).data().toString(), u"98,580.74"_s);
        QVERIFY(model.index(2, R::Net).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(model.paidPerDay().value(u"2026-11-29"_s), 9876500);
        QCOMPARE(model.refundedPerDay().value(u"2026-11-28"_s), 500);

        const QByteArray expected = "\xEF\xBB\xBF"
                                    "date,merchant_id,merchant_name,channel_id,channel_type,orders,paid_count,"
                                    "paid_amount,refunded_count,refunded_amount,fee,net,success_rate_percent\r\n"
                                    "2026-11-29,m1,\"Tea, Ltd\",alipay-main,alipay,130,120,98765.00,3,120.00,59.26,"
                                    "98585.74,92.30\r\n"
                                    "2026-11-28,m1,\"Tea, Ltd\",wechat-main,wechat,0,0,0.00,1,5.00,0.00,-5.00,\r\n"
                                    "total,,,,,130,120,98765.00,4,125.00,59.26,98580.74,92.30\r\n";
        QCOMPARE(model.toCsv(), expected);

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void resolvingNeedsANoteOfAtMost500Characters()
    {
        ResolveItemDialog dialog(reconItem(u"rci_1"_s, u"MISSING_LOCAL"_s, QJsonValue(), 777));
        QStringList resolutions;
        for (int i = 0; i < dialog.resolutionBox()->count(); ++i)
            resolutions << dialog.resolutionBox()->itemData(i).toString();
        QCOMPARE(resolutions, QStringList({u"ADJUSTED"_s, u"REFUNDED"_s, u"CHANNEL_ERROR"_s, u"WRITTEN_OFF"_s,
                                           u"DUPLICATE"_s, u"OTHER"_s}));
        QCOMPARE(dialog.resolutionBox()->itemText(3), u"Written off"_s);
        QVERIFY(!dialog.resolveButton()->isEnabled());
        QTest::keyClicks(dialog.noteEdit(), u"   "_s);
        QVERIFY(!dialog.resolveButton()->isEnabled());
        dialog.noteEdit()->setPlainText(u"  Paid twice by the customer; returned  "_s);
        QVERIFY(dialog.resolveButton()->isEnabled());
        QCOMPARE(dialog.note(), u"Paid twice by the customer; returned"_s);
        dialog.noteEdit()->setPlainText(QString(500, u'x'));
        QVERIFY(dialog.resolveButton()->isEnabled());
        dialog.noteEdit()->setPlainText(QString(501, u'x'));
        QVERIFY(!dialog.resolveButton()->isEnabled());
        dialog.accept(); // refused while the note is too long
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        dialog.resolutionBox()->setCurrentIndex(1);
        QCOMPARE(dialog.resolution(), u"REFUNDED"_s);
    }
    void formatsFenInEachLocale_data()
    {
        QTest::addColumn<qint64>("fen");
        QTest::addColumn<QString>("locale");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << qint64(0) << u"en_US"_s << u"0.00"_s;
        QTest::newRow("cents") << qint64(5) << u"en_US"_s << u"0.05"_s;
        QTest::newRow("grouped") << qint64(123456789) << u"en_US"_s << u"1,234,567.89"_s;
        QTest::newRow("chinese") << qint64(123456789) << u"zh_CN"_s << u"1,234,567.89"_s;
        QTest::newRow("german") << qint64(123456789) << u"de_DE"_s << u"1.234.567,89"_s;
        QTest::newRow("negative") << qint64(-1050) << u"en_US"_s << u"-10.50"_s;
        QTest::newRow("large") << qint64(9'000'000'000'000'000'000) << u"en_US"_s
                               << u"90,000,000,000,000,000.00"_s;
    }
    void formatsFenInEachLocale()
    {
        QFETCH(qint64, fen);
        QFETCH(QString, locale);
        QFETCH(QString, text);
        QCOMPARE(formatFen(fen, QLocale(locale)), text);
    }

    void parsesWhatPeopleType_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("fen"); // -1: refused
        QTest::newRow("whole") << u"12"_s << qint64(1200);
        QTest::newRow("one decimal") << u"12.3"_s << qint64(1230);
        QTest::newRow("two decimals") << u"12.34"_s << qint64(1234);
        QTest::newRow("grouped") << u"1,234.50"_s << qint64(123450);
        QTest::newRow("yen sign") << u"¥8.88"_s << qint64(888);
        QTest::newRow("spaces") << u"  5 "_s << qint64(500);
        QTest::newRow("three decimals") << u"1.234"_s << qint64(-1);
        QTest::newRow("exponent") << u"1e3"_s << qint64(-1);
        QTest::newRow("negative") << u"-5"_s << qint64(-1);
        QTest::newRow("empty") << u""_s << qint64(-1);
        QTest::newRow("letters") << u"abc"_s << qint64(-1);
        QTest::newRow("overflow") << u"999999999999999999999"_s << qint64(-1);
    }
    void parsesWhatPeopleType()
    {
        QFETCH(QString, text);
        QFETCH(qint64, fen);
        const std::optional<qint64> parsed = parseFen(text, QLocale(QLocale::English, QLocale::UnitedStates));
        QCOMPARE(parsed.value_or(-1), fen);
    }

    void validatorRefusesWhileTyping()
    {
        QLineEdit edit;
        edit.setValidator(new MoneyValidator(100'000'000, &edit));
        QTest::keyClicks(&edit, u"12.345"_s);
        QCOMPARE(edit.text(), u"12.34"_s); // the third decimal is not accepted
        edit.clear();
        QTest::keyClicks(&edit, u"1x2"_s);
        QCOMPARE(edit.text(), u"12"_s);
        edit.clear();
        QTest::keyClicks(&edit, u"2000000"_s); // above 1,000,000.00
        QCOMPARE(edit.text(), u"200000"_s);
        QVERIFY(edit.hasAcceptableInput());
        edit.setText(u"0"_s);
        QVERIFY(!edit.hasAcceptableInput());
    }

    // The drawn code, read back pixel by pixel at each module's centre, equals QR-Code-generator's
    // own matrix for the text, with a white quiet zone of four modules around it, at every size.
    void drawnQrCodeMatchesTheEncoderModuleByModule_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QSize>("size");
        QTest::newRow("alipay small") << u"https://qr.alipay.com/bax08861rjgkpfzgfg6y0007"_s << QSize(140, 140);
        QTest::newRow("alipay large") << u"https://qr.alipay.com/bax08861rjgkpfzgfg6y0007"_s << QSize(900, 700);
        QTest::newRow("wechat") << u"weixin://wxpay/bizpayurl?pr=aIQrOYOzz"_s << QSize(400, 300);
    }
    void drawnQrCodeMatchesTheEncoderModuleByModule()
    {
        QFETCH(QString, text);
        QFETCH(QSize, size);
        QrCodeView view;
        view.resize(size);
        view.setText(text);
        const QImage image = view.grab().toImage();
        const QRect code = view.codeRect();
        const int pixels = view.modulePixels();
        QVERIFY(pixels >= 1);
        QVERIFY(QRect(QPoint(0, 0), size).contains(code));

        const qrcodegen::QrCode reference
            = qrcodegen::QrCode::encodeText(text.toUtf8().constData(), qrcodegen::QrCode::Ecc::MEDIUM);
        const int modules = reference.getSize();
        QCOMPARE(code.width(), (modules + 2 * QrCodeView::kQuietZone) * pixels);
        int mismatches = 0;
        for (int y = -QrCodeView::kQuietZone; y < modules + QrCodeView::kQuietZone; ++y) {
            for (int x = -QrCodeView::kQuietZone; x < modules + QrCodeView::kQuietZone; ++x) {
                const QPoint centre(code.left() + (x + QrCodeView::kQuietZone) * pixels + pixels / 2,
                                    code.top() + (y + QrCodeView::kQuietZone) * pixels + pixels / 2);
                const bool inside = x >= 0 && y >= 0 && x < modules && y < modules;
                const bool expectDark = inside && reference.getModule(x, y);
                const bool dark = qGray(image.pixel(centre)) < 128;
                if (dark != expectDark)
                    ++mismatches;
            }
        }
        QCOMPARE(mismatches, 0);
    }

    void csvFieldsAreQuotedAndFormulasDefused_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("field");
        QTest::newRow("plain") << u"Coffee"_s << u"Coffee"_s;
        QTest::newRow("chinese") << u"拿铁咖啡"_s << u"拿铁咖啡"_s;
        QTest::newRow("comma") << u"tea, milk"_s << u"\"tea, milk\""_s;
        QTest::newRow("quote") << u"6\" sub"_s << u"\"6\"\" sub\""_s;
        QTest::newRow("line break") << u"a\nb"_s << u"\"a\nb\""_s;
        QTest::newRow("formula") << u"=HYPERLINK(\"x\")"_s << u"\"'=HYPERLINK(\"\"x\"\")\""_s;
        QTest::newRow("plus") << u"+86 138"_s << u"'+86 138"_s;
        QTest::newRow("empty") << QString() << QString();
    }
    void csvFieldsAreQuotedAndFormulasDefused()
    {
        QFETCH(QString, text);
        QFETCH(QString, field);
        QCOMPARE(OrderCsvExport::field(text), field);
    }

    void refusesTextTooLongForACode()
    {
        QrCodeView view;
        view.setText(QString(3000, u'x'));
        QVERIFY(view.matrix().isEmpty());
        QCOMPARE(view.modulePixels(), 0);
    }
};

QTEST_MAIN(tst_ConsoleWidgets)
#include "tst_consolewidgets.moc"
