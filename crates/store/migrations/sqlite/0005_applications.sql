-- Online licensing (网上审批): applications, their attachments, the expert list and reviews.

-- Uploaded files, content-addressed: one row per distinct SHA-256.
CREATE TABLE blobs (
    sha256       TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

-- Experts who review licence applications (专家评审), kept by the regulators of a region.
CREATE TABLE experts (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    -- classification codes of the fields the expert reviews, comma-separated
    speciality   TEXT NOT NULL DEFAULT '',
    region_path  TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX experts_region_path ON experts(region_path);

CREATE TABLE applications (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL,
    stage              TEXT NOT NULL CHECK (stage IN ('submitted', 'returned', 'accepted', 'approved', 'refused', 'withdrawn')),
    -- region of the institution concerned: decides which regulators handle it
    region_code        TEXT NOT NULL REFERENCES regions(code),
    region_path        TEXT NOT NULL,
    institution_id     INTEGER REFERENCES institutions(id),
    appraiser_id       INTEGER REFERENCES appraisers(id),
    applicant_id       INTEGER REFERENCES users(id),
    subject            TEXT NOT NULL,
    -- proposed register fields (JSON), applied on approval
    payload            TEXT NOT NULL,
    -- eligibility declarations (JSON), checked at submission
    eligibility        TEXT NOT NULL DEFAULT '{}',
    submitted_on       TEXT NOT NULL,
    accepted_on        TEXT,
    review_started_on  TEXT,
    review_finished_on TEXT,
    extended           INTEGER NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    return_reasons     TEXT NOT NULL DEFAULT '',
    decision_reasons   TEXT NOT NULL DEFAULT '',
    decided_at         INTEGER,
    decided_by         INTEGER REFERENCES users(id),
    result_id          INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX applications_region_path ON applications(region_path);
CREATE INDEX applications_institution ON applications(institution_id);
CREATE INDEX applications_stage ON applications(stage);

CREATE TABLE application_attachments (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    name           TEXT NOT NULL,
    sha256         TEXT NOT NULL REFERENCES blobs(sha256),
    size           INTEGER NOT NULL,
    content_type   TEXT NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX application_attachments_application ON application_attachments(application_id);

CREATE TABLE application_reviews (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    expert_id      INTEGER NOT NULL REFERENCES experts(id),
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    recommend      INTEGER NOT NULL CHECK (recommend IN (0, 1)),
    comment        TEXT NOT NULL DEFAULT '',
    created_by     INTEGER,
    created_at     INTEGER NOT NULL,
    UNIQUE (application_id, expert_id)
) STRICT;
