// Package loandb stores the loan engine's loans, payments, payouts and
// ledger in the database.
package loandb

import (
	"context"
	"database/sql"

	"creditpocket/internal/loan"
	"creditpocket/internal/store"
)

// Store implements loan.Store over the database, with the read-only
// queries the console and ledger verify run beside it.
type Store struct{ db *store.DB }

// New returns the loan store over db.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ loan.Store = (*Store)(nil)

// Tx implements loan.Store at READ COMMITTED: each statement sees what was
// committed before it began, so the engine's money paths rely on the row
// locks and version columns they take, not on a snapshot:
//   - a loan is read with LoanForUpdate / LoansForUpdate (FOR UPDATE on
//     PostgreSQL) before it is changed, and UpdateLoan / SaveAccruals write
//     only if the version column is still the one read (errs.Conflict
//     otherwise);
//   - PaymentForUpdate locks the payment's loan, then the payment;
//     OpenCheckouts locks the open checkouts it returns;
//   - LockBorrower locks the borrower's user row, so a borrower's
//     applications are written one after the other, and the unique index on
//     loans.unfinished_user keeps one unfinished loan per borrower;
//   - the ledger reference is unique, and AppendLedger upserts the kept
//     balances (ledger_balances) in account order, locking them;
//   - the unique indexes on payments (reference, idempotency key, one open
//     checkout per loan) refuse a second copy of a money request.
//
// SQLite has one writer, so its write transactions are serial anyway.
func (s *Store) Tx(ctx context.Context, fn func(context.Context, loan.Tx) error) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error { return fn(ctx, tx{t}) })
}

// View implements loan.Store: a read-only transaction, one snapshot.
func (s *Store) View(ctx context.Context, fn func(context.Context, loan.Tx) error) error {
	return s.db.View(ctx, func(ctx context.Context, t *store.Tx) error { return fn(ctx, tx{t}) })
}

// Read implements loan.Store: reads without a transaction.
func (s *Store) Read(ctx context.Context, fn func(context.Context, loan.Tx) error) error {
	return s.db.Read(ctx, func(ctx context.Context, t *store.Tx) error { return fn(ctx, tx{t}) })
}

// tx implements loan.Tx on one database transaction.
type tx struct{ t *store.Tx }

var _ loan.Tx = tx{}

// The dialect and error helpers below are private to this package until
// the shared core offers them.
