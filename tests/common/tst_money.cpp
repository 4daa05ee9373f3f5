#include "common/money/Money.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;

namespace paydesk {
// Lets QCOMPARE print amounts on failure.
char *toString(const Money &money)
{
    return QTest::toString(money.toString() + u' ' + currencyCode(money.currency()));
}
} // namespace paydesk

using paydesk::Currency;
using paydesk::Money;

Q_DECLARE_METATYPE(Money::ParseError)
Q_DECLARE_METATYPE(Money::Sign)

namespace {
constexpr qint64 kMax = std::numeric_limits<qint64>::max();
constexpr qint64 kMin = std::numeric_limits<qint64>::min();

Money cny(qint64 fen)
{
    return Money::fromMinor(fen, Currency::CNY);
}
} // namespace

class tst_Money final : public QObject
{
    Q_OBJECT

private slots:
    void parseAcceptsExactDecimals_data();
    void parseAcceptsExactDecimals();
    void parseRejectsEverythingElse_data();
    void parseRejectsEverythingElse();
    void parseReportsNoErrorOnSuccess();
    void toStringAlwaysHasTheMinorDigits_data();
    void toStringAlwaysHasTheMinorDigits();
    void toStringRoundTripsThroughParse_data();
    void toStringRoundTripsThroughParse();
    void checkedAddDetectsOverflow_data();
    void checkedAddDetectsOverflow();
    void checkedSubDetectsOverflow_data();
    void checkedSubDetectsOverflow();
    void checkedMulDetectsOverflow_data();
    void checkedMulDetectsOverflow();
    void checkedNegateRefusesTheMinimum();
    void arithmeticRefusesMixedCurrencies();
    void comparisonWithinOneCurrency();
    void comparisonAcrossCurrenciesIsUnordered();
    void predicates();
    void defaultIsZeroCny();
    void currencyCodes();
    void jsonMinorUnitsAcceptOnlyExactIntegers_data();
    void jsonMinorUnitsAcceptOnlyExactIntegers();
    void jsonMinorUnitsRespectSign();
    void describeNamesTheReason();
};

void tst_Money::parseAcceptsExactDecimals_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<Money::Sign>("sign");
    QTest::addColumn<qint64>("minorUnits");

    const auto nonNegative = Money::Sign::NonNegative;
    const auto allowNegative = Money::Sign::AllowNegative;
    QTest::newRow("two decimals") << u"12.34"_s << nonNegative << qint64(1234);
    QTest::newRow("one fen") << u"0.01"_s << nonNegative << qint64(1);
    QTest::newRow("whole") << u"12"_s << nonNegative << qint64(1200);
    QTest::newRow("one decimal") << u"12.3"_s << nonNegative << qint64(1230);
    QTest::newRow("zero") << u"0"_s << nonNegative << qint64(0);
    QTest::newRow("zero with decimals") << u"0.00"_s << nonNegative << qint64(0);
    QTest::newRow("zero then decimals") << u"0.5"_s << nonNegative << qint64(50);
    QTest::newRow("ten") << u"10"_s << nonNegative << qint64(1000);
    QTest::newRow("inner zeros") << u"100.05"_s << nonNegative << qint64(10005);
    QTest::newRow("negative") << u"-5.00"_s << allowNegative << qint64(-500);
    QTest::newRow("negative fen") << u"-0.01"_s << allowNegative << qint64(-1);
    QTest::newRow("negative whole") << u"-5"_s << allowNegative << qint64(-500);
    QTest::newRow("negative zero is zero") << u"-0.00"_s << allowNegative << qint64(0);
    QTest::newRow("positive when negatives allowed") << u"7.07"_s << allowNegative << qint64(707);
    QTest::newRow("qint64 max") << u"92233720368547758.07"_s << nonNegative << kMax;
    QTest::newRow("qint64 min") << u"-92233720368547758.08"_s << allowNegative << kMin;
    QTest::newRow("alipay maximum") << u"100000000.00"_s << nonNegative << qint64(10000000000);
}

void tst_Money::parseAcceptsExactDecimals()
{
    QFETCH(QString, text);
    QFETCH(Money::Sign, sign);
    QFETCH(qint64, minorUnits);

    const std::optional<Money> money = Money::parse(text, Currency::CNY, sign);
    QVERIFY(money.has_value());
    QCOMPARE(money->minorUnits(), minorUnits);
    QCOMPARE(money->currency(), Currency::CNY);
}

