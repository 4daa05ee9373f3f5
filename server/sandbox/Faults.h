#pragma once

#include "server/sandbox/SandboxSupport.h"

#include <QJsonObject>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <iterator>
#include <optional>

namespace paydesk::sandbox {

/// The faults injected into one channel or payout provider (see POST /control/faults).
struct ChannelFaults
{
    int duplicateNotifications = 0; ///< extra copies sent with every notification attempt
    bool dropNotifications = false; ///< attempts are recorded as failed without being sent
    int delayNotificationsMs = 0; ///< every attempt leaves this much later (literal ms, not scaled)
    bool reverseOrder = false; ///< attempts are held, and released newest first when this is cleared
    bool badSignature = false; ///< responses and notifications carry a signature over other bytes
    QSet<QString> timeoutOperations; ///< operations performed but answered only after ~60 s
    bool down = false; ///< every protocol endpoint answers 503
    /// WeChat: new refunds stay PROCESSING until POST /control/refunds/{no}/settle says how they end
    bool holdRefunds = false;

    // Payout providers only.
    int failNextPayouts = 0; ///< the next N new payouts fail (counted down as they are accepted)
    QString failCode; ///< with which fail code (default per provider, see PayoutBook)
    QString failMessage;
    int processingMs = 0; ///< new payouts stay PROCESSING at least this long (literal ms)
    int processingQueries = 0; ///< new payouts answer PROCESSING to this many queries first

    bool timesOut(const QString &operation) const
    {
        return timeoutOperations.contains(operation) || timeoutOperations.contains(QStringLiteral("*"));
    }
    QJsonObject toJson(bool payout) const;
};

/// A payout failure taken from fail_next_payouts.
struct PayoutFailure
{
    QString code;
    QString message;
};

/// The active faults of every channel and payout provider; thread-safe (HTTP workers read them on
/// every request, the notifier on every attempt). Emits changed() after every update, from the
/// updating thread.
class Faults final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Faults)

public:
    static constexpr int MaxDuplicates = 10;
    static constexpr int MaxDelayMs = 24 * 3600 * 1000;
    static constexpr int MaxTimeoutOperations = 16;
    static constexpr int MaxFailNextPayouts = 1000;
    static constexpr int MaxProcessingQueries = 1000;

    explicit Faults(QObject *parent = nullptr) : QObject(parent) { }

    ChannelFaults get(SimChannel channel) const;
    /// Validates the whole request first and changes nothing when any field is wrong; then the
    /// given fields replace the current values of the named channel ("alipay", "wechat", "bankpay",
    /// "wechat_transfer", or "*" for all; payout fields go to the payout providers only).
    /// Returns the error message, or nullopt on success.
    std::optional<QString> merge(const QJsonObject &request);
    void clear();
    QJsonObject toJson() const;
    /// Counts fail_next_payouts down by one and returns the failure, or nullopt when none is due.
    std::optional<PayoutFailure> takePayoutFailure(SimChannel channel);

    /// Names accepted in timeout_operations ("*" matches all).
    static const QStringList &operationNames();

signals:
    void changed();

private:
    mutable QMutex m_mutex;
    ChannelFaults m_channels[std::size(AllSimChannels)];
};

} // namespace paydesk::sandbox
