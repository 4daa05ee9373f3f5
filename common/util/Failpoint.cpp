#include "common/util/Failpoint.h"

#ifdef PAYDESK_WITH_FAILPOINTS

#include <QHash>
#include <QMutex>
#include <QString>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <mutex>

#include <unistd.h>

namespace paydesk::failpoint {

namespace {

struct Point
{
    enum class Action { Kill, Fail, Delay } action = Action::Fail;
    int delayMs = 0;
    int fireAt = 0; ///< 0: every hit
    int hits = 0;
};

struct Armed
{
    QMutex mutex;
    QHash<QString, Point> points;
};

Armed &armed()
{
    static Armed instance;
    static std::once_flag parsed;
    std::call_once(parsed, [] {
        const QString spec = qEnvironmentVariable("PAYDESK_FAILPOINTS");
        for (const QString &entry : spec.split(u';', Qt::SkipEmptyParts)) {
            const QString name = entry.section(u'=', 0, 0).trimmed();
            QString action = entry.section(u'=', 1).trimmed();
            Point point;
            if (const qsizetype at = action.indexOf(u'@'); at >= 0) {
                point.fireAt = action.mid(at + 1).toInt();
                action.truncate(at);
            }
            if (action == u"kill")
                point.action = Point::Action::Kill;
            else if (action.startsWith(u"delay:")) {
                point.action = Point::Action::Delay;
                point.delayMs = qBound(0, action.mid(6).toInt(), 600'000);
            } else if (action == u"fail")
                point.action = Point::Action::Fail;
            else
                continue; // not a known action: not armed
            if (!name.isEmpty())
                instance.points.insert(name, point);
        }
    });
    return instance;
}

} // namespace

bool hit(const char *name)
{
    Armed &state = armed();
    Point point;
    {
        QMutexLocker lock(&state.mutex);
        if (state.points.isEmpty())
            return false;
        const auto it = state.points.find(QString::fromLatin1(name));
        if (it == state.points.end())
            return false;
        ++it->hits;
        if (it->fireAt != 0 && it->hits != it->fireAt)
            return false;
        point = *it;
    }
    switch (point.action) {
    case Point::Action::Kill: {
        // Said on stderr with write(2) (no buffer to lose), then gone at once.
        char line[160];
        const int length = std::snprintf(line, sizeof line, "failpoint %s: kill\n", name);
        if (length > 0) [[maybe_unused]]
            const ssize_t written = ::write(STDERR_FILENO, line, size_t(length));
        ::kill(::getpid(), SIGKILL);
        return true;
    }
    case Point::Action::Delay: QThread::msleep(ulong(point.delayMs)); return false;
    case Point::Action::Fail: return true;
    }
    return false;
}

qint64 clockSkewMs()
{
    static const qint64 skew = qEnvironmentVariableIntValue("PAYDESK_CLOCK_SKEW_MS");
    return skew;
}

} // namespace paydesk::failpoint

#endif
