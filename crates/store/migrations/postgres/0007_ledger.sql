-- The tamper-evident log of every event (全过程留痕). Events commit their leaf entry to the
-- queue in their own transaction; the integrator alone moves entries into leaves, stores the
-- tree's hashes and signs checkpoints.
CREATE TABLE ledger_queue (
    event_id BIGINT PRIMARY KEY,
    salt     BYTEA NOT NULL,
    entry    BYTEA NOT NULL
);

CREATE TABLE ledger_leaves (
    idx           BIGINT PRIMARY KEY,
    event_id      BIGINT NOT NULL UNIQUE,
    salt          BYTEA NOT NULL,
    entry         BYTEA NOT NULL,
    leaf_hash     BYTEA NOT NULL,
    integrated_at BIGINT NOT NULL
);

CREATE INDEX ledger_leaves_hash ON ledger_leaves(leaf_hash);

-- Hashes of complete subtrees, by stored-hash index (about two per leaf).
CREATE TABLE ledger_hashes (
    idx  BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL
);

CREATE TABLE ledger_checkpoints (
    size          BIGINT PRIMARY KEY,
    root          BYTEA NOT NULL,
    signed_note   TEXT NOT NULL,
    signed_at     BIGINT NOT NULL,
    -- The note with witness cosignatures; NULL until collected.
    cosigned_note TEXT,
    published_at  BIGINT
);
CREATE INDEX ledger_checkpoints_published ON ledger_checkpoints(published_at);

-- The latest size each configured witness has cosigned (the "old" of the next request).
CREATE TABLE ledger_witnesses (
    name       TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the log is append-only'; END; $$;
CREATE TRIGGER ledger_leaves_no_change BEFORE UPDATE OR DELETE ON ledger_leaves
FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_hashes_no_change BEFORE UPDATE OR DELETE ON ledger_hashes
FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_leaves
FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
