package payment

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
)

var secret = []byte("test-webhook-key")

var signedAt = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func signed(id string, body []byte, key []byte) http.Header {
	return SignedHeaders(id, signedAt, body, key)
}

func TestVerifyWebhook(t *testing.T) {
	body := []byte(`{"id":"evt_1","event":"charge.success","data":{"reference":"PAY_1","amount":300000,"currency":"NGN","status":"success"}}`)
	good := signed("evt_1", body, secret)
	other := func(b string) ([]byte, http.Header) { return []byte(b), signed("evt_1", []byte(b), secret) }
	unknown, unknownH := other(`{"event":"refund.processed","data":{"reference":"x"}}`)
	noRef, noRefH := other(`{"event":"charge.success","data":{}}`)
	dup, dupH := other(`{"id":"evt_1","event":"charge.success","data":{"reference":"PAY_1","amount":1,"amount":9223372036854775807}}`)
	trailing, trailingH := other(`{"id":"evt_1","event":"charge.success","data":{"reference":"PAY_1","amount":1}}{"event":"charge.failed"}`)
	wrongID := signed("evt_2", body, secret)
	wrongID.Set("webhook-id", "evt_1") // signed as evt_2, presented as evt_1
	huge, hugeH := other(`{"id":"evt_1","event":"charge.success","data":{"reference":"PAY_1","amount":9223372036854775807}}`)
	cases := []struct {
		name  string
		keys  [][]byte
		body  []byte
		h     http.Header
		now   time.Time
		field string // the field an errs.Invalid refusal names; "" for a signature refusal
		ok    bool
	}{
		{"a correctly signed event is accepted", [][]byte{secret}, body, good, signedAt, "", true},
		{"a replay inside the window is accepted (idempotency books it once)", [][]byte{secret}, body, good, signedAt.Add(4 * time.Minute), "", true},
		{"a replay after the window is refused", [][]byte{secret}, body, good, signedAt.Add(6 * time.Minute), "", false},
		{"a timestamp beyond the tolerance in the future is refused", [][]byte{secret}, body, good, signedAt.Add(-6 * time.Minute), "", false},
		{"a signature under another secret is refused", [][]byte{[]byte("other")}, body, good, signedAt, "", false},
		{"a tampered body is refused", [][]byte{secret}, []byte(strings.Replace(string(body), "300000", "900000", 1)), good, signedAt, "", false},
		{"a wrong id is refused", [][]byte{secret}, body, wrongID, signedAt, "", false},
		{"missing headers are refused", [][]byte{secret}, body, http.Header{}, signedAt, "", false},
		{"no configured secret refuses everything", nil, body, good, signedAt, "", false},
		{"an unknown event is refused", [][]byte{secret}, unknown, unknownH, signedAt, "event", false},
		{"an event without a reference is refused", [][]byte{secret}, noRef, noRefH, signedAt, "data.reference", false},
		{"a duplicate key is refused", [][]byte{secret}, dup, dupH, signedAt, "data", false},
		{"trailing data is refused", [][]byte{secret}, trailing, trailingH, signedAt, "body", false},
		{"an amount above ledger.MaxAmount is refused", [][]byte{secret}, huge, hugeH, signedAt, "data.amount", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := VerifyWebhook(c.h, c.body, c.now, c.keys...)
			if c.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if c.ok && (ev.Data.Reference != "PAY_1" || ev.Data.Amount != 300000 || !ev.Succeeded()) {
				t.Fatalf("event = %+v", ev)
			}
			if err == nil {
				return
			}
			var we *WebhookError
			var fe *errs.Error
			switch {
			case c.field == "" && !errors.As(err, &we):
				t.Fatalf("error %T %v is not a *WebhookError", err, err)
			case c.field != "" && (!errors.As(err, &fe) || fe.Code != errs.Invalid || fe.Field != c.field):
				t.Fatalf("error %v, want errs.Invalid naming %q", err, c.field)
			}
		})
	}
}

func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte(`{"id":"evt_1","event":"charge.success","data":{"reference":"PAY_1","amount":1}}`), true)
	f.Add([]byte(`{"event":"transfer.failed","data":{"reference":"DSB_1_1","amount":-1}}`), true)
	f.Add([]byte(`{"event":"charge.success","data":{"reference":"P","amount":1,"Amount":2}}`), true)
	f.Add([]byte(`[]`), false)
	f.Fuzz(func(t *testing.T, body []byte, sign bool) {
		h := signed("evt_f", body, secret)
		if !sign {
			h.Set("webhook-signature", "v1,AAAA")
		}
		ev, err := VerifyWebhook(h, body, signedAt, secret)
		if err != nil {
			return
		}
		if !sign || ev.Data.Reference == "" || ev.Data.Amount < 0 || ev.Data.Amount > int64(ledger.MaxAmount) {
			t.Fatalf("accepted %q as %+v", body, ev)
		}
		// What was accepted re-encodes to something accepted again.
		again, _ := json.Marshal(ev)
		if _, err := VerifyWebhook(signed("evt_f", again, secret), again, signedAt, secret); err != nil {
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

func (q *memQueue) Withdraw(_ context.Context, ref, event string, _ time.Time) error {
	for i, e := range q.events {
		if e.Reference == ref && e.Event == event {
			q.events[i].Attempts = -1 // as if delivered
			return nil
		}
	}
	q.events = append(q.events, QueuedEvent{Reference: ref, Event: event, Attempts: -1})
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
		Deliver: func(_ context.Context, body []byte, h http.Header) error {
			if fail {
				return errors.New("server down")
			}
			ev, err := VerifyWebhook(h, body, now, secret)
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
