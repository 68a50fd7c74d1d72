package repay_test

import (
	"context"
	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/loantest"
	"creditpocket/internal/loan/repay"
	"testing"
)

var ctx = context.Background()

func TestRepaymentsAreBookedOnceAndInOrder(t *testing.T) {
	t.Parallel()
	t.Run("a partial repayment lowers what is owed and keeps the loan open", func(t *testing.T) {
		t.Parallel()
		b := loantest.NewEngine(t, loan.Accept)
		r := b.Disbursed(7)
		before := loantest.Owed(t, r)
		p := b.Checkout(7, r.ID, 1000_00, "k1")
		b.Paid(p.Reference, 1000_00)
		after := b.Loan(r.ID)
		if after.Status != loan.StatusRepaying || loantest.Owed(t, after) != before-1000_00 || after.Received != 1000_00 {
			t.Fatalf("after a partial repayment: status %v, owed %d (was %d), received %d", after.Status, loantest.Owed(t, after), before, after.Received)
		}
	})
	t.Run("an excess settles the loan and is kept as credit", func(t *testing.T) {
		t.Parallel()
		b := loantest.NewEngine(t, loan.Accept)
		r := b.Disbursed(7)
		total := loantest.Owed(t, r)
		p := b.Checkout(7, r.ID, total+500, "k1")
		b.Paid(p.Reference, total+500)
		after := b.Loan(r.ID)
		if after.Status != loan.StatusSettled || after.Credit != 500 || loantest.Owed(t, after) != 0 {
			t.Fatalf("after an overpayment: status %v, credit %d, owed %d", after.Status, after.Credit, loantest.Owed(t, after))
		}
	})
	t.Run("a webhook delivered twice is booked once", func(t *testing.T) {
		t.Parallel()
		b := loantest.NewEngine(t, loan.Accept)
		r := b.Disbursed(7)
		p := b.Checkout(7, r.ID, 1000_00, "k1")
		b.Paid(p.Reference, 1000_00)
		n := len(b.Store.Ledger())
		b.Paid(p.Reference, 1000_00)
		if got := b.Loan(r.ID); got.Received != 1000_00 || len(b.Store.Ledger()) != n {
			t.Fatalf("after the replay: received %d, %d ledger transactions (was %d)", got.Received, len(b.Store.Ledger()), n)
		}
	})
	t.Run("the same key and request return the first checkout; another request with it is refused", func(t *testing.T) {
		t.Parallel()
		b := loantest.NewEngine(t, loan.Accept)
		r := b.Disbursed(7)
		first := b.Checkout(7, r.ID, 1000_00, "k1")
		if again := b.Checkout(7, r.ID, 1000_00, "k1"); again.Reference != first.Reference {
			t.Fatalf("replay opened %s; want %s", again.Reference, first.Reference)
		}
		_, err := b.Repay.Repay(ctx, repay.Input{UserID: 7, LoanID: r.ID, Amount: 2000_00, IdempotencyKey: "k1", RequestHash: "other"})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("the key for another request: %v; want a conflict", err)
		}
	})
	t.Run("a new checkout supersedes the open one, which the provider is told to cancel", func(t *testing.T) {
		t.Parallel()
		b := loantest.NewEngine(t, loan.Accept)
		r := b.Disbursed(7)
		first := b.Checkout(7, r.ID, 1000_00, "k1")
		second := b.Checkout(7, r.ID, 2000_00, "k2")
		ps, err := b.Loans.Payments(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]string{}
		for _, p := range ps {
			status[p.Reference] = p.Status
		}
		if status[first.Reference] != loan.PaySuperseded || status[second.Reference] != loan.PayPending ||
			len(b.Provider.Cancelled()) != 1 || b.Provider.Cancelled()[0] != first.Reference {
			t.Fatalf("statuses %v, cancelled %v", status, b.Provider.Cancelled())
		}
		// Money that arrives on the superseded checkout anyway repays the
		// loan while it owes, marked as arrived on a closed checkout.
		b.Paid(first.Reference, 1000_00)
		if got := b.Loan(r.ID); got.Received != 1000_00 || got.Status != loan.StatusRepaying {
			t.Fatalf("after paying the superseded checkout: received %d, status %v", got.Received, got.Status)
		}
		ps, err = b.Loans.Payments(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Reference == first.Reference && !p.ArrivedOnClosedCheckout() {
				t.Fatalf("the superseded checkout paid reads %+v; want it marked as arrived on a closed checkout", p)
			}
		}
	})
	t.Run("a key that is not printable ASCII is refused before anything is stored", func(t *testing.T) {
		t.Parallel()
		b := loantest.NewEngine(t, loan.Accept)
		r := b.Disbursed(7)
		_, err := b.Repay.Repay(ctx, repay.Input{UserID: 7, LoanID: r.ID, IdempotencyKey: "k\x00"})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("control character in the key: %v; want invalid", err)
		}
	})
}
