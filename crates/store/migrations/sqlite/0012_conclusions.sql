-- 通则第四十一条: a correction must not change the opinion's conclusion. The conclusion is recorded
-- at issue in structured form (JSON of domain::conclusion::Conclusion) and with each correction,
-- which is refused when it differs. Opinions issued before carry none until their first correction.
ALTER TABLE opinions ADD COLUMN conclusion TEXT;
ALTER TABLE opinion_corrections ADD COLUMN conclusion TEXT;
