package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/bookstats"
	"creditpocket/internal/config"
	"creditpocket/internal/loan"
	"creditpocket/internal/payment"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

// newPayoutApp is newLoanApp with payouts that take an hour to arrive,
// so a test fails them at the sandbox before they succeed, and the
// clock c; configure may change the configuration.
func newPayoutApp(t testing.TB, e store.Engine, c *clock, configure func(*config.Config)) *testApp {
	t.Helper()
	dbURL, dir := storetest.URL(t, e)
	cfg := devConfig(dbURL, dir)
	if configure != nil {
		configure(&cfg)
	}
	cfg.OpsToken, cfg.SandboxTransferDelay, cfg.KYC.AllowPrivateWebhooks = testOpsToken, time.Hour, true
	app, err := Open(context.Background(), cfg, slog.New(slog.DiscardHandler), Options{Hasher: fastHasher, QuietRequests: true, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Server.Handler())
	app.Payments.WebhookURL = srv.URL + "/payment/webhook"
	t.Cleanup(func() { srv.Close(); app.Close() })
	return &testApp{t: t, app: app, srv: srv}
}

// payoutClock starts on a weekday morning in Lagos.
func payoutClock() *clock {
	return &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("WAT", 3600))}
}

// applied is a borrower with an approved loan whose first payout is sent.
func (a *testApp) applied(mobile string) (token, loanID string) {
	a.t.Helper()
	tok := a.borrower(mobile)
	if r := a.applyReq(tok, "301"); r.Status != 200 {
		a.t.Fatalf("apply = %d %q", r.Status, r.Message)
	}
	l := a.latest(tok)
	if l.Status != int(loan.StatusDisbursing) {
		a.t.Fatalf("after apply: %+v", l)
	}
	return tok, l.ID
}

// failPayout fails a payout attempt at the sandbox with code and delivers
// the provider's webhook.
func (a *testApp) failPayout(loanID string, attempt int, reason, code string) {
	a.t.Helper()
	a.ok("POST", "/sandbox/payments/"+payoutRef(loanID, attempt)+"/fail", map[string]string{"reason": reason, "code": code}, "")
	a.deliver()
}

func payoutRef(loanID string, attempt int) string {
	return "DSB_" + loanID + "_" + string(rune('0'+attempt))
}

// retryDue runs the retry worker's step once.
func (a *testApp) retryDue() int {
	a.t.Helper()
	n, err := a.app.Payouts.RetryDuePayouts(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	a.deliver()
	return n
}

func (a *testApp) payoutEvents(loanID string) []string {
	a.t.Helper()
	evs, err := a.app.Payouts.PayoutEvents(context.Background(), loanIDOf(a.t, loanID))
	if err != nil {
		a.t.Fatal(err)
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Event
	}
	return out
}

func (a *testApp) messageTitles(token string) []string {
	a.t.Helper()
	var msgs struct {
		List []struct{ Title, Content string } `json:"list"`
	}
	a.ok("GET", "/message/page", nil, token).decode(a.t, &msgs)
	var out []string
	for _, m := range msgs.List {
		out = append(out, m.Title+": "+m.Content)
	}
	return out
}

func TestFailedPayoutIsRetriedAfterItsBackoffAndPaysOut(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := payoutClock()
		a := newPayoutApp(t, e, c, nil)
		tok, id := a.applied("07068425101")

		a.failPayout(id, 1, "the bank did not answer", "timeout")
		if l := a.latest(tok); l.Status != int(loan.StatusDisbursementFailed) {
			t.Fatalf("after a failed payout: %+v", l)
		}
		t.Run("the borrower is told when it is tried again", func(t *testing.T) {
			if m := a.messageTitles(tok); !strings.Contains(m[0], "Payout failed") || !strings.Contains(m[0], "We will try again at 09:01") {
				t.Fatalf("messages = %q", m)
			}
		})
		t.Run("nothing is retried before the backoff", func(t *testing.T) {
			c.Add(59 * time.Second)
			if n := a.retryDue(); n != 0 {
				t.Fatalf("retried %d payouts after 59 s", n)
			}
		})
		c.Add(time.Second)
		if n := a.retryDue(); n != 1 {
			t.Fatalf("retried %d payouts after the one-minute backoff, want 1", n)
		}
		if l := a.latest(tok); l.Status != int(loan.StatusDisbursing) {
			t.Fatalf("after the retry: %+v", l)
		}
		t.Run("a retry is taken once", func(t *testing.T) {
			if n := a.retryDue(); n != 0 {
				t.Fatalf("retried again: %d", n)
			}
		})
		t.Run("a second failure waits twice as long", func(t *testing.T) {
			a.failPayout(id, 2, "provider short of funds", "insufficient_provider_balance")
			c.Add(119 * time.Second)
			if n := a.retryDue(); n != 0 {
				t.Fatalf("retried %d after 119 s", n)
			}
			c.Add(time.Second)
			if n := a.retryDue(); n != 1 {
				t.Fatalf("retried %d after 2 minutes", n)
			}
		})
		c.Add(time.Hour) // the sandbox's transfer arrives
		a.deliver()
		if l := a.latest(tok); l.Status != int(loan.StatusRepaying) || l.ActualBalance != "600000" {
			t.Fatalf("after the third attempt arrived: %+v", l)
		}
		want := "sent failed retry-scheduled sent failed retry-scheduled sent"
		if got := strings.Join(a.payoutEvents(id), " "); got != want {
			t.Fatalf("payout events %q, want %q", got, want)
		}
		a.verifyClean()
	})
}

