package loandb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
	"creditpocket/internal/store"
)

const paymentColumns = `reference, loan_id, user_id, kind, amount, paid, status, checkout_url, idempotency_key,
	request_hash, failure, closed_reason, cycle_due, created_at, updated_at`

func scanPayment(sc store.Scanner) (p loan.Payment, err error) {
	var loanID, created, updated int64
	var key sql.NullString
	var cycle string
	err = sc.Scan(&p.Reference, &loanID, &p.UserID, &p.Kind, &p.Amount, &p.Paid, &p.Status, &p.CheckoutURL, &key,
		&p.RequestHash, &p.Failure, &p.ClosedReason, &cycle, &created, &updated)
	if err != nil {
		return p, err
	}
	p.LoanID, p.IdempotencyKey = loan.ID(loanID), key.String
	p.CreatedAt, p.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	if p.CycleDue, err = optionalDate(cycle); err != nil {
		return p, fmt.Errorf("payment %s: cycle_due: %w", p.Reference, err)
	}
	return p, nil
}

// openCheckoutWhere selects a loan's open checkouts. It spells the
// predicate of the partial unique index payments_open_checkout, which
// holds "one open checkout per loan" on both engines.
const openCheckoutWhere = `status = 'pending' AND kind IN ('repayment', 'extension')`

func (t tx) InsertPayment(ctx context.Context, p *loan.Payment) error {
	id, err := loanID(p.LoanID)
	if err != nil {
		return err
	}
	_, err = t.t.Exec(ctx, `INSERT INTO payments (`+paymentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		paymentValues(p, id)...)
	return err
}

// PaymentForUpdate locks the payment's loan before the payment on
// PostgreSQL, the order Repay takes them in (loan, then its open
// checkouts), so a webhook and a new checkout of one loan never deadlock.
func (t tx) PaymentForUpdate(ctx context.Context, ref string) (*loan.Payment, error) {
	if t.t.Engine() == store.Postgres {
		if _, err := t.t.Exec(ctx, `SELECT l.id FROM loans l JOIN payments p ON p.loan_id = l.id
			WHERE p.reference = $1 FOR UPDATE OF l`, ref); err != nil {
			return nil, err
		}
	}
	p, err := scanPayment(t.t.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE reference = $1`+t.t.ForUpdate(), ref))
	if err != nil {
		return nil, store.NotFound(err, "payment "+strconv.Quote(ref))
	}
	return &p, nil
}

func (t tx) OpenCheckouts(ctx context.Context, id loan.ID) ([]loan.Payment, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	return store.Collect(ctx, t.t, scanPayment, `SELECT `+paymentColumns+` FROM payments
		WHERE loan_id = $1 AND `+openCheckoutWhere+` ORDER BY created_at, reference`+t.t.ForUpdate(), n)
}

func (t tx) LoanPayments(ctx context.Context, id loan.ID) ([]loan.Payment, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	return store.Collect(ctx, t.t, scanPayment, `SELECT `+paymentColumns+` FROM payments WHERE loan_id = $1 ORDER BY created_at, reference`, n)
}

func (t tx) PaymentByKey(ctx context.Context, userID int64, key string) (*loan.Payment, error) {
	p, err := scanPayment(t.t.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE user_id = $1 AND idempotency_key = $2`, userID, key))
	if err != nil {
		return nil, store.NotFound(err, "payment")
	}
	return &p, nil
}

func (t tx) UpdatePayment(ctx context.Context, p *loan.Payment) error {
	_, err := t.t.Exec(ctx, `UPDATE payments SET paid = $2, status = $3, checkout_url = $4, failure = $5, closed_reason = $6,
		updated_at = $7 WHERE reference = $1`, p.Reference, p.Paid, p.Status, p.CheckoutURL, p.Failure, p.ClosedReason,
		store.Millis(p.UpdatedAt))
	return err
}

func (t tx) StalePayments(ctx context.Context, kind string, before time.Time, limit int) ([]loan.Payment, error) {
	return store.Collect(ctx, t.t, scanPayment, `SELECT `+paymentColumns+` FROM payments
		WHERE status = $1 AND kind = $2 AND updated_at < $3 ORDER BY updated_at LIMIT $4`,
		loan.PayPending, kind, store.Millis(before), limit)
}

// PaymentExists reports whether a payment reference is known, for the
// sandbox provider's checkout pages.
func (s *Store) PaymentExists(ctx context.Context, ref string) (kind string, amount int64, err error) {
	err = s.db.View(ctx, func(ctx context.Context, t *store.Tx) error {
		err := t.QueryRow(ctx, `SELECT kind, amount FROM payments WHERE reference = $1`, ref).Scan(&kind, &amount)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no payment %.64q", ref)
		}
		return err
	})
	return kind, amount, err
}
