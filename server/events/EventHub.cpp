#include "server/events/EventHub.h"

#include "server/store/Database.h"
#include "server/store/Sql.h"

#include <QJsonDocument>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcEvents, "paydesk.events")

namespace paydesk {

namespace {

// On PostgreSQL a transaction may commit a lower seq after a higher one was read: each poll reads
// again this far back and skips what it already delivered.
constexpr qint64 kReReadWindow = 1'000;
constexpr int kPollBatch = 1'000;

QByteArray eventText(qint64 seq, const QString &type, const QString &payload, qint64 at)
{
    const QJsonObject data = QJsonDocument::fromJson(payload.toUtf8()).object();
    return QJsonDocument(QJsonObject{{u"seq"_s, seq}, {u"type"_s, type}, {u"at"_s, at}, {u"data"_s, data}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

EventHub::EventHub(Database &database, Clock clock, Sink sink, QObject *parent)
    : QObject(parent), m_database(database), m_clock(std::move(clock)), m_sink(std::move(sink))
{
}

EventHub::~EventHub()
{
    stop();
}

void EventHub::start(int pollMs)
{
    m_thread.setObjectName(u"events"_s);
    m_thread.start();
    m_timer = new QTimer;
    m_timer->moveToThread(&m_thread);
    m_timer->setInterval(pollMs);
    connect(m_timer, &QTimer::timeout, m_timer, [this] { poll(); });
    QMetaObject::invokeMethod(m_timer, qOverload<>(&QTimer::start), Qt::QueuedConnection);
}

void EventHub::stop()
{
    if (!m_thread.isRunning())
        return;
    // Never blocks on the poller: its timer stops in its own thread, then the thread ends.
    QMetaObject::invokeMethod(m_timer, qOverload<>(&QTimer::stop), Qt::QueuedConnection);
    m_thread.quit();
    if (!m_thread.wait(10'000))
        qCWarning(lcEvents) << "the event poller did not stop within 10 s";
    else
        delete m_timer;
    m_timer = nullptr;
}

void EventHub::publish(const QSqlDatabase &db, const QString &audience, const QString &type, const QJsonObject &data,
                       qint64 nowMs)
{
    sqlExec(db, u"INSERT INTO events (audience, type, payload, created_at) VALUES (?, ?, ?, ?)"_s,
            {audience, type, QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact)), nowMs});
}

QList<QByteArray> EventHub::backlog(const QSqlDatabase &db, const QStringList &audiences, qint64 afterSeq)
{
    QList<QByteArray> texts;
    if (audiences.isEmpty())
        return texts;
    QString placeholders;
    QVariantList values;
    for (const QString &audience : audiences) {
        placeholders += placeholders.isEmpty() ? u"?"_s : u", ?"_s;
        values.append(audience);
    }
    values << afterSeq;
    QSqlQuery rows = sqlExec(db,
                             u"SELECT seq, type, payload, created_at FROM events WHERE audience IN ("_s + placeholders
                                 + u") AND seq > ? ORDER BY seq LIMIT 500"_s,
                             values);
    while (rows.next())
        texts.append(eventText(rows.value(0).toLongLong(), rows.value(1).toString(), rows.value(2).toString(),
                               rows.value(3).toLongLong()));
    return texts;
}

void EventHub::poll()
{
    try {
        const QSqlDatabase db = m_database.threadConnection();
        if (m_lastSeq < 0) { // live from now on; reconnecting clients ask for their backlog
            QSqlQuery last = sqlExec(db, u"SELECT COALESCE(MAX(seq), 0) FROM events"_s);
            m_lastSeq = last.next() ? last.value(0).toLongLong() : 0;
            QSqlQuery window = sqlExec(db, u"SELECT seq FROM events WHERE seq > ?"_s, {m_lastSeq - kReReadWindow});
            while (window.next())
                m_recent.insert(window.value(0).toLongLong());
            return;
        }
        QSqlQuery rows = sqlExec(db,
                                 u"SELECT seq, audience, type, payload, created_at FROM events WHERE seq > ?"
                                 " ORDER BY seq LIMIT "_s
                                     + QString::number(kPollBatch),
                                 {std::max<qint64>(0, m_lastSeq - kReReadWindow)});
        struct Fresh
        {
            qint64 seq;
            QString audience;
            QByteArray text;
        };
        QList<Fresh> fresh;
        while (rows.next()) {
            const qint64 seq = rows.value(0).toLongLong();
            if (seq <= m_lastSeq && m_recent.contains(seq))
                continue;
            if (seq <= m_lastSeq - kReReadWindow)
                continue;
            fresh.append({seq, rows.value(1).toString(),
                          eventText(seq, rows.value(2).toString(), rows.value(3).toString(), rows.value(4).toLongLong())});
        }
        rows.finish();
        // Not yet on disk in time: the same rows are read again next poll, and go out then.
        if (!fresh.isEmpty() && m_beforeDelivery && !m_beforeDelivery())
            return;
        for (const Fresh &event : std::as_const(fresh)) {
            m_recent.insert(event.seq);
            m_lastSeq = std::max(m_lastSeq, event.seq);
            m_sink(event.audience, event.text);
        }
        // Forget what fell out of the window.
        for (auto it = m_recent.begin(); it != m_recent.end();)
            it = *it <= m_lastSeq - kReReadWindow ? m_recent.erase(it) : std::next(it);
    } catch (const std::exception &error) {
        qCWarning(lcEvents) << "event poll failed:" << error.what();
    }
}

} // namespace paydesk
