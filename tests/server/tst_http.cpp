// The HTTPS layer through a real listening port: limits, pipelining, timeouts, worker pool.
#include "HttpServerThread.h"
#include "TestClient.h"

#include "common/protocol/ApiError.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QPromise>
#include <QSemaphore>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

QJsonObject jsonOf(const RawResponse &response)
{
    return QJsonDocument::fromJson(response.body).object();
}

QString errorCodeOf(const RawResponse &response)
{
    return jsonOf(response).value(u"error"_s).toObject().value(u"code"_s).toString();
}

} // namespace

class tst_Http : public QObject
{
    Q_OBJECT

private:
    // A gate lets a handler hold its worker until the test opens it: no timing guesses.
    QSemaphore m_gate;
    QSemaphore m_entered;

    Router makeRouter()
    {
        Router router;
        router.get("/hello", [](HttpRequest &) {
            return HttpResponse::json(200, QJsonObject{{u"hello"_s, u"world"_s}});
        });
        router.get("/tag", [](HttpRequest &request) {
            return HttpResponse::json(200, QJsonObject{{u"tag"_s, request.queryItems().queryItemValue(u"tag"_s)}});
        });
        router.get("/delay", [](HttpRequest &request) {
            const int ms = request.queryItems().queryItemValue(u"ms"_s).toInt();
            QThread::msleep(ulong(std::clamp(ms, 0, 2000)));
            return HttpResponse::json(200, QJsonObject{{u"tag"_s, request.queryItems().queryItemValue(u"tag"_s)}});
        });
        router.get("/gate", [this](HttpRequest &) {
            m_entered.release();
            m_gate.acquire();
            return HttpResponse::json(200, QJsonObject{{u"gate"_s, u"passed"_s}});
        });
        router.post("/echo", [](HttpRequest &request) {
            return HttpResponse::json(200, QJsonObject{{u"bytes"_s, qint64(request.body.size())}});
        });
        router.get("/items/{id}", [](HttpRequest &request) {
            return HttpResponse::json(200, QJsonObject{{u"id"_s, request.pathParams.value(u"id"_s)}});
        });
        router.get("/fail", [](HttpRequest &) -> HttpResponse { throw ApiError(ErrorCode::Conflict, u"Not now."_s); });
        return router;
    }

