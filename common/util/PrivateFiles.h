#pragma once

#include <QByteArray>
#include <QFileDevice>
#include <QMap>
#include <QString>

#include <optional>

namespace paydesk {

// Helpers for files that must be written atomically or kept from other users (keys, secrets).

// rw------- and rwx------: for keys and the directories that hold them.
inline constexpr QFileDevice::Permissions kOwnerReadWrite = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
inline constexpr QFileDevice::Permissions kOwnerOnlyDirectory
    = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;
// rw-r--r--: for public material such as certificates.
inline constexpr QFileDevice::Permissions kWorldReadable
    = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther;

// Creates the directory (and its parents) if needed and narrows it to rwx------.
bool ensurePrivateDirectory(const QString &path, QString *error);

// Replaces the file in one step (QSaveFile: temporary file, fsync, rename), so a crash leaves
// either the old or the new content. The permissions are applied to the temporary file before
// any content is written, so a secret is never readable by others, not even briefly.
bool writeFileAtomically(const QString &path, const QByteArray &contents, QFileDevice::Permissions permissions,
                         QString *error);

// Reads a whole file of at most maxBytes; a larger one is an error, never a truncation.
std::optional<QByteArray> readFileBounded(const QString &path, qint64 maxBytes, QString *error);

// readFileBounded() for a secret: a file that group or others may access is narrowed to
// rw------- first, with a warning in the log, as the secret may already have been exposed.
std::optional<QByteArray> readPrivateFile(const QString &path, qint64 maxBytes, QString *error);

// The "name: value" lines of a key file ('#' starts a comment, blank lines are skipped; a later
// line with the same name wins). nullopt when a line has no colon.
std::optional<QMap<QByteArray, QByteArray>> parseKeyFileLines(const QByteArray &contents);

} // namespace paydesk
