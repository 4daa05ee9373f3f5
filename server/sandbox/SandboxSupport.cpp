#include "server/sandbox/SandboxSupport.h"

#include "common/crypto/Random.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace paydesk::sandbox {

namespace {

constexpr int kBeijingOffsetSeconds = 8 * 3600;

QDateTime inBeijing(qint64 msecsSinceEpoch)
{
    // A fixed offset rather than the "Asia/Shanghai" zone: China has no daylight saving time,
    // and a fixed offset works on hosts without time-zone data.
    return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch, Qt::OffsetFromUTC, kBeijingOffsetSeconds);
}

} // namespace

QString channelName(SimChannel channel)
{
    switch (channel) {
    case SimChannel::Alipay: return u"alipay"_s;
    case SimChannel::Wechat: return u"wechat"_s;
    case SimChannel::Bankpay: return u"bankpay"_s;
    case SimChannel::WechatTransfer: return u"wechat_transfer"_s;
    }
    return {};
}

std::optional<SimChannel> channelFromName(QStringView name)
{
    if (name == u"alipay")
        return SimChannel::Alipay;
    if (name == u"wechat")
        return SimChannel::Wechat;
    if (name == u"bankpay")
        return SimChannel::Bankpay;
    if (name == u"wechat_transfer")
        return SimChannel::WechatTransfer;
    return std::nullopt;
}

qint64 TimeScale::scaled(qint64 ms) const
{
    if (ms <= 0)
        return 0;
    return std::max<qint64>(1, ms / m_factor);
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString beijingTime(qint64 msecsSinceEpoch)
{
    return inBeijing(msecsSinceEpoch).toString(u"yyyy-MM-dd HH:mm:ss"_s);
}

QString beijingRfc3339(qint64 msecsSinceEpoch)
{
    return inBeijing(msecsSinceEpoch).toString(u"yyyy-MM-dd'T'HH:mm:ss'+08:00'"_s);
}

QString beijingRfc3339Ms(qint64 msecsSinceEpoch)
{
    return inBeijing(msecsSinceEpoch).toString(u"yyyy-MM-dd'T'HH:mm:ss.zzz'+08:00'"_s);
}

QDate beijingDate(qint64 msecsSinceEpoch)
{
    return inBeijing(msecsSinceEpoch).date();
}

qint64 beijingDayStartMs(QDate day)
{
    return QDateTime(day, QTime(0, 0), Qt::OffsetFromUTC, kBeijingOffsetSeconds).toMSecsSinceEpoch();
}

QString randomDigits(int n)
{
    const QByteArray bytes = Random::bytes(n);
    QString digits;
    digits.reserve(n);
    // The modulo bias (256 % 10) does not matter for identifiers that only need to be unique.
    for (const char byte : bytes)
        digits.append(QChar(u'0' + quint8(byte) % 10));
    return digits;
}

QString randomLowerAlphanumeric(int n)
{
    static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    const QByteArray bytes = Random::bytes(n);
    QString text;
    text.reserve(n);
    for (const char byte : bytes)
        text.append(QLatin1Char(kAlphabet[quint8(byte) % 36]));
    return text;
}

QByteArray randomUpperHex(int n)
{
    return Random::bytes((n + 1) / 2).toHex().toUpper().left(n);
}

HttpResponse controlError(int status, QLatin1StringView code, const QString &message)
{
    const QJsonObject error{{u"code"_s, QString(code)}, {u"message"_s, message}};
    return jsonResponse(status, QJsonObject{{u"error"_s, error}});
}

HttpResponse jsonResponse(int status, const QJsonObject &object, QByteArray contentType)
{
    HttpResponse response;
    response.status = status;
    response.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    response.headers.append({QByteArrayLiteral("Content-Type"), std::move(contentType)});
    return response;
}

} // namespace paydesk::sandbox
