// Package loantest is the conformance suite of loan.Store: the behaviour
// the loan engine relies on from its storage, run against every
// implementation (the database store on each engine, the in-memory one).
package loantest

import (
	"context"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
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
		{"an application reads its product and the borrower's history at once", readApplication},
		{"an application is stored with what it writes beside its loan, and refused while the borrower holds an unfinished loan", applications},
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
