// Field encryption on both backends: AES-256-GCM values bound to their row and column, keyed
// lookup hashes, key rotation with re-encryption of every registered column, and plaintext that
// never reaches the database.
#include "StoreFixture.h"

#include "server/security/EncryptedColumns.h"
#include "server/security/FieldCipher.h"
#include "server/security/KeyRotation.h"
#include "server/store/Migrator.h"
#include "server/store/Sql.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace paydesk;
using namespace paydesk::test;

namespace {

int modeOf(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 0777);
}

QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

FieldKey fixedKey(const QString &id, char fill)
{
    return FieldKey{id, QByteArray(FieldCipher::KeyBytes, fill)};
}

// Replaces one base64url character of a part of a ciphertext ("v1.id.nonce.sealed") with another
// valid one, so that the value still parses but its bytes differ.
QString alterPart(const QString &ciphertext, int part, int index)
{
    QStringList parts = ciphertext.split(u'.');
    QString &text = parts[part];
    text[index] = text.at(index) == u'A' ? u'B' : u'A';
    return parts.join(u'.');
}

// One row of each registered column, as the services write them.
struct SeededValues
{
    QHash<QString, QByteArray> apiSecrets; // key_id -> secret
    QHash<QString, QByteArray> totpSecrets; // staff id -> secret (only staff with TOTP)
    QHash<QString, QByteArray> phones; // app user id -> phone
};

} // namespace

class tst_FieldCipher : public QObject
{
    Q_OBJECT

private:
    StoreFixture m_fixture;

    static void seed(Database &database, const FieldCipher &cipher, SeededValues &values, int apiKeys = 3)
    {
        const QSqlDatabase db = database.threadConnection();
        sqlExec(db,
                u"INSERT INTO merchants (id, code, name, status, created_at, updated_at)"
                " VALUES ('M1', 'm1', 'Merchant One', 'ACTIVE', 1, 1)"_s);
        for (int i = 0; i < apiKeys; ++i) {
            const QString keyId = u"AK%1"_s.arg(i, 3, 10, QChar(u'0'));
            const QByteArray secret = "api-secret-" + QByteArray::number(i) + "-Zq8pW2";
            values.apiSecrets.insert(keyId, secret);
            sqlExec(db,
                    u"INSERT INTO api_keys (key_id, merchant_id, label, secret_enc, status, created_at)"
                    " VALUES (?, 'M1', 'key', ?, 'ACTIVE', 1)"_s,
                    {keyId, cipher.encrypt(secret, EncryptedColumns::apiKeySecret().context(keyId))});
        }
        const QByteArray totp = "totp-secret-Jx7RkQ";
        values.totpSecrets.insert(u"S1"_s, totp);
        sqlExec(db,
                u"INSERT INTO staff_users (id, username, display_name, password_hash, role, status, totp_secret_enc,"
                " created_at, updated_at) VALUES ('S1', 'alice', 'Alice', 'x', 'platform_admin', 'ACTIVE', ?, 1, 1)"_s,
                {cipher.encrypt(totp, EncryptedColumns::staffTotpSecret().context(u"S1"_s))});
        // A staff user without a second factor: NULL stays NULL through rotation.
        sqlExec(db,
                u"INSERT INTO staff_users (id, username, display_name, password_hash, role, status, created_at,"
                " updated_at) VALUES ('S2', 'bob', 'Bob', 'x', 'auditor', 'ACTIVE', 1, 1)"_s);
        for (const auto &[id, phone] :
             {std::pair{u"U1"_s, QByteArray("+8613912345678")}, std::pair{u"U2"_s, QByteArray("+8613887654321")}}) {
            values.phones.insert(id, phone);
            sqlExec(db,
                    u"INSERT INTO app_users (id, phone_hash, phone_enc, phone_masked, status, created_at, updated_at)"
                    " VALUES (?, ?, ?, '139****5678', 'ACTIVE', 1, 1)"_s,
                    {id, cipher.lookupHash(u"phone", QString::fromLatin1(phone)),
                     cipher.encrypt(phone, EncryptedColumns::appUserPhone().context(id))});
        }
    }

