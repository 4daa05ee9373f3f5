#pragma once

#include <QHash>
#include <QMutex>
#include <QString>

namespace paydesk {

/// Token buckets keyed by caller (API key, user, address). In-process: each server instance
/// limits what it sees, which bounds a caller to instances × rate. Bounded in memory: when full,
/// buckets that have refilled completely are dropped first.
class RateLimiter final
{
public:
    explicit RateLimiter(int maxBuckets = 100'000) : m_maxBuckets(maxBuckets) { }

    /// Takes one token; false (and the wait in retryAfterMs) when the bucket is empty.
    bool take(const QString &key, double perSecond, double burst, qint64 nowMs, qint64 *retryAfterMs);

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
        qint64 refillMs = 0; ///< time to refill completely from empty: after that it is forgettable
    };
    void prune(qint64 nowMs);

    QMutex m_mutex;
    QHash<QString, Bucket> m_buckets;
    int m_maxBuckets;
};

} // namespace paydesk
