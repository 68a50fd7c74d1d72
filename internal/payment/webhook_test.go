package payment

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/errs"
)

var secret = []byte("whsec_test")

func TestVerifyWebhook(t *testing.T) {
	body := []byte(`{"id":"evt_1","event":"charge.success","data":{"reference":"PAY_1","amount":300000,"currency":"NGN","status":"success"}}`)
	good := Sign(secret, body)
	cases := []struct {
		name   string
		secret []byte
		body   []byte
		sig    string
		ok     bool
	}{
		{"a correctly signed event is accepted", secret, body, good, true},
		{"an upper-case hex signature is accepted", secret, body, strings.ToUpper(good), true},
		{"a signature under another secret is refused", []byte("other"), body, good, false},
		{"a tampered body is refused", secret, []byte(strings.Replace(string(body), "300000", "900000", 1)), good, false},
		{"a missing signature is refused", secret, body, "", false},
		{"a truncated signature is refused", secret, body, good[:64], false},
		{"no configured secret refuses everything", nil, body, Sign(nil, body), false},
		{"an unknown event is refused", secret, []byte(`{"event":"refund.processed","data":{"reference":"x"}}`), Sign(secret, []byte(`{"event":"refund.processed","data":{"reference":"x"}}`)), false},
		{"an event without a reference is refused", secret, []byte(`{"event":"charge.success","data":{}}`), Sign(secret, []byte(`{"event":"charge.success","data":{}}`)), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := VerifyWebhook(c.secret, c.body, c.sig)
			if c.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if c.ok && (ev.Data.Reference != "PAY_1" || ev.Data.Amount != 300000 || !ev.Succeeded()) {
				t.Fatalf("event = %+v", ev)
			}
			var we *WebhookError
			if err != nil && !errors.As(err, &we) {
				t.Fatalf("error %T is not a *WebhookError", err)
			}
		})
	}
}

func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte(`{"id":"evt_1","event":"charge.success","data":{"reference":"PAY_1","amount":1}}`), true)
	f.Add([]byte(`{"event":"transfer.failed","data":{"reference":"DSB_1_1","amount":-1}}`), true)
	f.Add([]byte(`[]`), false)
	f.Fuzz(func(t *testing.T, body []byte, signed bool) {
		sig := "00"
		if signed {
			sig = Sign(secret, body)
		}
		ev, err := VerifyWebhook(secret, body, sig)
		if err != nil {
			return
		}
		if !signed || ev.Data.Reference == "" || ev.Data.Amount < 0 {
			t.Fatalf("accepted %q as %+v", body, ev)
		}
		// What was accepted re-encodes to something accepted again.
		again, _ := json.Marshal(ev)
		if _, err := VerifyWebhook(secret, again, Sign(secret, again)); err != nil {
			t.Fatalf("re-encoded event refused: %v", err)
		}
	})
}

// memQueue is an in-memory EventQueue.
type memQueue struct{ events []QueuedEvent }

func (q *memQueue) Enqueue(_ context.Context, e QueuedEvent, _ time.Time) error {
	for _, o := range q.events {
		if o.Reference == e.Reference && o.Event == e.Event {
			return nil
		}
	}
	q.events = append(q.events, e)
	return nil
}

func (q *memQueue) Due(_ context.Context, now time.Time, limit int) ([]QueuedEvent, error) {
	var out []QueuedEvent
	for _, e := range q.events {
		if !e.DeliverAfter.After(now) && e.Attempts >= 0 {
			out = append(out, e)
		}
	}
	return out, nil
}

func (q *memQueue) Delivered(_ context.Context, id string, _ time.Time) error {
	for i := range q.events {
		if q.events[i].ID == id {
			q.events[i].Attempts = -1 // delivered
		}
	}
	return nil
}

func (q *memQueue) Retry(_ context.Context, id string, at time.Time) error {
	for i := range q.events {
		if q.events[i].ID == id {
			q.events[i].Attempts++
			q.events[i].DeliverAfter = at
		}
	}
	return nil
}

type charges map[string]int64

func (c charges) PaymentExists(_ context.Context, ref string) (string, int64, error) {
	a, ok := c[ref]
	if !ok {
		return "", 0, errs.E(errs.NotFound, "no payment %q", ref)
	}
	kind := "repayment"
	if strings.HasPrefix(ref, "DSB_") {
		kind = "disbursement"
	}
	return kind, a, nil
}

func TestSandboxDeliversSignedEventsLaterAndOnce(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := &memQueue{}
	var got []Event
	fail := true
	a := &Async{Queue: q, Charges: charges{"DSB_1_1": 600000, "PAY_1": 850000}, Secret: secret, TransferDelay: time.Minute,
		Now: func() time.Time { return now },
		Deliver: func(_ context.Context, body []byte, sig string) error {
			if fail {
				return errors.New("server down")
			}
			ev, err := VerifyWebhook(secret, body, sig)
			got = append(got, ev)
			return err
		}}
	ctx := context.Background()
	if err := a.Disburse(ctx, "DSB_1_1", "RCP_1", 600000, "NGN"); err != nil {
		t.Fatal(err)
	}
	if err := a.Disburse(ctx, "DSB_1_1", "RCP_1", 600000, "NGN"); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.DeliverDue(ctx); n != 0 {
		t.Fatal("a payout arrived before its delay")
	}
	now = now.Add(time.Minute)
	if n, _ := a.DeliverDue(ctx); n != 0 {
		t.Fatal("delivered to a server that is down")
	}
	fail = false
	now = now.Add(time.Minute)
	if n, _ := a.DeliverDue(ctx); n != 1 || got[0].Event != EventTransferSuccess || got[0].Data.Amount != 600000 {
		t.Fatalf("delivered %d: %+v", len(got), got)
	}
	if err := a.Complete(ctx, "PAY_1", 100); err != nil {
		t.Fatal(err)
	}
	if err := a.Fail(ctx, "PAY_1", "", ""); err != nil {
		t.Fatal(err)
	}
	a.DeliverDue(ctx)
	if len(got) != 3 || got[1].Data.Amount != 100 || got[2].Event != EventChargeFailed {
		t.Fatalf("events = %+v", got)
	}
	if err := a.Complete(ctx, "PAY_404", 0); !errs.Is(err, errs.NotFound) {
		t.Fatalf("unknown reference: %v", err)
	}
	if url, _ := a.Checkout(ctx, "PAY_1", 5, "NGN"); !strings.HasSuffix(url, "/sandbox/checkout/PAY_1") {
		t.Fatalf("checkout URL %q", url)
	}
}
