#include "server/recon/LocalIndex.h"

#include <QHashFunctions>

namespace paydesk::recon {

bool LocalIndex::add(Type type, QByteArrayView key, qint64 amount, quint32 merchant)
{
    if (key.isEmpty() || key.size() > MaxKeyLength)
        return false;
    Entry entry;
    entry.keyOffset = quint32(m_keys.size());
    entry.keyLength = quint16(key.size());
    entry.type = type;
    entry.merchant = merchant;
    entry.amount = amount;
    m_keys.append(key);
    m_entries.push_back(entry);
    return true;
}

void LocalIndex::build()
{
    quint64 capacity = 16;
    while (capacity < quint64(m_entries.size()) * 2)
        capacity <<= 1;
    m_slots.assign(capacity, 0);
    m_mask = capacity - 1;
    m_duplicates = 0;
    for (quint32 i = 0; i < quint32(m_entries.size()); ++i) {
        const Entry &entry = m_entries[i];
        const QByteArrayView entryKey = key(entry);
        quint64 slot = hashOf(entry.type, entryKey) & m_mask;
        bool duplicate = false;
        while (m_slots[slot] != 0) {
            if (sameKey(m_entries[m_slots[slot] - 1], entry.type, entryKey)) {
                duplicate = true;
                break;
            }
            slot = (slot + 1) & m_mask;
        }
        if (duplicate) {
            ++m_duplicates;
            m_entries[i].seen = true; // never reported missing: its first record stands for it
            continue;
        }
        m_slots[slot] = i + 1;
    }
}

LocalIndex::Entry *LocalIndex::find(Type type, QByteArrayView key)
{
    if (m_slots.empty() || key.isEmpty())
        return nullptr;
    quint64 slot = hashOf(type, key) & m_mask;
    while (const quint32 index = m_slots[slot]) {
        Entry &entry = m_entries[index - 1];
        if (sameKey(entry, type, key))
            return &entry;
        slot = (slot + 1) & m_mask;
    }
    return nullptr;
}

QByteArrayView LocalIndex::key(const Entry &entry) const
{
    return QByteArrayView(m_keys.constData() + entry.keyOffset, entry.keyLength);
}

qint64 LocalIndex::memoryBytes() const
{
    return m_keys.capacity() + qint64(m_entries.capacity() * sizeof(Entry))
        + qint64(m_slots.capacity() * sizeof(quint32));
}

quint64 LocalIndex::hashOf(Type type, QByteArrayView key) const
{
    return qHash(key, size_t(type) * 0x9E3779B97F4A7C15ull + 1);
}

bool LocalIndex::sameKey(const Entry &entry, Type type, QByteArrayView key) const
{
    return entry.type == type && entry.keyLength == key.size() && this->key(entry) == key;
}

} // namespace paydesk::recon
