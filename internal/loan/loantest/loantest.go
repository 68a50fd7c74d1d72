// Package loantest is the conformance suite of loan.Store: the behaviour
// the loan engine relies on from its storage, run against every
// implementation (the database store on each engine, the in-memory one).
package loantest

import (
	"context"
	"errors"
	"math"
	"strconv"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
)

// Borrowers is how many borrowers a store given to Exercise must know:
// user ids 1 to Borrowers, each with no loans yet.
const Borrowers = 3

// T0 is the time the suite's loans are applied for (whole milliseconds,
// as stores keep times).
var T0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// Exercise runs the suite. open returns a new, empty store (no products,
// loans, payments or ledger) in which borrowers 1 to Borrowers exist.
// The suite calls the reads that lock (LockBorrower, …ForUpdate) in Tx
// only, as the engine does: a read-only View may refuse them.
func Exercise(t *testing.T, open func(t *testing.T) loan.Store) {
	for _, c := range []struct {
		name string
		run  func(t *testing.T, s loan.Store)
	}{
		{"products keep their catalogue order and only those on sale are listed for sale", products},
		{"a loan round-trips and a borrower has one unfinished loan at a time", roundTrip},
		{"a finished loan lets its borrower apply again", finishedFreesBorrower},
		{"a stale version is a conflict for close of business too", accruals},
		{"loans are found only by ids of loans", lookups},
		{"owing loans due before a date are listed in id order, page by page", owingDueBefore},
		{"a loan has at most one open checkout", oneOpenCheckout},
		{"payments are found by idempotency key and refuse a key or reference twice", paymentKeys},
		{"stale payments are the pending ones of a kind not touched since", stalePayments},
		{"payout events are kept in order and a retry is taken once when due", payouts},
		{"the ledger books balanced transactions once and refuses an overflowing batch whole", ledgerAppend},
		{"writers of one loan wait for each other's lock and all succeed", lockedWriters},
		{"a transaction whose function fails writes nothing", failedWritesNothing},
		{"a transaction begun inside another is refused", nested},
		{"messages are stored", messages},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

var ctx = context.Background()

// tx runs fn in a transaction and fails the test on an error.
func tx(t *testing.T, s loan.Store, fn func(ctx context.Context, tx loan.Tx) error) {
	t.Helper()
	if err := s.Tx(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// view runs fn in a read-only transaction and fails the test on an error.
func view(t *testing.T, s loan.Store, fn func(ctx context.Context, tx loan.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// application is a loan of the first demo product applied for by user at
// T0, approved and being disbursed, not yet stored.
func application(t *testing.T, user int64) *loan.Record {
	t.Helper()
	l, err := loan.Apply(0, user, loan.DemoProducts()[0], T0)
	if err != nil {
		t.Fatal(err)
	}
	r := &loan.Record{Loan: *l, Card: loan.Card{ID: 1, BankCode: "058", RecipientCode: "RCP_1"}, Photos: []string{"k1", "k2"}}
	for _, ev := range []loan.Event{loan.EventStartRiskReview, loan.EventRiskApprove, loan.EventStartDisbursement} {
		if err := r.Fire(ev, T0); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// disbursed stores user's loan, disbursed at T0 with its ledger.
func disbursed(t *testing.T, s loan.Store, user int64) *loan.Record {
	t.Helper()
	r := application(t, user)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		if err := tx.InsertLoan(ctx, r); err != nil {
			return err
		}
		txs, err := r.Disburse(T0)
		if err != nil {
			return err
		}
		if err := tx.AppendLedger(ctx, txs, T0); err != nil {
			return err
		}
		return tx.UpdateLoan(ctx, r)
	})
	return r
}

func products(t *testing.T, s loan.Store) {
	demo := loan.DemoProducts()
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		for _, p := range demo {
			if err := tx.SaveProduct(ctx, p); err != nil {
				return err
			}
		}
		first := demo[0]
		first.OnSale, first.Name = false, "renamed"
		return tx.SaveProduct(ctx, first)
	})
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		all, err := tx.Products(ctx, false)
		if err != nil {
			return err
		}
		if len(all) != len(demo) || all[0].ID != demo[0].ID || all[0].Name != "renamed" || all[0].OnSale {
			t.Errorf("all products = %+v; want the catalogue in order, the first one changed in place", all)
		}
		onSale, err := tx.Products(ctx, true)
		if err != nil {
			return err
		}
		if len(onSale) != len(demo)-1 || onSale[0].ID != demo[1].ID {
			t.Errorf("products on sale = %+v; want all but the first", onSale)
		}
		if p, err := tx.Product(ctx, demo[1].ID); err != nil || *p != demo[1] {
			t.Errorf("product %s = %+v, %v; want %+v", demo[1].ID, p, err, demo[1])
		}
		if _, err := tx.Product(ctx, "no-such-product"); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown product: %v; want not found", err)
		}
		return nil
	})
}

func roundTrip(t *testing.T, s loan.Store) {
	const u, other = 1, 2
	r := disbursed(t, s, u)
	var got *loan.Record
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		var err error
		got, err = tx.UserLoan(ctx, u, r.ID)
		return err
	})
	if got.Status != loan.StatusRepaying || got.Outstanding != r.Outstanding || got.Pricing.Due != 850000 ||
		got.DueDate != r.DueDate || len(got.Photos) != 2 || got.Product.ID != "301" || got.Version != 1 ||
		got.UserID != 1 || got.Card != r.Card || !got.DisbursedAt.Equal(T0) || got.PaidOut != r.PaidOut {
		t.Fatalf("round trip: got %+v", got)
	}

	t.Run("a second unfinished loan is a conflict", func(t *testing.T) {
		err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.InsertLoan(ctx, application(t, u)) })
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("second unfinished loan: %v", err)
		}
	})
	t.Run("a stale version is a conflict", func(t *testing.T) {
		stale := *got
		stale.Version = 0
		err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.UpdateLoan(ctx, &stale) })
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
	})
	t.Run("another borrower cannot read it", func(t *testing.T) {
		err := s.View(ctx, func(ctx context.Context, tx loan.Tx) error { _, err := tx.UserLoan(ctx, other, r.ID); return err })
		if !errs.Is(err, errs.NotFound) {
			t.Fatalf("other borrower: %v", err)
		}
	})
	t.Run("history and paging see it", func(t *testing.T) {
		view(t, s, func(ctx context.Context, tx loan.Tx) error {
			h, err := tx.History(ctx, u)
			if err != nil || h.Unfinished != 1 {
				t.Errorf("history = %+v, %v", h, err)
			}
			res, err := tx.UserLoans(ctx, u, page.Request{Num: 1, Size: 10})
			if err != nil || res.Total != 1 || len(res.Items) != 1 {
				t.Errorf("page = %+v, %v", res, err)
			}
			ids, err := tx.OwingDueBefore(ctx, r.DueDate.AddDays(1), 0, 10)
			if err != nil || len(ids) != 1 {
				t.Errorf("owing due = %v, %v", ids, err)
			}
			latest, err := tx.LatestLoan(ctx, u, true)
			if err != nil || latest.ID != r.ID {
				t.Errorf("latest unfinished loan = %+v, %v", latest, err)
			}
			if _, err := tx.LatestLoan(ctx, other, false); !errs.Is(err, errs.NotFound) {
				t.Errorf("latest loan of a borrower without loans: %v; want not found", err)
			}
			rec, err := tx.RecentDisbursed(ctx, 5)
			if err != nil || len(rec) != 1 || rec[0].ID != r.ID {
				t.Errorf("recently disbursed = %v, %v", rec, err)
			}
			byStatus, err := tx.LoansByStatus(ctx, loan.StatusRepaying, page.Request{Num: 1, Size: 10})
			if err != nil || byStatus.Total != 1 {
				t.Errorf("loans repaying = %+v, %v", byStatus, err)
			}
			return nil
		})
	})
	t.Run("the borrower can be locked in a transaction", func(t *testing.T) {
		tx(t, s, func(ctx context.Context, tx loan.Tx) error { return tx.LockBorrower(ctx, u) })
	})
}

