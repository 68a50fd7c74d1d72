-- The operator dashboard's figures (store.DB.BookStats): each is an
-- aggregate over a period of days, and each gets an index that covers it
-- (SQLite has no INCLUDE, so the covered columns follow the key), so the
-- dashboard reads index pages only. The indexed columns are written when
-- a loan is applied for, decided or disbursed and never by close of
-- business or repayments.

-- Applications per day and the decision mix of the period's applications.
CREATE INDEX loans_applied ON loans (applied_at, audit_risk_status, audit_user_at, audit_risk_reason);
-- Approvals and rejections per day (the latest decision).
CREATE INDEX loans_decided ON loans (decided_at, audit_risk_status) WHERE decided_at > 0;
-- Principal paid out per day.
CREATE INDEX loans_disbursed_principal ON loans (disbursed_at, balance) WHERE disbursed_at > 0;
-- Cash collected per day: payments leave pending once, so a successful
-- repayment's updated_at is when it was booked.
CREATE INDEX payments_collected ON payments (updated_at, paid)
    WHERE status = 'success' AND kind IN ('repayment', 'extension');
