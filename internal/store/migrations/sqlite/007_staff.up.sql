-- The operator console: staff accounts (separate from borrowers), their
-- sessions, review-queue claims, and the append-only, hash-chained audit
-- log of every staff action. Times are Unix milliseconds (UTC).

CREATE TABLE staff (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,          -- lower-case
    role           TEXT NOT NULL,                 -- admin | risk | reviewer | collections | viewer
    password_hash  TEXT NOT NULL,                 -- argon2id PHC string
    totp_sealed    BLOB NOT NULL,                 -- AES-256-GCM of the TOTP secret
    last_totp_step BIGINT NOT NULL DEFAULT 0,     -- 30-second step of the last code accepted
    failures       INTEGER NOT NULL DEFAULT 0,    -- sign-in attempts in the lockout window
    failures_since BIGINT NOT NULL DEFAULT 0,     -- start of the lockout window
    created_at     BIGINT NOT NULL,
    created_by     TEXT NOT NULL DEFAULT '',
    disabled_at    BIGINT
);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,                  -- SHA-256 of the cookie's token
    staff_id   BIGINT NOT NULL REFERENCES staff(id),
    csrf       TEXT NOT NULL,                     -- the per-session form token
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

-- One holder per review item: the primary key is what stops two staff
-- taking the same item.
CREATE TABLE review_claims (
    queue      TEXT NOT NULL,                     -- loan | kyc
    item       TEXT NOT NULL,
    holder     TEXT NOT NULL,                     -- staff e-mail
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (queue, item)
);

-- The audit log: rows are inserted, never updated or deleted (triggers
-- below). hash = SHA-256(prev_hash, "\n", the row's content as a JSON
-- array); staff.Verifier recomputes the chain.
CREATE TABLE staff_audit (
    seq        INTEGER PRIMARY KEY,               -- 1, 2, 3 … without gaps
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
);

-- The chain's head, one row: appending updates it first, which serialises
-- concurrent appends on both engines. It is a cache of the last row, not
-- evidence: verification reads staff_audit alone.
CREATE TABLE staff_audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO staff_audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TRIGGER staff_audit_no_update BEFORE UPDATE ON staff_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE on staff_audit refused'); END;
CREATE TRIGGER staff_audit_no_delete BEFORE DELETE ON staff_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE on staff_audit refused'); END;
