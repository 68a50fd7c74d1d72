-- Credit reports borrowers attach. The parsed report (with the person's
-- name and ID number) is sealed in the blob store; this row keeps only a
-- keyed hash of the ID number and the summary counts risk rules read.
CREATE TABLE credit_reports (
    id                     INTEGER PRIMARY KEY,
    user_id                BIGINT NOT NULL REFERENCES users(id),
    serial_no              TEXT NOT NULL,
    report_time            TEXT NOT NULL,
    id_number_hash         TEXT NOT NULL,
    accounts               INTEGER NOT NULL,
    overdue_accounts       INTEGER NOT NULL,
    longest_overdue_months INTEGER NOT NULL,
    bad_debts              INTEGER NOT NULL,
    queries_last_month     INTEGER NOT NULL,
    blob_key               TEXT NOT NULL,
    created_at             BIGINT NOT NULL
);
CREATE INDEX credit_reports_user ON credit_reports (user_id, id);
