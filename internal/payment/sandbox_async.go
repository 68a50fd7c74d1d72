package payment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
)

// QueuedEvent is a webhook the sandbox will deliver.
type QueuedEvent struct {
	ID           string
	Reference    string
	Event        string
	Body         []byte
	DeliverAfter time.Time
	Attempts     int
}

// EventQueue stores the sandbox's outgoing webhooks. Enqueue ignores a
// second event of the same name for the same reference, which makes
// Disburse idempotent by reference.
type EventQueue interface {
	Enqueue(ctx context.Context, e QueuedEvent, now time.Time) error
	Due(ctx context.Context, now time.Time, limit int) ([]QueuedEvent, error)
	Delivered(ctx context.Context, id string, now time.Time) error
	Retry(ctx context.Context, id string, at time.Time) error
	// Withdraw keeps the event of that name for reference from being
	// delivered, if it is not yet, and from being queued again (Enqueue
	// ignores it, as a real provider ignores a reference it has used).
	Withdraw(ctx context.Context, reference, event string, now time.Time) error
}

// Charges tells the sandbox what a payment reference asked for, as a real
// provider knows the checkouts it opened.
type Charges interface {
	PaymentExists(ctx context.Context, ref string) (kind string, amount int64, err error)
}

// Cancellations keeps the checkouts the sandbox was told to cancel, as a
// real provider remembers its own payment pages.
type Cancellations interface {
	// CancelCheckout records ref as cancelled (once; a second call keeps
	// the first reason).
	CancelCheckout(ctx context.Context, ref, reason string, now time.Time) error
	// CheckoutCancelled reports whether ref was cancelled, and why.
	CheckoutCancelled(ctx context.Context, ref string) (reason string, cancelled bool, err error)
}

// Async is the sandbox's money-moving half: payouts and checkouts complete
// later, reported by signed webhooks that a worker (RunDelivery) posts to
// the server's own webhook endpoint.
type Async struct {
	Queue   EventQueue
	Charges Charges
	Secret  []byte // shared webhook secret
	// CheckoutBase prefixes checkout URLs, e.g. http://localhost:8080.
	CheckoutBase string
	// TransferDelay is how long a payout takes to "arrive".
	TransferDelay time.Duration
	// WebhookURL is where events are posted; Deliver overrides it.
	WebhookURL string
	// Deliver posts one event with its signed headers (SignedHeaders);
	// nil means an HTTP POST to WebhookURL.
	Deliver func(ctx context.Context, body []byte, h http.Header) error
	Now     func() time.Time

	// Cancelled keeps cancelled checkouts; nil: CancelCheckout is refused.
	Cancelled Cancellations
}

func (a *Async) now() time.Time {
	if a.Now != nil {
		return a.Now().UTC()
	}
	return time.Now().UTC()
}

// Disburse queues the payout's success webhook after TransferDelay.
func (a *Async) Disburse(ctx context.Context, reference, recipientCode string, amount ledger.Money, currency string) error {
	if recipientCode == "" || amount <= 0 {
		return errs.E(errs.Invalid, "payout %s: needs a recipient and a positive amount", reference)
	}
	return a.enqueue(ctx, reference, EventTransferSuccess, amount, currency, "", a.TransferDelay)
}

// Checkout returns the sandbox checkout URL of reference; the borrower
// "pays" with POST /sandbox/payments/{reference}/complete.
func (a *Async) Checkout(ctx context.Context, reference string, amount ledger.Money, currency string) (string, error) {
	if amount <= 0 {
		return "", errs.E(errs.Invalid, "checkout %s: amount must be positive", reference)
	}
	return a.CheckoutBase + "/sandbox/checkout/" + reference, nil
}

// CancelCheckout closes a checkout's page: Complete refuses it from now
// on. The lender's own records decide nothing here, as at a real provider.
func (a *Async) CancelCheckout(ctx context.Context, reference, reason string) error {
	if a.Cancelled == nil {
		return errs.E(errs.Unavailable, "checkout %s: the sandbox keeps no cancellations", reference)
	}
	return a.Cancelled.CancelCheckout(ctx, reference, reason, a.now())
}