// TestThePayoutRegistersAnAccountTheBorrowerNeverRegistered applies
// without POST /user/transferRecipient: the application only reads the
// borrower's file, and the payout registers the account before it is sent.
func TestThePayoutRegistersAnAccountTheBorrowerNeverRegistered(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := payoutClock()
		a := newPayoutApp(t, e, c, nil)
		tok, id := a.applied("07068425111")
		r, err := a.app.Loans.AnyLoan(context.Background(), loanIDOf(t, id))
		if err != nil || !strings.HasPrefix(r.Card.RecipientCode, "RCP_") {
			t.Fatalf("loan %+v, %v: the recipient is kept on the loan", r, err)
		}
		var card struct{ RecipientCode string }
		a.ok("POST", "/user/transferRecipient", map[string]string{}, tok).decode(t, &card)
		if card.RecipientCode != r.Card.RecipientCode {
			t.Fatalf("the account's code %q, the loan's %q: registered twice", card.RecipientCode, r.Card.RecipientCode)
		}
		c.Add(time.Hour) // the sandbox's transfer arrives
		a.deliver()
		if l := a.latest(tok); l.Status != int(loan.StatusRepaying) {
			t.Fatalf("after the transfer: %+v", l)
		}
		a.verifyClean()
	})
}

func TestRetriesStopAfterTheLastAttempt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := payoutClock()
		a := newPayoutApp(t, e, c, func(cfg *config.Config) { cfg.Payouts.MaxAttempts = 2 })
		tok, id := a.applied("07068425102")
		a.failPayout(id, 1, "timed out", "timeout")
		c.Add(time.Minute)
		if n := a.retryDue(); n != 1 {
			t.Fatalf("first retry: %d", n)
		}
		a.failPayout(id, 2, "timed out again", "timeout")
		c.Add(24 * time.Hour)
		if n := a.retryDue(); n != 0 {
			t.Fatalf("retried beyond the last attempt: %d", n)
		}
		if l := a.latest(tok); l.Status != int(loan.StatusDisbursementFailed) {
			t.Fatalf("loan %+v", l)
		}
		if evs := a.payoutEvents(id); evs[len(evs)-1] != loan.PayoutOperatorNeeded {
			t.Fatalf("payout events %q", evs)
		}
		if m := a.messageTitles(tok); !strings.Contains(m[0], "Our team will look into it") {
			t.Fatalf("messages = %q", m)
		}
	})
}

