-- The shape of the code that built each view's live generation (a digest of its tables and
-- the events it applies). When an upgrade changes a view, the shapes differ and the view is
-- rebuilt before it serves. Rows from before this column read NULL: rebuilt once, to be safe.
ALTER TABLE organize_projections ADD COLUMN IF NOT EXISTS shape text;
