package loantest

import (
	"context"
	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
	"strconv"
	"testing"
	"time"
)

func checkoutOf(r *loan.Record, ref, kind, status string) *loan.Payment {
	return &loan.Payment{Reference: ref, LoanID: r.ID, UserID: r.UserID, Kind: kind, Amount: 1000, Status: status,
		IdempotencyKey: "key-" + ref, CreatedAt: T0, UpdatedAt: T0}
}

func oneOpenCheckout(t *testing.T, s loan.Store) {
	r := disbursed(t, s, 1)
	insert := func(p *loan.Payment) error {
		return s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.InsertPayment(ctx, p) })
	}
	first := checkoutOf(r, "PAY_1", loan.PayRepayment, loan.PayPending)
	first.CycleDue = r.DueDate
	if err := insert(first); err != nil {
		t.Fatal(err)
	}
	t.Run("a second open checkout of the loan is refused", func(t *testing.T) {
		for _, kind := range []string{loan.PayRepayment, loan.PayExtension} {
			if err := insert(checkoutOf(r, "PAY_2"+kind, kind, loan.PayPending)); !errs.Is(err, errs.Conflict) {
				t.Errorf("second open %s checkout: %v; want a conflict", kind, err)
			}
		}
	})
	t.Run("closed and paid checkouts and payouts are not counted", func(t *testing.T) {
		for i, st := range []string{loan.PaySuccess, loan.PayFailed, loan.PaySuperseded, loan.PayClosed, loan.PayCredited} {
			if err := insert(checkoutOf(r, "PAY_c"+strconv.Itoa(i), loan.PayRepayment, st)); err != nil {
				t.Errorf("%s checkout beside an open one: %v", st, err)
			}
		}
		dsb := checkoutOf(r, "DSB_x", loan.PayDisbursement, loan.PayPending)
		dsb.IdempotencyKey = ""
		if err := insert(dsb); err != nil {
			t.Errorf("pending payout beside an open checkout: %v", err)
		}
	})
	t.Run("superseding the open one lets a new one open", func(t *testing.T) {
		tx(t, s, func(ctx context.Context, tx loan.Tx) error {
			open, err := tx.OpenCheckouts(ctx, r.ID)
			if err != nil || len(open) != 1 || open[0].Reference != "PAY_1" || open[0].CycleDue != r.DueDate {
				t.Fatalf("open checkouts = %+v, %v", open, err)
			}
			open[0].Status, open[0].ClosedReason, open[0].UpdatedAt = loan.PaySuperseded, "superseded by PAY_3", T0.Add(time.Minute)
			if err := tx.UpdatePayment(ctx, &open[0]); err != nil {
				return err
			}
			return tx.InsertPayment(ctx, checkoutOf(r, "PAY_3", loan.PayExtension, loan.PayPending))
		})
		var got *loan.Payment
		tx(t, s, func(ctx context.Context, tx loan.Tx) error {
			var err error
			got, err = tx.PaymentForUpdate(ctx, "PAY_1")
			return err
		})
		if got.Status != loan.PaySuperseded || got.ClosedReason != "superseded by PAY_3" || !got.UpdatedAt.Equal(T0.Add(time.Minute)) {
			t.Fatalf("superseded checkout reads back as %+v", got)
		}
	})
	t.Run("reopening a closed checkout beside the open one is refused", func(t *testing.T) {
		err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
			p, err := tx.PaymentForUpdate(ctx, "PAY_1")
			if err != nil {
				return err
			}
			p.Status = loan.PayPending
			return tx.UpdatePayment(ctx, p)
		})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("a second open checkout by update: %v; want a conflict", err)
		}
	})
	t.Run("the loan's payments are listed oldest first", func(t *testing.T) {
		view(t, s, func(ctx context.Context, tx loan.Tx) error {
			ps, err := tx.LoanPayments(ctx, r.ID)
			if err != nil || len(ps) != 8 {
				t.Fatalf("loan payments = %v, %v; want 8", ps, err)
			}
			for i := 1; i < len(ps); i++ {
				if ps[i].CreatedAt.Before(ps[i-1].CreatedAt) ||
					ps[i].CreatedAt.Equal(ps[i-1].CreatedAt) && ps[i].Reference < ps[i-1].Reference {
					t.Errorf("payment %d (%s) listed after %s", i, ps[i].Reference, ps[i-1].Reference)
				}
			}
			return nil
		})
	})
}

