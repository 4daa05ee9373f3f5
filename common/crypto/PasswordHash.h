#pragma once

#include "common/crypto/CryptoResult.h"

#include <QString>
#include <QtGlobal>

namespace paydesk {

/// Salted scrypt password hashes stored as self-describing strings:
/// `scrypt$N=32768,r=8,p=1$<salt>$<hash>` with unpadded standard base64 salt (16 bytes) and
/// hash (32 bytes). The parameters travel with the hash so the cost can be raised later and
/// old hashes still verify (see needsRehash()).
class PasswordHash final
{
public:
    PasswordHash() = delete;

    /// scrypt cost: N (CPU/memory, a power of two), r (block size), p (parallelism).
    struct Cost
    {
        quint64 n = 0;
        quint32 r = 0;
        quint32 p = 0;

        friend bool operator==(const Cost &a, const Cost &b) { return a.n == b.n && a.r == b.r && a.p == b.p; }
    };

    /// About 70 ms and 32 MiB per hash on a current x86-64 core: slow for an offline guesser,
    /// fast enough that logins do not queue.
    static constexpr Cost DefaultCost{32768, 8, 1};
    /// For tests that are not about cost: about 1 ms.
    static constexpr Cost CheapCost{1024, 8, 1};

    /// Limits accepted by both hash() and verify(). A stored string is data, possibly from a
    /// restored or tampered database; these bounds stop it from making verify() run for
    /// seconds or allocate gigabytes. Default cost is well inside them.
    static constexpr quint64 MinN = 1024;
    static constexpr quint64 MaxN = 1 << 20;
    static constexpr quint32 MaxR = 32;
    static constexpr quint32 MaxP = 16;
    static constexpr quint64 MaxMemoryBytes = 128ull * 1024 * 1024; ///< 128 * r * N
    static constexpr quint64 MaxWork = 1ull << 21; ///< N * r * p (8x default)
    static constexpr qsizetype MaxPasswordBytes = 4096;
    static constexpr qsizetype MaxStoredLength = 256;

    /// True when the cost is within the limits above (N a power of two).
    static bool isAcceptableCost(const Cost &cost);

    /// A new hash with a fresh random salt. Fails for an unacceptable cost or a password
    /// longer than MaxPasswordBytes (UTF-8).
    static CryptoResult<QString> hash(const QString &password, const Cost &cost = DefaultCost);

    /// True only if stored is well-formed, within limits, and matches password. The final
    /// comparison is constant-time.
    static bool verify(const QString &password, const QString &stored);

    /// True when stored is malformed or was made with a different cost than wanted, so the
    /// caller should store a fresh hash after the next successful login.
    static bool needsRehash(const QString &stored, const Cost &wanted = DefaultCost);
};

} // namespace paydesk
