-- Partners holding open-API credentials. Only a SHA-256 of the secret is
-- kept; used counts billable calls against quota (0 = unlimited).
CREATE TABLE partners (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    scopes          TEXT NOT NULL,                -- comma-separated: ocr,risk,kyc
    quota           BIGINT NOT NULL DEFAULT 0,
    used            BIGINT NOT NULL DEFAULT 0,
    rate_per_second INTEGER NOT NULL DEFAULT 0,
    expires_at      BIGINT,
    revoked_at      BIGINT,
    created_at      BIGINT NOT NULL
);
