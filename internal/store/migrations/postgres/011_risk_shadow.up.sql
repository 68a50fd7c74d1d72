-- The policy version every server runs in shadow beside the live one
-- ('' when none), so a candidate is shadowed on all servers of a
-- deployment and keeps running across restarts. One row.
CREATE TABLE risk_shadow (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL DEFAULT '',             -- risk_policies.version, or ''
    set_by  TEXT NOT NULL DEFAULT '',
    set_at  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO risk_shadow (id) VALUES (1);
