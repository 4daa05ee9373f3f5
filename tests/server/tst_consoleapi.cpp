// The server API the staff console uses, with real processes (paydesk-server and paydesk-sandbox):
// staff collect money and act on orders with their sessions, search orders keyset-paged, and read
// the collection dashboard. Runs on SQLite and PostgreSQL.
#include "PaymentStack.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTest>
#include <QUrlQuery>

#include <algorithm>
#include <tuple>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

QStringList orderNos(const QJsonObject &page)
{
    QStringList numbers;
    for (const QJsonValue &item : page.value(u"items"_s).toArray())
        numbers.append(item.toObject().value(u"order_no"_s).toString());
    return numbers;
}

// The business day (China: UTC+8, the server's default) a time falls in.
QString businessDate(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).addSecs(480 * 60).date().toString(Qt::ISODate);
}

} // namespace

class tst_ConsoleApi : public QObject
{
    Q_OBJECT

private:
    PaymentStack m_stack;
    QString m_operator, m_merchantAdmin, m_auditor, m_otherOperator;
    QString m_otherMerchantId;

    // The search data set: orders of the demo merchant created between m_from and m_to, and one
    // app user's recharge (merchant "wallet") in the same window.
    struct Order
    {
        QString orderNo, outTradeNo, channel, status, channelTradeNo;
        qint64 amount = 0, createdAt = 0;
    };
    QList<Order> m_orders;
    QString m_rechargeNo;
    qint64 m_from = 0, m_to = 0;

    std::optional<RawResponse> staff(const QString &token, const QByteArray &method, const QByteArray &target,
                                     const QJsonObject &body = {})
    {
        ApiClient api = m_stack.client();
        return api.bearer(token, method, target, body.isEmpty() ? QByteArray() : compactJson(body));
    }

    QJsonObject orderBody(const QString &outTradeNo, const QString &channel, qint64 amount)
    {
        return {{u"out_trade_no"_s, outTradeNo},
                {u"amount"_s, amount},
                {u"subject"_s, u"Counter sale %1"_s.arg(outTradeNo)},
                {u"channel"_s, channel},
                {u"method"_s, u"qr"_s}};
    }

    // GET /v1/console/orders with the window of the data set unless the query sets its own.
    std::optional<RawResponse> search(const QString &token, const QString &query, bool window = true)
    {
        QUrlQuery items(query);
        if (window && !items.hasQueryItem(u"from"_s))
            items.addQueryItem(u"from"_s, QString::number(m_from));
        if (window && !items.hasQueryItem(u"to"_s))
            items.addQueryItem(u"to"_s, QString::number(m_to));
        return staff(token, "GET", "/v1/console/orders?" + items.toString(QUrl::FullyEncoded).toUtf8());
    }

    QStringList found(const QString &token, const QString &query)
    {
        const auto response = search(token, query.isEmpty() ? u"limit=200"_s : query + u"&limit=200"_s);
        if (!response || response->status != 200) {
            qWarning() << "search" << query << (response ? response->body : QByteArray());
            return {u"<error>"_s};
        }
        return orderNos(ApiClient::json(response));
    }

    // The data set's order numbers that satisfy keep, newest first (the default sort).
    template<typename Keep> QStringList expected(Keep keep) const
    {
        QList<Order> kept;
        for (const Order &order : m_orders)
            if (keep(order))
                kept.append(order);
        std::sort(kept.begin(), kept.end(), [](const Order &a, const Order &b) {
            return std::tie(a.createdAt, a.orderNo) > std::tie(b.createdAt, b.orderNo);
        });
        QStringList numbers;
        for (const Order &order : kept)
            numbers.append(order.orderNo);
        return numbers;
    }

    QJsonObject refund(const QString &refundNo, const QString &token)
    {
        return ApiClient::json(staff(token, "GET", "/v1/refunds/" + refundNo.toUtf8()));
    }

    QJsonArray audit(const QString &action, const QString &targetId)
    {
        return ApiClient::json(staff(m_stack.adminToken(), "GET",
                                     "/v1/audit-log?action=" + action.toUtf8() + "&target_id=" + targetId.toUtf8()))
            .value(u"items"_s)
            .toArray();
    }

