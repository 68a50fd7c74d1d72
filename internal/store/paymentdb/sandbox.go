// Package paymentdb stores the payment side in the database: the sandbox
// provider's event queue and cancelled checkouts, and the provider's
// transfer recipients.
package paymentdb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"creditpocket/internal/payment"
	"creditpocket/internal/store"
)

// Events implements payment.EventQueue: the sandbox provider's webhook
// events waiting to be delivered.
type Events struct{ db *store.DB }

// NewEvents returns the sandbox event queue over db.
func NewEvents(db *store.DB) *Events { return &Events{db: db} }

var _ payment.EventQueue = (*Events)(nil)

func (q *Events) Enqueue(ctx context.Context, e payment.QueuedEvent, now time.Time) error {
	_, err := q.db.Exec(ctx, `INSERT INTO sandbox_events (id, reference, event, body, deliver_after, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (reference, event) DO NOTHING`,
		e.ID, e.Reference, e.Event, string(e.Body), store.Millis(e.DeliverAfter), store.Millis(now))
	return err
}

func (q *Events) Due(ctx context.Context, now time.Time, limit int) ([]payment.QueuedEvent, error) {
	return store.ViewAll(ctx, q.db, func(r store.Scanner) (e payment.QueuedEvent, err error) {
		var body string
		var after int64
		err = r.Scan(&e.ID, &e.Reference, &e.Event, &body, &after, &e.Attempts)
		e.Body, e.DeliverAfter = []byte(body), store.FromMillis(after)
		return e, err
	}, `SELECT id, reference, event, body, deliver_after, attempts FROM sandbox_events
		WHERE delivered_at IS NULL AND deliver_after <= $1 ORDER BY deliver_after, id LIMIT $2`, store.Millis(now), limit)
}

func (q *Events) Delivered(ctx context.Context, id string, now time.Time) error {
	return q.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		_, err := t.Exec(ctx, `UPDATE sandbox_events SET delivered_at = $2, attempts = attempts + 1 WHERE id = $1`, id, store.Millis(now))
		return err
	})
}

func (q *Events) Retry(ctx context.Context, id string, at time.Time) error {
	return q.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		_, err := t.Exec(ctx, `UPDATE sandbox_events SET deliver_after = $2, attempts = attempts + 1 WHERE id = $1`, id, store.Millis(at))
		return err
	})
}

// Withdraw marks the event delivered without delivering it; a withdrawn
// event that was never queued is stored as delivered, so Enqueue ignores
// it from now on.
func (q *Events) Withdraw(ctx context.Context, reference, event string, now time.Time) error {
	_, err := q.db.Exec(ctx, `INSERT INTO sandbox_events (id, reference, event, body, deliver_after, delivered_at, created_at)
		VALUES ($1, $2, $3, '', $4, $4, $4)
		ON CONFLICT (reference, event) DO UPDATE SET delivered_at = COALESCE(sandbox_events.delivered_at, excluded.delivered_at)`,
		"withdrawn_"+reference+"_"+event, reference, event, store.Millis(now))
	return err
}

// Cancellations implements payment.Cancellations: the sandbox checkouts
// closed before they were paid, and why.
type Cancellations struct{ db *store.DB }

// NewCancellations returns the sandbox's cancelled checkouts over db.
func NewCancellations(db *store.DB) *Cancellations { return &Cancellations{db: db} }

var _ payment.Cancellations = (*Cancellations)(nil)

func (c *Cancellations) CancelCheckout(ctx context.Context, ref, reason string, now time.Time) error {
	_, err := c.db.Exec(ctx, `INSERT INTO sandbox_cancelled_checkouts (reference, reason, cancelled_at)
		VALUES ($1, $2, $3) ON CONFLICT (reference) DO NOTHING`, ref, reason, store.Millis(now))
	return err
}

func (c *Cancellations) CheckoutCancelled(ctx context.Context, ref string) (string, bool, error) {
	var reason string
	err := c.db.View(ctx, func(ctx context.Context, t *store.Tx) error {
		return t.QueryRow(ctx, `SELECT reason FROM sandbox_cancelled_checkouts WHERE reference = $1`, ref).Scan(&reason)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return reason, err == nil, err
}
