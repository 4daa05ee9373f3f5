-- Foundation: installation-wide settings.
-- Conventions for every later migration: money is BIGINT minor units; instants are BIGINT
-- milliseconds since the Unix epoch (UTC) in columns named *_at; ids are TEXT.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
