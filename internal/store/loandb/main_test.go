package loandb_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/store"
)

var ctx = context.Background()

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// mustUser stores a borrower with phone (E.164 digits) for loans to
// belong to.
func mustUser(t *testing.T, db *store.DB, phone string) *account.User {
	t.Helper()
	u := &account.User{Phone: phone, CallingCode: 234, Mobile: phone[3:], PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0}
	err := db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO users (phone, calling_code, mobile, password_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			u.Phone, u.CallingCode, u.Mobile, u.PasswordHash, t0.UnixMilli(), t0.UnixMilli()).Scan(&u.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}
