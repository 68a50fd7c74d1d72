// Package accountdb stores the borrower side — users, sessions, one-time
// codes, daily counters, profiles, contacts, work, bank cards, credit-report
// summaries and the message centre — and the reference dictionaries and SMS
// outbox they use, in the database.
package accountdb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/identity"
	"creditpocket/internal/inbox"
	"creditpocket/internal/store"
)

// Store implements account.Store over the database.
type Store struct{ db *store.DB }

// New returns the account store over db.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ account.Store = (*Store)(nil)

// Tx implements account.Store: READ COMMITTED. What must hold under
// concurrency is each one statement, not a read followed by a write: daily
// counters are one upsert … RETURNING, and ClaimCounter's conditional
// DO UPDATE takes the row lock, so claims never pass max; OTP and
// card-verify attempts are one UPDATE … WHERE attempts < max; a code is
// consumed by one UPDATE … WHERE consumed_at IS NULL; unique indexes keep
// one user per phone, one card per account and one default card per
// borrower (a duplicate is errs.Conflict). No row is locked: a read that
// decides a later write (StartCardVerification's "a concurrent call won")
// can, on PostgreSQL, be raced by another transaction.
func (s *Store) Tx(ctx context.Context, fn func(context.Context, account.Tx) error) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error { return fn(ctx, tx{t}) })
}

// View reads without a snapshot transaction (see store.DB.Read): account
// reads are per-borrower and tolerate seeing a commit between two statements.
func (s *Store) View(ctx context.Context, fn func(context.Context, account.Tx) error) error {
	return s.db.Read(ctx, func(ctx context.Context, t *store.Tx) error { return fn(ctx, tx{t}) })
}

// tx implements account.Tx on one transaction.
type tx struct{ t *store.Tx }

var _ account.Tx = tx{}

// BorrowerMessages lists the message-centre messages sent to a borrower
// at or after since, oldest first, at most limit (for the console).
func (s *Store) BorrowerMessages(ctx context.Context, userID int64, since time.Time, limit int) ([]inbox.Message, error) {
	return store.ViewAll(ctx, s.db, func(r store.Scanner) (inbox.Message, error) {
		var m inbox.Message
		var created int64
		var read *int64
		err := r.Scan(&m.ID, &m.UserID, &m.Kind, &m.Title, &m.Content, &read, &created)
		m.Read, m.CreatedAt = read != nil, store.FromMillis(created)
		return m, err
	}, `SELECT id, user_id, kind, title, content, read_at, created_at FROM messages
		WHERE user_id = $1 AND created_at >= $2 ORDER BY id LIMIT $3`, userID, store.Millis(since), limit)
}

// BorrowerByMobile finds a borrower by national number (with or without
// the trunk 0) or E.164 digits; errs.NotFound when nobody matches.
func (s *Store) BorrowerByMobile(ctx context.Context, mobile string) (int64, error) {
	m := identity.KeepDigits(mobile)
	var id int64
	err := s.db.Read(ctx, func(ctx context.Context, t *store.Tx) error {
		err := t.QueryRow(ctx, `SELECT id FROM users WHERE mobile = $1 OR phone = $2 ORDER BY id LIMIT 1`, strings.TrimLeft(m, "0"), m).Scan(&id)
		return store.NotFound(err, "borrower with mobile "+strconv.Quote(mobile))
	})
	return id, err
}
