-- Name search over large registers: every character and every pair of adjacent characters of a
-- record's searchable names, so a search looks up matching ids by index instead of scanning
-- (substring LIKE cannot use an index). Filled by the store on every write; rebuilt from the
-- records when empty.
CREATE TABLE search_grams (
    entity TEXT NOT NULL CHECK (entity IN ('institution', 'appraiser')),
    gram   TEXT NOT NULL,
    id     INTEGER NOT NULL,
    PRIMARY KEY (entity, gram, id)
) STRICT, WITHOUT ROWID;
