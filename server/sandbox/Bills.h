#pragma once

// Bill files in the channels' real formats, built from the sandbox's trades and refunds
// (PROTOCOLS.md A.7 and B.4; samples in shared/protocols/bills):
//
// - Alipay "业务明细" trade bill: GBK CSV in a csv.zip (stored, not deflated) named
//   <seller_id>0156_<yyyyMMdd>_业务明细.csv, with the summary file beside it; entry names are GBK
//   too and the zip's UTF-8 flag is off, as in Alipay's files.
// - WeChat Pay trade bill (ALL, SUCCESS or REFUND): UTF-8 CSV with a BOM and CRLF line ends,
//   every data field prefixed with a backtick, then the summary header and row; gzip-compressed
//   when asked (tar_type=GZIP). Its hash_value is the SHA-1 of the uncompressed CSV.
//
// Fees: 0.6% of each payment (WeChat 费率 "0.60%"), in 1e-5 yuan for WeChat's 手续费 (exact) and
// rounded half up to whole fen for Alipay's 服务费; a refund returns its share of the fee as a
// negative fee (computed cumulatively, so a full refund returns the whole fee). The summary lines
// add up the rows, fees included.
//
// Bill faults (TradeRecord::bill, set through the control API) misstate a trade: its payment line
// left out, another order amount stated, or the payment booked on the previous or next day.

#include "server/sandbox/TradeBook.h"

#include <QByteArray>
#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <optional>
#include <utility>

namespace paydesk::sandbox {

/// Bill files waiting to be fetched through a download URL with a random token; thread-safe.
class BillDownloads final
{
    Q_DISABLE_COPY_MOVE(BillDownloads)

public:
    static constexpr qsizetype MaxFiles = 64; ///< the oldest is dropped beyond this

    struct File
    {
        QByteArray content;
        QByteArray contentType;
        QString fileName;
        qint64 expiresAtMs = 0;
    };

    BillDownloads() = default;

    /// Stores the file and returns its token.
    QString put(File file);
    /// The file, while its token is valid (it may be fetched several times until it expires).
    std::optional<File> get(const QString &token);

private:
    QMutex m_mutex;
    QHash<QString, File> m_files;
    QList<QString> m_order;
};

class Bills final
{
public:
    Bills() = delete;

    /// The trades of channel with a payment booked (TradeRecord::billedAtMs) or a successful refund
    /// on day (UTC+8), copied under the book's lock.
    static QList<TradeRecord> tradesOfDay(TradeBook::Data &data, SimChannel channel, QDate day);

    /// Alipay's daily trade bill as csv.zip; nullopt (with *error) when the host's Qt cannot
    /// encode GBK.
    static std::optional<QByteArray> alipayTradeZip(const QList<TradeRecord> &trades, const QString &sellerId,
                                                    QDate day, qint64 nowMs, QString *error);
    /// WeChat Pay's trade bill CSV; billType is ALL, SUCCESS or REFUND. *rows counts data rows.
    static QByteArray wechatTradeBill(const QList<TradeRecord> &trades, const QString &appId, const QString &mchId,
                                      QDate day, const QString &billType, int *rows);

    /// A zip archive of uncompressed ("stored") entries; names are written as given.
    static QByteArray storedZip(const QList<std::pair<QByteArray, QByteArray>> &entries, const QDateTime &modified);
    /// gzip (RFC 1952) with zlib's deflate.
    static std::optional<QByteArray> gzip(QByteArrayView data);
};

} // namespace paydesk::sandbox