func finishedFreesBorrower(t *testing.T, s loan.Store) {
	const u = 1
	first := application(t, u)
	second := application(t, u)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		if err := tx.InsertLoan(ctx, first); err != nil {
			return err
		}
		first.Status = loan.StatusCancelled
		if !first.Status.Finished() {
			t.Fatalf("status %v is not finished", first.Status)
		}
		if err := tx.UpdateLoan(ctx, first); err != nil {
			return err
		}
		return tx.InsertLoan(ctx, second)
	})
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		h, err := tx.History(ctx, u)
		if err != nil || h.Unfinished != 1 {
			t.Errorf("history = %+v, %v; want one unfinished loan", h, err)
		}
		latest, err := tx.LatestLoan(ctx, u, false)
		if err != nil || latest.ID != second.ID {
			t.Errorf("latest loan = %+v, %v; want the second", latest, err)
		}
		res, err := tx.UserLoans(ctx, u, page.Request{Num: 1, Size: 1})
		if err != nil || res.Total != 2 || len(res.Items) != 1 || res.Items[0].ID != second.ID {
			t.Errorf("first page of one = %+v, %v; want the newest of two", res, err)
		}
		res, err = tx.UserLoans(ctx, u, page.Request{Num: 3, Size: 1})
		if err != nil || res.Total != 2 || len(res.Items) != 0 {
			t.Errorf("page past the end = %+v, %v", res, err)
		}
		return nil
	})
	t.Run("reopening the finished one is a conflict", func(t *testing.T) {
		err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
			r, err := tx.LoanForUpdate(ctx, first.ID)
			if err != nil {
				return err
			}
			r.Status = loan.StatusRepaying
			return tx.UpdateLoan(ctx, r)
		})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("a second unfinished loan by update: %v", err)
		}
	})
}

