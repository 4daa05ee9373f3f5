#pragma once

#include <QtGlobal>

namespace paydesk {

/// Every bound the HTTP layer enforces; defaults suit a public API, tests shrink them.
struct HttpLimits
{
    int maxConnections = 4096; ///< open client connections; beyond it idle ones are evicted, else 503
    int maxRejectingConnections = 64; ///< over-cap connections being told 503 at once; more are dropped
    int handshakeTimeoutMs = 10'000; ///< TLS handshake must finish within this
    int idleTimeoutMs = 60'000; ///< keep-alive connection with no request in progress
    int requestTimeoutMs = 15'000; ///< from a request's first byte to its last (slow-loris guard)
    int writeTimeoutMs = 30'000; ///< a client that does not read its responses is dropped
    qsizetype maxHeaderBytes = 16 * 1024; ///< request line + headers → 431 beyond
    int maxHeaderCount = 100;
    qint64 maxBodyBytes = 1024 * 1024; ///< → 413 beyond, decided from Content-Length before reading
    int maxPipelined = 16; ///< requests of one connection in flight before it stops reading
    int maxQueuedRequests = 2048; ///< requests waiting for or running on workers, server-wide → 503
    qint64 socketReadBufferBytes = 64 * 1024; ///< bounds what Qt buffers for a connection we are not reading
};

} // namespace paydesk
