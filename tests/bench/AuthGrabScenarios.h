#pragma once

#include <QString>

namespace paydesk::bench {

/// auth: an unauthenticated route against a PAYDESK-HMAC-SHA256-signed one (key lookup, HMAC and
/// the single-use nonce written through the group-commit writer), on a server of its own.
int authScenario(int connections, int seconds, const QString &database, const QString &serverBinary,
                 const QString &jsonPath);
/// grab: red packet grabs over many packets and on one hot packet, then the books.
int grabScenario(int connections, bool postgres, const QString &jsonPath, bool smoke = false);

} // namespace paydesk::bench
