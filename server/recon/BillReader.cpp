#include "server/recon/BillReader.h"

#include <QFile>
#include <QStringDecoder>
#include <QStringEncoder>
#include <QtNumeric>

#include <zip.h>
#include <zlib.h>

#include <array>
#include <cstring>

using namespace Qt::StringLiterals;

namespace paydesk::recon {

namespace {

// A bill is pulled in chunks of this size; a line longer than kMaxLineLength is an error, so a
// reader never holds more than about their sum, whatever the size of the bill.
constexpr qint64 kChunkSize = 256 * 1024;
constexpr qsizetype kMaxLineLength = 64 * 1024;
constexpr qint64 kBeijingOffsetMs = 8 * 3600 * 1000;
constexpr QByteArrayView kUtf8Bom("\xef\xbb\xbf");

// --- byte sources ----------------------------------------------------------------------------

// The (decompressed) bytes of a bill, in pieces. Errors name the file problem ("zip: …",
// "gzip: …", "file: …"); errors inside the text name the line.
class ByteSource
{
public:
    virtual ~ByteSource() = default;
    /// Up to size bytes into data: their count, 0 at the end, -1 on an error (see error()).
    virtual qint64 read(char *data, qint64 size) = 0;
    QString error() const { return m_error; }

protected:
    QString m_error;
};

class MemorySource final : public ByteSource
{
public:
    explicit MemorySource(QByteArray data) : m_data(std::move(data)) { }
    qint64 read(char *data, qint64 size) override
    {
        const qint64 n = qMin(size, qint64(m_data.size()) - m_position);
        if (n > 0)
            std::memcpy(data, m_data.constData() + m_position, size_t(n));
        m_position += n;
        return n;
    }

private:
    QByteArray m_data;
    qint64 m_position = 0;
};

class FileSource final : public ByteSource
{
public:
    explicit FileSource(const QString &path) : m_file(path) { }
    bool open(QString *error)
    {
        if (m_file.open(QIODevice::ReadOnly))
            return true;
        *error = u"file: cannot open %1: %2"_s.arg(m_file.fileName(), m_file.errorString());
        return false;
    }
    qint64 read(char *data, qint64 size) override
    {
        const qint64 n = m_file.read(data, size);
        if (n < 0)
            m_error = u"file: cannot read %1: %2"_s.arg(m_file.fileName(), m_file.errorString());
        return n;
    }

private:
    QFile m_file;
};

// gzip (RFC 1952; several members one after the other are read as one stream, as gunzip does).
class GzipSource final : public ByteSource
{
public:
    explicit GzipSource(std::unique_ptr<ByteSource> input) : m_input(std::move(input)), m_in(kChunkSize, '\0') { }
    ~GzipSource() override
    {
        if (m_initialized)
            inflateEnd(&m_stream);
    }
    Q_DISABLE_COPY_MOVE(GzipSource)

    bool init(QString *error)
    {
        // windowBits 15 + 16: a gzip header and trailer, not zlib's.
        m_initialized = inflateInit2(&m_stream, 16 + MAX_WBITS) == Z_OK;
        if (!m_initialized)
            *error = u"gzip: cannot initialise zlib"_s;
        return m_initialized;
    }

    qint64 read(char *data, qint64 size) override
    {
        size = qMin(size, qint64(1) << 30);
        qint64 produced = 0;
        while (produced == 0) {
            if (m_done)
                return 0;
            if (m_stream.avail_in == 0 && !m_inputEnded) {
                const qint64 n = m_input->read(m_in.data(), m_in.size());
                if (n < 0) {
                    m_error = m_input->error();
                    return -1;
                }
                m_inputEnded = n == 0;
                m_stream.next_in = reinterpret_cast<Bytef *>(m_in.data());
                m_stream.avail_in = uInt(n);
            }
            if (m_memberEnded) {
                if (m_stream.avail_in == 0) {
                    m_done = m_inputEnded;
                    continue;
                }
                inflateReset(&m_stream);
                m_memberEnded = false;
            }
            m_stream.next_out = reinterpret_cast<Bytef *>(data);
            m_stream.avail_out = uInt(size);
            const int result = inflate(&m_stream, Z_NO_FLUSH);
            produced = size - qint64(m_stream.avail_out);
            if (result == Z_STREAM_END) {
                m_memberEnded = true;
            } else if (result == Z_BUF_ERROR) {
                if (m_stream.avail_in == 0 && m_inputEnded) {
                    m_error = u"gzip: the stream is truncated"_s;
                    return -1;
                }
            } else if (result != Z_OK) {
                m_error = u"gzip: corrupt data (%1)"_s.arg(QString::fromLatin1(m_stream.msg ? m_stream.msg : "?"));
                return -1;
            }
        }
        return produced;
    }

private:
    std::unique_ptr<ByteSource> m_input;
    QByteArray m_in;
    z_stream m_stream{};
    bool m_initialized = false;
    bool m_inputEnded = false;
    bool m_memberEnded = false;
    bool m_done = false;
};

// The "业务明细" entry of an Alipay bill zip (GBK name with the UTF-8 flag off, or a UTF-8 name),
// not its "业务明细(汇总)" summary beside it.
class ZipEntrySource final : public ByteSource
{
public:
    ZipEntrySource() = default;
    ~ZipEntrySource() override
    {
        if (m_file)
            zip_fclose(m_file);
        if (m_archive)
            zip_discard(m_archive);
    }
    Q_DISABLE_COPY_MOVE(ZipEntrySource)

