// Console widgets that need no server: money input and formatting, and the QR code as drawn.

#include "MoneyText.h"
#include "OrderCsvExport.h"
#include "QrCodeView.h"

#include <QLineEdit>
#include <QTest>

#include <qrcodegen.hpp>

using namespace Qt::StringLiterals;
using namespace paydesk::console;

class tst_ConsoleWidgets : public QObject
{
    Q_OBJECT

private slots:
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
