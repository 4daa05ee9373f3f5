#include "server/store/DatabaseConfig.h"

#include <QDir>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace paydesk {

std::optional<DatabaseConfig> DatabaseConfig::parse(const QString &spec, const QString &dataDir, QString *error)
{
    DatabaseConfig config;
    if (spec.startsWith(u"postgresql://"_s) || spec.startsWith(u"postgres://"_s)) {
        const QUrl url(spec, QUrl::StrictMode);
        if (!url.isValid() || url.path().size() < 2) {
            *error = u"Invalid PostgreSQL URL (expected postgresql://user:password@host:port/database)."_s;
            return std::nullopt;
        }
        config.kind = Kind::Postgresql;
        config.host = url.host().isEmpty() ? u"127.0.0.1"_s : url.host();
        config.port = url.port(5432);
        config.user = url.userName(QUrl::FullyDecoded);
        config.password = url.password(QUrl::FullyDecoded);
        config.database = url.path(QUrl::FullyDecoded).mid(1);
        QStringList options{u"connect_timeout=5"_s};
        const QUrlQuery query(url);
        for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
            if (key == u"host"_s) { // unix socket directory
                config.host = value;
            } else if (key == u"sslmode"_s || key == u"connect_timeout"_s || key == u"application_name"_s) {
                options.append(key + u'=' + value);
            } else {
                *error = u"Unsupported PostgreSQL URL parameter: %1"_s.arg(key);
                return std::nullopt;
            }
        }
        config.connectOptions = options.join(u';');
        return config;
    }
    if (spec.contains(u"://"_s)) {
        *error = u"Unsupported database URL %1 (use a file path for SQLite or postgresql://…)."_s.arg(spec);
        return std::nullopt;
    }
    if (spec.trimmed().isEmpty()) {
        *error = u"Empty database setting."_s;
        return std::nullopt;
    }
    config.kind = Kind::Sqlite;
    config.sqlitePath = QDir::isAbsolutePath(spec) ? spec : QDir(dataDir).absoluteFilePath(spec);
    return config;
}

QString DatabaseConfig::driverName() const
{
    return isSqlite() ? u"QSQLITE"_s : u"QPSQL"_s;
}

QString DatabaseConfig::displayName() const
{
    if (isSqlite())
        return u"sqlite:"_s + sqlitePath;
    return u"postgresql://%1@%2:%3/%4"_s.arg(user, host, QString::number(port), database);
}

} // namespace paydesk
