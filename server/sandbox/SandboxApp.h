#pragma once

#include "server/http/HttpLimits.h"
#include "server/sandbox/SandboxKeys.h"
#include "server/sandbox/SandboxSupport.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QSslCertificate>
#include <QStringList>
#include <QThreadPool>

#include <memory>

class QSocketNotifier;

namespace paydesk {
class HttpServer;
class Metrics;
class Router;
} // namespace paydesk

namespace paydesk::sandbox {

class AlipaySim;
class BankpaySim;
class BillDownloads;
class ControlRoutes;
class Faults;
class HeldResponses;
class Notifier;
class PayoutBook;
class PayoutControlRoutes;
class TradeBook;
class WechatSim;
class WechatTransferSim;

/// Command-line settings of paydesk-sandbox.
struct SandboxOptions
{
    QString dataDir;
    QHostAddress bind = QHostAddress::LocalHost;
    quint16 port = 0; ///< 0: any free port (printed at start)
    qint64 timeScale = 1;
    QStringList trustCaFiles; ///< CAs trusted when posting notifications to Paydesk
};

/// paydesk-sandbox wired together: keys and TLS material from the data directory, one HTTPS
/// listener on the main thread serving both channels, both payout providers and the control API (handlers on a worker
/// pool), and the notifier. Prints its URL and writes sandbox.json once it listens.
class SandboxApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxApp)

public:
    explicit SandboxApp(SandboxOptions options, QObject *parent = nullptr);
    ~SandboxApp() override;

    bool start(QString *error);
    /// Answers held responses, drains connections, then emits finished(0).
    void shutdown();

signals:
    void finished(int exitCode);

private:
    QJsonObject info() const;
    void watchSignals();
    void completeShutdown();

    SandboxOptions m_options;
    QString m_dataDir; ///< absolute
    QString m_baseUrl;
    QString m_caFile;
    SandboxKeys m_keys;
    QThreadPool m_workers;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<TradeBook> m_book;
    std::unique_ptr<Faults> m_faults;
    std::unique_ptr<HeldResponses> m_held;
    std::unique_ptr<BillDownloads> m_bills;
    std::unique_ptr<Notifier> m_notifier;
    std::unique_ptr<AlipaySim> m_alipay;
    std::unique_ptr<WechatSim> m_wechat;
    std::unique_ptr<ControlRoutes> m_control;
    std::unique_ptr<PayoutBook> m_payouts;
    std::unique_ptr<BankpaySim> m_bankpay;
    std::unique_ptr<WechatTransferSim> m_transfers;
    std::unique_ptr<PayoutControlRoutes> m_payoutControl;
    std::unique_ptr<HttpServer> m_http;
    QSocketNotifier *m_signalNotifier = nullptr;
    bool m_shuttingDown = false;
    bool m_finished = false;
};

} // namespace paydesk::sandbox
