// The red-packet split: exact sums, at least 1 fen each, the right number of shares, refusal of
// impossible packets, and draws that differ from packet to packet.
#include "common/money/RedPacketSplit.h"

#include <QSet>
#include <QTest>

#include <numeric>

using namespace paydesk;

class tst_RedPacketSplit : public QObject
{
    Q_OBJECT

private slots:
    void sharesSumExactlyAndEachIsAtLeastOneFen_data()
    {
        QTest::addColumn<qint64>("total");
        QTest::addColumn<int>("count");
        const QList<qint64> totals{1, 2, 3, 7, 10, 99, 100, 101, 1'000, 9'999, 88'888, 1'000'000, 20'000'000};
        const QList<int> counts{1, 2, 3, 5, 10, 33, 100, 500, 1'000};
        for (const qint64 total : totals)
            for (const int count : counts)
                if (count <= total)
                    QTest::addRow("%lld/%d", total, count) << total << count;
    }

    void sharesSumExactlyAndEachIsAtLeastOneFen()
    {
        QFETCH(qint64, total);
        QFETCH(int, count);
        for (int round = 0; round < 20; ++round) {
            const QList<qint64> shares = RedPacketSplit::doubleAverage(total, count);
            QCOMPARE(shares.size(), count);
            QCOMPARE(std::accumulate(shares.cbegin(), shares.cend(), qint64(0)), total);
            QVERIFY(*std::min_element(shares.cbegin(), shares.cend()) >= 1);
        }
    }

    void exactlyOneFenEachWhenTotalEqualsCount()
    {
        const QList<qint64> shares = RedPacketSplit::doubleAverage(50, 50);
        QCOMPARE(shares, QList<qint64>(50, 1));
    }

    void impossiblePacketsAreRefused()
    {
        QVERIFY(RedPacketSplit::doubleAverage(9, 10).isEmpty());
        QVERIFY(RedPacketSplit::doubleAverage(0, 1).isEmpty());
        QVERIFY(RedPacketSplit::doubleAverage(100, 0).isEmpty());
        QVERIFY(RedPacketSplit::doubleAverage(1'000'000, RedPacketSplit::kMaxShares + 1).isEmpty());
    }

    void splitsAreUnpredictable()
    {
        // 100 packets of 100.00 CNY in 10 shares: practically never the same split twice, and
        // the first share takes many different values.
        QSet<QList<qint64>> splits;
        QSet<qint64> firstShares;
        for (int i = 0; i < 100; ++i) {
            const QList<qint64> shares = RedPacketSplit::doubleAverage(10'000, 10);
            splits.insert(shares);
            firstShares.insert(shares.first());
        }
        QVERIFY(splits.size() >= 99);
        QVERIFY(firstShares.size() >= 50);
    }

    void noShareExceedsTwiceTheAverageOfWhatWasLeft()
    {
        for (int i = 0; i < 200; ++i) {
            const QList<qint64> shares = RedPacketSplit::doubleAverage(10'000, 10);
            qint64 remaining = 10'000;
            for (int k = 0; k + 1 < shares.size(); ++k) {
                QVERIFY(shares.at(k) <= remaining * 2 / (10 - k));
                remaining -= shares.at(k);
            }
        }
    }
};

QTEST_GUILESS_MAIN(tst_RedPacketSplit)
#include "tst_redpacketsplit.moc"
