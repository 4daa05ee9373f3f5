#include "server/wallet/RiskEngine.h"

#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/store/Sql.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

const QStringList kActions{u"withdrawal"_s, u"transfer"_s, u"red_packet"_s};
const QStringList kKinds{u"daily_count"_s, u"daily_sum"_s, u"single_min"_s,
                         u"single_max"_s,  u"velocity"_s,  u"blacklist"_s};
constexpr qint64 kMaxAmount = 1'000'000'000'000LL; // 10 billion CNY in fen: far above any real limit
constexpr int kMaxListEntries = 10'000;

[[noreturn]] void badRule(int index, const QString &message)
{
    throw ApiError(ErrorCode::ValidationFailed, u"rules[%1]: %2"_s.arg(index).arg(message),
                   QJsonObject{{u"field"_s, u"rules[%1]"_s.arg(index)}});
}

qint64 intParam(const QJsonObject &params, const QString &name, qint64 min, qint64 max, int index)
{
    const QJsonValue value = params.value(name);
    const double number = value.toDouble();
    if (!value.isDouble() || number != double(qint64(number)) || qint64(number) < min || qint64(number) > max)
        badRule(index, u"params.%1 must be an integer from %2 to %3."_s.arg(name).arg(min).arg(max));
    return qint64(number);
}

QJsonArray stringList(const QJsonObject &params, const QString &name, int index, qsizetype maxLength)
{
    const QJsonValue value = params.value(name);
    if (value.isUndefined())
        return {};
    if (!value.isArray() || value.toArray().size() > kMaxListEntries)
        badRule(index, u"params.%1 must be a list of at most %2 strings."_s.arg(name).arg(kMaxListEntries));
    for (const QJsonValue &item : value.toArray())
        if (!item.isString() || item.toString().isEmpty() || item.toString().size() > maxLength)
            badRule(index, u"params.%1 holds strings of 1 to %2 characters."_s.arg(name).arg(maxLength));
    return value.toArray();
}

/// Count and sum of the holder's requests of this action since a time (the request being
/// evaluated is not written yet, so it is not among them).
std::pair<qint64, qint64> usage(const QSqlDatabase &db, const RiskInput &input, qint64 sinceMs)
{
    QSqlQuery rows;
    if (input.action == u"withdrawal"_s) {
        // Withdrawals that a rule refused, an admin rejected or a payout failed gave the money
        // back: they do not use up the day's allowance.
        rows = sqlExec(db,
                       u"SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM withdrawals WHERE holder_type = ?"
                       " AND holder_id = ? AND created_at >= ? AND status NOT IN ('REJECTED', 'INVALID', 'FAILED')"_s,
                       {input.holder.type, input.holder.id, sinceMs});
    } else if (input.action == u"transfer"_s) {
        rows = sqlExec(db,
                       u"SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM transfers WHERE kind = 'USER'"
                       " AND from_type = ? AND from_id = ? AND created_at >= ? AND status = 'SUCCESS'"_s,
                       {input.holder.type, input.holder.id, sinceMs});
    } else {
        rows = sqlExec(db,
                       u"SELECT COUNT(*), COALESCE(SUM(total), 0) FROM red_packets WHERE sender_id = ? AND"
                       " created_at >= ? AND status <> 'CANCELLED'"_s,
                       {input.holder.id, sinceMs});
    }
    rows.next();
    return {rows.value(0).toLongLong(), rows.value(1).toLongLong()};
}

QString yuan(qint64 fen)
{
    return u"%1.%2"_s.arg(fen / 100).arg(fen % 100, 2, 10, QChar(u'0'));
}

} // namespace

qint64 RiskEngine::dayStart(qint64 nowMs, int dayOffsetMinutes)
{
    constexpr qint64 kDay = 86'400'000;
    const qint64 offset = qint64(dayOffsetMinutes) * 60'000;
    const qint64 local = nowMs + offset;
    const qint64 startLocal = local - ((local % kDay) + kDay) % kDay;
    return startLocal - offset;
}

