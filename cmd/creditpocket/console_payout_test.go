package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

func TestConsolePayoutButtons(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		viewer := a.as(a.staff("viewer@lender.example", staff.Viewer))
		reviewer := a.as(a.staff("reviewer@lender.example", staff.Reviewer))
		admin := a.as(a.staff("admin@lender.example", staff.Admin))
		tok := a.borrower("08035550401")
		if r := a.applyReq(tok, "301"); r.Status != 200 {
			t.Fatalf("apply = %d %q", r.Status, r.Message)
		}
		id := a.latest(tok).ID
		fail := func(attempt int) {
			t.Helper()
			err := a.app.Repay.HandlePayment(context.Background(), loan.PaymentResult{Reference: payoutRef(id, attempt),
				Reason: "account name does not match", Code: "invalid_account"})
			if err != nil {
				t.Fatal(err)
			}
		}
		fail(1)
		page := "/console/loans/" + id

		t.Run("the dashboard counts the payout waiting for an operator and links to it", func(t *testing.T) {
			_, body := viewer.do("GET", "/console/", nil)
			if !regexp.MustCompile(`id="payouts-waiting">1<`).MatchString(body) || !strings.Contains(body, `href="/console/loans?payout=waiting"`) {
				t.Fatalf("dashboard: %.3000s", body)
			}
			_, list := viewer.do("GET", "/console/loans?payout=waiting", nil)
			if !strings.Contains(list, `href="/console/loans/`+id+`"`) {
				t.Fatalf("waiting list: %.2000s", list)
			}
		})
		t.Run("a payout failed an hour ago is stuck", func(t *testing.T) {
			_, body := viewer.do("GET", "/console/", nil)
			if !strings.Contains(body, `id="stuck-payouts">0<`) {
				t.Fatalf("stuck before the hour: %.3000s", body)
			}
			a.clock.Add(time.Hour + time.Minute)
			_, body = viewer.do("GET", "/console/", nil)
			if !strings.Contains(body, `id="stuck-payouts">1<`) || !strings.Contains(body, "pending or failed over 1h0m0s") {
				t.Fatalf("stuck after the hour: %.3000s", body)
			}
			_, list := viewer.do("GET", "/console/loans?payout=stuck", nil)
			if !strings.Contains(list, `href="/console/loans/`+id+`"`) {
				t.Fatalf("stuck list: %.2000s", list)
			}
		})
		t.Run("a viewer sees the failure but no buttons, and may not act", func(t *testing.T) {
			_, body := viewer.do("GET", page, nil)
			if !strings.Contains(body, `id="payout-waiting"`) || strings.Contains(body, `id="payout-retry"`) || !strings.Contains(body, "invalid_account") {
				t.Fatalf("loan page as viewer: %.3000s", body)
			}
			if st, _ := viewer.do("POST", page+"/payout/retry", url.Values{"csrf": {viewer.csrf}}); st != http.StatusForbidden {
				t.Fatalf("retry as viewer = %d", st)
			}
			if st, _ := admin.do("POST", page+"/payout/cancel", url.Values{"csrf": {admin.csrf}, "reason": {"x"}}); st != http.StatusForbidden {
				t.Fatalf("cancel as admin = %d", st)
			}
		})
		t.Run("a reviewer sees both buttons", func(t *testing.T) {
			_, body := reviewer.do("GET", page, nil)
			if !strings.Contains(body, `id="payout-retry"`) || !strings.Contains(body, `id="payout-cancel"`) || !strings.Contains(body, `name="csrf" value="`+reviewer.csrf+`"`) {
				t.Fatalf("loan page as reviewer: %.3000s", body)
			}
		})
		t.Run("an action without the form's token is refused", func(t *testing.T) {
			if st, _ := reviewer.do("POST", page+"/payout/retry", url.Values{}); st != http.StatusForbidden {
				t.Fatalf("retry without csrf = %d", st)
			}
		})
		t.Run("the retry button sends the payout again", func(t *testing.T) {
			if st, body := reviewer.do("POST", page+"/payout/retry", url.Values{"csrf": {reviewer.csrf}, "reason": {"borrower fixed the name"}}); st != http.StatusSeeOther {
				t.Fatalf("retry = %d: %.500s", st, body)
			}
			r, _ := a.app.Loans.AnyLoan(context.Background(), loanIDOf(t, id))
			if r.Status != loan.StatusDisbursing || r.Disbursements != 2 {
				t.Fatalf("after retry: status %v, %d attempts", r.Status, r.Disbursements)
			}
			_, body := reviewer.do("GET", page, nil)
			if !strings.Contains(body, "payout "+payoutRef(id, 2)+" sent, retried by reviewer@lender.example: borrower fixed the name") || strings.Contains(body, `id="payout-retry"`) {
				t.Fatalf("timeline after retry: %.4000s", body)
			}
		})
		fail(2)
		t.Run("a cancel needs a reason", func(t *testing.T) {
			if st, _ := reviewer.do("POST", page+"/payout/cancel", url.Values{"csrf": {reviewer.csrf}, "reason": {"  "}}); st != http.StatusBadRequest {
				t.Fatalf("cancel without reason = %d", st)
			}
		})
		t.Run("a reason the store cannot keep is a 400, not an internal error", func(t *testing.T) {
			if st, _ := reviewer.do("POST", page+"/payout/cancel", url.Values{"csrf": {reviewer.csrf}, "reason": {"gone\x00"}}); st != http.StatusBadRequest {
				t.Fatalf("cancel with a NUL = %d", st)
			}
		})
		t.Run("the cancel button closes the loan", func(t *testing.T) {
			if st, body := reviewer.do("POST", page+"/payout/cancel", url.Values{"csrf": {reviewer.csrf}, "reason": {"account closed"}}); st != http.StatusSeeOther {
				t.Fatalf("cancel = %d: %.500s", st, body)
			}
			_, body := reviewer.do("GET", page, nil)
			if !strings.Contains(body, "payout cancelled by reviewer@lender.example: account closed") || !strings.Contains(body, "closed: cancelled") {
				t.Fatalf("timeline after cancel: %.4000s", body)
			}
			if st, _ := reviewer.do("POST", page+"/payout/cancel", url.Values{"csrf": {reviewer.csrf}, "reason": {"again"}}); st != http.StatusConflict {
				t.Fatalf("second cancel = %d", st)
			}
		})
		t.Run("both actions are in the audit log", func(t *testing.T) {
			_, body := admin.do("GET", "/console/audit", nil)
			for _, action := range []string{"loan.payout.retry", "loan.payout.cancel", "loan.payout.cancel.failed"} {
				if !strings.Contains(body, action) {
					t.Errorf("audit log lacks %s", action)
				}
			}
		})
	})
}