void tst_Money::parseRejectsEverythingElse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<Money::Sign>("sign");
    QTest::addColumn<Money::ParseError>("error");

    using E = Money::ParseError;
    const auto nonNegative = Money::Sign::NonNegative;
    const auto allowNegative = Money::Sign::AllowNegative;
    QTest::newRow("empty") << QString() << nonNegative << E::Empty;
    QTest::newRow("minus only") << u"-"_s << allowNegative << E::Syntax;
    QTest::newRow("minus only, non-negative") << u"-"_s << nonNegative << E::Syntax;
    QTest::newRow("dot only") << u"."_s << nonNegative << E::Syntax;
    QTest::newRow("leading space") << u" 1"_s << nonNegative << E::Syntax;
    QTest::newRow("trailing space") << u"1 "_s << nonNegative << E::Syntax;
    QTest::newRow("trailing newline") << u"1\n"_s << nonNegative << E::Syntax;
    QTest::newRow("exponent") << u"1e3"_s << nonNegative << E::Syntax;
    QTest::newRow("plus sign") << u"+1"_s << nonNegative << E::Syntax;
    QTest::newRow("no whole part") << u".5"_s << nonNegative << E::Syntax;
    QTest::newRow("no fraction after dot") << u"5."_s << nonNegative << E::Syntax;
    QTest::newRow("negative without whole part") << u"-.5"_s << allowNegative << E::Syntax;
    QTest::newRow("leading zeros") << u"007"_s << nonNegative << E::Syntax;
    QTest::newRow("leading zero with fraction") << u"01.50"_s << nonNegative << E::Syntax;
    QTest::newRow("double zero") << u"00.01"_s << nonNegative << E::Syntax;
    QTest::newRow("negative leading zero") << u"-01"_s << allowNegative << E::Syntax;
    QTest::newRow("two dots") << u"1.2.3"_s << nonNegative << E::Syntax;
    QTest::newRow("two minus signs") << u"--1"_s << allowNegative << E::Syntax;
    QTest::newRow("thousands separator") << u"1,000.00"_s << nonNegative << E::Syntax;
    QTest::newRow("decimal comma") << u"12,34"_s << nonNegative << E::Syntax;
    QTest::newRow("letters") << u"abc"_s << nonNegative << E::Syntax;
    QTest::newRow("hex") << u"0x10"_s << nonNegative << E::Syntax;
    QTest::newRow("currency symbol") << u"¥12.00"_s << nonNegative << E::Syntax;
    QTest::newRow("infinity") << u"inf"_s << nonNegative << E::Syntax;
    QTest::newRow("nan") << u"nan"_s << nonNegative << E::Syntax;
    QTest::newRow("full-width digits") << u"１２.３４"_s << nonNegative << E::Syntax;
    QTest::newRow("arabic-indic digits") << u"\u0661\u0662"_s << nonNegative << E::Syntax;
    QTest::newRow("superscript two") << u"\u00b2"_s << nonNegative << E::Syntax;
    QTest::newRow("unicode minus") << u"\u22121.00"_s << allowNegative << E::Syntax;
    QTest::newRow("embedded nul") << QString(u"1\0002"_s) << nonNegative << E::Syntax;
    QTest::newRow("syntax wins over sign") << u"-1x"_s << nonNegative << E::Syntax;
    QTest::newRow("syntax wins over decimals") << u"1.234x"_s << nonNegative << E::Syntax;
    QTest::newRow("negative not allowed") << u"-5.00"_s << nonNegative << E::NegativeNotAllowed;
    QTest::newRow("negative zero not allowed") << u"-0"_s << nonNegative << E::NegativeNotAllowed;
    QTest::newRow("three decimals") << u"1.234"_s << nonNegative << E::TooManyDecimals;
    QTest::newRow("trailing zero decimal") << u"1.000"_s << nonNegative << E::TooManyDecimals;
    QTest::newRow("negative three decimals") << u"-1.234"_s << allowNegative << E::TooManyDecimals;
    QTest::newRow("one above max") << u"92233720368547758.08"_s << nonNegative << E::Overflow;
    QTest::newRow("one below min") << u"-92233720368547758.09"_s << allowNegative << E::Overflow;
    QTest::newRow("max magnitude positive") << u"92233720368547758.08"_s << allowNegative << E::Overflow;
    QTest::newRow("whole part too long") << u"92233720368547758"_s.append(u"0"_s) << nonNegative << E::Overflow;
    QTest::newRow("overflow while scaling") << u"92233720368547759"_s << nonNegative << E::Overflow;
    QTest::newRow("very long") << QString(400, u'9') << nonNegative << E::Overflow;
}

