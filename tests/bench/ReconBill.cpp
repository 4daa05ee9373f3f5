#include "ReconBill.h"

#include <QDateTime>
#include <QFile>
#include <QStringEncoder>
#include <QTimeZone>

#include <zip.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace paydesk::bench {

namespace {

constexpr qsizetype kWriteBuffer = 1024 * 1024;

// One line of the bill, in the terms both formats need.
struct Line
{
    bool refund = false;
    QByteArray orderNo;
    QByteArray tradeNo;
    QByteArray refundNo; ///< refunds: Paydesk's refund number (the channel's out_refund_no)
    QByteArray channelRefundNo;
    QByteArray subject;
    qint64 amount = 0; ///< fen, positive
    qint64 feeMillifen = 0; ///< 0.6 % of a payment; a refund gives its share back (negative)
    qint64 createdAt = 0;
    qint64 bookedAt = 0; ///< paid, or refund succeeded
};

QByteArray beijingTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone(8 * 3600)).toString(u"yyyy-MM-dd HH:mm:ss"_s).toLatin1();
}

// Fen as yuan: 12345 → "123.45", -5 → "-0.05".
QByteArray yuan(qint64 fen)
{
    const quint64 magnitude = fen < 0 ? 0 - quint64(fen) : quint64(fen);
    QByteArray text = fen < 0 ? "-" : "";
    text += QByteArray::number(magnitude / 100) + '.';
    const quint64 cents = magnitude % 100;
    if (cents < 10)
        text += '0';
    return text + QByteArray::number(cents);
}

