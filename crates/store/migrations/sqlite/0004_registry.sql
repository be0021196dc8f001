-- Register details (issue: registry, online licensing, directory). SQLite.
-- Business scope and practice items are classification codes (C, C.SS or C.SS.II); `categories`
-- stays as the derived set of category digits for filters and older readers.
ALTER TABLE institutions ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN registering_authority TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN qualification_level TEXT NOT NULL DEFAULT 'ordinary'
    CHECK (qualification_level IN ('national', 'provincial', 'ordinary'));
ALTER TABLE institutions ADD COLUMN military INTEGER NOT NULL DEFAULT 0 CHECK (military IN (0, 1));
ALTER TABLE institutions ADD COLUMN party_org INTEGER NOT NULL DEFAULT 0 CHECK (party_org IN (0, 1));
ALTER TABLE institutions ADD COLUMN party_members INTEGER NOT NULL DEFAULT 0;
ALTER TABLE institutions ADD COLUMN insurer TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN insurance_policy TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN insurance_expires TEXT;
ALTER TABLE institutions ADD COLUMN licence_valid_to TEXT;
-- JSON array of {kind: CMA|CNAS, certificate_no, scope, expires_on}
ALTER TABLE institutions ADD COLUMN accreditations TEXT NOT NULL DEFAULT '[]';
UPDATE institutions SET scope = categories;

CREATE TABLE institution_scope (
    code           TEXT NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    PRIMARY KEY (code, institution_id)
) STRICT, WITHOUT ROWID;
WITH RECURSIVE split(id, rest, code) AS (
    SELECT id, categories || ',', '' FROM institutions
    UNION ALL
    SELECT id, substr(rest, instr(rest, ',') + 1), substr(rest, 1, instr(rest, ',') - 1)
    FROM split WHERE rest <> ''
)
INSERT INTO institution_scope (code, institution_id) SELECT code, id FROM split WHERE code <> '';

ALTER TABLE appraisers ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE appraisers ADD COLUMN birth_date TEXT;
-- Resident ID: keyed hash (for lookups and uniqueness), sealed value, masked form for screens.
ALTER TABLE appraisers ADD COLUMN id_hash TEXT;
ALTER TABLE appraisers ADD COLUMN id_sealed TEXT;
ALTER TABLE appraisers ADD COLUMN id_masked TEXT NOT NULL DEFAULT '';
ALTER TABLE appraisers ADD COLUMN education TEXT NOT NULL DEFAULT ''
    CHECK (education IN ('', 'doctorate', 'master', 'bachelor', 'college', 'other'));
UPDATE appraisers SET scope = categories;
CREATE UNIQUE INDEX appraisers_id_hash ON appraisers(id_hash);
CREATE INDEX appraisers_name ON appraisers(name);

CREATE TABLE appraiser_scope (
    code         TEXT NOT NULL,
    appraiser_id INTEGER NOT NULL REFERENCES appraisers(id),
    PRIMARY KEY (code, appraiser_id)
) STRICT, WITHOUT ROWID;
WITH RECURSIVE split(id, rest, code) AS (
    SELECT id, categories || ',', '' FROM appraisers
    UNION ALL
    SELECT id, substr(rest, instr(rest, ',') + 1), substr(rest, 1, instr(rest, ',') - 1)
    FROM split WHERE rest <> ''
)
INSERT INTO appraiser_scope (code, appraiser_id) SELECT code, id FROM split WHERE code <> '';

-- One institution at a time; every posting kept (transfers).
CREATE TABLE appraiser_postings (
    id             INTEGER PRIMARY KEY,
    appraiser_id   INTEGER NOT NULL REFERENCES appraisers(id),
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    started_at     INTEGER NOT NULL,
    ended_at       INTEGER,
    reason         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX appraiser_postings_appraiser ON appraiser_postings(appraiser_id, started_at);
CREATE UNIQUE INDEX appraiser_postings_open ON appraiser_postings(appraiser_id) WHERE ended_at IS NULL;
INSERT INTO appraiser_postings (appraiser_id, institution_id, started_at)
    SELECT id, institution_id, created_at FROM appraisers;

-- Training hours, liability insurance and oath as dated entries.
CREATE TABLE appraiser_records (
    id           INTEGER PRIMARY KEY,
    appraiser_id INTEGER NOT NULL REFERENCES appraisers(id),
    kind         TEXT NOT NULL CHECK (kind IN ('training', 'insurance', 'oath')),
    on_date      TEXT NOT NULL,
    hours        INTEGER,
    detail       TEXT NOT NULL DEFAULT '',
    created_by   INTEGER,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX appraiser_records_appraiser ON appraiser_records(appraiser_id, on_date);

-- 鉴定人助理, each under a supervising appraiser of the same institution.
CREATE TABLE assistants (
    id             INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    supervisor_id  INTEGER NOT NULL REFERENCES appraisers(id),
    name           TEXT NOT NULL,
    gender         TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    education      TEXT NOT NULL DEFAULT '',
    started_on     TEXT NOT NULL,
    ended_on       TEXT,
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX assistants_supervisor ON assistants(supervisor_id);

-- Status of institutions and appraisers over time, with the reason given.
CREATE TABLE status_changes (
    id          INTEGER PRIMARY KEY,
    entity_type TEXT NOT NULL CHECK (entity_type IN ('institution', 'appraiser')),
    entity_id   INTEGER NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    actor_id    INTEGER,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX status_changes_entity ON status_changes(entity_type, entity_id, at);