func TestOperatorCancelsAPayoutThatCannotSucceed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := payoutClock()
		a := newPayoutApp(t, e, c, nil)
		tok, id := a.applied("07068425103")
		a.failPayout(id, 1, "no such account", "invalid_account")

		t.Run("a failure that is not retriable is not retried", func(t *testing.T) {
			c.Add(2 * time.Hour)
			if n := a.retryDue(); n != 0 {
				t.Fatalf("retried %d", n)
			}
			if l := a.latest(tok); l.Status != int(loan.StatusDisbursementFailed) {
				t.Fatalf("loan %+v", l)
			}
		})
		t.Run("the borrower can neither apply nor repay meanwhile", func(t *testing.T) {
			if r := a.applyReq(tok, "301"); r.Status != http.StatusConflict {
				t.Fatalf("apply = %d %q", r.Status, r.Message)
			}
		})
		t.Run("the operator routes are documented with their fields", func(t *testing.T) {
			st, doc := a.raw("GET", "/openapi.json", nil)
			var spec struct {
				Paths map[string]map[string]struct {
					RequestBody struct {
						Content map[string]struct {
							Schema struct{ Required []string } `json:"schema"`
						} `json:"content"`
					} `json:"requestBody"`
				} `json:"paths"`
			}
			if st != 200 || json.Unmarshal(doc, &spec) != nil {
				t.Fatalf("openapi = %d", st)
			}
			cancel := spec.Paths["/ops/loans/{id}/payout/cancel"]["post"].RequestBody.Content["application/json"].Schema.Required
			_, ok := spec.Paths["/ops/loans/{id}/payout/retry"]["post"]
			if strings.Join(cancel, ",") != "operator,reason" || !ok {
				t.Fatalf("cancel requires %v; retry documented: %v", cancel, ok)
			}
			if _, html := a.raw("GET", "/docs", nil); !strings.Contains(string(html), "/ops/loans/{id}/payout/cancel") {
				t.Fatal("/docs lacks the cancel route")
			}
		})
		t.Run("a cancel needs a reason", func(t *testing.T) {
			r := a.opsReq("POST", "/ops/loans/"+id+"/payout/cancel", map[string]string{"operator": "ops@lender.example"})
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Message, "reason") {
				t.Fatalf("cancel without reason = %d %q", r.Status, r.Message)
			}
		})
		t.Run("a cancel needs the operator token", func(t *testing.T) {
			r := a.req("POST", "/ops/loans/"+id+"/payout/cancel", map[string]string{"operator": "x", "reason": "y"}, tok)
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("cancel with a borrower token = %d %q", r.Status, r.Message)
			}
		})
		r := a.opsReq("POST", "/ops/loans/"+id+"/payout/cancel", map[string]string{"operator": "ops@lender.example", "reason": "account closed, borrower told"})
		if r.Status != 200 {
			t.Fatalf("cancel = %d %q", r.Status, r.Message)
		}
		if l := a.latest(tok); l.Status != int(loan.StatusCancelled) || l.ActualBalance != "0" {
			t.Fatalf("after cancel: %+v", l)
		}
		t.Run("the borrower is told", func(t *testing.T) {
			if m := a.messageTitles(tok); !strings.HasPrefix(m[0], "Loan cancelled: ") || !strings.Contains(m[0], "apply again") {
				t.Fatalf("messages = %q", m)
			}
		})
		t.Run("nothing stays on the ledger for the loan and the books verify", func(t *testing.T) {
			led, err := loandb.New(a.app.DB).LoanLedger(context.Background(), loanIDOf(t, id))
			if err != nil || len(led) != 0 {
				t.Fatalf("loan ledger = %v, %v", led, err)
			}
			a.verifyClean()
		})
		t.Run("retrying or cancelling again is a conflict naming the status", func(t *testing.T) {
			for _, action := range []string{"retry", "cancel"} {
				r := a.opsReq("POST", "/ops/loans/"+id+"/payout/"+action, map[string]string{"operator": "ops", "reason": "again"})
				if r.Status != http.StatusConflict || !strings.Contains(r.Message, "cancelled") || !strings.Contains(r.Message, "status 33") {
					t.Fatalf("%s = %d %q", action, r.Status, r.Message)
				}
			}
		})
		t.Run("a late success for the cancelled payout changes nothing", func(t *testing.T) {
			c.Add(time.Hour) // the first attempt's success event falls due
			a.deliver()
			r, err := a.app.Loans.AnyLoan(context.Background(), loanIDOf(t, id))
			if err != nil || r.Status != loan.StatusCancelled {
				t.Fatalf("loan %v, %v", r, err)
			}
		})
		if evs := a.payoutEvents(id); strings.Join(evs, " ") != "sent failed operator-needed cancelled" {
			t.Fatalf("payout events %q", evs)
		}
		t.Run("the borrower applies again", func(t *testing.T) {
			if r := a.applyReq(tok, "301"); r.Status != 200 {
				t.Fatalf("apply after cancel = %d %q", r.Status, r.Message)
			}
			if l := a.latest(tok); l.ID == id || l.Status != int(loan.StatusDisbursing) {
				t.Fatalf("new loan %+v", l)
			}
		})
	})
}

