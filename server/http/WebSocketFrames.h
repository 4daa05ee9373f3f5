#pragma once

#include <QByteArray>
#include <QList>

#include <optional>

namespace paydesk {

/// The server side of RFC 6455 as the event stream needs it: the handshake answer, unmasked
/// frames out, masked frames in (text and binary are read and dropped; ping, pong and close are
/// handled by the caller).
namespace WebSocketFrames {

enum Opcode : quint8 { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };

/// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
QByteArray acceptKey(const QByteArray &clientKey);
/// A single unmasked frame with FIN set.
QByteArray frame(Opcode opcode, const QByteArray &payload);

struct Frame
{
    Opcode opcode = Text;
    bool fin = true;
    QByteArray payload;
};

/// Takes complete frames off the front of buffer. nullopt with *error set on a protocol error
/// (unmasked client frame, reserved bits, control frame too long, payload over maxPayload);
/// an empty list when no complete frame is buffered yet.
std::optional<QList<Frame>> takeFrames(QByteArray &buffer, qsizetype maxPayload, QByteArray *error);

} // namespace WebSocketFrames

} // namespace paydesk
