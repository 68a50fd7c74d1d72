-- Payouts that failed: each attempt's story (the loan's timeline), the
-- automatic retries waiting for their time, and the index that finds
-- stuck payouts for the dashboard.

-- One row per thing that happened to a loan's payout: sent, failed (with
-- the provider's failure code and reason), retry scheduled (due_at),
-- waiting for an operator, cancelled. Append-only; written in the same
-- transaction as the loan's new state.
CREATE TABLE payout_events (
    id        INTEGER PRIMARY KEY,
    loan_id   BIGINT NOT NULL REFERENCES loans(id),
    reference TEXT NOT NULL DEFAULT '',             -- the payout attempt, DSB_<loan>_<n>
    event     TEXT NOT NULL,                        -- sent | failed | retry-scheduled | operator-needed | cancelled
    code      TEXT NOT NULL DEFAULT '',             -- the provider's failure code
    detail    TEXT NOT NULL DEFAULT '',             -- reason, or why an operator is needed
    actor     TEXT NOT NULL DEFAULT '',             -- the operator, for their actions
    due_at    BIGINT NOT NULL DEFAULT 0,            -- retry-scheduled: when the retry is due
    at        BIGINT NOT NULL
);
CREATE INDEX payout_events_loan ON payout_events (loan_id, id);

-- A failed payout's automatic retry, while one is scheduled: the retry
-- worker takes due rows; an operator's retry or cancel removes the row.
CREATE TABLE payout_retries (
    loan_id BIGINT PRIMARY KEY REFERENCES loans(id),
    due_at  BIGINT NOT NULL
);
CREATE INDEX payout_retries_due ON payout_retries (due_at);

-- Loans whose payout is under way or failed (status 5, 33): the
-- dashboard's stuck and waiting payouts, few rows whose updated_at is
-- read from the table. Not an index on updated_at: close of business
-- writes it on every owing loan daily, and an indexed updated_at would
-- cost those updates their in-place (HOT) writes; status is in partial
-- index predicates already (loans_owing, loans_review).
CREATE INDEX loans_payout_open ON loans (id) WHERE status IN (5, 33);