func TestOperatorRetriesAFailedPayout(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := payoutClock()
		a := newPayoutApp(t, e, c, nil)
		tok, id := a.applied("07068425104")
		t.Run("a payout that has not failed cannot be retried", func(t *testing.T) {
			r := a.opsReq("POST", "/ops/loans/"+id+"/payout/retry", map[string]string{"operator": "ops"})
			if r.Status != http.StatusConflict || !strings.Contains(r.Message, "disbursing") {
				t.Fatalf("retry while disbursing = %d %q", r.Status, r.Message)
			}
		})
		a.failPayout(id, 1, "account name mismatch", "invalid_account")
		r := a.opsReq("POST", "/ops/loans/"+id+"/payout/retry", map[string]string{"operator": "ops@lender.example", "reason": "borrower fixed the account"})
		if r.Status != 200 {
			t.Fatalf("retry = %d %q", r.Status, r.Message)
		}
		var l loanRecord
		r.decode(t, &l)
		if l.Status != int(loan.StatusDisbursing) {
			t.Fatalf("after retry: %+v", l)
		}
		c.Add(time.Hour) // the sandbox's transfer arrives
		a.deliver()
		if l := a.latest(tok); l.Status != int(loan.StatusRepaying) {
			t.Fatalf("after the retried payout arrived: %+v", l)
		}
		t.Run("a repaying loan's payout cannot be retried or cancelled", func(t *testing.T) {
			for _, action := range []string{"retry", "cancel"} {
				r := a.opsReq("POST", "/ops/loans/"+id+"/payout/"+action, map[string]string{"operator": "ops", "reason": "x"})
				if r.Status != http.StatusConflict || !strings.Contains(r.Message, "repaying") {
					t.Fatalf("%s = %d %q", action, r.Status, r.Message)
				}
			}
		})
		t.Run("an unknown loan is not found", func(t *testing.T) {
			r := a.opsReq("POST", "/ops/loans/999999/payout/retry", map[string]string{"operator": "ops"})
			if r.Status != http.StatusNotFound {
				t.Fatalf("retry unknown = %d %q", r.Status, r.Message)
			}
		})
		a.verifyClean()
	})
}

func TestConcurrentPayoutRetriesAndCancelsHaveOneWinner(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := payoutClock()
		a := newPayoutApp(t, e, c, nil)
		_, id := a.applied("07068425105")
		a.failPayout(id, 1, "timed out", "timeout")
		c.Add(time.Minute) // the automatic retry is due too, and races them

		const n = 20
		var wg sync.WaitGroup
		statuses := make([]int, n)
		retried := make(chan int, 1)
		for i := range n {
			wg.Go(func() {
				action := "retry"
				if i%2 == 1 {
					action = "cancel"
				}
				statuses[i] = a.opsReq("POST", "/ops/loans/"+id+"/payout/"+action, map[string]string{"operator": "ops", "reason": "race"}).Status
			})
		}
		wg.Go(func() {
			n, _ := a.app.Payouts.RetryDuePayouts(context.Background())
			retried <- n
		})
		wg.Wait()
		won := <-retried
		for _, st := range statuses {
			switch st {
			case 200:
				won++
			case http.StatusConflict:
			default:
				t.Errorf("status %d", st)
			}
		}
		if won != 1 {
			t.Fatalf("%d winners (statuses %v)", won, statuses)
		}
		pays, err := loandb.New(a.app.DB).LoanPayments(context.Background(), loanIDOf(t, id))
		if err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, p := range pays {
			if p.Status == loan.PayPending {
				pending++
			}
		}
		r, _ := a.app.Loans.AnyLoan(context.Background(), loanIDOf(t, id))
		switch {
		case r.Status == loan.StatusCancelled && (pending != 0 || len(pays) != 1):
			t.Fatalf("cancelled with %d payouts, %d pending", len(pays), pending)
		case r.Status == loan.StatusDisbursing && (pending != 1 || len(pays) != 2):
			t.Fatalf("retried with %d payouts, %d pending", len(pays), pending)
		case r.Status != loan.StatusCancelled && r.Status != loan.StatusDisbursing:
			t.Fatalf("loan is %v", r.Status)
		}
	})
}

