#pragma once

// The channel's daily trade bill of a PaidDay, written streaming (a million lines never sit in
// memory), in the formats server/recon/BillReader reads and server/sandbox/Bills writes:
//  - WeChat Pay's ALL trade bill: UTF-8 with a BOM, CRLF, 27 backticked columns, refunds as
//    REFUND rows, then the summary header and row;
//  - Alipay's "业务明细" bill: GBK CSV with its '#' header and footer lines, in a zip of stored
//    entries named as Alipay names them.
// Both carry deliberate faults, so that matching has something to find besides matches.
#include "OrderSeeder.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace paydesk::bench {

class ReconBill final
{
public:
    ReconBill() = delete;

    /// What the bill misstates, by order index of the day.
    struct Faults
    {
        std::vector<qint64> amountChanged; ///< billed one fen more than paid: AMOUNT_MISMATCH
        std::vector<qint64> omitted; ///< payment line left out: MISSING_CHANNEL (carried)
        std::vector<qint64> unknownAfter; ///< a payment of an order no one has after these: MISSING_LOCAL
    };
    /// each faults of every kind, spread over the day, on orders without a refund.
    static Faults chooseFaults(const PaidDay &day, int each);

    /// What was written, and the keys each fault should be reported under.
    struct Written
    {
        qint64 rows = 0; ///< payment and refund lines
        qint64 payments = 0;
        qint64 refunds = 0;
        qint64 textBytes = 0; ///< the CSV, uncompressed
        qint64 fileBytes = 0; ///< the file as the channel serves it
        QStringList amountChanged, omitted, unknown; ///< order numbers
    };
    static Written writeWechat(const PaidDay &day, const Faults &faults, const QString &path, const QString &appId,
                               const QString &mchId);
    /// False with *error when this Qt cannot encode GBK or the zip cannot be written.
    static bool writeAlipay(const PaidDay &day, const Faults &faults, const QString &path, const QString &sellerId,
                            Written *written, QString *error);
};

} // namespace paydesk::bench