    bool openFile(const QString &path, QString *error)
    {
        int code = 0;
        m_archive = zip_open(QFile::encodeName(path).constData(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
        if (!m_archive) {
            zip_error_t zipError;
            zip_error_init_with_code(&zipError, code);
            *error = u"zip: cannot open %1: %2"_s.arg(path, QString::fromUtf8(zip_error_strerror(&zipError)));
            zip_error_fini(&zipError);
            return false;
        }
        return openEntry(error);
    }

    bool openBytes(QByteArray content, QString *error)
    {
        m_content = std::move(content);
        zip_error_t zipError;
        zip_error_init(&zipError);
        zip_source_t *source
            = zip_source_buffer_create(m_content.constData(), zip_uint64_t(m_content.size()), 0, &zipError);
        if (source)
            m_archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &zipError);
        if (!m_archive) {
            *error = u"zip: not a readable zip archive: %1"_s.arg(QString::fromUtf8(zip_error_strerror(&zipError)));
            if (source)
                zip_source_free(source);
            zip_error_fini(&zipError);
            return false;
        }
        zip_error_fini(&zipError);
        return openEntry(error);
    }

    qint64 read(char *data, qint64 size) override
    {
        const zip_int64_t n = zip_fread(m_file, data, zip_uint64_t(size));
        if (n < 0)
            m_error = u"zip: cannot read the bill entry: %1"_s.arg(QString::fromUtf8(zip_file_strerror(m_file)));
        return n;
    }

private:
    bool openEntry(QString *error)
    {
        static const QByteArray utf8Suffix = u"业务明细.csv"_s.toUtf8();
        static const QByteArray gbkSuffix = [] {
            QStringEncoder gbk("GBK");
            return gbk.isValid() ? QByteArray(gbk.encode(u"业务明细.csv"_s)) : QByteArray();
        }();
        const zip_int64_t count = zip_get_num_entries(m_archive, 0);
        zip_int64_t found = -1;
        for (zip_int64_t i = 0; i < count; ++i) {
            const char *name = zip_get_name(m_archive, zip_uint64_t(i), ZIP_FL_ENC_RAW);
            if (!name)
                continue;
            const QByteArrayView view(name);
            if (view.endsWith(utf8Suffix) || (!gbkSuffix.isEmpty() && view.endsWith(gbkSuffix))) {
                if (found >= 0) {
                    *error = u"zip: more than one 业务明细.csv entry"_s;
                    return false;
                }
                found = i;
            }
        }
        if (found < 0) {
            *error = u"zip: no 业务明细.csv entry"_s;
            return false;
        }
        m_file = zip_fopen_index(m_archive, zip_uint64_t(found), 0);
        if (!m_file) {
            *error = u"zip: cannot open the bill entry: %1"_s.arg(QString::fromUtf8(zip_strerror(m_archive)));
            return false;
        }
        return true;
    }

    QByteArray m_content; // openBytes(): the buffer libzip reads from
    zip_t *m_archive = nullptr;
    zip_file_t *m_file = nullptr;
};

// --- lines -----------------------------------------------------------------------------------

// Hands out one line at a time (without its LF or CRLF) from a buffer of one chunk plus the
// longest line allowed.
class LineReader final
{
public:
    enum Result { Line, End, Error };

    explicit LineReader(std::unique_ptr<ByteSource> source)
        : m_source(std::move(source)), m_buffer(kChunkSize + kMaxLineLength + 2, '\0')
    {
    }

    /// The line stays valid until the next call.
    Result next(QByteArrayView *line)
    {
        for (;;) {
            const char *start = m_buffer.constData() + m_begin;
            const qsizetype available = m_end - m_begin;
            if (const void *newline = std::memchr(start, '\n', size_t(available))) {
                const qsizetype length = static_cast<const char *>(newline) - start;
                return take(length, length + 1, line);
            }
            if (available > kMaxLineLength)
                return tooLong();
            if (m_eof) {
                if (available == 0)
                    return End;
                return take(available, available, line); // the last line has no line end
            }
            if (m_begin > 0) {
                std::memmove(m_buffer.data(), start, size_t(available));
                m_begin = 0;
                m_end = available;
            }
            const qint64 n = m_source->read(m_buffer.data() + m_end, m_buffer.size() - m_end);
            if (n < 0) {
                m_error = m_source->error();
                return Error;
            }
            m_eof = n == 0;
            m_end += qsizetype(n);
        }
    }

    /// 1-based number of the line last handed out.
    qint64 lineNumber() const { return m_lineNumber; }
    qint64 bytesConsumed() const { return m_consumed; }
    QString error() const { return m_error; }

private:
    Result take(qsizetype length, qsizetype consumed, QByteArrayView *line)
    {
        if (length > kMaxLineLength)
            return tooLong();
        const char *start = m_buffer.constData() + m_begin;
        ++m_lineNumber;
        m_begin += consumed;
        m_consumed += consumed;
        if (length > 0 && start[length - 1] == '\r')
            --length;
        *line = QByteArrayView(start, length);
        return Line;
    }

