-- Working-day calendar: a year's table of holidays and adjusted working days as loaded or
-- corrected by an administrator. It replaces the shipped table of the same year.
CREATE TABLE calendar_years (
    year      BIGINT PRIMARY KEY,
    source    TEXT NOT NULL,
    body      TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at BIGINT NOT NULL,
    version   BIGINT NOT NULL DEFAULT 1
);
