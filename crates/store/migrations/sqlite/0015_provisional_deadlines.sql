-- A running deadline counted over a year whose State Council holiday table is not loaded yet is
-- provisional (counted from the statutory holidays alone); the sweeper recomputes it once the
-- table is loaded (issue 15, point 14).
ALTER TABLE cases ADD COLUMN due_provisional INTEGER NOT NULL DEFAULT 0 CHECK (due_provisional IN (0, 1));
