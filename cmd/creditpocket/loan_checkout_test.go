package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/payment"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// openCheckouts counts the loan's open checkouts (pending repayments and
// extensions) in the database.
func (a *testApp) openCheckouts(loanID string) int {
	a.t.Helper()
	var n int
	if err := a.app.DB.View(context.Background(), func(ctx context.Context, tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM payments
			WHERE loan_id = $1 AND status = 'pending' AND kind IN ('repayment', 'extension')`, money(loanID)).Scan(&n)
	}); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// loanMoney reads what the loan's record holds as received and as credit.
func (a *testApp) loanMoney(loanID string) (received, credit ledger.Money) {
	a.t.Helper()
	if err := a.app.DB.View(context.Background(), func(ctx context.Context, tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT received, credit FROM loans WHERE id = $1`, money(loanID)).Scan(&received, &credit)
	}); err != nil {
		a.t.Fatal(err)
	}
	return received, credit
}

// chargeWebhook posts a signed charge.success for ref, as a provider that
// took the money whatever it was told.
func (a *testApp) chargeWebhook(id, ref string, amount ledger.Money) {
	a.t.Helper()
	body, _ := json.Marshal(payment.Event{ID: id, Event: payment.EventChargeSuccess,
		Data: payment.EventData{Reference: ref, Amount: int64(amount), Status: "success"}})
	if s := a.webhook(body, a.sign(id, body)); s != http.StatusOK {
		a.t.Fatalf("webhook %s = %d", ref, s)
	}
}

// openConcurrently opens n checkouts of body at once, each with its own
// idempotency key, and returns their references.
func (a *testApp) openConcurrently(tok string, n int, body map[string]string) []string {
	a.t.Helper()
	refs := make([]string, n)
	var wg sync.WaitGroup
	for i := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := a.repay(tok, fmt.Sprintf("burst-%d", i), body)
			if r.Status != http.StatusOK {
				a.t.Errorf("checkout %d = %d %q", i, r.Status, r.Message)
				return
			}
			var c checkout
			r.decode(a.t, &c)
			refs[i] = c.Reference
		}()
	}
	wg.Wait()
	if a.t.Failed() {
		a.t.FailNow()
	}
	return refs
}

// completeConcurrently pays every checkout at the sandbox at once and
// returns the references it accepted; the others must be refused 409
// naming the cancellation.
func (a *testApp) completeConcurrently(refs []string) []string {
	a.t.Helper()
	var (
		mu       sync.Mutex
		accepted []string
		wg       sync.WaitGroup
	)
	for _, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := a.req("POST", "/sandbox/payments/"+ref+"/complete", map[string]string{}, "")
			switch {
			case r.Status == http.StatusOK:
				mu.Lock()
				accepted = append(accepted, ref)
				mu.Unlock()
			case r.Status == http.StatusConflict && strings.Contains(r.Message, "cancelled"):
			default:
				a.t.Errorf("sandbox complete %s = %d %q", ref, r.Status, r.Message)
			}
		}()
	}
	wg.Wait()
	return accepted
}

// TestTwentyConcurrentFullRepaymentsLeaveOneOpenCheckout races 20 full
// repayment checkouts of one loan, then pays all 20 at the sandbox: one
// checkout stays open, the sandbox refuses the 19 superseded ones, and the
// loan brings in its debt once. Money a provider takes on a superseded one
// anyway is kept as credit.
func TestTwentyConcurrentFullRepaymentsLeaveOneOpenCheckout(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)
		tok := a.borrower("07068425023")
		a.applyReq(tok, "301")
		a.deliver()
		l := a.latest(tok)
		const owed = 850000
		refs := a.openConcurrently(tok, 20, map[string]string{"id": l.ID})
		if n := a.openCheckouts(l.ID); n != 1 {
			t.Fatalf("%d open checkouts after 20 concurrent ones; want 1", n)
		}
		accepted := a.completeConcurrently(refs)
		if len(accepted) != 1 {
			t.Fatalf("the sandbox took payment on %d checkouts; want 1 (the open one)", len(accepted))
		}
		a.deliver()
		got := a.latest(tok)
		received, credit := a.loanMoney(l.ID)
		if got.Status != int(loan.StatusSettled) || received != owed || credit != 0 {
			t.Fatalf("after paying all 20: status %d, received %d, credit %d; want settled, %d, 0", got.Status, received, credit, owed)
		}
		a.verifyClean()

		t.Run("money a provider takes on superseded checkouts anyway is credit", func(t *testing.T) {
			var wg sync.WaitGroup
			for i, ref := range refs {
				wg.Add(1)
				go func() { defer wg.Done(); a.chargeWebhook(fmt.Sprintf("evt_anyway_%d", i), ref, owed) }()
			}
			wg.Wait()
			received, credit := a.loanMoney(l.ID)
			if received-credit != owed || credit != 19*owed {
				t.Fatalf("received %d, credit %d: at most the debt (%d) may be booked as repayment, the rest credit", received, credit, owed)
			}
			a.verifyClean()
		})
	})
}

