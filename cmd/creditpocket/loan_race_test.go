package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/payment"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// TestFiftyConcurrentAppliesMakeOneLoan races one borrower's applications.
func TestFiftyConcurrentAppliesMakeOneLoan(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)
		tok := a.borrower("07068425023")
		statuses := make([]int, 50)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = a.applyReq(tok, "301").Status
			}()
		}
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
			default:
				t.Errorf("apply answered %d", s)
			}
		}
		// One application is decided; the others are answered 409 at once
		// (in this process) or by the database, and are never scored.
		if n := a.rowCounts()["loans"]; n != 1 || ok != 1 {
			t.Fatalf("%d loans stored, %d applies succeeded; want 1 and 1", n, ok)
		}
		if n := a.rowCounts()["risk_decisions"]; n != 1 {
			t.Errorf("%d risk decisions for one borrower's burst; want 1", n)
		}
		if n := a.storedBlobs(); n != 1 {
			t.Errorf("%d photos in the blob store; want the one of the stored loan", n)
		}
		a.deliver()
		a.verifyClean()
	})
}

// TestConcurrentRepaymentsNeverCollectMoreThanOwedWithoutCredit races 50
// payments with distinct keys whose webhooks arrive at once, as from a
// provider that ignored every cancellation: money on the 49 superseded
// checkouts still repays the loan while it owes (a borrower whose money
// the lender holds is never left overdue), what exceeds the debt is
// credit, and the books balance.
func TestConcurrentRepaymentsNeverCollectMoreThanOwedWithoutCredit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)
		tok := a.borrower("07068425023")
		a.applyReq(tok, "301")
		a.deliver()
		l := a.latest(tok)
		const n, each = 50, 20000 // 1,000,000 paid against 850,000 owed
		refs := make([]string, n)
		var wg sync.WaitGroup
		for i := range refs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var c checkout
				r := a.repay(tok, fmt.Sprintf("race-%d", i), map[string]string{"id": l.ID, "amount": fmt.Sprint(each)})
				if r.Status != 200 {
					t.Errorf("repay %d = %d %q", i, r.Status, r.Message)
					return
				}
				r.decode(t, &c)
				refs[i] = c.Reference
			}()
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		for i, ref := range refs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body, _ := json.Marshal(payment.Event{ID: fmt.Sprintf("evt_%d", i), Event: payment.EventChargeSuccess,
					Data: payment.EventData{Reference: ref, Amount: each, Status: "success"}})
				if s := a.webhook(body, a.sign(fmt.Sprintf("evt_%d", i), body)); s != 200 {
					t.Errorf("webhook %d = %d", i, s)
				}
			}()
		}
		wg.Wait()
		got := a.latest(tok)
		if got.Status != int(loan.StatusSettled) || got.ActualbackAmt != "1000000" {
			t.Fatalf("after the race: %+v; want settled with 1,000,000 received", got)
		}
		var credit ledger.Money
		if err := a.app.DB.View(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT credit FROM loans WHERE id = $1`, money(l.ID)).Scan(&credit)
		}); err != nil {
			t.Fatal(err)
		}
		if credit != 150000 {
			t.Fatalf("credit = %d, want 150000 (1,000,000 paid − 850,000 owed)", credit)
		}
		a.verifyClean()
	})
}

// TestOneWebhookDeliveredTwentyTimesPostsOnce sends the same payout
// webhook 20 times at once, then a late failure for it.
func TestOneWebhookDeliveredTwentyTimesPostsOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)
		tok := a.borrower("07068425023")
		a.applyReq(tok, "301")
		l := a.latest(tok)
		ref := "DSB_" + l.ID + "_1"
		body, _ := json.Marshal(payment.Event{ID: "evt_once", Event: payment.EventTransferSuccess,
			Data: payment.EventData{Reference: ref, Amount: 600000, Currency: "NGN", Status: "success"}})
		before := a.rowCounts()["ledger_transactions"]
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if s := a.webhook(body, a.sign("evt_once", body)); s != 200 {
					t.Errorf("webhook = %d", s)
				}
			}()
		}
		wg.Wait()
		late, _ := json.Marshal(payment.Event{ID: "evt_late", Event: payment.EventTransferFailed,
			Data: payment.EventData{Reference: ref, Status: "failed", Reason: "late"}})
		if s := a.webhook(late, a.sign("evt_late", late)); s != 200 {
			t.Fatalf("late failure webhook = %d", s)
		}
		// Disbursement, fee and interest: three transactions, once.
		if got := a.rowCounts()["ledger_transactions"] - before; got != 3 {
			t.Fatalf("%d ledger transactions posted, want 3", got)
		}
		if got := a.latest(tok); got.Status != int(loan.StatusRepaying) {
			t.Fatalf("status %d after the duplicates and the late failure", got.Status)
		}
		t.Run("a bad signature is refused", func(t *testing.T) {
			if s := a.webhook(body, a.sign("evt_once", body, []byte("wrong"))); s != http.StatusUnauthorized {
				t.Fatalf("bad signature = %d", s)
			}
			if s := a.webhook(body, http.Header{}); s != http.StatusUnauthorized {
				t.Fatalf("no signature = %d", s)
			}
		})
		a.deliver() // the sandbox's own copy of the event changes nothing
		a.verifyClean()
	})
}
