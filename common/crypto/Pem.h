#pragma once

#include "common/crypto/CryptoResult.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace paydesk {

/// One "-----BEGIN <label>-----" ... "-----END <label>-----" block, base64 body decoded.
struct PemBlock
{
    QByteArray label; ///< e.g. "PRIVATE KEY", "RSA PUBLIC KEY", "CERTIFICATE"
    QByteArray der;
};

/// Strict PEM (RFC 7468) and bare-base64 decoding shared by the key and certificate loaders.
///
/// We decode PEM ourselves rather than through OpenSSL's PEM reader so that every accepted
/// shape goes through one path: CRLF files, one-line bodies (Alipay's Node fixtures), armour and
/// body on a single line (keys pasted into configuration), and bare base64 bodies (Alipay's
/// "no wrapper" keys). Encrypted PEM (RFC 1421 headers) is rejected, never half-parsed.
class Pem final
{
public:
    Pem() = delete;

    /// Inputs larger than this are rejected: a key or certificate bundle is a few KiB.
    static constexpr qsizetype MaxInputSize = 512 * 1024;
    static constexpr qsizetype MaxBlocks = 64;

    /// True when text contains a BEGIN armour line rather than being a bare body.
    static bool isArmoured(QByteArrayView text);

    /// Every block in order; text between blocks is ignored as RFC 7468 allows. Fails when no
    /// block is found, an END line is missing or mismatched, a body has headers, or a body is
    /// not valid base64.
    static CryptoResult<QList<PemBlock>> decode(QByteArrayView text);

    /// A bare base64 body such as Alipay's key strings. Whitespace (line breaks) is ignored;
    /// any other non-base64 character fails.
    static CryptoResult<QByteArray> decodeBareBase64(QByteArrayView text);

    /// Standard armour with 64-column lines and a trailing newline.
    static QByteArray encode(QByteArrayView label, QByteArrayView der);
};

} // namespace paydesk