    // Every stored value of every registered column, by context.
    static QHash<QString, QString> storedValues(Database &database)
    {
        QHash<QString, QString> values;
        for (const EncryptedColumn &column : EncryptedColumns::all()) {
            QSqlQuery query = sqlExec(
                database.threadConnection(),
                u"SELECT %1, %2 FROM %3 WHERE %2 IS NOT NULL"_s.arg(column.primaryKey, column.column, column.table));
            while (query.next())
                values.insert(column.context(query.value(0).toString()), query.value(1).toString());
        }
        return values;
    }

    static void verifyDecryptsTo(const FieldCipher &cipher, Database &database, const SeededValues &expected)
    {
        const QHash<QString, QString> stored = storedValues(database);
        QCOMPARE(stored.size(), expected.apiSecrets.size() + expected.totpSecrets.size() + expected.phones.size());
        const auto check = [&](const EncryptedColumn &column, const QHash<QString, QByteArray> &plain) {
            for (auto it = plain.cbegin(); it != plain.cend(); ++it) {
                const QString context = column.context(it.key());
                const CryptoResult<QByteArray> decrypted = cipher.decryptWithReason(stored.value(context), context);
                QVERIFY2(decrypted.ok(), qPrintable(context + u": "_s + decrypted.error()));
                QCOMPARE(*decrypted, it.value());
            }
        };
        check(EncryptedColumns::apiKeySecret(), expected.apiSecrets);
        check(EncryptedColumns::staffTotpSecret(), expected.totpSecrets);
        check(EncryptedColumns::appUserPhone(), expected.phones);
    }

    static qint64 total(const QList<ReencryptCount> &counts, qint64 ReencryptCount::*field)
    {
        qint64 sum = 0;
        for (const ReencryptCount &count : counts)
            sum += count.*field;
        return sum;
    }

