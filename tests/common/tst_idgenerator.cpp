#include "common/util/IdGenerator.h"

#include <QDateTime>
#include <QSet>
#include <QTest>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using paydesk::IdGenerator;

namespace {

// WeChat Pay's out_trade_no: 6-32 characters of [0-9A-Za-z_\-|*]; Alipay's: up to 64 of
// letters, digits and underscore. Paydesk's numbers use the intersection, upper case only.
bool fitsEveryChannel(const QString &id)
{
    if (id.size() < 6 || id.size() > 32)
        return false;
    for (const QChar c : id) {
        const bool digit = c.unicode() >= u'0' && c.unicode() <= u'9';
        const bool upper = c.unicode() >= u'A' && c.unicode() <= u'Z';
        if (!digit && !upper)
            return false;
    }
    return true;
}

// A clock the test moves by hand; shared by reference with the generator.
struct ManualClock
{
    std::atomic<qint64> now{QDateTime(QDate(2025, 3, 14), QTime(9, 30, 15, 123), Qt::UTC).toMSecsSinceEpoch()};
    IdGenerator::Clock function()
    {
        return [this] { return now.load(); };
    }
};

} // namespace

class tst_IdGenerator final : public QObject
{
    Q_OBJECT

private slots:
    void numbersHaveFixedWidthAndSafeCharacters_data();
    void numbersHaveFixedWidthAndSafeCharacters();
    void layoutSpellsUtcTimeNodeAndInstance();
    void numbersStrictlyIncreaseInOneGenerator();
    void sameMillisecondUsesTheSequence();
    void sequenceOverflowBorrowsTheNextMillisecond();
    void clockSteppingBackNeverRepeatsOrDecreases();
    void concurrentThreadsNeverCollide();
    void twoProcessesOnOneNodeNeverCollide();
    void restartAfterClockSteppedBackDoesNotCollide();
    void randomInstancesDiffer();
    void invalidConfigurationIsRefused();
    void wellFormedRecognisesIssuedNumbers();
    void timeFieldExhaustionThrows();
};

void tst_IdGenerator::numbersHaveFixedWidthAndSafeCharacters_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<int>("nodeId");
    QTest::newRow("one letter, node 0") << u"P"_s << 0;
    QTest::newRow("two letters, node 9999") << u"RF"_s << 9999;
    QTest::newRow("two letters, node 42") << u"JE"_s << 42;
}

void tst_IdGenerator::numbersHaveFixedWidthAndSafeCharacters()
{
    QFETCH(QString, prefix);
    QFETCH(int, nodeId);

    IdGenerator generator(prefix, nodeId);
    QCOMPARE(generator.width(), prefix.size() + IdGenerator::kBodyWidth);
    QVERIFY(generator.width() <= 32);
    for (int i = 0; i < 2000; ++i) {
        const QString id = generator.next();
        QCOMPARE(id.size(), generator.width());
        QVERIFY2(fitsEveryChannel(id), qPrintable(id));
        QVERIFY(id.startsWith(prefix));
        QVERIFY(IdGenerator::isWellFormed(id, prefix));
    }
}

void tst_IdGenerator::layoutSpellsUtcTimeNodeAndInstance()
{
    ManualClock clock;
    IdGenerator generator(IdGenerator::Options{u"PO"_s, 7, clock.function(), 36 * 36 + 35});
    QCOMPARE(generator.next(),
             u"PO"
             u"20250314093015123"
             u"0007"
             u"000010Z"
             u"00"_s);
    QCOMPARE(generator.next(), u"PO202503140930151230007000010Z01"_s);
}

void tst_IdGenerator::numbersStrictlyIncreaseInOneGenerator()
{
    IdGenerator generator(u"PO", 1);
    QString previous = generator.next();
    for (int i = 0; i < 100000; ++i) {
        const QString id = generator.next();
        QVERIFY2(id > previous, qPrintable(previous + u" then "_s + id));
        previous = id;
    }
}

void tst_IdGenerator::sameMillisecondUsesTheSequence()
{
    ManualClock clock;
    IdGenerator generator(IdGenerator::Options{u"PO"_s, 1, clock.function(), 0});
    const QString first = generator.next();
    const QString second = generator.next();
    QCOMPARE(first.left(19), second.left(19)); // same prefix and millisecond
    QCOMPARE(first.right(2), u"00"_s);
    QCOMPARE(second.right(2), u"01"_s);

    clock.now += 1;
    QCOMPARE(generator.next().mid(2, 17), u"20250314093015124"_s);
}

void tst_IdGenerator::sequenceOverflowBorrowsTheNextMillisecond()
{
    ManualClock clock;
    IdGenerator generator(IdGenerator::Options{u"PO"_s, 1, clock.function(), 0});
    QString last;
    for (int i = 0; i < 36 * 36; ++i)
        last = generator.next();
    QCOMPARE(last.mid(2, 17), u"20250314093015123"_s);
    QCOMPARE(last.right(2), u"ZZ"_s);

    const QString borrowed = generator.next();
    QCOMPARE(borrowed.mid(2, 17), u"20250314093015124"_s);
    QCOMPARE(borrowed.right(2), u"00"_s);
    QVERIFY(borrowed > last);
}

