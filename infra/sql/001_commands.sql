-- The command log: one row per command_id, written in the same transaction as the
-- command's events, so a resubmitted form finds the first result and appends nothing.
CREATE TABLE IF NOT EXISTS organize_commands (
    command_id        uuid PRIMARY KEY,
    command_type      text NOT NULL,
    payload_digest    bytea NOT NULL,
    result            bytea NOT NULL,
    last_originator_id      uuid,
    last_originator_version bigint,
    recorded_at       timestamptz NOT NULL DEFAULT now()
);
