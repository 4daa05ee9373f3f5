#include "server/sandbox/SandboxApp.h"

#include "common/util/PrivateFiles.h"
#include "server/http/HttpServer.h"
#include "server/http/Metrics.h"
#include "server/http/Router.h"
#include "server/sandbox/AlipaySim.h"
#include "server/sandbox/BankpaySim.h"
#include "server/sandbox/Bills.h"
#include "server/sandbox/ControlRoutes.h"
#include "server/sandbox/Faults.h"
#include "server/sandbox/HeldResponses.h"
#include "server/sandbox/Notifier.h"
#include "server/sandbox/PayoutBook.h"
#include "server/sandbox/PayoutControlRoutes.h"
#include "server/sandbox/TradeBook.h"
#include "server/sandbox/WechatSim.h"
#include "server/sandbox/WechatTransferSim.h"
#include "server/tls/TlsBootstrap.h"

#include <QDir>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QSslConfiguration>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSandbox, "paydesk.sandbox")

namespace paydesk::sandbox {

namespace {

constexpr int kWorkerThreads = 4;
constexpr int kShutdownDrainMs = 3000;

int s_signalPipe[2] = {-1, -1};

void onSignal(int signal)
{
    const char byte = char(signal);
    [[maybe_unused]] const auto written = ::write(s_signalPipe[1], &byte, 1);
}

} // namespace

SandboxApp::SandboxApp(SandboxOptions options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
}

SandboxApp::~SandboxApp()
{
    // Held answers first (their continuations post to the server), then the workers, and only
    // then the server and everything the handlers use.
    if (m_held)
        m_held->releaseAll();
    m_workers.waitForDone();
    m_http.reset();
}

bool SandboxApp::start(QString *error)
{
    m_dataDir = QDir(m_options.dataDir).absolutePath();
    if (!QDir().mkpath(m_dataDir)) {
        *error = u"cannot create the data directory %1"_s.arg(m_dataDir);
        return false;
    }
    std::optional<SandboxKeys> keys = SandboxKeys::loadOrCreate(m_dataDir, error);
    if (!keys)
        return false;
    m_keys = std::move(*keys);

    QList<QSslCertificate> trusted;
    for (const QString &file : std::as_const(m_options.trustCaFiles)) {
        const QList<QSslCertificate> certificates = QSslCertificate::fromPath(file, QSsl::Pem);
        if (certificates.isEmpty()) {
            *error = u"--trust-ca %1: no PEM certificate in that file"_s.arg(file);
            return false;
        }
        trusted += certificates;
    }

    QStringList names;
    const bool anyAddress = m_options.bind == QHostAddress::Any || m_options.bind == QHostAddress::AnyIPv4
        || m_options.bind == QHostAddress::AnyIPv6;
    if (!anyAddress && !m_options.bind.isLoopback())
        names.append(m_options.bind.toString());
    const std::optional<TlsMaterial> tls = ensureTlsMaterial(m_dataDir, names, error);
    if (!tls)
        return false;
    m_caFile = tls->caPath;

    m_workers.setMaxThreadCount(kWorkerThreads);
    m_metrics = std::make_unique<Metrics>();
    m_router = std::make_unique<Router>();
    m_book = std::make_unique<TradeBook>();
    m_faults = std::make_unique<Faults>();
    m_held = std::make_unique<HeldResponses>();
    m_bills = std::make_unique<BillDownloads>();
    m_notifier = std::make_unique<Notifier>(*m_book, *m_faults, TimeScale(m_options.timeScale), trusted);

    // Routes are added below, after listen() has fixed the port that the bill URLs name; no
    // request is read before the event loop runs.
    m_http = std::make_unique<HttpServer>(HttpLimits{}, *m_router, &m_workers, m_metrics.get());
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setLocalCertificate(tls->certificate);
    ssl.setLocalCertificateChain(QList<QSslCertificate>{tls->certificate} + tls->chain);
    ssl.setPrivateKey(tls->key);
    m_http->setTlsConfiguration(ssl);
    if (!m_http->listen(m_options.bind, m_options.port)) {
        *error = u"cannot listen on %1:%2: %3"_s.arg(m_options.bind.toString())
                     .arg(m_options.port)
                     .arg(m_http->errorString());
        return false;
    }
    QString host = anyAddress ? u"127.0.0.1"_s : m_options.bind.toString();
    if (m_options.bind.protocol() == QAbstractSocket::IPv6Protocol && !anyAddress)
        host = u'[' + host + u']';
    m_baseUrl = u"https://%1:%2"_s.arg(host).arg(m_http->serverPort());

    m_alipay = std::make_unique<AlipaySim>(*m_book, *m_faults, m_keys, *m_held, *m_bills, m_baseUrl);
    m_wechat = std::make_unique<WechatSim>(*m_book, *m_faults, m_keys, *m_notifier, *m_held, *m_bills,
                                           TimeScale(m_options.timeScale), m_baseUrl);
    m_control = std::make_unique<ControlRoutes>(*m_book, *m_faults, *m_notifier, *m_alipay, *m_wechat,
                                                [this] { return info(); });
    AlipaySim *alipay = m_alipay.get();
    WechatSim *wechat = m_wechat.get();
    m_notifier->setChannel(
        SimChannel::Alipay,
        [alipay](const NotificationRecord &record, bool bad) { return alipay->renderNotification(record, bad); },
        &AlipaySim::acknowledges);
    m_notifier->setChannel(
        SimChannel::Wechat,
        [wechat](const NotificationRecord &record, bool bad) { return wechat->renderNotification(record, bad); },
        &WechatSim::acknowledges);
    m_payouts = std::make_unique<PayoutBook>(*m_book, *m_faults, *m_notifier, TimeScale(m_options.timeScale));
    m_bankpay = std::make_unique<BankpaySim>(*m_payouts, *m_faults, m_keys, *m_held);
    m_transfers = std::make_unique<WechatTransferSim>(*m_payouts, *m_faults, m_keys, *m_wechat, *m_held);
    m_payoutControl = std::make_unique<PayoutControlRoutes>(*m_payouts, *m_book);
    m_payouts->setNotificationBuilder(SimChannel::Bankpay, &BankpaySim::buildNotification);
    m_payouts->setNotificationBuilder(SimChannel::WechatTransfer, &WechatTransferSim::buildNotification);
    BankpaySim *bankpay = m_bankpay.get();
    m_notifier->setChannel(
        SimChannel::Bankpay,
        [bankpay](const NotificationRecord &record, bool bad) { return bankpay->renderNotification(record, bad); },
        &BankpaySim::acknowledges);
    m_notifier->setChannel(
        SimChannel::WechatTransfer,
        [wechat](const NotificationRecord &record, bool bad) { return wechat->renderNotification(record, bad); },
        &WechatSim::acknowledges);
    m_alipay->registerRoutes(*m_router);
    m_wechat->registerRoutes(*m_router);
    m_bankpay->registerRoutes(*m_router);
    m_transfers->registerRoutes(*m_router);
    m_control->registerRoutes(*m_router);
    m_payoutControl->registerRoutes(*m_router);

    // Public: it names key files but holds no secret itself.
    const QByteArray json = QJsonDocument(info()).toJson(QJsonDocument::Indented);
    if (!writeFileAtomically(m_dataDir + u"/sandbox.json"_s, json, kWorldReadable, error))
        return false;
    watchSignals();
    qCInfo(lcSandbox).noquote() << u"time scale 1/%1; trades are kept in memory only"_s.arg(m_options.timeScale);
    // The one line on stdout: scripts and tests wait for it (and read sandbox.json after it).
    std::fprintf(stdout, "paydesk-sandbox listening on %s\n", qPrintable(m_baseUrl));
    std::fflush(stdout);
    return true;
}

QJsonObject SandboxApp::info() const
{
    return QJsonObject{
        {u"base_url"_s, m_baseUrl},
        {u"ca_file"_s, m_caFile},
        {u"control_url"_s, m_baseUrl + u"/control"_s},
        {u"time_scale"_s, m_options.timeScale},
        {u"alipay"_s, m_keys.alipayInfo(m_baseUrl)},
        {u"wechat"_s, m_keys.wechatInfo(m_baseUrl)},
        {u"bankpay"_s, m_keys.bankpayInfo(m_baseUrl)},
        {u"wechat_transfer"_s, m_keys.wechatTransferInfo(m_baseUrl)},
    };
}

void SandboxApp::watchSignals()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, s_signalPipe) != 0) {
        qCWarning(lcSandbox) << "cannot watch signals; SIGTERM will end the process abruptly";
        return;
    }
    m_signalNotifier = new QSocketNotifier(s_signalPipe[0], QSocketNotifier::Read, this);
    connect(m_signalNotifier, &QSocketNotifier::activated, this, [this] {
        char byte = 0;
        [[maybe_unused]] const auto n = ::read(s_signalPipe[0], &byte, 1);
        qCInfo(lcSandbox).noquote() << (byte == SIGINT ? u"interrupted"_s : u"terminated"_s) << "- shutting down";
        shutdown();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

void SandboxApp::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    if (!m_http) {
        completeShutdown();
        return;
    }
    // Answers held by the timeout fault go out now, so the drain does not wait a minute.
    m_held->releaseAll();
    connect(m_http.get(), &HttpServer::drained, this, &SandboxApp::completeShutdown, Qt::QueuedConnection);
    QTimer::singleShot(kShutdownDrainMs, this, &SandboxApp::completeShutdown);
    m_http->beginShutdown();
}

void SandboxApp::completeShutdown()
{
    if (m_finished)
        return;
    m_finished = true;
    m_workers.waitForDone();
    qCInfo(lcSandbox) << "stopped";
    emit finished(0);
}

} // namespace paydesk::sandbox