func TestServeWorkersRetryAFailedPayoutWhenItIsDue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := payoutClock()
		a := newPayoutApp(t, e, c, nil)
		tok, id := a.applied("07068425106")
		a.failPayout(id, 1, "timed out", "timeout")
		c.Add(time.Minute)
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		a.app.startWorkers(ctx, a.srv.URL+"/payment/webhook")
		waitStatus := func(want loan.Status) {
			t.Helper()
			for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if a.latest(tok).Status == int(want) {
					return
				}
			}
			t.Fatalf("loan %+v, want status %v", a.latest(tok), want)
		}
		waitStatus(loan.StatusDisbursing) // the worker retried at once: the retry was due
		c.Add(time.Hour)                  // the sandbox's transfer arrives; the delivery worker reports it
		waitStatus(loan.StatusRepaying)
		stop()
	})
}

// transferWebhook posts a signed transfer event for payout ref, as a
// provider reporting its own word on it whatever it said before.
func (a *testApp) transferWebhook(id, ref string, succeeded bool) int {
	a.t.Helper()
	ev := payment.Event{ID: id, Event: payment.EventTransferSuccess, Data: payment.EventData{Reference: ref, Status: "success"}}
	if !succeeded {
		ev.Event, ev.Data.Status, ev.Data.Reason, ev.Data.FailureCode = payment.EventTransferFailed, "failed", "bank down", payment.FailProviderError
	}
	body, _ := json.Marshal(ev)
	return a.webhook(body, a.sign(id, body))
}

