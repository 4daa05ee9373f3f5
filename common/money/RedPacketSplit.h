#pragma once

#include <QList>

namespace paydesk {

/// Splits a red packet's total into count shares up front with the "twice the average" method: each
/// share is drawn uniformly from 1 fen to twice the average of what is left (keeping at least
/// 1 fen for every share still to come), the last share takes the rest. Shares sum exactly to the
/// total, each is at least 1 fen, and the draws come from the CSPRNG so clients cannot predict them.
/// Requires 1 <= count <= kMaxShares and count <= total (in fen); returns {} otherwise.
class RedPacketSplit final
{
public:
    static constexpr int kMaxShares = 1000;

    RedPacketSplit() = delete;
    static QList<qint64> doubleAverage(qint64 total, int count);
};

} // namespace paydesk
