-- The offline outbox (organize/outbox.py). Device tokens vouch for the envelopes a phone
-- queued while offline: only their SHA-256 is kept, with the session they were issued with
-- (logout and quick exit delete them) and an expiry. No personal data, no envelope, no key.
CREATE TABLE IF NOT EXISTS organize_device_tokens (
    id_hash      bytea PRIMARY KEY,
    account_id   uuid NOT NULL,
    session_hash bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS organize_device_tokens_session_idx ON organize_device_tokens (session_hash);

-- Each device's place in its own order: envelopes are applied one after another, by the
-- sequence number the phone gave them when they were recorded.
CREATE TABLE IF NOT EXISTS organize_outbox_devices (
    device_id   uuid PRIMARY KEY,
    account_id  uuid NOT NULL,
    last_seq    bigint NOT NULL DEFAULT 0,
    seen_at     timestamptz NOT NULL DEFAULT now()
);
