#pragma once

#include "server/recon/BillReader.h"
#include "server/recon/LocalIndex.h"
#include "server/recon/ReconItems.h"

#include <QDate>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QSqlDatabase>
#include <QStringList>

#include <functional>
#include <utility>

namespace paydesk {
class PaymentService;
}

namespace paydesk::recon {

/// One channel account's bill of one day against Paydesk's records of that day:
/// 1. the day's paid orders and succeeded refunds go into a LocalIndex;
/// 2. the bill is read line by line and each line looked up once (linear time);
/// 3. lines the index cannot place are looked up in the database: booked on another day (a
///    match across midnight), or missing here, in which case the channel is queried and what it
///    proves is booked through the normal payment path;
/// 4. records the bill lacks are matched across midnight already, or carried to the next day.
/// Everything that does not match becomes a PlannedItem; nothing is written here.
class ChannelMatcher final
{
public:
    struct Limits
    {
        int maxItems = 10'000; ///< discrepancies (and unplaced lines) before the run gives up
        int maxRepairs = 1'000; ///< channel queries
    };
    struct Hooks
    {
        std::function<void(const QString &phase)> phase;
        std::function<void(qint64 lines, qint64 bytes)> progress;
        std::function<bool()> stopping; ///< true: give up (throws)
    };
    struct Result
    {
        QList<PlannedItem> items;
        QJsonObject totals; ///< bill, local, cross_day, repaired, index_bytes
        qint64 matched = 0;
        QList<std::pair<QString, QString>> bookedLater; ///< (ref type, key) a bill line of this day settles
        QMap<QString, std::pair<qint64, qint64>> fees; ///< merchant ("" unknown) → (fee millifen, lines)
    };

    ChannelMatcher(const QSqlDatabase &db, PaymentService &payments, QString channelId, const QDate &day,
                   Limits limits, Hooks hooks);

    /// Throws std::runtime_error (malformed bill, limits) and DatabaseError.
    Result run(BillReader *bill);

private:
    struct LocalRow
    {
        QString status, channelId, merchantId, channelTradeNo, reason;
        qint64 amount = 0, at = 0;
    };
    void add(PlannedItem item);
    void loadLocal();
    void matchBill(BillReader &bill);
    void placeUnmatched();
    void carryMissing();
    QJsonObject totals() const;
    quint32 merchantOf(const QString &id);
    void addFee(quint32 merchant, qint64 feeMillifen);
    QHash<QString, LocalRow> lookup(bool refund, const QStringList &keys) const;

    QSqlDatabase m_db;
    PaymentService &m_payments;
    QString m_channelId;
    QDate m_day;
    QString m_date;
    Limits m_limits;
    Hooks m_hooks;
    bool m_noBill = false;

    LocalIndex m_index;
    QStringList m_merchants;
    QHash<QString, quint32> m_merchantIndex;
    QList<qint64> m_merchantFees, m_merchantLines;
    qint64 m_unattributedFee = 0, m_unattributedLines = 0;
    qint64 m_localPayments = 0, m_localPaymentAmount = 0, m_localRefunds = 0, m_localRefundAmount = 0;

    QList<BillLine> m_unmatched;
    BillTotals m_billed; ///< the lines as matched: payments by 订单金额, refunds by their amount
    BillTotals m_declared;
    bool m_hasDeclared = false;
    qint64 m_lines = 0, m_skipped = 0, m_crossDay = 0, m_repaired = 0;
    int m_repairs = 0;
    Result m_result;
};

} // namespace paydesk::recon