    Result tooLong()
    {
        m_error = u"line %1: longer than %2 bytes"_s.arg(m_lineNumber + 1).arg(kMaxLineLength);
        return Error;
    }

    std::unique_ptr<ByteSource> m_source;
    QByteArray m_buffer;
    qsizetype m_begin = 0;
    qsizetype m_end = 0;
    bool m_eof = false;
    qint64 m_lineNumber = 0;
    qint64 m_consumed = 0;
    QString m_error;
};

// --- fields and numbers ----------------------------------------------------------------------

// Splits line on separator into at most max views; returns the real number of fields.
int splitFields(QByteArrayView line, QByteArrayView separator, QByteArrayView *fields, int max)
{
    int count = 0;
    qsizetype start = 0;
    for (;;) {
        const qsizetype at = line.indexOf(separator, start);
        const qsizetype end = at < 0 ? line.size() : at;
        if (count < max)
            fields[count] = line.sliced(start, end - start);
        ++count;
        if (at < 0)
            return count;
        start = at + separator.size();
    }
}

QByteArrayView trimmedRight(QByteArrayView field)
{
    while (!field.isEmpty() && (field.back() == '\t' || field.back() == ' '))
        field.chop(1);
    return field;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// An optionally negative decimal ("-12.30") in units of 10^-scale: false when it is no number,
// has more significant decimals than scale (trailing zeros do not count) or overflows.
bool parseDecimal(QByteArrayView text, int scale, qint64 *out)
{
    const qsizetype n = text.size();
    qsizetype i = 0;
    const bool negative = n > 0 && text[0] == '-';
    if (negative)
        ++i;
    const qsizetype intStart = i;
    qint64 value = 0;
    for (; i < n && isDigit(text[i]); ++i) {
        if (qMulOverflow(value, qint64(10), &value) || qAddOverflow(value, qint64(text[i] - '0'), &value))
            return false;
    }
    if (i == intStart)
        return false;
    int decimals = 0;
    if (i < n && text[i] == '.') {
        ++i;
        if (i == n)
            return false;
        for (qsizetype j = i; j < n; ++j) {
            if (!isDigit(text[j]))
                return false;
        }
        qsizetype end = n;
        while (end > i && text[end - 1] == '0')
            --end;
        for (; i < end; ++i) {
            if (++decimals > scale || qMulOverflow(value, qint64(10), &value)
                || qAddOverflow(value, qint64(text[i] - '0'), &value)) {
                return false;
            }
        }
        i = n;
    }
    if (i != n)
        return false;
    for (; decimals < scale; ++decimals) {
        if (qMulOverflow(value, qint64(10), &value))
            return false;
    }
    *out = negative ? -value : value;
    return true;
}

bool digitsValue(QByteArrayView text, qsizetype at, int count, int *value)
{
    int result = 0;
    for (int i = 0; i < count; ++i) {
        const char c = text[at + i];
        if (!isDigit(c))
            return false;
        result = result * 10 + (c - '0');
    }
    *value = result;
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
qint64 daysFromCivil(int year, int month, int day)
{
    year -= month <= 2 ? 1 : 0;
    const qint64 era = (year >= 0 ? year : year - 399) / 400;
    const qint64 yearOfEra = year - era * 400;
    const qint64 dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const qint64 dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + dayOfEra - 719468;
}

// "yyyy-MM-dd HH:mm:ss" in China Standard Time (UTC+8) → ms since the epoch.
bool parseBeijingTime(QByteArrayView text, qint64 *ms)
{
    if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':'
        || text[16] != ':') {
        return false;
    }
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digitsValue(text, 0, 4, &year) || !digitsValue(text, 5, 2, &month) || !digitsValue(text, 8, 2, &day)
        || !digitsValue(text, 11, 2, &hour) || !digitsValue(text, 14, 2, &minute)
        || !digitsValue(text, 17, 2, &second)) {
        return false;
    }
    static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 1970 || month < 1 || month > 12 || day < 1
        || day > kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0) || hour > 23 || minute > 59 || second > 59) {
        return false;
    }
    *ms = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60'000 + second * 1000 - kBeijingOffsetMs;
    return true;
}

// A field for an error message: printable ASCII kept, the rest shown as '?', at most 40 bytes.
QString quoted(QByteArrayView field)
{
    QString text;
    for (const char c : field.first(qMin<qsizetype>(field.size(), 40)))
        text += c >= 0x20 && c < 0x7f ? QChar::fromLatin1(c) : QChar(u'?');
    return u"\""_s + text + (field.size() > 40 ? u"…\""_s : u"\""_s);
}

bool addChecked(qint64 *total, qint64 value)
{
    return !qAddOverflow(*total, value, total);
}

// --- readers ---------------------------------------------------------------------------------

// What both readers share: the lines, the error, the totals.
class TextBillReader : public BillReader
{
public:
    explicit TextBillReader(std::unique_ptr<ByteSource> source) : m_lines(std::move(source)) { }

