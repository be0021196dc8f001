-- Appraisal cases under 《司法鉴定程序通则》: the commission, its people and materials, the
-- appraisers, clock stops, reviews, signatures, the coded opinion, court appearances, alerts and
-- the notification outbox. Stages and rules: sijian_domain::procedure.
CREATE TABLE cases (
    id                      INTEGER PRIMARY KEY,
    institution_id          INTEGER NOT NULL REFERENCES institutions(id),
    region_path             TEXT NOT NULL,
    organ_id                INTEGER REFERENCES organs(id),
    client_name             TEXT NOT NULL,
    client_kind             TEXT NOT NULL CHECK (client_kind IN ('court', 'procuratorate', 'police', 'other')),
    client_contact          TEXT NOT NULL DEFAULT '',
    case_number             TEXT,
    case_number_key         TEXT,
    case_type               TEXT NOT NULL CHECK (case_type IN ('civil', 'criminal', 'administrative', 'other')),
    items                   TEXT NOT NULL,
    category                TEXT NOT NULL,
    purpose                 TEXT NOT NULL,
    summary                 TEXT NOT NULL,
    lineage                 TEXT NOT NULL DEFAULT 'original' CHECK (lineage IN ('original', 'supplementary', 'reappraisal')),
    parent_id               INTEGER REFERENCES cases(id),
    original_opinion_code   TEXT,
    same_institution_reason TEXT,
    stage                   TEXT NOT NULL,
    received_on             TEXT NOT NULL,
    agreed_accept_by        TEXT,
    accept_agreement        TEXT NOT NULL DEFAULT '',
    decided_on              TEXT,
    accept_late             INTEGER NOT NULL DEFAULT 0 CHECK (accept_late IN (0, 1)),
    refusal_reasons         TEXT NOT NULL DEFAULT '',
    refusal_explanation     TEXT NOT NULL DEFAULT '',
    contract_effective_on   TEXT,
    agreed_complete_by      TEXT,
    extension_days          INTEGER,
    extension_reason        TEXT NOT NULL DEFAULT '',
    review_round            INTEGER NOT NULL DEFAULT 0,
    termination_reasons     TEXT NOT NULL DEFAULT '',
    termination_explanation TEXT NOT NULL DEFAULT '',
    materials_returned_on   TEXT,
    closed_on               TEXT,
    -- The running deadline (accept or complete) and its date, kept current by every step and the sweeper.
    deadline                TEXT NOT NULL DEFAULT '',
    due_on                  TEXT,
    created_via             TEXT NOT NULL CHECK (created_via IN ('online', 'paper')),
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    version                 INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX cases_institution_stage ON cases(institution_id, stage);
CREATE INDEX cases_region ON cases(region_path);
CREATE INDEX cases_organ ON cases(organ_id);
CREATE INDEX cases_case_number ON cases(case_number_key);
CREATE INDEX cases_parent ON cases(parent_id);
CREATE INDEX cases_due ON cases(due_on);

-- Examined persons: the name and ID number sealed (AEAD), a keyed hash for matching, masked forms.
CREATE TABLE case_persons (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    name_sealed TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    name_hash   TEXT NOT NULL,
    id_hash     TEXT,
    id_sealed   TEXT,
    id_masked   TEXT
) STRICT;
CREATE INDEX case_persons_case ON case_persons(case_id);
CREATE INDEX case_persons_id_hash ON case_persons(id_hash);

-- 通则第十二条: name, kind, quantity, condition, storage state and time received; 第二十二条: return.
CREATE TABLE case_materials (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    quantity    TEXT NOT NULL,
    condition   TEXT NOT NULL,
    storage     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    returned_on TEXT
) STRICT;
CREATE INDEX case_materials_case ON case_materials(case_id);

CREATE TABLE case_attachments (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    kind         TEXT NOT NULL CHECK (kind IN ('commission', 'material', 'opinion', 'record', 'correction')),
    name         TEXT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES blobs(sha256),
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX case_attachments_case ON case_attachments(case_id);

CREATE TABLE case_assignments (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    appraiser_id   INTEGER NOT NULL REFERENCES appraisers(id),
    assigned_at    INTEGER NOT NULL,
    removed_at     INTEGER,
    removal_reason TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX case_assignments_case ON case_assignments(case_id);
CREATE INDEX case_assignments_appraiser ON case_assignments(appraiser_id);

-- 通则第二十条: declared relations and other grounds, per case and appraiser.
CREATE TABLE case_conflicts (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    appraiser_id INTEGER NOT NULL REFERENCES appraisers(id),
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX case_conflicts_case ON case_conflicts(case_id);

CREATE TABLE case_stops (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    from_on TEXT NOT NULL,
    to_on   TEXT,
    reason  TEXT NOT NULL
) STRICT;
CREATE INDEX case_stops_case ON case_stops(case_id);

CREATE TABLE case_reviewers (
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    round       INTEGER NOT NULL,
    reviewer_id INTEGER NOT NULL REFERENCES appraisers(id),
    agrees      INTEGER CHECK (agrees IN (0, 1)),
    opinion     TEXT NOT NULL DEFAULT '',
    reviewed_at INTEGER,
    PRIMARY KEY (case_id, round, reviewer_id)
) STRICT;

CREATE TABLE case_signatures (
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    appraiser_id INTEGER NOT NULL REFERENCES appraisers(id),
    dissent      TEXT NOT NULL DEFAULT '',
    signed_at    INTEGER NOT NULL,
    PRIMARY KEY (case_id, appraiser_id)
) STRICT;

-- The coded opinion: our public code, the document's SHA-256, a random verification key.
CREATE TABLE opinions (
    code             TEXT PRIMARY KEY,
    case_id          INTEGER NOT NULL UNIQUE REFERENCES cases(id),
    institution_id   INTEGER NOT NULL REFERENCES institutions(id),
    region           TEXT NOT NULL,
    year             INTEGER NOT NULL,
    category         INTEGER NOT NULL,
    serial           INTEGER NOT NULL,
    document_sha256  TEXT NOT NULL,
    verification_key TEXT NOT NULL,
    issued_on        TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'corrected', 'revoked')),
    version          INTEGER NOT NULL DEFAULT 1,
    revoked_on       TEXT,
    revoked_reason   TEXT NOT NULL DEFAULT '',
    event_id         INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    UNIQUE (region, year, serial)
) STRICT;

-- Gap-free serials per region and year: taken in the issuing transaction.
CREATE TABLE opinion_serials (
    region TEXT NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (region, year)
) STRICT;

CREATE TABLE opinion_corrections (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL REFERENCES opinions(code),
    version         INTEGER NOT NULL,
    what            TEXT NOT NULL,
    signer_id       INTEGER NOT NULL REFERENCES appraisers(id),
    document_sha256 TEXT,
    corrected_on    TEXT NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE court_appearances (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    appraiser_ids TEXT NOT NULL,
    court         TEXT NOT NULL,
    hearing_on    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('notified', 'attended', 'refused')),
    refund_due    INTEGER NOT NULL DEFAULT 0 CHECK (refund_due IN (0, 1)),
    note          TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX court_appearances_case ON court_appearances(case_id);

-- Deadline alerts raised by the sweeper for the institution and the regulators in scope.
CREATE TABLE case_alerts (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    institution_id INTEGER NOT NULL,
    region_path    TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
    deadline       TEXT NOT NULL CHECK (deadline IN ('accept', 'complete')),
    due_on         TEXT NOT NULL,
    raised_at      INTEGER NOT NULL,
    cleared_at     INTEGER,
    UNIQUE (case_id, kind, deadline, due_on)
) STRICT;
CREATE INDEX case_alerts_open ON case_alerts(cleared_at, region_path);

-- Signed notifications to commissioning organs' systems (webhooks), delivered from here.
CREATE TABLE organ_webhooks (
    organ_id   INTEGER PRIMARY KEY REFERENCES organs(id),
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE webhook_outbox (
    id           INTEGER PRIMARY KEY,
    organ_id     INTEGER NOT NULL REFERENCES organs(id),
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    event        TEXT NOT NULL,
    body         TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    delivered_at INTEGER,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_outbox_due ON webhook_outbox(delivered_at, next_at);
