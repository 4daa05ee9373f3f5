#include "server/http/Metrics.h"

#include <QMutexLocker>

namespace paydesk {

namespace {

const QList<double> kLatencyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
const QList<double> kBatchBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 10);
}

QByteArray escapeLabel(const QByteArray &value)
{
    QByteArray escaped = value;
    escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return escaped;
}

} // namespace

Histogram::Histogram(QList<double> upperBounds) : m_bounds(std::move(upperBounds)), m_counts(m_bounds.size(), 0)
{
}

void Histogram::observe(double value)
{
    for (qsizetype i = 0; i < m_bounds.size(); ++i) {
        if (value <= m_bounds.at(i))
            ++m_counts[i];
    }
    ++m_count;
    m_sum += value;
}

void Histogram::render(QByteArray &out, const QByteArray &name, const QByteArray &labels) const
{
    const QByteArray sep = labels.isEmpty() ? QByteArray() : labels + ',';
    for (qsizetype i = 0; i < m_bounds.size(); ++i) {
        out += name + "_bucket{" + sep + "le=\"" + number(m_bounds.at(i)) + "\"} " + QByteArray::number(m_counts.at(i))
            + '\n';
    }
    out += name + "_bucket{" + sep + "le=\"+Inf\"} " + QByteArray::number(m_count) + '\n';
    const QByteArray braces = labels.isEmpty() ? QByteArray() : '{' + labels + '}';
    out += name + "_sum" + braces + ' ' + number(m_sum) + '\n';
    out += name + "_count" + braces + ' ' + QByteArray::number(m_count) + '\n';
}

Metrics::Metrics() : m_batchUnits(kBatchBounds), m_batchCommitSeconds(kLatencyBounds)
{
}

void Metrics::recordRequest(const QByteArray &route, const QByteArray &method, int status, double seconds)
{
    QMutexLocker lock(&m_mutex);
    ++m_requests[RequestKey{route, method, status}];
    auto it = m_latencyByRoute.find(route);
    if (it == m_latencyByRoute.end())
        it = m_latencyByRoute.insert(route, Histogram(kLatencyBounds));
    it->observe(seconds);
}

void Metrics::recordDbBatch(int units, double commitSeconds)
{
    QMutexLocker lock(&m_mutex);
    ++m_batches;
    m_batchUnits.observe(units);
    m_batchCommitSeconds.observe(commitSeconds);
}

void Metrics::recordDroppedConnection(const QByteArray &reason)
{
    QMutexLocker lock(&m_mutex);
    ++m_dropped[reason];
}

void Metrics::addGauge(QByteArray name, QByteArray help, std::function<qint64()> read)
{
    QMutexLocker lock(&m_mutex);
    m_gauges.append({std::move(name), std::move(help), std::move(read)});
}

QByteArray Metrics::render() const
{
    QByteArray out;
    out.reserve(8192);
    QList<Gauge> gauges;
    {
        QMutexLocker lock(&m_mutex);
        out += "# HELP paydesk_http_requests_total HTTP requests answered, by route pattern, method and status.\n"
               "# TYPE paydesk_http_requests_total counter\n";
        for (auto it = m_requests.cbegin(); it != m_requests.cend(); ++it) {
            out += "paydesk_http_requests_total{route=\"" + escapeLabel(it.key().route) + "\",method=\""
                + escapeLabel(it.key().method) + "\",status=\"" + QByteArray::number(it.key().status) + "\"} "
                + QByteArray::number(it.value()) + '\n';
        }
        out += "# HELP paydesk_http_request_duration_seconds Time from a request's last byte to its response.\n"
               "# TYPE paydesk_http_request_duration_seconds histogram\n";
        for (auto it = m_latencyByRoute.cbegin(); it != m_latencyByRoute.cend(); ++it)
            it->render(out, "paydesk_http_request_duration_seconds", "route=\"" + escapeLabel(it.key()) + '"');
        out += "# HELP paydesk_http_connections_dropped_total Connections closed by a limit, by reason.\n"
               "# TYPE paydesk_http_connections_dropped_total counter\n";
        for (auto it = m_dropped.cbegin(); it != m_dropped.cend(); ++it) {
            out += "paydesk_http_connections_dropped_total{reason=\"" + escapeLabel(it.key()) + "\"} "
                + QByteArray::number(it.value()) + '\n';
        }
        out += "# HELP paydesk_db_batch_units Units of work committed per database transaction.\n"
               "# TYPE paydesk_db_batch_units histogram\n";
        m_batchUnits.render(out, "paydesk_db_batch_units", {});
        out += "# HELP paydesk_db_batch_commit_seconds Time to run and commit one batch.\n"
               "# TYPE paydesk_db_batch_commit_seconds histogram\n";
        m_batchCommitSeconds.render(out, "paydesk_db_batch_commit_seconds", {});
        gauges = m_gauges;
    }
    // Gauges are read outside the lock: they may consult other components.
    for (const Gauge &gauge : gauges) {
        out += "# HELP " + gauge.name + ' ' + gauge.help + "\n# TYPE " + gauge.name + " gauge\n";
        out += gauge.name + ' ' + QByteArray::number(gauge.read()) + '\n';
    }
    return out;
}

} // namespace paydesk
