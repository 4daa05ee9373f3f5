#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace paydesk {

/// One-shot message digests (SHA-256, SHA-1, MD5) as raw bytes or lowercase hex.
class Digest final
{
public:
    Digest() = delete;

    static QByteArray sha256(QByteArrayView data);
    static QByteArray sha256Hex(QByteArrayView data);
    /// SHA-1 is broken for collision resistance; it is here because WeChat bill downloads are
    /// checked against a SHA-1 hash_value and Alipay's legacy "RSA" sign type uses it.
    static QByteArray sha1(QByteArrayView data);
    static QByteArray sha1Hex(QByteArrayView data);
    /// MD5 only for identifiers that protocols define with it (Alipay app_cert_sn); never for
    /// anything that has to resist an attacker.
    static QByteArray md5Hex(QByteArrayView data);
};

} // namespace paydesk
