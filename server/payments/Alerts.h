#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

namespace paydesk {

class IdGenerator;

/// Alert rows for humans (console, API) and, when configured, an ops webhook.
class Alerts final
{
public:
    struct Raise
    {
        QString kind; ///< e.g. ORDER_ABNORMAL, NOTIFY_EXHAUSTED, CHANNEL_ERRORS, UNKNOWN_TRADE
        QString severity = QStringLiteral("WARNING"); ///< INFO, WARNING, CRITICAL
        QString refType;
        QString refId;
        QString message;
        QJsonObject details;
        QString dedupeKey; ///< one alert per key; empty means kind, ref, severity and details alike
    };

    /// Inside a writer unit. Returns the new alert's id, or empty when one with the key exists.
    /// With a webhook configured, its delivery is scheduled in the same unit.
    static QString raise(const QSqlDatabase &db, IdGenerator &alertIds, IdGenerator &outboxIds, const Raise &alert,
                         bool webhook, qint64 nowMs);

    /// Newest first, filtered by status/kind, at most limit (≤ 500) rows, before the given id.
    static QJsonArray list(const QSqlDatabase &db, const QString &status, const QString &kind, int limit,
                           const QString &before);
    static QJsonObject get(const QSqlDatabase &db, const QString &id);
    /// OPEN → ACKNOWLEDGED; false when it was not open.
    static bool acknowledge(const QSqlDatabase &db, const QString &id, const QString &by, qint64 nowMs);
    static int openCount(const QSqlDatabase &db);
};

} // namespace paydesk
