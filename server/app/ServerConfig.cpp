#include "server/app/ServerConfig.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>
#include <QThread>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint value = text.mid(colon + 1).toUInt(&ok);
    if (!ok || value > 65535)
        return false;
    const QHostAddress parsed = host == u"localhost"_s ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);
    if (parsed.isNull())
        return false;
    *address = parsed;
    *port = quint16(value);
    return true;
}

// Reads an integer setting within [min, max]; keeps the default when the key is absent.
bool readInt(const QSettings &settings, const QString &key, int min, int max, int *target, QString *error)
{
    if (!settings.contains(key))
        return true;
    bool ok = false;
    const int value = settings.value(key).toString().toInt(&ok);
    if (!ok || value < min || value > max) {
        *error = u"%1 must be a whole number from %2 to %3"_s.arg(key).arg(min).arg(max);
        return false;
    }
    *target = value;
    return true;
}

bool readInt64(const QSettings &settings, const QString &key, qint64 min, qint64 max, qint64 *target, QString *error)
{
    int value = int(*target);
    if (!readInt(settings, key, int(min), int(std::min<qint64>(max, INT_MAX)), &value, error))
        return false;
    *target = value;
    return true;
}

// A duration given in seconds, kept in milliseconds.
bool readSeconds(const QSettings &settings, const QString &key, int min, int max, qint64 *targetMs, QString *error)
{
    int seconds = int(*targetMs / 1000);
    if (!readInt(settings, key, min, max, &seconds, error))
        return false;
    *targetMs = qint64(seconds) * 1000;
    return true;
}

// Requests per second (whole numbers); the burst allowed is twice the rate.
bool readRate(const QSettings &settings, const QString &key, double *rate, double *burst, QString *error)
{
    int value = int(*rate);
    if (!readInt(settings, key, 1, 1'000'000, &value, error))
        return false;
    *rate = value;
    *burst = 2.0 * value;
    return true;
}

bool readBool(const QSettings &settings, const QString &key, bool *target, QString *error)
{
    if (!settings.contains(key))
        return true;
    const QString value = settings.value(key).toString().toLower();
    if (value == u"true"_s || value == u"1"_s || value == u"yes"_s || value == u"on"_s)
        *target = true;
    else if (value == u"false"_s || value == u"0"_s || value == u"no"_s || value == u"off"_s)
        *target = false;
    else {
        *error = u"%1 must be true or false"_s.arg(key);
        return false;
    }
    return true;
}

} // namespace

void ServerConfig::addOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {u"data-dir"_s, u"Data directory (configuration, TLS files, keys, SQLite database). Default: var"_s, u"dir"_s},
        {u"config"_s, u"Configuration file. Default: <data-dir>/paydesk.ini"_s, u"file"_s},
        {u"listen"_s, u"Address and port to serve HTTPS on. Default: 127.0.0.1:8443"_s, u"host:port"_s},
        {u"db"_s, u"SQLite file path or postgresql://user:password@host:port/database"_s, u"database"_s},
        {u"workers"_s, u"Worker threads for request handlers"_s, u"n"_s},
        {u"log-format"_s, u"Log line format: text or json"_s, u"format"_s},
        {u"enable-test-routes"_s, u"Serve the /_test diagnostic routes used by the test suite"_s},
        {u"public-url"_s, u"Base URL payment channels call back (default https://<listen>)"_s, u"url"_s},
        {u"time-scale"_s, u"Divide payment scheduling delays by n (tests and demos only)"_s, u"n"_s},
        {u"notify-ca"_s, u"Extra CA certificates (PEM) trusted for merchant notify URLs"_s, u"file"_s},
    });
}

