#pragma once

#include "server/audit/AuditLog.h"
#include "server/http/HttpMessage.h"

#include <QJsonObject>

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

} // namespace paydesk
