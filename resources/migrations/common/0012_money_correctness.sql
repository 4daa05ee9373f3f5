-- Outbox runs are recorded only by the claim that ran them: a rearm (e.g. a resend on demand)
-- moves the generation on, so a run that was in flight when it happened cannot mark it done.
ALTER TABLE outbox ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

-- What the channel last said of a refund that is still PROCESSING here, e.g. ABNORMAL (the bank
-- returned the money; it awaits a retry through the channel or a decision by hand).
ALTER TABLE refunds ADD COLUMN channel_status TEXT;