// 1e-5 yuan as yuan with five decimals, WeChat's 手续费: 3600 → "0.03600".
QByteArray yuanMillifen(qint64 millifen)
{
    const quint64 magnitude = millifen < 0 ? 0 - quint64(millifen) : quint64(millifen);
    return (millifen < 0 ? "-" : "") + QByteArray::number(magnitude / 100'000) + '.'
        + QByteArray::number(magnitude % 100'000).rightJustified(5, '0');
}

// Every line of the day in the order the channel books them (refunds ten minutes after their
// payment, so a short queue keeps them in time order), with the faults applied.
ReconBill::Written forEachLine(const PaidDay &day, const ReconBill::Faults &faults,
                               const std::function<void(const Line &)> &sink)
{
    ReconBill::Written written;
    const auto contains = [](const std::vector<qint64> &list, qint64 i) {
        return std::find(list.begin(), list.end(), i) != list.end();
    };
    std::deque<Line> refunds;
    const auto flushRefunds = [&](qint64 until) {
        while (!refunds.empty() && refunds.front().bookedAt <= until) {
            sink(refunds.front());
            ++written.refunds;
            refunds.pop_front();
        }
    };
    const QByteArray dayText = day.plan().day.toString(u"yyyyMMdd"_s).toLatin1();
    for (qint64 i = 0; i < day.plan().orders; ++i) {
        const PaidDay::Order order = day.order(i);
        flushRefunds(order.paidAt);
        Line line;
        line.orderNo = order.orderNo.toLatin1();
        line.tradeNo = order.channelTradeNo.toLatin1();
        line.subject = "Bench order " + QByteArray::number(i);
        line.amount = order.amount;
        line.createdAt = order.createdAt;
        line.bookedAt = order.paidAt;
        if (contains(faults.amountChanged, i)) {
            line.amount += 1;
            written.amountChanged.append(order.orderNo);
        }
        line.feeMillifen = line.amount * 6;
        if (contains(faults.omitted, i)) {
            written.omitted.append(order.orderNo);
        } else {
            sink(line);
            ++written.payments;
        }
        if (day.hasRefund(i)) {
            const PaidDay::Refund refund = day.refund(i);
            Line back = line;
            back.refund = true;
            back.refundNo = refund.refundNo.toLatin1();
            back.channelRefundNo = refund.channelRefundNo.toLatin1();
            back.amount = refund.amount;
            back.feeMillifen = -refund.amount * 6;
            back.createdAt = refund.createdAt;
            back.bookedAt = refund.succeededAt;
            refunds.push_back(back);
        }
        const auto unknown = std::find(faults.unknownAfter.begin(), faults.unknownAfter.end(), i);
        if (unknown != faults.unknownAfter.end()) {
            const qint64 k = qint64(unknown - faults.unknownAfter.begin());
            Line stray;
            stray.orderNo = day.unknownOrderNo(k).toLatin1();
            stray.tradeNo = (day.plan().channelType == u"alipay"_s ? dayText + "22009" : "420000" + dayText + "99")
                + QByteArray::number(k).rightJustified(12, '0');
            stray.subject = "Not ours";
            stray.amount = 1234 + k;
            stray.feeMillifen = stray.amount * 6;
            stray.createdAt = order.createdAt;
            stray.bookedAt = order.paidAt;
            sink(stray);
            ++written.payments;
            written.unknown.append(QString::fromLatin1(stray.orderNo));
        }
    }
    flushRefunds(std::numeric_limits<qint64>::max());
    written.rows = written.payments + written.refunds;
    return written;
}

// A file written through a buffer of about a megabyte.
class BufferedFile final
{
public:
    explicit BufferedFile(const QString &path) : m_file(path)
    {
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            throw std::runtime_error("cannot write " + path.toStdString());
        m_buffer.reserve(kWriteBuffer + 4096);
    }
    void write(QByteArrayView bytes)
    {
        m_buffer.append(bytes);
        if (m_buffer.size() >= kWriteBuffer)
            flush();
    }
    qint64 close()
    {
        flush();
        m_file.close();
        return m_written;
    }

private:
    void flush()
    {
        if (m_file.write(m_buffer) != m_buffer.size())
            throw std::runtime_error("cannot write " + m_file.fileName().toStdString());
        m_written += m_buffer.size();
        m_buffer.clear();
    }

    QFile m_file;
    QByteArray m_buffer;
    qint64 m_written = 0;
};

} // namespace

ReconBill::Faults ReconBill::chooseFaults(const PaidDay &day, int each)
{
    Faults faults;
    const qint64 orders = day.plan().orders;
    if (orders < qint64(each) * 10)
        throw std::invalid_argument("too few orders for the bill's faults");
    std::vector<qint64> used;
    const auto pick = [&](qint64 from) {
        qint64 i = from;
        while (day.hasRefund(i) || std::find(used.begin(), used.end(), i) != used.end())
            i = (i + 1) % orders;
        used.push_back(i);
        return i;
    };
    const qint64 stride = orders / each;
    for (int k = 0; k < each; ++k) {
        faults.amountChanged.push_back(pick(k * stride + 1));
        faults.omitted.push_back(pick(k * stride + stride / 3));
        faults.unknownAfter.push_back(pick(k * stride + 2 * stride / 3));
    }
    return faults;
}

ReconBill::Written ReconBill::writeWechat(const PaidDay &day, const Faults &faults, const QString &path,
                                          const QString &appId, const QString &mchId)
{
    BufferedFile file(path);
    file.write("\xef\xbb\xbf"); // UTF-8 BOM
    file.write(
        u"交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
        "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
        "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n"_s.toUtf8());
    const QByteArray app = appId.toUtf8();
    const QByteArray mch = mchId.toUtf8();
    qint64 settlementTotal = 0, orderTotal = 0, refundTotal = 0, feeTotal = 0;
    QByteArray row;
    Written written = forEachLine(day, faults, [&](const Line &line) {
        // Every field starts with a backtick; the 27 columns of the ALL bill.
        row.clear();
        row += '`' + beijingTime(line.refund ? line.createdAt : line.bookedAt);
        row += ",`" + app + ",`" + mch + ",`0,`,`" + line.tradeNo + ",`" + line.orderNo + ",`oBench" + ",`NATIVE,`";
        row += line.refund ? "REFUND" : "SUCCESS";
        row += ",`OTHERS,`CNY,`" + (line.refund ? QByteArray("0.00") : yuan(line.amount)) + ",`0.00,`";
        if (line.refund)
            row += line.channelRefundNo + ",`" + line.refundNo + ",`" + yuan(line.amount) + ",`0.00,`ORIGINAL,`SUCCESS";
        else
            row += "0,`0,`0.00,`0.00,`,`";
        row += ",`" + line.subject + ",`,`" + yuanMillifen(line.feeMillifen) + ",`0.60%,`";
        row += (line.refund ? QByteArray("0.00") : yuan(line.amount)) + ",`";
        row += (line.refund ? yuan(line.amount) : QByteArray("0.00")) + ",`\r\n";
        file.write(row);
        (line.refund ? refundTotal : settlementTotal) += line.amount;
        if (!line.refund)
            orderTotal += line.amount;
        feeTotal += line.feeMillifen;
    });
    file.write(
        u"总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n"_s.toUtf8());
    file.write('`' + QByteArray::number(written.rows) + ",`" + yuan(settlementTotal) + ",`" + yuan(refundTotal)
               + ",`0.00,`" + yuanMillifen(feeTotal) + ",`" + yuan(orderTotal) + ",`" + yuan(refundTotal) + "\r\n");
    written.textBytes = written.fileBytes = file.close();
    return written;
}

bool ReconBill::writeAlipay(const PaidDay &day, const Faults &faults, const QString &path, const QString &sellerId,
                            Written *written, QString *error)
{
    QStringEncoder gbk("GBK");
    if (!gbk.isValid()) {
        *error = u"this Qt build has no GBK codec (it needs ICU)"_s;
        return false;
    }
    const auto encode = [&gbk](const QString &text) { return QByteArray(gbk.encode(text)); };
    const QDate date = day.plan().day;
    const QString account = sellerId + u"0156"_s;
    const QString dayText = date.toString(u"yyyyMMdd"_s);
    const auto chinese = [](const QDate &d) { return d.toString(u"yyyy年MM月dd日"_s); };
    const QString exported = u"#导出时间：[%1]"_s.arg(
        QDateTime::currentDateTimeUtc().toTimeZone(QTimeZone(8 * 3600)).toString(u"yyyy年MM月dd日 HH:mm:ss"_s));
    const QString csvPath = path + u".csv"_s;
    const QByteArray trade = encode(u"交易"_s);
    const QByteArray refundKind = encode(u"退款"_s);
    qint64 paidTotal = 0, refundTotal = 0;
    {
        BufferedFile file(csvPath);
        file.write(encode(
            u"#支付宝业务明细查询\n#账号：[%1]\n#起始日期：[%2 00:00:00]   终止日期：[%3 00:00:00]\n"
            "#-----------------------------------------业务明细列表----------------------------------------\n"
            "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
            "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,"
            "券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,"
            "分润（元）,备注\n"_s.arg(account, chinese(date), chinese(date.addDays(1)))));
        QByteArray row;
        *written = forEachLine(day, faults, [&](const Line &line) {
            // ID-like fields end with a TAB, as Alipay writes them; refunds state negative amounts.
            const qint64 signedAmount = line.refund ? -line.amount : line.amount;
            const QByteArray money = yuan(signedAmount);
            // 服务费 in whole fen (0.6 %, half up); a refund gives its share back.
            const qint64 fee = line.refund ? -((line.amount * 6 + 500) / 1000) : (line.amount * 6 + 500) / 1000;
            row.clear();
            row += line.tradeNo + "\t," + line.orderNo + "\t," + (line.refund ? refundKind : trade) + "\t,"
                + line.subject + ',' + beijingTime(line.createdAt) + ',' + beijingTime(line.bookedAt)
                + ",\t,\t,\t,\t,buyer***@example.com\t," + money + ',' + money
                + ",0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00," + line.refundNo + "\t," + yuan(fee) + ",0.00,"
                + line.subject + '\n';
            file.write(row);
            (line.refund ? refundTotal : paidTotal) += signedAmount;
        });
        file.write(
            encode(u"#-----------------------------------------业务明细列表结束------------------------------------\n"
                   "#交易合计：%1笔，商家实收共%2元，商家优惠共0.00元\n"
                   "#退款合计：%3笔，商家实收退款共%4元，商家优惠退款共0.00元\n%5\n"_s.arg(written->payments)
                       .arg(QString::fromLatin1(yuan(paidTotal)))
                       .arg(written->refunds)
                       .arg(QString::fromLatin1(yuan(refundTotal)), exported)));
        written->textBytes = file.close();
    }
    if (gbk.hasError()) {
        *error = u"GBK encoding failed"_s;
        return false;
    }
    // Stored entries with GBK names and the UTF-8 flag off, as in Alipay's zips; libzip copies the
    // CSV from its file when the archive is closed.
    int code = 0;
    QFile::remove(path);
    zip_t *archive = zip_open(QFile::encodeName(path).constData(), ZIP_CREATE | ZIP_EXCL, &code);
    if (!archive) {
        *error = u"cannot create %1 (libzip error %2)"_s.arg(path).arg(code);
        return false;
    }
    zip_source_t *source = zip_source_file(archive, QFile::encodeName(csvPath).constData(), 0, -1);
    const QByteArray name = encode(account + u"_"_s + dayText + u"_业务明细.csv"_s);
    const zip_int64_t entry = source ? zip_file_add(archive, name.constData(), source, ZIP_FL_ENC_CP437) : -1;
    if (entry < 0 || zip_set_file_compression(archive, zip_uint64_t(entry), ZIP_CM_STORE, 0) != 0
        || zip_close(archive) != 0) {
        *error = u"cannot write %1: %2"_s.arg(path, QString::fromUtf8(zip_strerror(archive)));
        if (source && entry < 0)
            zip_source_free(source);
        zip_discard(archive);
        return false;
    }
    QFile::remove(csvPath);
    written->fileBytes = QFile(path).size();
    return true;
}

} // namespace paydesk::bench
