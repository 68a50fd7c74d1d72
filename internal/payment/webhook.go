package payment

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
	"creditpocket/internal/webhook"
)

// MaxWebhookBody caps a webhook body; real events are a few hundred bytes.
const MaxWebhookBody = 64 << 10

// Webhook event names.
const (
	EventTransferSuccess = "transfer.success"
	EventTransferFailed  = "transfer.failed"
	EventChargeSuccess   = "charge.success"
	EventChargeFailed    = "charge.failed"
)

// Event is a provider's webhook notification.
type Event struct {
	ID    string    `json:"id"`
	Event string    `json:"event"`
	Data  EventData `json:"data"`
}

// EventData is what an event is about.
type EventData struct {
	Reference string `json:"reference"`
	Amount    int64  `json:"amount"` // minor units
	Currency  string `json:"currency"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
	// FailureCode says why a transfer failed, one of FailureCodes; it
	// decides whether the payout is retried (Retriable).
	FailureCode string `json:"failure_code,omitempty"`
}

// Succeeded reports whether the event reports money moved.
func (e Event) Succeeded() bool {
	return e.Event == EventTransferSuccess || e.Event == EventChargeSuccess
}

// WebhookError says why a webhook's signature was refused (the HTTP edge
// answers 401); a signed body that is malformed is errs.Invalid instead.
type WebhookError struct{ Reason string }

func (e *WebhookError) Error() string { return "payment: webhook refused: " + e.Reason }

// VerifyWebhook checks a webhook's Standard Webhooks signature (package
// webhook: id, timestamp within webhook.Tolerance of now, HMAC-SHA256 of
// id.timestamp.body under one of keys, in constant time) and then parses
// the body strictly. Nothing of an unsigned body is trusted or parsed.
func VerifyWebhook(h http.Header, body []byte, now time.Time, keys ...[]byte) (Event, error) {
	if len(body) > MaxWebhookBody {
		return Event{}, errs.E(errs.TooLarge, "webhook body of %d bytes, at most %d allowed", len(body), MaxWebhookBody)
	}
	if _, err := webhook.Verify(h, body, now, keys...); err != nil {
		return Event{}, &WebhookError{err.Error()}
	}
	return ParseEvent(body)
}

// ParseEvent decodes an event body strictly (no duplicate keys at any
// depth, nothing after the JSON value), refusing unknown events, missing
// references and amounts outside 0..ledger.MaxAmount. Errors are
// errs.Invalid naming the field.
func ParseEvent(body []byte) (Event, error) {
	var e Event
	if err := webhook.Decode(body, &e); err != nil {
		var be *webhook.BodyError
		if !errors.As(err, &be) {
			return Event{}, errs.InvalidField("body", "%v", err)
		}
		return Event{}, errs.InvalidField(fieldOr(be.Path, "body"), "%s", be.Reason)
	}
	switch e.Event {
	case EventTransferSuccess, EventTransferFailed, EventChargeSuccess, EventChargeFailed:
	default:
		return Event{}, errs.InvalidField("event", "unknown event %.64q", e.Event)
	}
	if e.Data.Reference == "" || len(e.Data.Reference) > 128 {
		return Event{}, errs.InvalidField("data.reference", "must be 1–128 characters")
	}
	// What is stored or looked up must be text every store keeps (no
	// NUL, which PostgreSQL refuses).
	for _, f := range []struct{ name, value string }{{"id", e.ID}, {"data.reference", e.Data.Reference},
		{"data.currency", e.Data.Currency}, {"data.status", e.Data.Status}, {"data.failure_code", e.Data.FailureCode}} {
		if strings.ContainsFunc(f.value, isControl) {
			return Event{}, errs.InvalidField(f.name, "must not contain control characters")
		}
	}
	if strings.ContainsFunc(e.Data.Reason, func(r rune) bool { return isControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
		return Event{}, errs.InvalidField("data.reason", "must not contain control characters")
	}
	if e.Data.Amount < 0 {
		return Event{}, errs.InvalidField("data.amount", "must not be negative")
	}
	if err := ledger.CheckAmount(ledger.Money(e.Data.Amount)); err != nil {
		return Event{}, errs.InvalidField("data.amount", "%v", err)
	}
	return e, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func fieldOr(path, def string) string {
	if path == "" {
		return def
	}
	return path
}

// SignedHeaders are the headers of one delivery of body: the Standard
// Webhooks id (the event's, the same on every retry), this attempt's time
// and the signature under key.
func SignedHeaders(id string, at time.Time, body []byte, key []byte) http.Header {
	h := http.Header{}
	webhook.SetHeaders(h, id, at, body, key)
	return h
}
