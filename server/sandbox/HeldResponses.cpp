#include "server/sandbox/HeldResponses.h"

#include <QTimer>

namespace paydesk::sandbox {

namespace {

void fulfil(const std::shared_ptr<QPromise<HttpResponse>> &promise, HttpResponse response)
{
    promise->addResult(std::move(response));
    promise->finish();
}

} // namespace

HeldResponses::~HeldResponses()
{
    releaseAll();
}

QFuture<HttpResponse> HeldResponses::hold(HttpResponse response, int holdMs)
{
    auto promise = std::make_shared<QPromise<HttpResponse>>();
    QFuture<HttpResponse> future = promise->future();
    promise->start();
    // The map and the timers belong to the main thread; the worker only hands the answer over.
    QMetaObject::invokeMethod(
        this,
        [this, promise, holdMs, response = std::move(response)]() mutable {
            if (m_releasing || m_held.size() >= MaxHeld) {
                fulfil(promise, std::move(response));
                return;
            }
            park(m_nextId++, Held{promise, std::move(response)}, holdMs);
        },
        Qt::QueuedConnection);
    return future;
}

void HeldResponses::park(quint64 id, Held held, int holdMs)
{
    m_held.insert(id, std::move(held));
    QTimer::singleShot(holdMs, this, [this, id] { release(id); });
}

void HeldResponses::release(quint64 id)
{
    const auto it = m_held.find(id);
    if (it == m_held.end())
        return;
    Held held = std::move(*it);
    m_held.erase(it);
    fulfil(held.promise, std::move(held.response));
}

void HeldResponses::releaseAll()
{
    m_releasing = true;
    const QList<quint64> ids = m_held.keys();
    for (const quint64 id : ids)
        release(id);
}

} // namespace paydesk::sandbox
