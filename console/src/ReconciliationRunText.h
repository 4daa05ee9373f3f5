#pragma once

// How a reconciliation run (one channel account, one day; see docs/reconciliation.md) is put into
// words, the same on the page, in the PDF and wherever else a run is shown.

#include <QCoreApplication>
#include <QJsonObject>
#include <QLocale>
#include <QString>

namespace paydesk::console {

class ReconciliationRunText final
{
    Q_DECLARE_TR_FUNCTIONS(paydesk::console::ReconciliationRunText)

public:
    /// "Done", "Done, 2 discrepancies", "No bill", "Failed: why", "Running".
    static QString status(const QJsonObject &run);
    /// A side's count and sum ({"count", "amount"}): "1,200 · ¥98,765.00"; "—" when absent.
    static QString side(const QJsonValue &totals, const QLocale &locale = QLocale());
    /// The bill's fees: "¥59.259"; "—" without a bill.
    static QString fee(const QJsonObject &run, const QLocale &locale = QLocale());
    /// "1.234 s"; empty while running.
    static QString duration(const QJsonObject &run, const QLocale &locale = QLocale());
    /// A count the run may lack: "—" then.
    static QString count(const QJsonValue &value, const QLocale &locale = QLocale());
    /// The internal checks' results, one a line ("ledger balanced: passed").
    static QString checks(const QJsonObject &run);
    /// Whether the bill and Paydesk disagree on the payments' or refunds' count or sum.
    static bool sidesDiffer(const QJsonObject &run);
    static bool isInternal(const QJsonObject &run);
};

} // namespace paydesk::console