    static const ReencryptCount *countFor(const QList<ReencryptCount> &counts, const QString &table)
    {
        for (const ReencryptCount &count : counts) {
            if (count.table == table)
                return &count;
        }
        return nullptr;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fixture.setUp(&error), qPrintable(error));
    }

    void valuesRoundTripAndEveryEncryptionIsFresh()
    {
        QTemporaryDir dataDir;
        QString error;
        const auto cipher = FieldCipher::load(dataDir.path(), &error);
        QVERIFY2(cipher, qPrintable(error));
        const QString context = EncryptedColumns::apiKeySecret().context(u"AK1"_s);
        for (const QByteArray &plaintext :
             {QByteArray(), QByteArray("s"), QByteArray("\x00\x01\xff binary", 10), QString(u"密钥 ✓"_s).toUtf8(),
              QByteArray(FieldCipher::MaxPlaintextBytes, 'x')}) {
            const QString ciphertext = cipher->encrypt(plaintext, context);
            QVERIFY(ciphertext.startsWith(u"v1."_s + cipher->currentKeyId() + u'.'));
            QVERIFY(!ciphertext.contains(u'=') && !ciphertext.contains(u'+') && !ciphertext.contains(u'/'));
            QCOMPARE(FieldCipher::keyIdOf(ciphertext), cipher->currentKeyId());
            QVERIFY(cipher->isUnderCurrentKey(ciphertext));
            QCOMPARE(cipher->decrypt(ciphertext, context), std::optional<QByteArray>(plaintext));
            // A fresh nonce each time: equal plaintexts are not recognisable in the database.
            QVERIFY(cipher->encrypt(plaintext, context) != ciphertext);
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, cipher->encrypt("x", QString()));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 cipher->encrypt(QByteArray(FieldCipher::MaxPlaintextBytes + 1, 'x'), context));
    }

    void keyFilesAreCreatedOwnerOnlyAndReused()
    {
        QTemporaryDir dataDir;
        QString error;
        const auto first = FieldCipher::load(dataDir.path(), &error);
        QVERIFY2(first, qPrintable(error));
        const QDir keys(dataDir.filePath(u"keys"_s));
        QCOMPARE(modeOf(keys.path()), 0700);
        QCOMPARE(modeOf(keys.filePath(u"field.key"_s)), 0600);
        QCOMPARE(modeOf(keys.filePath(u"lookup.key"_s)), 0600);
        const QByteArray lookupFile = contentsOf(keys.filePath(u"lookup.key"_s));

        const auto second = FieldCipher::load(dataDir.path(), &error);
        QVERIFY2(second, qPrintable(error));
        QCOMPARE(second->currentKeyId(), first->currentKeyId());
        QCOMPARE(contentsOf(keys.filePath(u"lookup.key"_s)), lookupFile);
        const QString context = u"app_users.phone_enc:U1"_s;
        QCOMPARE(second->decrypt(first->encrypt("13912345678", context), context),
                 std::optional<QByteArray>("13912345678"));
        QCOMPARE(second->lookupHash(u"phone", u"13912345678"), first->lookupHash(u"phone", u"13912345678"));
    }

    void damagedKeyFilesAreErrorsAndLeftAlone_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("contents");
        QTest::newRow("lookup key garbage") << u"lookup.key"_s << QByteArray("garbage");
        QTest::newRow("lookup key too short")
            << u"lookup.key"_s << QByteArray("key: " + QByteArray(16, 'k').toBase64());
        QTest::newRow("retired key garbage") << u"retired/fk1.key"_s << QByteArray("garbage");
        QTest::newRow("retired key misnamed")
            << u"retired/fk1.key"_s << QByteArray("key-id: fk2\nkey: " + QByteArray(32, 'k').toBase64());
    }

    void damagedKeyFilesAreErrorsAndLeftAlone()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, contents);
        QTemporaryDir dataDir;
        const QString path = dataDir.filePath(u"keys/"_s + file);
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(contents);
        out.close();
        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner));
        QString error;
        QVERIFY(!FieldCipher::load(dataDir.path(), &error));
        QVERIFY2(error.contains(QFileInfo(path).fileName()), qPrintable(error));
        QCOMPARE(contentsOf(path), contents);
    }

    void alteredValuesAreRejected_data()
    {
        QTest::addColumn<QString>("ciphertext");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("reason");

        const FieldCipher cipher(fixedKey(u"fkB"_s, 'b'), {fixedKey(u"fkA"_s, 'a')}, QByteArray(32, 'l'));
        const QString context = EncryptedColumns::apiKeySecret().context(u"AK1"_s);
        const QString good = cipher.encrypt("the secret", context);
        const QStringList parts = good.split(u'.');
        QCOMPARE(parts.size(), 4);

        QTest::newRow("other row") << good << EncryptedColumns::apiKeySecret().context(u"AK2"_s) << u"another row"_s;
        QTest::newRow("other column") << good << u"api_keys.label:AK1"_s << u"another row"_s;
        QTest::newRow("empty context") << good << QString() << u"another row"_s;
        QTest::newRow("ciphertext byte") << alterPart(good, 3, 2) << context << u"altered"_s;
        QTest::newRow("tag byte") << alterPart(good, 3, parts.at(3).size() - 3) << context << u"altered"_s;
        QTest::newRow("nonce byte") << alterPart(good, 2, 0) << context << u"altered"_s;
        QTest::newRow("other known key id")
            << u"v1.fkA."_s + parts.at(2) + u'.' + parts.at(3) << context << u"altered"_s;
        QTest::newRow("unknown key id") << u"v1.fkZ."_s + parts.at(2) + u'.' + parts.at(3) << context
                                        << u"unknown field key fkZ"_s;
        QTest::newRow("key id with a space")
            << u"v1.fk B."_s + parts.at(2) + u'.' + parts.at(3) << context << u"well-formed"_s;
        const auto base64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
        const QByteArray sealed = QByteArray::fromBase64(parts.at(3).toLatin1(), base64Url);
        QTest::newRow("last byte cut off")
            << u"v1.fkB."_s + parts.at(2) + u'.' + QString::fromLatin1(sealed.chopped(1).toBase64(base64Url)) << context
            << u"altered"_s;
        QTest::newRow("shorter than a tag") << u"v1.fkB."_s + parts.at(2) + u".AAAA"_s << context << u"well-formed"_s;
        QTest::newRow("short nonce") << u"v1.fkB.AAAA."_s + parts.at(3) << context << u"well-formed"_s;
        QTest::newRow("padded base64") << good + u"=="_s << context << u"well-formed"_s;
        QTest::newRow("standard base64 alphabet")
            << u"v1.fkB."_s + parts.at(2) + u'.' + QString(parts.at(3)).replace(0, 1, u'+') << context
            << u"well-formed"_s;
        QTest::newRow("version 2") << u"v2"_s + good.mid(2) << context << u"not a v1"_s;
        QTest::newRow("plaintext") << u"the secret"_s << context << u"not a v1"_s;
        QTest::newRow("empty") << QString() << context << u"not a v1"_s;
        QTest::newRow("no key id") << u"v1."_s + parts.at(2) + u'.' + parts.at(3) << context << u"not a v1"_s;
        QTest::newRow("huge") << u"v1.fkB."_s + QString(200'000, u'A') + u".AAAA"_s << context << u"longer"_s;
    }

    void alteredValuesAreRejected()
    {
        QFETCH(QString, ciphertext);
        QFETCH(QString, context);
        QFETCH(QString, reason);
        const FieldCipher cipher(fixedKey(u"fkB"_s, 'b'), {fixedKey(u"fkA"_s, 'a')}, QByteArray(32, 'l'));
        const CryptoResult<QByteArray> result = cipher.decryptWithReason(ciphertext, context);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(reason), qPrintable(result.error()));
        QCOMPARE(cipher.decrypt(ciphertext, context), std::nullopt);
    }

    void keyIdsMayContainDots()
    {
        const FieldCipher cipher(fixedKey(u"fk.2025.a"_s, 'c'), {}, QByteArray(32, 'l'));
        const QString ciphertext = cipher.encrypt("x", u"t.c:1"_s);
        QCOMPARE(FieldCipher::keyIdOf(ciphertext), u"fk.2025.a"_s);
        QCOMPARE(cipher.decrypt(ciphertext, u"t.c:1"_s), std::optional<QByteArray>("x"));
    }

    void lookupHashIsKeyedAndSeparatesPurposes()
    {
        QTemporaryDir oneDir;
        QTemporaryDir otherDir;
        QString error;
        const auto one = FieldCipher::load(oneDir.path(), &error);
        const auto other = FieldCipher::load(otherDir.path(), &error);
        QVERIFY2(one && other, qPrintable(error));
        const QString hash = one->lookupHash(u"phone", u"+8613912345678");
        QVERIFY(QRegularExpression(u"^[0-9a-f]{64}$"_s).match(hash).hasMatch());
        QCOMPARE(one->lookupHash(u"phone", u"+8613912345678"), hash);
        QVERIFY(one->lookupHash(u"phone", u"+8613912345679") != hash);
        QVERIFY(one->lookupHash(u"bank_card", u"+8613912345678") != hash);
        // Length-prefixed: moving characters between purpose and value changes the hash.
        QVERIFY(one->lookupHash(u"ab", u"c") != one->lookupHash(u"a", u"bc"));
        // Keyed: another installation (or someone without the key) cannot compute it.
        QVERIFY(other->lookupHash(u"phone", u"+8613912345678") != hash);

        // The lookup key does not rotate with the field key, or every stored hash would be lost.
        QVERIFY2(FieldCipher::rotate(oneDir.path(), &error), qPrintable(error));
        const auto rotated = FieldCipher::load(oneDir.path(), &error);
        QVERIFY2(rotated, qPrintable(error));
        QVERIFY(rotated->currentKeyId() != one->currentKeyId());
        QCOMPARE(rotated->lookupHash(u"phone", u"+8613912345678"), hash);
    }

    void rotationRetiresTheOldKey()
    {
        QTemporaryDir dataDir;
        QString error;
        const auto before = FieldCipher::load(dataDir.path(), &error);
        QVERIFY2(before, qPrintable(error));
        const QString context = u"staff_users.totp_secret_enc:S1"_s;
        const QString old = before->encrypt("totp", context);

        const std::optional<QString> newKeyId = FieldCipher::rotate(dataDir.path(), &error);
        QVERIFY2(newKeyId, qPrintable(error));
        QVERIFY(*newKeyId != before->currentKeyId());
        const QString retiredPath = dataDir.filePath(u"keys/retired/"_s + before->currentKeyId() + u".key"_s);
        QCOMPARE(modeOf(dataDir.filePath(u"keys/retired"_s)), 0700);
        QCOMPARE(modeOf(retiredPath), 0600);
        QCOMPARE(modeOf(dataDir.filePath(u"keys/field.key"_s)), 0600);
        QVERIFY(contentsOf(dataDir.filePath(u"keys/field.key"_s)).contains("key-id: " + newKeyId->toLatin1()));

        const auto after = FieldCipher::load(dataDir.path(), &error);
        QVERIFY2(after, qPrintable(error));
        QCOMPARE(after->currentKeyId(), *newKeyId);
        QStringList expectedIds{before->currentKeyId(), *newKeyId};
        expectedIds.sort();
        QCOMPARE(after->keyIds(), expectedIds);
        QCOMPARE(after->decrypt(old, context), std::optional<QByteArray>("totp"));
        QVERIFY(!after->isUnderCurrentKey(old));

        // A process that loaded its keys before the rotation reads values under the new key (it
        // re-reads the key files) and from then on encrypts under it too.
        QCOMPARE(before->decrypt(after->encrypt("new", context), context), std::optional<QByteArray>("new"));
        QCOMPARE(before->currentKeyId(), *newKeyId);
    }

    void rotationReencryptsEveryRegisteredColumn()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        QTemporaryDir dataDir;
        QString error;
        const auto original = FieldCipher::load(dataDir.path(), &error);
        QVERIFY2(original, qPrintable(error));
        const QString oldKeyId = original->currentKeyId();
        SeededValues values;
        seed(*database, *original, values);
        const QHash<QString, QString> before = storedValues(*database);

        QVERIFY2(FieldCipher::rotate(dataDir.path(), &error), qPrintable(error));
        const auto rotated = FieldCipher::load(dataDir.path(), &error);
        QVERIFY2(rotated, qPrintable(error));
        const QList<ReencryptCount> counts = reencryptAll(*database, *rotated);
        QCOMPARE(counts.size(), EncryptedColumns::all().size());
        QCOMPARE(countFor(counts, u"api_keys"_s)->reencrypted, qint64(3));
        QCOMPARE(countFor(counts, u"staff_users"_s)->reencrypted, qint64(1));
        QCOMPARE(countFor(counts, u"app_users"_s)->reencrypted, qint64(2));
        QCOMPARE(total(counts, &ReencryptCount::unreadable), qint64(0));

        const QHash<QString, QString> after = storedValues(*database);
        for (auto it = after.cbegin(); it != after.cend(); ++it) {
            QVERIFY2(rotated->isUnderCurrentKey(it.value()), qPrintable(it.key()));
            QVERIFY(it.value() != before.value(it.key()));
        }
        QVERIFY(sqlExec(database->threadConnection(),
                        u"SELECT 1 FROM staff_users WHERE id = 'S2' AND totp_secret_enc IS NULL"_s)
                    .next());

        // The old key's file is no longer needed for any row.
        QVERIFY(QFile::remove(dataDir.filePath(u"keys/retired/"_s + oldKeyId + u".key"_s)));
        const auto withoutOldKey = FieldCipher::load(dataDir.path(), &error);
        QVERIFY2(withoutOldKey, qPrintable(error));
        QVERIFY(!withoutOldKey->keyIds().contains(oldKeyId));
        verifyDecryptsTo(*withoutOldKey, *database, values);

        // Nothing left to do on a second run.
        const QList<ReencryptCount> again = reencryptAll(*database, *withoutOldKey);
        QCOMPARE(total(again, &ReencryptCount::reencrypted), qint64(0));
        QCOMPARE(storedValues(*database), after);
    }

    void reencryptionWorksInSmallBatches()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        const FieldCipher oldCipher(fixedKey(u"fkA"_s, 'a'), {}, QByteArray(32, 'l'));
        SeededValues values;
        seed(*database, oldCipher, values, 7);
        const FieldCipher newCipher(fixedKey(u"fkB"_s, 'b'), {fixedKey(u"fkA"_s, 'a')}, QByteArray(32, 'l'));
        const QList<ReencryptCount> counts = reencryptAll(*database, newCipher, 2);
        QCOMPARE(countFor(counts, u"api_keys"_s)->reencrypted, qint64(7));
        QCOMPARE(total(counts, &ReencryptCount::reencrypted), qint64(10));
        const FieldCipher onlyNew(fixedKey(u"fkB"_s, 'b'), {}, QByteArray(32, 'l'));
        verifyDecryptsTo(onlyNew, *database, values);
    }

    void unreadableValuesAreCountedAndLeftAlone()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        const FieldCipher oldCipher(fixedKey(u"fkA"_s, 'a'), {}, QByteArray(32, 'l'));
        SeededValues values;
        seed(*database, oldCipher, values);
        const QSqlDatabase db = database->threadConnection();
        const FieldCipher lost(fixedKey(u"fkLost"_s, 'z'), {}, QByteArray(32, 'l'));
        const QString underLostKey = lost.encrypt("x", EncryptedColumns::apiKeySecret().context(u"AK000"_s));
        const QString moved = storedValues(*database).value(EncryptedColumns::apiKeySecret().context(u"AK002"_s));
        const QString altered
            = alterPart(storedValues(*database).value(EncryptedColumns::appUserPhone().context(u"U1"_s)), 3, 1);
        sqlExec(db, u"UPDATE api_keys SET secret_enc = ? WHERE key_id = 'AK000'"_s, {underLostKey});
        sqlExec(db, u"UPDATE api_keys SET secret_enc = ? WHERE key_id = 'AK001'"_s, {moved});
        sqlExec(db, u"UPDATE app_users SET phone_enc = ? WHERE id = 'U1'"_s, {altered});

        const FieldCipher newCipher(fixedKey(u"fkB"_s, 'b'), {fixedKey(u"fkA"_s, 'a')}, QByteArray(32, 'l'));
        const QList<ReencryptCount> counts = reencryptAll(*database, newCipher);
        QCOMPARE(countFor(counts, u"api_keys"_s)->unreadable, qint64(2));
        QCOMPARE(countFor(counts, u"api_keys"_s)->reencrypted, qint64(1));
        QCOMPARE(countFor(counts, u"app_users"_s)->unreadable, qint64(1));
        QCOMPARE(countFor(counts, u"app_users"_s)->reencrypted, qint64(1));
        QCOMPARE(countFor(counts, u"staff_users"_s)->reencrypted, qint64(1));

        const QHash<QString, QString> stored = storedValues(*database);
        QCOMPARE(stored.value(EncryptedColumns::apiKeySecret().context(u"AK000"_s)), underLostKey);
        QCOMPARE(stored.value(EncryptedColumns::apiKeySecret().context(u"AK001"_s)), moved);
        QCOMPARE(stored.value(EncryptedColumns::appUserPhone().context(u"U1"_s)), altered);
    }

    void plaintextNeverReachesTheDatabase()
    {
        auto database = m_fixture.newMigratedDatabase();
        QVERIFY(database);
        QTemporaryDir dataDir;
        QString error;
        const auto cipher = FieldCipher::load(dataDir.path(), &error);
        QVERIFY2(cipher, qPrintable(error));
        SeededValues values;
        seed(*database, *cipher, values);

        QByteArray stored;
        if (m_fixture.isPostgres()) {
            stored = m_fixture.dump();
            QVERIFY2(!stored.isEmpty(), "pg_dump produced nothing");
        } else {
            const QString path = database->config().sqlitePath;
            database->closeAll(); // checkpoints the WAL into the file
            stored = contentsOf(path) + contentsOf(path + u"-wal"_s);
        }
        // The check can see the columns at all: the ciphertexts and the phone hash are there.
        QVERIFY(stored.contains(storedValues(*database).value(u"app_users.phone_enc:U1"_s).toLatin1()));
        QVERIFY(stored.contains(cipher->lookupHash(u"phone", u"+8613912345678").toLatin1()));
        QList<QByteArray> secrets = values.apiSecrets.values() + values.totpSecrets.values() + values.phones.values();
        secrets.append("13912345678"); // the phone number without its country code
        for (const QByteArray &secret : std::as_const(secrets)) {
            QVERIFY2(!stored.contains(secret), secret.constData());
            QVERIFY2(!stored.contains(secret.toBase64()), secret.constData());
        }
    }
};

QTEST_GUILESS_MAIN(tst_FieldCipher)
#include "tst_fieldcipher.moc"
