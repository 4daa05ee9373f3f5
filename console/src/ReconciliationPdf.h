#pragma once

// A day's reconciliation result as a PDF for the files (A4 landscape): title and day, the totals of
// each channel account's run, the discrepancy items (kind, key, both amounts, status), and when it
// was generated. Long lists continue on further pages with the table header repeated. Written
// through QSaveFile: the file appears only when complete.

#include <QCoreApplication>
#include <QDate>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QLocale>

namespace paydesk::console {

class ReconciliationPdf final
{
    Q_DECLARE_TR_FUNCTIONS(paydesk::console::ReconciliationPdf)

public:
    static constexpr int kMaxItems = 5'000; ///< more are counted but left to the CSV

    ReconciliationPdf(QDate date, QList<QJsonObject> runs, QList<QJsonObject> items);

    void setGeneratedAt(const QDateTime &time) { m_generatedAt = time; }
    void setLocale(const QLocale &locale) { m_locale = locale; }
    /// The report as HTML, as it is laid out on the pages.
    QString html() const;
    /// Writes the PDF; false with *error when the file cannot be written.
    bool write(const QString &path, QString *error);
    /// Pages of the last write().
    int pageCount() const { return m_pages; }

private:
    QDate m_date;
    QList<QJsonObject> m_runs;
    QList<QJsonObject> m_items;
    QDateTime m_generatedAt = QDateTime::currentDateTime();
    QLocale m_locale;
    int m_pages = 0;
};

} // namespace paydesk::console
