#pragma once

// Money as the console shows and reads it: integer fen in, locale-formatted text out (group
// separators, the locale's decimal point, always two decimals), and strict input parsing through
// Money::parse (no floating point anywhere).

#include <QLocale>
#include <QString>
#include <QValidator>

#include <optional>

namespace paydesk::console {

/// "12,345.60" in en, "12,345.60" in zh_CN; negative amounts with the locale's minus sign.
QString formatFen(qint64 fen, const QLocale &locale = QLocale());
/// With the currency symbol: "¥12,345.60".
QString formatCny(qint64 fen, const QLocale &locale = QLocale());
/// Reads what a user typed: "12.3", "1,234.50" (the locale's group separators are allowed),
/// "¥12". Nothing else: no exponent, no more than two decimals, no sign.
/// A fee in thousandths of a fen (1e-5 yuan), as the channels' bills state it: at least two and at
/// most five decimals, trailing zeros beyond the second dropped ("59.259", "0.00012", "-1.50").
QString formatMillifen(qint64 millifen, const QLocale &locale = QLocale());
/// Basis points as a percentage with two decimals: 9230 → "92.30%" (integer arithmetic only).
QString formatBasisPoints(qint64 basisPoints, const QLocale &locale = QLocale());
std::optional<qint64> parseFen(const QString &text, const QLocale &locale = QLocale());

/// Accepts what parseFen reads (and prefixes of it while typing), up to maxFen.
class MoneyValidator final : public QValidator
{
    Q_OBJECT

public:
    explicit MoneyValidator(qint64 maxFen, QObject *parent = nullptr);
    State validate(QString &input, int &pos) const override;
    qint64 maxFen() const { return m_maxFen; }

private:
    qint64 m_maxFen;
};

} // namespace paydesk::console
