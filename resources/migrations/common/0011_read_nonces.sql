-- Nonces of signed reads (GET). The instance that admits one remembers it in memory
-- (NonceGuard) and writes it here behind the answer, in batches: appended in time order, so a
-- row costs a fraction of a page rather than a page of a random-keyed index. A restarted
-- instance reads the unexpired ones back. Writes keep their nonces in request_nonces, committed
-- before they run.
CREATE TABLE read_nonces (
    key_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX read_nonces_expiry ON read_nonces (expires_at);
