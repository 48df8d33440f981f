-- The key-encryption key (KEK) that wraps every data key lives outside PostgreSQL, in the
-- keyring directory (organize/keyring.py); erasure replaces it. This one row says which
-- generation the data keys are wrapped under, a check value that tells a wrong keyring
-- from the right one without revealing the key, and the database's own id, which names its
-- files in the keyring (two databases never share a KEK, even in one directory). kek_generation 0 marks a key still wrapped
-- under the master key (a store from before the keyring): startup re-wraps those.
CREATE TABLE IF NOT EXISTS organize_kek (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation  integer NOT NULL,
    kek_check   bytea NOT NULL,
    database_id uuid NOT NULL
);
ALTER TABLE organize_data_keys ADD COLUMN IF NOT EXISTS kek_generation integer NOT NULL DEFAULT 0;
-- One-time rewrites of stored events (organize/migrations.py), each run once.
CREATE TABLE IF NOT EXISTS organize_migrations (
    name     text PRIMARY KEY,
    done_at  timestamptz NOT NULL DEFAULT now(),
    detail   text
);
