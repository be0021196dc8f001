-- Foundation schema (SQLite). Timestamps are Unix milliseconds (UTC) in both engines.
CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county')),
    parent_code TEXT REFERENCES regions(code),
    path        TEXT NOT NULL UNIQUE,
    valid_from  TEXT,
    valid_to    TEXT
) STRICT;

CREATE TABLE organs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('court', 'procuratorate', 'police', 'other')),
    region_code TEXT NOT NULL REFERENCES regions(code),
    region_path TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX organs_region_path ON organs(region_path);

CREATE TABLE institutions (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    uscc        TEXT UNIQUE,
    licence_no  TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL REFERENCES regions(code),
    region_path TEXT NOT NULL,
    categories  TEXT NOT NULL,
    legal_rep   TEXT NOT NULL DEFAULT '',
    head_name   TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('normal', 'suspended', 'cancelled', 'revoked')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX institutions_region_path ON institutions(region_path);

CREATE TABLE appraisers (
    id             INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions(id),
    name           TEXT NOT NULL,
    gender         TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    certificate_no TEXT NOT NULL UNIQUE,
    categories     TEXT NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    senior_title   INTEGER NOT NULL DEFAULT 0 CHECK (senior_title IN (0, 1)),
    phone          TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'cancelled', 'revoked')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX appraisers_institution ON appraisers(institution_id);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL,
    region_code          TEXT REFERENCES regions(code),
    institution_id       INTEGER REFERENCES institutions(id),
    appraiser_id         INTEGER REFERENCES appraisers(id),
    organ_id             INTEGER REFERENCES organs(id),
    -- where the account sits in the region tree ('/' for nationwide accounts): scopes who may see it
    home_path            TEXT NOT NULL,
    lang                 TEXT NOT NULL DEFAULT 'zh',
    active               INTEGER NOT NULL DEFAULT 1,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         INTEGER,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    password_changed_at  INTEGER NOT NULL,
    last_login_at        INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX users_home_path ON users(home_path);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    token_prefix TEXT NOT NULL,
    role         TEXT NOT NULL,
    org_key      TEXT NOT NULL,
    read_only    INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    username   TEXT NOT NULL,
    user_id    INTEGER,
    home_path  TEXT NOT NULL,
    ip         TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    result     TEXT NOT NULL
) STRICT;
CREATE INDEX login_log_ip_at ON login_log(ip, at);
CREATE INDEX login_log_at ON login_log(at);

CREATE TABLE op_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    user_id   INTEGER,
    username  TEXT NOT NULL,
    role      TEXT NOT NULL,
    home_path TEXT NOT NULL,
    method    TEXT NOT NULL,
    path      TEXT NOT NULL,
    action    TEXT NOT NULL,
    ip        TEXT NOT NULL,
    status    INTEGER NOT NULL,
    result    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX op_log_at ON op_log(at);
CREATE INDEX op_log_home_path ON op_log(home_path);

-- Every change, in the same transaction as the change. Append-only: the triggers below refuse
-- updates and deletes. `payload` holds the exact JSON text written, so hashes over it are stable.
CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    actor_id       INTEGER,
    actor_name     TEXT NOT NULL,
    kind           TEXT NOT NULL,
    entity_type    TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    scope_path     TEXT NOT NULL,
    institution_id INTEGER,
    payload        TEXT NOT NULL
) STRICT;
CREATE INDEX events_entity ON events(entity_type, entity_id);
CREATE INDEX events_scope_path ON events(scope_path);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
