#include "MoneyText.h"

#include "common/money/Money.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace paydesk::console {

QString formatFen(qint64 fen, const QLocale &locale)
{
    const bool negative = fen < 0;
    // qint64's minimum has no positive counterpart; amounts never come near it.
    const quint64 magnitude = negative ? quint64(0) - quint64(fen) : quint64(fen);
    const QString whole = locale.toString(qulonglong(magnitude / 100));
    const QString cents = u"%1"_s.arg(qulonglong(magnitude % 100), 2, 10, QChar(u'0'));
    return (negative ? locale.negativeSign() : QString()) + whole + locale.decimalPoint() + cents;
}

QString formatCny(qint64 fen, const QLocale &locale)
{
    return u"¥"_s + formatFen(fen, locale);
}

QString formatMillifen(qint64 millifen, const QLocale &locale)
{
    const bool negative = millifen < 0;
    const quint64 magnitude = negative ? quint64(0) - quint64(millifen) : quint64(millifen);
    const QString whole = locale.toString(qulonglong(magnitude / 100'000));
    QString decimals = u"%1"_s.arg(qulonglong(magnitude % 100'000), 5, 10, QChar(u'0'));
    while (decimals.size() > 2 && decimals.endsWith(u'0'))
        decimals.chop(1);
    return (negative ? locale.negativeSign() : QString()) + whole + locale.decimalPoint() + decimals;
}

QString formatBasisPoints(qint64 basisPoints, const QLocale &locale)
{
    const bool negative = basisPoints < 0;
    const quint64 magnitude = negative ? quint64(0) - quint64(basisPoints) : quint64(basisPoints);
    return (negative ? locale.negativeSign() : QString()) + locale.toString(qulonglong(magnitude / 100))
        + locale.decimalPoint() + u"%1"_s.arg(qulonglong(magnitude % 100), 2, 10, QChar(u'0')) + locale.percent();
}

std::optional<qint64> parseFen(const QString &text, const QLocale &locale)
{
    QString plain = text.trimmed();
    if (plain.startsWith(u'¥') || plain.startsWith(u'￥'))
        plain = plain.mid(1).trimmed();
    if (!locale.groupSeparator().isEmpty())
        plain.remove(locale.groupSeparator());
    plain.remove(u',');
    if (locale.decimalPoint() != u"."_s)
        plain.replace(locale.decimalPoint(), u"."_s);
    const std::optional<Money> money = Money::parse(plain);
    if (!money)
        return std::nullopt;
    return money->minorUnits();
}

MoneyValidator::MoneyValidator(qint64 maxFen, QObject *parent)
    : QValidator(parent)
    , m_maxFen(maxFen)
{
}

QValidator::State MoneyValidator::validate(QString &input, int &pos) const
{
    Q_UNUSED(pos);
    const QString trimmed = input.trimmed();
    if (trimmed.isEmpty())
        return Intermediate;
    static const QRegularExpression shape(u"^[¥￥]?\\s*[0-9][0-9,]*(\\.[0-9]{0,2})?$"_s);
    if (!shape.match(trimmed).hasMatch())
        return trimmed == u"¥"_s || trimmed == u"￥"_s ? Intermediate : Invalid;
    if (trimmed.endsWith(u'.'))
        return Intermediate;
    const std::optional<qint64> fen = parseFen(trimmed, QLocale::c());
    if (!fen)
        return Intermediate; // e.g. "007" while the user is still fixing it
    if (*fen > m_maxFen)
        return Invalid;
    return *fen > 0 ? Acceptable : Intermediate;
}

} // namespace paydesk::console