// TestALateSuccessOfAFailedPayoutIsBookedAndNeverPaidAgainSilently: a
// provider that reports a failed payout paid after all used to be
// ignored — the money out of the bank on no books, the retry worker then
// paying the borrower a second time, a cancelled loan's borrower keeping
// it unflagged.
func TestALateSuccessOfAFailedPayoutIsBookedAndNeverPaidAgainSilently(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := payoutClock()
		a := newPayoutApp(t, e, c, nil)
		has := func(evs []string, want string) bool {
			return strings.Contains(" "+strings.Join(evs, " ")+" ", " "+want+" ")
		}

		t.Run("before its retry is sent, it is the disbursement and nothing is retried", func(t *testing.T) {
			tok, id := a.applied("07068425191")
			a.failPayout(id, 1, "the bank did not answer", "timeout")
			if s := a.transferWebhook("evt_late_1", payoutRef(id, 1), true); s != http.StatusOK {
				t.Fatalf("late success = %d", s)
			}
			if l := a.latest(tok); l.Status != int(loan.StatusRepaying) {
				t.Fatalf("after the late success: %+v", l)
			}
			c.Add(2 * time.Minute)
			if n := a.retryDue(); n != 0 {
				t.Fatalf("the paid payout was sent again %d times", n)
			}
			if evs := a.payoutEvents(id); !has(evs, loan.PayoutPaidLate) {
				t.Fatalf("payout events %q", evs)
			}
			a.verifyClean()
		})
		t.Run("after its retry was sent, the first success is booked and the second is flagged, not refused", func(t *testing.T) {
			tok, id := a.applied("07068425192")
			a.failPayout(id, 1, "the bank did not answer", "timeout")
			c.Add(2 * time.Minute)
			if n := a.retryDue(); n != 1 {
				t.Fatalf("retried %d", n)
			}
			if s := a.transferWebhook("evt_late_2", payoutRef(id, 1), true); s != http.StatusOK {
				t.Fatalf("late success = %d", s)
			}
			if l := a.latest(tok); l.Status != int(loan.StatusRepaying) {
				t.Fatalf("after the late success: %+v", l)
			}
			c.Add(time.Minute) // the retry is stale: a crash may have kept it from the provider
			if n, err := a.app.Payouts.ResumeDisbursements(context.Background(), time.Second); err != nil || n != 0 {
				t.Fatalf("the overtaken retry was sent again: %d, %v", n, err)
			}
			if s := a.transferWebhook("evt_second_2", payoutRef(id, 2), true); s != http.StatusOK {
				t.Fatalf("the retry's success = %d, want 200 (a refused webhook is sent again forever)", s)
			}
			if evs := a.payoutEvents(id); !has(evs, loan.PayoutPaidLate) || !has(evs, loan.PayoutPaidUnbooked) {
				t.Fatalf("payout events %q", evs)
			}
			if l := a.latest(tok); l.Status != int(loan.StatusRepaying) {
				t.Fatalf("after the second payout: %+v", l)
			}
			a.verifyClean()
		})
		t.Run("after its retry was sent, the retry's failure changes nothing", func(t *testing.T) {
			tok, id := a.applied("07068425193")
			a.failPayout(id, 1, "the bank did not answer", "timeout")
			c.Add(2 * time.Minute)
			a.retryDue()
			a.transferWebhook("evt_late_3", payoutRef(id, 1), true)
			if s := a.transferWebhook("evt_fail_3", payoutRef(id, 2), false); s != http.StatusOK {
				t.Fatalf("the retry's failure = %d", s)
			}
			if l := a.latest(tok); l.Status != int(loan.StatusRepaying) {
				t.Fatalf("after the retry failed: %+v", l)
			}
			a.verifyClean()
		})
		t.Run("after the operator cancelled, it is answered and flagged on the loan", func(t *testing.T) {
			tok, id := a.applied("07068425194")
			a.failPayout(id, 1, "no such account", "invalid_account")
			if r := a.opsReq("POST", "/ops/loans/"+id+"/payout/cancel", map[string]string{"operator": "ops", "reason": "gone"}); r.Status != 200 {
				t.Fatalf("cancel = %d %q", r.Status, r.Message)
			}
			if s := a.transferWebhook("evt_late_4", payoutRef(id, 1), true); s != http.StatusOK {
				t.Fatalf("late success = %d", s)
			}
			if l := a.latest(tok); l.Status != int(loan.StatusCancelled) {
				t.Fatalf("after the late success: %+v", l)
			}
			if evs := a.payoutEvents(id); !has(evs, loan.PayoutPaidUnbooked) {
				t.Fatalf("payout events %q", evs)
			}
		})
		t.Run("the dashboard counts the loans paid out but not booked", func(t *testing.T) {
			b, err := loandb.New(a.app.DB).BookStats(context.Background(), bookstats.LastDays(c.Now(), 1), time.UTC)
			if err != nil || b.PayoutsUnbooked != 2 {
				t.Fatalf("payouts unbooked = %v, %v; want 2 (the retried loan paid twice, the cancelled one)", b, err)
			}
		})
		t.Run("at the sandbox, a failed payout does not arrive as well", func(t *testing.T) {
			tok, id := a.applied("07068425195")
			a.failPayout(id, 1, "no such account", "invalid_account")
			// Sent again by a resume that read it pending before its failure
			// was reported: a provider ignores a reference it has used.
			r, _ := a.app.Loans.AnyLoan(context.Background(), loanIDOf(t, id))
			if err := a.app.Payments.Disburse(context.Background(), payoutRef(id, 1), r.Card.RecipientCode, r.Pricing.Disbursed, "NGN"); err != nil {
				t.Fatal(err)
			}
			c.Add(2 * time.Hour) // past the transfer queued when it was sent
			a.deliver()
			if l := a.latest(tok); l.Status != int(loan.StatusDisbursementFailed) {
				t.Fatalf("after the transfer's time: %+v", l)
			}
		})
	})
}

