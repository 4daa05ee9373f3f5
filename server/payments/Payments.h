#pragma once

#include "server/net/HttpClient.h"
#include "server/payments/ChannelStore.h"
#include "server/payments/Outbox.h"
#include "server/payments/PaymentService.h"
#include "server/recon/ReconService.h"
#include "server/wallet/RedPacketService.h"
#include "server/wallet/WalletService.h"

namespace paydesk {

/// The payment parts, wired once by ServerApp: the outbound client, channel accounts, the payment
/// and wallet flows, reconciliation and the job runner that drives their scheduled work.
struct Payments
{
    Payments(Database &database, DbWriter &writer, FieldCipher &cipher, Clock clock, PaymentsConfig config, int nodeId,
             JobRunner::Options jobOptions, WalletConfig walletConfig = {}, RedPacketConfig redPacketConfig = {},
             ReconConfig reconConfig = {})
        : channels(database, cipher, http, clock, config.publicUrl),
          service(database, writer, channels, http, cipher, clock, config, nodeId),
          wallet(database, writer, cipher, service, channels, clock, walletConfig, nodeId),
          redPackets(database, writer, service, wallet, clock, redPacketConfig, nodeId),
          recon(database, writer, service, clock, std::move(reconConfig), nodeId, jobOptions.owner),
          jobs(database, writer, clock, std::move(jobOptions))
    {
        service.attach(jobs);
        wallet.attach(jobs);
        redPackets.attach(jobs);
        recon.attach(jobs);
    }

    HttpClient http;
    ChannelStore channels;
    PaymentService service;
    WalletService wallet;
    RedPacketService redPackets;
    ReconService recon;
    JobRunner jobs;
};

} // namespace paydesk
