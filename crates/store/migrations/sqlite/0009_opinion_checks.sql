-- How often each opinion was verified, per day and by whom, so the institution and regulators
-- see it: `public` (the code alone), `keyed` (with the right verification key), `organ` (a
-- signed-in case-handling organ), `platform` (other signed-in users). Counts only: no address
-- or identity is kept. Servers add their counts in batches.
CREATE TABLE opinion_checks (
    code TEXT NOT NULL,
    day  TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('public', 'keyed', 'organ', 'platform')),
    n    INTEGER NOT NULL,
    PRIMARY KEY (code, day, kind)
) STRICT;
