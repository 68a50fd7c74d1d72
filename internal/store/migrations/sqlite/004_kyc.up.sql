-- Card-binding KYC of the open API: merchants' bindings, accepted KYC
-- submissions (personal fields sealed, documents sealed in the blob store
-- and referenced by key), the audit trail of document views, and the
-- outbox of merchant webhooks. Times are Unix milliseconds (UTC).

CREATE TABLE kyc_bindings (
    id            INTEGER PRIMARY KEY,
    partner_id    TEXT NOT NULL,                 -- the merchant (partners.id)
    mc_trade_no   TEXT NOT NULL,                 -- the merchant's transaction number
    card_type_id  TEXT NOT NULL,
    user_ref      TEXT NOT NULL,                 -- the merchant's reference for its user
    notify_url    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    UNIQUE (partner_id, mc_trade_no)
);

CREATE TABLE kyc_submissions (
    id            INTEGER PRIMARY KEY,
    binding_id    BIGINT NOT NULL UNIQUE REFERENCES kyc_bindings(id), -- one KYC per binding
    request_hash  TEXT NOT NULL,                 -- keyed hash of the request, for idempotency
    status        TEXT NOT NULL,                 -- submitted, approved, rejected
    review        INTEGER NOT NULL DEFAULT 0,    -- waiting in the manual review queue
    reasons       TEXT NOT NULL DEFAULT '[]',    -- JSON array of strings
    applicant     BLOB NOT NULL,                 -- AES-256-GCM of the request's text fields
    doc_no_hash   TEXT NOT NULL,                 -- keyed hash of doc_type:doc_no
    decided_by    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    decided_at    BIGINT
);
CREATE INDEX kyc_submissions_queue ON kyc_submissions (created_at) WHERE review = 1;
CREATE INDEX kyc_submissions_doc_no ON kyc_submissions (doc_no_hash);

CREATE TABLE kyc_documents (
    submission_id BIGINT NOT NULL REFERENCES kyc_submissions(id),
    field         TEXT NOT NULL,                 -- front_doc, back_doc, mix_doc, sign_img, poa_doc
    kind          TEXT NOT NULL,                 -- jpeg, png, pdf
    blob_key      TEXT NOT NULL,                 -- sealed bytes in the blob store
    size          BIGINT NOT NULL,               -- decoded bytes
    PRIMARY KEY (submission_id, field)
);

CREATE TABLE kyc_document_views (
    id            INTEGER PRIMARY KEY,
    submission_id BIGINT NOT NULL REFERENCES kyc_submissions(id),
    field         TEXT NOT NULL,
    viewer        TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    viewed_at     BIGINT NOT NULL
);
CREATE INDEX kyc_document_views_submission ON kyc_document_views (submission_id);

CREATE TABLE kyc_outbox (
    id            INTEGER PRIMARY KEY,
    event_id      TEXT NOT NULL UNIQUE,
    partner_id    TEXT NOT NULL,
    url           TEXT NOT NULL,
    body          TEXT NOT NULL,                 -- the exact bytes signed and sent
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    delivered_at  BIGINT,
    dead          INTEGER NOT NULL DEFAULT 0,    -- retries given up
    last_error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX kyc_outbox_due ON kyc_outbox (next_attempt) WHERE delivered_at IS NULL AND dead = 0;
