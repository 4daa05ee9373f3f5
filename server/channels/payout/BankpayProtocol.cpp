#include "server/channels/payout/BankpayProtocol.h"

#include "common/crypto/RsaSignature.h"
#include "common/protocol/AlipaySignContent.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace paydesk {

CryptoResult<QByteArray> BankpayProtocol::signContent(const QJsonObject &object)
{
    using Result = CryptoResult<QByteArray>;
    static const QRegularExpression name(u"^[a-z0-9_]{1,64}$"_s);
    if (object.size() > MaxFields)
        return Result::failure(u"more than %1 fields"_s.arg(MaxFields));
    FormFields fields;
    fields.reserve(object.size());
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!name.match(it.key()).hasMatch())
            return Result::failure(u"field name \"%1\" is not [a-z0-9_]{1,64}"_s.arg(it.key().left(64)));
        // Numbers and nested objects have no single text form: only strings are signed.
        if (!it.value().isString())
            return Result::failure(u"field %1 is not a string"_s.arg(it.key()));
        if (it.value().toString().size() > MaxValueLength)
            return Result::failure(u"field %1 is longer than %2 characters"_s.arg(it.key()).arg(MaxValueLength));
        fields.append({it.key(), it.value().toString()});
    }
    return AlipaySignContent::forRequest(fields);
}

CryptoResult<QJsonObject> BankpayProtocol::sign(const PrivateKey &key, QJsonObject object)
{
    object.remove(u"sign"_s);
    object.insert(u"sign_type"_s, QString(SignType));
    const CryptoResult<QByteArray> content = signContent(object);
    if (!content)
        return CryptoResult<QJsonObject>::failure(content.error());
    const CryptoResult<QByteArray> signature = RsaSignature::signBase64(key, *content);
    if (!signature)
        return CryptoResult<QJsonObject>::failure(signature.error());
    object.insert(u"sign"_s, QString::fromLatin1(*signature));
    return CryptoResult<QJsonObject>::success(object);
}

QString BankpayProtocol::verify(const PublicKey &key, const QJsonObject &object)
{
    if (object.value(u"sign_type"_s).toString() != SignType)
        return u"sign_type is not RSA2"_s;
    const QString signature = object.value(u"sign"_s).toString();
    if (signature.isEmpty())
        return u"no sign"_s;
    const CryptoResult<QByteArray> content = signContent(object);
    if (!content)
        return content.error();
    if (!RsaSignature::verifyBase64(key, *content, signature.toLatin1()))
        return u"bad signature"_s;
    return {};
}

QString BankpayProtocol::checkTimestamp(const QJsonObject &object, qint64 nowSeconds)
{
    const QString text = object.value(u"timestamp"_s).toString();
    static const QRegularExpression digits(u"^[0-9]{1,12}$"_s);
    if (!digits.match(text).hasMatch())
        return u"malformed timestamp"_s;
    const qint64 skew = nowSeconds - text.toLongLong();
    if (skew >= MaxClockSkewSeconds || skew <= -MaxClockSkewSeconds)
        return u"timestamp %1 is %2 s away from our clock"_s.arg(text).arg(skew);
    return {};
}

std::optional<QJsonObject> BankpayProtocol::parse(const QByteArray &body, QString *why)
{
    if (body.size() > MaxMessageBytes) {
        *why = u"the message is larger than %1 bytes"_s.arg(MaxMessageBytes);
        return std::nullopt;
    }
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        *why = u"the message is not a JSON object"_s;
        return std::nullopt;
    }
    return document.object();
}

QByteArray BankpayProtocol::serialize(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString BankpayProtocol::keyIdOf(const PublicKey &key)
{
    return QString::fromLatin1(QCryptographicHash::hash(key.toDer(), QCryptographicHash::Sha256).toHex().left(16))
        .toUpper();
}

} // namespace paydesk
