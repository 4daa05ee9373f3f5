-- Events for the authenticated event streams (GET /v1/events): written in the transaction of the
-- change they announce, read by every server instance and pushed to the audience's connections.
-- seq orders them; rows older than a day are deleted.
CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    audience TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_audience ON events (audience, seq);
CREATE INDEX events_created ON events (created_at);
