// Red packets end to end with real processes: sending from the balance and by channel payment,
// grabs under contention, reads, the expiry refund (also with two server instances running the
// job) and the compensation of grabs whose transfer did not happen. Runs on SQLite and PostgreSQL.
#include "PaymentStack.h"

#include "server/store/Sql.h"

#include <QFile>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSet>
#include <QTest>

#include <atomic>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

class tst_RedPackets : public QObject
{
    Q_OBJECT

private:
    using User = PaymentStack::AppUser;
    PaymentStack m_stack;

    QJsonObject send(const User &sender, qint64 total, int count, const QString &payWith = u"balance"_s,
                     int expectedStatus = 201)
    {
        const auto sent = m_stack.app(sender, "POST", "/v1/app/red-packets",
                                      {{u"total"_s, total},
                                       {u"count"_s, count},
                                       {u"greeting"_s, u"Happy New Year"_s},
                                       {u"pay_with"_s, payWith}},
                                      m_stack.actionHeaders(sender, u"red_packet"_s));
        if (!sent || sent->status != expectedStatus)
            qWarning() << "send:" << (sent ? sent->status : 0) << (sent ? sent->body : "");
        return ApiClient::json(sent);
    }

    std::optional<RawResponse> grab(const User &user, const QString &packetId)
    {
        return m_stack.app(user, "POST", "/v1/app/red-packets/" + packetId.toUtf8() + "/grab");
    }

    QJsonObject packet(const User &user, const QString &packetId)
    {
        return ApiClient::json(m_stack.app(user, "GET", "/v1/app/red-packets/" + packetId.toUtf8()));
    }

    QList<User> users(int count)
    {
        QList<User> list;
        for (int i = 0; i < count; ++i)
            list.append(m_stack.newAppUser());
        return list;
    }

