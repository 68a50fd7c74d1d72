package store

import (
	"context"

	"creditpocket/internal/inbox"
)

// AddMessage puts a message in the borrower's message centre, for loan.Tx
// (the account side's own is in accountdb; this one goes with loan.Tx
// when the loan store gets its own package).
func (t *Tx) AddMessage(ctx context.Context, m *inbox.Message) error {
	return t.QueryRow(ctx, `INSERT INTO messages (user_id, kind, title, content, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.UserID, m.Kind, m.Title, m.Content, Millis(m.CreatedAt)).Scan(&m.ID)
}
