#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>

#include <array>
#include <functional>

namespace paydesk {

/// Cumulative histogram with fixed upper bounds, in the Prometheus sense.
class Histogram final
{
public:
    explicit Histogram(QList<double> upperBounds = {});
    void observe(double value);
    void render(QByteArray &out, const QByteArray &name, const QByteArray &labels) const;

private:
    QList<double> m_bounds;
    QList<quint64> m_counts;
    quint64 m_count = 0;
    double m_sum = 0;
};

/// Process metrics exposed at GET /metrics in the Prometheus text format.
class Metrics final
{
public:
    Metrics();

    void recordRequest(const QByteArray &route, const QByteArray &method, int status, double seconds);
    void recordDbBatch(int units, double commitSeconds);
    void recordDroppedConnection(const QByteArray &reason);
    /// A value read at render time (open connections, queue depths, …).
    void addGauge(QByteArray name, QByteArray help, std::function<qint64()> read);

    QByteArray render() const;

private:
    struct RequestKey
    {
        QByteArray route;
        QByteArray method;
        int status;
        friend bool operator==(const RequestKey &, const RequestKey &) = default;
    };
    friend size_t qHash(const RequestKey &key, size_t seed) noexcept
    {
        return qHashMulti(seed, key.route, key.method, key.status);
    }
    struct Gauge
    {
        QByteArray name;
        QByteArray help;
        std::function<qint64()> read;
    };

    mutable QMutex m_mutex;
    QHash<RequestKey, quint64> m_requests;
    QHash<QByteArray, Histogram> m_latencyByRoute;
    Histogram m_batchUnits;
    Histogram m_batchCommitSeconds;
    quint64 m_batches = 0;
    QHash<QByteArray, quint64> m_dropped;
    QList<Gauge> m_gauges;
};

} // namespace paydesk
