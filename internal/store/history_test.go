package store_test

import (
	"testing"

	"creditpocket/internal/loan"
	"creditpocket/internal/risk"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
	"creditpocket/internal/underwriting"
)

// An application reads the borrower's history once, from the loan store,
// and hands it to the risk decision; the risk store answers the partner
// API's decisions by phone. Both must mean the same.
func TestTheLoanHistoryAnApplicationHandsToRiskIsTheRiskStoresHistory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		now := t0
		db, rs := riskStore(t, e, &now)
		u := mustUser(t, db, "2348031230001")
		for _, l := range []struct {
			disburse bool
			status   loan.Status
			overDays int
		}{
			{true, loan.StatusSettled, 4},
			{false, loan.StatusRiskRejected, 0},
			{true, loan.StatusWrittenOff, 60},
			{true, loan.StatusOverdue, 2}, // last: the one unfinished loan
		} {
			r := newLoan(t, db, u.ID, l.disburse)
			r.Status, r.OverDays = l.status, l.overDays
			if err := db.Loans().Tx(ctx, func(tx loan.Tx) error { return tx.UpdateLoan(ctx, r) }); err != nil {
				t.Fatal(err)
			}
		}
		var h loan.History
		if err := db.Loans().View(ctx, func(tx loan.Tx) error {
			var err error
			h, err = tx.History(ctx, u.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		byPhone, err := rs.Sources().History.LoanHistory(ctx, risk.BorrowerRef{IDNumber: "22212345678", Phone: u.Phone})
		if err != nil {
			t.Fatal(err)
		}
		want := risk.LoanHistory{Loans: 3, Settled: 1, Open: 1, WorstDaysOverdue: 60, CurrentDaysOverdue: 2}
		if got := underwriting.LoanHistory(h); got != byPhone || got != want {
			t.Fatalf("the loan engine's history %+v maps to %+v; the risk store's is %+v; want %+v", h, got, byPhone, want)
		}
		if h.Settled != 1 || h.Unfinished != 1 || h.WrittenOff != 1 {
			t.Fatalf("eligibility's counts %+v", h)
		}
	})
}
