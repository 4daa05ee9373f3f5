#pragma once

#include "server/auth/SecurityConfig.h"

#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QSqlDatabase>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>

namespace paydesk {

class Database;

/// Events for the event streams. publish() writes a row inside the writer unit of the change the
/// event announces, so an event exists exactly when its change committed; every server instance
/// polls the table and hands new rows to its own stream connections (the sink), so an event reaches
/// its audience whichever instance the client is connected to.
class EventHub final : public QObject
{
    Q_OBJECT

public:
    /// Delivers one event (JSON text) to the local connections of an audience.
    using Sink = std::function<void(const QString &audience, const QByteArray &text)>;

    EventHub(Database &database, Clock clock, Sink sink, QObject *parent = nullptr);
    ~EventHub() override;

    /// Called on the poll thread after a poll found new events and before they go out: Paydesk
    /// waits there until what they tell of is on disk (DbWriter). False keeps them for the next
    /// poll. Set before start().
    void setBeforeDelivery(std::function<bool()> hook) { m_beforeDelivery = std::move(hook); }

    /// Starts polling (own thread, every pollMs).
    void start(int pollMs = 100);
    void stop();

    /// Inside a writer unit.
    static void publish(const QSqlDatabase &db, const QString &audience, const QString &type, const QJsonObject &data,
                        qint64 nowMs);
    /// What a reconnecting client missed: events of its audiences after seq (at most 500, at most
    /// a day old), oldest first, as the texts a stream sends.
    static QList<QByteArray> backlog(const QSqlDatabase &db, const QStringList &audiences, qint64 afterSeq);

    static constexpr qint64 kRetentionMs = 86'400'000; ///< older events are deleted (by the writer)

private:
    void poll();

    Database &m_database;
    Clock m_clock;
    Sink m_sink;
    std::function<bool()> m_beforeDelivery;
    QThread m_thread;
    QTimer *m_timer = nullptr;
    qint64 m_lastSeq = -1;
    QSet<qint64> m_recent; ///< seqs delivered from the re-read window (commits can land out of order)
};

} // namespace paydesk
