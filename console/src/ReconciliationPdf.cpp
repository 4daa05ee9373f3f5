#include "ReconciliationPdf.h"

#include "MoneyText.h"
#include "ReconciliationItemsModel.h"
#include "ReconciliationRunText.h"

#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString cell(const QString &text, bool right = false)
{
    return right ? u"<td align=\"right\">%1</td>"_s.arg(esc(text)) : u"<td>%1</td>"_s.arg(esc(text));
}

QString headerCell(const QString &text, bool right = false)
{
    return right ? u"<th align=\"right\">%1</th>"_s.arg(esc(text)) : u"<th align=\"left\">%1</th>"_s.arg(esc(text));
}

const QString kTable = u"<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" width=\"100%\" "
                       "style=\"border-collapse: collapse; border-color: #999999;\">"_s;

/// Counts the pages QTextDocument::print() starts.
class PageCountingPdfWriter final : public QPdfWriter
{
public:
    explicit PageCountingPdfWriter(QIODevice *device) : QPdfWriter(device) { }
    bool newPage() override
    {
        ++m_newPages;
        return QPdfWriter::newPage();
    }
    int pages() const { return m_newPages + 1; }

private:
    int m_newPages = 0;
};

} // namespace

ReconciliationPdf::ReconciliationPdf(QDate date, QList<QJsonObject> runs, QList<QJsonObject> items)
    : m_date(date)
    , m_runs(std::move(runs))
    , m_items(std::move(items))
{
}

QString ReconciliationPdf::html() const
{
    using Model = ReconciliationItemsModel;
    using Run = ReconciliationRunText;
    QString out;
    out += u"<html><body>"_s;
    out += u"<h2>%1</h2>"_s.arg(esc(tr("Paydesk reconciliation")));
    out += u"<p><b>%1</b><br/>%2</p>"_s.arg(
        esc(tr("Business day %1 (UTC+8)").arg(m_date.toString(Qt::ISODate))),
        esc(tr("Generated %1").arg(m_locale.toString(m_generatedAt, u"yyyy-MM-dd HH:mm:ss t"_s))));

    out += u"<h3>%1</h3>"_s.arg(esc(tr("Runs per channel account")));
    if (m_runs.isEmpty()) {
        out += u"<p>%1</p>"_s.arg(esc(tr("This day has not been reconciled.")));
    } else {
        out += kTable + u"<thead><tr>"_s;
        out += headerCell(tr("Channel account")) + headerCell(tr("Status")) + headerCell(tr("Bill payments"), true)
            + headerCell(tr("Paydesk payments"), true) + headerCell(tr("Bill refunds"), true)
            + headerCell(tr("Paydesk refunds"), true) + headerCell(tr("Fees"), true) + headerCell(tr("Matched"), true)
            + headerCell(tr("Cross-day"), true) + headerCell(tr("Discrepancies"), true)
            + headerCell(tr("Repaired"), true);
        out += u"</tr></thead>"_s;
        for (const QJsonObject &run : m_runs) {
            const QJsonObject bill = run.value(u"bill"_s).toObject();
            const QJsonObject local = run.value(u"local"_s).toObject();
            QString status = Run::status(run);
            if (Run::isInternal(run)) {
                const QString checks = Run::checks(run);
                if (!checks.isEmpty())
                    status += u'\n' + checks;
            }
            out += u"<tr>"_s + cell(Model::channelTitle(run.value(u"channel_id"_s).toString()))
                + u"<td>%1</td>"_s.arg(esc(status).replace(u'\n', u"<br/>"_s))
                + cell(Run::side(bill.value(u"payments"_s), m_locale), true)
                + cell(Run::side(local.value(u"payments"_s), m_locale), true)
                + cell(Run::side(bill.value(u"refunds"_s), m_locale), true)
                + cell(Run::side(local.value(u"refunds"_s), m_locale), true) + cell(Run::fee(run, m_locale), true)
                + cell(Run::count(run.value(u"matched"_s), m_locale), true)
                + cell(Run::count(run.value(u"cross_day"_s), m_locale), true)
                + cell(Run::count(run.value(u"discrepancies"_s), m_locale), true)
                + cell(Run::count(run.value(u"repaired"_s), m_locale), true) + u"</tr>"_s;
        }
        out += u"</table>"_s;
    }

    out += u"<h3>%1</h3>"_s.arg(esc(tr("Discrepancies (%1)").arg(m_locale.toString(qlonglong(m_items.size())))));
    if (m_items.isEmpty()) {
        out += u"<p>%1</p>"_s.arg(esc(tr("None.")));
    } else {
        out += kTable + u"<thead><tr>"_s;
        out += headerCell(tr("Kind")) + headerCell(tr("Channel account")) + headerCell(tr("Order / refund no."))
            + headerCell(tr("Paydesk (¥)"), true) + headerCell(tr("Bill (¥)"), true) + headerCell(tr("Status"))
            + headerCell(tr("Resolution"));
        out += u"</tr></thead>"_s;
        const qsizetype shown = std::min<qsizetype>(m_items.size(), kMaxItems);
        for (qsizetype i = 0; i < shown; ++i) {
            const QJsonObject &item = m_items.at(i);
            QString resolution = Model::text(item, Model::Resolution);
            const QString note = item.value(u"note"_s).toString();
            if (!note.isEmpty())
                resolution += u": "_s + note;
            out += u"<tr>"_s + cell(Model::text(item, Model::Kind)) + cell(Model::text(item, Model::Channel))
                + cell(Model::text(item, Model::Key)) + cell(Model::text(item, Model::LocalAmount), true)
                + cell(Model::text(item, Model::ChannelAmount), true) + cell(Model::text(item, Model::Status))
                + cell(resolution) + u"</tr>"_s;
        }
        out += u"</table>"_s;
        if (m_items.size() > shown)
            out += u"<p>%1</p>"_s.arg(esc(tr("The first %1 of %2 items are listed; the CSV export has all of them.")
                                              .arg(m_locale.toString(qlonglong(shown)),
                                                   m_locale.toString(qlonglong(m_items.size())))));
    }
    out += u"<p><small>%1</small></p>"_s.arg(
        esc(tr("Amounts in CNY. Fees are the channels' as their bills state them.")));
    out += u"</body></html>"_s;
    return out;
}

bool ReconciliationPdf::write(const QString &path, QString *error)
{
    m_pages = 0;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = tr("%1 cannot be written: %2").arg(path, file.errorString());
        return false;
    }
    {
        PageCountingPdfWriter writer(&file);
        // No margins of its own: print() then keeps 2 mm plus the 2 cm it lays every page out with,
        // and puts the page number into them.
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Landscape, QMarginsF(0, 0, 0, 0),
                                         QPageLayout::Millimeter));
        writer.setResolution(300);
        writer.setTitle(tr("Paydesk reconciliation %1").arg(m_date.toString(Qt::ISODate)));
        writer.setCreator(u"Paydesk Console"_s);
        QTextDocument document;
        QFont font = document.defaultFont();
        font.setPointSize(8);
        document.setDefaultFont(font);
        document.setHtml(html());
        document.print(&writer);
        m_pages = writer.pages();
    }
    if (!file.commit()) {
        m_pages = 0;
        *error = tr("Saving the file failed: %1").arg(file.errorString());
        return false;
    }
    return true;
}

} // namespace paydesk::console
