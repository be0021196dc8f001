-- A credit code that fails its check characters may be accepted for a known pilot code, with
-- the reason recorded here (GB 32100-2015 was applied after early pilot codes were issued).
ALTER TABLE institutions ADD COLUMN uscc_override TEXT;
