-- Identity and API security: merchants, staff, sessions, API keys, nonces, idempotency keys,
-- app users, SMS codes, action tokens, login failure tracking.
CREATE TABLE merchants (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED')),
    notify_url TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE staff_users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'merchant_admin', 'platform_admin', 'auditor')),
    merchant_id TEXT REFERENCES merchants (id),
    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'DISABLED')),
    must_change_password INTEGER NOT NULL DEFAULT 0,
    totp_secret_enc TEXT,
    totp_pending_enc TEXT,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK ((role IN ('operator', 'merchant_admin')) = (merchant_id IS NOT NULL))
);

-- Failed logins per source address, so one address cannot try every username.
CREATE TABLE login_failures (
    address TEXT PRIMARY KEY,
    failed_logins INTEGER NOT NULL,
    locked_until BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Bearer sessions of staff and app users; only the SHA-256 of the token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    principal_type TEXT NOT NULL CHECK (principal_type IN ('staff', 'app_user')),
    principal_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_principal ON sessions (principal_type, principal_id);

-- Keys of merchant back ends; the secret is stored encrypted with the field key.
CREATE TABLE api_keys (
    key_id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    label TEXT NOT NULL,
    secret_enc TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'REVOKED')),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_keys_merchant ON api_keys (merchant_id);

-- Single-use nonces of signed requests, kept for the timestamp skew window.
CREATE TABLE request_nonces (
    key_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX request_nonces_expiry ON request_nonces (expires_at);

-- Idempotency-Key records: the first request's hash, then its stored response.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    attempt TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('IN_PROGRESS', 'DONE')),
    response_status INTEGER,
    response_body TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Mobile wallet holders; the phone number is encrypted, its keyed hash finds it.
CREATE TABLE app_users (
    id TEXT PRIMARY KEY,
    phone_hash TEXT NOT NULL UNIQUE,
    phone_enc TEXT NOT NULL,
    phone_masked TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'DISABLED')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sms_codes (
    id TEXT PRIMARY KEY,
    phone_hash TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT
);
CREATE INDEX sms_codes_phone ON sms_codes (phone_hash, created_at);

-- What the built-in "log" SMS provider sent; read by the sandbox and the tests, never by the API.
CREATE TABLE sms_log (
    id TEXT PRIMARY KEY,
    phone_hash TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sms_log_phone ON sms_log (phone_hash, created_at);

CREATE TABLE action_tokens (
    token_hash TEXT PRIMARY KEY,
    app_user_id TEXT NOT NULL REFERENCES app_users (id),
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
