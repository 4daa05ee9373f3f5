#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace paydesk {

/// What a staff user may do; operators and merchant admins belong to one merchant.
enum class Role { Operator, MerchantAdmin, PlatformAdmin, Auditor };

QString roleName(Role role);
std::optional<Role> roleFromName(const QString &name);

/// Who sent a request, as established by authentication.
struct Principal
{
    enum class Kind { Staff, ApiKey, AppUser };

    Kind kind = Kind::Staff;
    QString id; ///< staff user id, API key id or app user id
    QString merchantId; ///< the merchant of an operator, merchant admin or API key; empty otherwise
    std::optional<Role> role; ///< staff only
    QString sessionHash; ///< bearer sessions: SHA-256 hex of the token, to end the session
    bool mustChangePassword = false; ///< staff signed in with a one-time password

    bool isStaff() const { return kind == Kind::Staff; }
    bool hasRole(Role wanted) const { return role && *role == wanted; }
    /// Platform admins and auditors see every merchant's data.
    bool isPlatformWide() const { return hasRole(Role::PlatformAdmin) || hasRole(Role::Auditor); }
    /// True when this principal may see data of the given merchant.
    bool canSeeMerchant(const QString &otherMerchantId) const
    {
        return isPlatformWide() || (!merchantId.isEmpty() && merchantId == otherMerchantId);
    }
    /// "staff", "api_key" or "app_user": the actor type in the audit log.
    QString actorType() const;
};

} // namespace paydesk
