#pragma once

#include "server/audit/AuditLog.h"
#include "server/http/HttpMessage.h"

#include "common/protocol/ApiError.h"
#include "server/payments/FlowSupport.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QUrlQuery>

namespace paydesk {

/// An audit row for what the request's principal did, with its address and request id.
inline AuditEntry auditEntryFor(const HttpRequest &request, qint64 nowMs, const QString &action,
                                const QString &targetType, const QString &targetId, const QJsonObject &details = {})
{
    AuditEntry entry;
    entry.at = nowMs;
    if (request.principal) {
        entry.actorType = request.principal->actorType();
        entry.actorId = request.principal->id;
    }
    entry.action = action;
    entry.targetType = targetType;
    entry.targetId = targetId;
    entry.details = details;
    entry.address = request.peer.toString();
    entry.requestId = request.requestId;
    return entry;
}

// The merchant a console read is about: merchant staff always their own; platform staff (admins,
// auditors) every merchant, or the one merchant_id names.
inline QString merchantScope(const Principal &principal, const QUrlQuery &query)
{
    const QString asked = query.queryItemValue(QStringLiteral("merchant_id"), QUrl::FullyDecoded);
    if (query.hasQueryItem(QStringLiteral("merchant_id"))) {
        static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
        if (!pattern.match(asked).hasMatch())
            flows::invalid(QStringLiteral("merchant_id"), QStringLiteral("merchant_id must be 1 to 64 characters of [A-Za-z0-9_-]."));
    }
    if (principal.isPlatformWide())
        return asked;
    if (principal.merchantId.isEmpty())
        throw ApiError(ErrorCode::Forbidden, QStringLiteral("Your account belongs to no merchant."));
    if (!asked.isEmpty() && asked != principal.merchantId)
        throw ApiError(ErrorCode::Forbidden, QStringLiteral("Merchant staff see only their own merchant."),
                       QJsonObject{{QStringLiteral("field"), QStringLiteral("merchant_id")}});
    return principal.merchantId;
}

} // namespace paydesk
