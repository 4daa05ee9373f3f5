#pragma once

#include <QString>

#include <optional>

namespace paydesk {

/// Where the data lives: an SQLite file (embedded default) or a PostgreSQL server.
struct DatabaseConfig
{
    enum class Kind { Sqlite, Postgresql };

    Kind kind = Kind::Sqlite;
    QString sqlitePath;
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString database;
    QString connectOptions; ///< QPSQL options such as "sslmode=require;connect_timeout=5"

    /// Parses "postgresql://user:pass@host:port/db?sslmode=require" or an SQLite file path (a
    /// relative path is taken relative to dataDir). Returns nullopt and sets error when malformed.
    static std::optional<DatabaseConfig> parse(const QString &spec, const QString &dataDir, QString *error);

    bool isSqlite() const { return kind == Kind::Sqlite; }
    QString driverName() const;
    /// For logs: the URL or path without the password.
    QString displayName() const;
};

} // namespace paydesk
