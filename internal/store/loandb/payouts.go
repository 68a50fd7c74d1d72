package loandb

import (
	"context"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/store"
)

// Failed payouts (migration 013_payouts): each payout's events, for the
// loan's timeline, and the automatic retries waiting for their time.

func (t tx) AddPayoutEvent(ctx context.Context, e *loan.PayoutEvent) error {
	id, err := loanID(e.LoanID)
	if err != nil {
		return err
	}
	_, err = t.t.Exec(ctx, insertPayoutEventSQL+`($1, $2, $3, $4, $5, $6, $7, $8)`, payoutEventValues(e, id)...)
	return err
}

const insertPayoutEventSQL = `INSERT INTO payout_events (loan_id, reference, event, code, detail, actor, due_at, at) VALUES `

// payoutEventValues are e's columns in insertPayoutEventSQL order, for
// the loan whose id is loanID.
func payoutEventValues(e *loan.PayoutEvent, loanID int64) []any {
	return []any{loanID, e.Reference, e.Event, e.Code, e.Detail, e.Actor, store.Millis(e.DueAt), store.Millis(e.At)}
}

func (t tx) PayoutEvents(ctx context.Context, loanIDText loan.ID) ([]loan.PayoutEvent, error) {
	id, err := loanID(loanIDText)
	if err != nil {
		return nil, err
	}
	return store.Collect(ctx, t.t, func(r store.Scanner) (loan.PayoutEvent, error) {
		var (
			e       loan.PayoutEvent
			lid     int64
			due, at int64
		)
		err := r.Scan(&lid, &e.Reference, &e.Event, &e.Code, &e.Detail, &e.Actor, &due, &at)
		e.LoanID, e.DueAt, e.At = loan.ID(lid), store.FromMillis(due), store.FromMillis(at)
		return e, err
	}, `SELECT loan_id, reference, event, code, detail, actor, due_at, at FROM payout_events WHERE loan_id = $1 ORDER BY id`, id)
}

func (t tx) SchedulePayoutRetry(ctx context.Context, loanIDText loan.ID, at time.Time) error {
	id, err := loanID(loanIDText)
	if err != nil {
		return err
	}
	_, err = t.t.Exec(ctx, `INSERT INTO payout_retries (loan_id, due_at) VALUES ($1, $2)
		ON CONFLICT (loan_id) DO UPDATE SET due_at = excluded.due_at`, id, store.Millis(at))
	return err
}

func (t tx) TakePayoutRetry(ctx context.Context, loanIDText loan.ID, now time.Time) (bool, error) {
	id, err := loanID(loanIDText)
	if err != nil {
		return false, err
	}
	n, err := store.Affected(t.t.Exec(ctx, `DELETE FROM payout_retries WHERE loan_id = $1 AND due_at <= $2`, id, store.Millis(now)))
	return n == 1, err
}

func (t tx) ClearPayoutRetry(ctx context.Context, loanIDText loan.ID) error {
	id, err := loanID(loanIDText)
	if err != nil {
		return err
	}
	_, err = t.t.Exec(ctx, `DELETE FROM payout_retries WHERE loan_id = $1`, id)
	return err
}

func (t tx) DuePayoutRetries(ctx context.Context, now time.Time, limit int) ([]loan.ID, error) {
	return store.Collect(ctx, t.t, func(r store.Scanner) (loan.ID, error) {
		var id int64
		err := r.Scan(&id)
		return loan.ID(id), err
	}, `SELECT loan_id FROM payout_retries WHERE due_at <= $1 ORDER BY due_at, loan_id LIMIT $2`, store.Millis(now), limit)
}

// PayoutEvents lists a loan's payout events, oldest first, for the console.
func (s *Store) PayoutEvents(ctx context.Context, loanIDText loan.ID) ([]loan.PayoutEvent, error) {
	var out []loan.PayoutEvent
	err := s.db.View(ctx, func(ctx context.Context, t *store.Tx) error {
		var err error
		out, err = tx{t}.PayoutEvents(ctx, loanIDText)
		return err
	})
	return out, err
}
