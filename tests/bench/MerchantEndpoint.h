#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QThread>
#include <QThreadPool>

#include <memory>

namespace paydesk {
class HttpServer;
class Metrics;
class Router;
} // namespace paydesk

namespace paydesk::bench {

/// The merchant's back end as Paydesk's notifications see it: an HTTPS endpoint (Paydesk's own
/// listener, on a thread of its own) that checks each notification's PAYDESK-HMAC-SHA256
/// signature, answers "success" and counts the deliveries of every event id.
class MerchantEndpoint final
{
public:
    MerchantEndpoint(QString keyId, QByteArray secret);
    ~MerchantEndpoint();
    Q_DISABLE_COPY_MOVE(MerchantEndpoint)

    /// TLS files (a local CA and a certificate for 127.0.0.1) go under dir; listens on a free port.
    bool start(const QString &dir, QString *error);
    QString url() const { return m_url; }
    /// The CA the server must trust for the notify URL (--notify-ca).
    QString caFile() const { return m_caFile; }

    struct Counts
    {
        qint64 deliveries = 0; ///< signed correctly and acknowledged
        qint64 rejected = 0; ///< missing or wrong signature (answered 401)
        qint64 events = 0; ///< distinct event ids
        qint64 repeated = 0; ///< deliveries of an event id seen before
    };
    Counts counts() const;
    /// How often the event was delivered (0 if never).
    int deliveries(const QString &eventId) const;

private:
    void record(const QString &eventId, bool signedCorrectly);

    QString m_keyId;
    QByteArray m_secret;
    QString m_url;
    QString m_caFile;
    QThread m_thread;
    QObject m_context; ///< lives on m_thread: what the listener is created and destroyed through
    QThreadPool m_workers;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<Metrics> m_metrics;
    HttpServer *m_http = nullptr; ///< lives on m_thread
    mutable QMutex m_mutex;
    QHash<QString, int> m_events;
    Counts m_counts;
};

} // namespace paydesk::bench
