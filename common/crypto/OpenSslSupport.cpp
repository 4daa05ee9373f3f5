#include "common/crypto/OpenSslSupport.h"

#include <openssl/err.h>

namespace paydesk {

Q_LOGGING_CATEGORY(lcCrypto, "paydesk.crypto")

namespace openssl {

QString takeErrors()
{
    QString text;
    // Bound the loop: the queue is finite, but a misbehaving provider should not hang us.
    for (int i = 0; i < 64; ++i) {
        const unsigned long code = ERR_get_error();
        if (code == 0)
            break;
        char buffer[256] = {};
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!text.isEmpty())
            text += QStringLiteral("; ");
        text += QString::fromLatin1(buffer);
    }
    ERR_clear_error();
    return text;
}

QString failureText(const QString &what)
{
    const QString errors = takeErrors();
    return errors.isEmpty() ? what : what + QStringLiteral(": ") + errors;
}

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    if (length <= 0 || data == nullptr)
        return {};
    return QByteArray(data, qsizetype(length));
}

QByteArray publicKeyDer(EVP_PKEY *key)
{
    unsigned char *out = nullptr;
    const int length = i2d_PUBKEY(key, &out);
    const OpenSslBytePtr owner(out);
    if (length <= 0 || out == nullptr) {
        qCWarning(lcCrypto) << "i2d_PUBKEY failed:" << takeErrors();
        return {};
    }
    return QByteArray(reinterpret_cast<const char *>(out), length);
}

} // namespace openssl
} // namespace paydesk
