-- Working-day calendar: a year's table of holidays and adjusted working days as loaded or
-- corrected by an administrator. It replaces the shipped table of the same year.
CREATE TABLE calendar_years (
    year      INTEGER PRIMARY KEY,
    source    TEXT NOT NULL,
    body      TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at INTEGER NOT NULL,
    version   INTEGER NOT NULL DEFAULT 1
) STRICT;
