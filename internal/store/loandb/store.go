// Package loandb stores the loan engine's loans, payments, payouts and
// ledger in the database.
package loandb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"creditpocket/internal/errs"
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

// forUpdate locks the rows a read returns on PostgreSQL (and CockroachDB);
// SQLite has one writer, so its write transactions are serial already.
func (t tx) forUpdate() string {
	if t.t.Engine() == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// exists reports whether q returns a row.
func (t tx) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := t.t.QueryRow(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// notFound turns a missing row into errs.NotFound naming what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "%s not found", what)
	}
	return err
}

// translate maps a constraint violation of a single-row statement (whose
// error comes from Scan, past the core's translation of Exec and Query) to
// errs.Conflict, as the core does.
func translate(err error) error {
	var pg *pgconn.PgError
	var lite *sqlite.Error
	switch {
	case errors.As(err, &pg) && pg.Code == "23505",
		errors.As(err, &lite) && (lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY):
		return &errs.Error{Code: errs.Conflict, Message: "already exists"}
	case errors.As(err, &pg) && pg.Code == "23503",
		errors.As(err, &lite) && lite.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &errs.Error{Code: errs.Conflict, Message: "refers to something that does not exist"}
	}
	return err
}

func placeholders(from, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(ps, ", ")
}

// maxBatchParams keeps a multi-row statement under both engines' limits on
// bound parameters (SQLite 32766, PostgreSQL 65535).
const maxBatchParams = 8000

// insertRows runs prefix followed by as many value tuples per statement as
// the parameter limit allows.
func (t tx) insertRows(ctx context.Context, prefix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, maxBatchParams/len(rows[0]))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		q, args := valuesList(prefix, chunk)
		if _, err := t.t.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// valuesList appends "($1, $2…), (…)" for rows to prefix.
func valuesList(prefix string, rows [][]any) (string, []any) {
	var b strings.Builder
	b.WriteString(prefix)
	args := make([]any, 0, len(rows)*len(rows[0]))
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, v)
			b.WriteString("$" + strconv.Itoa(len(args)))
		}
		b.WriteByte(')')
	}
	return b.String(), args
}