// Complete simulates the borrower paying amount (0: what was asked) on a
// checkout, or a payout arriving now. A cancelled checkout is
// errs.Conflict naming why it was cancelled.
func (a *Async) Complete(ctx context.Context, reference string, amount ledger.Money) error {
	kind, asked, err := a.Charges.PaymentExists(ctx, reference)
	if err != nil {
		return err
	}
	if amount < 0 {
		return errs.InvalidField("amount", "must be positive")
	}
	if kind != "disbursement" && a.Cancelled != nil {
		why, cancelled, err := a.Cancelled.CheckoutCancelled(ctx, reference)
		if err != nil {
			return err
		}
		if cancelled {
			return errs.E(errs.Conflict, "checkout %s was cancelled (%s) and can no longer be paid", reference, why)
		}
	}
	if amount == 0 {
		amount = ledger.Money(asked)
	}
	event := EventChargeSuccess
	if kind == "disbursement" {
		event, amount = EventTransferSuccess, ledger.Money(asked)
	}
	return a.enqueue(ctx, reference, event, amount, "", "", 0)
}

// Fail simulates a failed charge or payout. code is the payout's failure
// code (FailureCodes; default FailProviderError, which is retriable); a
// charge carries none. A failed payout's success, queued when it was
// sent, is withdrawn: a failed transfer does not arrive as well, nor is
// it sent again.
func (a *Async) Fail(ctx context.Context, reference, reason, code string) error {
	kind, _, err := a.Charges.PaymentExists(ctx, reference)
	if err != nil {
		return err
	}
	if reason == "" {
		reason = "declined by the sandbox"
	}
	event := EventChargeFailed
	if kind == "disbursement" {
		event = EventTransferFailed
		if code == "" {
			code = FailProviderError
		}
		if !slices.Contains(FailureCodes(), code) {
			return errs.InvalidField("code", "must be one of %s", strings.Join(FailureCodes(), ", "))
		}
		if err := a.Queue.Withdraw(ctx, reference, EventTransferSuccess, a.now()); err != nil {
			return err
		}
	} else {
		code = ""
	}
	return a.enqueueEvent(ctx, EventData{Reference: reference, Status: "failed", Reason: reason, FailureCode: code}, event, 0)
}

func (a *Async) enqueue(ctx context.Context, ref, event string, amount ledger.Money, currency, reason string, delay time.Duration) error {
	status := "success"
	if reason != "" {
		status = "failed"
	}
	return a.enqueueEvent(ctx, EventData{Reference: ref, Amount: int64(amount), Currency: currency, Status: status, Reason: reason}, event, delay)
}

func (a *Async) enqueueEvent(ctx context.Context, data EventData, event string, delay time.Duration) error {
	id := "evt_" + randomHex(10)
	body, err := json.Marshal(Event{ID: id, Event: event, Data: data})
	if err != nil {
		return err
	}
	now := a.now()
	return a.Queue.Enqueue(ctx, QueuedEvent{ID: id, Reference: data.Reference, Event: event, Body: body, DeliverAfter: now.Add(delay)}, now)
}

// DeliverDue posts every due webhook once and returns how many were
// delivered; failures are retried later with backoff.
func (a *Async) DeliverDue(ctx context.Context) (int, error) {
	now := a.now()
	due, err := a.Queue.Due(ctx, now, 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range due {
		// Signed at each attempt: a retry carries a fresh timestamp and
		// the event's one id, so the receiver's window and idempotency
		// both hold.
		if err := a.deliver(ctx, e.Body, SignedHeaders(e.ID, a.now(), e.Body, a.Secret)); err != nil {
			backoff := time.Duration(min(e.Attempts+1, 10)) * time.Second
			if rerr := a.Queue.Retry(ctx, e.ID, now.Add(backoff)); rerr != nil {
				return n, rerr
			}
			continue
		}
		if err := a.Queue.Delivered(ctx, e.ID, now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (a *Async) deliver(ctx context.Context, body []byte, h http.Header) error {
	if a.Deliver != nil {
		return a.Deliver(ctx, body, h)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("payment: webhook %s answered %d", a.WebhookURL, resp.StatusCode)
	}
	return nil
}

// RunDelivery delivers due webhooks every interval until ctx ends.
func (a *Async) RunDelivery(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := a.DeliverDue(ctx); err != nil && ctx.Err() == nil && onErr != nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
