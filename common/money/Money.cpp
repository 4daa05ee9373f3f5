#include "common/money/Money.h"

#include <QCborValue>
#include <QDebug>
#include <QJsonValue>
#include <QtNumeric>

using namespace Qt::StringLiterals;

namespace paydesk {

QString currencyCode(Currency currency)
{
    switch (currency) {
    case Currency::CNY: return u"CNY"_s;
    }
    return QString(); // only for a value cast from an integer outside the enumeration
}

int currencyMinorDigits(Currency currency)
{
    switch (currency) {
    case Currency::CNY: return 2;
    }
    return 0;
}

std::optional<Currency> currencyFromCode(QStringView code)
{
    if (code == u"CNY")
        return Currency::CNY;
    return std::nullopt;
}

namespace {

// Beyond this a JSON number may have been rounded by the binary floating-point pass of QJsonDocument.
constexpr qint64 kMaxExactJsonInteger = (qint64(1) << 53) - 1;

bool isAsciiDigits(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (const QChar c : text) {
        if (c.unicode() < u'0' || c.unicode() > u'9')
            return false;
    }
    return true;
}

qint64 minorUnitsPerMajor(Currency currency)
{
    qint64 scale = 1;
    for (int i = 0; i < currencyMinorDigits(currency); ++i)
        scale *= 10;
    return scale;
}

// Appends decimal digits to a non-positive accumulator. Accumulating downwards lets the most
// negative qint64, whose magnitude is not representable as a positive qint64, parse exactly.
bool appendDigits(qint64 *accumulator, QStringView digits)
{
    for (const QChar c : digits) {
        if (qMulOverflow(*accumulator, qint64(10), accumulator)
            || qSubOverflow(*accumulator, qint64(c.unicode() - u'0'), accumulator)) {
            return false;
        }
    }
    return true;
}

} // namespace

std::optional<Money> Money::parse(QStringView text, Currency currency, Sign sign, ParseError *error)
{
    const auto fail = [error](ParseError reason) -> std::optional<Money> {
        if (error)
            *error = reason;
        return std::nullopt;
    };
    if (text.isEmpty())
        return fail(ParseError::Empty);

    // The whole grammar is checked before the sign and the number of decimals so that the
    // reported reason does not depend on where in the text the first problem sits.
    const bool negative = text.front() == u'-';
    const QStringView body = negative ? text.sliced(1) : text;
    const qsizetype dot = body.indexOf(u'.');
    const QStringView whole = dot < 0 ? body : body.first(dot);
    const QStringView fraction = dot < 0 ? QStringView() : body.sliced(dot + 1);
    if (!isAsciiDigits(whole) || (dot >= 0 && !isAsciiDigits(fraction)))
        return fail(ParseError::Syntax);
    // "007" is rejected because some systems read leading zeros as octal and because an
    // amount has exactly one spelling of its whole part; "0.07" is the way to write it.
    if (whole.size() > 1 && whole.front() == u'0')
        return fail(ParseError::Syntax);
    if (negative && sign == Sign::NonNegative)
        return fail(ParseError::NegativeNotAllowed);
    const int minorDigits = currencyMinorDigits(currency);
    if (fraction.size() > minorDigits)
        return fail(ParseError::TooManyDecimals);

    qint64 minorUnits = 0;
    if (!appendDigits(&minorUnits, whole) || !appendDigits(&minorUnits, fraction))
        return fail(ParseError::Overflow);
    for (qsizetype i = fraction.size(); i < minorDigits; ++i) {
        if (qMulOverflow(minorUnits, qint64(10), &minorUnits))
            return fail(ParseError::Overflow);
    }
    if (!negative && qSubOverflow(qint64(0), minorUnits, &minorUnits))
        return fail(ParseError::Overflow);

    if (error)
        *error = ParseError::None;
    return Money(minorUnits, currency);
}

std::optional<Money> Money::fromJsonMinorUnits(const QJsonValue &value, Currency currency, Sign sign)
{
    // QJsonValue keeps integers apart from doubles internally; QCborValue exposes the difference.
    const QCborValue number = QCborValue::fromJsonValue(value);
    if (!number.isInteger())
        return std::nullopt;
    const qint64 minorUnits = number.toInteger();
    if (minorUnits > kMaxExactJsonInteger || minorUnits < -kMaxExactJsonInteger)
        return std::nullopt;
    if (minorUnits < 0 && sign == Sign::NonNegative)
        return std::nullopt;
    return Money(minorUnits, currency);
}

QString Money::describe(ParseError error, Currency currency)
{
    switch (error) {
    case ParseError::None: return QString();
    case ParseError::Empty: return u"is empty"_s;
    case ParseError::Syntax: return u"is not a decimal amount such as 12.34"_s;
    case ParseError::NegativeNotAllowed: return u"must not be negative"_s;
    case ParseError::TooManyDecimals: return u"has more than %1 decimal places"_s.arg(currencyMinorDigits(currency));
    case ParseError::Overflow: return u"is too large"_s;
    }
    return QString();
}

QString Money::toString() const
{
    const int minorDigits = currencyMinorDigits(m_currency);
    const auto scale = quint64(minorUnitsPerMajor(m_currency));
    // Unsigned so that the magnitude of the most negative qint64 is representable.
    const quint64 magnitude = m_minorUnits < 0 ? 0 - quint64(m_minorUnits) : quint64(m_minorUnits);

    QString text;
    text.reserve(24);
    if (m_minorUnits < 0)
        text += u'-';
    text += QString::number(magnitude / scale);
    if (minorDigits > 0) {
        text += u'.';
        text += QString::number(magnitude % scale).rightJustified(minorDigits, u'0');
    }
    return text;
}

std::optional<Money> Money::checkedAdd(Money other) const noexcept
{
    qint64 sum = 0;
    if (other.m_currency != m_currency || qAddOverflow(m_minorUnits, other.m_minorUnits, &sum))
        return std::nullopt;
    return Money(sum, m_currency);
}

std::optional<Money> Money::checkedSub(Money other) const noexcept
{
    qint64 difference = 0;
    if (other.m_currency != m_currency || qSubOverflow(m_minorUnits, other.m_minorUnits, &difference)) {
        return std::nullopt;
    }
    return Money(difference, m_currency);
}

std::optional<Money> Money::checkedMul(qint64 factor) const noexcept
{
    qint64 product = 0;
    if (qMulOverflow(m_minorUnits, factor, &product))
        return std::nullopt;
    return Money(product, m_currency);
}

std::optional<Money> Money::checkedNegate() const noexcept
{
    qint64 negated = 0;
    if (qSubOverflow(qint64(0), m_minorUnits, &negated))
        return std::nullopt;
    return Money(negated, m_currency);
}

QDebug operator<<(QDebug debug, Money money)
{
    const QDebugStateSaver saver(debug);
    debug.nospace().noquote() << money.toString() << ' ' << currencyCode(money.currency());
    return debug;
}

} // namespace paydesk
