package store

import (
	"context"
	"database/sql"

	"creditpocket/internal/payment"
)

// PaymentRecipients adapts the DB to payment.RecipientStore.
func (db *DB) PaymentRecipients() payment.RecipientStore { return recipients{db} }

type recipients struct{ db *DB }

func (s recipients) CreateRecipient(ctx context.Context, r *payment.Recipient) (*payment.Recipient, error) {
	out := *r
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		if _, err := t.Exec(ctx, `INSERT INTO payment_recipients (code, provider, bank_code, account_hash, name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, bank_code, account_hash) DO NOTHING`,
			r.Code, r.Provider, r.BankCode, r.AccountHash, r.Name, Millis(r.CreatedAt)); err != nil {
			return err
		}
		var created int64
		err := t.QueryRow(ctx, `SELECT code, name, created_at FROM payment_recipients
			WHERE provider = $1 AND bank_code = $2 AND account_hash = $3`, r.Provider, r.BankCode, r.AccountHash).
			Scan(&out.Code, &out.Name, &created)
		out.CreatedAt = FromMillis(created)
		return err
	})
	return &out, err
}
