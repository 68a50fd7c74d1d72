-- The loan engine: products, loans, the append-only double-entry ledger,
-- payments and their idempotency keys, the sandbox provider's outgoing
-- webhooks, risk lists, manual review, and the close-of-business lease.
-- Times are Unix milliseconds (UTC); dates are YYYY-MM-DD text.

CREATE TABLE loan_products (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    currency      TEXT NOT NULL,
    principal     BIGINT NOT NULL,               -- minor units ("balance")
    cycle         INTEGER NOT NULL,              -- days
    interest_rate BIGINT NOT NULL,               -- ppm per day
    service_fee   BIGINT NOT NULL,
    fee_mode      TEXT NOT NULL,                 -- suffix | prefix
    penalty_rate  BIGINT NOT NULL,               -- ppm of principal per overdue day
    penalty_cap   BIGINT NOT NULL,               -- ppm of principal over the loan's life
    extension_fee BIGINT NOT NULL,
    min_settled   INTEGER NOT NULL,              -- the seed's loanCount ladder
    on_sale       BOOLEAN NOT NULL,
    position      INTEGER NOT NULL
);

CREATE TABLE loans (
    id                INTEGER PRIMARY KEY,
    user_id           BIGINT NOT NULL REFERENCES users(id),
    -- The borrower's id while the loan is unfinished, NULL after: a unique
    -- column rather than a partial index so every engine enforces "one
    -- unfinished loan per borrower" the same way.
    unfinished_user   BIGINT UNIQUE,
    product_id        TEXT NOT NULL,
    product_json      TEXT NOT NULL,             -- the product as it was at application
    currency          TEXT NOT NULL,
    cycle             INTEGER NOT NULL,
    balance           BIGINT NOT NULL,
    actual_quote      BIGINT NOT NULL,           -- what disbursement will pay out
    service_fee       BIGINT NOT NULL,
    interest          BIGINT NOT NULL,
    prefix_fee        BIGINT NOT NULL,
    suffix_fee        BIGINT NOT NULL,
    shouldback_fee    BIGINT NOT NULL,
    penalty_cap       BIGINT NOT NULL,
    status            INTEGER NOT NULL,
    audit_risk_status INTEGER NOT NULL,
    audit_risk_reason TEXT NOT NULL DEFAULT '',
    audit_risk_detail TEXT NOT NULL DEFAULT '',
    risk_score        INTEGER NOT NULL DEFAULT 0,
    audit_user_id     TEXT NOT NULL DEFAULT '',
    audit_user_reason TEXT NOT NULL DEFAULT '',
    audit_user_at     BIGINT NOT NULL DEFAULT 0,
    out_principal     BIGINT NOT NULL DEFAULT 0,
    out_interest      BIGINT NOT NULL DEFAULT 0,
    out_fee           BIGINT NOT NULL DEFAULT 0,
    out_penalty       BIGINT NOT NULL DEFAULT 0,
    paid_out          BIGINT NOT NULL DEFAULT 0,
    received          BIGINT NOT NULL DEFAULT 0,
    penalty_charged   BIGINT NOT NULL DEFAULT 0,
    credit            BIGINT NOT NULL DEFAULT 0,
    written_off       BIGINT NOT NULL DEFAULT 0,
    extensions        INTEGER NOT NULL DEFAULT 0,
    over_days         INTEGER NOT NULL DEFAULT 0,
    accrued_through   TEXT NOT NULL DEFAULT '',
    due_date          TEXT NOT NULL DEFAULT '',
    apply_terminal    INTEGER NOT NULL DEFAULT 0,
    loan_count        INTEGER NOT NULL DEFAULT 0, -- settled loans when applied
    photos            TEXT NOT NULL DEFAULT '',   -- comma-separated blob keys
    card_id           BIGINT NOT NULL DEFAULT 0,
    bank_code         TEXT NOT NULL DEFAULT '',
    bank_name         TEXT NOT NULL DEFAULT '',
    account_mask      TEXT NOT NULL DEFAULT '',
    account_name      TEXT NOT NULL DEFAULT '',
    pan_mask          TEXT NOT NULL DEFAULT '',
    recipient_code    TEXT NOT NULL DEFAULT '',
    disbursements     INTEGER NOT NULL DEFAULT 0, -- payout attempts
    version           BIGINT NOT NULL DEFAULT 0,  -- bumped on every update
    applied_at        BIGINT NOT NULL,
    decided_at        BIGINT NOT NULL DEFAULT 0,
    disbursed_at      BIGINT NOT NULL DEFAULT 0,
    initial_due_at    BIGINT NOT NULL DEFAULT 0,
    due_at            BIGINT NOT NULL DEFAULT 0,
    last_paid_at      BIGINT NOT NULL DEFAULT 0,
    closed_at         BIGINT NOT NULL DEFAULT 0,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX loans_user ON loans (user_id, id);
CREATE INDEX loans_review ON loans (id) WHERE status = 3; -- the manual-review queue
CREATE INDEX loans_disbursed ON loans (disbursed_at); -- the home screen ticker
-- Close of business walks the owing loans (repaying 6, overdue 7,
-- extended 9) in id order; the partial index keeps that walk to them.
CREATE INDEX loans_owing ON loans (id) WHERE status IN (6, 7, 9);

-- The ledger is append-only: rows are inserted, never updated or deleted
-- (enforced by triggers; CockroachDB needs v24.3+ for PL/pgSQL triggers,
-- older versions can drop them and rely on grants). reference is each money movement's idempotency key.
CREATE TABLE ledger_transactions (
    id         INTEGER PRIMARY KEY, -- insertion order
    reference  TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    loan_id    TEXT NOT NULL DEFAULT '',
    currency   TEXT NOT NULL,
    metadata   TEXT NOT NULL DEFAULT '',          -- JSON object
    created_at BIGINT NOT NULL
);
CREATE INDEX ledger_transactions_loan ON ledger_transactions (loan_id);

CREATE TABLE ledger_postings (
    reference TEXT NOT NULL REFERENCES ledger_transactions(reference),
    position  INTEGER NOT NULL,
    account   TEXT NOT NULL,
    amount    BIGINT NOT NULL,                    -- debit positive, credit negative
    PRIMARY KEY (reference, position)
);

-- Money asked of or sent through the payment provider. A repayment's
-- (user_id, idempotency_key) is unique: the same key answers with the
-- same row; request_hash tells a replay from a different request.
CREATE TABLE payments (
    reference       TEXT PRIMARY KEY,
    loan_id         BIGINT NOT NULL REFERENCES loans(id),
    user_id         BIGINT NOT NULL,
    kind            TEXT NOT NULL,                -- disbursement | repayment | extension
    amount          BIGINT NOT NULL,              -- asked for
    paid            BIGINT NOT NULL DEFAULT 0,    -- settled by the provider
    status          TEXT NOT NULL,                -- pending | success | failed
    checkout_url    TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    request_hash    TEXT NOT NULL DEFAULT '',
    failure         TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX payments_loan ON payments (loan_id, created_at);
CREATE INDEX payments_pending ON payments (status, kind, updated_at);

-- The sandbox provider's outgoing webhooks, delivered (signed) by a worker.
CREATE TABLE sandbox_events (
    id            TEXT PRIMARY KEY,               -- event id, e.g. evt_…
    reference     TEXT NOT NULL,
    event         TEXT NOT NULL,                  -- transfer.success, charge.success …
    body          TEXT NOT NULL,
    deliver_after BIGINT NOT NULL,
    delivered_at  BIGINT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    UNIQUE (reference, event)
);
CREATE INDEX sandbox_events_due ON sandbox_events (delivered_at, deliver_after);

-- Risk lists, shared with the risk engine.
CREATE TABLE risk_list_entries (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,                     -- phone | id_number | card | device | ip | email
    value_hash TEXT NOT NULL,                     -- vault keyed hash of "risk:"+kind and the normalised value
    value_mask TEXT NOT NULL,
    list       TEXT NOT NULL,                     -- black | white | grey
    reason     TEXT NOT NULL,
    expires_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX risk_list_entries_value ON risk_list_entries (kind, value_hash);

-- Leases let one process at a time run a job (close of business) without
-- advisory locks, which distributed PostgreSQL-compatible databases lack.
CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- One row per business date that close of business finished.
CREATE TABLE cob_runs (
    business_date TEXT PRIMARY KEY,
    loans         BIGINT NOT NULL,
    penalties     BIGINT NOT NULL,
    started_at    BIGINT NOT NULL,
    finished_at   BIGINT NOT NULL
);

CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: UPDATE on ledger_transactions refused'); END;
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: DELETE on ledger_transactions refused'); END;
CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: UPDATE on ledger_postings refused'); END;
CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: DELETE on ledger_postings refused'); END;
