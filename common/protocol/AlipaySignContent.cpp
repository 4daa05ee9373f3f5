#include "common/protocol/AlipaySignContent.h"

#include <QSet>

#include <algorithm>
#include <initializer_list>
#include <optional>

namespace paydesk {

namespace {

CryptoResult<QByteArray> buildContent(const FormFields &params, std::initializer_list<QStringView> excluded)
{
    using Result = CryptoResult<QByteArray>;
    QSet<QString> seen;
    seen.reserve(params.size());
    QList<std::pair<QByteArray, QByteArray>> kept;
    kept.reserve(params.size());
    for (const auto &[name, value] : params) {
        if (seen.contains(name))
            return Result::failure(QStringLiteral("parameter repeated: ") + name);
        seen.insert(name);
        if (name.isEmpty() || value.isEmpty())
            continue;
        if (std::find(excluded.begin(), excluded.end(), QStringView(name)) != excluded.end())
            continue;
        kept.append({name.toUtf8(), value.toUtf8()});
    }
    // Byte order of UTF-8 equals code point order; for the ASCII names Alipay uses it is the
    // same order as Java's TreeMap and JavaScript's sort().
    std::sort(kept.begin(), kept.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QByteArray content;
    for (const auto &[name, value] : kept) {
        if (!content.isEmpty())
            content.append('&');
        content.append(name).append('=').append(value);
    }
    return Result::success(content);
}

} // namespace

CryptoResult<QByteArray> AlipaySignContent::forRequest(const FormFields &params)
{
    return buildContent(params, {u"sign"});
}

CryptoResult<QByteArray> AlipaySignContent::forNotifyV1(const FormFields &params)
{
    return buildContent(params, {u"sign", u"sign_type"});
}

CryptoResult<QByteArray> AlipaySignContent::forNotifyV2(const FormFields &params)
{
    return buildContent(params, {u"sign"});
}

CryptoResult<QString> AlipaySignContent::uniqueValue(const FormFields &params, QStringView name)
{
    using Result = CryptoResult<QString>;
    std::optional<QString> found;
    for (const auto &[key, value] : params) {
        if (key != name)
            continue;
        if (found)
            return Result::failure(QStringLiteral("parameter repeated: ") + name.toString());
        found = value;
    }
    if (!found || found->isEmpty())
        return Result::failure(QStringLiteral("parameter missing: ") + name.toString());
    return Result::success(*found);
}

} // namespace paydesk
