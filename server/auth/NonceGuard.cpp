#include "server/auth/NonceGuard.h"

#include <QHash>
#include <QRandomGenerator>

#include <bit>
#include <cstdlib>
#include <new>

namespace paydesk {

namespace {

std::size_t slotCount(qint64 capacity)
{
    // Half full at most, so that a probe finds an empty slot within a few steps.
    return std::bit_ceil(std::size_t(std::max<qint64>(capacity, 1024)) * 2);
}

} // namespace

NonceGuard::NonceGuard(qint64 spanMs, qint64 capacity)
    : m_spanMs(spanMs), m_maxEntries(qint64(slotCount(capacity) / 2)), m_mask(slotCount(capacity) - 1),
      m_seed(std::size_t(QRandomGenerator::system()->generate64()))
{
}

NonceGuard::~NonceGuard() = default;

std::uint64_t NonceGuard::fingerprint(QStringView keyId, QByteArrayView nonce) const
{
    // Keyed with a secret seed, so that no client can aim nonces at each other's cells.
    std::uint64_t fp = qHash(nonce, qHash(keyId, m_seed));
    return fp == 0 ? 1 : fp; // 0 marks an empty slot
}

bool NonceGuard::contains(const Table &table, std::uint64_t fp, std::size_t mask)
{
    if (!table.cells)
        return false;
    for (std::size_t i = fp & mask;; i = (i + 1) & mask) {
        if (table.cells[i] == fp)
            return true;
        if (table.cells[i] == 0)
            return false;
    }
}

void NonceGuard::rotate(qint64 now)
{
    if (m_current.cells && now - m_current.startedAt < m_spanMs)
        return;
    // Pages of a new table stay unmapped until an entry lands on them.
    m_previous = std::move(m_current);
    if (m_previous.cells && now - m_previous.startedAt >= 2 * m_spanMs)
        m_previous = Table{}; // idle for more than a span: nothing in it can still be replayed
    void *memory = std::calloc(m_mask + 1, sizeof(std::uint64_t));
    if (!memory)
        throw std::bad_alloc();
    m_current.cells = {static_cast<std::uint64_t *>(memory), std::free};
    m_current.entries = 0;
    m_current.startedAt = now;
}

NonceGuard::Verdict NonceGuard::insert(std::uint64_t fp, qint64 expiresAt, qint64 now)
{
    std::lock_guard lock(m_mutex);
    rotate(now);
    if (contains(m_current, fp, m_mask) || contains(m_previous, fp, m_mask))
        return Verdict::Replayed;
    // Kept until the older generation is dropped: at least until the current one's start + 2 spans.
    if (expiresAt > m_current.startedAt + 2 * m_spanMs || m_current.entries >= m_maxEntries)
        return Verdict::Unsure;
    std::size_t i = fp & m_mask;
    while (m_current.cells[i] != 0)
        i = (i + 1) & m_mask;
    m_current.cells[i] = fp;
    ++m_current.entries;
    return Verdict::Admitted;
}

NonceGuard::Verdict NonceGuard::admit(QStringView keyId, QByteArrayView nonce, qint64 expiresAt, qint64 now)
{
    return insert(fingerprint(keyId, nonce), expiresAt, now);
}

bool NonceGuard::isFull() const
{
    std::lock_guard lock(m_mutex);
    return m_current.entries >= m_maxEntries;
}

qint64 NonceGuard::size() const
{
    std::lock_guard lock(m_mutex);
    return m_current.entries + m_previous.entries;
}

} // namespace paydesk
