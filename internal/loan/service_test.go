package loan_test

import (
	"context"
	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/loantest"
	"errors"
	"fmt"
	"testing"
)

var ctx = context.Background()

// The loan engine's flows run here against the in-memory store
// (loantest.Engine): milliseconds per test, no database.

func TestApplicationFollowsTheDecision(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		decision loan.Decision
		status   loan.Status
		payouts  int
	}{
		{"an approved application is paid out at once", loan.Accept, loan.StatusDisbursing, 1},
		{"a rejected application is stored refused, with nothing paid", loan.Reject, loan.StatusRiskRejected, 0},
		{"a referred application waits for a person", loan.Review, loan.StatusManualReview, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := loantest.NewEngine(t, c.decision)
			r := b.Apply(7)
			if r.Status != c.status || len(b.Provider.Disbursed()) != c.payouts || r.RiskReason != "rule" || len(r.Photos) != 1 {
				t.Fatalf("status %v, payouts %v, reason %q, photos %v", r.Status, b.Provider.Disbursed(), r.RiskReason, r.Photos)
			}
			if b.Photos.Kept() != 1 {
				t.Errorf("photos kept = %d; want the stored application's one", b.Photos.Kept())
			}
			if ms := b.Store.Messages(); len(ms) != 1 || ms[0].UserID != 7 {
				t.Errorf("messages = %+v; want the decision's one", ms)
			}
		})
	}
	t.Run("a borrower with an unfinished loan cannot apply again", func(t *testing.T) {
		t.Parallel()
		b := loantest.NewEngine(t, loan.Accept)
		b.Apply(7)
		_, err := b.Loans.Apply(ctx, loan.ApplyInput{UserID: 7, ProductID: loan.DemoProducts()[0].ID, Photos: [][]byte{[]byte("x")}})
		if !errors.Is(err, loan.ErrUnfinishedLoan) {
			t.Fatalf("second application: %v; want ErrUnfinishedLoan", err)
		}
		if b.Photos.Kept() != 1 {
			t.Errorf("photos kept = %d; the refused application's must be deleted", b.Photos.Kept())
		}
	})
	t.Run("an unknown product is named in the error", func(t *testing.T) {
		t.Parallel()
		b := loantest.NewEngine(t, loan.Accept)
		_, err := b.Loans.Apply(ctx, loan.ApplyInput{UserID: 7, ProductID: "nope"})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("unknown product: %v; want invalid", err)
		}
	})
}

func TestAManualDecisionStartsThePayoutOrClosesTheLoan(t *testing.T) {
	t.Parallel()
	for _, approve := range []bool{true, false} {
		t.Run(fmt.Sprintf("approve=%v", approve), func(t *testing.T) {
			t.Parallel()
			b := loantest.NewEngine(t, loan.Review)
			r := b.Apply(7)
			got, err := b.Loans.Decide(ctx, loan.ManualDecision{LoanID: r.ID, Reviewer: "ops", Approve: approve, Reason: "checked"})
			if err != nil {
				t.Fatal(err)
			}
			want, payouts := loan.StatusManualRejected, 0
			if approve {
				want, payouts = loan.StatusDisbursing, 1
			}
			if got.Status != want || len(b.Provider.Disbursed()) != payouts || got.AuditUserID != "ops" {
				t.Fatalf("after the decision: status %v, payouts %v, reviewer %q", got.Status, b.Provider.Disbursed(), got.AuditUserID)
			}
			if _, err := b.Loans.Decide(ctx, loan.ManualDecision{LoanID: r.ID, Reviewer: "ops", Approve: true}); err == nil {
				t.Fatal("a decided loan was decided again")
			}
		})
	}
}
