#pragma once

#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <compare>
#include <optional>

QT_BEGIN_NAMESPACE
class QDebug;
class QJsonValue;
QT_END_NAMESPACE

namespace paydesk {

// A currency Paydesk can hold. Adding one means adding an enumerator and its case in
// currencyCode()/currencyMinorDigits() (the compiler flags a missing case).
enum class Currency : quint8 {
    CNY,
};

// The ISO 4217 alphabetic code, e.g. "CNY".
QString currencyCode(Currency currency);
// Digits after the decimal point of the major unit: 2 for CNY (1 yuan = 100 fen).
int currencyMinorDigits(Currency currency);
// Exact, upper-case ISO code only ("cny" is not a code on any wire Paydesk speaks).
std::optional<Currency> currencyFromCode(QStringView code);

// An exact amount of money: a signed count of minor units (fen for CNY) in one currency.
//
// Text form (parse/toString): an optional '-' (only with Sign::AllowNegative), then the whole
// part as ASCII digits without leading zeros ("0" itself is fine), then optionally '.' and 1 to
// currencyMinorDigits() ASCII digits. So "12.34", "12.3", "12", "0.05" and "-5.00" parse, while
// "", "-", " 1", "1 ", "+1", ".5", "5.", "007", "1.234", "1e3", "1,000", full-width or other
// non-ASCII digits, and anything beyond qint64 minor units do not. "-0" and "-0.00" mean zero.
// API amounts travel as these decimal strings, never as JSON numbers (see fromJsonMinorUnits).
//
// Arithmetic is checked: every operation that can overflow or mix currencies returns
// std::nullopt instead of a wrong amount. Comparison is only defined within one currency:
// amounts in different currencies are unequal and unordered (every <, <=, >, >= is false).
class Money final
{
public:
    enum class Sign : quint8 {
        NonNegative, // the default: prices, order and refund amounts
        AllowNegative, // adjustments, ledger deltas
    };

    enum class ParseError : quint8 {
        None,
        Empty,
        Syntax, // not the grammar above
        NegativeNotAllowed, // well-formed, but negative while Sign::NonNegative
        TooManyDecimals, // more fraction digits than the currency has
        Overflow, // beyond qint64 minor units
    };

    // Zero CNY, so that Money can live in containers and QVariant.
    constexpr Money() noexcept = default;

    static constexpr Money fromMinor(qint64 minorUnits, Currency currency = Currency::CNY) noexcept
    {
        return Money(minorUnits, currency);
    }
    static constexpr Money zero(Currency currency = Currency::CNY) noexcept { return Money(0, currency); }

    // Exact decimal parsing, see the class comment. On failure *error (if given) says why.
    static std::optional<Money> parse(QStringView text, Currency currency = Currency::CNY,
                                      Sign sign = Sign::NonNegative, ParseError *error = nullptr);

    // Reads a JSON number of minor units (WeChat Pay's "total": 1 style). QJsonDocument parses
    // numbers as binary floating point, so "9007199254740993.0" silently becomes ...992 before we see it:
    // only integers of magnitude <= 2^53 - 1 are accepted, where that rounding cannot happen.
    // Strings, booleans, fractions and larger numbers are rejected. Paydesk's own API carries
    // amounts as decimal strings and uses parse() instead.
    static std::optional<Money> fromJsonMinorUnits(const QJsonValue &value, Currency currency = Currency::CNY,
                                                   Sign sign = Sign::NonNegative);

    // An English sentence for a validation error body, e.g. "has more than 2 decimal places".
    static QString describe(ParseError error, Currency currency = Currency::CNY);

    // Always exactly currencyMinorDigits() fraction digits: "12.34", "0.01", "-0.50", "0.00".
    // parse(toString()) gives the same amount back (with Sign::AllowNegative if negative).
    QString toString() const;

    constexpr qint64 minorUnits() const noexcept { return m_minorUnits; }
    constexpr Currency currency() const noexcept { return m_currency; }
    constexpr bool isZero() const noexcept { return m_minorUnits == 0; }
    constexpr bool isNegative() const noexcept { return m_minorUnits < 0; }
    constexpr bool isPositive() const noexcept { return m_minorUnits > 0; }

    // std::nullopt on overflow or when the currencies differ.
    std::optional<Money> checkedAdd(Money other) const noexcept;
    std::optional<Money> checkedSub(Money other) const noexcept;
    // std::nullopt on overflow.
    std::optional<Money> checkedMul(qint64 factor) const noexcept;
    // std::nullopt only for the most negative qint64, which has no positive counterpart.
    std::optional<Money> checkedNegate() const noexcept;

    friend constexpr bool operator==(Money, Money) noexcept = default;
    friend constexpr std::partial_ordering operator<=>(Money a, Money b) noexcept
    {
        if (a.m_currency != b.m_currency)
            return std::partial_ordering::unordered;
        return a.m_minorUnits <=> b.m_minorUnits;
    }

private:
    constexpr Money(qint64 minorUnits, Currency currency) noexcept : m_minorUnits(minorUnits), m_currency(currency) { }

    qint64 m_minorUnits = 0;
    Currency m_currency = Currency::CNY;
};

// "12.34 CNY", for logs and test failure messages.
QDebug operator<<(QDebug debug, Money money);

} // namespace paydesk
