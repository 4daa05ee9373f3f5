#pragma once

#include <QtGlobal>

#include <functional>

namespace paydesk {

/// Milliseconds since the Unix epoch (UTC); injectable so tests can move time.
using Clock = std::function<qint64()>;
Clock systemClock();

/// The knobs of authentication; every one has a limit (see [security] in paydesk.ini).
struct SecurityConfig
{
    qint64 sessionTtlMs = 8 * 3600 * 1000LL; ///< a staff session ends this long after login
    qint64 sessionIdleMs = 30 * 60 * 1000LL; ///< … or after this long without a request
    qint64 appSessionTtlMs = 30 * 24 * 3600 * 1000LL;
    int lockoutThreshold = 5; ///< failed logins before a lock (per user, per address)
    qint64 lockoutMs = 15 * 60 * 1000LL;
    qint64 signatureSkewMs = 300 * 1000LL; ///< timestamp window of signed requests
    qint64 idempotencyTtlMs = 48 * 3600 * 1000LL; ///< how long Idempotency-Key answers are kept
    qint64 idempotencyLeaseMs = 120 * 1000LL; ///< an unfinished request older than this may be retried
    int passwordMinLength = 10;
    qint64 smsCodeTtlMs = 5 * 60 * 1000LL;
    int smsCodeAttempts = 5;
    qint64 smsResendMs = 60 * 1000LL; ///< minimum gap between codes to one phone
    int smsPerHourPerAddress = 20;
    int smsPerDayPerPhone = 10;
    qint64 actionTokenTtlMs = 5 * 60 * 1000LL;
    double rateLimitPerKey = 200; ///< requests per second per API key, app user or staff user
    double rateBurstPerKey = 400;
    double rateLimitPerAddress = 400; ///< requests per second per source address
    double rateBurstPerAddress = 800;
};

} // namespace paydesk
