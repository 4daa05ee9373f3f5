#include "server/auth/RateLimiter.h"

#include <QMutexLocker>

#include <cmath>

namespace paydesk {

bool RateLimiter::take(const QString &key, double perSecond, double burst, qint64 nowMs, qint64 *retryAfterMs)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxBuckets)
            prune(nowMs);
        it = m_buckets.insert(key, Bucket{burst, nowMs, qint64(burst / perSecond * 1000.0)});
    }
    Bucket &bucket = *it;
    const double elapsed = std::max<qint64>(0, nowMs - bucket.updatedMs) / 1000.0;
    bucket.tokens = std::min(burst, bucket.tokens + elapsed * perSecond);
    bucket.updatedMs = nowMs;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return true;
    }
    *retryAfterMs = qint64(std::ceil((1.0 - bucket.tokens) / perSecond * 1000.0));
    return false;
}

void RateLimiter::prune(qint64 nowMs)
{
    // Buckets that have refilled completely carry no information: dropping them changes nothing.
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        if (nowMs - it->updatedMs >= it->refillMs)
            it = m_buckets.erase(it);
        else
            ++it;
    }
    // Everyone is active: forget a quarter rather than grow without bound (and rather than
    // scanning the whole table again on the very next new caller).
    const qsizetype target = m_maxBuckets - m_maxBuckets / 4;
    while (m_buckets.size() > target)
        m_buckets.erase(m_buckets.begin());
}

} // namespace paydesk
