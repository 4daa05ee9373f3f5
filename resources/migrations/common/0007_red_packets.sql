-- Red packets: the packet with its money frozen in the sender's wallet, split into shares up
-- front; a grab claims one share (one per user) and moves it from the sender's frozen funds to the
-- grabber's available funds; expiry returns what is left.

CREATE TABLE red_packets (
    id TEXT PRIMARY KEY,
    sender_id TEXT NOT NULL,
    total BIGINT NOT NULL CHECK (total > 0),
    share_count INTEGER NOT NULL CHECK (share_count > 0),
    currency TEXT NOT NULL,
    greeting TEXT NOT NULL,
    pay_with TEXT NOT NULL CHECK (pay_with IN ('balance', 'alipay', 'wechat')),
    order_no TEXT,
    recipients TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('PENDING_PAYMENT', 'ACTIVE', 'FINISHED', 'EXPIRED_REFUNDED',
                                           'CANCELLED')),
    grabbed_amount BIGINT NOT NULL DEFAULT 0,
    grabbed_count INTEGER NOT NULL DEFAULT 0,
    refunded_amount BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    CHECK (grabbed_amount + refunded_amount <= total AND grabbed_count <= share_count)
);
CREATE INDEX red_packets_sender ON red_packets (sender_id, id);
CREATE INDEX red_packets_expiry ON red_packets (status, expires_at);
CREATE UNIQUE INDEX red_packets_order ON red_packets (order_no) WHERE order_no IS NOT NULL;

-- One row per share. A grab sets grabber_id (unique per packet: never two shares to one user);
-- transfer_no is set once the money moved (the compensation job finishes grabs that lack it).
CREATE TABLE red_packet_shares (
    packet_id TEXT NOT NULL REFERENCES red_packets (id),
    seq INTEGER NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    grabber_id TEXT,
    grabbed_at BIGINT,
    transfer_no TEXT,
    PRIMARY KEY (packet_id, seq)
);
CREATE UNIQUE INDEX red_packet_shares_grabber ON red_packet_shares (packet_id, grabber_id)
    WHERE grabber_id IS NOT NULL;
CREATE INDEX red_packet_shares_received ON red_packet_shares (grabber_id, grabbed_at);
CREATE INDEX red_packet_shares_pending ON red_packet_shares (grabbed_at) WHERE grabber_id IS NOT NULL
    AND transfer_no IS NULL;

INSERT INTO risk_rules (id, action, kind, params, outcome, enabled, description, updated_at) VALUES
    ('red_packet_single_max', 'red_packet', 'single_max', '{"amount":20000}', 'reject', 1,
     'At most 200.00 CNY in one red packet', 0),
    ('red_packet_daily_count', 'red_packet', 'daily_count', '{"limit":100}', 'reject', 1,
     'At most 100 red packets per sender per day', 0);
