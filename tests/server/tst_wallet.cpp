// Wallets end to end with real processes (paydesk-server, paydesk-sandbox playing Alipay, WeChat Pay
// and a bank payout provider): recharge, transfers, bank cards, withdrawals with admin review and
// payout, risk rules, four-eyes, and the consistency check. Runs on SQLite and PostgreSQL.
#include "PaymentStack.h"

#include "server/store/Sql.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlRecord>
#include <QTest>

#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

// Valid (Luhn) card numbers used by the tests.
const QString kCardAlice = u"6222021234567890128"_s;
const QString kCardBob = u"6217001234567890122"_s;

QString luhnComplete(const QString &prefix)
{
    // Appends the check digit that makes prefix a valid card number.
    for (int digit = 0; digit <= 9; ++digit) {
        const QString candidate = prefix + QString::number(digit);
        int sum = 0;
        bool twice = false;
        for (qsizetype i = candidate.size() - 1; i >= 0; --i) {
            int value = candidate.at(i).digitValue();
            if (twice && (value *= 2) > 9)
                value -= 9;
            sum += value;
            twice = !twice;
        }
        if (sum % 10 == 0)
            return candidate;
    }
    return {};
}

} // namespace

class tst_Wallet : public QObject
{
    Q_OBJECT

private:
    PaymentStack m_stack;
    QString m_admin2Token;
    QString m_operatorToken;

    using User = PaymentStack::AppUser;

    User newUser() { return m_stack.newAppUser(); }
    std::optional<RawResponse> app(const User &user, const QByteArray &method, const QByteArray &target,
                                   const QJsonObject &body = {}, const QByteArray &headers = {})
    {
        return m_stack.app(user, method, target, body, headers);
    }
    std::optional<RawResponse> admin(const QString &token, const QByteArray &method, const QByteArray &target,
                                     const QJsonObject &body = {})
    {
        ApiClient api = m_stack.client();
        return api.bearer(token, method, target, body.isEmpty() ? QByteArray() : compactJson(body));
    }
    QByteArray actionHeaders(const User &user, const QString &purpose, const QByteArray &idempotencyKey = {})
    {
        return m_stack.actionHeaders(user, purpose, idempotencyKey);
    }
    qint64 available(const User &user) { return m_stack.available(user); }
    qint64 frozen(const User &user) { return m_stack.frozen(user); }
    bool recharge(const User &user, qint64 amount, const QString &channel = u"alipay"_s)
    {
        return m_stack.recharge(user, amount, channel);
    }

    QString bindCard(const User &user, const QString &cardNo, const QString &holder = u"Zhang San"_s)
    {
        const auto bound = app(user, "POST", "/v1/app/bank-cards",
                               {{u"card_no"_s, cardNo}, {u"holder_name"_s, holder}, {u"bank"_s, u"ICBC"_s}});
        if (!bound || bound->status != 201)
            qWarning() << "bind:" << (bound ? bound->body : "");
        return ApiClient::json(bound).value(u"id"_s).toString();
    }

    std::optional<RawResponse> withdraw(const User &user, const QString &cardId, qint64 amount)
    {
        return app(user, "POST", "/v1/app/withdrawals", {{u"amount"_s, amount}, {u"bank_card_id"_s, cardId}},
                   actionHeaders(user, u"withdrawal"_s));
    }

    QJsonObject withdrawal(const QString &id)
    {
        return ApiClient::json(admin(m_stack.adminToken(), "GET", "/v1/admin/withdrawals/" + id.toUtf8()));
    }

    bool waitForWithdrawal(const QString &id, const QString &status)
    {
        const bool reached = waitFor([&] { return withdrawal(id).value(u"status"_s).toString() == status; });
        if (!reached)
            qWarning().noquote() << "withdrawal" << id << "is" << compactJson(withdrawal(id));
        return reached;
    }