void tst_Money::parseRejectsEverythingElse()
{
    QFETCH(QString, text);
    QFETCH(Money::Sign, sign);
    QFETCH(Money::ParseError, error);

    Money::ParseError reported = Money::ParseError::None;
    const std::optional<Money> money = Money::parse(text, Currency::CNY, sign, &reported);
    QVERIFY(!money.has_value());
    QCOMPARE(reported, error);
}

void tst_Money::parseReportsNoErrorOnSuccess()
{
    Money::ParseError error = Money::ParseError::Syntax;
    QVERIFY(Money::parse(u"1.00", Currency::CNY, Money::Sign::NonNegative, &error));
    QCOMPARE(error, Money::ParseError::None);
}

void tst_Money::toStringAlwaysHasTheMinorDigits_data()
{
    QTest::addColumn<qint64>("minorUnits");
    QTest::addColumn<QString>("text");

    QTest::newRow("zero") << qint64(0) << u"0.00"_s;
    QTest::newRow("one fen") << qint64(1) << u"0.01"_s;
    QTest::newRow("ten fen") << qint64(10) << u"0.10"_s;
    QTest::newRow("one yuan") << qint64(100) << u"1.00"_s;
    QTest::newRow("12.34") << qint64(1234) << u"12.34"_s;
    QTest::newRow("minus fifty fen") << qint64(-50) << u"-0.50"_s;
    QTest::newRow("minus one fen") << qint64(-1) << u"-0.01"_s;
    QTest::newRow("minus five") << qint64(-500) << u"-5.00"_s;
    QTest::newRow("max") << kMax << u"92233720368547758.07"_s;
    QTest::newRow("min") << kMin << u"-92233720368547758.08"_s;
}

void tst_Money::toStringAlwaysHasTheMinorDigits()
{
    QFETCH(qint64, minorUnits);
    QFETCH(QString, text);
    QCOMPARE(cny(minorUnits).toString(), text);
}

void tst_Money::toStringRoundTripsThroughParse_data()
{
    QTest::addColumn<qint64>("minorUnits");
    for (const qint64 value :
         {qint64(0), qint64(1), qint64(9), qint64(10), qint64(99), qint64(100), qint64(101), qint64(123456789), kMax,
          kMax - 1, kMin, kMin + 1, qint64(-1), qint64(-99), qint64(-100)}) {
        QTest::addRow("%lld", static_cast<long long>(value)) << value;
    }
}

void tst_Money::toStringRoundTripsThroughParse()
{
    QFETCH(qint64, minorUnits);
    const Money money = cny(minorUnits);
    const std::optional<Money> parsed = Money::parse(money.toString(), Currency::CNY, Money::Sign::AllowNegative);
    QVERIFY(parsed.has_value());
    QCOMPARE(*parsed, money);
}

void tst_Money::checkedAddDetectsOverflow_data()
{
    QTest::addColumn<qint64>("a");
    QTest::addColumn<qint64>("b");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("sum");

    QTest::newRow("small") << qint64(1234) << qint64(66) << true << qint64(1300);
    QTest::newRow("to max") << kMax - 1 << qint64(1) << true << kMax;
    QTest::newRow("past max") << kMax << qint64(1) << false << qint64(0);
    QTest::newRow("max plus max") << kMax << kMax << false << qint64(0);
    QTest::newRow("to min") << kMin + 1 << qint64(-1) << true << kMin;
    QTest::newRow("past min") << kMin << qint64(-1) << false << qint64(0);
    QTest::newRow("min plus max") << kMin << kMax << true << qint64(-1);
}

void tst_Money::checkedAddDetectsOverflow()
{
    QFETCH(qint64, a);
    QFETCH(qint64, b);
    QFETCH(bool, ok);
    QFETCH(qint64, sum);

    const std::optional<Money> result = cny(a).checkedAdd(cny(b));
    QCOMPARE(result.has_value(), ok);
    if (ok)
        QCOMPARE(*result, cny(sum));
}