    QString error() const override { return m_error; }
    BillTotals declared() const override { return m_declared; }
    bool hasDeclared() const override { return m_hasDeclared; }
    BillTotals computed() const override { return m_computed; }
    qint64 bytesRead() const override { return m_lines.bytesConsumed(); }

protected:
    enum class State { Rows, Footer, Done, Failed };

    bool fail(qint64 lineNumber, const QString &message)
    {
        m_error = u"line %1: %2"_s.arg(lineNumber).arg(message);
        m_state = State::Failed;
        return false;
    }
    // The line reader's error, already naming the line or the file problem.
    bool failRead()
    {
        m_error = m_lines.error();
        m_state = State::Failed;
        return false;
    }
    bool failColumn(qint64 lineNumber, int column, const char *name, const char *what, QByteArrayView field)
    {
        return fail(lineNumber,
                    u"column %1 (%2) %3: %4"_s.arg(column + 1)
                        .arg(QString::fromUtf8(name), QString::fromUtf8(what), quoted(field)));
    }
    bool failOverflow(qint64 lineNumber) { return fail(lineNumber, u"the totals overflow"_s); }

    LineReader m_lines;
    State m_state = State::Rows;
    QString m_error;
    BillTotals m_declared;
    BillTotals m_computed;
    bool m_hasDeclared = false;
};

// The text of one encoding (GBK or UTF-8) of an Alipay bill, as bytes to compare with.
struct AlipayEncoding
{
    QByteArray name; // for QStringDecoder
    QByteArray header;
    QByteArray trade; // 业务类型 of payments
    QByteArray refund;
    QByteArray endMarker;
    QByteArray paymentTotal;
    QByteArray refundTotal;
};

constexpr int kAlipayColumns = 25;
const char *const kAlipayColumnNames[kAlipayColumns] = {
    "支付宝交易号",     "商户订单号",        "业务类型",         "商品名称",         "创建时间",
    "完成时间",         "门店编号",          "门店名称",         "操作员",           "终端号",
    "对方账户",         "订单金额（元）",    "商家实收（元）",   "支付宝红包（元）", "集分宝（元）",
    "支付宝优惠（元）", "商家优惠（元）",    "券核销金额（元）", "券名称",           "商家红包消费金额（元）",
    "卡消费金额（元）", "退款批次号/请求号", "服务费（元）",     "分润（元）",       "备注",
};
enum AlipayColumn {
    kAlipayTradeNo = 0,
    kAlipayOutTradeNo = 1,
    kAlipayKind = 2,
    kAlipayFinishedAt = 5,
    kAlipayAmount = 11,
    kAlipayReceived = 12,
    kAlipayRequestNo = 21,
    kAlipayFee = 22,
};

const QList<AlipayEncoding> &alipayEncodings()
{
    static const QList<AlipayEncoding> encodings = [] {
        QStringList header;
        for (const char *name : kAlipayColumnNames)
            header.append(QString::fromUtf8(name));
        const QStringList texts{header.join(u','),     u"交易"_s,        u"退款"_s,
                                u"业务明细列表结束"_s, u"#交易合计："_s, u"#退款合计："_s};
        QList<AlipayEncoding> result;
        for (const char *name : {"UTF-8", "GBK"}) {
            QStringEncoder encoder(name);
            if (!encoder.isValid())
                continue; // a Qt without ICU has no GBK: such bills are then refused by their header
            QList<QByteArray> bytes;
            for (const QString &text : texts)
                bytes.append(encoder.encode(text));
            result.append({name, bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]});
        }
        return result;
    }();
    return encodings;
}

class AlipayBillReader final : public TextBillReader
{
public:
    using TextBillReader::TextBillReader;

    // Up to and including the column header; false with *error when it is not Alipay's.
    bool start(QString *error)
    {
        QByteArrayView text;
        for (;;) {
            const LineReader::Result result = m_lines.next(&text);
            if (result == LineReader::Error) {
                *error = m_lines.error();
                return false;
            }
            if (result == LineReader::End) {
                *error = u"line %1: the file ends before the column header"_s.arg(m_lines.lineNumber() + 1);
                return false;
            }
            if (m_lines.lineNumber() == 1 && text.startsWith(kUtf8Bom))
                text = text.sliced(kUtf8Bom.size());
            if (!text.startsWith('#'))
                break;
        }
        for (const AlipayEncoding &encoding : alipayEncodings()) {
            if (text == encoding.header) {
                m_encoding = &encoding;
                return true;
            }
        }
        *error = u"line %1: not the column header of an Alipay 业务明细 bill (GBK or UTF-8, 25 columns)"_s.arg(
            m_lines.lineNumber());
        return false;
    }