func accruals(t *testing.T, s loan.Store) {
	r := disbursed(t, s, 1)
	business := r.DueDate.AddDays(2)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		rs, err := tx.LoansForUpdate(ctx, []loan.ID{r.ID})
		if err != nil || len(rs) != 1 {
			t.Fatalf("loans for update = %v, %v", rs, err)
		}
		rs[0].Status, rs[0].OverDays, rs[0].AccruedThrough = loan.StatusOverdue, 2, business
		rs[0].Outstanding.Penalty, rs[0].PenaltyCharged, rs[0].UpdatedAt = 1234, 1234, T0.Add(time.Hour)
		rs[0].RiskReason = "not an accrual field"
		if err := tx.SaveAccruals(ctx, rs); err != nil {
			return err
		}
		if rs[0].Version != r.Version+1 {
			t.Errorf("version after saving = %d; want %d", rs[0].Version, r.Version+1)
		}
		return nil
	})
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		got, err := tx.Loan(ctx, r.ID)
		if err != nil {
			return err
		}
		if got.Status != loan.StatusOverdue || got.OverDays != 2 || got.AccruedThrough != business ||
			got.Outstanding.Penalty != 1234 || got.PenaltyCharged != 1234 || !got.UpdatedAt.Equal(T0.Add(time.Hour)) ||
			got.Version != r.Version+1 || got.RiskReason != r.RiskReason || got.Outstanding.Principal != r.Outstanding.Principal {
			t.Errorf("after close of business: %+v", got)
		}
		ids, err := tx.OwingDueBefore(ctx, business, 0, 10)
		if err != nil || len(ids) != 0 {
			t.Errorf("owing due before the date accrued through = %v, %v; want none", ids, err)
		}
		return nil
	})
	err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.SaveAccruals(ctx, []*loan.Record{r}) })
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("saving accruals over a stale version: %v; want a conflict", err)
	}
}

