#pragma once

#include "server/http/HttpLimits.h"
#include "server/http/HttpServer.h"
#include "server/http/Metrics.h"
#include "server/http/Router.h"
#include "server/tls/TlsBootstrap.h"

#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QThread>
#include <QThreadPool>

#include <memory>

namespace paydesk::test {

/// An HttpServer on its own thread (as in paydesk-server, where the HTTP thread never blocks),
/// so a test's blocking client can talk to it from the test thread.
class HttpServerThread final
{
public:
    HttpServerThread(const HttpLimits &limits, Router router, int workers = 4, Barrier barrier = {})
        : m_router(std::move(router))
    {
        m_workers.setMaxThreadCount(workers);
        QString error;
        m_tls = ensureTlsMaterial(m_dir.path(), {}, &error);
        Q_ASSERT_X(m_tls.has_value(), "HttpServerThread", qPrintable(error));
        m_anchor.moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(
            &m_anchor,
            [this, limits, barrier = std::move(barrier)] {
                m_server = new HttpServer(limits, m_router, &m_workers, &m_metrics);
                m_server->setAnswerBarrier(barrier);
                QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
                ssl.setLocalCertificate(m_tls->certificate);
                ssl.setPrivateKey(m_tls->key);
                m_server->setTlsConfiguration(ssl);
                m_listening = m_server->listen(QHostAddress::LocalHost, 0);
                m_port = m_server->serverPort();
            },
            Qt::BlockingQueuedConnection);
    }

    ~HttpServerThread()
    {
        // Handlers still running deliver to the server: let them finish before it goes.
        m_workers.waitForDone();
        QMetaObject::invokeMethod(
            &m_anchor, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    bool isListening() const { return m_listening; }
    quint16 port() const { return m_port; }
    Metrics &metrics() { return m_metrics; }
    QSslCertificate ca() const { return m_tls->ca; }
    int openConnections() const { return m_server->openConnections(); }

private:
    QTemporaryDir m_dir;
    Router m_router;
    QThreadPool m_workers;
    Metrics m_metrics;
    std::optional<TlsMaterial> m_tls;
    QThread m_thread;
    QObject m_anchor; ///< lives on the server thread, so invokeMethod on it runs there
    HttpServer *m_server = nullptr;
    bool m_listening = false;
    quint16 m_port = 0;
};

} // namespace paydesk::test
