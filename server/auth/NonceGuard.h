#pragma once

#include <QByteArrayView>
#include <QString>

#include <cstdint>
#include <memory>
#include <mutex>

namespace paydesk {

/// This process's exact memory of the nonces of signed reads: a nonce admitted once is refused
/// again until its expiry. Two generations of open-addressing tables of 64-bit keyed
/// fingerprints (16 bytes of memory per nonce at most, pages touched only as they fill); a
/// generation spans `span` ms, and the older one is dropped when a new one starts, so an entry
/// lives at least one span. A nonce whose expiry lies beyond that, or that finds the table full,
/// is left to the database (Unsure).
class NonceGuard final
{
public:
    enum class Verdict { Admitted, Replayed, Unsure };

    NonceGuard(qint64 spanMs, qint64 capacity);
    ~NonceGuard();
    Q_DISABLE_COPY_MOVE(NonceGuard)

    Verdict admit(QStringView keyId, QByteArrayView nonce, qint64 expiresAt, qint64 now);
    qint64 size() const;
    bool isFull() const; ///< the current generation takes no more
    qint64 capacity() const { return m_maxEntries; }

private:
    struct Table
    {
        std::unique_ptr<std::uint64_t[], void (*)(void *)> cells{nullptr, nullptr};
        qint64 entries = 0;
        qint64 startedAt = 0;
    };
    std::uint64_t fingerprint(QStringView keyId, QByteArrayView nonce) const;
    static bool contains(const Table &table, std::uint64_t fp, std::size_t mask);
    void rotate(qint64 now);
    Verdict insert(std::uint64_t fp, qint64 expiresAt, qint64 now);

    const qint64 m_spanMs;
    const qint64 m_maxEntries; ///< per generation (half the cells)
    const std::size_t m_mask;
    const std::size_t m_seed;
    mutable std::mutex m_mutex;
    Table m_current;
    Table m_previous;
};

} // namespace paydesk
