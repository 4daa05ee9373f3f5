#pragma once

#include "server/auth/SecurityConfig.h"
#include "server/http/HttpMessage.h"
#include "server/payments/Outbox.h"
#include "server/wallet/WalletService.h"

#include <QCache>
#include <QJsonObject>
#include <QMutex>
#include <QSqlDatabase>

#include <memory>

namespace paydesk {

class Database;
class DbWriter;
class IdGenerator;
class PaymentService;
struct IdempotencyContext;
struct OrderRecord;

/// Settings of red packets ([red_packets] in paydesk.ini).
struct RedPacketConfig
{
    int maxShares = 100; ///< shares in one packet
    int defaultExpireHours = 24;
    int maxExpireHours = 72;
    qint64 expiryScanMs = 600'000; ///< the expiry refund job runs every 10 minutes
    qint64 compensationScanMs = 1'800'000; ///< the transfer compensation job every 30 minutes
    int lookbackDays = 30; ///< both jobs look at packets and shares of the last 30 days
    bool skipGrabTransfer = false; ///< test fault hook: a grab commits its claim without the transfer
};

/// Red packets: send (paid from the balance, or by a channel payment that lands in the sender's
/// frozen funds), the up-front split into shares, atomic grabs, reads with a short-lived cache,
/// the expiry refund and the compensation of grabs whose transfer did not happen.
class RedPacketService final
{
public:
    RedPacketService(Database &database, DbWriter &writer, PaymentService &payments, WalletService &wallet,
                     Clock clock, RedPacketConfig config, int nodeId);
    ~RedPacketService();

    /// Registers the jobs and the payment hook; start() schedules the recurring scans.
    void attach(JobRunner &jobs);
    void start();

    /// POST /v1/app/red-packets paid from the balance, inside one writer unit.
    HttpResponse sendFromBalance(const QSqlDatabase &db, const QString &userId, const QJsonObject &input,
                                 const WalletService::Client &client, IdempotencyContext *idempotency);
    /// POST /v1/app/red-packets paid by a channel: the packet waits for its payment (blocking:
    /// calls the channel; run on the job pool).
    HttpResponse sendByChannel(const QString &userId, const QJsonObject &input, const WalletService::Client &client);
    /// POST /v1/app/red-packets/{id}/grab inside one writer unit.
    QJsonObject grab(const QSqlDatabase &db, const QString &packetId, const QString &userId);
    /// Forgets the cached view of a packet (after a grab in this process).
    void invalidate(const QString &packetId);

    /// GET /v1/app/red-packets/{id}: the packet, who grabbed what, and the caller's own share.
    QJsonObject packet(const QSqlDatabase &db, const QString &packetId, const QString &userId);
    /// GET /v1/app/red-packets?box=sent|received, newest first.
    QJsonObject list(const QSqlDatabase &db, const QString &userId, bool sent, const QString &before, int limit) const;

    /// The jobs (public for tests that drive them directly).
    JobResult expiryScan(const OutboxJob &job);
    JobResult compensationScan(const OutboxJob &job);

private:
    struct Parsed;
    Parsed parse(const QJsonObject &input, bool channel) const;
    void insertPacket(const QSqlDatabase &db, const QString &id, const QString &userId, const Parsed &parsed,
                      const QString &status, qint64 now);
    void activate(const QSqlDatabase &db, const OrderRecord &order);
    void refundExpired(const QSqlDatabase &db, const QString &packetId);
    void completeTransfer(const QSqlDatabase &db, const QString &packetId, int seq);
    struct Share
    {
        qint64 amount = 0;
        QString grabberId;
        QString senderId;
        QString transferNo;
    };
    /// The frozen → available transfer of a claimed share, under its transfer number; knownNew when
    /// it was claimed in this unit (no earlier transfer can exist). Returns the transfer's number.
    QString payShare(const QSqlDatabase &db, const QString &packetId, int seq, const Share &share, bool knownNew);
    QJsonObject loadPacket(const QSqlDatabase &db, const QString &packetId) const;
    /// Tells the packet's recipients (on their event streams) that it is there to grab.
    void announce(const QSqlDatabase &db, const QString &packetId, qint64 now);
    qint64 scaled(qint64 delayMs) const;

    Database &m_database;
    DbWriter &m_writer;
    PaymentService &m_payments;
    WalletService &m_wallet;
    Clock m_clock;
    RedPacketConfig m_config;
    std::unique_ptr<IdGenerator> m_packetIds, m_decisionIds, m_journalIds;
    JobRunner *m_jobs = nullptr;

    struct Cached
    {
        QJsonObject packet;
        qint64 loadedAt = 0;
    };
    QMutex m_cacheMutex;
    QCache<QString, Cached> m_cache{10'000};
};

} // namespace paydesk
