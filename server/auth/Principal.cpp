#include "server/auth/Principal.h"

using namespace Qt::StringLiterals;

namespace paydesk {

QString roleName(Role role)
{
    switch (role) {
    case Role::Operator: return u"operator"_s;
    case Role::MerchantAdmin: return u"merchant_admin"_s;
    case Role::PlatformAdmin: return u"platform_admin"_s;
    case Role::Auditor: return u"auditor"_s;
    }
    return {};
}

std::optional<Role> roleFromName(const QString &name)
{
    for (Role role : {Role::Operator, Role::MerchantAdmin, Role::PlatformAdmin, Role::Auditor}) {
        if (roleName(role) == name)
            return role;
    }
    return std::nullopt;
}

QString Principal::actorType() const
{
    switch (kind) {
    case Kind::Staff: return u"staff"_s;
    case Kind::ApiKey: return u"api_key"_s;
    case Kind::AppUser: return u"app_user"_s;
    }
    return {};
}

} // namespace paydesk
