-- Record-linkage alerts (多头、重复鉴定核查; seed clause 22, 通则第十五条第六项): raised by the
-- checks at commission and acceptance, decided by regulators. `other_case_id` is 0 for a
-- volume alert (many institutions in a short window), which names no single other case.
-- `status`: open → confirmed | dismissed; confirmed or certain → overridden (acceptance allowed
-- by a regulator with a reason). The person-match probability is kept in millionths. Every raise
-- and decision is also an event.
CREATE TABLE linkage_alerts (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    other_case_id  INTEGER NOT NULL,
    institution_id INTEGER NOT NULL,
    region_path    TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('multi_institution', 'repeated', 'volume')),
    level          TEXT NOT NULL CHECK (level IN ('possible', 'certain')),
    probability_ppm INTEGER NOT NULL CHECK (probability_ppm BETWEEN 0 AND 1000000),
    explanation    TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed', 'overridden')),
    raised_at      INTEGER NOT NULL,
    decided_by     INTEGER REFERENCES users(id),
    decided_at     INTEGER,
    reason         TEXT NOT NULL DEFAULT '',
    UNIQUE (case_id, other_case_id, kind)
) STRICT;
CREATE INDEX linkage_alerts_queue ON linkage_alerts(status, region_path);
