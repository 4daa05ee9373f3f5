// The payment loop end to end, with real processes: paydesk-server and paydesk-sandbox (playing
// Alipay and WeChat Pay over their wire protocols), and a merchant back end in this test that
// receives and verifies Paydesk's signed notifications. Runs on SQLite and PostgreSQL.
#include "MerchantReceiver.h"
#include "PaymentStack.h"

#include "common/protocol/PaydeskSignature.h"
#include "server/store/Database.h"
#include "server/store/DatabaseConfig.h"
#include "server/store/Sql.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QProcess>
#include <QScopeGuard>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

class tst_Payments : public QObject
{
    Q_OBJECT

private:
    PaymentStack m_stack;
    std::unique_ptr<MerchantReceiver> m_receiver;

    ApiClient client() { return m_stack.client(); }
    QString merchantId() const { return m_stack.merchantId(); }
    std::optional<RawResponse> merchant(const QByteArray &method, const QByteArray &target,
                                        const QJsonObject &body = {})
    {
        return m_stack.merchant(method, target, body);
    }
    QJsonObject createOrder(const QString &channel, qint64 amount, const QString &method = u"qr"_s)
    {
        return m_stack.createOrder(channel, amount, method);
    }
    QJsonObject order(const QString &orderNo) { return m_stack.order(orderNo); }
    bool waitForStatus(const QString &orderNo, const QString &status, int timeoutMs = 30'000)
    {
        return m_stack.waitForStatus(orderNo, status, timeoutMs);
    }
    QJsonObject pay(const QJsonObject &createdOrder, QJsonObject extra = {}) { return m_stack.pay(createdOrder, extra); }
    void setFaults(const QJsonObject &faults) { QVERIFY(m_stack.setFaults(faults)); }
    qint64 merchantBalance() { return m_stack.balance(u"merchant:%1:settlement_available:CNY"_s.arg(merchantId())); }
    int journalEntries(const QString &refId) { return m_stack.journalEntries(refId); }

    bool hasAlertFor(const QString &kind, const QString &orderNo)
    {
        for (const QJsonValue &alert : m_stack.alerts(kind))
            if (alert.toObject().value(u"ref_id"_s).toString() == orderNo)
                return true;
        return false;
    }

    QJsonObject refund(const QString &refundNo)
    {
        return ApiClient::json(merchant("GET", "/v1/refunds/" + refundNo.toUtf8()));
    }
    /// A paid WeChat order of amount fen with a refund of refundAmount asked for and held
    /// PROCESSING at the channel (the hold_refunds fault); {order_no, refund_no}.
    std::pair<QString, QString> heldWechatRefund(qint64 amount, qint64 refundAmount)
    {
        if (!m_stack.setFaults({{u"channel"_s, u"wechat"_s}, {u"hold_refunds"_s, true}}))
            return {};
        const QJsonObject created = createOrder(u"wechat"_s, amount);
        const QString orderNo = created.value(u"order_no"_s).toString();
        pay(created);
        if (!waitForStatus(orderNo, u"SUCCESS"_s))
            return {};
        const auto asked = merchant("POST", "/v1/orders/" + orderNo.toUtf8() + "/refunds",
                                    {{u"out_refund_no"_s, u"RH-"_s + orderNo}, {u"amount"_s, refundAmount}});
        if (!asked || asked->status != 201)
            return {};
        return {orderNo, ApiClient::json(asked).value(u"refund_no"_s).toString()};
    }
    /// The sandbox ends the held refund as status (and states amount, when given) and notifies.
    bool settleAtChannel(const QString &refundNo, const QString &status, QJsonObject extra = {})
    {
        extra.insert(u"status"_s, status);
        int code = 0;
        m_stack.sandbox().control("POST", "/control/refunds/" + refundNo.toUtf8() + "/settle", extra, &code);
        return code == 202;
    }
    /// Every notification of the order's trade that the sandbox sent was answered.
    bool refundNotificationsAnswered(const QString &orderNo, int count)
    {
        return waitFor([&] {
            int answered = 0;
            const QJsonArray sent = m_stack.sandbox().controlList("/control/notifications?channel=wechat&out_trade_no="
                                                                  + orderNo.toUtf8());
            for (const QJsonValue &attempt : sent)
                if (attempt[u"kind"_s].toString() == u"refund"_s && attempt[u"http_status"_s].toInt() > 0)
                    ++answered;
            return answered >= count;
        });
    }
    bool hasRefundAlert(const QString &kind, const QString &refundNo)
    {
        for (const QJsonValue &alert : m_stack.alerts(kind))
            if (alert.toObject().value(u"ref_id"_s).toString() == refundNo)
                return true;
        return false;
    }

private slots:
    void initTestCase()
    {
        QString error;
        m_receiver = std::make_unique<MerchantReceiver>();
        const bool ready = m_stack.setUp(&error, [this](const QString &dataDir) {
            QFile receiverCa(dataDir + u"/receiver-ca.pem"_s);
            if (receiverCa.open(QIODevice::WriteOnly))
                receiverCa.write(m_receiver->ca().toPem());
            return QStringList{u"--notify-ca"_s, dataDir + u"/receiver-ca.pem"_s};
        });
        QVERIFY2(ready, qPrintable(error));
        m_receiver->setSecret(m_stack.keyId(), m_stack.secret());
        const auto settings
            = merchant("POST", "/v1/merchant/settings",
                       {{u"notify_url"_s, u"https://localhost:%1/merchant/notify"_s.arg(m_receiver->port())}});
        QVERIFY(settings && settings->status == 200);
    }

    void cleanupTestCase()
    {
        QByteArray output;
        QVERIFY2(m_stack.tearDown(&output), output.constData());
    }

    void cleanup()
    {
        // A failed test must not leave its faults to the next one.
        m_stack.setFaults({});
        m_receiver->failNext(0);
    }

    void qrOrderPaidOnEachChannel_data()
    {
        QTest::addColumn<QString>("channel");
        QTest::newRow("alipay") << u"alipay"_s;
        QTest::newRow("wechat") << u"wechat"_s;
    }

    void qrOrderPaidOnEachChannel()
    {
        QFETCH(QString, channel);
        const qint64 before = merchantBalance();
        const QJsonObject created = createOrder(channel, 1234);
        QCOMPARE(created.value(u"status"_s).toString(), u"PAYING"_s);
        QVERIFY(!created.value(u"qr_code"_s).toString().isEmpty());
        const QString orderNo = created.value(u"order_no"_s).toString();

        QCOMPARE(pay(created).value(u"status"_s).toString().isEmpty(), false);
        QVERIFY(waitForStatus(orderNo, u"SUCCESS"_s));
        const QJsonObject paid = order(orderNo);
        QCOMPARE(paid.value(u"paid_amount"_s).toInteger(), 1234);
        QVERIFY(!paid.value(u"channel_trade_no"_s).toString().isEmpty());
        QCOMPARE(merchantBalance(), before + 1234);
        QCOMPARE(journalEntries(orderNo), 1);

        const QString eventId = u"EV"_s + orderNo + u".paid"_s;
        QVERIFY(waitFor([&] { return !m_receiver->deliveries(eventId).isEmpty(); }));
        const MerchantReceiver::Delivery delivery = m_receiver->deliveries(eventId).constFirst();
        QVERIFY(delivery.signatureValid);
        QCOMPARE(delivery.body.value(u"type"_s).toString(), u"order.paid"_s);
        const QJsonObject data = delivery.body.value(u"data"_s).toObject();
        QCOMPARE(data.value(u"order_no"_s).toString(), orderNo);
        QCOMPARE(data.value(u"status"_s).toString(), u"SUCCESS"_s);
        QCOMPARE(data.value(u"amount"_s).toInteger(), 1234);

        // The same create again answers with the same order; another body with the number is refused.
        const auto again = merchant("POST", "/v1/orders",
                                    {{u"out_trade_no"_s, created.value(u"out_trade_no"_s)},
                                     {u"amount"_s, 1234},
                                     {u"subject"_s, created.value(u"subject"_s)},
                                     {u"channel"_s, channel},
                                     {u"method"_s, u"qr"_s}});
        QCOMPARE(again->status, 200);
        QCOMPARE(ApiClient::json(again).value(u"order_no"_s).toString(), orderNo);
        const auto other = merchant("POST", "/v1/orders",
                                    {{u"out_trade_no"_s, created.value(u"out_trade_no"_s)},
                                     {u"amount"_s, 999},
                                     {u"subject"_s, created.value(u"subject"_s)},
                                     {u"channel"_s, channel},
                                     {u"method"_s, u"qr"_s}});
        QCOMPARE(other->status, 409);

        // The order's timeline shows how it got there.
        const QJsonArray events = ApiClient::json(merchant("GET", "/v1/orders/" + orderNo.toUtf8() + "/events"))
                                      .value(u"items"_s)
                                      .toArray();
        QStringList statuses;
        for (const QJsonValue &event : events)
            statuses.append(event.toObject().value(u"status"_s).toString());
        QCOMPARE(statuses, (QStringList{u"CREATED"_s, u"PAYING"_s, u"SUCCESS"_s}));
    }

    void appOrderGetsAppParameters_data() { qrOrderPaidOnEachChannel_data(); }

    void appOrderGetsAppParameters()
    {
        QFETCH(QString, channel);
        const QJsonObject created = createOrder(channel, 500, u"app"_s);
        QCOMPARE(created.value(u"status"_s).toString(), u"PAYING"_s);
        const QJsonObject params = created.value(u"app_params"_s).toObject();
        if (channel == u"alipay"_s) {
            QVERIFY(params.value(u"order_string"_s).toString().contains(u"method=alipay.trade.app.pay"_s));
        } else {
            QVERIFY(!params.value(u"prepayid"_s).toString().isEmpty());
            QVERIFY(!params.value(u"sign"_s).toString().isEmpty());
        }
    }

    void badInputIsRefused()
    {
        const auto missing = merchant("POST", "/v1/orders", {{u"amount"_s, 100}});
        QCOMPARE(missing->status, 400);
        QCOMPARE(ApiClient::errorCode(missing), u"VALIDATION_FAILED"_s);
        const auto fractional = merchant("POST", "/v1/orders",
                                         {{u"out_trade_no"_s, u"frac-1"_s},
                                          {u"amount"_s, 10.5},
                                          {u"subject"_s, u"x"_s},
                                          {u"channel"_s, u"alipay"_s},
                                          {u"method"_s, u"qr"_s}});
        QCOMPARE(fractional->status, 400);
        const auto channel = merchant("POST", "/v1/orders",
                                      {{u"out_trade_no"_s, u"chan-1"_s},
                                       {u"amount"_s, 100},
                                       {u"subject"_s, u"x"_s},
                                       {u"channel"_s, u"paypal"_s},
                                       {u"method"_s, u"qr"_s}});
        QCOMPARE(channel->status, 400);
        QCOMPARE(merchant("GET", "/v1/orders/P0000")->status, 404);
    }

    void duplicateNotificationsCreditOnce_data() { qrOrderPaidOnEachChannel_data(); }

    void duplicateNotificationsCreditOnce()
    {
        QFETCH(QString, channel);
        setFaults({{u"channel"_s, channel}, {u"duplicate_notifications"_s, 9}});
        const qint64 before = merchantBalance();
        const QJsonObject created = createOrder(channel, 777);
        const QString orderNo = created.value(u"order_no"_s).toString();
        pay(created);
        QVERIFY(waitForStatus(orderNo, u"SUCCESS"_s));
        // All ten copies arrive and are acknowledged; the money moved once.
        QVERIFY(waitFor([&] {
            const QJsonArray attempts
                = m_stack.sandbox().controlList("/control/notifications?out_trade_no=" + orderNo.toUtf8());
            int acknowledged = 0;
            for (const QJsonValue &attempt : attempts)
                acknowledged += attempt.toObject().value(u"acknowledged"_s).toBool() ? 1 : 0;
            return acknowledged >= 10;
        }));
        QCOMPARE(merchantBalance(), before + 777);
        QCOMPARE(journalEntries(orderNo), 1);
        setFaults({});
    }

    void droppedNotificationResolvedByQuery_data() { qrOrderPaidOnEachChannel_data(); }

    void droppedNotificationResolvedByQuery()
    {
        QFETCH(QString, channel);
        setFaults({{u"channel"_s, channel}, {u"drop_notifications"_s, true}});
        const QJsonObject created = createOrder(channel, 321);
        const QString orderNo = created.value(u"order_no"_s).toString();
        pay(created);
        QVERIFY(waitForStatus(orderNo, u"SUCCESS"_s));
        QCOMPARE(journalEntries(orderNo), 1);
        setFaults({});
    }

    void forgedNotificationRejected_data() { qrOrderPaidOnEachChannel_data(); }

    void forgedNotificationRejected()
    {
        QFETCH(QString, channel);
        const qint64 before = merchantBalance();
        const QJsonObject created = createOrder(channel, 4321);
        const QString orderNo = created.value(u"order_no"_s).toString();
        // From now on the "channel" signs wrongly: its notifications and its answers are forgeries.
        setFaults({{u"channel"_s, channel}, {u"bad_signature"_s, true}});
        pay(created);
        // Several deliveries arrive and are refused; the order does not move.
        QVERIFY(waitFor([&] {
            return m_stack.sandbox().controlList("/control/notifications?out_trade_no=" + orderNo.toUtf8()).size() >= 3;
        }));
        const QJsonObject after = order(orderNo);
        QCOMPARE(after.value(u"status"_s).toString(), u"PAYING"_s);
        QCOMPARE(merchantBalance(), before);
        QCOMPARE(journalEntries(orderNo), 0);
        // Once the channel signs properly again, the payment lands (by retry or query), once.
        setFaults({});
        QVERIFY(waitForStatus(orderNo, u"SUCCESS"_s));
        QCOMPARE(merchantBalance(), before + 4321);
    }

    void tamperedAmountIsAbnormal_data() { qrOrderPaidOnEachChannel_data(); }

    void tamperedAmountIsAbnormal()
    {
        QFETCH(QString, channel);
        const qint64 before = merchantBalance();
        const QJsonObject created = createOrder(channel, 1000);
        const QString orderNo = created.value(u"order_no"_s).toString();
        pay(created, {{u"amount"_s, 1}});
        QVERIFY(waitForStatus(orderNo, u"ABNORMAL"_s));
        QCOMPARE(order(orderNo).value(u"status_reason"_s).toString(), u"AMOUNT_MISMATCH"_s);
        QCOMPARE(merchantBalance(), before);
        QVERIFY(waitFor([&] { return hasAlertFor(u"ORDER_ABNORMAL"_s, orderNo); }));
    }

    void paymentAfterCloseIsAbnormalAndRefundable_data() { qrOrderPaidOnEachChannel_data(); }

    void paymentAfterCloseIsAbnormalAndRefundable()
    {
        QFETCH(QString, channel);
        const qint64 before = merchantBalance();
        const QJsonObject created = createOrder(channel, 2500);
        const QString orderNo = created.value(u"order_no"_s).toString();
        const auto closed = merchant("POST", "/v1/orders/" + orderNo.toUtf8() + "/close");
        QCOMPARE(closed->status, 200);
        QCOMPARE(ApiClient::json(closed).value(u"status"_s).toString(), u"CLOSED"_s);
        pay(created, {{u"force"_s, true}});
        QVERIFY(waitForStatus(orderNo, u"ABNORMAL"_s));
        QCOMPARE(order(orderNo).value(u"status_reason"_s).toString(), u"PAID_AFTER_CLOSE"_s);
        QCOMPARE(order(orderNo).value(u"paid_amount"_s).toInteger(), 2500);
        QCOMPARE(merchantBalance(), before);
        QVERIFY(waitFor([&] { return hasAlertFor(u"ORDER_ABNORMAL"_s, orderNo); }));

        // The money is refundable to the buyer, from suspense (never the merchant's balance).
        const auto refund = merchant("POST", "/v1/orders/" + orderNo.toUtf8() + "/refunds",
                                     {{u"out_refund_no"_s, u"RC-"_s + orderNo}, {u"amount"_s, 2500}});
        QCOMPARE(refund->status, 201);
        const QString refundNo = ApiClient::json(refund).value(u"refund_no"_s).toString();
        QVERIFY(waitFor([&] {
            return ApiClient::json(merchant("GET", "/v1/refunds/" + refundNo.toUtf8())).value(u"status"_s).toString()
                == u"SUCCESS"_s;
        }));
        QCOMPARE(merchantBalance(), before);
    }

    void refundsUpToThePaidAmount_data() { qrOrderPaidOnEachChannel_data(); }

    void refundsUpToThePaidAmount()
    {
        QFETCH(QString, channel);
        const qint64 before = merchantBalance();
        const QJsonObject created = createOrder(channel, 1000);
        const QString orderNo = created.value(u"order_no"_s).toString();
        pay(created);
        QVERIFY(waitForStatus(orderNo, u"SUCCESS"_s));
        const QByteArray path = "/v1/orders/" + orderNo.toUtf8() + "/refunds";
        const auto refundSucceeded = [&](const QString &refundNo) {
            return waitFor([&] {
                return ApiClient::json(merchant("GET", "/v1/refunds/" + refundNo.toUtf8()))
                           .value(u"status"_s)
                           .toString()
                    == u"SUCCESS"_s;
            });
        };

        const QJsonObject first{{u"out_refund_no"_s, u"R1-"_s + orderNo}, {u"amount"_s, 300}, {u"reason"_s, u"size"_s}};
        const auto r1 = merchant("POST", path, first);
        QCOMPARE(r1->status, 201);
        const QString r1No = ApiClient::json(r1).value(u"refund_no"_s).toString();
        QVERIFY(refundSucceeded(r1No));
        QVERIFY(waitForStatus(orderNo, u"PARTIALLY_REFUNDED"_s));

        // The same out_refund_no again is the same refund, not a second one.
        const auto repeat = merchant("POST", path, first);
        QCOMPARE(repeat->status, 200);
        QCOMPARE(ApiClient::json(repeat).value(u"refund_no"_s).toString(), r1No);

        const auto r2 = merchant("POST", path, {{u"out_refund_no"_s, u"R2-"_s + orderNo}, {u"amount"_s, 700}});
        QCOMPARE(r2->status, 201);
        QVERIFY(refundSucceeded(ApiClient::json(r2).value(u"refund_no"_s).toString()));
        QVERIFY(waitForStatus(orderNo, u"REFUNDED"_s));
        QCOMPARE(order(orderNo).value(u"refunded_amount"_s).toInteger(), 1000);

        const auto r3 = merchant("POST", path, {{u"out_refund_no"_s, u"R3-"_s + orderNo}, {u"amount"_s, 1}});
        QCOMPARE(r3->status, 409);
        QCOMPARE(merchantBalance(), before);
    }

    void wechatAbnormalRefundStaysInFlightUntilItSucceeds()
    {
        const qint64 before = merchantBalance();
        const auto [orderNo, refundNo] = heldWechatRefund(1000, 400);
        QVERIFY(!refundNo.isEmpty());
        QCOMPARE(merchantBalance(), before + 1000 - 400);

        // The bank bounced the refund: ABNORMAL is not a failure, the money stays in flight.
        QVERIFY(settleAtChannel(refundNo, u"ABNORMAL"_s));
        QVERIFY(waitFor([&] { return hasRefundAlert(u"REFUND_ABNORMAL"_s, refundNo); }));
        QCOMPARE(refund(refundNo).value(u"status"_s).toString(), u"PROCESSING"_s);
        QCOMPARE(refund(refundNo).value(u"channel_status"_s).toString(), u"ABNORMAL"_s);
        QCOMPARE(merchantBalance(), before + 1000 - 400);

        // An admin retries it through the channel's abnormal-refund path; the channel then succeeds.
        ApiClient api = client();
        const auto retried
            = api.bearer(m_stack.adminToken(), "POST", "/v1/admin/refunds/" + refundNo.toUtf8() + "/abnormal-retry",
                         compactJson({{u"type"_s, u"MERCHANT_BANK_CARD"_s}}));
        QVERIFY(retried);
        QCOMPARE(retried->status, 200);
        QVERIFY(settleAtChannel(refundNo, u"SUCCESS"_s));
        QVERIFY(waitFor([&] { return refund(refundNo).value(u"status"_s).toString() == u"SUCCESS"_s; }));
        QVERIFY(waitForStatus(orderNo, u"PARTIALLY_REFUNDED"_s));
        QCOMPARE(order(orderNo).value(u"refunded_amount"_s).toInteger(), 400);
        QCOMPARE(merchantBalance(), before + 1000 - 400);
        QCOMPARE(journalEntries(refundNo), 2); // reserved, succeeded: never given back in between
    }

    void successReportedForAFailedRefundIsBookedAndAlerted()
    {
        const qint64 before = merchantBalance();
        const auto [orderNo, refundNo] = heldWechatRefund(1000, 300);
        QVERIFY(!refundNo.isEmpty());
        QVERIFY(settleAtChannel(refundNo, u"CLOSED"_s));
        QVERIFY(waitFor([&] { return refund(refundNo).value(u"status"_s).toString() == u"FAILED"_s; }));
        QCOMPARE(merchantBalance(), before + 1000); // a failed refund gives the money back

        // Later the channel says it did pay the buyer after all: never dropped silently.
        QVERIFY(settleAtChannel(refundNo, u"SUCCESS"_s));
        QVERIFY(waitFor([&] { return hasRefundAlert(u"REFUND_SUCCEEDED_AFTER_FAILURE"_s, refundNo); }));
        QCOMPARE(refund(refundNo).value(u"status"_s).toString(), u"SUCCESS"_s);
        QCOMPARE(merchantBalance(), before + 1000 - 300);
        QCOMPARE(order(orderNo).value(u"refunded_amount"_s).toInteger(), 300);
        QCOMPARE(order(orderNo).value(u"status"_s).toString(), u"PARTIALLY_REFUNDED"_s);
    }

    void refundResultWithAnotherAmountOrChannelDoesNotSettle()
    {
        const qint64 before = merchantBalance();
        const auto [orderNo, refundNo] = heldWechatRefund(1000, 300);
        QVERIFY(!refundNo.isEmpty());
        // Told on another channel account (same merchant keys): not this order's channel.
        const QString otherUrl = u"https://127.0.0.1:%1/notify/wechat/wechat-sbx-b"_s.arg(m_stack.server().port());
        QVERIFY(settleAtChannel(refundNo, u"SUCCESS"_s, {{u"notify_url"_s, otherUrl}, {u"amount"_s, 200}}));
        QVERIFY(waitFor([&] { return hasRefundAlert(u"REFUND_WRONG_CHANNEL"_s, refundNo); }));
        // The channel (answers and notifications alike) states 200 fen for a 300 fen refund.
        QVERIFY(waitFor([&] { return hasRefundAlert(u"REFUND_AMOUNT_MISMATCH"_s, refundNo); }));
        QCOMPARE(refund(refundNo).value(u"status"_s).toString(), u"PROCESSING"_s);
        QCOMPARE(order(orderNo).value(u"refunded_amount"_s).toInteger(), 0);
        QCOMPARE(journalEntries(refundNo), 1); // reserved only
        QCOMPARE(merchantBalance(), before + 1000 - 300);
        // Resolved by hand: the admin records that it failed; the money goes back to the merchant.
        ApiClient api = client();
        const auto resolved
            = api.bearer(m_stack.adminToken(), "POST", "/v1/admin/refunds/" + refundNo.toUtf8() + "/resolve",
                         compactJson({{u"outcome"_s, u"failed"_s}, {u"note"_s, u"channel states another amount"_s}}));
        QVERIFY(resolved);
        QCOMPARE(resolved->status, 200);
        QCOMPARE(refund(refundNo).value(u"status"_s).toString(), u"FAILED"_s);
        QCOMPARE(merchantBalance(), before + 1000);
    }

    void refundedTradeOfAnOpenOrderIsAbnormal()
    {
        // The payment notification is lost and, before Paydesk's query learns of the payment, the
        // merchant refunds the trade in the channel's portal: the order must not be credited.
        const qint64 before = merchantBalance();
        const QJsonObject created = createOrder(u"wechat"_s, 700);
        const QString orderNo = created.value(u"order_no"_s).toString();
        // The channel's API is down meanwhile (its control API stays up), so no query sees the
        // trade paid before it is refunded.
        setFaults({{u"channel"_s, u"wechat"_s}, {u"drop_notifications"_s, true}, {u"down"_s, true}});
        pay(created);
        int code = 0;
        m_stack.sandbox().control("POST", "/control/trades/" + orderNo.toUtf8() + "/refund", {{u"amount"_s, 700}},
                                  &code);
        QCOMPARE(code, 201);
        QCOMPARE(order(orderNo).value(u"status"_s).toString(), u"PAYING"_s);
        // The API comes back; notifications stay dropped (a merge: no moment without the fault).
        m_stack.sandbox().control("POST", "/control/faults", {{u"channel"_s, u"wechat"_s}, {u"down"_s, false}}, &code);
        QCOMPARE(code, 200);
        QVERIFY(waitFor([&] { return order(orderNo).value(u"status"_s).toString() != u"PAYING"_s; }));
        QCOMPARE(order(orderNo).value(u"status"_s).toString(), u"ABNORMAL"_s);
        QCOMPARE(merchantBalance(), before);
        QVERIFY(waitFor([&] { return hasAlertFor(u"ORDER_ABNORMAL"_s, orderNo); }));
    }

    void latePaymentNotificationOfARefundedTradeIsConfirmedFirst()
    {
        // The payment notification arrives long after the payment, when the merchant has already
        // refunded the trade in the channel's portal: it must be confirmed by a query, not
        // credited as it says. (Polls are off, so the notification alone decides.)
        QString error;
        QVERIFY2(m_stack.reconfigure("[testing]\nroutes=true\nfault_skip_polls=true\n", &error), qPrintable(error));
        const auto restore = qScopeGuard([this] {
            QString ignored;
            m_stack.reconfigure({}, &ignored);
        });
        const qint64 before = merchantBalance();
        const QJsonObject created = createOrder(u"wechat"_s, 900);
        const QString orderNo = created.value(u"order_no"_s).toString();
        setFaults({{u"channel"_s, u"wechat"_s}, {u"drop_notifications"_s, true}});
        pay(created);
        int code = 0;
        m_stack.sandbox().control("POST", "/control/trades/" + orderNo.toUtf8() + "/refund", {{u"amount"_s, 900}},
                                  &code);
        QCOMPARE(code, 201);
        // The notification's lateness is this test's input: more than 2 s after the payment.
        QTest::qWait(2'100);
        setFaults({});
        m_stack.sandbox().control("POST", "/control/notify",
                                  {{u"out_trade_no"_s, orderNo}, {u"channel"_s, u"wechat"_s}}, &code);
        QCOMPARE(code, 202);
        QVERIFY(waitFor([&] { return order(orderNo).value(u"status"_s).toString() != u"PAYING"_s; }));
        QCOMPARE(order(orderNo).value(u"status"_s).toString(), u"ABNORMAL"_s);
        QCOMPARE(order(orderNo).value(u"status_reason"_s).toString(), u"REFUNDED_AT_CHANNEL"_s);
        QCOMPARE(merchantBalance(), before);
    }

    void merchantEndpointFailingThenDelivered()
    {
        const QJsonObject created = createOrder(u"wechat"_s, 888);
        const QString orderNo = created.value(u"order_no"_s).toString();
        const QString eventId = u"EV"_s + orderNo + u".paid"_s;
        // Only this event's deliveries fail: others still pending from earlier tests may be
        // delivered at the same moment, on other connections.
        m_receiver->failNext(3, eventId);
        pay(created);
        QVERIFY(waitForStatus(orderNo, u"SUCCESS"_s));
        QVERIFY(waitFor([&] { return m_receiver->deliveries(eventId).size() >= 4; }));
        const QList<MerchantReceiver::Delivery> deliveries = m_receiver->deliveries(eventId);
        QCOMPARE(deliveries.size(), 4);
        for (const MerchantReceiver::Delivery &delivery : deliveries) {
            QVERIFY(delivery.signatureValid);
            QCOMPARE(delivery.body.value(u"event_id"_s).toString(), eventId);
        }
        ApiClient api = client();
        QVERIFY(waitFor([&] {
            const QJsonObject detail
                = ApiClient::json(api.bearer(m_stack.adminToken(), "GET", "/v1/admin/orders/" + orderNo.toUtf8()));
            const QJsonObject notification = detail.value(u"notifications"_s).toArray().first().toObject();
            return notification.value(u"status"_s).toString() == u"DELIVERED"_s
                && notification.value(u"attempts"_s).toInt() == 4;
        }));

        // A resend on demand delivers the same event again, and its attempt is logged beside the
        // first four (not dropped as a repeat of attempt 1).
        const auto resent = merchant("POST", "/v1/orders/" + orderNo.toUtf8() + "/notifications/resend");
        QCOMPARE(resent->status, 200);
        QVERIFY(waitFor([&] { return m_receiver->deliveries(eventId).size() == 5; }));
        const auto notification = [&] {
            const QJsonObject detail
                = ApiClient::json(api.bearer(m_stack.adminToken(), "GET", "/v1/admin/orders/" + orderNo.toUtf8()));
            return detail.value(u"notifications"_s).toArray().first().toObject();
        };
        QVERIFY(waitFor([&] { return notification().value(u"deliveries"_s).toArray().size() == 5; }));
        QCOMPARE(notification().value(u"attempts"_s).toInt(), 5);
        QCOMPARE(notification().value(u"status"_s).toString(), u"DELIVERED"_s);

        // A resend the merchant fails to acknowledge is logged as failed, yet the event that was
        // once acknowledged stays DELIVERED: its status only moves forward.
        m_receiver->failNext(1, eventId);
        const auto again = merchant("POST", "/v1/orders/" + orderNo.toUtf8() + "/notifications/resend");
        QCOMPARE(again->status, 200);
        QVERIFY(waitFor([&] { return notification().value(u"deliveries"_s).toArray().size() >= 6; }));
        const QJsonObject last = notification();
        QCOMPARE(last.value(u"status"_s).toString(), u"DELIVERED"_s);
        QVERIFY(last.value(u"attempts"_s).toInt() >= 6); // the failed resend may have been retried already
        const QJsonObject failed = last.value(u"deliveries"_s).toArray().at(5).toObject();
        QCOMPARE(failed.value(u"attempt"_s).toInt(), 6);
        QCOMPARE(failed.value(u"http_status"_s).toInt(), 503);
    }

    void killedServerLosesAndDoublesNothing()
    {
        const qint64 before = merchantBalance();
        QList<QJsonObject> orders;
        for (int i = 0; i < 10; ++i)
            orders.append(createOrder(i % 2 ? u"alipay"_s : u"wechat"_s, 100 + i));
        qint64 total = 0;
        for (const QJsonObject &created : orders) {
            QVERIFY(!created.isEmpty());
            total += created.value(u"amount"_s).toInteger();
            pay(created);
        }
        m_stack.server().kill(); // mid-stream: notifications, postings and merchant notifications in flight
        QString error;
        QVERIFY2(m_stack.startServer(&error), qPrintable(error));
        for (const QJsonObject &created : orders)
            QVERIFY(waitForStatus(created.value(u"order_no"_s).toString(), u"SUCCESS"_s, 60'000));
        QCOMPARE(merchantBalance(), before + total);
        for (const QJsonObject &created : orders) {
            const QString orderNo = created.value(u"order_no"_s).toString();
            QCOMPARE(journalEntries(orderNo), 1);
            QVERIFY(waitFor([&] { return !m_receiver->deliveries(u"EV"_s + orderNo + u".paid"_s).isEmpty(); }, 60'000));
        }
    }
};

QTEST_GUILESS_MAIN(tst_Payments)
#include "tst_payments.moc"