// TestACheckoutOpenedBeforeSettlementCannotSettleAgain opens a full
// repayment, then another checkout that settles the loan: the first can
// no longer be paid, and money that reaches it anyway is credit, shown to
// staff in the ops API and on the console's loan page.
func TestACheckoutOpenedBeforeSettlementCannotSettleAgain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		tok := a.borrower("07068425023")
		a.applyReq(tok, "301")
		a.deliver()
		l := a.latest(tok)
		var early checkout
		a.repay(tok, "early", map[string]string{"id": l.ID}).decode(t, &early)
		part := a.pay(tok, l.ID, "part", 300000) // supersedes the full one
		var rest checkout
		a.ok("GET", "/loan/record/repay?id="+l.ID, nil, tok).decode(t, &rest)
		if rest.Reference == early.Reference || rest.Amount != "550000" {
			t.Fatalf("GET after a partial payment answered %+v; want a new checkout of 550000", rest)
		}
		a.ok("POST", "/sandbox/payments/"+rest.Reference+"/complete", map[string]string{}, "")
		a.deliver()
		if got := a.latest(tok); got.Status != int(loan.StatusSettled) {
			t.Fatalf("status %d after the full repayment", got.Status)
		}
		t.Run("the sandbox refuses the checkout opened before settlement", func(t *testing.T) {
			r := a.req("POST", "/sandbox/payments/"+early.Reference+"/complete", map[string]string{}, "")
			if r.Status != http.StatusConflict || !strings.Contains(r.Message, "superseded by "+part.Reference) {
				t.Fatalf("complete = %d %q; want 409 naming the checkout that superseded it", r.Status, r.Message)
			}
		})
		t.Run("a replay of its key answers it as it stands: superseded", func(t *testing.T) {
			var again struct {
				Reference, Status string
			}
			r := a.repay(tok, "early", map[string]string{"id": l.ID})
			r.decode(t, &again)
			if r.Status != 200 || again.Reference != early.Reference || again.Status != loan.PaySuperseded {
				t.Fatalf("replay = %d %q %+v", r.Status, r.Message, again)
			}
			if r := a.req("GET", "/loan/record/repay?id="+l.ID, nil, tok); r.Status != http.StatusConflict {
				t.Fatalf("a new checkout of a settled loan = %d %q", r.Status, r.Message)
			}
		})
		// A provider that took the money anyway: kept as credit, once.
		a.chargeWebhook("evt_late", early.Reference, 850000)
		a.chargeWebhook("evt_late_again", early.Reference, 850000)
		received, credit := a.loanMoney(l.ID)
		if received != 850000*2 || credit != 850000 {
			t.Fatalf("received %d, credit %d; want 1,700,000 and 850,000", received, credit)
		}
		if got := a.latest(tok); got.Status != int(loan.StatusSettled) {
			t.Fatalf("status %d: money on a closed checkout must not change the loan", got.Status)
		}
		a.verifyClean()

		t.Run("the ops loan view shows the credit and the payment", func(t *testing.T) {
			var v struct {
				Credit   string `json:"credit"`
				Payments []struct {
					Reference               string `json:"reference"`
					Status                  string `json:"status"`
					ClosedReason            string `json:"closedReason"`
					ArrivedOnClosedCheckout bool   `json:"arrivedOnClosedCheckout"`
				} `json:"payments"`
			}
			a.opsReq("GET", "/ops/loans/"+l.ID, nil).decode(t, &v)
			if v.Credit != "850000" {
				t.Errorf("credit = %q", v.Credit)
			}
			found := false
			for _, p := range v.Payments {
				if p.Reference == early.Reference {
					found = true
					if !p.ArrivedOnClosedCheckout || p.Status != loan.PayCredited || !strings.Contains(p.ClosedReason, part.Reference) {
						t.Errorf("payment %+v", p)
					}
				} else if p.ArrivedOnClosedCheckout {
					t.Errorf("payment %+v marked as arrived on a closed checkout", p)
				}
			}
			if !found {
				t.Errorf("payment %s missing from %+v", early.Reference, v.Payments)
			}
		})
		t.Run("the console's loan page shows the credit and the payment", func(t *testing.T) {
			c := a.as(a.staff("ada@example.com", staff.Viewer))
			st, body := c.do("GET", "/console/loans/"+l.ID, nil)
			if st != http.StatusOK {
				t.Fatalf("loan page = %d", st)
			}
			if !strings.Contains(body, `id="borrower-credit">8,500.00`) {
				i := strings.Index(body, "borrower-credit")
				t.Errorf("borrower credit not shown: %.200s", body[max(i, 0):])
			}
			if !strings.Contains(body, "arrived on a closed checkout") || !strings.Contains(body, early.Reference) {
				t.Errorf("the payment on the closed checkout is not marked")
			}
		})
	})
}