func lookups(t *testing.T, s loan.Store) {
	a, b := disbursed(t, s, 1), disbursed(t, s, 2)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		for _, id := range []loan.ID{0, -1, 999999, math.MinInt64} {
			if _, err := tx.Loan(ctx, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("loan %d: %v; want not found", id, err)
			}
		}
		rs, err := tx.LoansForUpdate(ctx, []loan.ID{b.ID, -1, 999999, a.ID})
		if err != nil || len(rs) != 2 || rs[0].ID != a.ID || rs[1].ID != b.ID {
			t.Errorf("loans for update = %v, %v; want %s and %s in id order", rs, err, a.ID, b.ID)
		}
		if rs, err := tx.LoansForUpdate(ctx, nil); err != nil || len(rs) != 0 {
			t.Errorf("no loans for update = %v, %v", rs, err)
		}
		got, err := tx.LoanForUpdate(ctx, b.ID)
		if err != nil || got.UserID != 2 {
			t.Errorf("loan for update = %+v, %v", got, err)
		}
		if _, err := tx.LoanForUpdate(ctx, 999999); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown loan for update: %v; want not found", err)
		}
		return nil
	})
}

func owingDueBefore(t *testing.T, s loan.Store) {
	var ids []loan.ID
	for u := int64(1); u <= Borrowers; u++ {
		ids = append(ids, disbursed(t, s, u).ID)
	}
	var due loan.Date
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		r, err := tx.Loan(ctx, ids[0])
		due = r.DueDate
		return err
	})
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		if got, err := tx.OwingDueBefore(ctx, due, 0, 10); err != nil || len(got) != 0 {
			t.Errorf("owing due before the due date = %v, %v; want none", got, err)
		}
		first, err := tx.OwingDueBefore(ctx, due.AddDays(1), 0, 2)
		if err != nil || len(first) != 2 || first[0] != ids[0] || first[1] != ids[1] {
			t.Errorf("first page = %v, %v; want %v", first, err, ids[:2])
		}
		last := first[len(first)-1]
		rest, err := tx.OwingDueBefore(ctx, due.AddDays(1), last, 2)
		if err != nil || len(rest) != 1 || rest[0] != ids[2] {
			t.Errorf("second page = %v, %v; want %v", rest, err, ids[2:])
		}
		return nil
	})
}

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

func funding(t *testing.T, ref string, amount ledger.Money) ledger.Transaction {
	t.Helper()
	lt, err := ledger.Funding(ref, "NGN", amount)
	if err != nil {
		t.Fatal(err)
	}
	return lt
}

func appendLedger(s loan.Store, txs ...ledger.Transaction) error {
	return s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.AppendLedger(ctx, txs, T0) })
}

func ledgerAppend(t *testing.T, s loan.Store) {
	if err := appendLedger(s, funding(t, "cap", ledger.Money(math.MaxInt64-10))); err != nil {
		t.Fatal(err)
	}
	if err := appendLedger(s, funding(t, "cap", 1)); !errs.Is(err, errs.Conflict) {
		t.Fatalf("booking a reference twice: %v; want a conflict", err)
	}
	if err := appendLedger(s, funding(t, "twin", 1), funding(t, "twin", 1)); !errs.Is(err, errs.Conflict) {
		t.Fatalf("one reference twice in a batch: %v; want a conflict", err)
	}
	unbalanced := funding(t, "unbalanced", 5)
	unbalanced.Postings[0].Amount++
	if err := appendLedger(s, unbalanced); err == nil {
		t.Fatal("an unbalanced transaction was booked")
	}
	err := appendLedger(s, funding(t, "fine", 5), funding(t, "over", 6))
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("overflowing batch: %v; want a conflict", err)
	}
	// Nothing of the refused batch was kept: its first transaction books
	// now, and after it what is left to the limit, exactly.
	for _, ref := range []string{"fine", "unbalanced", "twin"} {
		if err := appendLedger(s, funding(t, ref, 1)); err != nil {
			t.Fatalf("booking %s after its refusal: %v", ref, err)
		}
	}
	if err := appendLedger(s, funding(t, "last", 7)); err != nil {
		t.Fatalf("funding up to the limit: %v", err)
	}
	if err := appendLedger(s, funding(t, "more", 1)); !errs.Is(err, errs.Conflict) {
		t.Fatalf("funding past the limit: %v; want a conflict", err)
	}
	if err := appendLedger(s); err != nil {
		t.Fatalf("an empty batch: %v", err)
	}
}

