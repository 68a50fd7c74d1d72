-- Every ledger account's signed balance (debit positive), kept in the
-- same transaction as the postings that change it (store.Tx.AppendLedger),
-- so a posting whose balance would leave the 64-bit range is refused
-- before anything is written, without summing the account's history on
-- every booking. Filled here from the postings booked so far: a ledger
-- whose balances already overflowed cannot be migrated (the sum is out of
-- range) and must be repaired first; `creditpocket ledger verify` names
-- the accounts.
CREATE TABLE ledger_balances (
    account TEXT PRIMARY KEY,
    balance BIGINT NOT NULL
) WITH (fillfactor = 70); -- room on each page for in-place (HOT) updates: close of business changes every owing loan's penalty balance daily
INSERT INTO ledger_balances (account, balance)
    SELECT account, CAST(SUM(amount) AS BIGINT) FROM ledger_postings GROUP BY account;
