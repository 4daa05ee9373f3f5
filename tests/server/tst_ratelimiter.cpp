// Token buckets: bursts, refill, retry-after, separate callers, bounded memory.
#include "server/auth/RateLimiter.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace paydesk;

class tst_RateLimiter : public QObject
{
    Q_OBJECT

private slots:
    void burstIsAllowedThenRefused()
    {
        RateLimiter limiter;
        qint64 retryAfter = 0;
        for (int i = 0; i < 20; ++i)
            QVERIFY(limiter.take(u"key:a"_s, 10, 20, 1'000, &retryAfter));
        QVERIFY(!limiter.take(u"key:a"_s, 10, 20, 1'000, &retryAfter));
        QCOMPARE(retryAfter, 100); // one token at 10/s
    }

    void tokensRefillWithTime()
    {
        RateLimiter limiter;
        qint64 retryAfter = 0;
        for (int i = 0; i < 5; ++i)
            QVERIFY(limiter.take(u"key:a"_s, 10, 5, 0, &retryAfter));
        QVERIFY(!limiter.take(u"key:a"_s, 10, 5, 0, &retryAfter));
        QVERIFY(limiter.take(u"key:a"_s, 10, 5, 100, &retryAfter)); // 100 ms later: one token
        QVERIFY(!limiter.take(u"key:a"_s, 10, 5, 100, &retryAfter));
        for (int i = 0; i < 5; ++i) // a long pause refills only up to the burst
            QVERIFY(limiter.take(u"key:a"_s, 10, 5, 60'000, &retryAfter));
        QVERIFY(!limiter.take(u"key:a"_s, 10, 5, 60'000, &retryAfter));
    }

    void callersHaveTheirOwnBuckets()
    {
        RateLimiter limiter;
        qint64 retryAfter = 0;
        QVERIFY(limiter.take(u"key:a"_s, 1, 1, 0, &retryAfter));
        QVERIFY(!limiter.take(u"key:a"_s, 1, 1, 0, &retryAfter));
        QVERIFY(limiter.take(u"key:b"_s, 1, 1, 0, &retryAfter));
    }

    void memoryIsBounded()
    {
        RateLimiter limiter(100);
        qint64 retryAfter = 0;
        for (int i = 0; i < 1000; ++i)
            QVERIFY(limiter.take(u"addr:%1"_s.arg(i), 1, 1, 0, &retryAfter));
        // Still answers, and a fresh caller still gets its burst.
        QVERIFY(limiter.take(u"addr:new"_s, 1, 1, 0, &retryAfter));
    }
};

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
