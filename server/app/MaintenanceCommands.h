#pragma once

#include <QTextStream>

namespace paydesk {

struct ServerConfig;

// Maintenance subcommands of paydesk-server. Each opens the configured database, brings its
// schema up to date, does its work and returns the process exit code. They may run beside a
// serving process on the same data directory and database.

/// `keys rotate`: makes a new field-encryption key (the old one moves to keys/retired/),
/// re-encrypts every registered encrypted column under it, records the rotation in the audit log
/// and prints the counts per column. Returns 0, 1 when some values could not be decrypted (they
/// are left as they were and listed in the log), or 2 when the work could not be done.
int runKeysRotate(const ServerConfig &config, QTextStream &out);

/// `audit verify`: checks the audit log's hash chain and prints "audit log OK: N entries" (exit
/// code 0) or "audit log BROKEN at seq S: reason" (exit code 1); 2 when it cannot be checked.
int runAuditVerify(const ServerConfig &config, QTextStream &out);

} // namespace paydesk
