package main

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/payment"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// TestWebhookReplaysAndAmbiguousBodiesAreRefused captures a correctly
// signed repayment webhook and replays it: inside the five-minute window
// it is booked once, after it (or with a timestamp too far ahead) it is
// refused; a signed body with a repeated key or trailing data is refused
// with 400 and books nothing.
func TestWebhookReplaysAndAmbiguousBodiesAreRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := &clock{t: time.Now().UTC().Truncate(time.Second)}
		a := newLoanApp(t, e, c)
		tok := a.borrower("07068425023")
		a.applyReq(tok, "301")
		a.deliver()
		l := a.latest(tok)
		if l.Status != int(loan.StatusRepaying) {
			t.Fatalf("loan not repaying: %+v", l)
		}
		r := a.repay(tok, "k-replay", map[string]string{"id": l.ID, "amount": "100000"})
		var co checkout
		r.decode(t, &co)
		booked := func() int64 { return a.rowCounts()["ledger_transactions"] }

		t.Run("a signed body with a repeated key books nothing", func(t *testing.T) {
			before := booked()
			for _, body := range []string{
				`{"id":"evt_dup","event":"charge.success","data":{"reference":"` + co.Reference + `","amount":100000,"amount":9223372036854775807}}`,
				`{"id":"evt_dup","event":"charge.success","data":{"reference":"` + co.Reference + `","amount":100000}}{"event":"charge.failed"}`,
			} {
				if s := a.webhook([]byte(body), a.sign("evt_dup", []byte(body))); s != http.StatusBadRequest {
					t.Fatalf("webhook %s = %d, want 400", body, s)
				}
			}
			if booked() != before {
				t.Fatal("a refused body was booked")
			}
		})

		body, _ := json.Marshal(payment.Event{ID: "evt_captured", Event: payment.EventChargeSuccess,
			Data: payment.EventData{Reference: co.Reference, Amount: 100000, Currency: "NGN", Status: "success"}})
		captured := a.sign("evt_captured", body)
		before := booked()
		if s := a.webhook(body, captured); s != http.StatusOK {
			t.Fatalf("webhook = %d", s)
		}
		t.Run("a replay inside the window is answered and booked once", func(t *testing.T) {
			c.Add(4 * time.Minute)
			if s := a.webhook(body, captured); s != http.StatusOK {
				t.Fatalf("replay = %d", s)
			}
			if got := booked() - before; got != 1 {
				t.Fatalf("%d transactions booked, want 1", got)
			}
		})
		t.Run("a replay after the window is refused", func(t *testing.T) {
			c.Add(2 * time.Minute)
			if s := a.webhook(body, captured); s != http.StatusUnauthorized {
				t.Fatalf("stale replay = %d, want 401", s)
			}
		})
		t.Run("a timestamp beyond the tolerance in the future is refused", func(t *testing.T) {
			future := payment.SignedHeaders("evt_future", c.Now().Add(6*time.Minute), body, a.app.Payments.Secret)
			if s := a.webhook(body, future); s != http.StatusUnauthorized {
				t.Fatalf("future webhook = %d, want 401", s)
			}
		})
		if got := a.latest(tok); got.ActualbackAmt != "100000" {
			t.Fatalf("after the replays: %+v", got)
		}
		a.verifyClean()
	})
}