std::optional<ServerConfig> ServerConfig::load(const QCommandLineParser &parser, QString *error)
{
    ServerConfig config;
    if (parser.isSet(u"data-dir"_s))
        config.dataDir = parser.value(u"data-dir"_s);
    config.dataDir = QDir(config.dataDir).absolutePath();
    config.configFile
        = parser.isSet(u"config"_s) ? parser.value(u"config"_s) : QDir(config.dataDir).filePath(u"paydesk.ini"_s);

    if (QFileInfo::exists(config.configFile)) {
        QSettings settings(config.configFile, QSettings::IniFormat);
        if (settings.status() != QSettings::NoError) {
            *error = u"cannot read %1"_s.arg(config.configFile);
            return std::nullopt;
        }
        if (settings.contains(u"server/listen"_s)
            && !parseListen(settings.value(u"server/listen"_s).toString(), &config.listenAddress, &config.listenPort)) {
            *error = u"server/listen must be host:port"_s;
            return std::nullopt;
        }
        config.database = settings.value(u"database/url"_s, config.database).toString();
        config.logFormat = settings.value(u"log/format"_s, config.logFormat).toString();
        config.tlsExtraNames = settings.value(u"tls/extra_names"_s).toStringList();
        HttpLimits &h = config.http;
        const bool ok = readInt(settings, u"server/workers"_s, 0, 256, &config.workerThreads, error)
            && readInt(settings, u"server/shutdown_drain_ms"_s, 0, 600'000, &config.shutdownDrainMs, error)
            && readInt(settings, u"server/cleanup_seconds"_s, 1, 3'600, &config.cleanupSeconds, error)
            && readInt(settings, u"database/writer_max_batch"_s, 1, 10'000, &config.writerMaxBatch, error)
            && readInt(settings, u"database/writer_max_queue"_s, 1, 1'000'000, &config.writerMaxQueue, error)
            && readInt(settings, u"http/max_connections"_s, 1, 1'000'000, &h.maxConnections, error)
            && readInt(settings, u"http/handshake_timeout_ms"_s, 100, 600'000, &h.handshakeTimeoutMs, error)
            && readInt(settings, u"http/idle_timeout_ms"_s, 100, 3'600'000, &h.idleTimeoutMs, error)
            && readInt(settings, u"http/request_timeout_ms"_s, 100, 600'000, &h.requestTimeoutMs, error)
            && readInt(settings, u"http/write_timeout_ms"_s, 100, 600'000, &h.writeTimeoutMs, error)
            && readInt64(settings, u"http/max_header_bytes"_s, 1024, 1 << 20, &h.maxHeaderBytes, error)
            && readInt(settings, u"http/max_header_count"_s, 8, 1000, &h.maxHeaderCount, error)
            && readInt64(settings, u"http/max_body_bytes"_s, 1024, 64 << 20, &h.maxBodyBytes, error)
            && readInt(settings, u"http/max_pipelined"_s, 1, 1024, &h.maxPipelined, error)
            && readInt(settings, u"http/max_queued_requests"_s, 1, 1'000'000, &h.maxQueuedRequests, error)
            && readInt(settings, u"server/node_id"_s, 0, 9999, &config.nodeId, error)
            && readSeconds(settings, u"security/session_ttl_seconds"_s, 60, 30 * 86400, &config.security.sessionTtlMs,
                           error)
            && readSeconds(settings, u"security/session_idle_seconds"_s, 60, 30 * 86400, &config.security.sessionIdleMs,
                           error)
            && readInt(settings, u"security/lockout_threshold"_s, 1, 100, &config.security.lockoutThreshold, error)
            && readSeconds(settings, u"security/lockout_seconds"_s, 1, 86400, &config.security.lockoutMs, error)
            && readSeconds(settings, u"security/signature_skew_seconds"_s, 5, 3600, &config.security.signatureSkewMs,
                           error)
            && readInt(settings, u"security/password_min_length"_s, 8, 128, &config.security.passwordMinLength, error)
            && readInt(settings, u"security/sms_per_hour_per_address"_s, 1, 1'000'000,
                       &config.security.smsPerHourPerAddress, error)
            && readRate(settings, u"security/rate_per_key"_s, &config.security.rateLimitPerKey,
                        &config.security.rateBurstPerKey, error)
            && readRate(settings, u"security/rate_per_address"_s, &config.security.rateLimitPerAddress,
                        &config.security.rateBurstPerAddress, error)
            && readBool(settings, u"log/access"_s, &config.accessLog, error)
            && readBool(settings, u"testing/routes"_s, &config.testRoutes, error)
            && readInt(settings, u"payments/time_scale"_s, 1, 1'000'000, &config.timeScale, error)
            && readInt(settings, u"payments/job_threads"_s, 2, 256, &config.jobThreads, error)
            && readInt(settings, u"wallet/day_offset_minutes"_s, -720, 840, &config.dayOffsetMinutes, error)
            && readInt64(settings, u"wallet/four_eyes_threshold"_s, 1, 1'000'000'000, &config.fourEyesThreshold, error)
            && readInt64(settings, u"wallet/max_transfer"_s, 1, 1'000'000'000, &config.maxTransfer, error)
            && readInt64(settings, u"wallet/max_withdrawal"_s, 1, 1'000'000'000, &config.maxWithdrawal, error)
            && readInt(settings, u"red_packets/max_shares"_s, 1, 1000, &config.redPacketMaxShares, error)
            && readInt(settings, u"red_packets/default_expire_hours"_s, 1, 72, &config.redPacketExpireHours, error)
            && readSeconds(settings, u"red_packets/expiry_scan_seconds"_s, 1, 86400, &config.redPacketExpiryScanMs,
                           error)
            && readSeconds(settings, u"red_packets/compensation_scan_seconds"_s, 1, 86400,
                           &config.redPacketCompensationScanMs, error)
            && readBool(settings, u"reconciliation/daily"_s, &config.reconDaily, error)
            && readInt(settings, u"reconciliation/alert_after_days"_s, 1, 365, &config.reconAlertAfterDays, error)
            && readBool(settings, u"testing/fault_skip_grab_transfer"_s, &config.faultSkipGrabTransfer, error)
            && readBool(settings, u"testing/fault_skip_polls"_s, &config.faultSkipPolls, error)
            && readInt64(settings, u"testing/idempotency_lease_ms"_s, 100, 3'600'000, &config.testIdempotencyLeaseMs,
                         error)
            && readInt64(settings, u"testing/job_lease_ms"_s, 100, 3'600'000, &config.testJobLeaseMs, error);
        // Short leases (the fault campaign's crashed instances are taken over sooner): test routes only.
        if (ok && config.testRoutes) {
            if (config.testIdempotencyLeaseMs > 0)
                config.security.idempotencyLeaseMs = config.testIdempotencyLeaseMs;
        }
        if (ok && settings.contains(u"reconciliation/daily_at"_s)) {
            const QTime at = QTime::fromString(settings.value(u"reconciliation/daily_at"_s).toString(), u"HH:mm"_s);
            if (!at.isValid()) {
                *error = u"reconciliation/daily_at must be a time of day as HH:MM"_s;
                return std::nullopt;
            }
            config.reconDailyAtMinutes = at.hour() * 60 + at.minute();
        }
        config.reconBillDir = settings.value(u"reconciliation/bill_dir"_s, config.reconBillDir).toString();
        config.publicUrl = settings.value(u"payments/public_url"_s).toString();
        config.notifyCaFile = settings.value(u"payments/notify_ca_file"_s).toString();
        config.alertWebhookUrl = settings.value(u"alerts/webhook_url"_s).toString();
        if (!ok)
            return std::nullopt;
        if (settings.contains(u"metrics/allow"_s)) {
            config.metricsAllow.clear();
            for (const QString &subnet : settings.value(u"metrics/allow"_s).toStringList()) {
                const auto parsed = QHostAddress::parseSubnet(subnet.trimmed());
                if (parsed.first.isNull()) {
                    *error = u"metrics/allow: %1 is not a subnet such as 127.0.0.0/8"_s.arg(subnet);
                    return std::nullopt;
                }
                config.metricsAllow.append(parsed);
            }
        }
    }

    if (parser.isSet(u"listen"_s)
        && !parseListen(parser.value(u"listen"_s), &config.listenAddress, &config.listenPort)) {
        *error = u"--listen must be host:port, e.g. 127.0.0.1:8443"_s;
        return std::nullopt;
    }
    if (parser.isSet(u"db"_s))
        config.database = parser.value(u"db"_s);
    if (parser.isSet(u"workers"_s)) {
        bool ok = false;
        config.workerThreads = parser.value(u"workers"_s).toInt(&ok);
        if (!ok || config.workerThreads < 1 || config.workerThreads > 256) {
            *error = u"--workers must be from 1 to 256"_s;
            return std::nullopt;
        }
    }
    if (parser.isSet(u"log-format"_s))
        config.logFormat = parser.value(u"log-format"_s);
    if (config.logFormat != u"text"_s && config.logFormat != u"json"_s) {
        *error = u"log format must be text or json"_s;
        return std::nullopt;
    }
    if (parser.isSet(u"enable-test-routes"_s))
        config.testRoutes = true;
    if (parser.isSet(u"public-url"_s))
        config.publicUrl = parser.value(u"public-url"_s);
    if (parser.isSet(u"notify-ca"_s))
        config.notifyCaFile = parser.value(u"notify-ca"_s);
    if (parser.isSet(u"time-scale"_s)) {
        bool ok = false;
        config.timeScale = parser.value(u"time-scale"_s).toInt(&ok);
        if (!ok || config.timeScale < 1 || config.timeScale > 1'000'000) {
            *error = u"--time-scale must be from 1 to 1000000"_s;
            return std::nullopt;
        }
    }
    for (const QString &url : {config.publicUrl, config.alertWebhookUrl}) {
        const QUrl parsed(url, QUrl::StrictMode);
        if (!url.isEmpty()
            && (!parsed.isValid() || parsed.host().isEmpty()
                || (parsed.scheme() != u"https"_s && parsed.scheme() != u"http"_s))) {
            *error = u"%1 is not an http(s) URL"_s.arg(url);
            return std::nullopt;
        }
    }
    return config;
}

QString ServerConfig::effectivePublicUrl() const
{
    if (!publicUrl.isEmpty())
        return publicUrl;
    const QString host = listenAddress.protocol() == QAbstractSocket::IPv6Protocol
        ? u"[%1]"_s.arg(listenAddress.toString())
        : listenAddress.toString();
    return u"https://%1:%2"_s.arg(host).arg(listenPort);
}

bool ServerConfig::writeDefaultFile(const QString &path, QString *error)
{
    if (QFileInfo::exists(path))
        return true;
    QFile source(u":/paydesk.ini"_s);
    QSaveFile target(path);
    if (!source.open(QIODevice::ReadOnly) || !target.open(QIODevice::WriteOnly)) {
        *error = u"cannot write %1"_s.arg(path);
        return false;
    }
    target.write(source.readAll());
    if (!target.commit()) {
        *error = u"cannot write %1: %2"_s.arg(path, target.errorString());
        return false;
    }
    return true;
}

int ServerConfig::effectiveWorkerThreads() const
{
    if (workerThreads > 0)
        return workerThreads;
    return std::max(4, QThread::idealThreadCount() * 2);
}

} // namespace paydesk