// lockedWriters changes one loan from many transactions at once, each
// reading it for update first: the lock makes each read the one before's
// write, so no version conflict and no lost update.
func lockedWriters(t *testing.T, s loan.Store) {
	r := disbursed(t, s, 1)
	p := checkoutOf(r, "PAY_w", loan.PayRepayment, loan.PayPending)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error { return tx.InsertPayment(ctx, p) })
	const writers = 8
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
				var l *loan.Record
				if i%2 == 0 {
					if _, err := tx.PaymentForUpdate(ctx, p.Reference); err != nil { // locks the loan first
						return err
					}
				}
				l, err := tx.LoanForUpdate(ctx, r.ID)
				if err != nil {
					return err
				}
				l.Received++
				return tx.UpdateLoan(ctx, l)
			})
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Errorf("a locked writer failed: %v", err)
		}
	}
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		got, err := tx.Loan(ctx, r.ID)
		if err == nil && (got.Received != r.Received+writers || got.Version != r.Version+writers) {
			t.Errorf("after %d writers: received %d (was %d), version %d (was %d)", writers, got.Received, r.Received, got.Version, r.Version)
		}
		return err
	})
}

func failedWritesNothing(t *testing.T, s loan.Store) {
	boom := errors.New("boom")
	r := application(t, 1)
	err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		if err := tx.InsertLoan(ctx, r); err != nil {
			return err
		}
		if err := tx.AppendLedger(ctx, []ledger.Transaction{funding(t, "kept?", 100)}, T0); err != nil {
			return err
		}
		if err := tx.SaveProduct(ctx, loan.DemoProducts()[0]); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx = %v; want the function's error", err)
	}
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		if h, err := tx.History(ctx, 1); err != nil || h != (loan.History{}) {
			t.Errorf("history after a failed transaction = %+v, %v; want none", h, err)
		}
		if ps, err := tx.Products(ctx, false); err != nil || len(ps) != 0 {
			t.Errorf("products after a failed transaction = %v, %v; want none", ps, err)
		}
		return nil
	})
	if err := appendLedger(s, funding(t, "kept?", 100)); err != nil {
		t.Fatalf("the failed transaction's ledger reference is taken: %v", err)
	}
	// The borrower may apply: the failed insert left no unfinished loan.
	tx(t, s, func(ctx context.Context, tx loan.Tx) error { return tx.InsertLoan(ctx, application(t, 1)) })
}

func nested(t *testing.T, s loan.Store) {
	for name, begin := range map[string]func(context.Context, func(context.Context, loan.Tx) error) error{
		"Tx": s.Tx, "View": s.View, "Read": s.Read,
	} {
		inner := false
		err := s.Tx(ctx, func(ctx context.Context, _ loan.Tx) error {
			return begin(ctx, func(context.Context, loan.Tx) error { inner = true; return nil })
		})
		if err == nil || inner {
			t.Errorf("%s inside Tx: ran %v, err %v; want it refused", name, inner, err)
		}
	}
}

func messages(t *testing.T, s loan.Store) {
	m := &inbox.Message{UserID: 1, Kind: inbox.KindLoan, Title: "Loan approved", Content: "…", CreatedAt: T0}
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		if err := tx.AddMessage(ctx, m); err != nil {
			return err
		}
		return tx.AddMessages(ctx, []inbox.Message{
			{UserID: 1, Kind: inbox.KindLoan, Title: "a", CreatedAt: T0},
			{UserID: 2, Kind: inbox.KindLoan, Title: "b", CreatedAt: T0},
		})
	})
	if m.ID <= 0 {
		t.Fatalf("message id = %d; want it set", m.ID)
	}
}