RiskDecision RiskEngine::evaluate(const QSqlDatabase &db, IdGenerator &ids, const RiskInput &input, qint64 nowMs,
                                  int dayOffsetMinutes)
{
    QSqlQuery ruleRows = sqlExec(db,
                                 u"SELECT id, kind, params, outcome FROM risk_rules WHERE action = ? AND enabled = 1"
                                 " ORDER BY id LIMIT 100"_s,
                                 {input.action});
    struct Rule
    {
        QString id, kind, outcome;
        QJsonObject params;
    };
    QList<Rule> rules;
    while (ruleRows.next())
        rules.append({ruleRows.value(0).toString(), ruleRows.value(1).toString(), ruleRows.value(3).toString(),
                      QJsonDocument::fromJson(ruleRows.value(2).toString().toUtf8()).object()});

    const qint64 since = dayStart(nowMs, dayOffsetMinutes);
    std::optional<std::pair<qint64, qint64>> today;
    const auto todayUsage = [&] {
        if (!today)
            today = usage(db, input, since);
        return *today;
    };

    RiskDecision decision;
    const auto record = [&](const QString &ruleId, const QString &outcome, const QJsonObject &inputs) {
        sqlExec(db,
                u"INSERT INTO risk_decisions (id, action, ref_id, holder_type, holder_id, rule_id, outcome, inputs,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                {ids.next(), input.action, input.refId, input.holder.type, input.holder.id, ruleId, outcome,
                 QString::fromUtf8(QJsonDocument(inputs).toJson(QJsonDocument::Compact)), nowMs});
    };
    bool matched = false;
    for (const Rule &rule : std::as_const(rules)) {
        QJsonObject inputs{{u"amount"_s, input.amount}};
        QString why;
        if (rule.kind == u"daily_count"_s) {
            const qint64 limit = rule.params.value(u"limit"_s).toInteger();
            const qint64 count = todayUsage().first;
            inputs.insert(u"count_today"_s, count);
            inputs.insert(u"limit"_s, limit);
            if (count + 1 > limit)
                why = u"at most %1 %2s per day (this would be number %3)"_s.arg(limit).arg(input.action).arg(count + 1);
        } else if (rule.kind == u"daily_sum"_s) {
            const qint64 limit = rule.params.value(u"limit"_s).toInteger();
            const qint64 sum = todayUsage().second;
            inputs.insert(u"sum_today"_s, sum);
            inputs.insert(u"limit"_s, limit);
            if (sum + input.amount > limit)
                why = u"at most %1 CNY per day (%2 CNY already today)"_s.arg(yuan(limit), yuan(sum));
        } else if (rule.kind == u"single_min"_s) {
            const qint64 min = rule.params.value(u"amount"_s).toInteger();
            inputs.insert(u"min"_s, min);
            if (input.amount < min)
                why = u"at least %1 CNY each time"_s.arg(yuan(min));
        } else if (rule.kind == u"single_max"_s) {
            const qint64 max = rule.params.value(u"amount"_s).toInteger();
            inputs.insert(u"max"_s, max);
            if (input.amount > max)
                why = u"at most %1 CNY each time"_s.arg(yuan(max));
        } else if (rule.kind == u"velocity"_s) {
            const qint64 count = rule.params.value(u"count"_s).toInteger();
            const qint64 minutes = rule.params.value(u"minutes"_s).toInteger();
            const qint64 recent = usage(db, input, nowMs - minutes * 60'000).first;
            inputs.insert(u"recent"_s, recent);
            inputs.insert(u"count"_s, count);
            inputs.insert(u"minutes"_s, minutes);
            if (recent + 1 > count)
                why = u"at most %1 in %2 minutes"_s.arg(count).arg(minutes);
        } else if (rule.kind == u"blacklist"_s) {
            const auto listed = [&](const QString &list, const QString &value) {
                return !value.isEmpty() && rule.params.value(list).toArray().contains(QJsonValue(value));
            };
            if (listed(u"users"_s, input.holder.id) || listed(u"users"_s, input.counterparty))
                why = u"the account is blacklisted"_s;
            else if (listed(u"card_hashes"_s, input.cardHash))
                why = u"the bank card is blacklisted"_s;
            else if (listed(u"addresses"_s, input.address))
                why = u"the address is blacklisted"_s;
            else if (listed(u"devices"_s, input.device))
                why = u"the device is blacklisted"_s;
        }
        if (why.isEmpty())
            continue;
        matched = true;
        record(rule.id, rule.outcome, inputs);
        // The first rejection decides; a review is kept unless a later rule rejects.
        if (decision.outcome != u"reject"_s
            && (rule.outcome == u"reject"_s || decision.outcome == u"pass"_s)) {
            decision.outcome = rule.outcome;
            decision.ruleId = rule.id;
            decision.message = u"Risk rule %1: %2."_s.arg(rule.id, why);
        }
    }
    if (!matched)
        record(u"-"_s, u"pass"_s, QJsonObject{{u"amount"_s, input.amount}, {u"rules"_s, int(rules.size())}});
    return decision;
}

QJsonArray RiskEngine::rules(const QSqlDatabase &db)
{
    QSqlQuery rows = sqlExec(db,
                             u"SELECT id, action, kind, params, outcome, enabled, description, updated_at, updated_by"
                             " FROM risk_rules ORDER BY action, id LIMIT 100"_s);
    QJsonArray out;
    while (rows.next())
        out.append(QJsonObject{{u"id"_s, rows.value(0).toString()},
                               {u"action"_s, rows.value(1).toString()},
                               {u"kind"_s, rows.value(2).toString()},
                               {u"params"_s, QJsonDocument::fromJson(rows.value(3).toString().toUtf8()).object()},
                               {u"outcome"_s, rows.value(4).toString()},
                               {u"enabled"_s, rows.value(5).toInt() == 1},
                               {u"description"_s, rows.value(6).toString()},
                               {u"updated_at"_s, rows.value(7).toLongLong()},
                               {u"updated_by"_s, rows.value(8).toString()}});
    return out;
}