    QJsonObject walletCheck() { return m_stack.walletCheck(); }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_stack.setUp(&error), qPrintable(error));
        m_admin2Token = m_stack.staffToken(u"admin2"_s, u"platform_admin"_s);
        QVERIFY(!m_admin2Token.isEmpty());
        m_operatorToken = m_stack.staffToken(u"op1"_s, u"operator"_s, u"demo"_s);
        QVERIFY(!m_operatorToken.isEmpty());
    }

    void cleanupTestCase()
    {
        if (QTest::currentTestFailed())
            return;
        const QJsonObject check = walletCheck();
        QVERIFY2(check.value(u"ok"_s).toBool(), compactJson(check).constData());
        QByteArray output;
        QVERIFY2(m_stack.tearDown(&output), output.constData());
    }

    void cleanup() { m_stack.setFaults({}); }

    void rechargeCreditsTheWalletOnce_data()
    {
        QTest::addColumn<QString>("channel");
        QTest::newRow("alipay") << u"alipay"_s;
        QTest::newRow("wechat") << u"wechat"_s;
    }

    void rechargeCreditsTheWalletOnce()
    {
        QFETCH(QString, channel);
        const User user = newUser();
        QVERIFY(!user.token.isEmpty());
        QCOMPARE(available(user), 0);
        // Ten copies of the channel's notification: one credit.
        QVERIFY(m_stack.setFaults({{u"channel"_s, channel}, {u"duplicate_notifications"_s, 9}}));
        QVERIFY(recharge(user, 50'000, channel));
        const QJsonArray recharges
            = ApiClient::json(app(user, "GET", "/v1/app/recharges")).value(u"items"_s).toArray();
        QCOMPARE(recharges.size(), 1);
        const QJsonObject order = recharges.first().toObject();
        QCOMPARE(order.value(u"kind"_s).toString(), u"RECHARGE"_s);
        QCOMPARE(order.value(u"status"_s).toString(), u"SUCCESS"_s);
        const QString orderNo = order.value(u"order_no"_s).toString();
        QVERIFY(waitFor([&] {
            return m_stack.sandbox().controlList("/control/notifications?out_trade_no=" + orderNo.toUtf8()).size()
                >= 10;
        }));
        QCOMPARE(available(user), 50'000);
        QCOMPARE(m_stack.journalEntries(orderNo), 1);
        const QJsonArray entries
            = ApiClient::json(app(user, "GET", "/v1/app/wallet/entries")).value(u"items"_s).toArray();
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first()[u"kind"_s].toString(), u"recharge.paid"_s);
        QCOMPARE(entries.first()[u"available_change"_s].toInteger(), 50'000);

        // Bad input is refused with nothing written.
        const auto fractional = app(user, "POST", "/v1/app/recharges",
                                    {{u"amount"_s, 10.5}, {u"channel"_s, channel}, {u"method"_s, u"qr"_s}});
        QCOMPARE(fractional->status, 400);
        QCOMPARE(ApiClient::errorCode(fractional), u"VALIDATION_FAILED"_s);
    }

    void transfersBothWays()
    {
        const User alice = newUser();
        const User bob = newUser();
        QVERIFY(recharge(alice, 10'000));

        const QJsonObject body{{u"to_user"_s, bob.id}, {u"amount"_s, 2'500}, {u"memo"_s, u"lunch"_s}};
        const QByteArray headers = actionHeaders(alice, u"transfer"_s, "transfer-once");
        const auto sent = app(alice, "POST", "/v1/app/transfers", body, headers);
        QCOMPARE(sent->status, 201);
        const QJsonObject transfer = ApiClient::json(sent);
        QCOMPARE(transfer.value(u"status"_s).toString(), u"SUCCESS"_s);
        QCOMPARE(transfer.value(u"amount"_s).toInteger(), 2'500);
        // The same request again (a retry) answers the same transfer and moves nothing.
        const auto retried = app(alice, "POST", "/v1/app/transfers", body, headers);
        QCOMPARE(retried->status, 201);
        QCOMPARE(ApiClient::json(retried).value(u"transfer_no"_s), transfer.value(u"transfer_no"_s));
        QCOMPARE(available(alice), 7'500);
        QCOMPARE(available(bob), 2'500);

        const auto back = app(bob, "POST", "/v1/app/transfers", {{u"to_user"_s, alice.id}, {u"amount"_s, 1'000}},
                              actionHeaders(bob, u"transfer"_s));
        QCOMPARE(back->status, 201);
        QCOMPARE(available(alice), 8'500);
        QCOMPARE(available(bob), 1'500);
        QCOMPARE(ApiClient::json(app(bob, "GET", "/v1/app/transfers")).value(u"items"_s).toArray().size(), 2);
        // alice's statement, newest first, a page at a time: the transfer in, the transfer out,
        // then the recharge.
        QStringList kinds;
        QString cursor;
        do {
            const QJsonObject page = ApiClient::json(
                app(alice, "GET", "/v1/app/wallet/entries?limit=1" + (cursor.isEmpty() ? QByteArray()
                                                                                         : "&before=" + cursor.toUtf8())));
            for (const QJsonValue &item : page.value(u"items"_s).toArray())
                kinds.append(item[u"kind"_s].toString() + u' ' + QString::number(item[u"available_change"_s].toInteger()));
            cursor = page.value(u"next_before"_s).toString();
        } while (!cursor.isEmpty() && kinds.size() < 10);
        QCOMPARE(kinds, (QStringList{u"transfer 1000"_s, u"transfer -2500"_s, u"recharge.paid 10000"_s}));

        // Refusals: no action token, more than the balance, to oneself, an unknown user.
        const auto noToken = app(alice, "POST", "/v1/app/transfers", {{u"to_user"_s, bob.id}, {u"amount"_s, 1}},
                                 "Idempotency-Key: no-token\r\n");
        QCOMPARE(noToken->status, 401);
        QCOMPARE(ApiClient::errorCode(noToken), u"ACTION_TOKEN_INVALID"_s);
        const auto tooMuch = app(bob, "POST", "/v1/app/transfers", {{u"to_user"_s, alice.id}, {u"amount"_s, 1'501}},
                                 actionHeaders(bob, u"transfer"_s));
        QCOMPARE(tooMuch->status, 422);
        QCOMPARE(ApiClient::errorCode(tooMuch), u"INSUFFICIENT_FUNDS"_s);
        const auto self = app(bob, "POST", "/v1/app/transfers", {{u"to_user"_s, bob.id}, {u"amount"_s, 1}},
                              actionHeaders(bob, u"transfer"_s));
        QCOMPARE(self->status, 400);
        const auto nobody = app(bob, "POST", "/v1/app/transfers", {{u"to_user"_s, u"U000"_s}, {u"amount"_s, 1}},
                                actionHeaders(bob, u"transfer"_s));
        QCOMPARE(nobody->status, 404);
        QCOMPARE(available(alice), 8'500);
        QCOMPARE(available(bob), 1'500);
    }

    void concurrentDebitsNeverOverdraw()
    {
        // 100 concurrent transfers of 100 fen against a balance of 1,000 fen: exactly 10 succeed.
        const User payer = newUser();
        const User payee = newUser();
        QVERIFY(recharge(payer, 1'000));
        QList<QByteArray> headers;
        for (int i = 0; i < 100; ++i)
            headers.append(actionHeaders(payer, u"transfer"_s));
        std::atomic<int> succeeded{0};
        std::atomic<int> refused{0};
        std::atomic<int> other{0};
        const quint16 port = m_stack.server().port();
        const QSslCertificate ca = m_stack.server().caCertificate();
        const QByteArray body = compactJson({{u"to_user"_s, payee.id}, {u"amount"_s, 100}});
        std::vector<std::thread> threads;
        for (int t = 0; t < 10; ++t) {
            threads.emplace_back([&, t] {
                ApiClient api(port, ca);
                for (int i = t; i < 100; i += 10) {
                    const auto response = api.bearer(payer.token, "POST", "/v1/app/transfers", body, headers.at(i));
                    if (response && response->status == 201)
                        ++succeeded;
                    else if (response && ApiClient::errorCode(response) == u"INSUFFICIENT_FUNDS"_s)
                        ++refused;
                    else
                        ++other;
                }
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(other.load(), 0);
        QCOMPARE(succeeded.load(), 10);
        QCOMPARE(refused.load(), 90);
        QCOMPARE(available(payer), 0);
        QCOMPARE(available(payee), 1'000);
    }

    void bankCardsAreValidatedVerifiedAndMasked()
    {
        const User user = newUser();
        const QString cardId = bindCard(user, kCardAlice);
        QVERIFY(!cardId.isEmpty());
        const QJsonArray cards = ApiClient::json(app(user, "GET", "/v1/app/bank-cards")).value(u"items"_s).toArray();
        QCOMPARE(cards.size(), 1);
        QCOMPARE(cards.first()[u"masked"_s].toString(), u"6222 **** **** 0128"_s);

        const auto again = app(user, "POST", "/v1/app/bank-cards",
                               {{u"card_no"_s, kCardAlice}, {u"holder_name"_s, u"Zhang San"_s}, {u"bank"_s, u"ICBC"_s}});
        QCOMPARE(again->status, 409);
        QString badCheckDigit = kCardBob;
        badCheckDigit.back() = QChar(u'0' + (badCheckDigit.back().digitValue() + 1) % 10);
        const auto luhn = app(user, "POST", "/v1/app/bank-cards",
                              {{u"card_no"_s, badCheckDigit}, {u"holder_name"_s, u"Li Si"_s}, {u"bank"_s, u"ICBC"_s}});
        QCOMPARE(luhn->status, 400);
        QCOMPARE(ApiClient::errorCode(luhn), u"VALIDATION_FAILED"_s);
        // The bank does not know the card with this holder (the sandbox's rule for "INVALID").
        const auto mismatch = app(user, "POST", "/v1/app/bank-cards",
                                  {{u"card_no"_s, kCardBob}, {u"holder_name"_s, u"INVALID"_s}, {u"bank"_s, u"ICBC"_s}});
        QCOMPARE(mismatch->status, 422);
        QCOMPARE(ApiClient::errorCode(mismatch), u"CARD_REJECTED"_s);

        // Unbind, and the card is gone from the list.
        QCOMPARE(app(user, "DELETE", "/v1/app/bank-cards/" + cardId.toUtf8())->status, 200);
        QCOMPARE(ApiClient::json(app(user, "GET", "/v1/app/bank-cards")).value(u"items"_s).toArray().size(), 0);
        QCOMPARE(app(user, "DELETE", "/v1/app/bank-cards/" + cardId.toUtf8())->status, 404);
    }

    void withdrawalApprovedIsPaidOut()
    {
        const User user = newUser();
        QVERIFY(recharge(user, 20'000));
        const QString cardId = bindCard(user, kCardBob, u"Li Si"_s);
        const auto applied = withdraw(user, cardId, 5'000);
        QCOMPARE(applied->status, 201);
        const QString id = ApiClient::json(applied).value(u"id"_s).toString();
        QCOMPARE(ApiClient::json(applied).value(u"status"_s).toString(), u"PENDING_REVIEW"_s);
        QCOMPARE(available(user), 15'000);
        QCOMPARE(frozen(user), 5'000);

        // An operator may not approve; a platform admin may.
        const auto byOperator = admin(m_operatorToken, "POST", "/v1/admin/withdrawals/" + id.toUtf8() + "/approve");
        QCOMPARE(byOperator->status, 403);
        const QJsonArray queue = ApiClient::json(admin(m_stack.adminToken(), "GET",
                                                       "/v1/admin/withdrawals?status=PENDING_REVIEW"))
                                     .value(u"items"_s)
                                     .toArray();
        bool listed = false;
        for (const QJsonValue &item : queue)
            listed = listed || item[u"id"_s].toString() == id;
        QVERIFY(listed);
        const auto approved = admin(m_stack.adminToken(), "POST", "/v1/admin/withdrawals/" + id.toUtf8() + "/approve",
                                    {{u"reason"_s, u"looks fine"_s}});
        QCOMPARE(approved->status, 200);
        const QString clearing = u"platform:bankpay-sbx:payout_clearing:CNY"_s;
        const qint64 clearingBefore = m_stack.balance(clearing);
        QVERIFY(waitForWithdrawal(id, u"SUCCESS"_s));
        QCOMPARE(available(user), 15'000);
        QCOMPARE(frozen(user), 0);
        // Exactly this withdrawal moved through the payout clearing account, paid out once.
        QCOMPARE(m_stack.balance(clearing) - clearingBefore, qint64(5'000));
        int code = 0;
        const QJsonObject payout = m_stack.sandbox().control("GET", "/control/payouts/" + id.toUtf8(), {}, &code);
        QCOMPARE(code, 200);
        QCOMPARE(payout.value(u"status"_s).toString(), u"SUCCESS"_s);
        QCOMPARE(payout.value(u"amount"_s).toInteger(), 5'000);
        QCOMPARE(payout.value(u"submissions"_s).toInt(), 1);
        // Approving again is refused: it is paid.
        QCOMPARE(admin(m_stack.adminToken(), "POST", "/v1/admin/withdrawals/" + id.toUtf8() + "/approve")->status, 409);
    }

    void rejectedWithdrawalIsUnfrozenAndInvalid()
    {
        const User user = newUser();
        QVERIFY(recharge(user, 3'000));
        const QString cardId = bindCard(user, kCardAlice);
        const auto applied = withdraw(user, cardId, 3'000);
        QCOMPARE(applied->status, 201);
        const QString id = ApiClient::json(applied).value(u"id"_s).toString();
        QCOMPARE(available(user), 0);
        const auto noReason = admin(m_stack.adminToken(), "POST", "/v1/admin/withdrawals/" + id.toUtf8() + "/reject");
        QCOMPARE(noReason->status, 400);
        const auto rejected = admin(m_stack.adminToken(), "POST", "/v1/admin/withdrawals/" + id.toUtf8() + "/reject",
                                    {{u"reason"_s, u"card holder differs from the account"_s}});
        QCOMPARE(rejected->status, 200);
        QCOMPARE(ApiClient::json(rejected).value(u"status"_s).toString(), u"INVALID"_s);
        QCOMPARE(available(user), 3'000);
        QCOMPARE(frozen(user), 0);
    }

    void failedPayoutIsUnfrozen()
    {
        const User user = newUser();
        QVERIFY(recharge(user, 4'000));
        const QString cardId = bindCard(user, kCardAlice);
        QVERIFY(m_stack.setFaults({{u"channel"_s, u"bankpay"_s}, {u"fail_next_payouts"_s, 1}}));
        const auto applied = withdraw(user, cardId, 4'000);
        const QString id = ApiClient::json(applied).value(u"id"_s).toString();
        QCOMPARE(admin(m_stack.adminToken(), "POST", "/v1/admin/withdrawals/" + id.toUtf8() + "/approve")->status, 200);
        QVERIFY(waitForWithdrawal(id, u"FAILED"_s));
        QVERIFY(!withdrawal(id).value(u"payout"_s).toObject().value(u"failure_code"_s).toString().isEmpty());
        QCOMPARE(available(user), 4'000);
        QCOMPARE(frozen(user), 0);
        bool alerted = false;
        for (const QJsonValue &alert : m_stack.alerts(u"PAYOUT_FAILED"_s))
            alerted = alerted || alert[u"ref_id"_s].toString() == id;
        QVERIFY(alerted);
    }

    void fourthWithdrawalOfTheDayIsRejected()
    {
        const User user = newUser();
        QVERIFY(recharge(user, 10'000));
        const QString cardId = bindCard(user, kCardAlice);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(withdraw(user, cardId, 1'000)->status, 201);
        const auto fourth = withdraw(user, cardId, 1'000);
        QCOMPARE(fourth->status, 422);
        QCOMPARE(ApiClient::errorCode(fourth), u"RISK_REJECTED"_s);
        const QJsonObject error = ApiClient::json(fourth).value(u"error"_s).toObject();
        QCOMPARE(error.value(u"details"_s).toObject().value(u"rule"_s).toString(), u"withdrawal_daily_count"_s);
        QVERIFY(error.value(u"message"_s).toString().contains(u"withdrawal_daily_count"_s));
        QCOMPARE(available(user), 7'000);
        QCOMPARE(frozen(user), 3'000);
        // The refusal is on record, with the rule and its inputs.
        const QString rejectedId = error.value(u"details"_s).toObject().value(u"withdrawal_id"_s).toString();
        const QJsonObject rejected = withdrawal(rejectedId);
        QCOMPARE(rejected.value(u"status"_s).toString(), u"REJECTED"_s);
        QCOMPARE(rejected.value(u"risk_decisions"_s).toArray().first()[u"rule"_s].toString(),
                 u"withdrawal_daily_count"_s);
    }

    void moreThanTenThousandADayIsRejected()
    {
        const User user = newUser();
        QVERIFY(recharge(user, 1'000'001));
        const QString cardId = bindCard(user, kCardAlice);
        const auto whole = withdraw(user, cardId, 1'000'001);
        QCOMPARE(whole->status, 422);
        QCOMPARE(ApiClient::json(whole)[u"error"_s][u"details"_s][u"rule"_s].toString(), u"withdrawal_daily_sum"_s);
        QCOMPARE(withdraw(user, cardId, 600'000)->status, 201);
        const auto rest = withdraw(user, cardId, 400'001);
        QCOMPARE(rest->status, 422);
        QCOMPARE(ApiClient::json(rest)[u"error"_s][u"details"_s][u"rule"_s].toString(), u"withdrawal_daily_sum"_s);
        QCOMPARE(withdraw(user, cardId, 400'000)->status, 201); // exactly 10,000.00 CNY is allowed
        QCOMPARE(available(user), 1);
    }

    void parallelWithdrawalsRespectTheDailyCount()
    {
        const User user = newUser();
        QVERIFY(recharge(user, 4'000));
        const QString cardId = bindCard(user, kCardAlice);
        QList<QByteArray> headers;
        for (int i = 0; i < 4; ++i)
            headers.append(actionHeaders(user, u"withdrawal"_s));
        const QByteArray body = compactJson({{u"amount"_s, 1'000}, {u"bank_card_id"_s, cardId}});
        std::atomic<int> created{0};
        std::atomic<int> rejected{0};
        const quint16 port = m_stack.server().port();
        const QSslCertificate ca = m_stack.server().caCertificate();
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back([&, i] {
                ApiClient api(port, ca);
                const auto response = api.bearer(user.token, "POST", "/v1/app/withdrawals", body, headers.at(i));
                if (response && response->status == 201)
                    ++created;
                else if (response && ApiClient::errorCode(response) == u"RISK_REJECTED"_s)
                    ++rejected;
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(created.load(), 3);
        QCOMPARE(rejected.load(), 1);
        QCOMPARE(frozen(user), 3'000);
    }

    void largeWithdrawalNeedsTwoAdmins()
    {
        const User user = newUser();
        QVERIFY(recharge(user, 600'000));
        const QString cardId = bindCard(user, kCardAlice);
        const auto applied = withdraw(user, cardId, 500'000); // the four-eyes threshold
        QCOMPARE(applied->status, 201);
        const QString id = ApiClient::json(applied).value(u"id"_s).toString();
        QCOMPARE(ApiClient::json(applied).value(u"approvals_needed"_s).toInt(), 2);
        const QByteArray approve = "/v1/admin/withdrawals/" + id.toUtf8() + "/approve";
        const auto first = admin(m_stack.adminToken(), "POST", approve);
        QCOMPARE(first->status, 200);
        QCOMPARE(ApiClient::json(first).value(u"status"_s).toString(), u"PENDING_REVIEW"_s);
        QVERIFY(!ApiClient::json(first).value(u"first_approver"_s).toString().isEmpty());
        const auto sameAdmin = admin(m_stack.adminToken(), "POST", approve);
        QCOMPARE(sameAdmin->status, 409);
        const auto second = admin(m_admin2Token, "POST", approve);
        QCOMPARE(second->status, 200);
        QVERIFY(waitForWithdrawal(id, u"SUCCESS"_s));
        QCOMPARE(available(user), 100'000);
        QCOMPARE(frozen(user), 0);
    }

    void riskRulesAreEditableAtOnce()
    {
        const QJsonArray original
            = ApiClient::json(admin(m_stack.adminToken(), "GET", "/v1/admin/risk-rules")).value(u"rules"_s).toArray();
        QVERIFY(original.size() >= 2);
        // An operator cannot change them; a bad rule changes nothing.
        QJsonArray rules = original;
        rules.append(QJsonObject{{u"id"_s, u"transfer_single_max"_s},
                                 {u"action"_s, u"transfer"_s},
                                 {u"kind"_s, u"single_max"_s},
                                 {u"params"_s, QJsonObject{{u"amount"_s, 100}}},
                                 {u"outcome"_s, u"reject"_s}});
        rules.append(QJsonObject{{u"id"_s, u"transfer_blacklist"_s},
                                 {u"action"_s, u"transfer"_s},
                                 {u"kind"_s, u"blacklist"_s},
                                 {u"params"_s, QJsonObject{{u"devices"_s, QJsonArray{u"stolen-phone"_s}}}}});
        rules.append(QJsonObject{{u"id"_s, u"card_blacklist"_s},
                                 {u"action"_s, u"withdrawal"_s},
                                 {u"kind"_s, u"blacklist"_s},
                                 {u"params"_s, QJsonObject{{u"card_numbers"_s, QJsonArray{kCardBob}}}}});
        QCOMPARE(admin(m_operatorToken, "PUT", "/v1/admin/risk-rules", {{u"rules"_s, rules}})->status, 403);
        QJsonArray bad = rules;
        bad.append(QJsonObject{{u"id"_s, u"broken"_s}, {u"action"_s, u"transfer"_s}, {u"kind"_s, u"velocity"_s}});
        QCOMPARE(admin(m_stack.adminToken(), "PUT", "/v1/admin/risk-rules", {{u"rules"_s, bad}})->status, 400);
        const auto replaced = admin(m_stack.adminToken(), "PUT", "/v1/admin/risk-rules", {{u"rules"_s, rules}});
        QCOMPARE(replaced->status, 200);
        // Blacklisted card numbers are kept as lookup hashes only.
        QVERIFY(!replaced->body.contains(kCardBob.toLatin1()));
        QVERIFY(replaced->body.contains("card_hashes"));

        const User payer = newUser();
        const User payee = newUser();
        QVERIFY(recharge(payer, 1'000));
        const auto big = app(payer, "POST", "/v1/app/transfers", {{u"to_user"_s, payee.id}, {u"amount"_s, 101}},
                             actionHeaders(payer, u"transfer"_s));
        QCOMPARE(big->status, 422);
        QCOMPARE(ApiClient::json(big)[u"error"_s][u"details"_s][u"rule"_s].toString(), u"transfer_single_max"_s);
        QCOMPARE(app(payer, "POST", "/v1/app/transfers", {{u"to_user"_s, payee.id}, {u"amount"_s, 100}},
                     actionHeaders(payer, u"transfer"_s))
                     ->status,
                 201);
        const auto stolen = app(payer, "POST", "/v1/app/transfers", {{u"to_user"_s, payee.id}, {u"amount"_s, 1}},
                                actionHeaders(payer, u"transfer"_s) + "X-Device-Id: stolen-phone\r\n");
        QCOMPARE(stolen->status, 422);
        QCOMPARE(ApiClient::json(stolen)[u"error"_s][u"details"_s][u"rule"_s].toString(), u"transfer_blacklist"_s);
        const QString cardId = bindCard(payer, kCardBob, u"Li Si"_s);
        const auto toBlacklisted = withdraw(payer, cardId, 100);
        QCOMPARE(toBlacklisted->status, 422);
        QCOMPARE(ApiClient::json(toBlacklisted)[u"error"_s][u"details"_s][u"rule"_s].toString(), u"card_blacklist"_s);
        QCOMPARE(admin(m_stack.adminToken(), "PUT", "/v1/admin/risk-rules", {{u"rules"_s, original}})->status, 200);
        QCOMPARE(app(payer, "POST", "/v1/app/transfers", {{u"to_user"_s, payee.id}, {u"amount"_s, 101}},
                     actionHeaders(payer, u"transfer"_s))
                     ->status,
                 201);
    }

    void merchantWithdrawsItsSettlement()
    {
        const QJsonObject created = m_stack.createOrder(u"wechat"_s, 9'000);
        m_stack.pay(created);
        QVERIFY(m_stack.waitForStatus(created.value(u"order_no"_s).toString(), u"SUCCESS"_s));
        const qint64 before = ApiClient::json(m_stack.merchant("GET", "/v1/merchant/wallet"))
                                  .value(u"available"_s)
                                  .toInteger();
        QVERIFY(before >= 9'000);
        const QJsonObject card{{u"card_no"_s, luhnComplete(u"621700999988887777"_s)},
                               {u"holder_name"_s, u"Demo Trading Co"_s},
                               {u"bank"_s, u"CCB"_s}};
        // An API key reads the wallet but cannot send money away; the merchant's admin can.
        QCOMPARE(m_stack.merchant("POST", "/v1/merchant/bank-cards", card)->status, 401);
        const QString merchantAdmin = m_stack.staffToken(u"boss"_s, u"merchant_admin"_s, u"demo"_s);
        QVERIFY(!merchantAdmin.isEmpty());
        const auto bound = admin(merchantAdmin, "POST", "/v1/merchant/bank-cards", card);
        QCOMPARE(bound->status, 201);
        const QString cardId = ApiClient::json(bound).value(u"id"_s).toString();
        ApiClient api = m_stack.client();
        const auto applied = api.bearer(merchantAdmin, "POST", "/v1/merchant/withdrawals",
                                        compactJson({{u"amount"_s, 9'000}, {u"bank_card_id"_s, cardId}}),
                                        "Idempotency-Key: merchant-w1\r\n");
        QCOMPARE(applied->status, 201);
        const QString id = ApiClient::json(applied).value(u"id"_s).toString();
        QCOMPARE(ApiClient::json(m_stack.merchant("GET", "/v1/merchant/wallet")).value(u"frozen"_s).toInteger(), 9'000);
        QCOMPARE(admin(m_stack.adminToken(), "POST", "/v1/admin/withdrawals/" + id.toUtf8() + "/approve")->status, 200);
        QVERIFY(waitForWithdrawal(id, u"SUCCESS"_s));
        const QJsonObject after = ApiClient::json(m_stack.merchant("GET", "/v1/merchant/wallet"));
        QCOMPARE(after.value(u"available"_s).toInteger(), before - 9'000);
        QCOMPARE(after.value(u"frozen"_s).toInteger(), 0);
    }

    void cardNumbersNeverAppearInClear()
    {
        // Every response above showed masked numbers only; now the server's log and the database.
        QByteArray logged;
        QDirIterator files(m_stack.dataDir(), QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            QFile file(files.next());
            if (file.size() < 64 * 1024 * 1024 && file.open(QIODevice::ReadOnly))
                logged += file.readAll();
        }
        QVERIFY(!logged.isEmpty());
        for (const QString &card : {kCardAlice, kCardBob})
            QVERIFY2(!logged.contains(card.toLatin1()), qPrintable(card));
        // Every text column of the tables that could hold one (PostgreSQL keeps its files elsewhere).
        for (const QString &table : {u"bank_cards"_s, u"withdrawals"_s, u"channel_logs"_s, u"audit_log"_s,
                                     u"risk_decisions"_s, u"outbox"_s, u"idempotency_keys"_s}) {
            QSqlQuery rows = sqlExec(m_stack.reader().threadConnection(), u"SELECT * FROM "_s + table);
            while (rows.next()) {
                for (int column = 0; column < rows.record().count(); ++column) {
                    const QString value = rows.value(column).toString();
                    QVERIFY2(!value.contains(kCardAlice) && !value.contains(kCardBob),
                             qPrintable(table + u": "_s + value.left(200)));
                }
            }
        }
    }

    void consistencyCheckNamesACorruptedRow()
    {
        const User user = newUser();
        QVERIFY(recharge(user, 2'000));
        const QString id = ApiClient::json(withdraw(user, bindCard(user, kCardAlice), 1'000)).value(u"id"_s).toString();
        QCOMPARE(admin(m_stack.adminToken(), "POST", "/v1/admin/withdrawals/" + id.toUtf8() + "/approve")->status, 200);
        QVERIFY(waitForWithdrawal(id, u"SUCCESS"_s));
        QJsonObject check = walletCheck();
        QVERIFY2(check.value(u"ok"_s).toBool(), compactJson(check).constData());
        QVERIFY(check.value(u"holders"_s).toInt() >= 1);
        // The paid withdrawal's amount changed behind the ledger's back.
        const QString holder = user.id;
        sqlExec(m_stack.reader().threadConnection(), u"UPDATE withdrawals SET amount = amount + 1 WHERE id = ?"_s, {id});
        check = walletCheck();
        QCOMPARE(check.value(u"ok"_s).toBool(), false);
        const QString problems = QString::fromUtf8(QJsonDocument(check.value(u"problems"_s).toArray()).toJson());
        QVERIFY2(problems.contains(u"user "_s + holder), qPrintable(problems));
        // The same check from the command line, for scripts and the reconciliation job.
        QByteArray output;
        QCOMPARE(m_stack.runServerCommand({u"wallet"_s, u"check"_s}, &output), 1);
        QVERIFY2(output.contains("wallets BROKEN") && output.contains(holder.toUtf8()), output.constData());
        sqlExec(m_stack.reader().threadConnection(), u"UPDATE withdrawals SET amount = amount - 1 WHERE id = ?"_s, {id});
        QVERIFY(walletCheck().value(u"ok"_s).toBool());
        QCOMPARE(m_stack.runServerCommand({u"wallet"_s, u"check"_s}, &output), 0);
        QVERIFY2(output.contains("wallets OK"), output.constData());
    }
};

QTEST_GUILESS_MAIN(tst_Wallet)
#include "tst_wallet.moc"
