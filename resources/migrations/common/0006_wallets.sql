-- Wallets: app users and merchants hold available and frozen funds as ledger accounts
-- (user:<id>:available|frozen:CNY, merchant:<id>:settlement_available|settlement_frozen:CNY).
-- This migration adds recharge orders, transfers, bank cards, withdrawals and risk rules.

-- Recharge orders belong to this system merchant and name the app user they credit.
INSERT INTO merchants (id, code, name, status, notify_url, created_at, updated_at)
VALUES ('wallet', 'paydesk-wallet', 'Paydesk wallet (recharges)', 'ACTIVE', NULL, 0, 0);
ALTER TABLE orders ADD COLUMN payer_user_id TEXT;
CREATE INDEX orders_payer ON orders (payer_user_id, created_at);

-- Money moved between two holders by one journal entry. ref_type/ref_id make an internal
-- transfer (e.g. a red-packet share) idempotent.
CREATE TABLE transfers (
    transfer_no TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('USER', 'INTERNAL')),
    from_type TEXT NOT NULL,
    from_id TEXT NOT NULL,
    from_bucket TEXT NOT NULL CHECK (from_bucket IN ('available', 'frozen')),
    to_type TEXT NOT NULL,
    to_id TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    memo TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('SUCCESS', 'FAILED')),
    ref_type TEXT NOT NULL DEFAULT '',
    ref_id TEXT NOT NULL DEFAULT '',
    entry_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX transfers_ref ON transfers (ref_type, ref_id) WHERE ref_id <> '';
CREATE INDEX transfers_from ON transfers (from_type, from_id, created_at);
CREATE INDEX transfers_to ON transfers (to_type, to_id, created_at);

-- Bank cards: number and holder name encrypted with the field key, a keyed hash (lookup key) to
-- find duplicates, and only the masked number in clear.
CREATE TABLE bank_cards (
    id TEXT PRIMARY KEY,
    holder_type TEXT NOT NULL CHECK (holder_type IN ('user', 'merchant')),
    holder_id TEXT NOT NULL,
    card_hash TEXT NOT NULL,
    card_no_enc TEXT NOT NULL,
    holder_name_enc TEXT NOT NULL,
    masked TEXT NOT NULL,
    bank TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'UNBOUND')),
    verification TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX bank_cards_active ON bank_cards (holder_type, holder_id, card_hash) WHERE status = 'ACTIVE';
CREATE INDEX bank_cards_holder ON bank_cards (holder_type, holder_id);
CREATE INDEX bank_cards_hash ON bank_cards (card_hash);

-- Withdrawals: REJECTED (by a risk rule; nothing frozen) or PENDING_REVIEW → APPROVED →
-- PROCESSING → SUCCESS | FAILED; an admin's rejection makes it INVALID. Amounts at or above the
-- four-eyes threshold need two different approvers.
CREATE TABLE withdrawals (
    id TEXT PRIMARY KEY,
    holder_type TEXT NOT NULL CHECK (holder_type IN ('user', 'merchant')),
    holder_id TEXT NOT NULL,
    bank_card_id TEXT NOT NULL REFERENCES bank_cards (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('REJECTED', 'PENDING_REVIEW', 'APPROVED', 'PROCESSING', 'SUCCESS',
                                           'FAILED', 'INVALID')),
    risk_rule TEXT,
    risk_outcome TEXT NOT NULL DEFAULT 'pass',
    approvals_needed INTEGER NOT NULL DEFAULT 1,
    first_approver TEXT,
    first_approved_at BIGINT,
    second_approver TEXT,
    reviewed_by TEXT,
    review_reason TEXT,
    payout_channel_id TEXT,
    payout_ref TEXT,
    failure_code TEXT,
    failure_message TEXT,
    client_ip TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX withdrawals_status ON withdrawals (status, created_at);
CREATE INDEX withdrawals_holder ON withdrawals (holder_type, holder_id, created_at);

-- Risk rules, editable by platform admins; evaluated before withdrawals, transfers and red packets.
CREATE TABLE risk_rules (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('withdrawal', 'transfer', 'red_packet')),
    kind TEXT NOT NULL CHECK (kind IN ('daily_count', 'daily_sum', 'single_min', 'single_max', 'velocity',
                                       'blacklist')),
    params TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('reject', 'review')),
    enabled INTEGER NOT NULL DEFAULT 1,
    description TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
INSERT INTO risk_rules (id, action, kind, params, outcome, enabled, description, updated_at) VALUES
    ('withdrawal_daily_count', 'withdrawal', 'daily_count', '{"limit":3}', 'reject', 1,
     'At most 3 withdrawals per holder per day', 0),
    ('withdrawal_daily_sum', 'withdrawal', 'daily_sum', '{"limit":1000000}', 'reject', 1,
     'At most 10,000.00 CNY withdrawn per holder per day', 0);

-- One row per rule that matched (and one "pass" row per evaluation with no match).
CREATE TABLE risk_decisions (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    holder_type TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    inputs TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX risk_decisions_ref ON risk_decisions (ref_id);
CREATE INDEX risk_decisions_holder ON risk_decisions (holder_type, holder_id, created_at);

-- Payout provider accounts (bank payout, transfer to balance): the same shape as channels, managed
-- through the same routes and commands (the type decides the table).
CREATE TABLE payout_channels (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL CHECK (type IN ('bankpay', 'wechat_transfer')),
    name TEXT NOT NULL,
    app_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    private_key_enc TEXT NOT NULL,
    merchant_serial TEXT NOT NULL DEFAULT '',
    platform_keys TEXT NOT NULL,
    api_v3_key_enc TEXT,
    app_cert_sn TEXT NOT NULL DEFAULT '',
    alipay_root_cert_sn TEXT NOT NULL DEFAULT '',
    gateway_url TEXT NOT NULL,
    gateway_ca TEXT NOT NULL DEFAULT '',
    notify_url TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1,
    weight INTEGER NOT NULL DEFAULT 100 CHECK (weight >= 0 AND weight <= 10000),
    timeout_ms INTEGER NOT NULL DEFAULT 10000,
    version INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Payout calls and results are kept in the channel log too, by withdrawal.
ALTER TABLE channel_logs ADD COLUMN withdrawal_id TEXT;
CREATE INDEX channel_logs_withdrawal ON channel_logs (withdrawal_id, created_at);