void tst_Money::checkedSubDetectsOverflow_data()
{
    QTest::addColumn<qint64>("a");
    QTest::addColumn<qint64>("b");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("difference");

    QTest::newRow("small") << qint64(1000) << qint64(1) << true << qint64(999);
    QTest::newRow("below zero") << qint64(1) << qint64(2) << true << qint64(-1);
    QTest::newRow("to min") << kMin + 1 << qint64(1) << true << kMin;
    QTest::newRow("past min") << kMin << qint64(1) << false << qint64(0);
    QTest::newRow("zero minus min") << qint64(0) << kMin << false << qint64(0);
    QTest::newRow("max minus -1") << kMax << qint64(-1) << false << qint64(0);
    QTest::newRow("-1 minus max") << qint64(-1) << kMax << true << kMin;
}

void tst_Money::checkedSubDetectsOverflow()
{
    QFETCH(qint64, a);
    QFETCH(qint64, b);
    QFETCH(bool, ok);
    QFETCH(qint64, difference);

    const std::optional<Money> result = cny(a).checkedSub(cny(b));
    QCOMPARE(result.has_value(), ok);
    if (ok)
        QCOMPARE(*result, cny(difference));
}

void tst_Money::checkedMulDetectsOverflow_data()
{
    QTest::addColumn<qint64>("amount");
    QTest::addColumn<qint64>("factor");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("product");

    QTest::newRow("small") << qint64(250) << qint64(4) << true << qint64(1000);
    QTest::newRow("by zero") << kMax << qint64(0) << true << qint64(0);
    QTest::newRow("by minus one") << kMax << qint64(-1) << true << -kMax;
    QTest::newRow("min by minus one") << kMin << qint64(-1) << false << qint64(0);
    QTest::newRow("max by two") << kMax << qint64(2) << false << qint64(0);
    QTest::newRow("half max by two") << kMax / 2 << qint64(2) << true << kMax - 1;
    QTest::newRow("min by one") << kMin << qint64(1) << true << kMin;
    QTest::newRow("large by large") << qint64(3037000500) << qint64(3037000500) << false << qint64(0);
}

void tst_Money::checkedMulDetectsOverflow()
{
    QFETCH(qint64, amount);
    QFETCH(qint64, factor);
    QFETCH(bool, ok);
    QFETCH(qint64, product);

    const std::optional<Money> result = cny(amount).checkedMul(factor);
    QCOMPARE(result.has_value(), ok);
    if (ok)
        QCOMPARE(*result, cny(product));
}

void tst_Money::checkedNegateRefusesTheMinimum()
{
    QCOMPARE(cny(150).checkedNegate(), std::optional<Money>(cny(-150)));
    QCOMPARE(cny(kMax).checkedNegate(), std::optional<Money>(cny(-kMax)));
    QVERIFY(!cny(kMin).checkedNegate().has_value());
}

void tst_Money::arithmeticRefusesMixedCurrencies()
{
    // Only CNY exists today; a value outside the enumeration stands in for a second currency.
    const Money other = Money::fromMinor(100, Currency(1));
    QVERIFY(!cny(100).checkedAdd(other).has_value());
    QVERIFY(!cny(100).checkedSub(other).has_value());
    QVERIFY(!other.checkedAdd(cny(0)).has_value());
    QVERIFY(other.checkedAdd(other).has_value());
}

void tst_Money::comparisonWithinOneCurrency()
{
    QVERIFY(cny(1) < cny(2));
    QVERIFY(cny(2) > cny(1));
    QVERIFY(cny(-1) < cny(0));
    QVERIFY(cny(2) <= cny(2));
    QVERIFY(cny(2) >= cny(2));
    QVERIFY(cny(kMin) < cny(kMax));
    QCOMPARE(cny(5), cny(5));
    QVERIFY(cny(5) != cny(6));
    QCOMPARE(Money::parse(u"12.30"), Money::parse(u"12.3"));
}

void tst_Money::comparisonAcrossCurrenciesIsUnordered()
{
    const Money other = Money::fromMinor(100, Currency(1));
    const Money yuan = cny(100);
    QVERIFY(yuan != other);
    QVERIFY(!(yuan == other));
    QVERIFY(!(yuan < other));
    QVERIFY(!(yuan > other));
    QVERIFY(!(yuan <= other));
    QVERIFY(!(yuan >= other));
    QVERIFY((yuan <=> other) == std::partial_ordering::unordered);
}

