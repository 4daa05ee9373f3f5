-- Audit log: every login, key change, admin action and money movement, appended in the same
-- transaction as the change it records. Each row's hash covers the previous row's hash, so an
-- edited, inserted or deleted row breaks the chain (paydesk-server audit verify finds where).
-- Absent values are stored as '' rather than NULL so that the hashed encoding has one form.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    details TEXT NOT NULL,
    address TEXT NOT NULL,
    request_id TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_type, actor_id, seq);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, seq);

-- The end of the chain, one row, locked by every append so that the chain never forks; it also
-- lets verify notice rows cut off the end. The first entry chains to 64 zeros.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
