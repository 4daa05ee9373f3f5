#pragma once

#include "server/net/HttpClient.h"
#include "server/payments/ChannelStore.h"
#include "server/payments/Outbox.h"
#include "server/payments/PaymentService.h"

namespace paydesk {

/// The payment parts, wired once by ServerApp: the outbound client, channel accounts, the payment
/// flows and the job runner that drives their scheduled work.
struct Payments
{
    Payments(Database &database, DbWriter &writer, FieldCipher &cipher, Clock clock, PaymentsConfig config, int nodeId,
             JobRunner::Options jobOptions)
        : channels(database, cipher, http, clock, config.publicUrl),
          service(database, writer, channels, http, cipher, clock, config, nodeId),
          jobs(database, writer, clock, std::move(jobOptions))
    {
        service.attach(jobs);
    }

    HttpClient http;
    ChannelStore channels;
    PaymentService service;
    JobRunner jobs;
};

} // namespace paydesk
