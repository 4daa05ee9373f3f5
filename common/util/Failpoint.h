#pragma once

// Named fault points for the fault campaign (tests/chaos) and tests. They exist only in builds with
// tests (PAYDESK_WITH_FAILPOINTS, set when BUILD_TESTING is on); in a release build every point
// is the constant false and costs nothing.
//
// A process arms them once, from its environment, at the first hit:
//   PAYDESK_FAILPOINTS="writer.before_commit=kill@3;payments.after_refund_call=fail"
// action: kill (SIGKILL of this very process: nothing flushed, as in a crash), fail (the point
// reports true, and the code there throws as if its step had failed) or delay:MS (sleeps, then
// goes on); @N fires on the Nth hit only (default: every hit). Unknown names are simply never hit.
//   PAYDESK_CLOCK_SKEW_MS=N     moves this process's wall clock by N ms (an instance whose clock is off).

#include <QtGlobal>

namespace paydesk::failpoint {

#ifdef PAYDESK_WITH_FAILPOINTS
/// True when the point is armed to fail here; kill and delay act inside.
bool hit(const char *name);
/// PAYDESK_CLOCK_SKEW_MS, read once.
qint64 clockSkewMs();
#else
constexpr bool hit(const char *)
{
    return false;
}
constexpr qint64 clockSkewMs()
{
    return 0;
}
#endif

} // namespace paydesk::failpoint