    bool next(BillLine &line) override
    {
        while (m_state == State::Rows) {
            QByteArrayView text;
            const LineReader::Result result = m_lines.next(&text);
            if (result == LineReader::Error)
                return failRead();
            const qint64 number = m_lines.lineNumber();
            if (result == LineReader::End)
                return fail(number + 1, u"the file ends before the '#…业务明细列表结束' line"_s);
            if (text.startsWith('#')) {
                if (!text.contains(m_encoding->endMarker))
                    return fail(number, u"a '#' line among the rows that is not the end of the list"_s);
                m_state = State::Footer;
                break;
            }
            return readRow(text, number, line);
        }
        if (m_state == State::Footer)
            readFooter();
        return false;
    }

private:
    bool readRow(QByteArrayView text, qint64 number, BillLine &line)
    {
        std::array<QByteArrayView, kAlipayColumns> fields;
        const int count = splitFields(text, ",", fields.data(), kAlipayColumns);
        if (count != kAlipayColumns)
            return fail(number, u"expected %1 fields, found %2"_s.arg(kAlipayColumns).arg(count));
        for (QByteArrayView &field : fields)
            field = trimmedRight(field);

        const QByteArrayView kind = fields[kAlipayKind];
        if (kind == m_encoding->trade)
            line.kind = BillLine::Kind::Payment;
        else if (kind == m_encoding->refund)
            line.kind = BillLine::Kind::Refund;
        else
            return failColumn(number, kAlipayKind, kAlipayColumnNames[kAlipayKind], "is neither 交易 nor 退款", kind);
        const bool payment = line.kind == BillLine::Kind::Payment;

        qint64 amount = 0;
        qint64 received = 0;
        qint64 fee = 0;
        qint64 bookedAt = 0;
        if (!parseDecimal(fields[kAlipayAmount], 2, &amount))
            return failAmount(number, kAlipayAmount, fields);
        if (payment ? amount < 0 : amount > 0) {
            return failColumn(number, kAlipayAmount, kAlipayColumnNames[kAlipayAmount],
                              payment ? "is negative in a 交易 row" : "is positive in a 退款 row",
                              fields[kAlipayAmount]);
        }
        if (!parseDecimal(fields[kAlipayReceived], 2, &received))
            return failAmount(number, kAlipayReceived, fields);
        if (!parseDecimal(fields[kAlipayFee], 5, &fee)) {
            return failColumn(number, kAlipayFee, kAlipayColumnNames[kAlipayFee],
                              "is not an amount of yuan with at most 5 decimals", fields[kAlipayFee]);
        }
        if (!parseBeijingTime(fields[kAlipayFinishedAt], &bookedAt)) {
            return failColumn(number, kAlipayFinishedAt, kAlipayColumnNames[kAlipayFinishedAt],
                              "is not a time yyyy-MM-dd HH:mm:ss", fields[kAlipayFinishedAt]);
        }

        // The footer sums 商家实收 (negative on refunds), so the computed totals do too.
        const bool summed = addChecked(&m_computed.rowCount, 1)
            && (payment ? addChecked(&m_computed.paymentCount, 1) && addChecked(&m_computed.paymentAmount, received)
                        : addChecked(&m_computed.refundCount, 1) && addChecked(&m_computed.refundAmount, -received));
        if (!summed)
            return failOverflow(number);

        line.outTradeNo = fields[kAlipayOutTradeNo].toByteArray();
        line.channelTradeNo = fields[kAlipayTradeNo].toByteArray();
        line.outRefundNo = payment ? QByteArray() : fields[kAlipayRequestNo].toByteArray();
        line.channelRefundNo.clear();
        line.status = QByteArrayLiteral("SUCCESS");
        line.amount = payment ? amount : -amount;
        line.feeMillifen = fee;
        line.bookedAtMs = bookedAt;
        line.lineNumber = number;
        return true;
    }

    bool failAmount(qint64 number, int column, const std::array<QByteArrayView, kAlipayColumns> &fields)
    {
        return failColumn(number, column, kAlipayColumnNames[column], "is not an amount of whole fen",
                          fields[size_t(column)]);
    }

    // After the end marker: '#' lines (two of them the totals) and nothing else but empty lines.
    void readFooter()
    {
        bool sawPayments = false;
        bool sawRefunds = false;
        for (;;) {
            QByteArrayView text;
            const LineReader::Result result = m_lines.next(&text);
            if (result == LineReader::Error) {
                failRead();
                return;
            }
            const qint64 number = m_lines.lineNumber();
            if (result == LineReader::End) {
                if (sawPayments != sawRefunds) {
                    fail(number + 1,
                         sawPayments ? u"the '#退款合计' line is missing"_s : u"the '#交易合计' line is missing"_s);
                    return;
                }
                m_hasDeclared = sawPayments;
                m_state = State::Done;
                return;
            }
            if (text.isEmpty())
                continue;
            if (!text.startsWith('#')) {
                fail(number, u"a line after the end of the list that is not a '#' line"_s);
                return;
            }
            const bool payments = text.startsWith(m_encoding->paymentTotal);
            if (!payments && !text.startsWith(m_encoding->refundTotal))
                continue;
            bool &seen = payments ? sawPayments : sawRefunds;
            if (seen) {
                fail(number, u"a second total line of the same kind"_s);
                return;
            }
            seen = true;
            qint64 count = 0;
            qint64 amount = 0;
            if (!readTotal(text, &count, &amount)) {
                fail(number, u"cannot read the total line (expected e.g. '#交易合计：6笔，商家实收共0.06元，…')"_s);
                return;
            }
            if (payments) {
                m_declared.paymentCount = count;
                m_declared.paymentAmount = amount;
            } else {
                m_declared.refundCount = count;
                m_declared.refundAmount = -amount; // "商家实收退款共-0.04元"
            }
            if (qAddOverflow(m_declared.paymentCount, m_declared.refundCount, &m_declared.rowCount)) {
                failOverflow(number);
                return;
            }
        }
    }

