package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/inbox"
)

// The operator console's read-only queries of borrowers: messages and
// look-up by mobile. They never lock and never write.

// BorrowerMessages lists the message-centre messages sent to a borrower
// at or after since, oldest first, at most limit.
func (db *DB) BorrowerMessages(ctx context.Context, userID int64, since time.Time, limit int) ([]inbox.Message, error) {
	return ViewAll(ctx, db, func(r Scanner) (inbox.Message, error) {
		var m inbox.Message
		var created int64
		var read *int64
		err := r.Scan(&m.ID, &m.UserID, &m.Kind, &m.Title, &m.Content, &read, &created)
		m.Read, m.CreatedAt = read != nil, FromMillis(created)
		return m, err
	}, `SELECT id, user_id, kind, title, content, read_at, created_at FROM messages
		WHERE user_id = $1 AND created_at >= $2 ORDER BY id LIMIT $3`, userID, Millis(since), limit)
}

// BorrowerByMobile finds a borrower by national number (with or without
// the trunk 0) or E.164 digits; errs.NotFound when nobody matches.
func (db *DB) BorrowerByMobile(ctx context.Context, mobile string) (int64, error) {
	m := digits(mobile)
	var id int64
	err := db.Read(ctx, func(ctx context.Context, t *Tx) error {
		err := t.QueryRow(ctx, `SELECT id FROM users WHERE mobile = $1 OR phone = $2 ORDER BY id LIMIT 1`, strings.TrimLeft(m, "0"), m).Scan(&id)
		return notFound(err, "borrower with mobile "+strconv.Quote(mobile))
	})
	return id, err
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
