package cob_test

import (
	"context"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/cob"
	"creditpocket/internal/loan/loanmem"
	"creditpocket/internal/loan/loantest"
	"errors"
	"testing"
	"time"
)

var ctx = context.Background()

func TestCloseOfBusinessChargesPenaltyOncePerDay(t *testing.T) {
	t.Parallel()
	b := loantest.NewEngine(t, loan.Accept)
	r := b.Disbursed(7)
	leases := &loanmem.Leases{}
	overdue := r.DueDate.AddDays(1)
	res, err := b.COB.CloseOfBusiness(ctx, leases, overdue, "test")
	if err != nil {
		t.Fatal(err)
	}
	got := b.Loan(r.ID)
	if res.Loans != 1 || res.Penalties != 1 || res.NewlyOverdue != 1 || got.Status != loan.StatusOverdue ||
		got.Outstanding.Penalty <= 0 || got.Outstanding.Penalty != res.Penalty || got.AccruedThrough != overdue {
		t.Fatalf("close of business: %+v; loan %v, penalty %d, accrued through %v", res, got.Status, got.Outstanding.Penalty, got.AccruedThrough)
	}
	again, err := b.COB.CloseOfBusiness(ctx, leases, overdue, "test")
	if err != nil || !again.AlreadyDone || b.Loan(r.ID).Outstanding.Penalty != got.Outstanding.Penalty {
		t.Fatalf("second run of the same date: %+v, %v", again, err)
	}
	t.Run("another process holding the lease keeps it out", func(t *testing.T) {
		if ok, _ := leases.Acquire(ctx, "cob", "other", b.Clock.Now(), time.Hour); !ok {
			t.Fatal("the free lease was not taken")
		}
		if _, err := b.COB.CloseOfBusiness(ctx, leases, overdue.AddDays(1), "test"); !errors.Is(err, cob.ErrLeaseHeld) {
			t.Fatalf("with the lease held elsewhere: %v; want ErrLeaseHeld", err)
		}
	})
}
