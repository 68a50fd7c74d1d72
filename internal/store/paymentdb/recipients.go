package paymentdb

import (
	"context"
	"database/sql"

	"creditpocket/internal/payment"
	"creditpocket/internal/store"
)

// Recipients implements payment.RecipientStore: the provider's transfer
// recipients, one per provider, bank and account.
type Recipients struct{ db *store.DB }

// NewRecipients returns the payment recipients over db.
func NewRecipients(db *store.DB) *Recipients { return &Recipients{db: db} }

var _ payment.RecipientStore = (*Recipients)(nil)

// CreateRecipient stores r unless the provider, bank and account are
// known, and returns the stored recipient either way.
func (s *Recipients) CreateRecipient(ctx context.Context, r *payment.Recipient) (*payment.Recipient, error) {
	out := *r
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		if _, err := t.Exec(ctx, `INSERT INTO payment_recipients (code, provider, bank_code, account_hash, name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, bank_code, account_hash) DO NOTHING`,
			r.Code, r.Provider, r.BankCode, r.AccountHash, r.Name, store.Millis(r.CreatedAt)); err != nil {
			return err
		}
		var created int64
		err := t.QueryRow(ctx, `SELECT code, name, created_at FROM payment_recipients
			WHERE provider = $1 AND bank_code = $2 AND account_hash = $3`, r.Provider, r.BankCode, r.AccountHash).
			Scan(&out.Code, &out.Name, &created)
		out.CreatedAt = store.FromMillis(created)
		return err
	})
	return &out, err
}
