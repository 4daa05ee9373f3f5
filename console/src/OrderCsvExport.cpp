#include "OrderCsvExport.h"

#include "ConsoleSession.h"

#include <QDateTime>
#include <QJsonArray>
#include <QNetworkReply>

using namespace Qt::StringLiterals;

namespace paydesk::console {

OrderCsvExport::OrderCsvExport(ConsoleSession &session, QUrlQuery search, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_search(std::move(search))
{
}

OrderCsvExport::~OrderCsvExport()
{
    if (m_reply)
        m_reply->abort();
    if (m_file && !m_done)
        m_file->cancelWriting();
}

QString OrderCsvExport::amount(qint64 fen)
{
    const QString sign = fen < 0 ? u"-"_s : QString();
    const quint64 magnitude = fen < 0 ? quint64(0) - quint64(fen) : quint64(fen);
    return sign + QString::number(magnitude / 100) + u'.' + u"%1"_s.arg(magnitude % 100, 2, 10, QChar(u'0'));
}

QString OrderCsvExport::isoTime(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toOffsetFromUtc(8 * 3600).toString(Qt::ISODate) : QString();
}

QString OrderCsvExport::field(const QString &text)
{
    QString value = text;
    if (!value.isEmpty() && (value.front() == u'=' || value.front() == u'+' || value.front() == u'-'
                             || value.front() == u'@'))
        value.prepend(u'\'');
    if (value.contains(u',') || value.contains(u'"') || value.contains(u'\n') || value.contains(u'\r'))
        return u'"' + value.replace(u"\""_s, u"\"\""_s) + u'"';
    return value;
}

bool OrderCsvExport::start(const QString &path, QString *error)
{
    m_file = std::make_unique<QSaveFile>(path);
    if (!m_file->open(QIODevice::WriteOnly)) {
        *error = tr("%1 cannot be written: %2").arg(path, m_file->errorString());
        return false;
    }
    // A UTF-8 byte order mark so spreadsheet programs read Chinese subjects correctly.
    m_file->write("\xEF\xBB\xBF");
    m_file->write("order_no,out_trade_no,merchant_id,kind,channel,channel_trade_no,subject,amount,paid_amount,"
                  "refunded_amount,currency,status,created_at,paid_at\r\n");
    fetch(QString());
    return true;
}

void OrderCsvExport::cancel()
{
    if (m_done)
        return;
    m_done = true;
    if (m_reply)
        m_reply->abort();
    if (m_file)
        m_file->cancelWriting();
    emit finished(false, tr("Export canceled."));
}

void OrderCsvExport::fail(const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    m_file->cancelWriting();
    emit finished(false, error);
}

void OrderCsvExport::fetch(const QString &cursor)
{
    QUrlQuery query = m_search;
    query.addQueryItem(u"limit"_s, QString::number(kPageSize));
    if (!cursor.isEmpty())
        query.addQueryItem(u"cursor"_s, cursor);
    m_reply = m_session.api().get(u"/v1/console/orders?"_s + query.toString(QUrl::FullyEncoded), this,
                                  [this](const client::RestResult &result) {
                                      m_reply = nullptr;
                                      if (m_done)
                                          return;
                                      if (!result.ok()) {
                                          fail(result.message);
                                          return;
                                      }
                                      const QJsonObject page = result.object();
                                      QByteArray chunk;
                                      for (const QJsonValue &value : page.value(u"items"_s).toArray()) {
                                          const QJsonObject o = value.toObject();
                                          const QStringList fields{
                                              field(o.value(u"order_no"_s).toString()),
                                              field(o.value(u"out_trade_no"_s).toString()),
                                              field(o.value(u"merchant_id"_s).toString()),
                                              field(o.value(u"kind"_s).toString()),
                                              field(o.value(u"channel"_s).toString()),
                                              field(o.value(u"channel_trade_no"_s).toString()),
                                              field(o.value(u"subject"_s).toString()),
                                              amount(o.value(u"amount"_s).toInteger()),
                                              amount(o.value(u"paid_amount"_s).toInteger()),
                                              amount(o.value(u"refunded_amount"_s).toInteger()),
                                              field(o.value(u"currency"_s).toString()),
                                              field(o.value(u"status"_s).toString()),
                                              isoTime(o.value(u"created_at"_s).toInteger()),
                                              isoTime(o.value(u"paid_at"_s).toInteger())};
                                          chunk += fields.join(u',').toUtf8() + "\r\n";
                                          ++m_rows;
                                      }
                                      if (m_file->write(chunk) != chunk.size()) {
                                          fail(tr("Writing the file failed: %1").arg(m_file->errorString()));
                                          return;
                                      }
                                      emit progress(m_rows);
                                      const QString next = page.value(u"next_cursor"_s).toString();
                                      if (!next.isEmpty() && m_rows < kMaxRows) {
                                          fetch(next);
                                          return;
                                      }
                                      m_done = true;
                                      if (!m_file->commit()) {
                                          emit finished(false, tr("Saving the file failed: %1").arg(m_file->errorString()));
                                          return;
                                      }
                                      emit finished(true, QString());
                                  });
}

} // namespace paydesk::console
