-- Per-subject data keys (a worker, or a grievance's free text), wrapped by the master key.
-- Deleting a row is crypto-shredding: every sealed field under that key becomes noise.
-- owner_ids: the workers whose erasure should shred this key once none of them remains.
CREATE TABLE IF NOT EXISTS organize_data_keys (
    subject_id  uuid PRIMARY KEY,
    owner_ids   uuid[] NOT NULL DEFAULT '{}',
    wrapped     bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS organize_data_keys_owners_idx
    ON organize_data_keys USING gin (owner_ids);
-- ANALYZE (autovacuum runs it unasked) samples column values into pg_statistic, where a
-- shredded key would outlive its row: once written there it survives VACUUM FULL and later
-- ANALYZEs. So the wrapped keys are never sampled. (Found by the erasure test's raw scan.)
ALTER TABLE organize_data_keys ALTER COLUMN wrapped SET STATISTICS 0;
