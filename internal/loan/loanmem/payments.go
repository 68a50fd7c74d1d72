package loanmem

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
)

// openCheckout is the predicate of the database's one-open-checkout-per-
// loan index.
func openCheckout(p loan.Payment) bool {
	return p.Status == loan.PayPending && (p.Kind == loan.PayRepayment || p.Kind == loan.PayExtension)
}

func keepPayment(p loan.Payment) loan.Payment {
	p.CreatedAt, p.UpdatedAt = stored(p.CreatedAt), stored(p.UpdatedAt)
	return p
}

// conflicts reports whether p would break a unique index beside the
// stored payments other than its own reference.
func (t *tx) conflicts(p loan.Payment) bool {
	for ref, q := range t.d.payments {
		if ref == p.Reference {
			continue
		}
		if p.IdempotencyKey != "" && q.UserID == p.UserID && q.IdempotencyKey == p.IdempotencyKey {
			return true
		}
		if openCheckout(p) && openCheckout(q) && q.LoanID == p.LoanID {
			return true
		}
	}
	return false
}

func (t *tx) InsertPayment(_ context.Context, p *loan.Payment) error {
	n, err := parseID(p.LoanID)
	if err != nil {
		return err
	}
	if _, ok := t.d.loans[n]; !ok {
		return errs.E(errs.Conflict, "refers to something that does not exist")
	}
	if _, dup := t.d.payments[p.Reference]; dup || t.conflicts(*p) {
		return errs.E(errs.Conflict, "already exists")
	}
	k := keepPayment(*p)
	k.LoanID = loan.ID(n)
	t.d.payments[p.Reference] = k
	return nil
}

func (t *tx) PaymentForUpdate(_ context.Context, ref string) (*loan.Payment, error) {
	p, ok := t.d.payments[ref]
	if !ok {
		return nil, errs.E(errs.NotFound, "payment %s not found", strconv.Quote(ref))
	}
	return &p, nil
}

func (t *tx) PaymentByKey(_ context.Context, userID int64, key string) (*loan.Payment, error) {
	for _, p := range t.d.payments {
		if key != "" && p.UserID == userID && p.IdempotencyKey == key {
			return &p, nil
		}
	}
	return nil, errs.E(errs.NotFound, "payment not found")
}

// UpdatePayment writes the outcome fields, as the database store does; a
// second open checkout of the loan is errs.Conflict.
func (t *tx) UpdatePayment(_ context.Context, p *loan.Payment) error {
	k, ok := t.d.payments[p.Reference]
	if !ok {
		return nil
	}
	k.Paid, k.Status, k.CheckoutURL, k.Failure, k.ClosedReason = p.Paid, p.Status, p.CheckoutURL, p.Failure, p.ClosedReason
	k.UpdatedAt = stored(p.UpdatedAt)
	if t.conflicts(k) {
		return errs.E(errs.Conflict, "already exists")
	}
	t.d.payments[p.Reference] = k
	return nil
}

// payments lists the stored payments that match, oldest first.
func (t *tx) payments(match func(loan.Payment) bool) []loan.Payment {
	var ps []loan.Payment
	for _, p := range t.d.payments {
		if match(p) {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b loan.Payment) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Reference, b.Reference)
	})
	return ps
}

func (t *tx) OpenCheckouts(_ context.Context, loanID loan.ID) ([]loan.Payment, error) {
	n, err := parseID(loanID)
	if err != nil {
		return nil, err
	}
	id := loan.ID(n)
	return t.payments(func(p loan.Payment) bool { return p.LoanID == id && openCheckout(p) }), nil
}

func (t *tx) LoanPayments(_ context.Context, loanID loan.ID) ([]loan.Payment, error) {
	n, err := parseID(loanID)
	if err != nil {
		return nil, err
	}
	id := loan.ID(n)
	return t.payments(func(p loan.Payment) bool { return p.LoanID == id }), nil
}

func (t *tx) StalePayments(_ context.Context, kind string, before time.Time, limit int) ([]loan.Payment, error) {
	ps := t.payments(func(p loan.Payment) bool {
		return p.Status == loan.PayPending && p.Kind == kind && p.UpdatedAt.UnixMilli() < before.UnixMilli()
	})
	slices.SortStableFunc(ps, func(a, b loan.Payment) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	return ps[:min(limit, len(ps))], nil
}

func (t *tx) AddPayoutEvent(_ context.Context, e *loan.PayoutEvent) error {
	n, err := parseID(e.LoanID)
	if err != nil {
		return err
	}
	if _, ok := t.d.loans[n]; !ok {
		return errs.E(errs.Conflict, "refers to something that does not exist")
	}
	k := *e
	k.LoanID, k.DueAt, k.At = loan.ID(n), stored(k.DueAt), stored(k.At)
	t.d.payoutEvents = append(t.d.payoutEvents, k)
	return nil
}

func (t *tx) PayoutEvents(_ context.Context, loanID loan.ID) ([]loan.PayoutEvent, error) {
	n, err := parseID(loanID)
	if err != nil {
		return nil, err
	}
	id := loan.ID(n)
	var out []loan.PayoutEvent
	for _, e := range t.d.payoutEvents {
		if e.LoanID == id {
			out = append(out, e)
		}
	}
	return out, nil
}

func (t *tx) SchedulePayoutRetry(_ context.Context, loanID loan.ID, at time.Time) error {
	n, err := parseID(loanID)
	if err != nil {
		return err
	}
	if _, ok := t.d.loans[n]; !ok {
		return errs.E(errs.Conflict, "refers to something that does not exist")
	}
	t.d.retries[n] = stored(at)
	return nil
}

func (t *tx) TakePayoutRetry(_ context.Context, loanID loan.ID, now time.Time) (bool, error) {
	n, err := parseID(loanID)
	if err != nil {
		return false, err
	}
	at, ok := t.d.retries[n]
	if !ok || at.UnixMilli() > now.UnixMilli() {
		return false, nil
	}
	delete(t.d.retries, n)
	return true, nil
}

func (t *tx) ClearPayoutRetry(_ context.Context, loanID loan.ID) error {
	n, err := parseID(loanID)
	if err != nil {
		return err
	}
	delete(t.d.retries, n)
	return nil
}

func (t *tx) DuePayoutRetries(_ context.Context, now time.Time, limit int) ([]loan.ID, error) {
	var ids []int64
	for id, at := range t.d.retries {
		if at.UnixMilli() <= now.UnixMilli() {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b int64) int {
		if c := t.d.retries[a].Compare(t.d.retries[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	var out []loan.ID
	for _, id := range ids[:min(limit, len(ids))] {
		out = append(out, loan.ID(id))
	}
	return out, nil
}
