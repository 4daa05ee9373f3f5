#include "server/http/WebSocketFrames.h"

#include <QCryptographicHash>
#include <QtEndian>

namespace paydesk::WebSocketFrames {

QByteArray acceptKey(const QByteArray &clientKey)
{
    static const QByteArray guid = QByteArrayLiteral("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    return QCryptographicHash::hash(clientKey.trimmed() + guid, QCryptographicHash::Sha1).toBase64();
}

QByteArray frame(Opcode opcode, const QByteArray &payload)
{
    QByteArray out;
    out.reserve(payload.size() + 10);
    out.append(char(0x80 | opcode));
    const quint64 length = quint64(payload.size());
    if (length < 126) {
        out.append(char(length));
    } else if (length <= 0xFFFF) {
        out.append(char(126));
        out.append(char(length >> 8));
        out.append(char(length & 0xFF));
    } else {
        out.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((length >> shift) & 0xFF));
    }
    out.append(payload);
    return out;
}

std::optional<QList<Frame>> takeFrames(QByteArray &buffer, qsizetype maxPayload, QByteArray *error)
{
    QList<Frame> frames;
    for (;;) {
        const auto *bytes = reinterpret_cast<const uchar *>(buffer.constData());
        const qsizetype size = buffer.size();
        if (size < 2)
            return frames;
        Frame frame;
        frame.fin = (bytes[0] & 0x80) != 0;
        frame.opcode = Opcode(bytes[0] & 0x0F);
        if ((bytes[0] & 0x70) != 0) {
            *error = "reserved bits set";
            return std::nullopt;
        }
        if ((bytes[1] & 0x80) == 0) {
            *error = "client frames must be masked";
            return std::nullopt;
        }
        quint64 length = bytes[1] & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (size < 4)
                return frames;
            length = qFromBigEndian<quint16>(bytes + 2);
            header = 4;
        } else if (length == 127) {
            if (size < 10)
                return frames;
            length = qFromBigEndian<quint64>(bytes + 2);
            header = 10;
        }
        const bool control = (frame.opcode & 0x8) != 0;
        if ((control && (length > 125 || !frame.fin)) || length > quint64(maxPayload)) {
            *error = "frame too long";
            return std::nullopt;
        }
        if (size < header + 4 + qsizetype(length))
            return frames;
        const uchar *mask = bytes + header;
        frame.payload = buffer.mid(header + 4, qsizetype(length));
        for (qsizetype i = 0; i < frame.payload.size(); ++i)
            frame.payload[i] = char(frame.payload.at(i) ^ mask[i % 4]);
        buffer.remove(0, header + 4 + qsizetype(length));
        frames.append(std::move(frame));
    }
}

} // namespace paydesk::WebSocketFrames
