#include "server/auth/ApiKeyService.h"

#include "common/crypto/Random.h"
#include "common/protocol/ApiError.h"
#include "common/util/IdGenerator.h"
#include "server/security/EncryptedColumns.h"
#include "server/security/FieldCipher.h"
#include "server/store/Database.h"
#include "server/store/Sql.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace paydesk {

ApiKeyService::ApiKeyService(Database &database, FieldCipher &cipher, IdGenerator &ids, Clock clock)
    : m_database(database), m_cipher(cipher), m_ids(ids), m_clock(std::move(clock))
{
}

QString ApiKeyService::secretContext(const QString &keyId)
{
    return EncryptedColumns::apiKeySecret().context(keyId);
}

ApiKeyService::Created ApiKeyService::create(const QSqlDatabase &db, const QString &merchantId,
                                             const QString &label) const
{
    QSqlQuery merchant = sqlExec(db, u"SELECT status FROM merchants WHERE id = ?"_s, {merchantId});
    if (!merchant.next())
        throw ApiError(ErrorCode::NotFound, u"No such merchant."_s);
    QSqlQuery count
        = sqlExec(db, u"SELECT COUNT(*) FROM api_keys WHERE merchant_id = ? AND status = 'ACTIVE'"_s, {merchantId});
    if (count.next() && count.value(0).toInt() >= kMaxActiveKeysPerMerchant) {
        throw ApiError(
            ErrorCode::Conflict,
            u"A merchant may have at most %1 active keys; revoke one first."_s.arg(kMaxActiveKeysPerMerchant));
    }
    Created created;
    created.keyId = m_ids.next();
    created.secret = Random::token(32);
    created.label = label;
    created.createdAt = m_clock();
    const QString secretEnc = m_cipher.encrypt(created.secret.toUtf8(), secretContext(created.keyId));
    sqlExec(db,
            u"INSERT INTO api_keys (key_id, merchant_id, label, secret_enc, status, created_at)"
            " VALUES (?, ?, ?, ?, 'ACTIVE', ?)"_s,
            {created.keyId, merchantId, label, secretEnc, created.createdAt});
    return created;
}

bool ApiKeyService::revoke(const QSqlDatabase &db, const QString &merchantId, const QString &keyId) const
{
    QSqlQuery query = sqlExec(db,
                              u"UPDATE api_keys SET status = 'REVOKED', revoked_at = ?"
                              " WHERE key_id = ? AND merchant_id = ? AND status = 'ACTIVE'"_s,
                              {m_clock(), keyId, merchantId});
    if (query.numRowsAffected() == 1)
        return true;
    QSqlQuery exists
        = sqlExec(db, u"SELECT 1 FROM api_keys WHERE key_id = ? AND merchant_id = ?"_s, {keyId, merchantId});
    return exists.next(); // revoking twice is not an error
}

QJsonArray ApiKeyService::list(const QString &merchantId) const
{
    QSqlQuery query = sqlExec(m_database.threadConnection(),
                              u"SELECT key_id, label, status, created_at, revoked_at FROM api_keys"
                              " WHERE merchant_id = ? ORDER BY created_at, key_id"_s,
                              {merchantId});
    QJsonArray keys;
    while (query.next()) {
        QJsonObject key{{u"key_id"_s, query.value(0).toString()},
                        {u"label"_s, query.value(1).toString()},
                        {u"status"_s, query.value(2).toString()},
                        {u"created_at"_s, query.value(3).toLongLong()}};
        if (!query.value(4).isNull())
            key.insert(u"revoked_at"_s, query.value(4).toLongLong());
        keys.append(key);
    }
    return keys;
}

std::optional<ApiKeyService::Active> ApiKeyService::lookup(const QString &keyId) const
{
    QSqlQuery query
        = sqlExec(m_database.threadConnection(),
                  u"SELECT k.merchant_id, k.secret_enc FROM api_keys k JOIN merchants m ON m.id = k.merchant_id"
                  " WHERE k.key_id = ? AND k.status = 'ACTIVE' AND m.status = 'ACTIVE'"_s,
                  {keyId});
    if (!query.next())
        return std::nullopt;
    const std::optional<QByteArray> secret = m_cipher.decrypt(query.value(1).toString(), secretContext(keyId));
    if (!secret)
        return std::nullopt;
    return Active{query.value(0).toString(), *secret};
}

} // namespace paydesk
