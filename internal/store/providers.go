package store

import (
	"context"
	"database/sql"

	"creditpocket/internal/sms"
)

// SMSOutbox adapts the DB to sms.Outbox.
func (db *DB) SMSOutbox() sms.Outbox { return outbox{db} }

type outbox struct{ db *DB }

func (o outbox) AddSMS(ctx context.Context, m *sms.Message) error {
	return o.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		return t.QueryRow(ctx, `INSERT INTO sms_outbox (phone, body, provider, created_at) VALUES ($1, $2, 'sandbox', $3) RETURNING id`,
			m.Phone, m.Body, Millis(m.CreatedAt)).Scan(&m.ID)
	})
}

func (o outbox) SMSFor(ctx context.Context, phone string, limit int) ([]sms.Message, error) {
	return ViewAll(ctx, o.db, func(r Scanner) (m sms.Message, err error) {
		var created int64
		err = r.Scan(&m.ID, &m.Phone, &m.Body, &created)
		m.CreatedAt = FromMillis(created)
		return m, err
	}, `SELECT id, phone, body, created_at FROM sms_outbox WHERE phone = $1 ORDER BY id DESC LIMIT $2`, phone, limit)
}
