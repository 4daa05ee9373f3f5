#pragma once

#include "server/http/HttpMessage.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QPromise>

#include <memory>

namespace paydesk::sandbox {

/// Answers that the "timeout_operations" fault withholds: the operation has taken effect, but the
/// client hears nothing until it has long given up (or the sandbox shuts down). Lives on the main
/// thread; hold() may be called from any thread.
class HeldResponses final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeldResponses)

public:
    /// Long enough for any client timeout Paydesk uses, short enough to free the connection.
    static constexpr int HoldMs = 60'000;
    /// Beyond this many held answers, new ones are delivered at once rather than piling up.
    static constexpr int MaxHeld = 1000;

    explicit HeldResponses(QObject *parent = nullptr) : QObject(parent) { }
    ~HeldResponses() override;

    QFuture<HttpResponse> hold(HttpResponse response, int holdMs = HoldMs);
    /// Delivers every held answer now and the ones that arrive later immediately (shutdown).
    void releaseAll();

private:
    struct Held
    {
        std::shared_ptr<QPromise<HttpResponse>> promise;
        HttpResponse response;
    };
    void park(quint64 id, Held held, int holdMs);
    void release(quint64 id);

    QHash<quint64, Held> m_held;
    quint64 m_nextId = 1;
    bool m_releasing = false;
};

} // namespace paydesk::sandbox
