-- Every verification of an opinion, so the institution and regulators see how often (and by
-- whom: anonymous, with the key) each one was checked. No address or identity is kept.
CREATE TABLE opinion_checks (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('public', 'keyed')),
    at   INTEGER NOT NULL
) STRICT;
CREATE INDEX opinion_checks_code ON opinion_checks(code);
