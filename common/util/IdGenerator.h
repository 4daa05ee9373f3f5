#pragma once

#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <atomic>
#include <functional>
#include <optional>

namespace paydesk {

// Issues order, refund and journal-entry numbers: fixed width, time-ordered, unique across
// threads, processes and restarts, and valid as an Alipay and a WeChat Pay out_trade_no.
//
// Format (prefix + 30 characters, all [0-9A-Z], at most 32 characters in total):
//
//   PO 20250314093015123 0007 K3F9ZQ2 0A
//   |  |                 |    |       `- sequence within the millisecond, 2 base-36 digits
//   |  |                 |    `--------- instance: random per generator, 7 base-36 digits
//   |  |                 `-------------- node id, 4 decimal digits (0-9999, from configuration)
//   |  `-------------------------------- UTC time yyyyMMddHHmmsszzz (milliseconds)
//   `----------------------------------- prefix, 1 or 2 upper-case letters naming the kind
//
// Guarantees:
// - One generator never repeats a number and its numbers strictly increase (as strings and in
//   time), from any number of threads: the (millisecond, sequence) pair only moves forward. If
//   the wall clock steps back, numbers continue from the last one issued and the embedded time
//   runs ahead of the clock until it catches up; 1,296 numbers per millisecond per generator
//   before the embedded time has to borrow the next millisecond.
// - Generators on different node ids never collide.
// - Generators sharing a node id (several processes on a host, replicas started from one
//   configuration, a restart after the clock stepped back) differ in their instance, drawn from
//   the operating system's random source at construction: 36^7 = 7.8e10 values, so any two such
//   generators have a 1.3e-11 chance of sharing it. That is not zero, so storage keeps a unique
//   constraint on every generated number and a caller that hits it simply asks for a new one.
// - Across generators, order follows the embedded millisecond only (best effort: it is each
//   host's wall clock).
//
// Create generators after fork(), never before: a forked copy would share instance and state.
class IdGenerator final
{
public:
    // Milliseconds since the Unix epoch, UTC. Must be callable from any thread.
    using Clock = std::function<qint64()>;

    static constexpr int kMaxNodeId = 9999;
    static constexpr int kBodyWidth = 30;
    static constexpr int kMaxPrefixLength = 2;
    static constexpr quint64 kInstanceCount = 78'364'164'096; // 36^7

    struct Options
    {
        QString prefix;
        int nodeId = 0;
        Clock clock; // default: the system wall clock
        std::optional<quint64> instance; // default: random; tests pin it (< kInstanceCount)
    };

    // Throws std::invalid_argument for a prefix or node id that fails isValidPrefix/isValidNodeId:
    // generators are built once at startup from validated configuration.
    IdGenerator(QStringView prefix, int nodeId);
    explicit IdGenerator(Options options);
    Q_DISABLE_COPY_MOVE(IdGenerator)

    // The next number. Thread-safe and lock-free. Throws std::overflow_error after the year 9999.
    QString next();

    QString prefix() const { return m_prefix; }
    int nodeId() const { return m_nodeId; }
    quint64 instance() const { return m_instance; }
    // Every number from this generator has exactly this many characters.
    qsizetype width() const { return m_prefix.size() + kBodyWidth; }

    static bool isValidPrefix(QStringView prefix);
    static bool isValidNodeId(int nodeId);
    // Whether text has the shape of a number issued with this prefix; for checking identifiers
    // that arrive in requests before they reach a query.
    static bool isWellFormed(QStringView text, QStringView prefix);

private:
    QString format(quint64 tick) const;

    QString m_prefix;
    int m_nodeId = 0;
    quint64 m_instance = 0;
    Clock m_clock;
    // millisecond * kSequenceSpan + sequence of the last number issued.
    std::atomic<quint64> m_lastTick{0};
};

} // namespace paydesk
