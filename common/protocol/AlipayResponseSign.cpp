#include "common/protocol/AlipayResponseSign.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QList>
#include <QVarLengthArray>

#include <optional>

namespace paydesk {

namespace {

// Minimal structural JSON scanner over the raw body: it finds where values start and end so the
// signed bytes can be cut out verbatim. Full validation is left to QJsonDocument afterwards.
class RawJsonScanner final
{
public:
    explicit RawJsonScanner(QByteArrayView text) : m_text(text) { }

    qsizetype position() const { return m_pos; }
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text[m_pos]; }
    void advance() { ++m_pos; }

    void skipWhitespace()
    {
        while (!atEnd()) {
            const char c = peek();
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
                break;
            ++m_pos;
        }
    }

    // At an opening quote: moves past the closing quote. Control characters are invalid
    // inside JSON strings, and a backslash always consumes the next byte.
    bool skipString()
    {
        if (peek() != '"')
            return false;
        ++m_pos;
        while (!atEnd()) {
            const char c = m_text[m_pos++];
            if (c == '"')
                return true;
            if (static_cast<unsigned char>(c) < 0x20)
                return false;
            if (c == '\\') {
                if (atEnd())
                    return false;
                ++m_pos;
            }
        }
        return false;
    }

    // Any value: an object or array by bracket matching (strings skipped), a string, or a
    // bare literal (number, true, false, null).
    bool skipValue(int maxDepth)
    {
        const char first = peek();
        if (first == '"')
            return skipString();
        if (first == '{' || first == '[') {
            QVarLengthArray<char, 32> closers;
            while (!atEnd()) {
                const char c = peek();
                if (c == '"') {
                    if (!skipString())
                        return false;
                    continue;
                }
                ++m_pos;
                if (c == '{' || c == '[') {
                    if (closers.size() >= maxDepth)
                        return false;
                    closers.append(c == '{' ? '}' : ']');
                } else if (c == '}' || c == ']') {
                    if (closers.isEmpty() || closers.last() != c)
                        return false;
                    closers.removeLast();
                    if (closers.isEmpty())
                        return true;
                }
            }
            return false;
        }
        const qsizetype start = m_pos;
        while (!atEnd()) {
            const char c = peek();
            const bool literal
                = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' || c == 'E';
            if (!literal)
                break;
            ++m_pos;
        }
        return m_pos > start;
    }

    QByteArrayView slice(qsizetype from, qsizetype to) const { return m_text.sliced(from, to - from); }

private:
    QByteArrayView m_text;
    qsizetype m_pos = 0;
};

// Decodes a raw JSON string token (with quotes) using Qt's parser, escapes included.
std::optional<QString> decodeJsonString(QByteArrayView token)
{
    QByteArray wrapped;
    wrapped.reserve(token.size() + 2);
    wrapped.append('[').append(token.toByteArray()).append(']');
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError || !document.isArray() || document.array().size() != 1
        || !document.array().at(0).isString())
        return std::nullopt;
    return document.array().at(0).toString();
}

struct TopLevelMember
{
    QString key;
    QByteArrayView rawValue;
};

} // namespace

QString AlipayResponseSign::responseKeyFor(QStringView method)
{
    QString key = method.toString();
    key.replace(u'.', u'_');
    return key + QStringLiteral("_response");
}

CryptoResult<AlipaySignedResponse> AlipayResponseSign::extract(QByteArrayView body, QStringView expectedKey)
{
    using Result = CryptoResult<AlipaySignedResponse>;
    if (body.size() > MaxBodySize)
        return Result::failure(QStringLiteral("response too large"));

    RawJsonScanner scanner(body);
    scanner.skipWhitespace();
    if (scanner.peek() != '{')
        return Result::failure(QStringLiteral("response is not a JSON object"));
    scanner.advance();

    QList<TopLevelMember> members;
    scanner.skipWhitespace();
    if (scanner.peek() == '}') {
        scanner.advance();
    } else {
        while (true) {
            scanner.skipWhitespace();
            const qsizetype keyStart = scanner.position();
            if (!scanner.skipString())
                return Result::failure(QStringLiteral("malformed key in response"));
            const std::optional<QString> key = decodeJsonString(scanner.slice(keyStart, scanner.position()));
            if (!key)
                return Result::failure(QStringLiteral("malformed key in response"));
            scanner.skipWhitespace();
            if (scanner.peek() != ':')
                return Result::failure(QStringLiteral("missing ':' in response"));
            scanner.advance();
            scanner.skipWhitespace();
            const qsizetype valueStart = scanner.position();
            if (!scanner.skipValue(MaxDepth))
                return Result::failure(QStringLiteral("malformed value for ") + *key);
            for (const TopLevelMember &member : std::as_const(members)) {
                if (member.key == *key)
                    return Result::failure(QStringLiteral("repeated key in response: ") + *key);
            }
            members.append({*key, scanner.slice(valueStart, scanner.position())});
            scanner.skipWhitespace();
            if (scanner.peek() == ',') {
                scanner.advance();
                continue;
            }
            if (scanner.peek() == '}') {
                scanner.advance();
                break;
            }
            return Result::failure(QStringLiteral("expected ',' or '}' in response"));
        }
    }
    scanner.skipWhitespace();
    if (!scanner.atEnd())
        return Result::failure(QStringLiteral("trailing bytes after the response object"));

    auto findMember = [&members](QStringView key) -> const TopLevelMember * {
        for (const TopLevelMember &member : members) {
            if (member.key == key)
                return &member;
        }
        return nullptr;
    };

    const TopLevelMember *response = nullptr;
    if (!expectedKey.isEmpty()) {
        response = findMember(expectedKey);
        if (!response)
            response = findMember(u"error_response");
    } else {
        for (const TopLevelMember &member : std::as_const(members)) {
            if (!member.key.endsWith(u"_response"))
                continue;
            if (response)
                return Result::failure(QStringLiteral("more than one *_response key"));
            response = &member;
        }
    }
    if (!response)
        return Result::failure(QStringLiteral("no response key in body"));
    const char first = response->rawValue.isEmpty() ? '\0' : response->rawValue.front();
    if (first != '{' && first != '"')
        return Result::failure(QStringLiteral("response value is neither object nor string"));

    AlipaySignedResponse parts;
    parts.responseKey = response->key;
    parts.signedContent = response->rawValue.toByteArray();
    if (const TopLevelMember *sign = findMember(u"sign")) {
        const std::optional<QString> value = decodeJsonString(sign->rawValue);
        if (!value)
            return Result::failure(QStringLiteral("sign is not a string"));
        parts.sign = value->toLatin1();
        if (QString::fromLatin1(parts.sign) != *value)
            return Result::failure(QStringLiteral("sign is not base64"));
    }
    if (const TopLevelMember *certSn = findMember(u"alipay_cert_sn")) {
        const std::optional<QString> value = decodeJsonString(certSn->rawValue);
        if (!value)
            return Result::failure(QStringLiteral("alipay_cert_sn is not a string"));
        parts.alipayCertSn = *value;
    }
    return Result::success(std::move(parts));
}

} // namespace paydesk