    // "#交易合计：6笔，商家实收共0.06元，商家优惠共0.00元": the count before 笔 and the first sum
    // (between 共 and 元).
    bool readTotal(QByteArrayView text, qint64 *count, qint64 *amount) const
    {
        QStringDecoder decoder(m_encoding->name.constData());
        const QString line = decoder.decode(text);
        if (decoder.hasError())
            return false;
        const qsizetype colon = line.indexOf(u'：');
        const qsizetype countEnd = line.indexOf(u'笔', colon + 1);
        const qsizetype sumStart = line.indexOf(u'共', countEnd + 1);
        const qsizetype sumEnd = line.indexOf(u'元', sumStart + 1);
        if (colon < 0 || countEnd < 0 || sumStart < 0 || sumEnd < 0)
            return false;
        const QByteArray countText = QStringView(line).sliced(colon + 1, countEnd - colon - 1).toLatin1();
        const QByteArray sumText = QStringView(line).sliced(sumStart + 1, sumEnd - sumStart - 1).toLatin1();
        return parseDecimal(countText, 0, count) && *count >= 0 && parseDecimal(sumText, 2, amount);
    }

    const AlipayEncoding *m_encoding = nullptr;
};

// The three layouts of WeChat Pay's trade bill (PROTOCOLS.md B.4).
constexpr std::array<const char *, 27> kWechatAllColumns = {
    "交易时间",     "公众账号ID",   "商户号",   "特约商户号",     "设备号",       "微信订单号",   "商户订单号",
    "用户标识",     "交易类型",     "交易状态", "付款银行",       "货币种类",     "应结订单金额", "代金券金额",
    "微信退款单号", "商户退款单号", "退款金额", "充值券退款金额", "退款类型",     "退款状态",     "商品名称",
    "商户数据包",   "手续费",       "费率",     "订单金额",       "申请退款金额", "费率备注",
};
constexpr std::array<const char *, 20> kWechatSuccessColumns = {
    "交易时间", "公众账号ID", "商户号",   "特约商户号", "设备号",   "微信订单号",   "商户订单号",
    "用户标识", "交易类型",   "交易状态", "付款银行",   "货币种类", "应结订单金额", "代金券金额",
    "商品名称", "商户数据包", "手续费",   "费率",       "订单金额", "费率备注",
};
constexpr std::array<const char *, 29> kWechatRefundColumns = {
    "交易时间",     "公众账号ID",     "商户号",       "特约商户号",   "设备号",       "微信订单号",
    "商户订单号",   "用户标识",       "交易类型",     "交易状态",     "付款银行",     "货币种类",
    "应结订单金额", "代金券金额",     "退款申请时间", "退款成功时间", "微信退款单号", "商户退款单号",
    "退款金额",     "充值券退款金额", "退款类型",     "退款状态",     "商品名称",     "商户数据包",
    "手续费",       "费率",           "订单金额",     "申请退款金额", "费率备注",
};
constexpr int kWechatMaxColumns = 29;
constexpr int kWechatSummaryColumns = 7;
const char *const kWechatSummaryNames[kWechatSummaryColumns] = {
    "总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额", "手续费总金额", "订单总金额", "申请退款总金额"};

// Where a layout keeps the fields the reader uses; -1 when it has no such column.
struct WechatLayout
{
    QList<const char *> names;
    QByteArray header;
    bool payments = true; // SUCCESS/REVOKED rows allowed (ALL, SUCCESS)
    bool refunds = true; // REFUND rows allowed (ALL, REFUND)
    int time = -1, tradeNo = -1, outTradeNo = -1, status = -1, refundId = -1, outRefundNo = -1, refundAmount = -1,
        refundStatus = -1, refundSucceededAt = -1, fee = -1, total = -1, requestedRefund = -1;
};

template<size_t N> WechatLayout makeLayout(const std::array<const char *, N> &columns, bool payments, bool refunds)
{
    WechatLayout layout;
    layout.names = QList<const char *>(columns.begin(), columns.end());
    layout.payments = payments;
    layout.refunds = refunds;
    QByteArrayList header;
    for (const char *name : columns)
        header.append(name);
    layout.header = header.join(',');
    const auto at = [&](const char *name) {
        for (size_t i = 0; i < N; ++i) {
            if (std::strcmp(columns[i], name) == 0)
                return int(i);
        }
        return -1;
    };
    layout.time = at("交易时间");
    layout.tradeNo = at("微信订单号");
    layout.outTradeNo = at("商户订单号");
    layout.status = at("交易状态");
    layout.refundId = at("微信退款单号");
    layout.outRefundNo = at("商户退款单号");
    layout.refundAmount = at("退款金额");
    layout.refundStatus = at("退款状态");
    layout.refundSucceededAt = at("退款成功时间");
    layout.fee = at("手续费");
    layout.total = at("订单金额");
    layout.requestedRefund = at("申请退款金额");
    return layout;
}

const QList<WechatLayout> &wechatLayouts()
{
    static const QList<WechatLayout> layouts{
        makeLayout(kWechatAllColumns, true, true),
        makeLayout(kWechatSuccessColumns, true, false),
        makeLayout(kWechatRefundColumns, false, true),
    };
    return layouts;
}

