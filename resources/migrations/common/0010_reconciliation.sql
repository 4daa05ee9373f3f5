-- Reconciliation: one run per (business day, channel account) — or 'internal' for the checks of
-- the platform's own books — and the discrepancy items runs find. Items are keyed by
-- (channel, kind, ref_type, ref_id), so re-running a day updates the same rows instead of adding
-- new ones. Matched lines are counted on the run, not stored.
CREATE TABLE recon_runs (
    id TEXT PRIMARY KEY,
    business_date TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('RUNNING', 'DONE', 'NO_BILL', 'FAILED')),
    phase TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 1,
    lease_owner TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    bill_file TEXT NOT NULL DEFAULT '',
    bill_format TEXT NOT NULL DEFAULT '',
    totals TEXT NOT NULL DEFAULT '{}',
    matched BIGINT NOT NULL DEFAULT 0,
    discrepancies INTEGER NOT NULL DEFAULT 0,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    requested_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (business_date, channel_id)
);
CREATE INDEX recon_runs_date ON recon_runs (business_date, channel_id);

CREATE TABLE recon_items (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES recon_runs (id),
    business_date TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('MISSING_LOCAL', 'MISSING_CHANNEL', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH',
                                       'SUMMARY_MISMATCH', 'CROSS_DAY', 'INTERNAL')),
    ref_type TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    merchant_id TEXT,
    channel_trade_no TEXT,
    local_amount BIGINT,
    channel_amount BIGINT,
    local_status TEXT,
    channel_status TEXT,
    status TEXT NOT NULL CHECK (status IN ('OPEN', 'CARRIED', 'RESOLVED')),
    message TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    resolution TEXT,
    note TEXT,
    resolved_by TEXT,
    resolved_at BIGINT,
    alerted INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (channel_id, kind, ref_type, ref_id)
);
CREATE INDEX recon_items_date ON recon_items (business_date, channel_id, created_at);
CREATE INDEX recon_items_status ON recon_items (status, created_at);
CREATE INDEX recon_items_run ON recon_items (run_id);

-- The channels' fees per day, channel account and merchant, as the reconciled bills state them
-- (1/1000 fen, i.e. 1e-5 yuan, as WeChat Pay states fees); the daily report adds them.
CREATE TABLE recon_fees (
    business_date TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    fee_millifen BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    PRIMARY KEY (business_date, channel_id, merchant_id)
);
