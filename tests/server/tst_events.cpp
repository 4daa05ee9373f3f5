// The authenticated WebSocket event stream (GET /v1/events) with a real QWebSocket client:
// red packets announced to their recipients and their end to the sender, action tokens pushed
// instead of returned, a merchant's "order paid" for the console, replay after a reconnect, and
// refusals. Runs on SQLite and PostgreSQL.
#include "PaymentStack.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTest>
#include <QWebSocket>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

// One event stream as a client app or the console holds it.
class Stream
{
public:
    Stream(quint16 port, const QSslCertificate &ca, const QString &token, qint64 after = -1)
    {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates({ca});
        m_socket.setSslConfiguration(tls);
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, [this](const QString &text) {
            m_events.append(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        QUrl url(u"wss://localhost:%1/v1/events"_s.arg(port));
        if (after >= 0)
            url.setQuery(u"after=%1"_s.arg(after));
        QNetworkRequest request(url);
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        m_socket.open(request);
    }

    bool waitConnected(int timeoutMs = 10'000)
    {
        const QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired() && m_socket.state() != QAbstractSocket::ConnectedState)
            QTest::qWait(20);
        return m_socket.state() == QAbstractSocket::ConnectedState;
    }
    bool waitRefused(int timeoutMs = 10'000)
    {
        const QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired() && m_socket.state() != QAbstractSocket::UnconnectedState)
            QTest::qWait(20);
        return m_socket.state() == QAbstractSocket::UnconnectedState && m_events.isEmpty();
    }
    /// The first event of the type (waiting for it with a deadline).
    QJsonObject waitFor(const QString &type, int timeoutMs = 10'000)
    {
        const QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            for (const QJsonObject &event : std::as_const(m_events))
                if (event.value(u"type"_s).toString() == type)
                    return event;
            if (deadline.hasExpired())
                return {};
            QTest::qWait(20);
        }
    }
    const QList<QJsonObject> &events() const { return m_events; }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_events;
};

} // namespace

class tst_Events : public QObject
{
    Q_OBJECT

private:
    PaymentStack m_stack;

    std::unique_ptr<Stream> stream(const QString &token, qint64 after = -1)
    {
        return std::make_unique<Stream>(m_stack.server().port(), m_stack.server().caCertificate(), token, after);
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_stack.setUp(&error), qPrintable(error));
    }

    void cleanupTestCase()
    {
        QByteArray output;
        QVERIFY2(m_stack.tearDown(&output), output.constData());
    }

    void refusedWithoutAValidSession()
    {
        auto anonymous = stream({});
        QVERIFY(anonymous->waitRefused());
        auto forged = stream(u"not-a-session"_s);
        QVERIFY(forged->waitRefused());
        // A plain GET is told what the endpoint is.
        const PaymentStack::AppUser user = m_stack.newAppUser();
        const auto plain = m_stack.app(user, "GET", "/v1/events");
        QCOMPARE(plain->status, 400);
    }

    void redPacketIsAnnouncedAndItsEndToldToTheSender()
    {
        const PaymentStack::AppUser sender = m_stack.newAppUser();
        const PaymentStack::AppUser friend1 = m_stack.newAppUser();
        const PaymentStack::AppUser friend2 = m_stack.newAppUser();
        QVERIFY(m_stack.recharge(sender, 1'000));
        auto senderStream = stream(sender.token);
        auto friendStream = stream(friend1.token);
        QVERIFY(senderStream->waitConnected());
        QVERIFY(friendStream->waitConnected());

        const auto sent = m_stack.app(sender, "POST", "/v1/app/red-packets",
                                      {{u"total"_s, 500},
                                       {u"count"_s, 2},
                                       {u"pay_with"_s, u"balance"_s},
                                       {u"recipients"_s, QJsonArray{friend1.id, friend2.id}}},
                                      m_stack.actionHeaders(sender, u"red_packet"_s));
        QCOMPARE(sent->status, 201);
        const QString id = ApiClient::json(sent).value(u"id"_s).toString();
        const QJsonObject received = friendStream->waitFor(u"red_packet.received"_s);
        QCOMPARE(received[u"data"_s][u"packet_id"_s].toString(), id);
        QCOMPARE(received[u"data"_s][u"sender_id"_s].toString(), sender.id);
        QVERIFY(received.value(u"seq"_s).toInteger() > 0);
        QCOMPARE(m_stack.app(friend1, "POST", "/v1/app/red-packets/" + id.toUtf8() + "/grab")->status, 200);
        QCOMPARE(m_stack.app(friend2, "POST", "/v1/app/red-packets/" + id.toUtf8() + "/grab")->status, 200);
        const QJsonObject finished = senderStream->waitFor(u"red_packet.finished"_s);
        QCOMPARE(finished[u"data"_s][u"packet_id"_s].toString(), id);
        // The sender is not a recipient: a stream delivers in order, so an announcement to the
        // sender would have come before the packet's end.
        for (const QJsonObject &event : senderStream->events())
            QVERIFY2(event.value(u"type"_s).toString() != u"red_packet.received"_s,
                     "the sender was told of its own packet");

        // friend2 was offline: reconnecting with the last seq it saw replays what it missed.
        auto late = stream(friend2.token, 0);
        QVERIFY(late->waitConnected());
        QCOMPARE(late->waitFor(u"red_packet.received"_s)[u"data"_s][u"packet_id"_s].toString(), id);
    }

    void actionTokensArePushedNotReturned()
    {
        const PaymentStack::AppUser payer = m_stack.newAppUser();
        const PaymentStack::AppUser payee = m_stack.newAppUser();
        QVERIFY(m_stack.recharge(payer, 300));
        auto payerStream = stream(payer.token);
        QVERIFY(payerStream->waitConnected());
        const auto issued = m_stack.app(payer, "POST", "/v1/app/action-tokens",
                                        {{u"purpose"_s, u"transfer"_s}, {u"delivery"_s, u"stream"_s}});
        QCOMPARE(issued->status, 202);
        QVERIFY(!ApiClient::json(issued).contains(u"token"_s));
        const QString token = payerStream->waitFor(u"action_token"_s)[u"data"_s][u"token"_s].toString();
        QVERIFY(!token.isEmpty());
        const auto transfer = m_stack.app(payer, "POST", "/v1/app/transfers",
                                          {{u"to_user"_s, payee.id}, {u"amount"_s, 300}},
                                          "X-Action-Token: " + token.toLatin1() + "\r\nIdempotency-Key: pushed-1\r\n");
        QCOMPARE(transfer->status, 201);
        QCOMPARE(m_stack.available(payee), 300);
    }

    void merchantStaffSeeTheirOrdersPaid()
    {
        const QString cashier = m_stack.staffToken(u"cashier2"_s, u"operator"_s, u"demo"_s);
        QVERIFY(!cashier.isEmpty());
        auto console = stream(cashier);
        QVERIFY(console->waitConnected());
        const QJsonObject created = m_stack.createOrder(u"alipay"_s, 1'234);
        m_stack.pay(created);
        const QJsonObject paid = console->waitFor(u"order.paid"_s);
        QCOMPARE(paid[u"data"_s][u"order_no"_s].toString(), created.value(u"order_no"_s).toString());
        QCOMPARE(paid[u"data"_s][u"status"_s].toString(), u"SUCCESS"_s);
        QCOMPARE(paid[u"data"_s][u"amount"_s].toInteger(), 1'234);
    }
};

QTEST_GUILESS_MAIN(tst_Events)
#include "tst_events.moc"
