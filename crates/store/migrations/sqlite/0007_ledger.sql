-- The tamper-evident log of every event (全过程留痕). Events commit their leaf entry to the
-- queue in their own transaction; the integrator alone moves entries into leaves, stores the
-- tree's hashes and signs checkpoints.
CREATE TABLE ledger_queue (
    event_id INTEGER PRIMARY KEY,
    salt     BLOB NOT NULL,
    entry    BLOB NOT NULL
) STRICT;

CREATE TABLE ledger_leaves (
    idx           INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL UNIQUE,
    salt          BLOB NOT NULL,
    entry         BLOB NOT NULL,
    leaf_hash     BLOB NOT NULL,
    integrated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX ledger_leaves_hash ON ledger_leaves(leaf_hash);

-- Hashes of complete subtrees, by stored-hash index (about two per leaf).
CREATE TABLE ledger_hashes (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
) STRICT;

CREATE TABLE ledger_checkpoints (
    size          INTEGER PRIMARY KEY,
    root          BLOB NOT NULL,
    signed_note   TEXT NOT NULL,
    signed_at     INTEGER NOT NULL,
    -- The note with witness cosignatures; NULL until collected.
    cosigned_note TEXT,
    published_at  INTEGER
) STRICT;
CREATE INDEX ledger_checkpoints_published ON ledger_checkpoints(published_at);

-- The latest size each configured witness has cosigned (the "old" of the next request).
CREATE TABLE ledger_witnesses (
    name       TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TRIGGER ledger_leaves_no_update BEFORE UPDATE ON ledger_leaves
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER ledger_leaves_no_delete BEFORE DELETE ON ledger_leaves
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER ledger_hashes_no_update BEFORE UPDATE ON ledger_hashes
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER ledger_hashes_no_delete BEFORE DELETE ON ledger_hashes
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
