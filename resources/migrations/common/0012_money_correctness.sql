-- Outbox runs are recorded only by the claim that ran them: a rearm (e.g. a resend on demand)
-- moves the generation on, so a run that was in flight when it happened cannot mark it done.
ALTER TABLE outbox ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
-- The claim that last recorded a result (instance and claim), for operators and tests.
ALTER TABLE outbox ADD COLUMN last_owner TEXT;

-- What the channel last said of a refund that is still PROCESSING here, e.g. ABNORMAL (the bank
-- returned the money; it awaits a retry through the channel or a decision by hand).
ALTER TABLE refunds ADD COLUMN channel_status TEXT;

-- Merchant event attempts are numbered from merchant_events.attempts from now on; before, a resend
-- set it back while notify_attempts kept the rows, so the next number could already be taken.
UPDATE merchant_events SET attempts = (SELECT MAX(n.attempt) FROM notify_attempts n
                                       WHERE n.event_id = merchant_events.event_id)
WHERE EXISTS (SELECT 1 FROM notify_attempts n WHERE n.event_id = merchant_events.event_id
              AND n.attempt > merchant_events.attempts);
