#pragma once

#include <QByteArray>
#include <QDate>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

namespace paydesk {

/// The daily summary per merchant and channel account: orders created, paid (count, amount),
/// refunded, the channel's fees from the reconciled bills, net and success rate. Days are business
/// days in China Standard Time, as the channels' bills cut them.
class DailyReport final
{
public:
    static constexpr int MaxDays = 366;

    struct Query
    {
        QDate from, to; ///< inclusive
        QString merchantId; ///< empty: every merchant
        QString channelId; ///< empty: every channel account
    };

    /// {from, to, rows:[…], totals:{…}} (docs/reconciliation.md). Throws VALIDATION_FAILED for a
    /// bad range.
    static QJsonObject build(const QSqlDatabase &db, const Query &query);
    /// The same as CSV (UTF-8 with a BOM, amounts in yuan, a totals line last).
    static QByteArray csv(const QJsonObject &report);
    /// Half up to whole fen.
    static qint64 feeInFen(qint64 feeMillifen);
};

} // namespace paydesk
