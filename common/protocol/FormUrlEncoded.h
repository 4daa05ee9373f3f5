#pragma once

#include "common/crypto/CryptoResult.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <utility>

namespace paydesk {

/// Ordered name/value pairs as they appear in a form body or query string. A list rather than
/// a map because the wire format allows repeated names, and signature checks must see them.
using FormFields = QList<std::pair<QString, QString>>;

/// application/x-www-form-urlencoded bodies (Alipay requests and notifications), UTF-8 only.
class FormUrlEncoded final
{
public:
    FormUrlEncoded() = delete;

    static constexpr qsizetype MaxBodySize = 1024 * 1024;
    static constexpr qsizetype MaxFields = 1000;

    /// Splits on '&' and the first '='; '+' becomes a space and %XX is decoded exactly once.
    /// Empty segments ("a=1&&b=2") are skipped; a segment without '=' is a name with an empty
    /// value. Fails on a malformed %-escape, invalid UTF-8 after decoding, or the limits above.
    /// Alipay sends a `charset` field; a caller receiving anything but UTF-8 must reject it.
    static CryptoResult<FormFields> parse(QByteArrayView body);

    /// The inverse: UTF-8, every byte outside [A-Za-z0-9._~-] percent-encoded (uppercase hex),
    /// space as '+', in the given order. Matches what Alipay's SDKs and browsers send.
    static QByteArray encode(const FormFields &fields);
};

} // namespace paydesk
