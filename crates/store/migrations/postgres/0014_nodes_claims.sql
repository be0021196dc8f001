-- The application nodes serving this database, each seen at its last heartbeat: a node shares
-- per-client limits with the nodes alive now (docs/OPERATIONS.md, "Several nodes").
CREATE TABLE nodes (
    id         TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL
);
CREATE INDEX nodes_seen ON nodes(seen_at);

-- A paper commission entered by institution staff may name a commissioning organ's account; the
-- case becomes that organ's (organ_id) only once the organ confirms it (issue 14, point 6).
ALTER TABLE cases ADD COLUMN claimed_organ_id BIGINT REFERENCES organs(id);
CREATE INDEX cases_claimed_organ ON cases(claimed_organ_id);
