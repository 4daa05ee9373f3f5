#pragma once

#include <QFuture>

#include <functional>
#include <optional>
#include <utility>

namespace paydesk {

/// Asked before something leaves the process (an answer, an outbound request): nothing means it
/// may go now, a future means once that completes. Each call returns a future of its own (a
/// QFuture takes one continuation). Paydesk's holds until what may be told of is on disk
/// (DbWriter).
using Barrier = std::function<std::optional<QFuture<void>>()>;

/// Runs go now if the barrier (when set) holds nothing, else once its future completes, however
/// the wait ended.
template<typename Go> void passBarrier(const Barrier &barrier, Go &&go)
{
    std::optional<QFuture<void>> held = barrier ? barrier() : std::nullopt;
    if (!held || held->isFinished()) {
        go();
        return;
    }
    held->then(QtFuture::Launch::Sync, [go = std::forward<Go>(go)](QFuture<void>) mutable { go(); });
}

} // namespace paydesk
