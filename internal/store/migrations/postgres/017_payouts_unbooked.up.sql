-- Payouts the provider reported paid on a loan that could not take them
-- (paid out already by another attempt, or cancelled), counted on the
-- dashboard: a partial index keeps the count off the whole event table.
CREATE INDEX payout_events_unbooked ON payout_events (loan_id) WHERE event = 'paid-unbooked';