QJsonArray RiskEngine::replaceRules(const QSqlDatabase &db, const QJsonArray &input, const QString &adminId,
                                    const CardHasher &hashCard, qint64 nowMs)
{
    if (input.size() > kMaxRules)
        throw ApiError(ErrorCode::ValidationFailed, u"At most %1 rules."_s.arg(kMaxRules),
                       QJsonObject{{u"field"_s, u"rules"_s}});
    static const QRegularExpression idPattern(u"^[a-z0-9_]{1,64}$"_s);
    QSet<QString> seen;
    struct Row
    {
        QString id, action, kind, outcome, description;
        QJsonObject params;
        bool enabled;
    };
    QList<Row> rows;
    for (int i = 0; i < input.size(); ++i) {
        if (!input.at(i).isObject())
            badRule(i, u"a rule is an object."_s);
        const QJsonObject rule = input.at(i).toObject();
        for (auto it = rule.constBegin(); it != rule.constEnd(); ++it)
            if (!QStringList{u"id"_s, u"action"_s, u"kind"_s, u"params"_s, u"outcome"_s, u"enabled"_s,
                             u"description"_s, u"updated_at"_s, u"updated_by"_s}
                     .contains(it.key()))
                badRule(i, u"unknown field %1."_s.arg(it.key()));
        Row row;
        row.id = rule.value(u"id"_s).toString();
        if (!idPattern.match(row.id).hasMatch())
            badRule(i, u"id is 1 to 64 of a-z, 0-9 and _."_s);
        if (seen.contains(row.id))
            badRule(i, u"id %1 appears twice."_s.arg(row.id));
        seen.insert(row.id);
        row.action = rule.value(u"action"_s).toString();
        if (!kActions.contains(row.action))
            badRule(i, u"action must be one of %1."_s.arg(kActions.join(u", "_s)));
        row.kind = rule.value(u"kind"_s).toString();
        if (!kKinds.contains(row.kind))
            badRule(i, u"kind must be one of %1."_s.arg(kKinds.join(u", "_s)));
        row.outcome = rule.value(u"outcome"_s).toString(u"reject"_s);
        if (row.outcome != u"reject"_s && row.outcome != u"review"_s)
            badRule(i, u"outcome must be reject or review."_s);
        if (row.outcome == u"review"_s && row.action != u"withdrawal"_s)
            badRule(i, u"only withdrawals have a review queue; use outcome reject."_s);
        const QJsonValue enabled = rule.value(u"enabled"_s);
        if (!enabled.isUndefined() && !enabled.isBool())
            badRule(i, u"enabled is true or false."_s);
        row.enabled = enabled.toBool(true);
        row.description = rule.value(u"description"_s).toString();
        if (row.description.size() > 200)
            badRule(i, u"description has at most 200 characters."_s);
        const QJsonObject params = rule.value(u"params"_s).toObject();
        if (row.kind == u"daily_count"_s) {
            row.params = {{u"limit"_s, intParam(params, u"limit"_s, 0, 1'000'000, i)}};
        } else if (row.kind == u"daily_sum"_s) {
            row.params = {{u"limit"_s, intParam(params, u"limit"_s, 0, kMaxAmount, i)}};
        } else if (row.kind == u"single_min"_s || row.kind == u"single_max"_s) {
            row.params = {{u"amount"_s, intParam(params, u"amount"_s, 0, kMaxAmount, i)}};
        } else if (row.kind == u"velocity"_s) {
            row.params = {{u"count"_s, intParam(params, u"count"_s, 1, 1'000'000, i)},
                          {u"minutes"_s, intParam(params, u"minutes"_s, 1, 1440, i)}};
        } else { // blacklist
            QJsonArray hashes = stringList(params, u"card_hashes"_s, i, 128);
            for (const QJsonValue &card : stringList(params, u"card_numbers"_s, i, 32))
                hashes.append(hashCard(card.toString()));
            row.params = {{u"users"_s, stringList(params, u"users"_s, i, 64)},
                          {u"card_hashes"_s, hashes},
                          {u"addresses"_s, stringList(params, u"addresses"_s, i, 64)},
                          {u"devices"_s, stringList(params, u"devices"_s, i, 128)}};
            for (auto it = params.constBegin(); it != params.constEnd(); ++it)
                if (!QStringList{u"users"_s, u"card_hashes"_s, u"card_numbers"_s, u"addresses"_s, u"devices"_s}.contains(
                        it.key()))
                    badRule(i, u"unknown blacklist %1."_s.arg(it.key()));
        }
        rows.append(row);
    }
    sqlExec(db, u"DELETE FROM risk_rules"_s);
    for (const Row &row : std::as_const(rows))
        sqlExec(db,
                u"INSERT INTO risk_rules (id, action, kind, params, outcome, enabled, description, updated_at,"
                " updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                {row.id, row.action, row.kind,
                 QString::fromUtf8(QJsonDocument(row.params).toJson(QJsonDocument::Compact)), row.outcome,
                 row.enabled ? 1 : 0, row.description.isNull() ? u""_s : row.description, nowMs, adminId});
    return rules(db);
}

} // namespace paydesk
