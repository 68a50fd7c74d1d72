package loandb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/loan"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

// raceApplication is user's application, not stored: approved and being
// disbursed, or refused by the risk engine.
func raceApplication(t *testing.T, user int64, approved bool) *loan.Record {
	t.Helper()
	l, err := loan.Apply(0, user, loan.DemoProducts()[0], t0)
	if err != nil {
		t.Fatal(err)
	}
	r := &loan.Record{Loan: *l, Card: loan.Card{ID: 1, BankCode: "058", RecipientCode: "RCP_1"}}
	events := []loan.Event{loan.EventStartRiskReview, loan.EventRiskReject}
	if approved {
		events = []loan.Event{loan.EventStartRiskReview, loan.EventRiskApprove, loan.EventStartDisbursement}
	}
	for _, ev := range events {
		if err := r.Fire(ev, t0); err != nil {
			t.Fatal(err)
		}
	}
	r.ID = 0
	return r
}

// raceRows is what the engine writes beside an application's loan.
func raceRows(r *loan.Record) loan.ApplicationRows {
	var w loan.ApplicationRows
	if r.Status == loan.StatusDisbursing {
		w.Payout = &loan.Payment{Reference: "DSB_" + r.ID.String() + "_0", LoanID: r.ID, UserID: r.UserID, Kind: loan.PayDisbursement,
			Amount: r.Pricing.Disbursed, Status: loan.PayPending, CreatedAt: t0, UpdatedAt: t0}
		w.PayoutEvent = &loan.PayoutEvent{LoanID: r.ID, Reference: w.Payout.Reference, Event: loan.PayoutSent, At: t0}
	}
	w.Message = inbox.Message{UserID: r.UserID, Kind: inbox.KindLoan, Title: "Loan " + r.ID.String(), CreatedAt: t0}
	return w
}

// openTwice opens one fresh database through two handles, as two
// processes of the server would.
func openTwice(t *testing.T, e store.Engine) (*store.DB, *store.DB) {
	t.Helper()
	dbURL, dir := storetest.URL(t, e)
	open := func() *store.DB {
		var db *store.DB
		var err error
		if dbURL == "" {
			db, err = store.OpenSQLiteFile(ctx, filepath.Join(dir, "test.db"), nil)
		} else {
			db, err = store.Open(ctx, dbURL, dir, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a := open()
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return a, open()
}

// TestConcurrentApplicationsWriteOneLoanAndNothingHalfWritten races
// applications past the engine's in-process guard, from two handles on
// one database (two server processes): one borrower gets one unfinished
// loan, every other approved application is a conflict, and nothing of a
// refused write is left behind.
func TestConcurrentApplicationsWriteOneLoanAndNothingHalfWritten(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		for _, c := range []struct {
			name     string
			borrower func(i int) int
			approved func(i int) bool
		}{
			{"twenty approved applications of one borrower make one loan", func(int) int { return 0 }, func(int) bool { return true }},
			{"approved and refused applications of one borrower make one unfinished loan", func(int) int { return 0 }, func(i int) bool { return i%2 == 0 }},
			{"twenty applications of twenty borrowers all make their loan", func(i int) int { return i }, func(int) bool { return true }},
		} {
			t.Run(c.name, func(t *testing.T) {
				one, two := openTwice(t, e)
				stores := []*loandb.Store{loandb.New(one), loandb.New(two)}
				users := make([]int64, 20)
				for i := range users {
					users[i] = mustUser(t, one, fmt.Sprintf("23470684%05d", i)).ID
				}
				const n = 20
				errc := make([]error, n)
				recs := make([]*loan.Record, n)
				for i := range n {
					recs[i] = raceApplication(t, users[c.borrower(i)], c.approved(i))
				}
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() { errc[i] = stores[i%2].InsertApplication(ctx, recs[i], raceRows) })
				}
				wg.Wait()
				unfinished := map[int64]int{}
				var loans, payouts, messages int64
				for i, err := range errc {
					switch {
					case err == nil:
						loans++
						messages++
						if recs[i].Status == loan.StatusDisbursing {
							payouts++
							unfinished[recs[i].UserID]++
						}
					case errs.Is(err, errs.Conflict):
					default:
						t.Errorf("application %d: %v; want stored or a conflict", i, err)
					}
				}
				for u, k := range unfinished {
					if k != 1 {
						t.Errorf("borrower %d got %d unfinished loans; want 1", u, k)
					}
				}
				want := map[int]bool{}
				for i := range n {
					if c.approved(i) {
						want[c.borrower(i)] = true
					}
				}
				if len(unfinished) != len(want) {
					t.Errorf("%d borrowers got their approved loan; want %d", len(unfinished), len(want))
				}
				counts, err := one.RowCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if counts["loans"] != loans || counts["payments"] != payouts || counts["payout_events"] != payouts || counts["messages"] != messages {
					t.Errorf("rows loans=%d payments=%d payout_events=%d messages=%d; want %d, %d, %d, %d (the writes that succeeded)",
						counts["loans"], counts["payments"], counts["payout_events"], counts["messages"], loans, payouts, payouts, messages)
				}
				// A refused application stored while the approved loan was
				// unfinished would sit beside it; the history says which.
				for u := range unfinished {
					err := stores[0].View(ctx, func(ctx context.Context, tx loan.Tx) error {
						h, err := tx.History(ctx, u)
						if err == nil && h.Unfinished != 1 {
							t.Errorf("borrower %d history %+v; want one unfinished loan", u, h)
						}
						return err
					})
					if err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	})
}

// TestAnApplicationUnderAnIDAlreadyUsedWritesNothing stores an application
// under the id another borrower's loan holds (an id drawn twice, or a loan
// written with its own id): the write is a conflict and leaves no row, or
// (a store that assigns the id at the insert) the loan is stored under a
// fresh id; the loan holding the id is never touched.
func TestAnApplicationUnderAnIDAlreadyUsedWritesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		for _, approved := range []bool{true, false} {
			name := "a refused application"
			if approved {
				name = "an approved application"
			}
			t.Run(name+" is a conflict or gets a fresh id", func(t *testing.T) {
				db := storetest.Open(t, e)
				s := loandb.New(db)
				first, second := mustUser(t, db, "2347068425001").ID, mustUser(t, db, "2347068425002").ID
				held := raceApplication(t, first, true)
				if err := s.InsertApplication(ctx, held, raceRows); err != nil {
					t.Fatal(err)
				}
				before, err := db.RowCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				r := raceApplication(t, second, approved)
				r.ID = held.ID
				err = s.InsertApplication(ctx, r, raceRows)
				if err == nil {
					if r.ID == held.ID {
						t.Fatalf("stored under the id %s another loan holds", r.ID)
					}
					err := s.View(ctx, func(ctx context.Context, tx loan.Tx) error {
						got, err := tx.Loan(ctx, held.ID)
						if err == nil && (got.UserID != first || got.Status != loan.StatusDisbursing) {
							t.Errorf("the loan holding the id is now %+v", got)
						}
						return err
					})
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				if !errs.Is(err, errs.Conflict) {
					t.Fatalf("= %v; want a conflict", err)
				}
				after, err := db.RowCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for table, n := range after {
					if before[table] != n {
						t.Errorf("%s: %d rows, %d before; want nothing written", table, n, before[table])
					}
				}
			})
		}
	})
}
