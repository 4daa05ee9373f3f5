#include "common/protocol/PaydeskSignature.h"

#include "common/crypto/Digest.h"
#include "common/crypto/Hmac.h"

#include <QList>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

bool isTokenChar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

bool isBase64(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), [](char c) {
        return isTokenChar(c) || c == '+' || c == '/' || c == '=';
    });
}

} // namespace

QByteArray PaydeskSignature::canonicalString(QByteArrayView method, QByteArrayView target, qint64 timestamp,
                                             QByteArrayView nonce, QByteArrayView body)
{
    QByteArray out;
    out.reserve(method.size() + target.size() + nonce.size() + 96);
    out.append(method).append('\n').append(target).append('\n').append(QByteArray::number(timestamp));
    out.append('\n').append(nonce).append('\n').append(Digest::sha256Hex(body)).append('\n');
    return out;
}

QByteArray PaydeskSignature::sign(QByteArrayView secret, QByteArrayView method, QByteArrayView target,
                                  qint64 timestamp, QByteArrayView nonce, QByteArrayView body)
{
    return Hmac::sha256(secret, canonicalString(method, target, timestamp, nonce, body)).toBase64();
}

QByteArray PaydeskSignature::authorization(QByteArrayView keyId, qint64 timestamp, QByteArrayView nonce,
                                           QByteArrayView signature)
{
    QByteArray out = scheme().toByteArray();
    out.append(" key_id=").append(keyId).append(",timestamp=").append(QByteArray::number(timestamp));
    out.append(",nonce=").append(nonce).append(",signature=").append(signature);
    return out;
}

std::optional<PaydeskSignature::Parsed> PaydeskSignature::parse(QByteArrayView header, QString *error)
{
    const QByteArrayView prefix = scheme();
    if (header.size() > 1024 || !header.startsWith(prefix) || header.size() <= prefix.size()
        || header.at(prefix.size()) != ' ') {
        *error = u"Authorization must use the PAYDESK-HMAC-SHA256 scheme."_s;
        return std::nullopt;
    }
    Parsed parsed;
    bool seenKey = false, seenTimestamp = false, seenNonce = false, seenSignature = false;
    const QList<QByteArray> parts = header.sliced(prefix.size() + 1).toByteArray().split(',');
    for (const QByteArray &rawPart : parts) {
        const QByteArray part = rawPart.trimmed();
        const qsizetype eq = part.indexOf('=');
        if (eq <= 0) {
            *error = u"Malformed Authorization parameter."_s;
            return std::nullopt;
        }
        const QByteArray name = part.left(eq);
        const QByteArray value = part.mid(eq + 1);
        bool *seen = nullptr;
        if (name == "key_id") {
            seen = &seenKey;
            if (value.isEmpty() || value.size() > 64 || !std::all_of(value.begin(), value.end(), isTokenChar)) {
                *error = u"key_id is malformed."_s;
                return std::nullopt;
            }
            parsed.keyId = QString::fromLatin1(value);
        } else if (name == "timestamp") {
            seen = &seenTimestamp;
            bool ok = false;
            parsed.timestamp = value.size() <= 12 ? value.toLongLong(&ok) : 0;
            if (!ok || parsed.timestamp <= 0) {
                *error = u"timestamp must be Unix seconds."_s;
                return std::nullopt;
            }
        } else if (name == "nonce") {
            seen = &seenNonce;
            if (value.size() < 16 || value.size() > 64 || !std::all_of(value.begin(), value.end(), isTokenChar)) {
                *error = u"nonce must be 16 to 64 characters of [A-Za-z0-9_-]."_s;
                return std::nullopt;
            }
            parsed.nonce = value;
        } else if (name == "signature") {
            seen = &seenSignature;
            if (value.size() > 128 || !isBase64(value)) {
                *error = u"signature must be base64."_s;
                return std::nullopt;
            }
            parsed.signature = value;
        } else {
            *error = u"Unknown Authorization parameter."_s;
            return std::nullopt;
        }
        if (*seen) {
            *error = u"Repeated Authorization parameter."_s;
            return std::nullopt;
        }
        *seen = true;
    }
    if (!seenKey || !seenTimestamp || !seenNonce || !seenSignature) {
        *error = u"Authorization needs key_id, timestamp, nonce and signature."_s;
        return std::nullopt;
    }
    return parsed;
}

} // namespace paydesk
