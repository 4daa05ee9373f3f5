#pragma once

// Streaming readers of the channels' daily trade bills (PROTOCOLS.md A.7 and B.4):
//
// - Alipay "业务明细": a zip (stored or deflated) holding <pid>0156_<yyyyMMdd>_业务明细.csv (GBK,
//   also accepted in UTF-8) beside its "(汇总)" summary file. Four '#' header lines, the 25-column
//   header, rows with a trailing TAB on id fields, then the '#…结束' line and the '#交易合计',
//   '#退款合计' and '#导出时间' footer.
// - WeChat Pay trade bill (ALL, SUCCESS or REFUND): UTF-8 (optional BOM), CRLF or LF, every data
//   field prefixed with a backtick, then the summary header and one backticked summary row.
//
// Readers pull the file in chunks and hand out one line at a time, so a bill of millions of lines
// is read in bounded memory. They are strict: a line that does not fit the format stops the read
// with an error naming the line; nothing is skipped silently.

#include <QByteArray>
#include <QString>

#include <memory>

namespace paydesk::recon {

/// One payment or refund line of a bill.
struct BillLine
{
    enum class Kind { Payment, Refund };
    Kind kind = Kind::Payment;
    QByteArray outTradeNo; ///< 商户订单号: Paydesk's order number
    QByteArray channelTradeNo; ///< 支付宝交易号 / 微信订单号
    QByteArray outRefundNo; ///< refunds: 退款批次号/请求号 / 商户退款单号 (Paydesk's refund number)
    QByteArray channelRefundNo; ///< refunds, WeChat: 微信退款单号
    /// WeChat: 交易状态 of payments (SUCCESS, or REVOKED: a payment row of money that went back to the
    /// buyer, which the caller must not count as received) or 退款状态 of refunds; Alipay: "SUCCESS"
    QByteArray status;
    /// fen, never negative: the order amount (Alipay 订单金额, WeChat 订单金额), or the refund amount
    /// the merchant asked for (Alipay −订单金额, WeChat 申请退款金额)
    qint64 amount = 0;
    qint64 feeMillifen = 0; ///< the channel's fee in 1/1000 fen (1e-5 yuan), signed as the bill states
    qint64 bookedAtMs = 0; ///< 完成时间 / 交易时间 (or 退款成功时间), read as UTC+8
    qint64 lineNumber = 0; ///< 1-based line of the file
};

/// Counts and sums of a bill, either as its summary lines declare them or as its rows add up.
///
/// Each format fills in exactly the totals its summary states, in declared() and computed() alike,
/// and leaves the others 0 in both, so the two compare equal field by field when the rows add up:
/// - Alipay's footer states the payment and refund counts and 商家实收 sums (rowCount is their
///   sum) but no fee total: feeMillifen stays 0 (sum the lines' fees instead).
/// - WeChat's summary row states one count of all rows (总交易单数) but not how many are payments
///   and how many refunds: rowCount carries it and paymentCount/refundCount stay 0.
///   paymentAmount is 订单总金额 (the sum of 订单金额 over all rows), refundAmount 退款总金额 (the
///   sum of 退款金额), feeMillifen 手续费总金额.
struct BillTotals
{
    qint64 rowCount = 0; ///< payment and refund rows together
    qint64 paymentCount = 0;
    qint64 paymentAmount = 0; ///< fen
    qint64 refundCount = 0;
    qint64 refundAmount = 0; ///< fen, positive
    qint64 feeMillifen = 0;
    bool operator==(const BillTotals &other) const = default;
};

enum class BillFormat {
    AlipayTradeZip, ///< "alipay-trade-zip": the csv.zip as downloaded
    WechatTradeCsv, ///< "wechat-tradebill-csv": the decompressed CSV
    WechatTradeGzip, ///< the CSV gzip-compressed (tar_type=GZIP)
};

/// Reads one bill, line by line.
class BillReader
{
public:
    virtual ~BillReader() = default;

    /// Opens a bill file; nullptr with *error when it cannot be opened or its header is wrong.
    static std::unique_ptr<BillReader> openFile(BillFormat format, const QString &path, QString *error);
    /// The same over bytes in memory (tests, small bills).
    static std::unique_ptr<BillReader> openBytes(BillFormat format, const QByteArray &content, QString *error);

    /// The next payment or refund line; false at the end of the rows or on an error (see error()).
    virtual bool next(BillLine &line) = 0;
    /// Empty while all is well; otherwise e.g. "line 17: expected 27 fields, found 26".
    virtual QString error() const = 0;
    /// After next() returned false without error: the totals the bill's summary lines declare,
    /// and whether it had them (an empty bill may have none).
    virtual BillTotals declared() const = 0;
    virtual bool hasDeclared() const = 0;
    /// The totals of the rows read so far, computed the way the summary lines count them.
    virtual BillTotals computed() const = 0;
    /// Bytes of the (decompressed) bill consumed so far, for progress.
    virtual qint64 bytesRead() const = 0;
};

/// "alipay-trade-zip", "wechat-tradebill-csv", "wechat-tradebill-gzip".
QString billFormatName(BillFormat format);
bool billFormatFromName(const QString &name, BillFormat *format);

} // namespace paydesk::recon