    QString staffId(const QString &token)
    {
        return ApiClient::json(staff(token, "GET", "/v1/me")).value(u"id"_s).toString();
    }

    QString createMerchant(const QString &code)
    {
        QByteArray output;
        if (m_stack.runServerCommand({u"merchant"_s, u"create"_s, u"--code"_s, code, u"--name"_s, code + u" shop"_s},
                                     &output)
            != 0)
            return {};
        const qsizetype at = output.indexOf("merchant_id=");
        return at < 0 ? QString() : QString::fromUtf8(output.mid(at + 12)).section(u'\n', 0, 0).trimmed();
    }

    bool waitForStatus(const QString &token, const QString &orderNo, const QString &status)
    {
        return waitFor([&] {
            return ApiClient::json(staff(token, "GET", "/v1/orders/" + orderNo.toUtf8())).value(u"status"_s).toString()
                == status;
        });
    }

    QJsonObject dashboard(const QString &token, const QString &query = {})
    {
        const auto response
            = staff(token, "GET", "/v1/console/dashboard" + (query.isEmpty() ? QByteArray() : "?" + query.toUtf8()));
        if (!response || response->status != 200)
            qWarning() << "dashboard" << query << (response ? response->body : QByteArray());
        return ApiClient::json(response);
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_stack.setUp(&error), qPrintable(error));
        m_operator = m_stack.staffToken(u"till1"_s, u"operator"_s, u"demo"_s);
        m_merchantAdmin = m_stack.staffToken(u"owner1"_s, u"merchant_admin"_s, u"demo"_s);
        m_auditor = m_stack.staffToken(u"auditor1"_s, u"auditor"_s);
        m_otherMerchantId = createMerchant(u"other"_s);
        QVERIFY(!m_otherMerchantId.isEmpty());
        m_otherOperator = m_stack.staffToken(u"till9"_s, u"operator"_s, u"other"_s);
        QVERIFY(!m_operator.isEmpty() && !m_merchantAdmin.isEmpty() && !m_auditor.isEmpty()
                && !m_otherOperator.isEmpty());

