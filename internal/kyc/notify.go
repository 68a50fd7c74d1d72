package kyc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"time"

	"creditpocket/internal/webhook"
)

// Webhook headers: the Standard Webhooks scheme of package webhook, which
// merchants' libraries know. webhook-id is the event id (the same on every
// retry), webhook-timestamp the Unix time of this attempt, and
// webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>" under
// the merchant's webhook secret, so a captured notification cannot be
// replayed later with a new time.
const (
	SignatureHeader = webhook.SignatureHeader
	TimestampHeader = webhook.TimestampHeader
	EventIDHeader   = webhook.IDHeader
)

// EventStatusChanged is the only event today.
const EventStatusChanged = "kyc.status_changed"

// Notification is one webhook call waiting in the persisted outbox. It
// is written in the same transaction as the status change it reports, so
// a change is never lost nor notified without having happened.
type Notification struct {
	ID          int64
	EventID     string
	PartnerID   string
	URL         string
	Body        []byte // exactly the bytes signed and sent on every attempt
	Attempts    int
	NextAttempt time.Time
	CreatedAt   time.Time
	DeliveredAt time.Time
	LastError   string
}

// Event is the webhook body.
type Event struct {
	ID         string `json:"id"`
	Event      string `json:"event"`
	TradeNo    string `json:"mc_trade_no"`
	CardTypeID string `json:"card_type_id"`
	UserRef    string `json:"user_ref"`
	// Seq orders a KYC's events, which retries can deliver out of
	// order: 1 for the submission, 2 for the decision.
	Seq        int      `json:"seq"`
	Status     Status   `json:"status"`
	Review     bool     `json:"review"`
	Reasons    []string `json:"reasons"`
	OccurredAt string   `json:"occurred_at"` // RFC 3339, UTC
}

// notify queues the merchant's notification of sub's current status.
func (s *Service) notify(ctx context.Context, tx Tx, b *Binding, sub *Submission, now time.Time) error {
	if b.NotifyURL == "" {
		return nil
	}
	ev := Event{ID: newEventID(), Event: EventStatusChanged, TradeNo: b.TradeNo, CardTypeID: b.CardTypeID, UserRef: b.UserRef,
		Seq: seq(sub.Status), Status: sub.Status, Review: sub.Review, Reasons: sub.MerchantReasons(), OccurredAt: now.Format(time.RFC3339)}
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return tx.EnqueueNotification(ctx, &Notification{EventID: ev.ID, PartnerID: b.PartnerID, URL: b.NotifyURL,
		Body: body, NextAttempt: now, CreatedAt: now})
}

func seq(s Status) int {
	if s == Submitted {
		return 1
	}
	return 2
}

// WebhookKey is the partner's webhook signing key, derived from the master
// key so nothing needs storing.
func (s *Service) WebhookKey(partnerID string) []byte {
	k, _ := hex.DecodeString(s.Vault.Hash("kyc.webhook-secret", partnerID))
	return k
}

// WebhookSecret is the partner's webhook secret as merchants fetch it once
// through the API: "whsec_" and the base64 of WebhookKey.
func (s *Service) WebhookSecret(partnerID string) string {
	return webhook.FormatSecret(s.WebhookKey(partnerID))
}
