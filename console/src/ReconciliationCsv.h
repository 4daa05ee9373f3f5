#pragma once

// A day's reconciliation as CSV: the runs' totals, an empty line, then the discrepancy items, each
// block with its own header line. UTF-8 with a byte order mark, CRLF line ends, fields escaped like
// the order export (OrderCsvExport::field), amounts as "12.34", fees in yuan with five decimals,
// times in ISO 8601 at UTC+8. Written through QSaveFile: the file appears only when complete.

#include <QByteArray>
#include <QCoreApplication>
#include <QJsonObject>
#include <QList>

namespace paydesk::console {

class ReconciliationCsv final
{
    Q_DECLARE_TR_FUNCTIONS(paydesk::console::ReconciliationCsv)

public:
    static QByteArray build(const QList<QJsonObject> &runs, const QList<QJsonObject> &items);
    /// Writes build()'s bytes to path; false with *error when the file cannot be written.
    static bool write(const QString &path, const QList<QJsonObject> &runs, const QList<QJsonObject> &items,
                      QString *error);
    /// Thousandths of a fen as yuan for machines: "59.25900".
    static QString millifen(qint64 millifen);
};

} // namespace paydesk::console
