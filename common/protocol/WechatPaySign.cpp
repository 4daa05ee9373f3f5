#include "common/protocol/WechatPaySign.h"

#include "common/crypto/PrivateKey.h"
#include "common/crypto/RsaSignature.h"

#include <functional>

namespace paydesk {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isAlnum(char c)
{
    return isDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool isBase64(char c)
{
    return isAlnum(c) || c == '+' || c == '/' || c == '=';
}

bool allOf(QByteArrayView value, qsizetype maxLength, const std::function<bool(char)> &accept)
{
    if (value.isEmpty() || value.size() > maxLength)
        return false;
    for (const char c : value) {
        if (!accept(c))
            return false;
    }
    return true;
}

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

} // namespace

QByteArray WechatPaySign::requestMessage(QByteArrayView method, QByteArrayView canonicalUrl, QByteArrayView timestamp,
                                         QByteArrayView nonce, QByteArrayView body)
{
    QByteArray message;
    message.reserve(method.size() + canonicalUrl.size() + timestamp.size() + nonce.size() + body.size() + 5);
    message.append(method).append('\n');
    message.append(canonicalUrl).append('\n');
    message.append(timestamp).append('\n');
    message.append(nonce).append('\n');
    message.append(body).append('\n');
    return message;
}

QByteArray WechatPaySign::responseMessage(QByteArrayView timestamp, QByteArrayView nonce, QByteArrayView body)
{
    QByteArray message;
    message.reserve(timestamp.size() + nonce.size() + body.size() + 3);
    message.append(timestamp).append('\n');
    message.append(nonce).append('\n');
    message.append(body).append('\n');
    return message;
}

QByteArray WechatPaySign::authorizationHeader(const WechatPayAuthorization &authorization)
{
    QByteArray header = QByteArray(Schema.data(), Schema.size());
    header.append(" mchid=\"").append(authorization.mchid);
    header.append("\",nonce_str=\"").append(authorization.nonce);
    header.append("\",timestamp=\"").append(authorization.timestamp);
    header.append("\",serial_no=\"").append(authorization.serialNo);
    header.append("\",signature=\"").append(authorization.signature);
    header.append('"');
    return header;
}

CryptoResult<WechatPayAuthorization> WechatPaySign::parseAuthorization(QByteArrayView headerValue)
{
    using Result = CryptoResult<WechatPayAuthorization>;
    if (headerValue.size() > MaxAuthorizationLength)
        return Result::failure(QStringLiteral("authorization too long"));
    const QByteArrayView schema(Schema.data(), Schema.size());
    if (!headerValue.startsWith(schema) || headerValue.size() == schema.size() || !isOws(headerValue[schema.size()]))
        return Result::failure(QStringLiteral("authorization schema is not ") + QString(Schema));

    struct Field
    {
        QByteArrayView name;
        QByteArray WechatPayAuthorization::*member;
        qsizetype maxLength;
        std::function<bool(char)> accept;
        bool seen = false;
    };
    Field fields[] = {
        {"mchid", &WechatPayAuthorization::mchid, 32, isAlnum},
        {"nonce_str", &WechatPayAuthorization::nonce, 64, [](char c) { return isAlnum(c) || c == '_' || c == '-'; }},
        {"timestamp", &WechatPayAuthorization::timestamp, 19, isDigit},
        {"serial_no", &WechatPayAuthorization::serialNo, 64, [](char c) { return isAlnum(c) || c == '_'; }},
        {"signature", &WechatPayAuthorization::signature, 1024, isBase64},
    };

    WechatPayAuthorization parsed;
    qsizetype pos = schema.size();
    const qsizetype size = headerValue.size();
    auto skipOws = [&] {
        while (pos < size && isOws(headerValue[pos]))
            ++pos;
    };
    skipOws();
    while (true) {
        const qsizetype nameStart = pos;
        while (pos < size && ((headerValue[pos] >= 'a' && headerValue[pos] <= 'z') || headerValue[pos] == '_'))
            ++pos;
        const QByteArrayView name = headerValue.sliced(nameStart, pos - nameStart);
        if (name.isEmpty() || pos + 1 >= size || headerValue[pos] != '=' || headerValue[pos + 1] != '"')
            return Result::failure(QStringLiteral("malformed authorization parameter"));
        pos += 2;
        const qsizetype valueEnd = headerValue.indexOf('"', pos);
        if (valueEnd < 0)
            return Result::failure(QStringLiteral("unterminated authorization value"));
        const QByteArrayView value = headerValue.sliced(pos, valueEnd - pos);
        pos = valueEnd + 1;

        Field *field = nullptr;
        for (Field &candidate : fields) {
            if (candidate.name == name)
                field = &candidate;
        }
        if (!field)
            return Result::failure(QStringLiteral("unknown authorization parameter ") + QString::fromLatin1(name));
        if (field->seen)
            return Result::failure(QStringLiteral("repeated authorization parameter ") + QString::fromLatin1(name));
        if (!allOf(value, field->maxLength, field->accept))
            return Result::failure(QStringLiteral("invalid authorization value for ") + QString::fromLatin1(name));
        field->seen = true;
        parsed.*(field->member) = value.toByteArray();

        skipOws();
        if (pos == size)
            break;
        if (headerValue[pos] != ',')
            return Result::failure(QStringLiteral("expected ',' between authorization values"));
        ++pos;
        skipOws();
    }
    for (const Field &field : fields) {
        if (!field.seen)
            return Result::failure(QStringLiteral("missing authorization parameter ")
                                   + QString::fromLatin1(field.name));
    }
    return Result::success(std::move(parsed));
}

CryptoResult<QByteArray> WechatPaySign::signRequest(const PrivateKey &merchantKey, WechatPayAuthorization authorization,
                                                    QByteArrayView method, QByteArrayView canonicalUrl,
                                                    QByteArrayView body)
{
    const QByteArray message = requestMessage(method, canonicalUrl, authorization.timestamp, authorization.nonce, body);
    CryptoResult<QByteArray> signature = RsaSignature::signBase64(merchantKey, message);
    if (!signature)
        return signature;
    authorization.signature = std::move(signature).value();
    return CryptoResult<QByteArray>::success(authorizationHeader(authorization));
}

} // namespace paydesk
