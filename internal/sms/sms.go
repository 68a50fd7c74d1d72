// Package sms sends text messages to borrowers. The Sender contract has
// one implementation today, the sandbox, which sends nothing and keeps
// every message in the database so developers, demos and tests can read
// the codes (GET /sandbox/sms, served only while the sandbox is active).
package sms

import (
	"context"
	"time"
)

// Message is a text message the sandbox "sent".
type Message struct {
	ID        int64
	Phone     string // E.164 digits without '+'
	Body      string
	CreatedAt time.Time
}

// Outbox stores the sandbox's messages.
type Outbox interface {
	AddSMS(ctx context.Context, m *Message) error
	SMSFor(ctx context.Context, phone string, limit int) ([]Message, error)
}

// Sandbox is a Sender that stores messages instead of sending them.
type Sandbox struct {
	Outbox Outbox
	Now    func() time.Time
}

// Send stores the message.
func (s *Sandbox) Send(ctx context.Context, phone, text string) error {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return s.Outbox.AddSMS(ctx, &Message{Phone: phone, Body: text, CreatedAt: now().UTC()})
}

// Sent returns the newest messages to phone, newest first.
func (s *Sandbox) Sent(ctx context.Context, phone string, limit int) ([]Message, error) {
	return s.Outbox.SMSFor(ctx, phone, limit)
}
