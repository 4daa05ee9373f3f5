#include "common/util/PrivateFiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {
Q_LOGGING_CATEGORY(lcFiles, "paydesk.common.files")

constexpr QFileDevice::Permissions kGroupOrOther = QFileDevice::ReadGroup | QFileDevice::WriteGroup
    | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}
} // namespace

bool ensurePrivateDirectory(const QString &path, QString *error)
{
    if (!QDir().mkpath(path)) {
        setError(error, u"cannot create directory %1"_s.arg(path));
        return false;
    }
    if (!QFile::setPermissions(path, kOwnerOnlyDirectory)) {
        setError(error, u"cannot restrict directory %1 to its owner"_s.arg(path));
        return false;
    }
    return true;
}

bool writeFileAtomically(const QString &path, const QByteArray &contents, QFileDevice::Permissions permissions,
                         QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        setError(error, u"cannot write %1: %2"_s.arg(path, file.errorString()));
        return false;
    }
    // QSaveFile creates a new temporary file with the umask's permissions (often rw-r--r--);
    // narrow them while it is still empty.
    if (!file.setPermissions(permissions)) {
        file.cancelWriting();
        setError(error, u"cannot set permissions of %1: %2"_s.arg(path, file.errorString()));
        return false;
    }
    if (file.write(contents) != contents.size() || !file.commit()) {
        setError(error, u"cannot write %1: %2"_s.arg(path, file.errorString()));
        return false;
    }
    return true;
}

std::optional<QByteArray> readFileBounded(const QString &path, qint64 maxBytes, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, u"cannot read %1: %2"_s.arg(path, file.errorString()));
        return std::nullopt;
    }
    // One byte more than allowed tells "too large" apart from "exactly at the limit".
    QByteArray contents = file.read(maxBytes + 1);
    if (contents.size() > maxBytes) {
        setError(error, u"%1 is larger than %2 bytes"_s.arg(path).arg(maxBytes));
        return std::nullopt;
    }
    if (file.error() != QFileDevice::NoError) {
        setError(error, u"cannot read %1: %2"_s.arg(path, file.errorString()));
        return std::nullopt;
    }
    return contents;
}

std::optional<QByteArray> readPrivateFile(const QString &path, qint64 maxBytes, QString *error)
{
    const QFileInfo info(path);
    if (info.exists() && (info.permissions() & kGroupOrOther)) {
        qCWarning(lcFiles) << "narrowing the permissions of" << path
                           << "to its owner: it was accessible to other users";
        if (!QFile::setPermissions(path, kOwnerReadWrite)) {
            setError(error, u"cannot restrict %1 to its owner"_s.arg(path));
            return std::nullopt;
        }
    }
    return readFileBounded(path, maxBytes, error);
}

std::optional<QMap<QByteArray, QByteArray>> parseKeyFileLines(const QByteArray &contents)
{
    QMap<QByteArray, QByteArray> values;
    for (const QByteArray &rawLine : contents.split('\n')) {
        const QByteArray line = rawLine.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            return std::nullopt;
        values.insert(line.first(colon).trimmed(), line.sliced(colon + 1).trimmed());
    }
    return values;
}

} // namespace paydesk