class WechatBillReader final : public TextBillReader
{
public:
    using TextBillReader::TextBillReader;

    bool start(QString *error)
    {
        QByteArrayView text;
        const LineReader::Result result = m_lines.next(&text);
        if (result == LineReader::Error) {
            *error = m_lines.error();
            return false;
        }
        if (result == LineReader::End) {
            *error = u"line 1: the file is empty"_s;
            return false;
        }
        if (text.startsWith(kUtf8Bom))
            text = text.sliced(kUtf8Bom.size());
        for (const WechatLayout &layout : wechatLayouts()) {
            if (text == layout.header) {
                m_layout = &layout;
                return true;
            }
        }
        *error = u"line 1: not the column header of a WeChat Pay trade bill (ALL, SUCCESS or REFUND)"_s;
        return false;
    }

    bool next(BillLine &line) override
    {
        static const QByteArray summaryHeader
            = QByteArrayList(std::begin(kWechatSummaryNames), std::end(kWechatSummaryNames)).join(',');
        while (m_state == State::Rows) {
            QByteArrayView text;
            const LineReader::Result result = m_lines.next(&text);
            if (result == LineReader::Error)
                return failRead();
            const qint64 number = m_lines.lineNumber();
            if (result == LineReader::End)
                return fail(number + 1, u"the file ends before the summary (总交易单数,…)"_s);
            if (text == summaryHeader) {
                m_state = State::Footer;
                break;
            }
            return readRow(text, number, line);
        }
        if (m_state == State::Footer)
            readSummary();
        return false;
    }

private:
    bool readRow(QByteArrayView text, qint64 number, BillLine &line)
    {
        const WechatLayout &layout = *m_layout;
        std::array<QByteArrayView, kWechatMaxColumns> fields;
        const int expected = int(layout.names.size());
        // Every field starts with a backtick, so ",`" separates them even when free text holds a ','.
        const int count = text.startsWith('`') ? splitFields(text.sliced(1), ",`", fields.data(), expected) : 1;
        if (count != expected)
            return fail(number, u"expected %1 backticked fields, found %2"_s.arg(expected).arg(count));
        const auto failField = [&](int column, const char *what) {
            return failColumn(number, column, layout.names[column], what, fields[size_t(column)]);
        };

        const QByteArrayView status = fields[size_t(layout.status)];
        bool payment = true;
        if (status == "SUCCESS" || status == "REVOKED") {
            // REVOKED: a payment the merchant revoked (micropay reverse); the money went back, so
            // the line carries the status for the caller to tell it from a received payment.
            if (!layout.payments)
                return failField(layout.status, "is a payment status in a REFUND bill");
        } else if (status == "REFUND") {
            if (!layout.refunds)
                return failField(layout.status, "is REFUND in a SUCCESS bill");
            payment = false;
        } else {
            return failField(layout.status, "is not SUCCESS, REFUND or REVOKED");
        }

        qint64 total = 0;
        qint64 refunded = 0;
        qint64 requested = 0;
        qint64 fee = 0;
        qint64 bookedAt = 0;
        if (!parseDecimal(fields[size_t(layout.total)], 2, &total) || total < 0)
            return failField(layout.total, "is not an amount of whole fen");
        if (layout.refundAmount >= 0
            && (!parseDecimal(fields[size_t(layout.refundAmount)], 2, &refunded) || refunded < 0)) {
            return failField(layout.refundAmount, "is not an amount of whole fen");
        }
        if (layout.requestedRefund >= 0
            && (!parseDecimal(fields[size_t(layout.requestedRefund)], 2, &requested) || requested < 0)) {
            return failField(layout.requestedRefund, "is not an amount of whole fen");
        }
        if (!parseDecimal(fields[size_t(layout.fee)], 5, &fee))
            return failField(layout.fee, "is not an amount of yuan with at most 5 decimals");
        // Refunds are booked when they succeeded, where the bill says so (REFUND bills).
        int timeColumn = layout.time;
        if (!payment && layout.refundSucceededAt >= 0 && !fields[size_t(layout.refundSucceededAt)].isEmpty())
            timeColumn = layout.refundSucceededAt;
        if (!parseBeijingTime(fields[size_t(timeColumn)], &bookedAt))
            return failField(timeColumn, "is not a time yyyy-MM-dd HH:mm:ss");

        // The summary counts every row and sums 订单金额, 退款金额 and 手续费 over all of them.
        if (!addChecked(&m_computed.rowCount, 1) || !addChecked(&m_computed.paymentAmount, total)
            || !addChecked(&m_computed.refundAmount, refunded) || !addChecked(&m_computed.feeMillifen, fee)) {
            return failOverflow(number);
        }

        line.kind = payment ? BillLine::Kind::Payment : BillLine::Kind::Refund;
        line.outTradeNo = fields[size_t(layout.outTradeNo)].toByteArray();
        line.channelTradeNo = fields[size_t(layout.tradeNo)].toByteArray();
        if (payment) {
            line.outRefundNo.clear();
            line.channelRefundNo.clear();
            line.status = status.toByteArray();
            line.amount = total;
        } else {
            line.outRefundNo = fields[size_t(layout.outRefundNo)].toByteArray();
            line.channelRefundNo = fields[size_t(layout.refundId)].toByteArray();
            line.status = fields[size_t(layout.refundStatus)].toByteArray();
            // What the merchant asked for, comparable with Paydesk's refund (退款金额 leaves out
            // the part paid back as 充值券).
            line.amount = requested;
        }
        line.feeMillifen = fee;
        line.bookedAtMs = bookedAt;
        line.lineNumber = number;
        return true;
    }