        // Twelve orders with repeated amounts (the keyset's tie-break on order_no matters), both
        // channels, created by the operator's session and by the API key; four paid, one closed.
        static const qint64 amounts[] = {500, 120, 500, 980, 500, 33, 2100, 500, 75, 1500, 120, 640};
        m_from = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < int(std::size(amounts)); ++i) {
            const QString channel = i % 2 ? u"wechat"_s : u"alipay"_s;
            const QString outTradeNo = u"DS-%1-%2"_s.arg(m_from).arg(i);
            const auto created = i % 5 == 3
                ? m_stack.merchant("POST", "/v1/orders", orderBody(outTradeNo, channel, amounts[i]))
                : staff(m_operator, "POST", "/v1/orders", orderBody(outTradeNo, channel, amounts[i]));
            QVERIFY2(created && created->status == 201, created ? created->body.constData() : "no answer");
            const QJsonObject order = ApiClient::json(created);
            m_orders.append({order.value(u"order_no"_s).toString(),
                             outTradeNo,
                             channel,
                             u"PAYING"_s,
                             {},
                             amounts[i],
                             order.value(u"created_at"_s).toInteger()});
        }
        const PaymentStack::AppUser user = m_stack.newAppUser();
        QVERIFY(m_stack.recharge(user, 4321));
        m_to = QDateTime::currentMSecsSinceEpoch() + 1;
        const auto recharges = staff(m_stack.adminToken(), "GET",
                                     "/v1/console/orders?kind=RECHARGE&from=" + QByteArray::number(m_from)
                                         + "&to=" + QByteArray::number(m_to));
        QCOMPARE(recharges->status, 200);
        QCOMPARE(orderNos(ApiClient::json(recharges)).size(), 1);
        m_rechargeNo = orderNos(ApiClient::json(recharges)).constFirst();

        for (const int paid : {0, 1, 4, 6}) {
            Order &order = m_orders[paid];
            m_stack.pay(m_stack.order(order.orderNo));
            QVERIFY(m_stack.waitForStatus(order.orderNo, u"SUCCESS"_s));
            order.status = u"SUCCESS"_s;
            order.channelTradeNo = m_stack.order(order.orderNo).value(u"channel_trade_no"_s).toString();
            QVERIFY(!order.channelTradeNo.isEmpty());
        }
        const auto closed = staff(m_operator, "POST", "/v1/orders/" + m_orders[9].orderNo.toUtf8() + "/close");
        QCOMPARE(closed->status, 200);
        m_orders[9].status = u"CLOSED"_s;
    }

    void cleanupTestCase()
    {
        QByteArray output;
        QVERIFY2(m_stack.tearDown(&output), output.constData());
    }

    void operatorCollectsAndMerchantAdminRefunds()
    {
        const QJsonObject body = orderBody(u"TILL-%1"_s.arg(QDateTime::currentMSecsSinceEpoch()), u"alipay"_s, 1000);
        const auto created = staff(m_operator, "POST", "/v1/orders", body);
        QCOMPARE(created->status, 201);
        const QJsonObject order = ApiClient::json(created);
        const QString orderNo = order.value(u"order_no"_s).toString();
        QCOMPARE(order.value(u"merchant_id"_s).toString(), m_stack.merchantId());
        QCOMPARE(order.value(u"status"_s).toString(), u"PAYING"_s);
        QVERIFY(!order.value(u"qr_code"_s).toString().isEmpty());

        // Repeat-safe per out_trade_no, in the merchant's one namespace whoever repeats it.
        for (const auto &again :
             {staff(m_operator, "POST", "/v1/orders", body), staff(m_merchantAdmin, "POST", "/v1/orders", body),
              m_stack.merchant("POST", "/v1/orders", body)}) {
            QCOMPARE(again->status, 200);
            QCOMPARE(ApiClient::json(again).value(u"order_no"_s).toString(), orderNo);
        }

        m_stack.pay(order);
        QVERIFY(m_stack.waitForStatus(orderNo, u"SUCCESS"_s));

        const QByteArray refunds = "/v1/orders/" + orderNo.toUtf8() + "/refunds";
        const QJsonObject refundBody{
            {u"out_refund_no"_s, u"RF-"_s + orderNo}, {u"amount"_s, 300}, {u"reason"_s, u"returned"_s}};
        const auto byOperator = staff(m_operator, "POST", refunds, refundBody);
        QCOMPARE(byOperator->status, 403);
        QCOMPARE(ApiClient::errorCode(byOperator), u"FORBIDDEN"_s);
        const QJsonObject refused = ApiClient::json(byOperator).value(u"error"_s).toObject();
        QCOMPARE(refused.value(u"details"_s).toObject().value(u"allowed_roles"_s).toArray(),
                 QJsonArray{u"merchant_admin"_s});
        QCOMPARE(staff(m_stack.adminToken(), "POST", refunds, refundBody)->status, 403);
        QCOMPARE(staff(m_otherOperator, "POST", refunds, refundBody)->status, 403);

        const auto refunded = staff(m_merchantAdmin, "POST", refunds, refundBody);
        QCOMPARE(refunded->status, 201);
        const QString refundNo = ApiClient::json(refunded).value(u"refund_no"_s).toString();
        QVERIFY(
            waitFor([&] { return refund(refundNo, m_merchantAdmin).value(u"status"_s).toString() == u"SUCCESS"_s; }));
        QVERIFY(m_stack.waitForStatus(orderNo, u"PARTIALLY_REFUNDED"_s));
        const QJsonObject after = m_stack.order(orderNo);
        QCOMPARE(after.value(u"refunded_amount"_s).toInteger(), 300);
        QCOMPARE(after.value(u"refundable_amount"_s).toInteger(), 700);

        // The same out_refund_no is the same refund, audited once.
        const auto repeat = staff(m_merchantAdmin, "POST", refunds, refundBody);
        QCOMPARE(repeat->status, 200);
        QCOMPARE(ApiClient::json(repeat).value(u"refund_no"_s).toString(), refundNo);
        const QJsonArray entries = audit(u"refund.requested"_s, refundNo);
        QCOMPARE(entries.size(), 1);
        const QJsonObject entry = entries.first().toObject();
        QCOMPARE(entry.value(u"actor_type"_s).toString(), u"staff"_s);
        QCOMPARE(entry.value(u"actor_id"_s).toString(), staffId(m_merchantAdmin));
        QCOMPARE(entry.value(u"target_type"_s).toString(), u"refund"_s);
        const QJsonObject details = entry.value(u"details"_s).toObject();
        QCOMPARE(details.value(u"order_no"_s).toString(), orderNo);
        QCOMPARE(details.value(u"amount"_s).toInteger(), 300);
        QCOMPARE(details.value(u"out_refund_no"_s).toString(), u"RF-"_s + orderNo);
    }

    void operatorClosesAndIsAudited()
    {
        const auto created = staff(m_operator, "POST", "/v1/orders",
                                   orderBody(u"CL-%1"_s.arg(QDateTime::currentMSecsSinceEpoch()), u"wechat"_s, 250));
        QCOMPARE(created->status, 201);
        const QString orderNo = ApiClient::json(created).value(u"order_no"_s).toString();
        const QByteArray close = "/v1/orders/" + orderNo.toUtf8() + "/close";
        QCOMPARE(staff(m_otherOperator, "POST", close)->status, 404); // another merchant's order does not exist for it
        QCOMPARE(staff(m_auditor, "POST", close)->status, 403);

        const auto closed = staff(m_operator, "POST", close);
        QCOMPARE(closed->status, 200);
        QCOMPARE(ApiClient::json(closed).value(u"status"_s).toString(), u"CLOSED"_s);
        const auto again = staff(m_merchantAdmin, "POST", close);
        QCOMPARE(again->status, 200);
        QCOMPARE(ApiClient::json(again).value(u"status"_s).toString(), u"CLOSED"_s);

        const QJsonArray entries = audit(u"order.closed"_s, orderNo);
        QCOMPARE(entries.size(), 1); // the repeat changed nothing and recorded nothing
        QCOMPARE(entries.first().toObject().value(u"actor_id"_s).toString(), staffId(m_operator));
        QCOMPARE(entries.first().toObject().value(u"details"_s).toObject().value(u"status_before"_s).toString(),
                 u"PAYING"_s);
    }

    void platformStaffCannotCreateOrders()
    {
        const QJsonObject body = orderBody(u"PA-%1"_s.arg(QDateTime::currentMSecsSinceEpoch()), u"alipay"_s, 100);
        for (const QString &token : {m_stack.adminToken(), m_auditor}) {
            const auto refused = staff(token, "POST", "/v1/orders", body);
            QCOMPARE(refused->status, 403);
            QCOMPARE(ApiClient::errorCode(refused), u"FORBIDDEN"_s);
            const QJsonObject error = ApiClient::json(refused).value(u"error"_s).toObject();
            QVERIFY2(error.value(u"message"_s).toString().contains(u"operator, merchant_admin"_s),
                     qPrintable(error.value(u"message"_s).toString()));
            QCOMPARE(error.value(u"details"_s).toObject().value(u"allowed_roles"_s).toArray(),
                     (QJsonArray{u"operator"_s, u"merchant_admin"_s}));
        }
        QCOMPARE(found(m_operator, u"out_trade_no="_s + body.value(u"out_trade_no"_s).toString()), QStringList());
    }

    void searchFindsByEachFilter()
    {
        const Order &paid = m_orders.at(4);
        const QStringList all = expected([](const Order &) { return true; });
        QCOMPARE(all.size(), 12);
        QCOMPARE(found(m_operator, {}), all);
        QCOMPARE(found(m_operator, u"order_no="_s + paid.orderNo), QStringList{paid.orderNo});
        QCOMPARE(found(m_operator, u"out_trade_no="_s + paid.outTradeNo), QStringList{paid.orderNo});
        QCOMPARE(found(m_operator, u"channel_trade_no="_s + paid.channelTradeNo), QStringList{paid.orderNo});
        QCOMPARE(found(m_operator, u"status=SUCCESS"_s),
                 expected([](const Order &o) { return o.status == u"SUCCESS"_s; }));
        QCOMPARE(found(m_operator, u"status=CLOSED,SUCCESS"_s),
                 expected([](const Order &o) { return o.status == u"SUCCESS"_s || o.status == u"CLOSED"_s; }));
        QCOMPARE(found(m_operator, u"status=REFUNDED"_s), QStringList());
        QCOMPARE(found(m_operator, u"channel=wechat"_s),
                 expected([](const Order &o) { return o.channel == u"wechat"_s; }));
        QCOMPARE(found(m_operator, u"kind=PAYMENT"_s), all);
        QCOMPARE(found(m_operator, u"kind=RECHARGE"_s), QStringList());
        QCOMPARE(found(m_operator, u"amount_min=120&amount_max=500"_s),
                 expected([](const Order &o) { return o.amount >= 120 && o.amount <= 500; }));
        QCOMPARE(found(m_operator, u"amount_min=981"_s), expected([](const Order &o) { return o.amount >= 981; }));
        const qint64 from = m_orders.at(3).createdAt, to = m_orders.at(7).createdAt;
        QCOMPARE(found(m_operator, u"from=%1&to=%2"_s.arg(from).arg(to)),
                 expected([&](const Order &o) { return o.createdAt >= from && o.createdAt < to; }));
        QCOMPARE(found(m_operator, u"channel=alipay&status=PAYING&amount_max=600"_s), expected([](const Order &o) {
                     return o.channel == u"alipay"_s && o.status == u"PAYING"_s && o.amount <= 600;
                 }));

        // Any staff role reads; platform staff see every merchant unless merchant_id narrows it.
        QCOMPARE(found(m_merchantAdmin, u"status=SUCCESS"_s), found(m_operator, u"status=SUCCESS"_s));
        QCOMPARE(found(m_auditor, u"merchant_id="_s + m_stack.merchantId()), all);
        QCOMPARE(found(m_stack.adminToken(), u"kind=RECHARGE"_s), QStringList{m_rechargeNo});
        const QStringList everything = found(m_stack.adminToken(), {});
        QCOMPARE(everything.size(), 13);
        QVERIFY(everything.contains(m_rechargeNo));
        QCOMPARE(found(m_stack.adminToken(), u"merchant_id="_s + m_otherMerchantId), QStringList());

        // A summary carries the money and the state, integers in fen.
        const auto one = search(m_operator, u"order_no="_s + paid.orderNo);
        const QJsonObject item = ApiClient::json(one).value(u"items"_s).toArray().first().toObject();
        QCOMPARE(item.value(u"merchant_id"_s).toString(), m_stack.merchantId());
        QCOMPARE(item.value(u"out_trade_no"_s).toString(), paid.outTradeNo);
        QCOMPARE(item.value(u"kind"_s).toString(), u"PAYMENT"_s);
        QCOMPARE(item.value(u"amount"_s).toInteger(), paid.amount);
        QCOMPARE(item.value(u"paid_amount"_s).toInteger(), paid.amount);
        QCOMPARE(item.value(u"refunded_amount"_s).toInteger(), 0);
        QCOMPARE(item.value(u"refundable_amount"_s).toInteger(), paid.amount);
        QCOMPARE(item.value(u"currency"_s).toString(), u"CNY"_s);
        QCOMPARE(item.value(u"channel"_s).toString(), paid.channel);
        QCOMPARE(item.value(u"channel_id"_s).toString(), u"alipay-sbx"_s);
        QCOMPARE(item.value(u"method"_s).toString(), u"qr"_s);
        QCOMPARE(item.value(u"status"_s).toString(), u"SUCCESS"_s);
        QCOMPARE(item.value(u"channel_trade_no"_s).toString(), paid.channelTradeNo);
        QCOMPARE(item.value(u"created_at"_s).toInteger(), paid.createdAt);
        QVERIFY(item.value(u"paid_at"_s).toInteger() > 0);
        QVERIFY(item.value(u"expires_at"_s).toInteger() > paid.createdAt);
        QVERIFY(item.value(u"subject"_s).toString().contains(paid.outTradeNo));
        QVERIFY(ApiClient::json(one).value(u"next_cursor"_s).isNull());
        const QJsonObject unpaid = ApiClient::json(search(m_operator, u"order_no="_s + m_orders.at(2).orderNo))
                                       .value(u"items"_s)
                                       .toArray()
                                       .first()
                                       .toObject();
        QVERIFY(unpaid.value(u"paid_at"_s).isNull());
        QVERIFY(unpaid.value(u"channel_trade_no"_s).isNull());
    }

    void otherMerchantSeesNone()
    {
        QCOMPARE(found(m_otherOperator, {}), QStringList());
        QCOMPARE(found(m_otherOperator, u"order_no="_s + m_orders.first().orderNo), QStringList());
        const auto asked = search(m_otherOperator, u"merchant_id="_s + m_stack.merchantId());
        QCOMPARE(asked->status, 403);
        QCOMPARE(ApiClient::errorCode(asked), u"FORBIDDEN"_s);
        const auto dashboard
            = staff(m_otherOperator, "GET", "/v1/console/dashboard?merchant_id=" + m_stack.merchantId().toUtf8());
        QCOMPARE(dashboard->status, 403);
    }

    void keysetPagingReturnsEachOrderOnce_data()
    {
        QTest::addColumn<QString>("sort");
        QTest::addColumn<QString>("order");
        for (const QString &sort : {u"created_at"_s, u"amount"_s})
            for (const QString &order : {u"desc"_s, u"asc"_s})
                QTest::addRow("%s %s", qPrintable(sort), qPrintable(order)) << sort << order;
    }

    void keysetPagingReturnsEachOrderOnce()
    {
        QFETCH(QString, sort);
        QFETCH(QString, order);
        QList<Order> sorted = m_orders;
        const bool byAmount = sort == u"amount"_s;
        std::sort(sorted.begin(), sorted.end(), [&](const Order &a, const Order &b) {
            const auto key
                = [&](const Order &o) { return std::make_pair(byAmount ? o.amount : o.createdAt, o.orderNo); };
            return order == u"asc"_s ? key(a) < key(b) : key(b) < key(a);
        });
        QStringList wanted;
        for (const Order &each : sorted)
            wanted.append(each.orderNo);

        QStringList seen;
        QString cursor;
        int pages = 0;
        do {
            QString query = u"sort=%1&order=%2&limit=5"_s.arg(sort, order);
            if (!cursor.isEmpty())
                query += u"&cursor="_s + cursor;
            const auto page = search(m_operator, query);
            QCOMPARE(page->status, 200);
            const QJsonObject body = ApiClient::json(page);
            QVERIFY(orderNos(body).size() <= 5);
            seen += orderNos(body);
            cursor = body.value(u"next_cursor"_s).toString();
            QVERIFY(++pages <= 5);
        } while (!cursor.isEmpty());
        QCOMPARE(pages, 3); // 5 + 5 + 2
        QCOMPARE(seen, wanted);

        // A cursor belongs to its sort and direction.
        const QString first = ApiClient::json(search(m_operator, u"sort=%1&order=%2&limit=5"_s.arg(sort, order)))
                                  .value(u"next_cursor"_s)
                                  .toString();
        const auto mixed = search(
            m_operator,
            u"sort=%1&order=%2&limit=5&cursor=%3"_s.arg(byAmount ? u"created_at"_s : u"amount"_s, order, first));
        QCOMPARE(mixed->status, 400);
        QCOMPARE(ApiClient::json(mixed)
                     .value(u"error"_s)
                     .toObject()
                     .value(u"details"_s)
                     .toObject()
                     .value(u"field"_s)
                     .toString(),
                 u"cursor"_s);
    }

    void badParametersAreRefused_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("field");
        QTest::newRow("limit 0") << u"limit=0"_s << u"limit"_s;
        QTest::newRow("limit 201") << u"limit=201"_s << u"limit"_s;
        QTest::newRow("limit text") << u"limit=ten"_s << u"limit"_s;
        QTest::newRow("limit twice") << u"limit=5&limit=6"_s << u"limit"_s;
        QTest::newRow("status") << u"status=PAID"_s << u"status"_s;
        QTest::newRow("status empty item") << u"status=SUCCESS,"_s << u"status"_s;
        QTest::newRow("channel") << u"channel=paypal"_s << u"channel"_s;
        QTest::newRow("kind") << u"kind=TIP"_s << u"kind"_s;
        QTest::newRow("amount negative") << u"amount_min=-1"_s << u"amount_min"_s;
        QTest::newRow("amount fraction") << u"amount_max=10.5"_s << u"amount_max"_s;
        QTest::newRow("amount range") << u"amount_min=500&amount_max=499"_s << u"amount_max"_s;
        QTest::newRow("from text") << u"from=yesterday"_s << u"from"_s;
        QTest::newRow("to before from") << u"from=2000&to=2000"_s << u"to"_s;
        QTest::newRow("sort") << u"sort=subject"_s << u"sort"_s;
        QTest::newRow("order") << u"order=up"_s << u"order"_s;
        QTest::newRow("cursor garbage") << u"cursor=not*base64"_s << u"cursor"_s;
        QTest::newRow("cursor decoded garbage") << u"cursor=aGVsbG8"_s << u"cursor"_s;
        QTest::newRow("order_no too long") << u"order_no="_s + QString(65, u'1') << u"order_no"_s;
        QTest::newRow("out_trade_no chars") << u"out_trade_no=a%20b"_s << u"out_trade_no"_s;
        QTest::newRow("unknown") << u"colour=red"_s << u"colour"_s;
        QTest::newRow("merchant_id chars") << u"merchant_id=a%27b"_s << u"merchant_id"_s;
    }

    void badParametersAreRefused()
    {
        QFETCH(QString, query);
        QFETCH(QString, field);
        const auto refused = staff(m_stack.adminToken(), "GET", "/v1/console/orders?" + query.toUtf8());
        QCOMPARE(refused->status, 400);
        QCOMPARE(ApiClient::errorCode(refused), u"VALIDATION_FAILED"_s);
        QCOMPARE(ApiClient::json(refused)
                     .value(u"error"_s)
                     .toObject()
                     .value(u"details"_s)
                     .toObject()
                     .value(u"field"_s)
                     .toString(),
                 field);
    }

    void dashboardCountsWhatWasCollected()
    {
        // A merchant of its own, so every figure is known to the fen.
        const QString code = u"dash"_s;
        const QString merchantId = createMerchant(code);
        QVERIFY(!merchantId.isEmpty());
        const QString till = m_stack.staffToken(u"dashtill"_s, u"operator"_s, code);
        const QString owner = m_stack.staffToken(u"dashowner"_s, u"merchant_admin"_s, code);
        QVERIFY(!till.isEmpty() && !owner.isEmpty());
        const QString today = businessDate(QDateTime::currentMSecsSinceEpoch());

        const QJsonObject empty = dashboard(till);
        QCOMPARE(empty.value(u"today"_s).toObject().value(u"created_count"_s).toInteger(), 0);

        const auto create = [&](const QString &channel, qint64 amount) {
            const auto created
                = staff(till, "POST", "/v1/orders", orderBody(u"DB-%1-%2"_s.arg(channel).arg(amount), channel, amount));
            return created && created->status == 201 ? ApiClient::json(created) : QJsonObject();
        };
        const QJsonObject alipay = create(u"alipay"_s, 1000);
        const QJsonObject wechat = create(u"wechat"_s, 2500);
        const QJsonObject unpaid = create(u"alipay"_s, 700);
        QVERIFY(!alipay.isEmpty() && !wechat.isEmpty() && !unpaid.isEmpty());
        for (const QJsonObject &order : {alipay, wechat}) {
            m_stack.pay(order);
            QVERIFY(waitForStatus(till, order.value(u"order_no"_s).toString(), u"SUCCESS"_s));
        }
        const auto refunded
            = staff(owner, "POST", "/v1/orders/" + wechat.value(u"order_no"_s).toString().toUtf8() + "/refunds",
                    {{u"out_refund_no"_s, u"DBR-1"_s}, {u"amount"_s, 400}});
        QCOMPARE(refunded->status, 201);
        const QString refundNo = ApiClient::json(refunded).value(u"refund_no"_s).toString();
        QVERIFY(waitFor([&] { return refund(refundNo, owner).value(u"status"_s).toString() == u"SUCCESS"_s; }));
        if (businessDate(QDateTime::currentMSecsSinceEpoch()) != today)
            QSKIP("the business day changed during the test");

        for (const QJsonObject &figures : {dashboard(till), dashboard(owner, u"days=14"_s),
                                           dashboard(m_stack.adminToken(), u"merchant_id="_s + merchantId),
                                           dashboard(m_auditor, u"merchant_id="_s + merchantId)}) {
            QCOMPARE(figures.value(u"currency"_s).toString(), u"CNY"_s);
            const QJsonObject todays = figures.value(u"today"_s).toObject();
            QCOMPARE(todays.value(u"date"_s).toString(), today);
            QCOMPARE(todays.value(u"collected"_s).toInteger(), 3500);
            QCOMPARE(todays.value(u"paid_count"_s).toInteger(), 2);
            QCOMPARE(todays.value(u"created_count"_s).toInteger(), 3);
            QCOMPARE(todays.value(u"refunded"_s).toInteger(), 400);
            const QJsonArray channels = figures.value(u"channels"_s).toArray();
            QCOMPARE(channels.size(), 2);
            QCOMPARE(channels.at(0).toObject(),
                     (QJsonObject{{u"channel"_s, u"alipay"_s}, {u"collected"_s, 1000}, {u"paid_count"_s, 1}}));
            QCOMPARE(channels.at(1).toObject(),
                     (QJsonObject{{u"channel"_s, u"wechat"_s}, {u"collected"_s, 2500}, {u"paid_count"_s, 1}}));
            const QJsonArray days = figures.value(u"days"_s).toArray();
            QCOMPARE(days.size(), 14);
            const QDate last = QDate::fromString(today, Qt::ISODate);
            for (int i = 0; i < days.size(); ++i) {
                const QJsonObject day = days.at(i).toObject();
                QCOMPARE(day.value(u"date"_s).toString(), last.addDays(i - 13).toString(Qt::ISODate));
                const bool isToday = i == 13;
                QCOMPARE(day.value(u"collected"_s).toInteger(), isToday ? 3500 : 0);
                QCOMPARE(day.value(u"paid_count"_s).toInteger(), isToday ? 2 : 0);
                QCOMPARE(day.value(u"created_count"_s).toInteger(), isToday ? 3 : 0);
            }
        }

        // The bounds of days, and platform staff without merchant_id see at least this merchant.
        QCOMPARE(dashboard(till, u"days=1"_s).value(u"days"_s).toArray().size(), 1);
        QCOMPARE(dashboard(till, u"days=90"_s).value(u"days"_s).toArray().size(), 90);
        const QJsonObject platform = dashboard(m_stack.adminToken()).value(u"today"_s).toObject();
        QVERIFY(platform.value(u"collected"_s).toInteger() >= 3500 + 1000 + 500 + 120 + 500 + 2100);
        QVERIFY(platform.value(u"refunded"_s).toInteger() >= 400 + 300);
        for (const QString &bad :
             {u"days=0"_s, u"days=91"_s, u"days=two"_s, u"days="_s, u"days=1&days=2"_s, u"week=1"_s}) {
            const auto refused = staff(till, "GET", "/v1/console/dashboard?" + bad.toUtf8());
            QCOMPARE(refused->status, 400);
            QCOMPARE(ApiClient::errorCode(refused), u"VALIDATION_FAILED"_s);
        }
    }
};

QTEST_GUILESS_MAIN(tst_ConsoleApi)
#include "tst_consoleapi.moc"
