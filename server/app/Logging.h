#pragma once

#include <QString>

namespace paydesk {

/// Installs the process-wide log handler: one line per event on stderr, as key=value text or as
/// a JSON object, with UTC timestamp, level and category.
void installLogHandler(const QString &format);

/// On a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) writes the signal and a raw stack trace
/// to stderr, then dies of the signal as before, so that a crash seen once can be traced.
void installCrashHandler();

} // namespace paydesk