// TestALateSuccessRacingRetriesAndCancelsBooksThePayoutOnce delivers a
// failed payout's late success 20 times at once while operators retry and
// cancel it and the worker's retry is due: whoever wins, the payout is
// booked at most once, every webhook is answered, and the books verify.
func TestALateSuccessRacingRetriesAndCancelsBooksThePayoutOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := payoutClock()
		a := newPayoutApp(t, e, c, nil)
		_, id := a.applied("07068425196")
		a.failPayout(id, 1, "timed out", "timeout")
		c.Add(time.Minute)

		const n = 20
		var wg sync.WaitGroup
		hooks, ops := make([]int, n), make([]int, n)
		for i := range n {
			wg.Go(func() { hooks[i] = a.transferWebhook(fmt.Sprintf("evt_race_%d", i), payoutRef(id, 1), true) })
			wg.Go(func() {
				action := []string{"retry", "cancel"}[i%2]
				ops[i] = a.opsReq("POST", "/ops/loans/"+id+"/payout/"+action, map[string]string{"operator": "ops", "reason": "race"}).Status
			})
		}
		wg.Go(func() { _, _ = a.app.Payouts.RetryDuePayouts(context.Background()) })
		wg.Wait()
		for i := range n {
			if hooks[i] != http.StatusOK {
				t.Errorf("webhook %d = %d", i, hooks[i])
			}
			if ops[i] != http.StatusOK && ops[i] != http.StatusConflict {
				t.Errorf("operator action %d = %d", i, ops[i])
			}
		}
		booked := 0
		for _, ev := range a.payoutEvents(id) {
			if ev == loan.PayoutPaidLate || ev == loan.PayoutPaidUnbooked {
				booked++
			}
		}
		r, err := a.app.Loans.AnyLoan(context.Background(), loanIDOf(t, id))
		if err != nil {
			t.Fatal(err)
		}
		switch r.Status {
		case loan.StatusRepaying, loan.StatusCancelled:
		default:
			t.Fatalf("loan is %v after the race", r.Status)
		}
		if booked != 1 {
			t.Fatalf("the late success was taken %d times (loan %v)", booked, r.Status)
		}
		if r.Status == loan.StatusRepaying && r.PaidOut != r.Pricing.Disbursed {
			t.Fatalf("paid out %d, want %d once", r.PaidOut, r.Pricing.Disbursed)
		}
		a.verifyClean()
	})
}

// TestMoneyPathsRefuseTextTheStoreCannotKeep sends NUL and other control
// characters where a payment reference, a webhook's text or an operator's
// reason enters: each is a 400 naming the field (PostgreSQL refuses a NUL,
// which used to answer 500 — and a signed webhook answered 500 is sent
// again forever).
func TestMoneyPathsRefuseTextTheStoreCannotKeep(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := payoutClock()
		a := newPayoutApp(t, e, c, nil)
		_, id := a.applied("07068425197")
		a.failPayout(id, 1, "no such account", "invalid_account")
		for _, tc := range []struct {
			name, method, path string
			body               map[string]string
			field              string
		}{
			{"a sandbox checkout page", "GET", "/sandbox/checkout/PAY_%00", nil, "reference"},
			{"a sandbox completion", "POST", "/sandbox/payments/PAY_%00/complete", map[string]string{}, "reference"},
			{"a sandbox failure", "POST", "/sandbox/payments/PAY_%01/fail", map[string]string{}, "reference"},
			{"a sandbox failure's reason", "POST", "/sandbox/payments/" + payoutRef(id, 1) + "/fail", map[string]string{"reason": "x\x00"}, "reason"},
			{"an operator's retry", "POST", "/ops/loans/" + id + "/payout/retry", map[string]string{"operator": "ops\x00"}, "operator"},
			{"an operator's cancel", "POST", "/ops/loans/" + id + "/payout/cancel", map[string]string{"operator": "ops", "reason": "gone\x00"}, "reason"},
		} {
			t.Run(tc.name+" is refused naming "+tc.field, func(t *testing.T) {
				r := a.req(tc.method, tc.path, tc.body, testOpsToken)
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Message, tc.field) {
					t.Fatalf("%s %s = %d %q", tc.method, tc.path, r.Status, r.Message)
				}
			})
		}
		for _, tc := range []struct{ name, body string }{
			{"data.reference", `{"id":"evt_nul","event":"charge.success","data":{"reference":"PAY_\u0000","amount":100}}`},
			{"data.reason", `{"id":"evt_nul","event":"transfer.failed","data":{"reference":"` + payoutRef(id, 1) + `","reason":"a\u0000b"}}`},
		} {
			t.Run("a signed webhook with a NUL in "+tc.name+" is a 400", func(t *testing.T) {
				if s := a.webhook([]byte(tc.body), a.sign("evt_nul", []byte(tc.body))); s != http.StatusBadRequest {
					t.Fatalf("webhook = %d", s)
				}
			})
		}
		t.Run("a reason that breaks lines is kept", func(t *testing.T) {
			r := a.opsReq("POST", "/ops/loans/"+id+"/payout/cancel", map[string]string{"operator": "ops", "reason": "account closed;\r\nborrower told"})
			if r.Status != 200 {
				t.Fatalf("cancel = %d %q", r.Status, r.Message)
			}
		})
	})
}

// loanIDOf is a loan id the app API answered, as the engine takes it.
func loanIDOf(t testing.TB, s string) loan.ID {
	t.Helper()
	id, err := loan.ParseID("id", s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
