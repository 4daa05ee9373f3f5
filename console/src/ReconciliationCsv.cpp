#include "ReconciliationCsv.h"

#include "OrderCsvExport.h"

#include <QJsonValue>
#include <QSaveFile>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {

QString text(const QJsonObject &object, const QString &key)
{
    const QJsonValue value = object.value(key);
    if (value.isString())
        return OrderCsvExport::field(value.toString());
    return value.isDouble() ? QString::number(value.toInteger()) : QString();
}

QString amount(const QJsonValue &fen)
{
    return fen.isDouble() ? OrderCsvExport::amount(fen.toInteger()) : QString();
}

QString integer(const QJsonValue &value)
{
    return value.isDouble() ? QString::number(value.toInteger()) : QString();
}

QString time(const QJsonValue &ms)
{
    return ms.isDouble() ? OrderCsvExport::isoTime(ms.toInteger()) : QString();
}

} // namespace

QString ReconciliationCsv::millifen(qint64 value)
{
    const QString sign = value < 0 ? u"-"_s : QString();
    const quint64 magnitude = value < 0 ? quint64(0) - quint64(value) : quint64(value);
    return sign + QString::number(magnitude / 100'000) + u'.' + u"%1"_s.arg(magnitude % 100'000, 5, 10, QChar(u'0'));
}

QByteArray ReconciliationCsv::build(const QList<QJsonObject> &runs, const QList<QJsonObject> &items)
{
    QByteArray out("\xEF\xBB\xBF");
    out += "run_id,date,channel_id,status,bill_payment_count,bill_payment_amount,local_payment_count,"
           "local_payment_amount,bill_refund_count,bill_refund_amount,local_refund_count,local_refund_amount,"
           "fee,matched,cross_day,discrepancies,carried,repaired,duration_ms,error\r\n";
    for (const QJsonObject &run : runs) {
        const QJsonObject bill = run.value(u"bill"_s).toObject();
        const QJsonObject local = run.value(u"local"_s).toObject();
        const QJsonValue fee = bill.value(u"fee_millifen"_s);
        const QStringList fields{text(run, u"id"_s),
                                 text(run, u"date"_s),
                                 text(run, u"channel_id"_s),
                                 text(run, u"status"_s),
                                 integer(bill[u"payments"_s][u"count"_s]),
                                 amount(bill[u"payments"_s][u"amount"_s]),
                                 integer(local[u"payments"_s][u"count"_s]),
                                 amount(local[u"payments"_s][u"amount"_s]),
                                 integer(bill[u"refunds"_s][u"count"_s]),
                                 amount(bill[u"refunds"_s][u"amount"_s]),
                                 integer(local[u"refunds"_s][u"count"_s]),
                                 amount(local[u"refunds"_s][u"amount"_s]),
                                 fee.isDouble() ? millifen(fee.toInteger()) : QString(),
                                 integer(run.value(u"matched"_s)),
                                 integer(run.value(u"cross_day"_s)),
                                 integer(run.value(u"discrepancies"_s)),
                                 integer(run.value(u"carried"_s)),
                                 integer(run.value(u"repaired"_s)),
                                 integer(run.value(u"duration_ms"_s)),
                                 text(run, u"error"_s)};
        out += fields.join(u',').toUtf8() + "\r\n";
    }
    out += "\r\n";
    out += "item_id,run_id,date,channel_id,kind,ref_type,ref_id,channel_trade_no,local_amount,channel_amount,"
           "local_status,channel_status,status,resolution,note,resolved_by,resolved_at,created_at,message\r\n";
    for (const QJsonObject &item : items) {
        const QStringList fields{text(item, u"id"_s),
                                 text(item, u"run_id"_s),
                                 text(item, u"date"_s),
                                 text(item, u"channel_id"_s),
                                 text(item, u"kind"_s),
                                 text(item, u"ref_type"_s),
                                 text(item, u"ref_id"_s),
                                 text(item, u"channel_trade_no"_s),
                                 amount(item.value(u"local_amount"_s)),
                                 amount(item.value(u"channel_amount"_s)),
                                 text(item, u"local_status"_s),
                                 text(item, u"channel_status"_s),
                                 text(item, u"status"_s),
                                 text(item, u"resolution"_s),
                                 text(item, u"note"_s),
                                 text(item, u"resolved_by"_s),
                                 time(item.value(u"resolved_at"_s)),
                                 time(item.value(u"created_at"_s)),
                                 text(item, u"message"_s)};
        out += fields.join(u',').toUtf8() + "\r\n";
    }
    return out;
}

bool ReconciliationCsv::write(const QString &path, const QList<QJsonObject> &runs, const QList<QJsonObject> &items,
                              QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = tr("%1 cannot be written: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = build(runs, items);
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        *error = tr("Saving the file failed: %1").arg(file.errorString());
        file.cancelWriting();
        return false;
    }
    return true;
}

} // namespace paydesk::console