void tst_Money::predicates()
{
    QVERIFY(cny(0).isZero());
    QVERIFY(!cny(0).isNegative());
    QVERIFY(!cny(0).isPositive());
    QVERIFY(cny(-1).isNegative());
    QVERIFY(!cny(-1).isZero());
    QVERIFY(cny(1).isPositive());
    QVERIFY(Money::parse(u"-0.00", Currency::CNY, Money::Sign::AllowNegative)->isZero());
    QVERIFY(!Money::parse(u"-0.00", Currency::CNY, Money::Sign::AllowNegative)->isNegative());
}

void tst_Money::defaultIsZeroCny()
{
    const Money money;
    QCOMPARE(money, Money::zero(Currency::CNY));
    QCOMPARE(money.toString(), u"0.00"_s);
}

void tst_Money::currencyCodes()
{
    QCOMPARE(paydesk::currencyCode(Currency::CNY), u"CNY"_s);
    QCOMPARE(paydesk::currencyMinorDigits(Currency::CNY), 2);
    QCOMPARE(paydesk::currencyFromCode(u"CNY"), std::optional<Currency>(Currency::CNY));
    QVERIFY(!paydesk::currencyFromCode(u"cny").has_value());
    QVERIFY(!paydesk::currencyFromCode(u"RMB").has_value());
    QVERIFY(!paydesk::currencyFromCode(u"").has_value());
}

void tst_Money::jsonMinorUnitsAcceptOnlyExactIntegers_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("minorUnits");

    QTest::newRow("integer") << QByteArray("1234") << true << qint64(1234);
    QTest::newRow("zero") << QByteArray("0") << true << qint64(0);
    QTest::newRow("2^53 - 1") << QByteArray("9007199254740991") << true << qint64(9007199254740991);
    // Qt's parser goes through double: 9007199254740993.0 arrives as ...992, so the whole
    // range where that can happen is refused.
    QTest::newRow("2^53") << QByteArray("9007199254740992") << false << qint64(0);
    QTest::newRow("2^53 + 1 as fraction") << QByteArray("9007199254740993.0") << false << qint64(0);
    QTest::newRow("qint64 max") << QByteArray("9223372036854775807") << false << qint64(0);
    QTest::newRow("beyond qint64") << QByteArray("9223372036854775808") << false << qint64(0);
    QTest::newRow("fraction") << QByteArray("12.5") << false << qint64(0);
    QTest::newRow("tiny fraction") << QByteArray("0.01") << false << qint64(0);
    QTest::newRow("string") << QByteArray("\"1234\"") << false << qint64(0);
    QTest::newRow("boolean") << QByteArray("true") << false << qint64(0);
    QTest::newRow("null") << QByteArray("null") << false << qint64(0);
    QTest::newRow("object") << QByteArray("{}") << false << qint64(0);
    QTest::newRow("array") << QByteArray("[1]") << false << qint64(0);
}

void tst_Money::jsonMinorUnitsAcceptOnlyExactIntegers()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, ok);
    QFETCH(qint64, minorUnits);

    const QJsonDocument document = QJsonDocument::fromJson("{\"total\":" + json + '}');
    QVERIFY(document.isObject());
    const std::optional<Money> money = Money::fromJsonMinorUnits(document.object().value(u"total"_s));
    QCOMPARE(money.has_value(), ok);
    if (ok)
        QCOMPARE(*money, cny(minorUnits));
}

void tst_Money::jsonMinorUnitsRespectSign()
{
    const QJsonValue minusFive(qint64(-5));
    QVERIFY(!Money::fromJsonMinorUnits(minusFive).has_value());
    QCOMPARE(Money::fromJsonMinorUnits(minusFive, Currency::CNY, Money::Sign::AllowNegative),
             std::optional<Money>(cny(-5)));
    QVERIFY(!Money::fromJsonMinorUnits(QJsonValue(qint64(-9007199254740992)), Currency::CNY, Money::Sign::AllowNegative)
                 .has_value());
    QVERIFY(!Money::fromJsonMinorUnits(QJsonValue(QJsonValue::Undefined)).has_value());
}

void tst_Money::describeNamesTheReason()
{
    QCOMPARE(Money::describe(Money::ParseError::TooManyDecimals), u"has more than 2 decimal places"_s);
    QVERIFY(Money::describe(Money::ParseError::None).isEmpty());
    for (const auto error : {Money::ParseError::Empty, Money::ParseError::Syntax, Money::ParseError::NegativeNotAllowed,
                             Money::ParseError::Overflow}) {
        QVERIFY(!Money::describe(error).isEmpty());
    }
}

QTEST_GUILESS_MAIN(tst_Money)
#include "tst_money.moc"
