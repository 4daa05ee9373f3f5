#pragma once

// Loading the protocol test vectors under tests/data; a missing or unreadable file ends the test.
#include "common/crypto/Certificate.h"
#include "common/crypto/PrivateKey.h"
#include "common/crypto/PublicKey.h"

#include <QFile>
#include <QString>

namespace paydesk::test {

inline QByteArray readData(const QString &relativePath)
{
    QFile file(QStringLiteral(PAYDESK_TEST_DATA) + u'/' + relativePath);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing test data file %s", qPrintable(file.fileName()));
    return file.readAll();
}

/// A key or certificate from a PEM file: T is PrivateKey, PublicKey or Certificate.
template<typename T>
T loadPem(const QString &relativePath)
{
    CryptoResult<T> loaded = T::fromPem(readData(relativePath));
    if (!loaded)
        qFatal("%s: %s", qPrintable(relativePath), qPrintable(loaded.error()));
    return std::move(loaded).value();
}

inline PrivateKey privateKey(const QString &relativePath) { return loadPem<PrivateKey>(relativePath); }
inline PublicKey publicKey(const QString &relativePath) { return loadPem<PublicKey>(relativePath); }
inline Certificate certificate(const QString &relativePath) { return loadPem<Certificate>(relativePath); }

} // namespace paydesk::test
