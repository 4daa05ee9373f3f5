#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <cstdint>
#include <vector>

namespace paydesk::recon {

/// The local side of one reconciliation: the day's paid orders and succeeded refunds of one
/// channel account, in a compact open-addressing hash table keyed by Paydesk's number (the
/// channel's out_trade_no / out_refund_no). About 60 bytes per record with its key, so a million
/// records take some 60 MB however long the bill is; lookups are O(1), the whole match linear.
class LocalIndex final
{
public:
    enum class Type : quint8 { Payment = 0, Refund = 1 };

    struct Entry
    {
        quint32 keyOffset = 0;
        quint16 keyLength = 0;
        Type type = Type::Payment;
        bool seen = false; ///< a bill line matched it
        quint32 merchant = 0; ///< index into the caller's merchant list
        qint64 amount = 0; ///< fen: the amount paid, or the refund's amount
    };

    /// Keys longer than this are refused (Paydesk's numbers have at most 32 characters).
    static constexpr qsizetype MaxKeyLength = 64;

    /// Adds a record; false when the key is too long. Call build() after the last add().
    bool add(Type type, QByteArrayView key, qint64 amount, quint32 merchant);
    /// Builds the hash table (a duplicate key keeps the first record and is counted).
    void build();
    qsizetype duplicates() const { return m_duplicates; }

    Entry *find(Type type, QByteArrayView key);
    QByteArrayView key(const Entry &entry) const;
    std::vector<Entry> &entries() { return m_entries; }
    const std::vector<Entry> &entries() const { return m_entries; }
    qsizetype size() const { return qsizetype(m_entries.size()); }
    /// Bytes held (for the run's report).
    qint64 memoryBytes() const;

private:
    quint64 hashOf(Type type, QByteArrayView key) const;
    bool sameKey(const Entry &entry, Type type, QByteArrayView key) const;

    QByteArray m_keys;
    std::vector<Entry> m_entries;
    std::vector<quint32> m_slots; ///< entry index + 1; 0 is empty
    quint64 m_mask = 0;
    qsizetype m_duplicates = 0;
};

} // namespace paydesk::recon
