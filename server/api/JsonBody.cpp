#include "server/api/JsonBody.h"
#include "common/util/Patterns.h"

#include "common/protocol/ApiError.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace paydesk {

JsonBody::JsonBody(const HttpRequest &request, const QStringList &allowedFields) : m_object(request.jsonObject())
{
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        if (!allowedFields.contains(it.key())) {
            throw ApiError(ErrorCode::ValidationFailed, u"Unknown field \"%1\"."_s.arg(it.key().left(64)),
                           QJsonObject{{u"field"_s, it.key().left(64)}});
        }
    }
}

QString JsonBody::string(const QString &field, bool required, qsizetype maxLength) const
{
    const QJsonValue value = m_object.value(field);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            throw ApiError(ErrorCode::ValidationFailed, u"\"%1\" is required."_s.arg(field),
                           QJsonObject{{u"field"_s, field}});
        return {};
    }
    if (!value.isString())
        throw ApiError(ErrorCode::ValidationFailed, u"\"%1\" must be a string."_s.arg(field),
                       QJsonObject{{u"field"_s, field}});
    const QString text = value.toString();
    if (required && text.isEmpty())
        throw ApiError(ErrorCode::ValidationFailed, u"\"%1\" must not be empty."_s.arg(field),
                       QJsonObject{{u"field"_s, field}});
    if (text.size() > maxLength) {
        throw ApiError(ErrorCode::ValidationFailed, u"\"%1\" is longer than %2 characters."_s.arg(field).arg(maxLength),
                       QJsonObject{{u"field"_s, field}});
    }
    return text;
}

QString JsonBody::matching(const QString &field, bool required, const QString &pattern,
                           const QString &description) const
{
    const QString text = string(field, required, 256);
    if (text.isEmpty() && !required)
        return text;
    if (!matchesWhole(text, pattern)) {
        throw ApiError(ErrorCode::ValidationFailed, u"\"%1\" must be %2."_s.arg(field, description),
                       QJsonObject{{u"field"_s, field}});
    }
    return text;
}

} // namespace paydesk
