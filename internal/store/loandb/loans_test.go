package loandb_test

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
	"creditpocket/internal/loan/cob"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

// newLoan stores an approved-then-disbursed loan of product 301 for u.
func newLoan(t *testing.T, db *store.DB, userID int64, disburse bool) *loan.Record {
	t.Helper()
	p := loan.DemoProducts()[0]
	l, err := loan.Apply(0, userID, p, t0)
	if err != nil {
		t.Fatal(err)
	}
	r := &loan.Record{Loan: *l, Card: loan.Card{ID: 1, BankCode: "058", RecipientCode: "RCP_1"}, Photos: []string{"k1", "k2"}}
	for _, ev := range []loan.Event{loan.EventStartRiskReview, loan.EventRiskApprove, loan.EventStartDisbursement} {
		if err := r.Fire(ev, t0); err != nil {
			t.Fatal(err)
		}
	}
	err = loandb.New(db).Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
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

func TestLedgerIsAppendOnlyAndReferencesAreUnique(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		u := mustUser(t, db, "2347068425023")
		r := newLoan(t, db, u.ID, true)
		if err := loandb.New(db).Fund(ctx, "capital", "NGN", 10_000_000); err != nil {
			t.Fatal(err)
		}
		if err := loandb.New(db).Fund(ctx, "capital", "NGN", 10_000_000); err != nil {
			t.Fatalf("funding twice with one reference: %v", err)
		}
		// The loan's interest is booked already: the same movement again.
		again, _ := ledger.ForLoan(r.ID.String(), "NGN").Interest(r.Pricing.Interest)
		err := loandb.New(db).Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
			return tx.AppendLedger(ctx, []ledger.Transaction{again}, t0)
		})
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
		all, err := loandb.New(db).LedgerTransactions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		facts, err := loandb.New(db).AllLoanFacts(ctx)
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
		l := loandb.NewLeases(db)
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
		if err := l.MarkCOBDone(ctx, cob.COBResult{BusinessDate: d, StartedAt: t0, FinishedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if done, _ := l.COBDone(ctx, d); !done {
			t.Fatal("a finished date is not done")
		}
	})
}
