#pragma once

#include <QList>
#include <QString>

namespace paydesk {

/// One column that holds FieldCipher ciphertexts, and how its values are bound to their rows.
struct EncryptedColumn
{
    QString table;
    QString primaryKey; ///< a single TEXT column
    QString column;

    /// The context (AES-GCM associated data) of the value in one row:
    /// "<table>.<column>:<primary key>", so a value copied to another row or column fails to decrypt.
    QString context(const QString &primaryKeyValue) const;
};

/// Every encrypted column in one place: key rotation re-encrypts exactly these, and code that
/// writes one of them takes its context from here. A new encrypted column is added here, with its
/// migration, or rotation would leave its values under retired keys.
class EncryptedColumns final
{
public:
    EncryptedColumns() = delete;

    static const EncryptedColumn &apiKeySecret(); ///< api_keys.secret_enc by key_id
    static const EncryptedColumn &staffTotpSecret(); ///< staff_users.totp_secret_enc by id (nullable)
    static const EncryptedColumn &staffTotpPending(); ///< staff_users.totp_pending_enc: set up, not yet confirmed
    static const EncryptedColumn &appUserPhone(); ///< app_users.phone_enc by id
    static const EncryptedColumn &channelPrivateKey(); ///< channels.private_key_enc by id
    static const EncryptedColumn &channelApiV3Key(); ///< channels.api_v3_key_enc by id (nullable)
    static const EncryptedColumn &payoutPrivateKey(); ///< payout_channels.private_key_enc by id
    static const EncryptedColumn &payoutApiV3Key(); ///< payout_channels.api_v3_key_enc by id (nullable)
    static const EncryptedColumn &bankCardNumber(); ///< bank_cards.card_no_enc by id
    static const EncryptedColumn &bankCardHolder(); ///< bank_cards.holder_name_enc by id

    static const QList<EncryptedColumn> &all();
};

} // namespace paydesk
