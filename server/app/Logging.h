#pragma once

#include <QString>

namespace paydesk {

/// Installs the process-wide log handler: one line per event on stderr, as key=value text or as
/// a JSON object, with UTC timestamp, level and category.
void installLogHandler(const QString &format);

} // namespace paydesk
