#include "server/app/Logging.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>

#include <csignal>
#include <cstdio>
#include <cstring>

#include <execinfo.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

bool s_json = false;
QMutex s_logMutex;

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "error";
    case QtFatalMsg: return "fatal";
    }
    return "info";
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString timestamp = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const char *category = context.category ? context.category : "default";
    QByteArray line;
    if (s_json) {
        QJsonObject object{{u"ts"_s, timestamp},
                           {u"level"_s, QString::fromLatin1(levelName(type))},
                           {u"category"_s, QString::fromLatin1(category)},
                           {u"msg"_s, message}};
        line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    } else {
        line = timestamp.toUtf8() + ' ' + levelName(type) + ' ' + category + ' ' + message.toUtf8();
    }
    line += '\n';
    {
        QMutexLocker lock(&s_logMutex);
        std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
        std::fflush(stderr);
    }
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

void installLogHandler(const QString &format)
{
    s_json = format == u"json"_s;
    qInstallMessageHandler(handler);
}

namespace {

// Only async-signal-safe calls here (write, backtrace_symbols_fd; backtrace is loaded up front).
void onCrash(int signal)
{
    const char *name = strsignal(signal);
    constexpr char prefix[] = "paydesk-server: fatal signal ";
    [[maybe_unused]] auto written = ::write(STDERR_FILENO, prefix, sizeof prefix - 1);
    written = ::write(STDERR_FILENO, name, std::strlen(name));
    written = ::write(STDERR_FILENO, "; stack:\n", 9);
    void *frames[64];
    const int depth = backtrace(frames, 64);
    backtrace_symbols_fd(frames, depth, STDERR_FILENO);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

} // namespace

void installCrashHandler()
{
#if defined(__SANITIZE_ADDRESS__)
    return; // AddressSanitizer's own report is better
#endif
    void *warmUp[1];
    backtrace(warmUp, 1); // loads libgcc now, not inside the handler
    for (const int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
        std::signal(signal, onCrash);
}

} // namespace paydesk