    void expireNow(const QString &packetId)
    {
        // The packet's lifetime is hours; the test moves its end into the past instead of waiting.
        sqlExec(m_stack.reader().threadConnection(), u"UPDATE red_packets SET expires_at = ? WHERE id = ?"_s,
                {QDateTime::currentMSecsSinceEpoch() - 1'000, packetId});
    }

    QString status(const User &user, const QString &packetId)
    {
        return packet(user, packetId).value(u"status"_s).toString();
    }

    // The server again with extra settings in paydesk.ini (the test hooks).
    void reconfigure(const QByteArray &extra)
    {
        QString error;
        QVERIFY2(m_stack.reconfigure(extra, &error), qPrintable(error));
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_stack.setUp(&error), qPrintable(error));
    }

    void cleanupTestCase()
    {
        if (QTest::currentTestFailed())
            return;
        const QJsonObject check = m_stack.walletCheck();
        QVERIFY2(check.value(u"ok"_s).toBool(), compactJson(check).constData());
        QByteArray output;
        QVERIFY2(m_stack.tearDown(&output), output.constData());
    }

    void sendFromBalanceAndGrabEveryShare()
    {
        const User sender = m_stack.newAppUser();
        QVERIFY(m_stack.recharge(sender, 10'000));
        const QJsonObject sent = send(sender, 1'000, 5);
        QCOMPARE(sent.value(u"status"_s).toString(), u"ACTIVE"_s);
        QCOMPARE(sent.value(u"remaining_count"_s).toInt(), 5);
        const QString id = sent.value(u"id"_s).toString();
        QCOMPARE(m_stack.available(sender), 9'000);
        QCOMPARE(m_stack.frozen(sender), 1'000);

        const QList<User> grabbers = users(6);
        qint64 sum = 0;
        for (int i = 0; i < 5; ++i) {
            const auto got = grab(grabbers.at(i), id);
            QCOMPARE(got->status, 200);
            const qint64 amount = ApiClient::json(got).value(u"amount"_s).toInteger();
            QVERIFY(amount >= 1);
            sum += amount;
            QCOMPARE(m_stack.available(grabbers.at(i)), amount);
            // The reader sees their own share at once.
            QCOMPARE(packet(grabbers.at(i), id).value(u"my_share"_s)[u"amount"_s].toInteger(), amount);
            if (i == 0) {
                const auto again = grab(grabbers.at(0), id);
                QCOMPARE(again->status, 409);
                QCOMPARE(ApiClient::errorCode(again), u"ALREADY_GRABBED"_s);
            }
        }
        QCOMPARE(sum, 1'000);
        const auto late = grab(grabbers.at(5), id);
        QCOMPARE(late->status, 409);
        QCOMPARE(ApiClient::errorCode(late), u"SOLD_OUT"_s);
        const QJsonObject finished = packet(sender, id);
        QCOMPARE(finished.value(u"status"_s).toString(), u"FINISHED"_s);
        QCOMPARE(finished.value(u"grabs"_s).toArray().size(), 5);
        QCOMPARE(finished.value(u"remaining_amount"_s).toInteger(), 0);
        QCOMPARE(m_stack.frozen(sender), 0);
        QCOMPARE(m_stack.available(sender), 9'000);

        const QJsonArray sentBox
            = ApiClient::json(m_stack.app(sender, "GET", "/v1/app/red-packets?box=sent")).value(u"items"_s).toArray();
        QCOMPARE(sentBox.size(), 1);
        const QJsonArray received = ApiClient::json(m_stack.app(grabbers.at(0), "GET", "/v1/app/red-packets?box=received"))
                                        .value(u"items"_s)
                                        .toArray();
        QCOMPARE(received.size(), 1);
        QCOMPARE(received.first()[u"id"_s].toString(), id);
    }

    void badPacketsAreRefused()
    {
        const User sender = m_stack.newAppUser();
        QVERIFY(m_stack.recharge(sender, 100'000));
        QCOMPARE(ApiClient::errorCode(m_stack.app(sender, "POST", "/v1/app/red-packets",
                                                  {{u"total"_s, 5}, {u"count"_s, 10}, {u"pay_with"_s, u"balance"_s}},
                                                  m_stack.actionHeaders(sender, u"red_packet"_s))),
                 u"VALIDATION_FAILED"_s);
        QCOMPARE(ApiClient::errorCode(m_stack.app(sender, "POST", "/v1/app/red-packets",
                                                  {{u"total"_s, 5'000}, {u"count"_s, 101}, {u"pay_with"_s, u"balance"_s}},
                                                  m_stack.actionHeaders(sender, u"red_packet"_s))),
                 u"VALIDATION_FAILED"_s);
        // Above the default rule's 200.00 CNY per packet.
        const auto tooBig = m_stack.app(sender, "POST", "/v1/app/red-packets",
                                        {{u"total"_s, 20'001}, {u"count"_s, 10}, {u"pay_with"_s, u"balance"_s}},
                                        m_stack.actionHeaders(sender, u"red_packet"_s));
        QCOMPARE(tooBig->status, 422);
        QCOMPARE(ApiClient::json(tooBig)[u"error"_s][u"details"_s][u"rule"_s].toString(), u"red_packet_single_max"_s);
        // More than the balance.
        const User poor = m_stack.newAppUser();
        const auto broke = m_stack.app(poor, "POST", "/v1/app/red-packets",
                                       {{u"total"_s, 100}, {u"count"_s, 1}, {u"pay_with"_s, u"balance"_s}},
                                       m_stack.actionHeaders(poor, u"red_packet"_s));
        QCOMPARE(ApiClient::errorCode(broke), u"INSUFFICIENT_FUNDS"_s);
        QCOMPARE(m_stack.available(sender), 100'000);
        QCOMPARE(m_stack.frozen(sender), 0);
    }

    void twoHundredGrabbersOnTenShares()
    {
        const User sender = m_stack.newAppUser();
        QVERIFY(m_stack.recharge(sender, 10'000));
        const QString id = send(sender, 8'888, 10).value(u"id"_s).toString();
        QVERIFY(!id.isEmpty());
        const QList<User> grabbers = users(200);
        std::atomic<int> won{0};
        std::atomic<int> soldOut{0};
        std::atomic<int> other{0};
        std::atomic<qint64> total{0};
        std::mutex winnersMutex;
        QSet<QString> winners;
        const quint16 port = m_stack.server().port();
        const QSslCertificate ca = m_stack.server().caCertificate();
        std::vector<std::thread> threads;
        for (int t = 0; t < 20; ++t) {
            threads.emplace_back([&, t] {
                ApiClient api(port, ca);
                for (int i = t; i < grabbers.size(); i += 20) {
                    const auto got = api.bearer(grabbers.at(i).token, "POST",
                                                "/v1/app/red-packets/" + id.toUtf8() + "/grab");
                    if (got && got->status == 200) {
                        ++won;
                        total += ApiClient::json(got).value(u"amount"_s).toInteger();
                        std::lock_guard lock(winnersMutex);
                        winners.insert(grabbers.at(i).id);
                    } else if (got && ApiClient::errorCode(got) == u"SOLD_OUT"_s) {
                        ++soldOut;
                    } else {
                        ++other;
                    }
                }
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(other.load(), 0);
        QCOMPARE(won.load(), 10);
        QCOMPARE(soldOut.load(), 190);
        QCOMPARE(total.load(), 8'888);
        qint64 credited = 0;
        for (const User &user : grabbers)
            credited += winners.contains(user.id) ? m_stack.available(user) : 0;
        QCOMPARE(credited, 8'888);
        QCOMPARE(m_stack.frozen(sender), 0);
        QCOMPARE(m_stack.available(sender), 10'000 - 8'888);
    }

    void oneUserGrabbingTwiceConcurrentlyGetsOneShare()
    {
        const User sender = m_stack.newAppUser();
        QVERIFY(m_stack.recharge(sender, 1'000));
        const QString id = send(sender, 1'000, 10).value(u"id"_s).toString();
        const User greedy = m_stack.newAppUser();
        std::atomic<int> won{0};
        std::atomic<int> already{0};
        const quint16 port = m_stack.server().port();
        const QSslCertificate ca = m_stack.server().caCertificate();
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                ApiClient api(port, ca);
                const auto got = api.bearer(greedy.token, "POST", "/v1/app/red-packets/" + id.toUtf8() + "/grab");
                if (got && got->status == 200)
                    ++won;
                else if (got && ApiClient::errorCode(got) == u"ALREADY_GRABBED"_s)
                    ++already;
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(won.load(), 1);
        QCOMPARE(already.load(), 7);
        QCOMPARE(packet(greedy, id).value(u"grabbed_count"_s).toInt(), 1);
    }

    void grabWaitsForSharesAnotherInstanceHasOnlyLocked()
    {
        // PostgreSQL lets several instances grab at once: a share claimed in another instance's
        // batch that has not committed yet is locked, not gone. Here the test's own transaction
        // plays that batch: it locks the packet's last share, then rolls back.
        if (m_stack.reader().isSqlite())
            QSKIP("one writer on SQLite: no share is ever locked by another instance");
        const User sender = m_stack.newAppUser();
        QVERIFY(m_stack.recharge(sender, 600));
        const QString id = send(sender, 600, 1).value(u"id"_s).toString();
        QVERIFY(!id.isEmpty());
        QSqlDatabase locker = m_stack.reader().threadConnection();
        QSqlDatabase poller = QSqlDatabase::cloneDatabase(locker, u"grab-lock-poller"_s);
        QVERIFY(poller.open());
        const auto closePoller = qScopeGuard([&poller] {
            poller.close();
            poller = QSqlDatabase();
            QSqlDatabase::removeDatabase(u"grab-lock-poller"_s);
        });
        sqlExecRaw(locker, u"BEGIN"_s);
        QSqlQuery locked = sqlExec(locker, u"SELECT seq FROM red_packet_shares WHERE packet_id = ? FOR UPDATE"_s, {id});
        QVERIFY(locked.next());
        locked.finish();

        const User grabber = m_stack.newAppUser();
        std::optional<RawResponse> answer;
        const quint16 port = m_stack.server().port();
        const QSslCertificate ca = m_stack.server().caCertificate();
        std::thread grabbing([&] {
            ApiClient api(port, ca);
            answer = api.bearer(grabber.token, "POST", "/v1/app/red-packets/" + id.toUtf8() + "/grab");
        });
        // The grab waits on the lock (instead of answering SOLD_OUT at once)...
        const bool waited = waitFor(
            [&] {
                QSqlQuery waiting = sqlExec(poller, u"SELECT COUNT(*) FROM pg_locks WHERE NOT granted"_s);
                return waiting.next() && waiting.value(0).toInt() > 0;
            },
            10'000);
        // ...and once the other batch rolls back, it gets the share.
        sqlExecRaw(locker, u"ROLLBACK"_s);
        grabbing.join();
        QVERIFY2(waited, "the grab did not wait for the locked share");
        QVERIFY(answer);
        QCOMPARE(answer->status, 200);
        QCOMPARE(ApiClient::json(answer).value(u"amount"_s).toInteger(), 600);
        QCOMPARE(m_stack.available(grabber), 600);
    }

    void channelFundedPacketActivatesOnlyWhenPaid()
    {
        const User sender = m_stack.newAppUser();
        const QJsonObject sent = send(sender, 2'000, 4, u"wechat"_s);
        const QString id = sent.value(u"id"_s).toString();
        QCOMPARE(sent.value(u"status"_s).toString(), u"PENDING_PAYMENT"_s);
        const QJsonObject order = sent.value(u"order"_s).toObject();
        QCOMPARE(order.value(u"kind"_s).toString(), u"RED_PACKET"_s);
        QVERIFY(!order.value(u"app_params"_s).toObject().isEmpty());
        const User early = m_stack.newAppUser();
        QCOMPARE(ApiClient::errorCode(grab(early, id)), u"NOT_ACTIVE"_s);

        // The buyer pays the app order in the sandbox (by its prepay id, like the SDK would).
        int httpStatus = 0;
        m_stack.sandbox().control("POST", "/control/pay", {{u"out_trade_no"_s, order.value(u"order_no"_s)}},
                                  &httpStatus);
        QCOMPARE(httpStatus, 200);
        QVERIFY(waitFor([&] { return status(sender, id) == u"ACTIVE"_s; }));
        QCOMPARE(m_stack.frozen(sender), 2'000);
        QCOMPARE(m_stack.available(sender), 0);
        QCOMPARE(grab(early, id)->status, 200);
    }

    void expiredPacketIsRefundedExactlyOnceWithTwoServers()
    {
        const User sender = m_stack.newAppUser();
        QVERIFY(m_stack.recharge(sender, 5'000));
        const QString id = send(sender, 3'000, 3).value(u"id"_s).toString();
        const User grabber = m_stack.newAppUser();
        const qint64 share = ApiClient::json(grab(grabber, id)).value(u"amount"_s).toInteger();
        QVERIFY(share > 0);

        // A second server on the same database runs the same jobs.
        ServerProcess second(m_stack.dataDir(), m_stack.server().database(), {u"--time-scale"_s, u"1000"_s});
        QString error;
        QVERIFY2(second.start(&error), qPrintable(error));
        expireNow(id);
        QVERIFY(waitFor([&] { return status(sender, id) == u"EXPIRED_REFUNDED"_s; }));
        // Count only once both servers have run the expiry scan since the packet expired.
        QSet<QString> scanners;
        QVERIFY(waitFor([&] {
            QSqlQuery last = sqlExec(m_stack.reader().threadConnection(),
                                     u"SELECT last_owner FROM outbox WHERE kind = 'red_packet.expiry_scan'"_s);
            if (last.next() && !last.value(0).isNull())
                scanners.insert(last.value(0).toString().section(u':', 0, 1));
            return scanners.size() >= 2;
        }));
        QCOMPARE(m_stack.available(sender), 5'000 - share);
        QCOMPARE(m_stack.frozen(sender), 0);
        QCOMPARE(packet(sender, id).value(u"refunded_amount"_s).toInteger(), 3'000 - share);
        QCOMPARE(ApiClient::errorCode(grab(m_stack.newAppUser(), id)), u"EXPIRED"_s);
        // One refund entry, however often and wherever the job ran.
        QSqlQuery entries = sqlExec(m_stack.reader().threadConnection(),
                                    u"SELECT COUNT(*) FROM journal_entries WHERE kind = 'red_packet.expired' AND"
                                    " ref_id = ?"_s,
                                    {id});
        QVERIFY(entries.next());
        QCOMPARE(entries.value(0).toInt(), 1);
        QCOMPARE(second.terminate(), 0);
    }

    void grabLeftWithoutTransferIsCompletedOnce()
    {
        // The fault hook commits the claim without the transfer, as a crash between them would.
        reconfigure("[testing]\nroutes=true\nfault_skip_grab_transfer=true\n");
        const User sender = m_stack.newAppUser();
        QVERIFY(m_stack.recharge(sender, 1'000));
        const QString id = send(sender, 1'000, 2).value(u"id"_s).toString();
        const User grabber = m_stack.newAppUser();
        const auto got = grab(grabber, id);
        QCOMPARE(got->status, 200);
        const qint64 amount = ApiClient::json(got).value(u"amount"_s).toInteger();
        QVERIFY(amount > 0);
        // The fault took effect: the share is the grabber's, yet no money has moved (the hook also
        // holds the compensation job back while it is on).
        QSqlQuery claimed = sqlExec(m_stack.reader().threadConnection(),
                                    u"SELECT COUNT(*) FROM red_packet_shares WHERE packet_id = ? AND grabber_id = ?"
                                    " AND transfer_no IS NULL"_s,
                                    {id, grabber.id});
        QVERIFY(claimed.next());
        QCOMPARE(claimed.value(0).toInt(), 1);
        claimed.finish(); // no read snapshot kept open on this connection
        QCOMPARE(m_stack.available(grabber), 0);
        QCOMPARE(m_stack.frozen(sender), 1'000);
        reconfigure({});
        // The compensation job (every 30 minutes, 1.8 s at this time scale) moves the money once.
        QVERIFY(waitFor([&] { return m_stack.available(grabber) == amount; }));
        QCOMPARE(m_stack.frozen(sender), 1'000 - amount);
        QSqlQuery transfers = sqlExec(m_stack.reader().threadConnection(),
                                      u"SELECT COUNT(*) FROM transfers WHERE ref_type = 'red_packet_share' AND"
                                      " ref_id LIKE ?"_s,
                                      {id + u":%"_s});
        QVERIFY(transfers.next());
        QCOMPARE(transfers.value(0).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_RedPackets)
#include "tst_redpackets.moc"
