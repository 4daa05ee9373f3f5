// RFC 6455 framing of the event stream: the handshake key (the RFC's own example), frame lengths
// in all three encodings, masked client frames, and the protocol errors that end a stream.
#include "server/http/WebSocketFrames.h"

#include <QTest>

using namespace paydesk;

namespace {

QByteArray masked(quint8 firstByte, const QByteArray &payload, const QByteArray &mask = "\x37\xfa\x21\x3d")
{
    QByteArray out;
    out.append(char(firstByte));
    if (payload.size() < 126) {
        out.append(char(0x80 | payload.size()));
    } else {
        out.append(char(0x80 | 126));
        out.append(char(payload.size() >> 8));
        out.append(char(payload.size() & 0xFF));
    }
    out.append(mask);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(char(payload.at(i) ^ mask.at(i % 4)));
    return out;
}

} // namespace

class tst_WebSocketFrames : public QObject
{
    Q_OBJECT

private slots:
    void acceptKeyMatchesTheRfcExample()
    {
        QCOMPARE(WebSocketFrames::acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    void serverFramesUseTheShortestLength()
    {
        QCOMPARE(WebSocketFrames::frame(WebSocketFrames::Text, "Hello"), QByteArray("\x81\x05Hello"));
        const QByteArray medium = WebSocketFrames::frame(WebSocketFrames::Text, QByteArray(300, 'x'));
        QCOMPARE(medium.left(4), QByteArray("\x81\x7e\x01\x2c", 4));
        QCOMPARE(medium.size(), 4 + 300);
        const QByteArray large = WebSocketFrames::frame(WebSocketFrames::Binary, QByteArray(70'000, 'y'));
        QCOMPARE(large.left(10), QByteArray("\x82\x7f\x00\x00\x00\x00\x00\x01\x11\x70", 10));
    }

    void maskedClientFramesAreReadAsTheyArrive()
    {
        QByteArray buffer = masked(0x81, "Hello") + masked(0x89, "ping");
        const QByteArray tail = buffer.right(3);
        buffer.chop(3); // the second frame is incomplete for now
        QByteArray error;
        auto frames = WebSocketFrames::takeFrames(buffer, 4096, &error);
        QVERIFY(frames);
        QCOMPARE(frames->size(), 1);
        QCOMPARE(frames->first().payload, QByteArray("Hello"));
        buffer += tail;
        frames = WebSocketFrames::takeFrames(buffer, 4096, &error);
        QVERIFY(frames);
        QCOMPARE(frames->size(), 1);
        QCOMPARE(frames->first().opcode, WebSocketFrames::Ping);
        QCOMPARE(frames->first().payload, QByteArray("ping"));
        QVERIFY(buffer.isEmpty());
        QByteArray medium = masked(0x82, QByteArray(200, 'z'));
        frames = WebSocketFrames::takeFrames(medium, 4096, &error);
        QVERIFY(frames);
        QCOMPARE(frames->first().payload, QByteArray(200, 'z'));
    }

    void protocolErrorsEndTheStream()
    {
        QByteArray error;
        QByteArray unmasked("\x81\x02hi", 4);
        QVERIFY(!WebSocketFrames::takeFrames(unmasked, 4096, &error));
        QCOMPARE(error, QByteArray("client frames must be masked"));
        QByteArray reserved = masked(0xC1, "x");
        QVERIFY(!WebSocketFrames::takeFrames(reserved, 4096, &error));
        QByteArray tooLong = masked(0x81, QByteArray(300, 'a'));
        QVERIFY(!WebSocketFrames::takeFrames(tooLong, 256, &error));
        QByteArray longPing = masked(0x89, QByteArray(126, 'p'));
        QVERIFY(!WebSocketFrames::takeFrames(longPing, 4096, &error));
    }
};

QTEST_GUILESS_MAIN(tst_WebSocketFrames)
#include "tst_websocketframes.moc"
