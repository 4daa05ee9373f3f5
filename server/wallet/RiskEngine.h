#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace paydesk {

class IdGenerator;

/// Who holds money: an app user ("user") or a merchant ("merchant").
struct Holder
{
    QString type;
    QString id;

    bool isUser() const { return type == QStringLiteral("user"); }
};

/// One money-moving request as the risk rules see it.
struct RiskInput
{
    QString action; ///< "withdrawal", "transfer", "red_packet"
    QString refId; ///< the withdrawal id, transfer number, … the decision rows point to
    Holder holder;
    qint64 amount = 0;
    QString cardHash; ///< withdrawals: the bank card's lookup hash
    QString address; ///< the client's IP address
    QString device; ///< the app's device id (X-Device-Id), when it sends one
    QString counterparty; ///< transfers: the receiving user
};

struct RiskDecision
{
    QString outcome = QStringLiteral("pass"); ///< "pass", "review" or "reject"
    QString ruleId; ///< the first rule that rejected (or asked for review)
    QString message; ///< for the caller, naming the rule
};

/// Risk rules stored in risk_rules and evaluated inside the writer unit of the request they guard,
/// so what they count and what the request adds commit together (on PostgreSQL the holder's
/// available account row is locked first, so counters hold across server instances too).
class RiskEngine final
{
public:
    static constexpr int kMaxRules = 100;

    /// Evaluates every enabled rule of the action; writes one decision row per matching rule (or
    /// one "pass" row). Usage counts exclude the request itself.
    static RiskDecision evaluate(const QSqlDatabase &db, IdGenerator &ids, const RiskInput &input, qint64 nowMs,
                                 int dayOffsetMinutes);

    /// GET /v1/admin/risk-rules.
    static QJsonArray rules(const QSqlDatabase &db);
    /// PUT /v1/admin/risk-rules: replaces the whole set after validating every rule (a bad rule
    /// changes nothing). Blacklisted card numbers are stored only as lookup hashes.
    using CardHasher = std::function<QString(const QString &cardNo)>;
    static QJsonArray replaceRules(const QSqlDatabase &db, const QJsonArray &rules, const QString &adminId,
                                   const CardHasher &hashCard, qint64 nowMs);

    /// Start of the business day containing nowMs (days begin at 00:00 at UTC+offset).
    static qint64 dayStart(qint64 nowMs, int dayOffsetMinutes);
};

} // namespace paydesk
