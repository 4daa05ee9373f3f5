// paydesk-demo: runs one complete payment as a merchant back end would see it, against a running
// paydesk-server whose channels point at paydesk-sandbox, and prints the timeline:
//   merchant sets its notify URL → creates a QR order (signed request) → the sandbox buyer pays →
//   the channel notifies Paydesk → the order is SUCCESS → Paydesk notifies the merchant (verified).
#include "common/crypto/Random.h"
#include "common/protocol/PaydeskSignature.h"
#include "server/net/HttpClient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSslCertificate>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTextStream>
#include <QThread>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace paydesk;

namespace {

QTextStream out(stdout);
QElapsedTimer clock0;

void step(const QString &text)
{
    out << u"[+%1 s] "_s.arg(double(clock0.elapsed()) / 1000.0, 6, 'f', 3) << text << Qt::endl;
}

[[noreturn]] void fail(const QString &text)
{
    QTextStream(stderr) << "paydesk-demo: " << text << Qt::endl;
    std::exit(1);
}

QMap<QString, QString> readKeyValues(const QString &path)
{
    QMap<QString, QString> values;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        fail(u"cannot read %1"_s.arg(path));
    for (const QByteArray &line : file.readAll().split('\n')) {
        const qsizetype eq = line.indexOf('=');
        if (eq > 0 && !line.startsWith('#'))
            values.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    return values;
}

// The merchant's notification endpoint: a minimal plain-HTTP listener on loopback (enough for a
// demo; a real merchant serves HTTPS). Verifies the Paydesk-Signature and answers "success".
class Receiver : public QObject
{
public:
    Receiver(QByteArray keyId, QByteArray secret) : m_keyId(std::move(keyId)), m_secret(std::move(secret))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { read(socket); });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }
    bool received() const { return !m_body.isEmpty(); }
    QJsonObject body() const { return QJsonDocument::fromJson(m_body).object(); }
    bool signatureValid() const { return m_valid; }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        if (buffer.size() > 1 << 20) {
            socket->abort();
            return;
        }
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        qsizetype length = 0;
        QByteArray signature;
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            const QByteArray name = line.left(colon).trimmed().toLower();
            if (name == "content-length")
                length = line.mid(colon + 1).trimmed().toLongLong();
            if (name == "paydesk-signature")
                signature = line.mid(colon + 1).trimmed();
        }
        if (buffer.size() < end + 4 + length)
            return;
        const QByteArray body = buffer.mid(end + 4, length);
        QString error;
        const auto parsed = PaydeskSignature::parse(signature, &error);
        m_valid = parsed && parsed->keyId == QString::fromUtf8(m_keyId)
            && PaydeskSignature::sign(m_secret, "POST", requestLine.value(1), parsed->timestamp, parsed->nonce, body)
                == parsed->signature;
        m_body = body;
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\nConnection: close\r\n\r\n"
                      "success");
        socket->disconnectFromHost();
        m_buffers.remove(socket);
    }

    QTcpServer m_server;
    QByteArray m_keyId;
    QByteArray m_secret;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QByteArray m_body;
    bool m_valid = false;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"One full headless payment through Paydesk and the channel sandbox."_s);
    parser.addHelpOption();
    parser.addOptions({{u"first-run-file"_s, u"credentials written by paydesk-server init"_s, u"file"_s},
                       {u"sandbox"_s, u"the sandbox's sandbox.json"_s, u"file"_s},
                       {u"channel"_s, u"alipay or wechat (default alipay)"_s, u"channel"_s},
                       {u"amount"_s, u"amount in fen (default 1234)"_s, u"fen"_s}});
    parser.process(app);
    clock0.start();

    const QMap<QString, QString> credentials = readKeyValues(parser.value(u"first-run-file"_s));
    QFile manifestFile(parser.value(u"sandbox"_s));
    if (!manifestFile.open(QIODevice::ReadOnly))
        fail(u"cannot read the sandbox manifest %1"_s.arg(manifestFile.fileName()));
    const QJsonObject manifest = QJsonDocument::fromJson(manifestFile.readAll()).object();
    const QString server = credentials.value(u"server"_s);
    const QList<QSslCertificate> serverCa = QSslCertificate::fromPath(credentials.value(u"ca_file"_s));
    const QList<QSslCertificate> sandboxCa = QSslCertificate::fromPath(manifest.value(u"ca_file"_s).toString());
    const QByteArray keyId = credentials.value(u"api_key_id"_s).toUtf8();
    const QByteArray secret = credentials.value(u"api_key_secret"_s).toUtf8();
    const QString channel = parser.value(u"channel"_s).isEmpty() ? u"alipay"_s : parser.value(u"channel"_s);
    const qint64 amount = parser.value(u"amount"_s).isEmpty() ? 1234 : parser.value(u"amount"_s).toLongLong();

    HttpClient http;
    // The demo's own event loop must keep running for the receiver while requests wait.
    const auto call = [&](const QByteArray &method, const QByteArray &target, const QJsonObject &body = {}) {
        const QByteArray payload = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
        const qint64 timestamp = QDateTime::currentSecsSinceEpoch();
        const QByteArray nonce = Random::alphanumeric(24).toLatin1();
        OutboundRequest request;
        request.method = method;
        request.url = QUrl(server + QString::fromUtf8(target));
        request.body = payload;
        request.extraCa = serverCa;
        request.headers = {{"Content-Type", "application/json"},
                           {"Authorization",
                            PaydeskSignature::authorization(
                                keyId, timestamp, nonce,
                                PaydeskSignature::sign(secret, method, target, timestamp, nonce, payload))}};
        QFuture<OutboundResponse> future = http.send(request);
        while (!future.isFinished())
            app.processEvents(QEventLoop::AllEvents, 20);
        const OutboundResponse response = future.result();
        if (!response.ok())
            fail(u"%1 %2: %3"_s.arg(QString::fromLatin1(method), QString::fromUtf8(target), response.error));
        return std::pair{response.status, QJsonDocument::fromJson(response.body).object()};
    };

    Receiver receiver(keyId, secret);
    const QString notifyUrl = u"http://127.0.0.1:%1/merchant/notify"_s.arg(receiver.port());
    if (call("POST", "/v1/merchant/settings", {{u"notify_url"_s, notifyUrl}}).first != 200)
        fail(u"cannot set the merchant's notify URL"_s);
    step(u"merchant back end listening for notifications at %1"_s.arg(notifyUrl));

    const QString outTradeNo = u"DEMO-%1"_s.arg(QDateTime::currentMSecsSinceEpoch());
    const auto [createStatus, created] = call("POST", "/v1/orders",
                                              {{u"out_trade_no"_s, outTradeNo},
                                               {u"amount"_s, amount},
                                               {u"subject"_s, u"Paydesk demo"_s},
                                               {u"channel"_s, channel},
                                               {u"method"_s, u"qr"_s}});
    if (createStatus != 201)
        fail(u"create order answered %1: %2"_s.arg(createStatus).arg(
            QString::fromUtf8(QJsonDocument(created).toJson(QJsonDocument::Compact))));
    const QString orderNo = created.value(u"order_no"_s).toString();
    step(u"order %1 created: %2 fen via %3, status %4"_s.arg(orderNo).arg(amount).arg(
        created.value(u"channel_id"_s).toString(), created.value(u"status"_s).toString()));
    step(u"QR code to show the buyer: %1"_s.arg(created.value(u"qr_code"_s).toString()));

    OutboundRequest pay;
    pay.method = "POST";
    pay.url = QUrl(manifest.value(u"control_url"_s).toString() + u"/pay"_s);
    pay.extraCa = sandboxCa;
    pay.headers = {{"Content-Type", "application/json"}};
    pay.body = QJsonDocument(QJsonObject{{u"code"_s, created.value(u"qr_code"_s)}}).toJson(QJsonDocument::Compact);
    const OutboundResponse paid = http.sendAndWait(pay);
    if (!paid.ok() || paid.status != 200)
        fail(u"the sandbox buyer could not pay: %1 %2"_s.arg(paid.status).arg(QString::fromUtf8(paid.body)));
    step(u"sandbox buyer scanned and paid (channel trade %1)"_s.arg(
        QJsonDocument::fromJson(paid.body).object().value(u"trade_no"_s).toString()));

    const QDeadlineTimer deadline(60'000);
    QString status;
    while (!deadline.hasExpired() && status != u"SUCCESS"_s) {
        status = call("GET", "/v1/orders/" + orderNo.toUtf8()).second.value(u"status"_s).toString();
        app.processEvents(QEventLoop::AllEvents, 50);
    }
    if (status != u"SUCCESS"_s)
        fail(u"the order did not reach SUCCESS within 60 s (it is %1)"_s.arg(status));
    step(u"order %1 is SUCCESS"_s.arg(orderNo));
    while (!deadline.hasExpired() && !receiver.received())
        app.processEvents(QEventLoop::AllEvents, 50);
    if (!receiver.received())
        fail(u"the merchant notification did not arrive within 60 s"_s);
    step(u"merchant notified: event %1 (%2), signature %3"_s.arg(
        receiver.body().value(u"event_id"_s).toString(), receiver.body().value(u"type"_s).toString(),
        receiver.signatureValid() ? u"valid"_s : u"INVALID"_s));

    out << "\nTimeline of " << orderNo << " as the server recorded it:\n";
    const QJsonArray events = call("GET", "/v1/orders/" + orderNo.toUtf8() + "/events").second.value(u"items"_s).toArray();
    const qint64 first = events.isEmpty() ? 0 : events.first().toObject().value(u"at"_s).toInteger();
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        out << u"  +%1 ms  %2  %3  %4"_s.arg(event.value(u"at"_s).toInteger() - first, 6)
                   .arg(event.value(u"status"_s).toString(), -8)
                   .arg(event.value(u"event"_s).toString(), -16)
                   .arg(event.value(u"detail"_s).toString())
            << "\n";
    }
    out.flush();
    return receiver.signatureValid() ? 0 : 1;
}
