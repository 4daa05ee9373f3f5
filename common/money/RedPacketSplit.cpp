#include "common/money/RedPacketSplit.h"

#include "common/crypto/Random.h"

#include <algorithm>

namespace paydesk {

QList<qint64> RedPacketSplit::doubleAverage(qint64 total, int count)
{
    if (count < 1 || count > kMaxShares || total < count)
        return {};
    QList<qint64> shares;
    shares.reserve(count);
    qint64 remaining = total;
    for (int left = count; left > 1; --left) {
        // At most twice the average of what is left, and never so much that a later share
        // would get less than 1 fen.
        const qint64 ceiling = std::max<qint64>(1, std::min(remaining * 2 / left, remaining - (left - 1)));
        const qint64 share = 1 + qint64(Random::uniform(quint64(ceiling)));
        shares.append(std::min(share, remaining - (left - 1)));
        remaining -= shares.constLast();
    }
    shares.append(remaining);
    return shares;
}

} // namespace paydesk