    // After the summary header: one backticked row, then nothing but empty lines.
    void readSummary()
    {
        bool sawRow = false;
        for (;;) {
            QByteArrayView text;
            const LineReader::Result result = m_lines.next(&text);
            if (result == LineReader::Error) {
                failRead();
                return;
            }
            const qint64 number = m_lines.lineNumber();
            if (result == LineReader::End) {
                if (!sawRow) {
                    fail(number + 1, u"the file ends before the summary row"_s);
                    return;
                }
                m_state = State::Done;
                return;
            }
            if (text.isEmpty() && sawRow)
                continue;
            if (sawRow) {
                fail(number, u"a line after the summary row"_s);
                return;
            }
            sawRow = true;
            if (!readSummaryRow(text, number))
                return;
        }
    }

    bool readSummaryRow(QByteArrayView text, qint64 number)
    {
        std::array<QByteArrayView, kWechatSummaryColumns> fields;
        const int count
            = text.startsWith('`') ? splitFields(text.sliced(1), ",`", fields.data(), kWechatSummaryColumns) : 1;
        if (count != kWechatSummaryColumns) {
            return fail(
                number,
                u"expected %1 backticked fields in the summary row, found %2"_s.arg(kWechatSummaryColumns).arg(count));
        }
        // Scales: the count (WeChat may write "45.0"), amounts in fen, the fee in 1e-5 yuan.
        static constexpr int kScales[kWechatSummaryColumns] = {0, 2, 2, 2, 5, 2, 2};
        std::array<qint64, kWechatSummaryColumns> values{};
        for (int i = 0; i < kWechatSummaryColumns; ++i) {
            if (!parseDecimal(fields[size_t(i)], kScales[i], &values[size_t(i)]) || (i != 4 && values[size_t(i)] < 0)) {
                return failColumn(number, i, kWechatSummaryNames[i], i == 0 ? "is not a count" : "is not an amount",
                                  fields[size_t(i)]);
            }
        }
        m_declared.rowCount = values[0];
        m_declared.paymentAmount = values[5];
        m_declared.refundAmount = values[2];
        m_declared.feeMillifen = values[4];
        m_hasDeclared = true;
        return true;
    }

    const WechatLayout *m_layout = nullptr;
};

std::unique_ptr<BillReader> openSource(BillFormat format, std::unique_ptr<ByteSource> source, QString *error)
{
    if (format == BillFormat::AlipayTradeZip) {
        auto reader = std::make_unique<AlipayBillReader>(std::move(source));
        if (!reader->start(error))
            return nullptr;
        return reader;
    }
    if (format == BillFormat::WechatTradeGzip) {
        auto gzip = std::make_unique<GzipSource>(std::move(source));
        if (!gzip->init(error))
            return nullptr;
        source = std::move(gzip);
    }
    auto reader = std::make_unique<WechatBillReader>(std::move(source));
    if (!reader->start(error))
        return nullptr;
    return reader;
}

} // namespace

std::unique_ptr<BillReader> BillReader::openFile(BillFormat format, const QString &path, QString *error)
{
    QString ignored;
    if (!error)
        error = &ignored;
    if (format == BillFormat::AlipayTradeZip) {
        auto zip = std::make_unique<ZipEntrySource>();
        if (!zip->openFile(path, error))
            return nullptr;
        return openSource(format, std::move(zip), error);
    }
    auto file = std::make_unique<FileSource>(path);
    if (!file->open(error))
        return nullptr;
    return openSource(format, std::move(file), error);
}

std::unique_ptr<BillReader> BillReader::openBytes(BillFormat format, const QByteArray &content, QString *error)
{
    QString ignored;
    if (!error)
        error = &ignored;
    if (format == BillFormat::AlipayTradeZip) {
        auto zip = std::make_unique<ZipEntrySource>();
        if (!zip->openBytes(content, error))
            return nullptr;
        return openSource(format, std::move(zip), error);
    }
    return openSource(format, std::make_unique<MemorySource>(content), error);
}

QString billFormatName(BillFormat format)
{
    switch (format) {
    case BillFormat::AlipayTradeZip: return u"alipay-trade-zip"_s;
    case BillFormat::WechatTradeCsv: return u"wechat-tradebill-csv"_s;
    case BillFormat::WechatTradeGzip: return u"wechat-tradebill-gzip"_s;
    }
    return {};
}

bool billFormatFromName(const QString &name, BillFormat *format)
{
    for (const BillFormat candidate :
         {BillFormat::AlipayTradeZip, BillFormat::WechatTradeCsv, BillFormat::WechatTradeGzip}) {
        if (billFormatName(candidate) == name) {
            *format = candidate;
            return true;
        }
    }
    return false;
}

} // namespace paydesk::recon
