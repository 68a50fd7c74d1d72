-- Checkouts: a loan has at most one open checkout (a pending repayment or
-- extension). A newer one supersedes it; they close when the loan stops
-- owing; money that still arrives on a closed one is kept as credit.
--   closed_reason  why a checkout closed before it was paid
--   cycle_due      for an extension, the due date of the cycle it extends
--                  ('' = unknown: checkouts opened before this migration)
-- Statuses: pending | success | failed | superseded | closed | credited.
ALTER TABLE payments ADD COLUMN closed_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN cycle_due TEXT NOT NULL DEFAULT '';

-- Checkouts left open on loans that no longer owe (repaying 6, overdue 7,
-- extended 9) close, and of several open on one loan only the newest stays.
UPDATE payments SET status = 'closed', closed_reason = 'the loan no longer owed (closed on upgrade)'
WHERE status = 'pending' AND kind IN ('repayment', 'extension')
  AND loan_id IN (SELECT id FROM loans WHERE status NOT IN (6, 7, 9));
UPDATE payments SET status = 'superseded', closed_reason = 'superseded by a newer checkout (closed on upgrade)'
WHERE status = 'pending' AND kind IN ('repayment', 'extension')
  AND EXISTS (SELECT 1 FROM payments n
              WHERE n.loan_id = payments.loan_id AND n.status = 'pending' AND n.kind IN ('repayment', 'extension')
                AND (n.created_at > payments.created_at
                     OR (n.created_at = payments.created_at AND n.reference > payments.reference)));

-- The database holds the rule whatever the code does: a second open
-- checkout of a loan is refused. The predicate is spelled with literals,
-- as the store's queries spell it, so the planner uses the index.
CREATE UNIQUE INDEX payments_open_checkout ON payments (loan_id)
WHERE status = 'pending' AND kind IN ('repayment', 'extension');

-- Checkouts the sandbox provider was told to cancel: completing one is
-- refused, as a real provider refuses a cancelled payment page.
CREATE TABLE sandbox_cancelled_checkouts (
    reference    TEXT PRIMARY KEY,
    reason       TEXT NOT NULL,
    cancelled_at BIGINT NOT NULL
);
