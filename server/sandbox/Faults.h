#pragma once

#include "server/sandbox/SandboxSupport.h"

#include <QJsonObject>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace paydesk::sandbox {

/// The faults injected into one channel (see POST /control/faults).
struct ChannelFaults
{
    int duplicateNotifications = 0; ///< extra copies sent with every notification attempt
    bool dropNotifications = false; ///< attempts are recorded as failed without being sent
    int delayNotificationsMs = 0; ///< every attempt leaves this much later (literal ms, not scaled)
    bool reverseOrder = false; ///< attempts are held, and released newest first when this is cleared
    bool badSignature = false; ///< responses and notifications carry a signature over other bytes
    QSet<QString> timeoutOperations; ///< operations performed but answered only after ~60 s
    bool down = false; ///< every protocol endpoint answers 503

    bool timesOut(const QString &operation) const
    {
        return timeoutOperations.contains(operation) || timeoutOperations.contains(QStringLiteral("*"));
    }
    QJsonObject toJson() const;
};

/// The active faults of both channels; thread-safe (HTTP workers read them on every request,
/// the notifier on every attempt). Emits changed() after every update, from the updating thread.
class Faults final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Faults)

public:
    static constexpr int MaxDuplicates = 10;
    static constexpr int MaxDelayMs = 24 * 3600 * 1000;
    static constexpr int MaxTimeoutOperations = 16;

    explicit Faults(QObject *parent = nullptr) : QObject(parent) { }

    ChannelFaults get(SimChannel channel) const;
    /// Validates the whole request first and changes nothing when any field is wrong; then the
    /// given fields replace the current values of the named channel ("alipay", "wechat", "*").
    /// Returns the error message, or nullopt on success.
    std::optional<QString> merge(const QJsonObject &request);
    void clear();
    QJsonObject toJson() const;

    /// Names accepted in timeout_operations ("*" matches all).
    static const QStringList &operationNames();

signals:
    void changed();

private:
    mutable QMutex m_mutex;
    ChannelFaults m_alipay;
    ChannelFaults m_wechat;
};

} // namespace paydesk::sandbox
