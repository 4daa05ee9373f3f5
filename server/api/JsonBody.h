#pragma once

#include "server/http/HttpMessage.h"

#include <QJsonObject>
#include <QStringList>

namespace paydesk {

/// Strict reading of a JSON request body: an object with only the allowed fields, each of the
/// expected type and size. Every problem is ApiError VALIDATION_FAILED naming the field.
class JsonBody final
{
public:
    JsonBody(const HttpRequest &request, const QStringList &allowedFields);

    /// A string field; required ones must be present and non-empty. Trimmed of nothing.
    QString string(const QString &field, bool required, qsizetype maxLength) const;
    /// A string matching a pattern (anchored), e.g. codes and usernames.
    QString matching(const QString &field, bool required, const QString &pattern, const QString &description) const;
    bool has(const QString &field) const { return m_object.contains(field); }
    const QJsonObject &object() const { return m_object; }

private:
    QJsonObject m_object;
};

} // namespace paydesk
