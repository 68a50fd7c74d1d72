package main

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/payment"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// TestAPaymentThatWouldOverflowTheBooksIsRefused tries the attack of
// issue 12 item 1: a sandbox completion and a correctly signed webhook
// reporting 9223372036854775807 paid on a repayment checkout. Both are
// refused with a 400 naming amount and nothing is booked, as is a payment
// within int64 but more than the loan can absorb plus the surplus; the
// books verify clean and the console still answers.
func TestAPaymentThatWouldOverflowTheBooksIsRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		admin := a.as(a.staff("root@example.com", staff.Admin))
		tok := a.borrower("07068425023")
		a.applyReq(tok, "301")
		a.deliver()
		l := a.latest(tok)
		if l.Status != int(loan.StatusRepaying) {
			t.Fatalf("loan not repaying: %+v", l)
		}
		r := a.repay(tok, "k-overflow", map[string]string{"id": l.ID, "amount": "100000"})
		if r.Status != 200 {
			t.Fatalf("repay = %d %q", r.Status, r.Message)
		}
		var c checkout
		r.decode(t, &c)
		before := a.rowCounts()
		unchanged := func(t *testing.T) {
			t.Helper()
			a.deliver()
			after := a.rowCounts()
			for _, table := range []string{"ledger_transactions", "ledger_postings", "ledger_balances"} {
				if after[table] != before[table] {
					t.Fatalf("%s went from %d to %d rows", table, before[table], after[table])
				}
			}
		}
		maxInt := strconv.FormatInt(math.MaxInt64, 10)
		tooMuch := (ledger.MaxAmount / 10).String() // within MaxAmount, far beyond 850,000 owed plus the surplus

		for _, amount := range []string{maxInt, ledger.MaxAmount.String() + "0", tooMuch} {
			t.Run("the sandbox refuses a completion of "+amount+", naming amount", func(t *testing.T) {
				r := a.req("POST", "/sandbox/payments/"+c.Reference+"/complete", map[string]string{"amount": amount}, "")
				if r.Status != http.StatusBadRequest || !strings.HasPrefix(r.Message, "amount") {
					t.Fatalf("complete %s = %d %q, want 400 naming amount", amount, r.Status, r.Message)
				}
				unchanged(t)
			})
		}
		for i, amount := range []int64{math.MaxInt64, int64(ledger.MaxAmount) + 1, int64(ledger.MaxAmount / 10)} {
			t.Run("a signed webhook reporting "+strconv.FormatInt(amount, 10)+" paid is refused", func(t *testing.T) {
				id := "evt_overflow_" + strconv.Itoa(i)
				body, _ := json.Marshal(payment.Event{ID: id, Event: payment.EventChargeSuccess,
					Data: payment.EventData{Reference: c.Reference, Amount: amount, Currency: "NGN", Status: "success"}})
				if s := a.webhook(body, a.sign(id, body)); s != http.StatusBadRequest {
					t.Fatalf("webhook = %d, want 400", s)
				}
				unchanged(t)
			})
		}

		t.Run("the checkout can still be paid, and the books verify clean", func(t *testing.T) {
			a.ok("POST", "/sandbox/payments/"+c.Reference+"/complete", map[string]string{}, "")
			a.deliver()
			if got := a.latest(tok); got.ActualbackAmt != "100000" {
				t.Fatalf("after paying: %+v", got)
			}
			a.verifyClean()
		})
		t.Run("the console answers", func(t *testing.T) {
			for _, path := range []string{"/console/", "/console/loans/" + l.ID} {
				if st, body := admin.do("GET", path, nil); st != http.StatusOK {
					t.Fatalf("GET %s = %d: %.300s", path, st, body)
				}
			}
		})
	})
}
