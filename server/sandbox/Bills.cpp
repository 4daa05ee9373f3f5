#include "server/sandbox/Bills.h"

#include "common/crypto/Random.h"
#include "common/money/Money.h"

#include <QMutexLocker>
#include <QStringEncoder>

#include <zlib.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace paydesk::sandbox {

// --- downloads ---------------------------------------------------------------------------------

QString BillDownloads::put(File file)
{
    const QString token = Random::token(24);
    QMutexLocker lock(&m_mutex);
    while (m_order.size() >= MaxFiles)
        m_files.remove(m_order.takeFirst());
    m_files.insert(token, std::move(file));
    m_order.append(token);
    return token;
}

std::optional<BillDownloads::File> BillDownloads::get(const QString &token)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_files.constFind(token);
    if (it == m_files.constEnd() || it->expiresAtMs < nowMs())
        return std::nullopt;
    return *it;
}

// --- common ------------------------------------------------------------------------------------

namespace {

QString yuan(qint64 fen)
{
    return Money::fromMinor(fen).toString();
}

// 1e-5 yuan (1/1000 fen) as yuan with five decimals, WeChat's 手续费: 3600 → "0.03600".
QString yuanMillifen(qint64 millifen)
{
    const quint64 magnitude = millifen < 0 ? 0 - quint64(millifen) : quint64(millifen);
    return (millifen < 0 ? u"-"_s : QString()) + QString::number(magnitude / 100'000) + u'.'
        + QString::number(magnitude % 100'000).rightJustified(5, u'0');
}

// The channel fee, 0.6% of the payment: in 1e-5 yuan for WeChat (exact: 6 per fen), rounded
// half up to whole fen for Alipay.
enum class FeeUnit { Fen, Millifen };

qint64 feeOf(qint64 fen, FeeUnit unit)
{
    return unit == FeeUnit::Millifen ? fen * 6 : (fen * 6 + 500) / 1000;
}

// What a refund gives back of the payment's fee (negative): the fee of everything refunded up to
// and including it, minus that of the refunds before, so a full refund returns the whole fee
// whatever the rounding.
qint64 refundFee(const TradeRecord &trade, const RefundRecord &refund, FeeUnit unit)
{
    qint64 before = 0;
    for (const RefundRecord &other : trade.refunds) {
        if (&other == &refund)
            break;
        before += other.succeeded ? other.amount : 0;
    }
    return feeOf(before, unit) - feeOf(before + refund.amount, unit);
}

// Free text inside a CSV field: the channels' bills have no quoting, so separators go.
QString plain(QString text)
{
    for (QChar &c : text) {
        if (c == u',' || c == u'\r' || c == u'\n' || c == u'\t' || c == u'`')
            c = u' ';
    }
    return text;
}

bool inDay(qint64 atMs, qint64 startMs, qint64 endMs)
{
    return atMs >= startMs && atMs < endMs;
}

QString chineseDateTime(qint64 msecsSinceEpoch)
{
    // "2019年09月17日 05:46:49"
    const QString text = beijingTime(msecsSinceEpoch);
    return text.left(4) + u"年"_s + text.mid(5, 2) + u"月"_s + text.mid(8, 2) + u"日 "_s + text.mid(11);
}

void appendLe16(QByteArray &out, quint32 value)
{
    out.append(char(value & 0xff)).append(char((value >> 8) & 0xff));
}

void appendLe32(QByteArray &out, quint32 value)
{
    appendLe16(out, value & 0xffff);
    appendLe16(out, value >> 16);
}

} // namespace

QList<TradeRecord> Bills::tradesOfDay(TradeBook::Data &data, SimChannel channel, QDate day)
{
    const qint64 start = beijingDayStartMs(day);
    const qint64 end = beijingDayStartMs(day.addDays(1));
    QList<TradeRecord> trades;
    for (const TradeRecord &trade : std::as_const(data.trades)) {
        if (trade.channel != channel || !trade.paid)
            continue;
        bool active = !trade.bill.omit && inDay(trade.billedAtMs(), start, end);
        for (const RefundRecord &refund : trade.refunds)
            active = active || (refund.succeeded && inDay(refund.succeededAtMs, start, end));
        if (active)
            trades.append(trade);
    }
    return trades;
}

// --- Alipay ------------------------------------------------------------------------------------

std::optional<QByteArray> Bills::alipayTradeZip(const QList<TradeRecord> &trades, const QString &sellerId, QDate day,
                                                qint64 nowMs, QString *error)
{
    QStringEncoder gbk("GBK");
    if (!gbk.isValid()) {
        *error = u"this Qt build has no GBK codec (it needs ICU)"_s;
        return std::nullopt;
    }
    const qint64 start = beijingDayStartMs(day);
    const qint64 end = beijingDayStartMs(day.addDays(1));
    const QString account = sellerId + u"0156"_s;

    struct Row
    {
        qint64 atMs = 0;
        QString text;
    };
    QList<Row> rows;
    qint64 paidCount = 0;
    qint64 paidTotal = 0;
    qint64 refundCount = 0;
    qint64 refundTotal = 0;
    qint64 feeTotal = 0;
    for (const TradeRecord &trade : trades) {
        const QString subject = plain(trade.subject);
        // ID-like fields end with a TAB so that spreadsheets keep them as text (as Alipay does).
        const auto row = [&](const QString &kind, qint64 atMs, qint64 amount, const QString &requestNo, qint64 fee) {
            const QString money = yuan(amount);
            return QStringList{trade.tradeNo + u'\t',
                               trade.outTradeNo + u'\t',
                               kind + u'\t',
                               subject,
                               beijingTime(trade.createdAtMs),
                               beijingTime(atMs),
                               u"\t"_s,
                               u"\t"_s,
                               u"\t"_s,
                               u"\t"_s,
                               trade.buyerLogonId + u'\t',
                               money,
                               money,
                               u"0.00"_s,
                               u"0.00"_s,
                               u"0.00"_s,
                               u"0.00"_s,
                               u"0.00"_s,
                               QString(),
                               u"0.00\t"_s,
                               u"0.00"_s,
                               requestNo + u'\t',
                               yuan(fee),
                               u"0.00"_s,
                               subject}
                .join(u',');
        };
        if (!trade.bill.omit && inDay(trade.billedAtMs(), start, end)) {
            const qint64 fee = feeOf(trade.billedAmount(), FeeUnit::Fen);
            rows.append({trade.billedAtMs(), row(u"交易"_s, trade.billedAtMs(), trade.billedAmount(), QString(), fee)});
            ++paidCount;
            paidTotal += trade.billedAmount();
            feeTotal += fee;
        }
        for (const RefundRecord &refund : trade.refunds) {
            if (!refund.succeeded || !inDay(refund.succeededAtMs, start, end))
                continue;
            const qint64 fee = refundFee(trade, refund, FeeUnit::Fen);
            rows.append(
                {refund.succeededAtMs, row(u"退款"_s, refund.succeededAtMs, -refund.amount, refund.outRefundNo, fee)});
            ++refundCount;
            refundTotal -= refund.amount;
            feeTotal += fee;
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.atMs < b.atMs; });

    const QString period = u"#起始日期：[%1 00:00:00]   终止日期：[%2 00:00:00]"_s.arg(chineseDateTime(start).left(11),
                                                                                       chineseDateTime(end).left(11));
    const QString exported = u"#导出时间：[%1]"_s.arg(chineseDateTime(nowMs));
    QStringList detail{
        u"#支付宝业务明细查询"_s,
        u"#账号：[%1]"_s.arg(account),
        period,
        u"#-----------------------------------------业务明细列表----------------------------------------"_s,
        u"支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
        "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
        "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"_s,
    };
    for (const Row &row : std::as_const(rows))
        detail.append(row.text);
    detail += QStringList{
        u"#-----------------------------------------业务明细列表结束------------------------------------"_s,
        u"#交易合计：%1笔，商家实收共%2元，商家优惠共0.00元"_s.arg(paidCount).arg(yuan(paidTotal)),
        u"#退款合计：%1笔，商家实收退款共%2元，商家优惠退款共0.00元"_s.arg(refundCount).arg(yuan(refundTotal)),
        exported,
    };
    // The summary file's layout is Alipay's; the sandbox has no stores, so only the total line.
    // 实收净额 is what the merchant keeps: 商家实收 less the fees.
    const QString net = yuan(paidTotal + refundTotal);
    const QStringList summary{
        u"#支付宝业务汇总查询"_s,
        u"#账号：[%1]"_s.arg(account),
        period,
        u"#-----------------------------------------业务汇总列表----------------------------------------"_s,
        u"门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,"
        "商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）"_s,
        u"合计,,%1,%2,%3,%3,0.00,0.00,0.00,%4,0.00,%5"_s.arg(paidCount)
            .arg(refundCount)
            .arg(net, yuan(feeTotal), yuan(paidTotal + refundTotal - feeTotal)),
        u"#-----------------------------------------业务汇总列表结束------------------------------------"_s,
        exported,
    };
    const QString dayText = day.toString(u"yyyyMMdd"_s);
    const QByteArray detailName = gbk.encode(account + u"_"_s + dayText + u"_业务明细.csv"_s);
    const QByteArray detailCsv = gbk.encode(detail.join(u'\n') + u'\n');
    const QByteArray summaryName = gbk.encode(account + u"_"_s + dayText + u"_业务明细(汇总).csv"_s);
    const QByteArray summaryCsv = gbk.encode(summary.join(u'\n') + u'\n');
    if (gbk.hasError()) {
        *error = u"GBK encoding failed"_s;
        return std::nullopt;
    }
    const QDateTime modified = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::OffsetFromUTC, 8 * 3600);
    return storedZip({{detailName, detailCsv}, {summaryName, summaryCsv}}, modified);
}

// --- WeChat Pay --------------------------------------------------------------------------------

QByteArray Bills::wechatTradeBill(const QList<TradeRecord> &trades, const QString &appId, const QString &mchId,
                                  QDate day, const QString &billType, int *rows)
{
    static const QStringList allColumns
        = u"交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,"
          "交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,"
          "商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
          "手续费,费率,订单金额,申请退款金额,费率备注"_s.split(u',');
    static const QStringList successColumns = u"交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,"
                                              "用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,"
                                              "商品名称,商户数据包,手续费,费率,订单金额,费率备注"_s.split(u',');
    static const QStringList refundColumns
        = u"交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,"
          "用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,"
          "退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
          "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
          "费率备注"_s.split(u',');
    const QStringList &columns
        = billType == u"SUCCESS"_s ? successColumns : (billType == u"REFUND"_s ? refundColumns : allColumns);
    const bool withPayments = billType != u"REFUND"_s;
    const bool withRefunds = billType != u"SUCCESS"_s;
    const qint64 start = beijingDayStartMs(day);
    const qint64 end = beijingDayStartMs(day.addDays(1));

    struct Row
    {
        qint64 atMs = 0;
        QHash<QString, QString> fields;
    };
    QList<Row> data;
    qint64 settlementTotal = 0;
    qint64 refundTotal = 0;
    qint64 orderTotal = 0;
    qint64 feeTotal = 0;
    for (const TradeRecord &trade : trades) {
        const QHash<QString, QString> common{
            {u"公众账号ID"_s, appId},
            {u"商户号"_s, mchId},
            {u"特约商户号"_s, u"0"_s},
            {u"设备号"_s, QString()},
            {u"微信订单号"_s, trade.tradeNo},
            {u"商户订单号"_s, trade.outTradeNo},
            {u"用户标识"_s, trade.buyerId},
            {u"交易类型"_s, trade.tradeType},
            {u"付款银行"_s, u"OTHERS"_s},
            {u"货币种类"_s, u"CNY"_s},
            {u"代金券金额"_s, u"0.00"_s},
            {u"充值券退款金额"_s, u"0.00"_s},
            {u"商品名称"_s, plain(trade.subject)},
            {u"商户数据包"_s, plain(trade.attach)},
            {u"费率"_s, u"0.60%"_s},
            {u"费率备注"_s, QString()},
        };
        if (withPayments && !trade.bill.omit && inDay(trade.billedAtMs(), start, end)) {
            const qint64 amount = trade.billedAmount();
            const qint64 fee = feeOf(amount, FeeUnit::Millifen);
            QHash<QString, QString> fields = common;
            fields.insert({
                {u"交易时间"_s, beijingTime(trade.billedAtMs())},
                {u"交易状态"_s, u"SUCCESS"_s},
                {u"应结订单金额"_s, yuan(amount)},
                {u"微信退款单号"_s, u"0"_s},
                {u"商户退款单号"_s, u"0"_s},
                {u"退款金额"_s, u"0.00"_s},
                {u"手续费"_s, yuanMillifen(fee)},
                {u"订单金额"_s, yuan(amount)},
                {u"申请退款金额"_s, u"0.00"_s},
            });
            data.append({trade.billedAtMs(), fields});
            settlementTotal += amount;
            orderTotal += amount;
            feeTotal += fee;
        }
        for (const RefundRecord &refund : trade.refunds) {
            if (!withRefunds || !refund.succeeded || !inDay(refund.succeededAtMs, start, end))
                continue;
            const qint64 fee = refundFee(trade, refund, FeeUnit::Millifen);
            QHash<QString, QString> fields = common;
            fields.insert({
                {u"交易时间"_s, beijingTime(refund.createdAtMs)},
                {u"交易状态"_s, u"REFUND"_s},
                {u"应结订单金额"_s, u"0.00"_s},
                {u"退款申请时间"_s, beijingTime(refund.createdAtMs)},
                {u"退款成功时间"_s, beijingTime(refund.succeededAtMs)},
                {u"微信退款单号"_s, refund.refundId},
                {u"商户退款单号"_s, refund.outRefundNo},
                {u"退款金额"_s, yuan(refund.amount)},
                {u"退款类型"_s, u"ORIGINAL"_s},
                {u"退款状态"_s, u"SUCCESS"_s},
                {u"手续费"_s, yuanMillifen(fee)},
                {u"订单金额"_s, u"0.00"_s},
                {u"申请退款金额"_s, yuan(refund.amount)},
            });
            data.append({refund.succeededAtMs, fields});
            refundTotal += refund.amount;
            feeTotal += fee;
        }
    }
    std::stable_sort(data.begin(), data.end(), [](const Row &a, const Row &b) { return a.atMs < b.atMs; });
    *rows = int(data.size());

    // UTF-8 with a BOM and CRLF, as in the bill a v3 download returns (the PHP SDK's fixture).
    QString csv = QChar(0xfeff) + columns.join(u',') + u"\r\n"_s;
    for (const Row &row : std::as_const(data)) {
        QStringList fields;
        for (const QString &column : columns)
            fields.append(u'`' + row.fields.value(column));
        csv += fields.join(u',') + u"\r\n"_s;
    }
    csv += u"总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n"_s;
    csv += u"`%1,`%2,`%3,`0.00,`%4,`%5,`%3\r\n"_s.arg(data.size())
               .arg(yuan(settlementTotal), yuan(refundTotal), yuanMillifen(feeTotal), yuan(orderTotal));
    return csv.toUtf8();
}

// --- containers --------------------------------------------------------------------------------

QByteArray Bills::storedZip(const QList<std::pair<QByteArray, QByteArray>> &entries, const QDateTime &modified)
{
    // PKWARE APPNOTE 4.3: local headers with the data, then the central directory, then its end
    // record. Method 0 (stored) needs no deflate; bit 11 (UTF-8 names) stays off, as in Alipay's.
    const QDate date = modified.date();
    const QTime time = modified.time();
    const quint32 dosTime = quint32(time.hour() << 11 | time.minute() << 5 | time.second() / 2);
    const quint32 dosDate = quint32(std::max(0, date.year() - 1980) << 9 | date.month() << 5 | date.day());
    QByteArray archive;
    QByteArray directory;
    for (const auto &[name, data] : entries) {
        const quint32 crc = quint32(
            crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef *>(data.constData()), uInt(data.size())));
        const quint32 offset = quint32(archive.size());
        QByteArray common;
        appendLe16(common, 20); // version needed to extract: 2.0
        appendLe16(common, 0); // flags
        appendLe16(common, 0); // method: stored
        appendLe16(common, dosTime);
        appendLe16(common, dosDate);
        appendLe32(common, crc);
        appendLe32(common, quint32(data.size())); // compressed size
        appendLe32(common, quint32(data.size())); // uncompressed size
        appendLe16(common, quint32(name.size()));
        appendLe16(common, 0); // extra field length

        appendLe32(archive, 0x04034b50);
        archive += common + name + data;

        appendLe32(directory, 0x02014b50);
        appendLe16(directory, 20); // version made by: 2.0, MS-DOS attributes
        directory += common;
        appendLe16(directory, 0); // comment length
        appendLe16(directory, 0); // disk number
        appendLe16(directory, 0); // internal attributes
        appendLe32(directory, 0); // external attributes
        appendLe32(directory, offset);
        directory += name;
    }
    const quint32 directoryOffset = quint32(archive.size());
    archive += directory;
    appendLe32(archive, 0x06054b50);
    appendLe16(archive, 0); // this disk
    appendLe16(archive, 0); // disk with the directory
    appendLe16(archive, quint32(entries.size()));
    appendLe16(archive, quint32(entries.size()));
    appendLe32(archive, quint32(directory.size()));
    appendLe32(archive, directoryOffset);
    appendLe16(archive, 0); // comment length
    return archive;
}

std::optional<QByteArray> Bills::gzip(QByteArrayView data)
{
    z_stream stream{};
    // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return std::nullopt;
    QByteArray out(qsizetype(deflateBound(&stream, uLong(data.size()))) + 32, Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    const int result = deflate(&stream, Z_FINISH);
    const qsizetype written = qsizetype(stream.total_out);
    deflateEnd(&stream);
    if (result != Z_STREAM_END)
        return std::nullopt;
    out.truncate(written);
    return out;
}

} // namespace paydesk::sandbox
