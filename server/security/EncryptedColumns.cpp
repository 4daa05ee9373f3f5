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

const EncryptedColumn &EncryptedColumns::channelPrivateKey()
{
    static const EncryptedColumn column{u"channels"_s, u"id"_s, u"private_key_enc"_s};
    return column;
}

const EncryptedColumn &EncryptedColumns::channelApiV3Key()
{
    static const EncryptedColumn column{u"channels"_s, u"id"_s, u"api_v3_key_enc"_s};
    return column;
}

const EncryptedColumn &EncryptedColumns::payoutPrivateKey()
{
    static const EncryptedColumn column{u"payout_channels"_s, u"id"_s, u"private_key_enc"_s};
    return column;
}

const EncryptedColumn &EncryptedColumns::payoutApiV3Key()
{
    static const EncryptedColumn column{u"payout_channels"_s, u"id"_s, u"api_v3_key_enc"_s};
    return column;
}

const EncryptedColumn &EncryptedColumns::bankCardNumber()
{
    static const EncryptedColumn column{u"bank_cards"_s, u"id"_s, u"card_no_enc"_s};
    return column;
}

const EncryptedColumn &EncryptedColumns::bankCardHolder()
{
    static const EncryptedColumn column{u"bank_cards"_s, u"id"_s, u"holder_name_enc"_s};
    return column;
}

const QList<EncryptedColumn> &EncryptedColumns::all()
{
    static const QList<EncryptedColumn> columns{apiKeySecret(),     staffTotpSecret(), staffTotpPending(),
                                                appUserPhone(),     channelPrivateKey(), channelApiV3Key(), payoutPrivateKey(), payoutApiV3Key(),
                                                bankCardNumber(),   bankCardHolder()};
    return columns;
}

} // namespace paydesk
