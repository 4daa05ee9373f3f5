#pragma once

// Small pieces every part of paydesk-sandbox shares: the two simulated channels, the time-scale
// factor, the clocks and identifier shapes the real channels use, and the control API's errors.

#include "server/http/HttpMessage.h"

#include <QDate>
#include <QLatin1StringView>
#include <QString>
#include <QStringView>

#include <optional>

namespace paydesk::sandbox {

/// The payment channels and payout providers the sandbox plays.
enum class SimChannel { Alipay, Wechat, Bankpay, WechatTransfer };

/// All of them, for loops over per-channel state.
inline constexpr SimChannel AllSimChannels[]
    = {SimChannel::Alipay, SimChannel::Wechat, SimChannel::Bankpay, SimChannel::WechatTransfer};
/// bankpay and wechat_transfer pay money out; alipay and wechat take it in.
inline bool isPayoutChannel(SimChannel channel)
{
    return channel == SimChannel::Bankpay || channel == SimChannel::WechatTransfer;
}

/// "alipay" / "wechat" / "bankpay" / "wechat_transfer": the names used by the control API and in
/// sandbox.json.
QString channelName(SimChannel channel);
std::optional<SimChannel> channelFromName(QStringView name);

/// Compresses every retry interval and delay of the real channels by a constant factor, so a
/// 25-hour retry schedule can run inside a test. Fault delays given in milliseconds by the
/// control API are literal and not scaled.
class TimeScale final
{
public:
    static constexpr qint64 MaxFactor = 1'000'000;

    explicit TimeScale(qint64 factor = 1) : m_factor(factor < 1 ? 1 : factor) { }
    qint64 factor() const { return m_factor; }
    /// ms divided by the factor; a positive interval never becomes 0, so order is kept.
    qint64 scaled(qint64 ms) const;

private:
    qint64 m_factor;
};

qint64 nowMs();
/// "yyyy-MM-dd HH:mm:ss" in China Standard Time (UTC+8), Alipay's timestamp form, whatever
/// the host's time zone.
QString beijingTime(qint64 msecsSinceEpoch);
/// RFC 3339 with the +08:00 offset, e.g. "2024-01-01T12:00:05+08:00" (WeChat Pay v3 times).
QString beijingRfc3339(qint64 msecsSinceEpoch);
/// The same with milliseconds ("2024-01-01T12:00:05.123+08:00"), for the control API's logs.
QString beijingRfc3339Ms(qint64 msecsSinceEpoch);
/// The calendar day in UTC+8, which is the day a channel's bill assigns a trade to.
QDate beijingDate(qint64 msecsSinceEpoch);
/// Midnight UTC+8 of day, as milliseconds since the epoch.
qint64 beijingDayStartMs(QDate day);

/// n random decimal digits (identifiers such as Alipay trade_no, WeChat transaction_id).
QString randomDigits(int n);
/// n random characters of [0-9a-z] (Alipay qr_code suffixes).
QString randomLowerAlphanumeric(int n);
/// A random upper-case hex string of n characters (WeChat Request-ID).
QByteArray randomUpperHex(int n);

/// The control API's error body {"error":{"code","message"}} with a specific code such as
/// ALREADY_PAID, so tests can tell the refusals apart.
HttpResponse controlError(int status, QLatin1StringView code, const QString &message);

/// Appends the body as UTF-8 JSON with the given status.
HttpResponse jsonResponse(int status, const QJsonObject &object, QByteArray contentType = "application/json");

} // namespace paydesk::sandbox
