package payment

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// SignatureHeader carries the webhook signature: the hex HMAC-SHA512 of
// the raw body under the shared secret, as Paystack's x-paystack-signature.
const SignatureHeader = "x-creditpocket-signature"

// MaxWebhookBody caps a webhook body; real events are a few hundred bytes.
const MaxWebhookBody = 64 << 10

// Webhook event names, in Paystack's vocabulary.
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

// Sign returns the signature of body under secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha512.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// WebhookError says why a webhook was refused.
type WebhookError struct{ Reason string }

func (e *WebhookError) Error() string { return "payment: webhook refused: " + e.Reason }

// VerifyWebhook checks the signature of a raw webhook body in constant
// time and parses it. Nothing of an unsigned body is trusted or parsed.
func VerifyWebhook(secret, body []byte, signature string) (Event, error) {
	if len(secret) == 0 {
		return Event{}, &WebhookError{"no webhook secret is configured"}
	}
	if len(body) > MaxWebhookBody {
		return Event{}, &WebhookError{fmt.Sprintf("body of %d bytes, at most %d allowed", len(body), MaxWebhookBody)}
	}
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) != sha512.Size {
		return Event{}, &WebhookError{"signature header is missing or not hex HMAC-SHA512"}
	}
	m := hmac.New(sha512.New, secret)
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return Event{}, &WebhookError{"signature does not match the body"}
	}
	return ParseEvent(body)
}

// ParseEvent decodes an event body, rejecting unknown events and missing
// references.
func ParseEvent(body []byte) (Event, error) {
	var e Event
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&e); err != nil {
		return Event{}, &WebhookError{"body is not a JSON event: " + err.Error()}
	}
	switch e.Event {
	case EventTransferSuccess, EventTransferFailed, EventChargeSuccess, EventChargeFailed:
	default:
		return Event{}, &WebhookError{fmt.Sprintf("unknown event %.64q", e.Event)}
	}
	if e.Data.Reference == "" || len(e.Data.Reference) > 128 {
		return Event{}, &WebhookError{"data.reference must be 1–128 characters"}
	}
	if e.Data.Amount < 0 {
		return Event{}, &WebhookError{"data.amount must not be negative"}
	}
	return e, nil
}
