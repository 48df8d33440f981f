-- Accounts: what must be replaceable or forgotten, so it stays out of the event log.
-- Who an account is and which role it holds are events (organize/domain/account.py);
-- the password hash, sessions, API tokens and failed logins live here.

-- One password hash (argon2id) per account. Replaced on a password change or a rehash.
CREATE TABLE IF NOT EXISTS organize_credentials (
    account_id    uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Server-side sessions. The cookie holds an opaque random value; only its SHA-256 is kept,
-- so reading this table does not let anyone take over a session. Logout, quick exit and
-- the idle timeout delete rows.
CREATE TABLE IF NOT EXISTS organize_sessions (
    id_hash     bytea PRIMARY KEY,
    account_id  uuid NOT NULL,
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS organize_sessions_account_idx ON organize_sessions (account_id);
CREATE INDEX IF NOT EXISTS organize_sessions_last_seen_idx ON organize_sessions (last_seen);

-- API bearer tokens: 256 random bits, shown once, kept as SHA-256.
CREATE TABLE IF NOT EXISTS organize_api_tokens (
    id           uuid PRIMARY KEY,
    account_id   uuid NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    label        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX IF NOT EXISTS organize_api_tokens_account_idx ON organize_api_tokens (account_id);

-- Failed logins were one row each until they were counted atomically (below).
DROP TABLE IF EXISTS organize_login_failures;

-- Login throttling, counted atomically: one row per key (the SHA-256 of "username:<name>"
-- or "ip:<address>"), incremented by a single UPSERT before the password is checked, so
-- concurrent guesses for one account cannot all slip past the limit.
CREATE TABLE IF NOT EXISTS organize_login_throttle (
    key_hash      bytea PRIMARY KEY,
    failures      integer NOT NULL,
    window_start  timestamptz NOT NULL DEFAULT now()
);