// TestConsoleShowsAPayoutPaidAfterItsLoanWasCancelled: the dashboard
// counts the loan and its page says which payout to recover.
func TestConsoleShowsAPayoutPaidAfterItsLoanWasCancelled(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		admin := a.as(a.staff("admin@lender.example", staff.Admin))
		tok := a.borrower("08035550409")
		if r := a.applyReq(tok, "301"); r.Status != 200 {
			t.Fatalf("apply = %d %q", r.Status, r.Message)
		}
		id := a.latest(tok).ID
		ctx := context.Background()
		if err := a.app.Repay.HandlePayment(ctx, loan.PaymentResult{Reference: payoutRef(id, 1), Reason: "closed", Code: "account_closed"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.app.Payouts.CancelPayout(ctx, loan.PayoutAction{LoanID: loanIDOf(t, id), Operator: "ops", Reason: "account closed"}); err != nil {
			t.Fatal(err)
		}
		_, body := admin.do("GET", "/console/", nil)
		if strings.Contains(body, "payouts-unbooked") {
			t.Fatalf("dashboard shows unbooked payouts before any: %.3000s", body)
		}
		if err := a.app.Repay.HandlePayment(ctx, loan.PaymentResult{Reference: payoutRef(id, 1), Succeeded: true}); err != nil {
			t.Fatal(err)
		}
		if st, body := admin.do("GET", "/console/", nil); st != 200 || !strings.Contains(body, `id="payouts-unbooked">1<`) {
			t.Fatalf("dashboard = %d: %.3000s", st, body)
		}
		if st, body := admin.do("GET", "/console/loans/"+id, nil); st != 200 || !strings.Contains(body, "payout "+payoutRef(id, 1)+" reported paid but not booked") {
			t.Fatalf("loan page = %d: %.4000s", st, body)
		}
	})
}
