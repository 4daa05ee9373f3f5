#include "common/protocol/FormUrlEncoded.h"

#include <QStringDecoder>

#include <optional>

namespace paydesk {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

std::optional<QString> decodeComponent(QByteArrayView raw)
{
    QByteArray bytes;
    bytes.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '+') {
            bytes.append(' ');
        } else if (c == '%') {
            if (i + 2 >= raw.size())
                return std::nullopt;
            const int high = hexValue(raw[i + 1]);
            const int low = hexValue(raw[i + 2]);
            if (high < 0 || low < 0)
                return std::nullopt;
            bytes.append(char(high * 16 + low));
            i += 2;
        } else {
            bytes.append(c);
        }
    }
    // Strict UTF-8: a value that does not decode cleanly would be signed as one thing and
    // stored as another after replacement characters crept in. A leading BOM is kept for the
    // same reason (Qt would drop it by default).
    QStringDecoder decoder(QStringDecoder::Utf8,
                           QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

bool isUnreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
        || c == '_' || c == '~';
}

void encodeComponent(const QString &text, QByteArray &out)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        if (isUnreserved(c)) {
            out.append(c);
        } else if (c == ' ') {
            out.append('+');
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out.append('%');
            out.append(hex[byte >> 4]);
            out.append(hex[byte & 0x0f]);
        }
    }
}

} // namespace

CryptoResult<FormFields> FormUrlEncoded::parse(QByteArrayView body)
{
    using Result = CryptoResult<FormFields>;
    if (body.size() > MaxBodySize)
        return Result::failure(QStringLiteral("form body too large"));
    FormFields fields;
    qsizetype start = 0;
    while (start <= body.size()) {
        qsizetype end = body.indexOf('&', start);
        if (end < 0)
            end = body.size();
        const QByteArrayView segment = body.sliced(start, end - start);
        start = end + 1;
        if (segment.isEmpty())
            continue;
        if (fields.size() >= MaxFields)
            return Result::failure(QStringLiteral("too many form fields"));
        const qsizetype equals = segment.indexOf('=');
        const QByteArrayView rawName = equals < 0 ? segment : segment.first(equals);
        const QByteArrayView rawValue = equals < 0 ? QByteArrayView() : segment.sliced(equals + 1);
        std::optional<QString> name = decodeComponent(rawName);
        std::optional<QString> value = decodeComponent(rawValue);
        if (!name || !value)
            return Result::failure(QStringLiteral("malformed form field near byte %1").arg(end - segment.size()));
        fields.append({std::move(*name), std::move(*value)});
    }
    return Result::success(std::move(fields));
}

QByteArray FormUrlEncoded::encode(const FormFields &fields)
{
    QByteArray out;
    for (const auto &[name, value] : fields) {
        if (!out.isEmpty())
            out.append('&');
        encodeComponent(name, out);
        out.append('=');
        encodeComponent(value, out);
    }
    return out;
}

} // namespace paydesk
