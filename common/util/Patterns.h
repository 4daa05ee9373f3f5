#pragma once

#include <QString>

namespace paydesk {

/// Whether the whole of text matches the regular expression pattern. Each thread compiles a
/// pattern once and keeps it (compiling, with PCRE2's JIT, costs far more than matching: it was
/// a visible share of every order created).
bool matchesWhole(const QString &text, const QString &pattern);

} // namespace paydesk
