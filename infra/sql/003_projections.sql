-- Which generation of each view serves reads. A rebuild fills generation+1 beside the live
-- one and switches this row once it has caught up (blue/green).
CREATE TABLE IF NOT EXISTS organize_projections (
    name        text PRIMARY KEY,
    generation  integer NOT NULL,
    building    integer,
    switched_at timestamptz NOT NULL DEFAULT now()
);