void tst_IdGenerator::clockSteppingBackNeverRepeatsOrDecreases()
{
    ManualClock clock;
    IdGenerator generator(IdGenerator::Options{u"PO"_s, 1, clock.function(), 0});
    QSet<QString> seen;
    QString previous = generator.next();
    seen.insert(previous);
    clock.now -= 60 * 60 * 1000; // NTP steps the clock back an hour
    for (int i = 0; i < 5000; ++i) {
        const QString id = generator.next();
        QVERIFY(id > previous);
        QVERIFY(!seen.contains(id));
        seen.insert(id);
        previous = id;
    }
}

void tst_IdGenerator::concurrentThreadsNeverCollide()
{
    constexpr int kThreads = 8;
    constexpr int kPerThread = 20000;
    IdGenerator generator(u"PO", 3);

    std::vector<QStringList> issued(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&generator, &issued, t] {
            QStringList &mine = issued[size_t(t)];
            mine.reserve(kPerThread);
            for (int i = 0; i < kPerThread; ++i)
                mine.append(generator.next());
        });
    }
    for (std::thread &thread : threads)
        thread.join();

    QSet<QString> all;
    for (const QStringList &mine : issued) {
        // Each thread sees the generator's single order.
        for (qsizetype i = 1; i < mine.size(); ++i)
            QVERIFY(mine[i] > mine[i - 1]);
        for (const QString &id : mine)
            all.insert(id);
    }
    QCOMPARE(all.size(), qsizetype(kThreads) * kPerThread);
}

void tst_IdGenerator::twoProcessesOnOneNodeNeverCollide()
{
    // Two processes configured with the same node id, issuing in the very same milliseconds.
    ManualClock clock;
    IdGenerator first(IdGenerator::Options{u"PO"_s, 5, clock.function(), {}});
    IdGenerator second(IdGenerator::Options{u"PO"_s, 5, clock.function(), {}});
    QVERIFY(first.instance() != second.instance());

    QSet<QString> all;
    for (int i = 0; i < 20000; ++i) {
        all.insert(first.next());
        all.insert(second.next());
        if (i % 100 == 0)
            clock.now += 1;
    }
    QCOMPARE(all.size(), qsizetype(40000));
}

void tst_IdGenerator::restartAfterClockSteppedBackDoesNotCollide()
{
    ManualClock clock;
    QSet<QString> beforeRestart;
    {
        IdGenerator generator(IdGenerator::Options{u"PO"_s, 5, clock.function(), {}});
        for (int i = 0; i < 3000; ++i)
            beforeRestart.insert(generator.next());
    }
    clock.now -= 10; // the restarted process sees an earlier clock
    IdGenerator restarted(IdGenerator::Options{u"PO"_s, 5, clock.function(), {}});
    for (int i = 0; i < 3000; ++i)
        QVERIFY(!beforeRestart.contains(restarted.next()));
}

void tst_IdGenerator::randomInstancesDiffer()
{
    QSet<quint64> instances;
    for (int i = 0; i < 1000; ++i) {
        const IdGenerator generator(u"PO", 0);
        QVERIFY(generator.instance() < IdGenerator::kInstanceCount);
        instances.insert(generator.instance());
    }
    QCOMPARE(instances.size(), qsizetype(1000));
}

void tst_IdGenerator::invalidConfigurationIsRefused()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, IdGenerator(u"", 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, IdGenerator(u"ABC", 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, IdGenerator(u"po", 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, IdGenerator(u"P1", 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, IdGenerator(u"P", -1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, IdGenerator(u"P", 10000));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             IdGenerator(IdGenerator::Options{u"P"_s, 0, {}, IdGenerator::kInstanceCount}));
    QVERIFY(IdGenerator::isValidNodeId(0));
    QVERIFY(IdGenerator::isValidNodeId(9999));
    QVERIFY(IdGenerator::isValidPrefix(u"RF"));
}

void tst_IdGenerator::wellFormedRecognisesIssuedNumbers()
{
    IdGenerator generator(u"RF", 12);
    const QString id = generator.next();
    QVERIFY(IdGenerator::isWellFormed(id, u"RF"));
    QVERIFY(!IdGenerator::isWellFormed(id, u"PO"));
    QVERIFY(!IdGenerator::isWellFormed(id.chopped(1), u"RF"));
    QVERIFY(!IdGenerator::isWellFormed(id + u'0', u"RF"));
    QVERIFY(!IdGenerator::isWellFormed(id.toLower(), u"RF"));
    QString letterInTime = id;
    letterInTime[5] = u'A';
    QVERIFY(!IdGenerator::isWellFormed(letterInTime, u"RF"));
    QString lowerInInstance = id;
    lowerInInstance[id.size() - 3] = u'a';
    QVERIFY(!IdGenerator::isWellFormed(lowerInInstance, u"RF"));
    QVERIFY(!IdGenerator::isWellFormed(QString(), u"RF"));
}

void tst_IdGenerator::timeFieldExhaustionThrows()
{
    ManualClock clock;
    clock.now = QDateTime(QDate(9999, 12, 31), QTime(23, 59, 59, 999), Qt::UTC).toMSecsSinceEpoch();
    IdGenerator generator(IdGenerator::Options{u"PO"_s, 1, clock.function(), 0});
    QString last;
    for (int i = 0; i < 36 * 36; ++i)
        last = generator.next();
    QCOMPARE(last,
             u"PO"
             u"99991231235959999"
             u"0001"
             u"0000000"
             u"ZZ"_s);
    QVERIFY_THROWS_EXCEPTION(std::overflow_error, generator.next());
}

QTEST_GUILESS_MAIN(tst_IdGenerator)
#include "tst_idgenerator.moc"
