#include "common/crypto/Pem.h"

namespace paydesk {

namespace {

constexpr QByteArrayView beginMarker("-----BEGIN ");
constexpr QByteArrayView endMarker("-----END ");
constexpr QByteArrayView dashes("-----");

bool isPemWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool isValidLabel(QByteArrayView label)
{
    if (label.isEmpty() || label.size() > 64)
        return false;
    for (const char c : label) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
        if (!ok)
            return false;
    }
    return true;
}

CryptoResult<QByteArray> decodeBody(QByteArrayView body)
{
    QByteArray compact;
    compact.reserve(body.size());
    for (const char c : body) {
        if (!isPemWhitespace(c))
            compact.append(c);
    }
    if (compact.isEmpty())
        return CryptoResult<QByteArray>::failure(QStringLiteral("empty base64 body"));
    const auto decoded = QByteArray::fromBase64Encoding(compact, QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok || decoded.decoded.isEmpty())
        return CryptoResult<QByteArray>::failure(QStringLiteral("invalid base64 body"));
    return CryptoResult<QByteArray>::success(decoded.decoded);
}

} // namespace

bool Pem::isArmoured(QByteArrayView text)
{
    return text.indexOf(beginMarker) >= 0;
}

CryptoResult<QList<PemBlock>> Pem::decode(QByteArrayView text)
{
    using Result = CryptoResult<QList<PemBlock>>;
    if (text.size() > MaxInputSize)
        return Result::failure(QStringLiteral("PEM input too large"));

    QList<PemBlock> blocks;
    qsizetype pos = 0;
    while (true) {
        const qsizetype begin = text.indexOf(beginMarker, pos);
        if (begin < 0)
            break;
        if (blocks.size() >= MaxBlocks)
            return Result::failure(QStringLiteral("too many PEM blocks"));
        const qsizetype labelStart = begin + beginMarker.size();
        const qsizetype labelEnd = text.indexOf(dashes, labelStart);
        if (labelEnd < 0)
            return Result::failure(QStringLiteral("unterminated PEM BEGIN line"));
        const QByteArrayView label = text.sliced(labelStart, labelEnd - labelStart);
        if (!isValidLabel(label))
            return Result::failure(QStringLiteral("invalid PEM label"));

        const qsizetype bodyStart = labelEnd + dashes.size();
        const QByteArray expectedEnd = endMarker.toByteArray() + label.toByteArray() + "-----";
        const qsizetype bodyEnd = text.indexOf(expectedEnd, bodyStart);
        if (bodyEnd < 0)
            return Result::failure(QStringLiteral("missing PEM END line for ") + QString::fromLatin1(label));
        const QByteArrayView body = text.sliced(bodyStart, bodyEnd - bodyStart);
        // A BEGIN inside the body means the previous block never ended properly.
        if (body.indexOf(beginMarker) >= 0 || body.indexOf(endMarker) >= 0)
            return Result::failure(QStringLiteral("nested or mismatched PEM blocks"));
        // "Proc-Type: 4,ENCRYPTED" and similar RFC 1421 headers: we only load plain keys.
        if (body.indexOf(':') >= 0)
            return Result::failure(
                QStringLiteral("PEM headers are not supported (encrypted PEM keys must be decrypted first)"));

        CryptoResult<QByteArray> der = decodeBody(body);
        if (!der)
            return Result::failure(der.error() + QStringLiteral(" in PEM block ") + QString::fromLatin1(label));
        blocks.append(PemBlock{label.toByteArray(), std::move(der).value()});
        pos = bodyEnd + expectedEnd.size();
    }
    if (blocks.isEmpty())
        return Result::failure(QStringLiteral("no PEM block found"));
    return Result::success(std::move(blocks));
}

CryptoResult<QByteArray> Pem::decodeBareBase64(QByteArrayView text)
{
    if (text.size() > MaxInputSize)
        return CryptoResult<QByteArray>::failure(QStringLiteral("base64 input too large"));
    return decodeBody(text);
}

QByteArray Pem::encode(QByteArrayView label, QByteArrayView der)
{
    const QByteArray body = der.toByteArray().toBase64();
    QByteArray out;
    out.reserve(body.size() + body.size() / 64 + 2 * label.size() + 40);
    out += beginMarker.toByteArray() + label.toByteArray() + "-----\n";
    for (qsizetype i = 0; i < body.size(); i += 64) {
        out += QByteArrayView(body).sliced(i, qMin<qsizetype>(64, body.size() - i));
        out += '\n';
    }
    out += endMarker.toByteArray() + label.toByteArray() + "-----\n";
    return out;
}

} // namespace paydesk