// TestTwoExtensionCheckoutsPaidTogetherExtendOnce opens two extension
// checkouts and pays both at once.
func TestTwoExtensionCheckoutsPaidTogetherExtendOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		lagos, _ := time.LoadLocation("Africa/Lagos")
		c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, lagos)}
		a := newLoanApp(t, e, c)
		tok := a.borrower("07068425023")
		a.applyReq(tok, "301")
		a.deliver()
		l := a.latest(tok)
		refs := a.openConcurrently(tok, 2, map[string]string{"id": l.ID, "type": "extend"})
		if n := a.openCheckouts(l.ID); n != 1 {
			t.Fatalf("%d open checkouts; want 1", n)
		}
		accepted := a.completeConcurrently(refs)
		a.deliver()
		l = a.latest(tok)
		if len(accepted) != 1 || l.Status != int(loan.StatusExtended) || l.ShouldbackTime != "2026-03-15 09:00:00" {
			t.Fatalf("%d payments taken; after them %+v; want one, extended once to 2026-03-15", len(accepted), l)
		}
		// The other one paid anyway is not a second extension: the loan
		// still owes, so it repays 120,000 of the debt.
		for i, ref := range refs {
			a.chargeWebhook(fmt.Sprintf("evt_ext_%d", i), ref, 120000)
		}
		l = a.latest(tok)
		received, credit := a.loanMoney(l.ID)
		if l.ShouldbackTime != "2026-03-15 09:00:00" || l.RemainingAmount != "730000" || received != 240000 || credit != 0 {
			t.Fatalf("after both paid: %+v, received %d, credit %d", l, received, credit)
		}
		a.verifyClean()
	})
}

// TestACancelTheProviderRefusesLeavesTheNewCheckoutAndCreditsTheOld runs
// the sandbox without its cancellation records, so every cancel fails:
// the new checkout still opens, and the superseded one, still payable at
// the provider, brings in credit rather than a second repayment.
func TestACancelTheProviderRefusesLeavesTheNewCheckoutAndCreditsTheOld(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)
		a.app.Payments.Cancelled = nil // CancelCheckout now fails
		tok := a.borrower("07068425023")
		a.applyReq(tok, "301")
		a.deliver()
		l := a.latest(tok)
		var old, cur checkout
		a.repay(tok, "old", map[string]string{"id": l.ID}).decode(t, &old)
		if r := a.repay(tok, "new", map[string]string{"id": l.ID}); r.Status != http.StatusOK {
			t.Fatalf("a checkout whose predecessor the provider would not cancel = %d %q", r.Status, r.Message)
		} else {
			r.decode(t, &cur)
		}
		for _, ref := range []string{old.Reference, cur.Reference} {
			a.ok("POST", "/sandbox/payments/"+ref+"/complete", map[string]string{}, "")
		}
		a.deliver()
		received, credit := a.loanMoney(l.ID)
		if got := a.latest(tok); got.Status != int(loan.StatusSettled) || received != 2*850000 || credit != 850000 {
			t.Fatalf("status %d, received %d, credit %d; want settled once, the superseded payment as credit", got.Status, received, credit)
		}
		a.verifyClean()
	})
}

// TestAChargeReportedTakenAfterItFailedIsBooked fails a checkout at the
// sandbox, then has the provider report the money taken after all: it is
// booked once (it used to be ignored, money held on no books), and an
// amount the loan cannot absorb is refused when the borrower "pays", not
// by a webhook the sandbox would send again forever.
func TestAChargeReportedTakenAfterItFailedIsBooked(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)
		tok := a.borrower("07068425029")
		a.applyReq(tok, "301")
		a.deliver()
		l := a.latest(tok)
		var co checkout
		a.repay(tok, "fails-first", map[string]string{"id": l.ID, "amount": "300000"}).decode(t, &co)
		a.ok("POST", "/sandbox/payments/"+co.Reference+"/fail", map[string]string{}, "")
		a.deliver()
		if received, _ := a.loanMoney(l.ID); received != 0 {
			t.Fatalf("received %d after a failed charge", received)
		}
		t.Run("an amount the loan cannot absorb is refused at the sandbox", func(t *testing.T) {
			r := a.req("POST", "/sandbox/payments/"+co.Reference+"/complete", map[string]string{"amount": "900000000000"}, "")
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Message, "absorb") {
				t.Fatalf("complete = %d %q", r.Status, r.Message)
			}
		})
		a.ok("POST", "/sandbox/payments/"+co.Reference+"/complete", map[string]string{}, "")
		a.deliver()
		a.chargeWebhook("evt_again", co.Reference, 300000) // delivered twice, booked once
		if received, _ := a.loanMoney(l.ID); received != 300000 {
			t.Fatalf("received %d after the late charge; want 300000 once", received)
		}
		a.verifyClean()
	})
}
