#pragma once

#include "server/auth/SecurityConfig.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace paydesk {

class Database;
class FieldCipher;
class IdGenerator;

/// API keys of merchant back ends: a public key id and a secret shown once at creation. The
/// secret is stored encrypted with the field key (it must be recoverable to check HMACs).
class ApiKeyService final
{
public:
    static constexpr int kMaxActiveKeysPerMerchant = 10;

    ApiKeyService(Database &database, FieldCipher &cipher, IdGenerator &ids, Clock clock);

    struct Created
    {
        QString keyId;
        QString secret; ///< returned to the caller once, never stored in clear
        QString label;
        qint64 createdAt = 0;
    };
    /// Inside a writer unit. Throws ApiError (NOT_FOUND merchant, CONFLICT too many keys).
    Created create(const QSqlDatabase &db, const QString &merchantId, const QString &label) const;
    /// Inside a writer unit; false when the key does not exist for that merchant.
    bool revoke(const QSqlDatabase &db, const QString &merchantId, const QString &keyId) const;
    /// Key ids, labels and states of one merchant (never secrets).
    QJsonArray list(const QString &merchantId) const;

    struct Active
    {
        QString merchantId;
        QByteArray secret;
    };
    /// The secret of an active key of an active merchant, for checking a signature.
    std::optional<Active> lookup(const QString &keyId) const;

    static QString secretContext(const QString &keyId);

private:
    Database &m_database;
    FieldCipher &m_cipher;
    IdGenerator &m_ids;
    Clock m_clock;
};

} // namespace paydesk
