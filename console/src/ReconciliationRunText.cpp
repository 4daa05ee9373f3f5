#include "ReconciliationRunText.h"

#include "MoneyText.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace paydesk::console {

bool ReconciliationRunText::isInternal(const QJsonObject &run)
{
    return run.value(u"channel_id"_s).toString() == u"internal"_s;
}

QString ReconciliationRunText::status(const QJsonObject &run)
{
    const QString status = run.value(u"status"_s).toString();
    const qint64 discrepancies = run.value(u"discrepancies"_s).toInteger();
    if (status == u"RUNNING"_s)
        return tr("Running");
    if (status == u"DONE"_s)
        return discrepancies > 0 ? tr("Done, %n discrepancy(ies)", nullptr, int(std::min<qint64>(discrepancies, 1'000'000'000)))
                                 : tr("Done, all matched");
    if (status == u"NO_BILL"_s)
        return tr("No bill");
    if (status == u"FAILED"_s) {
        const QString error = run.value(u"error"_s).toString();
        return error.isEmpty() ? tr("Failed") : tr("Failed: %1").arg(error);
    }
    return status;
}

QString ReconciliationRunText::side(const QJsonValue &totals, const QLocale &locale)
{
    if (!totals.isObject())
        return u"—"_s;
    const QJsonObject object = totals.toObject();
    return tr("%1 · %2").arg(locale.toString(object.value(u"count"_s).toInteger()),
                             formatCny(object.value(u"amount"_s).toInteger(), locale));
}

QString ReconciliationRunText::fee(const QJsonObject &run, const QLocale &locale)
{
    const QJsonValue fee = run.value(u"bill"_s).toObject().value(u"fee_millifen"_s);
    return fee.isDouble() ? u"¥"_s + formatMillifen(fee.toInteger(), locale) : u"—"_s;
}

QString ReconciliationRunText::duration(const QJsonObject &run, const QLocale &locale)
{
    const QJsonValue value = run.value(u"duration_ms"_s);
    if (!value.isDouble() || run.value(u"status"_s).toString() == u"RUNNING"_s)
        return {};
    const qint64 ms = std::max<qint64>(0, value.toInteger());
    return tr("%1 s").arg(locale.toString(ms / 1000) + locale.decimalPoint()
                          + u"%1"_s.arg(ms % 1000, 3, 10, QChar(u'0')));
}

QString ReconciliationRunText::count(const QJsonValue &value, const QLocale &locale)
{
    return value.isDouble() ? locale.toString(value.toInteger()) : u"—"_s;
}

QString ReconciliationRunText::checks(const QJsonObject &run)
{
    QStringList lines;
    const QJsonArray checks = run.value(u"checks"_s).toArray();
    for (const QJsonValue &value : checks) {
        if (value.isString()) {
            lines << value.toString();
            continue;
        }
        const QJsonObject check = value.toObject();
        const QString name = check.value(u"name"_s).toString(check.value(u"check"_s).toString());
        const QJsonValue result = check.value(u"result"_s);
        const bool ok = result.isBool() ? result.toBool() : check.value(u"ok"_s).toBool(result.toString() == u"ok"_s);
        QString line = ok ? tr("%1: passed").arg(name) : tr("%1: FAILED").arg(name);
        const QString message = check.value(u"message"_s).toString();
        if (!message.isEmpty())
            line += u" — "_s + message;
        lines << line;
    }
    return lines.join(u'\n');
}

bool ReconciliationRunText::sidesDiffer(const QJsonObject &run)
{
    const QJsonObject bill = run.value(u"bill"_s).toObject();
    const QJsonObject local = run.value(u"local"_s).toObject();
    if (bill.isEmpty() || local.isEmpty())
        return false;
    for (const QString &side : {u"payments"_s, u"refunds"_s}) {
        const QJsonObject a = bill.value(side).toObject();
        const QJsonObject b = local.value(side).toObject();
        if (a.value(u"count"_s).toInteger() != b.value(u"count"_s).toInteger()
            || a.value(u"amount"_s).toInteger() != b.value(u"amount"_s).toInteger())
            return true;
    }
    return false;
}

} // namespace paydesk::console
