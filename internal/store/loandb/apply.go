package loandb

import (
	"context"
	"database/sql"
	"strings"

	"github.com/jackc/pgx/v5"

	"creditpocket/internal/inbox"
	"creditpocket/internal/loan"
	"creditpocket/internal/store"
)

// InsertApplication implements loan.Store. On PostgreSQL an application
// whose loan is unfinished (approved, under review) is written in one
// round trip and no BEGIN or COMMIT: under the id ReadApplication drew
// from the loans sequence (drawn here when r has none), one statement,
// committed by itself, locks the
// borrower's user row (as LockBorrower) and inserts the loan, its payout
// payment and event and the borrower's message (applicationSQL). The
// unique index on loans.unfinished_user refuses a second unfinished loan
// (errs.Conflict), waiting for a concurrent insert to commit or roll back
// first. A finished one (refused) is written as on SQLite, statement by
// statement in a transaction (loan.WriteApplication): it takes the lock
// first and then looks for an unfinished loan, which a statement of its
// own sees as committed once the lock is held, and a single statement,
// reading one snapshot taken before the lock was granted, would not.
func (s *Store) InsertApplication(ctx context.Context, r *loan.Record, rows func(*loan.Record) loan.ApplicationRows) error {
	if s.db.Engine != store.Postgres || r.Status.Finished() {
		return s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return loan.WriteApplication(ctx, tx, r, rows) })
	}
	rec := *r
	if rec.ID == 0 { // not drawn ahead by ReadApplication
		var id int64
		if err := s.db.Pgx(ctx, func(c *pgx.Conn) error {
			return c.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('loans', 'id'))`).Scan(&id)
		}); err != nil {
			return err
		}
		rec.ID = loan.ID(id)
	}
	rec.Version = 0
	q, args, err := applicationSQL(&rec, rows(&rec))
	if err != nil {
		return err
	}
	if _, err := s.db.Exec(ctx, q, args...); err != nil {
		return err
	}
	*r = rec
	return nil
}

// applicationSQL is the one statement that writes an unfinished
// application on PostgreSQL: its data-modifying parts all run, against one
// snapshot, and commit together; the final SELECT takes the borrower's
// lock, held until that commit.
func applicationSQL(r *loan.Record, w loan.ApplicationRows) (string, []any, error) {
	vals, err := loanValues(r)
	if err != nil {
		return "", nil, err
	}
	id, err := loanID(r.ID)
	if err != nil {
		return "", nil, err
	}
	var args []any
	params := func(vs ...any) string {
		from := len(args) + 1
		args = append(args, vs...)
		return store.Placeholders(from, len(vs))
	}
	var b strings.Builder
	b.WriteString(`WITH b AS (SELECT id FROM users WHERE id = ` + params(r.UserID) + ` FOR UPDATE)`)
	b.WriteString(`, l AS (INSERT INTO loans (` + strings.Join(loanColumns, ", ") + `) VALUES (` +
		params(append(append([]any{id}, vals...), int64(0))...) + `))`)
	if p := w.Payout; p != nil {
		b.WriteString(`, p AS (INSERT INTO payments (` + paymentColumns + `) VALUES (` + params(paymentValues(p, id)...) + `))`)
		b.WriteString(`, e AS (` + insertPayoutEventSQL + `(` + params(payoutEventValues(w.PayoutEvent, id)...) + `))`)
	}
	b.WriteString(`, m AS (` + insertMessageSQL + `(` + params(messageValues(&w.Message)...) + `))`)
	b.WriteString(` SELECT id FROM b`)
	return b.String(), args, nil
}

const insertMessageSQL = `INSERT INTO messages (user_id, kind, title, content, created_at) VALUES `

func messageValues(m *inbox.Message) []any {
	return []any{m.UserID, m.Kind, m.Title, m.Content, store.Millis(m.CreatedAt)}
}

// paymentValues are p's columns in paymentColumns order, for the loan
// whose id is loanID.
func paymentValues(p *loan.Payment, loanID int64) []any {
	key := sql.NullString{String: p.IdempotencyKey, Valid: p.IdempotencyKey != ""}
	return []any{p.Reference, loanID, p.UserID, p.Kind, p.Amount, p.Paid, p.Status, p.CheckoutURL, key, p.RequestHash, p.Failure,
		p.ClosedReason, p.CycleDue.String(), store.Millis(p.CreatedAt), store.Millis(p.UpdatedAt)}
}