func paymentKeys(t *testing.T, s loan.Store) {
	a, b := disbursed(t, s, 1), disbursed(t, s, 2)
	p := checkoutOf(a, "PAY_k", loan.PayRepayment, loan.PayPending)
	p.IdempotencyKey, p.RequestHash, p.Paid, p.CheckoutURL = "same-key", "h1", 0, "https://pay.example/PAY_k"
	tx(t, s, func(ctx context.Context, tx loan.Tx) error { return tx.InsertPayment(ctx, p) })
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		got, err := tx.PaymentByKey(ctx, a.UserID, "same-key")
		if err != nil || *got != *p {
			t.Errorf("payment by key = %+v, %v; want %+v", got, err, p)
		}
		if _, err := tx.PaymentByKey(ctx, b.UserID, "same-key"); !errs.Is(err, errs.NotFound) {
			t.Errorf("another borrower's key: %v; want not found", err)
		}
		if _, err := tx.PaymentForUpdate(ctx, "PAY_none"); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown reference: %v; want not found", err)
		}
		return nil
	})
	for _, c := range []struct {
		name string
		p    *loan.Payment
	}{
		{"the same key of the same borrower", func() *loan.Payment {
			q := checkoutOf(a, "PAY_k2", loan.PayRepayment, loan.PaySuccess)
			q.IdempotencyKey = "same-key"
			return q
		}()},
		{"the same reference", checkoutOf(b, "PAY_k", loan.PayRepayment, loan.PayPending)},
	} {
		err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.InsertPayment(ctx, c.p) })
		if !errs.Is(err, errs.Conflict) {
			t.Errorf("%s: %v; want a conflict", c.name, err)
		}
	}
	q := checkoutOf(b, "PAY_b", loan.PayRepayment, loan.PayPending)
	q.IdempotencyKey = "same-key"
	if err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.InsertPayment(ctx, q) }); err != nil {
		t.Errorf("another borrower's use of the key: %v", err)
	}
}

func stalePayments(t *testing.T, s loan.Store) {
	r := disbursed(t, s, 1)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		for i, p := range []*loan.Payment{
			checkoutOf(r, "DSB_old", loan.PayDisbursement, loan.PayPending),
			checkoutOf(r, "DSB_older", loan.PayDisbursement, loan.PayPending),
			checkoutOf(r, "DSB_new", loan.PayDisbursement, loan.PayPending),
			checkoutOf(r, "DSB_done", loan.PayDisbursement, loan.PaySuccess),
			checkoutOf(r, "PAY_old", loan.PayRepayment, loan.PayPending),
		} {
			p.IdempotencyKey = ""
			p.UpdatedAt = T0.Add([]time.Duration{-time.Hour, -2 * time.Hour, time.Hour, -time.Hour, -time.Hour}[i])
			if err := tx.InsertPayment(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		ps, err := tx.StalePayments(ctx, loan.PayDisbursement, T0, 10)
		if err != nil || len(ps) != 2 || ps[0].Reference != "DSB_older" || ps[1].Reference != "DSB_old" {
			t.Errorf("stale payouts = %+v, %v; want DSB_older, DSB_old", ps, err)
		}
		ps, err = tx.StalePayments(ctx, loan.PayDisbursement, T0, 1)
		if err != nil || len(ps) != 1 || ps[0].Reference != "DSB_older" {
			t.Errorf("the stalest payout = %+v, %v", ps, err)
		}
		return nil
	})
}

func payouts(t *testing.T, s loan.Store) {
	a, b := disbursed(t, s, 1), disbursed(t, s, 2)
	events := []loan.PayoutEvent{
		{LoanID: a.ID, Reference: "DSB_1", Event: loan.PayoutSent, At: T0},
		{LoanID: a.ID, Reference: "DSB_1", Event: loan.PayoutFailed, Code: "bank_down", Detail: "the bank is down",
			DueAt: T0.Add(time.Hour), At: T0.Add(time.Minute)},
		{LoanID: b.ID, Reference: "DSB_2", Event: loan.PayoutSent, At: T0},
	}
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		for i := range events {
			if err := tx.AddPayoutEvent(ctx, &events[i]); err != nil {
				return err
			}
		}
		if err := tx.SchedulePayoutRetry(ctx, a.ID, T0.Add(2*time.Hour)); err != nil {
			return err
		}
		if err := tx.SchedulePayoutRetry(ctx, a.ID, T0.Add(time.Hour)); err != nil { // moved
			return err
		}
		return tx.SchedulePayoutRetry(ctx, b.ID, T0.Add(30*time.Minute))
	})
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		got, err := tx.PayoutEvents(ctx, a.ID)
		if err != nil || len(got) != 2 || got[0] != events[0] || got[1] != events[1] {
			t.Errorf("payout events = %+v, %v; want %+v", got, err, events[:2])
		}
		due, err := tx.DuePayoutRetries(ctx, T0.Add(time.Hour), 10)
		if err != nil || len(due) != 2 || due[0] != b.ID || due[1] != a.ID {
			t.Errorf("due retries = %v, %v; want %s then %s", due, err, b.ID, a.ID)
		}
		if due, _ := tx.DuePayoutRetries(ctx, T0, 10); len(due) != 0 {
			t.Errorf("retries due before any = %v", due)
		}
		return nil
	})
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		if took, err := tx.TakePayoutRetry(ctx, a.ID, T0.Add(59*time.Minute)); took || err != nil {
			t.Errorf("a retry taken before it is due: %v, %v", took, err)
		}
		if took, err := tx.TakePayoutRetry(ctx, a.ID, T0.Add(time.Hour)); !took || err != nil {
			t.Errorf("a due retry not taken: %v, %v", took, err)
		}
		if took, err := tx.TakePayoutRetry(ctx, a.ID, T0.Add(time.Hour)); took || err != nil {
			t.Errorf("a retry taken twice: %v, %v", took, err)
		}
		return tx.ClearPayoutRetry(ctx, b.ID)
	})
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		if due, err := tx.DuePayoutRetries(ctx, T0.Add(24*time.Hour), 10); err != nil || len(due) != 0 {
			t.Errorf("retries left = %v, %v; want none", due, err)
		}
		return nil
	})
}
