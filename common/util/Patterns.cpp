#include "common/util/Patterns.h"

#include <QHash>
#include <QRegularExpression>

namespace paydesk {

bool matchesWhole(const QString &text, const QString &pattern)
{
    constexpr qsizetype kMaxPatterns = 256; // the code's own patterns: far fewer
    thread_local QHash<QString, QRegularExpression> compiled;
    auto it = compiled.constFind(pattern);
    if (it == compiled.cend()) {
        if (compiled.size() >= kMaxPatterns)
            compiled.clear();
        it = compiled.insert(pattern, QRegularExpression(QRegularExpression::anchoredPattern(pattern)));
    }
    return it->match(text).hasMatch();
}

} // namespace paydesk
