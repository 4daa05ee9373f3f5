#include "common/util/IdGenerator.h"

#include <QDate>
#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>
#include <stdexcept>

namespace paydesk {

namespace {

constexpr int kTimeDigits = 17;
constexpr int kNodeDigits = 4;
constexpr int kInstanceDigits = 7;
constexpr int kSequenceDigits = 2;
static_assert(kTimeDigits + kNodeDigits + kInstanceDigits + kSequenceDigits == IdGenerator::kBodyWidth);

constexpr quint64 kSequenceSpan = 36 * 36;
// 9999-12-31T23:59:59.999Z, the last instant the 17-digit time field can spell.
constexpr qint64 kMaxMilliseconds = 253'402'300'799'999;
constexpr quint64 kMaxTick = quint64(kMaxMilliseconds) * kSequenceSpan + (kSequenceSpan - 1);
constexpr qint64 kMillisecondsPerDay = 86'400'000;
constexpr qint64 kUnixEpochJulianDay = 2'440'588;

// Digits before letters, as in ASCII, so that fixed-width base-36 text sorts like its value.
constexpr char16_t kBase36Digits[] = u"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

void writeDecimal(QChar *out, int width, quint64 value)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = QChar(char16_t(u'0' + value % 10));
        value /= 10;
    }
}

void writeBase36(QChar *out, int width, quint64 value)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = QChar(kBase36Digits[value % 36]);
        value /= 36;
    }
}

bool isDecimalDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

bool isBase36Digit(QChar c)
{
    return isDecimalDigit(c) || (c.unicode() >= u'A' && c.unicode() <= u'Z');
}

} // namespace

IdGenerator::IdGenerator(QStringView prefix, int nodeId) : IdGenerator(Options{prefix.toString(), nodeId, {}, {}})
{
}

IdGenerator::IdGenerator(Options options)
    : m_prefix(std::move(options.prefix)), m_nodeId(options.nodeId),
      m_instance(options.instance ? *options.instance : QRandomGenerator::system()->bounded(kInstanceCount)),
      m_clock(std::move(options.clock))
{
    if (!isValidPrefix(m_prefix))
        throw std::invalid_argument("IdGenerator: the prefix must be 1 or 2 letters A-Z");
    if (!isValidNodeId(m_nodeId))
        throw std::invalid_argument("IdGenerator: the node id must be within 0-9999");
    if (m_instance >= kInstanceCount)
        throw std::invalid_argument("IdGenerator: the instance must be below 36^7");
    if (!m_clock)
        m_clock = [] { return QDateTime::currentMSecsSinceEpoch(); };
}

QString IdGenerator::next()
{
    const qint64 now = std::clamp(m_clock(), qint64(0), kMaxMilliseconds);
    const quint64 nowTick = quint64(now) * kSequenceSpan;
    quint64 last = m_lastTick.load(std::memory_order_relaxed);
    quint64 tick = 0;
    do {
        // A clock that stands still or steps back never moves a number backwards: the tick
        // continues from the last one, spilling into the following milliseconds if need be.
        tick = std::max(last + 1, nowTick);
        if (tick > kMaxTick)
            throw std::overflow_error("IdGenerator: the time field is exhausted");
    } while (!m_lastTick.compare_exchange_weak(last, tick, std::memory_order_relaxed));
    return format(tick);
}

QString IdGenerator::format(quint64 tick) const
{
    const auto milliseconds = qint64(tick / kSequenceSpan);
    const quint64 sequence = tick % kSequenceSpan;
    const QDate date = QDate::fromJulianDay(kUnixEpochJulianDay + milliseconds / kMillisecondsPerDay);
    const qint64 msOfDay = milliseconds % kMillisecondsPerDay;

    QString id(width(), Qt::Uninitialized);
    QChar *out = id.data();
    for (const QChar c : m_prefix)
        *out++ = c;
    writeDecimal(out, 4, quint64(date.year()));
    writeDecimal(out + 4, 2, quint64(date.month()));
    writeDecimal(out + 6, 2, quint64(date.day()));
    writeDecimal(out + 8, 2, quint64(msOfDay / 3'600'000));
    writeDecimal(out + 10, 2, quint64(msOfDay / 60'000 % 60));
    writeDecimal(out + 12, 2, quint64(msOfDay / 1'000 % 60));
    writeDecimal(out + 14, 3, quint64(msOfDay % 1'000));
    out += kTimeDigits;
    writeDecimal(out, kNodeDigits, quint64(m_nodeId));
    out += kNodeDigits;
    writeBase36(out, kInstanceDigits, m_instance);
    out += kInstanceDigits;
    writeBase36(out, kSequenceDigits, sequence);
    return id;
}

bool IdGenerator::isValidPrefix(QStringView prefix)
{
    if (prefix.isEmpty() || prefix.size() > kMaxPrefixLength)
        return false;
    return std::all_of(prefix.begin(), prefix.end(),
                       [](QChar c) { return c.unicode() >= u'A' && c.unicode() <= u'Z'; });
}

bool IdGenerator::isValidNodeId(int nodeId)
{
    return nodeId >= 0 && nodeId <= kMaxNodeId;
}

bool IdGenerator::isWellFormed(QStringView text, QStringView prefix)
{
    if (!isValidPrefix(prefix) || text.size() != prefix.size() + kBodyWidth || !text.startsWith(prefix)) {
        return false;
    }
    const QStringView body = text.sliced(prefix.size());
    const QStringView decimal = body.first(kTimeDigits + kNodeDigits);
    const QStringView base36 = body.sliced(kTimeDigits + kNodeDigits);
    return std::all_of(decimal.begin(), decimal.end(), isDecimalDigit)
        && std::all_of(base36.begin(), base36.end(), isBase36Digit);
}

} // namespace paydesk
