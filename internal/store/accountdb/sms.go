package accountdb

import (
	"context"
	"database/sql"

	"creditpocket/internal/sms"
	"creditpocket/internal/store"
)

// SMSOutbox implements sms.Outbox over the database: the texts the
// sandbox SMS provider "sent", for tests and the demo to read back.
type SMSOutbox struct{ db *store.DB }

// NewSMSOutbox returns the SMS outbox over db.
func NewSMSOutbox(db *store.DB) *SMSOutbox { return &SMSOutbox{db: db} }

var _ sms.Outbox = (*SMSOutbox)(nil)

func (o *SMSOutbox) AddSMS(ctx context.Context, m *sms.Message) error {
	return o.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		return t.QueryRow(ctx, `INSERT INTO sms_outbox (phone, body, provider, created_at) VALUES ($1, $2, 'sandbox', $3) RETURNING id`,
			m.Phone, m.Body, store.Millis(m.CreatedAt)).Scan(&m.ID)
	})
}

func (o *SMSOutbox) SMSFor(ctx context.Context, phone string, limit int) ([]sms.Message, error) {
	return store.ViewAll(ctx, o.db, func(r store.Scanner) (m sms.Message, err error) {
		var created int64
		err = r.Scan(&m.ID, &m.Phone, &m.Body, &created)
		m.CreatedAt = store.FromMillis(created)
		return m, err
	}, `SELECT id, phone, body, created_at FROM sms_outbox WHERE phone = $1 ORDER BY id DESC LIMIT $2`, phone, limit)
}
