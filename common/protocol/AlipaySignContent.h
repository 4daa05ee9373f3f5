#pragma once

#include "common/crypto/CryptoResult.h"
#include "common/protocol/FormUrlEncoded.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

namespace paydesk {

/// The exact bytes Alipay signs or verifies over a parameter set (Java SDK AlipaySignature
/// getSignContent / getSignCheckContentV1 / V2):
/// pairs sorted by name in ascending byte order, written `name=value`, joined with '&',
/// values not URL-encoded, pairs with an empty name or value left out, UTF-8.
///
/// Repeated names are rejected rather than resolved: if the verifier and the code that later
/// reads a field picked different copies, an attacker could get an unsigned value through.
class AlipaySignContent final
{
public:
    AlipaySignContent() = delete;

    /// Requests (ours to Alipay, or a merchant's to us): everything except `sign`;
    /// `sign_type` is signed.
    static CryptoResult<QByteArray> forRequest(const FormFields &params);
    /// Trade notifications, rsaCheckV1: everything except `sign` and `sign_type`.
    static CryptoResult<QByteArray> forNotifyV1(const FormFields &params);
    /// Gateway messages such as service-market notifications, rsaCheckV2: everything except
    /// `sign` (same content as forRequest(), named for the call site).
    static CryptoResult<QByteArray> forNotifyV2(const FormFields &params);

    /// The single value of `name`; fails when it is missing, empty or repeated.
    static CryptoResult<QString> uniqueValue(const FormFields &params, QStringView name);
};

} // namespace paydesk
