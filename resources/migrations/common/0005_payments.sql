-- Payments: channel accounts, orders, refunds, the channel log, the outbox of scheduled work,
-- merchant notification attempts and alerts. Money is BIGINT minor units; times are ms since epoch.

-- One Alipay app or WeChat Pay merchant account. Private keys and the API v3 key are encrypted with
-- the field key (FieldCipher, context "channel:<id>:<field>"); platform keys are public material.
CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL CHECK (type IN ('alipay', 'wechat')),
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

-- order_no is Paydesk's number and the channel's out_trade_no. request_hash makes a repeated create
-- with the same body return the same order, and one with another body a conflict.
CREATE TABLE orders (
    order_no TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    out_trade_no TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'PAYMENT',
    request_hash TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    subject TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    channel_id TEXT NOT NULL REFERENCES channels (id),
    method TEXT NOT NULL CHECK (method IN ('qr', 'app')),
    status TEXT NOT NULL CHECK (status IN ('CREATED', 'PAYING', 'SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED',
                                           'CLOSED', 'ABNORMAL')),
    status_reason TEXT,
    prepay_outcome TEXT NOT NULL DEFAULT 'PENDING' CHECK (prepay_outcome IN ('PENDING', 'OK', 'REJECTED', 'UNKNOWN')),
    qr_code TEXT,
    app_params TEXT,
    channel_trade_no TEXT,
    paid_amount BIGINT NOT NULL DEFAULT 0,
    paid_at BIGINT,
    refund_reserved BIGINT NOT NULL DEFAULT 0,
    refunded_amount BIGINT NOT NULL DEFAULT 0,
    notify_url TEXT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (merchant_id, out_trade_no),
    UNIQUE (channel_id, channel_trade_no),
    CHECK (refunded_amount <= refund_reserved AND refund_reserved <= paid_amount)
);
CREATE INDEX orders_merchant_created ON orders (merchant_id, created_at);
CREATE INDEX orders_status_created ON orders (status, created_at);

-- The state history of an order, for its timeline.
CREATE TABLE order_events (
    order_no TEXT NOT NULL REFERENCES orders (order_no),
    seq INTEGER NOT NULL,
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (order_no, seq)
);

CREATE TABLE refunds (
    refund_no TEXT PRIMARY KEY,
    order_no TEXT NOT NULL REFERENCES orders (order_no),
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    out_refund_no TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    funded_from TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('PROCESSING', 'SUCCESS', 'FAILED')),
    channel_refund_no TEXT,
    failure TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    succeeded_at BIGINT,
    UNIQUE (merchant_id, out_refund_no)
);
CREATE INDEX refunds_order ON refunds (order_no);

-- Every request to and notification from a channel, with its verification result (secrets masked).
CREATE TABLE channel_logs (
    id TEXT PRIMARY KEY,
    order_no TEXT,
    refund_no TEXT,
    channel_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    direction TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    http_status INTEGER NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL DEFAULT '',
    request TEXT NOT NULL DEFAULT '',
    response TEXT NOT NULL DEFAULT '',
    verification TEXT NOT NULL DEFAULT '',
    elapsed_ms BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX channel_logs_order ON channel_logs (order_no, created_at);

-- Scheduled work (the transactional outbox): rows are written in the same transaction as the
-- change that needs them, then claimed with a lease by any server instance, so work survives
-- crashes and is never done by two instances at once. (kind, ref) names one piece of work.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (kind, ref)
);
CREATE INDEX outbox_due ON outbox (status, next_at);

-- Merchant notifications: one row per event (the event id is stable across retries), and every
-- delivery attempt.
CREATE TABLE merchant_events (
    event_id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    order_no TEXT NOT NULL,
    refund_no TEXT,
    type TEXT NOT NULL,
    url TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX merchant_events_order ON merchant_events (order_no);

CREATE TABLE notify_attempts (
    event_id TEXT NOT NULL REFERENCES merchant_events (event_id),
    attempt INTEGER NOT NULL,
    at BIGINT NOT NULL,
    http_status INTEGER NOT NULL DEFAULT 0,
    response TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    elapsed_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, attempt)
);

-- Alerts for humans. dedupe_key keeps one open alert per problem.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
    ref_type TEXT NOT NULL DEFAULT '',
    ref_id TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    dedupe_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('OPEN', 'ACKNOWLEDGED')),
    created_at BIGINT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at BIGINT
);
CREATE INDEX alerts_status_created ON alerts (status, created_at);
