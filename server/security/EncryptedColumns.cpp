#include "server/security/EncryptedColumns.h"

using namespace Qt::StringLiterals;

namespace paydesk {

QString EncryptedColumn::context(const QString &primaryKeyValue) const
{
    return table + u'.' + column + u':' + primaryKeyValue;
}

const EncryptedColumn &EncryptedColumns::apiKeySecret()
{
    static const EncryptedColumn column{u"api_keys"_s, u"key_id"_s, u"secret_enc"_s};
    return column;
}

const EncryptedColumn &EncryptedColumns::staffTotpSecret()
{
    static const EncryptedColumn column{u"staff_users"_s, u"id"_s, u"totp_secret_enc"_s};
    return column;
}

const EncryptedColumn &EncryptedColumns::staffTotpPending()
{
    static const EncryptedColumn column{u"staff_users"_s, u"id"_s, u"totp_pending_enc"_s};
    return column;
}

const EncryptedColumn &EncryptedColumns::appUserPhone()
{
    static const EncryptedColumn column{u"app_users"_s, u"id"_s, u"phone_enc"_s};
    return column;
}

const QList<EncryptedColumn> &EncryptedColumns::all()
{
    static const QList<EncryptedColumn> columns{apiKeySecret(), staffTotpSecret(), staffTotpPending(), appUserPhone()};
    return columns;
}

} // namespace paydesk