    std::unique_ptr<HttpServerThread> startServer(const HttpLimits &limits = {}, int workers = 4)
    {
        auto server = std::make_unique<HttpServerThread>(limits, makeRouter(), workers);
        if (!server->isListening())
            return nullptr;
        return server;
    }

private slots:
    void servesSequentialRequestsOnOneKeepAliveConnection()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client(server->ca());
        QVERIFY2(client.connectTo(server->port()), qPrintable(client.lastError()));
        for (int i = 0; i < 3; ++i) {
            client.send(RawTlsClient::get("/hello"));
            const auto response = client.readResponse();
            QVERIFY(response);
            QCOMPARE(response->status, 200);
            QCOMPARE(jsonOf(*response).value(u"hello"_s).toString(), u"world"_s);
            QVERIFY(!response->header("x-request-id").isEmpty());
            QCOMPARE(response->header("cache-control"), QByteArray("no-store"));
        }
        QVERIFY(client.isConnected());
    }

    void pathParametersAreDecoded()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        client.send(RawTlsClient::get("/items/A%2FB"));
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(jsonOf(*response).value(u"id"_s).toString(), u"A/B"_s);
    }

    void unknownRouteAndWrongMethodGetJsonErrors()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        client.send(RawTlsClient::get("/nope"));
        auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 404);
        QCOMPARE(errorCodeOf(*response), u"NOT_FOUND"_s);
        client.send(RawTlsClient::post("/hello", "{}"));
        response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 405);
        QCOMPARE(errorCodeOf(*response), u"METHOD_NOT_ALLOWED"_s);
        QCOMPARE(response->header("allow"), QByteArray("GET"));
    }

    void handlerErrorsBecomeStatusAndJsonBody()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        client.send(RawTlsClient::get("/fail"));
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 409);
        QCOMPARE(errorCodeOf(*response), u"CONFLICT"_s);
        QCOMPARE(jsonOf(*response).value(u"error"_s).toObject().value(u"message"_s).toString(), u"Not now."_s);
    }

    void oversizedContentLengthGets413BeforeTheBodyIsRead()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        // Only the headers are sent: the answer must not wait for the 2 MiB body.
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                    "Content-Length: 2097152\r\n\r\n");
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 413);
        QCOMPARE(errorCodeOf(*response), u"PAYLOAD_TOO_LARGE"_s);
        QCOMPARE(response->header("connection"), QByteArray("close"));
        QVERIFY(client.waitForClose(5000));
    }

    void bodyWithinLimitIsAccepted()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        const QByteArray body(1024 * 1024, 'x');
        client.send(RawTlsClient::post("/echo", body));
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(jsonOf(*response).value(u"bytes"_s).toInteger(), qint64(body.size()));
    }

    void oversizedChunkedBodyGets413()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        const QByteArray chunk(256 * 1024, 'y');
        for (int i = 0; i < 5; ++i)
            client.send(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 413);
    }

    void oversizedHeadersGet431()
    {
        HttpLimits limits;
        limits.maxHeaderBytes = 4096;
        auto server = startServer(limits);
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        client.send(RawTlsClient::get("/hello", "X-Big: " + QByteArray(8000, 'a') + "\r\n"));
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 431);
        QCOMPARE(errorCodeOf(*response), u"HEADERS_TOO_LARGE"_s);
    }

    void tooManyHeadersGet431()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        QByteArray headers;
        for (int i = 0; i < 150; ++i)
            headers += "X-H" + QByteArray::number(i) + ": v\r\n";
        client.send(RawTlsClient::get("/hello", headers));
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 431);
    }

    void malformedRequestGets400AndClose()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        client.send("THIS IS NOT HTTP\r\n\r\n");
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 400);
        QCOMPARE(errorCodeOf(*response), u"BAD_REQUEST"_s);
        QVERIFY(client.waitForClose(5000));
    }

    void pipelinedRequestsAreAnsweredInOrder()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        // Earlier requests take longer, so their handlers finish last: order must still hold.
        QByteArray burst;
        const int count = 12;
        for (int i = 0; i < count; ++i)
            burst += RawTlsClient::get("/delay?ms=" + QByteArray::number((count - i) * 15)
                                       + "&tag=" + QByteArray::number(i));
        client.send(burst);
        for (int i = 0; i < count; ++i) {
            const auto response = client.readResponse();
            QVERIFY2(response, qPrintable(u"response %1 missing"_s.arg(i)));
            QCOMPARE(response->status, 200);
            QCOMPARE(jsonOf(*response).value(u"tag"_s).toString(), QString::number(i));
        }
    }

    void pipelinedRequestsBeyondTheInFlightLimitAreAllAnswered()
    {
        HttpLimits limits;
        limits.maxPipelined = 4;
        auto server = startServer(limits);
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        QByteArray burst;
        const int count = 100;
        for (int i = 0; i < count; ++i)
            burst += RawTlsClient::get("/tag?tag=" + QByteArray::number(i));
        client.send(burst);
        for (int i = 0; i < count; ++i) {
            const auto response = client.readResponse();
            QVERIFY2(response, qPrintable(u"response %1 missing"_s.arg(i)));
            QCOMPARE(jsonOf(*response).value(u"tag"_s).toString(), QString::number(i));
        }
    }

    void thousandsOfPipelinedRequestsAnsweredAtOnceStayInOrder()
    {
        // Answers made on the HTTP thread itself (404) must neither recurse per request nor pile
        // up without bound while the client is not reading.
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        const int count = 5000;
        QByteArray burst;
        for (int i = 0; i < count; ++i)
            burst += "GET /missing/" + QByteArray::number(i) + " HTTP/1.1\r\n\r\n";
        client.send(burst);
        for (int i = 0; i < count; ++i) {
            const auto response = client.readResponse();
            QVERIFY2(response, qPrintable(u"response %1 missing"_s.arg(i)));
            QCOMPARE(response->status, 404);
        }
        client.send(RawTlsClient::get("/tag?tag=last"));
        const auto last = client.readResponse();
        QVERIFY(last);
        QCOMPARE(jsonOf(*last).value(u"tag"_s).toString(), u"last"_s);
    }

    void slowLorisClientIsDroppedWhileOthersAreServed()
    {
        HttpLimits limits;
        limits.requestTimeoutMs = 1000;
        auto server = startServer(limits);
        QVERIFY(server);
        RawTlsClient loris;
        QVERIFY(loris.connectTo(server->port()));
        loris.send("GET /hello HTTP/1.1\r\nHost: x\r\n"); // and never the blank line
        RawTlsClient other;
        QVERIFY(other.connectTo(server->port()));
        for (int i = 0; i < 5; ++i) {
            other.send(RawTlsClient::get("/hello"));
            const auto response = other.readResponse();
            QVERIFY(response);
            QCOMPARE(response->status, 200);
        }
        const auto timeout = loris.readResponse(10'000);
        QVERIFY(timeout);
        QCOMPARE(timeout->status, 408);
        QCOMPARE(errorCodeOf(*timeout), u"REQUEST_TIMEOUT"_s);
        QVERIFY(loris.waitForClose(10'000));
        other.send(RawTlsClient::get("/hello"));
        const auto after = other.readResponse();
        QVERIFY(after);
        QCOMPARE(after->status, 200);
    }

    void idleKeepAliveConnectionIsClosed()
    {
        HttpLimits limits;
        limits.idleTimeoutMs = 500;
        auto server = startServer(limits);
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        client.send(RawTlsClient::get("/hello"));
        QVERIFY(client.readResponse());
        QVERIFY(client.waitForClose(10'000));
    }

    void silentClientIsDroppedAtHandshakeTimeout()
    {
        HttpLimits limits;
        limits.handshakeTimeoutMs = 500;
        auto server = startServer(limits);
        QVERIFY(server);
        RawTlsClient plain;
        QVERIFY(plain.connectPlain(server->port()));
        QVERIFY(plain.waitForClose(10'000));
    }

    void connectionCapAnswers503WhenNoConnectionIsIdle()
    {
        HttpLimits limits;
        limits.maxConnections = 4;
        auto server = startServer(limits);
        QVERIFY(server);
        std::vector<std::unique_ptr<RawTlsClient>> busy;
        for (int i = 0; i < limits.maxConnections; ++i) {
            auto client = std::make_unique<RawTlsClient>();
            QVERIFY(client->connectTo(server->port()));
            client->send("GET /hello HTTP/1.1\r\n"); // half a request: not idle, not evictable
            busy.push_back(std::move(client));
        }
        QTRY_COMPARE_WITH_TIMEOUT(server->openConnections(), limits.maxConnections, 10'000);
        RawTlsClient extra;
        QVERIFY(extra.connectTo(server->port()));
        const auto response = extra.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 503);
        QCOMPARE(errorCodeOf(*response), u"UNAVAILABLE"_s);
        QVERIFY(extra.waitForClose(5000));
    }

    void idleConnectionIsEvictedToAdmitANewClient()
    {
        HttpLimits limits;
        limits.maxConnections = 4;
        auto server = startServer(limits);
        QVERIFY(server);
        std::vector<std::unique_ptr<RawTlsClient>> idle;
        for (int i = 0; i < limits.maxConnections; ++i) {
            auto client = std::make_unique<RawTlsClient>();
            QVERIFY(client->connectTo(server->port()));
            client->send(RawTlsClient::get("/hello")); // answered, so idle on the server side too
            QVERIFY(client->readResponse());
            idle.push_back(std::move(client));
        }
        QTRY_COMPARE_WITH_TIMEOUT(server->openConnections(), limits.maxConnections, 10'000);
        RawTlsClient fresh;
        QVERIFY(fresh.connectTo(server->port()));
        fresh.send(RawTlsClient::get("/hello"));
        const auto response = fresh.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QVERIFY(idle.front()->waitForClose(5000)); // the longest idle one made room
    }

    void slowHandlerDoesNotStallOtherConnections()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient slow;
        QVERIFY(slow.connectTo(server->port()));
        slow.send(RawTlsClient::get("/gate"));
        QVERIFY(m_entered.tryAcquire(1, 10'000)); // the handler is now holding a worker
        RawTlsClient fast;
        QVERIFY(fast.connectTo(server->port()));
        fast.send(RawTlsClient::get("/hello"));
        const auto fastResponse = fast.readResponse();
        QVERIFY(fastResponse);
        QCOMPARE(fastResponse->status, 200);
        m_gate.release();
        const auto slowResponse = slow.readResponse();
        QVERIFY(slowResponse);
        QCOMPARE(jsonOf(*slowResponse).value(u"gate"_s).toString(), u"passed"_s);
    }

    void answersWaitForTheAnswerBarrier()
    {
        // Paydesk's barrier holds answers until the rows they may tell of are on disk; here the
        // test holds them, and sees that neither an answer nor an error leaves before it lets go.
        std::atomic<int> asked{0};
        std::atomic<bool> holding{true};
        QMutex mutex;
        QList<std::shared_ptr<QPromise<void>>> holds; // a future of its own per answer
        auto server
            = std::make_unique<HttpServerThread>(HttpLimits{}, makeRouter(), 4, [&]() -> std::optional<QFuture<void>> {
                  ++asked;
                  if (!holding)
                      return std::nullopt;
                  auto hold = std::make_shared<QPromise<void>>();
                  hold->start();
                  QMutexLocker lock(&mutex);
                  holds.append(hold);
                  return hold->future();
              });
        QVERIFY(server->isListening());
        RawTlsClient ok(server->ca());
        RawTlsClient failing(server->ca());
        QVERIFY(ok.connectTo(server->port()));
        QVERIFY(failing.connectTo(server->port()));
        ok.send(RawTlsClient::get("/hello"));
        failing.send(RawTlsClient::get("/fail"));
        QTRY_COMPARE_WITH_TIMEOUT(asked.load(), 2, 10'000); // both answers are ready, and held
        ok.socket().waitForReadyRead(0);
        failing.socket().waitForReadyRead(0);
        QCOMPARE(ok.socket().bytesAvailable(), 0);
        QCOMPARE(failing.socket().bytesAvailable(), 0);
        holding = false;
        {
            QMutexLocker lock(&mutex);
            QCOMPARE(holds.size(), 2);
            for (const auto &hold : std::as_const(holds))
                hold->finish();
        }
        const auto hello = ok.readResponse();
        QVERIFY(hello);
        QCOMPARE(hello->status, 200);
        QCOMPARE(jsonOf(*hello).value(u"hello"_s).toString(), u"world"_s);
        const auto refused = failing.readResponse();
        QVERIFY(refused);
        QCOMPARE(refused->status, 409);
        QCOMPARE(errorCodeOf(*refused), u"CONFLICT"_s);
        // Nothing held: the answer leaves at once.
        ok.send(RawTlsClient::get("/hello"));
        const auto again = ok.readResponse();
        QVERIFY(again);
        QCOMPARE(again->status, 200);
        QCOMPARE(asked.load(), 3);
    }

    void fullWorkQueueAnswers503()
    {
        HttpLimits limits;
        limits.maxQueuedRequests = 2;
        auto server = startServer(limits, 2);
        QVERIFY(server);
        RawTlsClient a;
        RawTlsClient b;
        RawTlsClient c;
        QVERIFY(a.connectTo(server->port()));
        QVERIFY(b.connectTo(server->port()));
        QVERIFY(c.connectTo(server->port()));
        a.send(RawTlsClient::get("/gate"));
        b.send(RawTlsClient::get("/gate"));
        QVERIFY(m_entered.tryAcquire(2, 10'000));
        c.send(RawTlsClient::get("/hello"));
        const auto rejected = c.readResponse();
        QVERIFY(rejected);
        QCOMPARE(rejected->status, 503);
        QCOMPARE(rejected->header("retry-after"), QByteArray("1"));
        m_gate.release(2);
        QVERIFY(a.readResponse());
        QVERIFY(b.readResponse());
        c.send(RawTlsClient::get("/hello"));
        const auto accepted = c.readResponse();
        QVERIFY(accepted);
        QCOMPARE(accepted->status, 200);
    }

    void connectionCloseHeaderClosesAfterTheResponse()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        client.send(RawTlsClient::get("/hello", "Connection: close\r\n"));
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->header("connection"), QByteArray("close"));
        QVERIFY(client.waitForClose(5000));
    }

    void metricsCountRequestsByRouteAndStatus()
    {
        auto server = startServer();
        QVERIFY(server);
        RawTlsClient client;
        QVERIFY(client.connectTo(server->port()));
        for (int i = 0; i < 3; ++i) {
            client.send(RawTlsClient::get("/items/" + QByteArray::number(i)));
            QVERIFY(client.readResponse());
        }
        const QByteArray text = server->metrics().render();
        QVERIFY2(text.contains("paydesk_http_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"200\"} 3"),
                 text.constData());
        QVERIFY(text.contains("paydesk_http_request_duration_seconds_count{route=\"/items/{id}\"} 3"));
    }
};

QTEST_GUILESS_MAIN(tst_Http)
#include "tst_http.moc"
