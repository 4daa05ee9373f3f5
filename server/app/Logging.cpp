#include "server/app/Logging.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>

#include <cstdio>

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

} // namespace paydesk
