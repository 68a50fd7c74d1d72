package store_test

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// newLoan stores an approved-then-disbursed loan of product 301 for u.
func newLoan(t *testing.T, db *store.DB, userID int64, disburse bool) *loan.Record {
	t.Helper()
	p := loan.DemoProducts()[0]
	l, err := loan.Apply("0", strconv.FormatInt(userID, 10), p, t0)
	if err != nil {
		t.Fatal(err)
	}
	r := &loan.Record{Loan: *l, Card: loan.Card{ID: 1, BankCode: "058", RecipientCode: "RCP_1"}, Photos: []string{"k1", "k2"}}
	for _, ev := range []loan.Event{loan.EventStartRiskReview, loan.EventRiskApprove, loan.EventStartDisbursement} {
		if err := r.Fire(ev, t0); err != nil {
			t.Fatal(err)
		}
	}
	err = db.Loans().Tx(ctx, func(tx loan.Tx) error {
		if err := tx.InsertLoan(ctx, r); err != nil {
			return err
		}
		if !disburse {
			return nil
		}
		txs, err := r.Disburse(t0)
		if err != nil {
			return err
		}
		if err := tx.AppendLedger(ctx, txs, t0); err != nil {
			return err
		}
		return tx.UpdateLoan(ctx, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLoansRoundTripAndKeepOneUnfinishedPerBorrower(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		if err := db.SeedProducts(ctx, loan.DemoProducts()); err != nil {
			t.Fatal(err)
		}
		u := mustUser(t, db, "2347068425023")
		r := newLoan(t, db, u.ID, true)

		var got *loan.Record
		if err := db.Loans().View(ctx, func(tx loan.Tx) error {
			var err error
			got, err = tx.UserLoan(ctx, u.ID, r.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got.Status != loan.StatusRepaying || got.Outstanding != r.Outstanding || got.Pricing.Due != 850000 ||
			got.DueDate != r.DueDate || len(got.Photos) != 2 || got.Product.ID != "301" || got.Version != 1 {
			t.Fatalf("round trip: got %+v", got)
		}

		t.Run("a second unfinished loan is a conflict", func(t *testing.T) {
			l, _ := loan.Apply("0", strconv.FormatInt(u.ID, 10), loan.DemoProducts()[0], t0)
			err := db.Loans().Tx(ctx, func(tx loan.Tx) error { return tx.InsertLoan(ctx, &loan.Record{Loan: *l}) })
			if !errs.Is(err, errs.Conflict) {
				t.Fatalf("second unfinished loan: %v", err)
			}
		})
		t.Run("a stale version is a conflict", func(t *testing.T) {
			stale := *got
			stale.Version = 0
			err := db.Loans().Tx(ctx, func(tx loan.Tx) error { return tx.UpdateLoan(ctx, &stale) })
			if !errs.Is(err, errs.Conflict) {
				t.Fatalf("stale update: %v", err)
			}
		})
		t.Run("another borrower cannot read it", func(t *testing.T) {
			other := mustUser(t, db, "2348012345678")
			err := db.Loans().View(ctx, func(tx loan.Tx) error { _, err := tx.UserLoan(ctx, other.ID, r.ID); return err })
			if !errs.Is(err, errs.NotFound) {
				t.Fatalf("other borrower: %v", err)
			}
		})
		t.Run("history and paging see it", func(t *testing.T) {
			err := db.Loans().View(ctx, func(tx loan.Tx) error {
				h, err := tx.History(ctx, u.ID)
				if err != nil || h.Unfinished != 1 {
					t.Errorf("history = %+v, %v", h, err)
				}
				res, err := tx.UserLoans(ctx, u.ID, page.Request{Num: 1, Size: 10})
				if err != nil || res.Total != 1 || len(res.Items) != 1 {
					t.Errorf("page = %+v, %v", res, err)
				}
				ids, err := tx.OwingDueBefore(ctx, r.DueDate.AddDays(1), 0, 10)
				if err != nil || len(ids) != 1 {
					t.Errorf("owing due = %v, %v", ids, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestLedgerIsAppendOnlyAndReferencesAreUnique(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		u := mustUser(t, db, "2347068425023")
		r := newLoan(t, db, u.ID, true)
		if err := db.Fund(ctx, "capital", "NGN", 10_000_000); err != nil {
			t.Fatal(err)
		}
		if err := db.Fund(ctx, "capital", "NGN", 10_000_000); err != nil {
			t.Fatalf("funding twice with one reference: %v", err)
		}
		// The loan's interest is booked already: the same movement again.
		again, _ := ledger.ForLoan(r.ID, "NGN").Interest(r.Pricing.Interest)
		err := db.Loans().Tx(ctx, func(tx loan.Tx) error { return tx.AppendLedger(ctx, []ledger.Transaction{again}, t0) })
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("booking a reference twice: %v", err)
		}
		for _, q := range []string{
			`UPDATE ledger_postings SET amount = amount + 1`,
			`DELETE FROM ledger_postings`,
			`UPDATE ledger_transactions SET kind = 'fee'`,
			`DELETE FROM ledger_transactions`,
		} {
			err := db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error { _, err := tx.Exec(ctx, q); return err })
			if err == nil {
				t.Errorf("%s was allowed", q)
			}
		}
		all, err := db.LedgerTransactions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		facts, err := db.AllLoanFacts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4 || len(facts) != 1 {
			t.Fatalf("%d transactions, %d loans", len(all), len(facts))
		}
		if vs := ledger.Verify(all, facts); len(vs) != 0 {
			t.Fatalf("violations: %v", vs)
		}
	})
}

func TestLeaseHasOneHolderAtATime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		l := db.Leases()
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := l.Acquire(ctx, "cob", "p"+strconv.Itoa(i), t0, time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d holders, want 1", won)
		}
		if ok, _ := l.Acquire(ctx, "cob", "late", t0.Add(30*time.Second), time.Minute); ok {
			t.Fatal("a live lease was taken")
		}
		if ok, _ := l.Acquire(ctx, "cob", "late", t0.Add(2*time.Minute), time.Minute); !ok {
			t.Fatal("an expired lease was not taken")
		}
		if err := l.Release(ctx, "cob", "late"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := l.Acquire(ctx, "cob", "next", t0.Add(2*time.Minute), time.Minute); !ok {
			t.Fatal("a released lease was not free")
		}
		d, _ := loan.ParseDate("2026-11-22")
		if done, _ := l.COBDone(ctx, d); done {
			t.Fatal("a date no run finished is done")
		}
		if err := l.MarkCOBDone(ctx, loan.COBResult{BusinessDate: d, StartedAt: t0, FinishedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if done, _ := l.COBDone(ctx, d); !done {
			t.Fatal("a finished date is not done")
		}
	})
}
