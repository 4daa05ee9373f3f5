#pragma once

#include "server/recon/ReconItems.h"

#include <QJsonArray>
#include <QSqlDatabase>

#include <functional>

namespace paydesk::recon {

/// The platform's books against themselves: the ledger's trial balance (every entry balances,
/// every balance equals its postings), every wallet's balance explained by its business records,
/// one payment entry per paid order and none for an unpaid one, one debit per succeeded refund
/// and none for another. Each problem becomes an INTERNAL item keyed by the check and its
/// subject ("entry …", "account …", "order …").
class InternalChecks final
{
public:
    /// Runs every check on db; returns [{name, ok, checked, problems}] and hands each problem to add.
    static QJsonArray run(const QSqlDatabase &db, const std::function<void(PlannedItem)> &add);
};

} // namespace paydesk::recon
