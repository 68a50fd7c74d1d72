package staffdb_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"creditpocket/internal/staff"
	"creditpocket/internal/staff/stafftest"
	"creditpocket/internal/store"
	"creditpocket/internal/store/staffdb"
	"creditpocket/internal/store/storetest"
)

func TestStoreConformsToStaffStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		stafftest.Exercise(t, func(t *testing.T) staff.Store { return staffdb.New(storetest.Open(t, e)) })
	})
}

// count counts a table's rows behind the store's back.
func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background(), func(ctx context.Context, tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAuditLogRefusesEditsBehindTheStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e)
		b := stafftest.Setup(t, staffdb.New(db))
		for i := range 16 {
			if err := b.Svc.Audit(ctx, staff.Actor{Email: fmt.Sprintf("s%d@example.com", i)}, "test", "", ""); err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range []string{
			`UPDATE staff_audit SET detail = 'nothing happened'`,
			`DELETE FROM staff_audit`,
		} {
			if err := db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error { _, err := tx.Exec(ctx, q); return err }); err == nil {
				t.Errorf("%s was allowed", q)
			}
		}
		if n, broken, _ := b.Svc.VerifyAudit(ctx); n != 16 || broken != nil {
			t.Fatalf("after refused edits: %d, %v", n, broken)
		}
	})
}

// TestEndedLockoutWindowsArePruned: made-up e-mails cannot fill the table
// of sign-in attempts, as windows that have ended are deleted.
func TestEndedLockoutWindowsArePruned(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e)
		b := stafftest.Setup(t, staffdb.New(db))
		en := b.Create(t, "ada@example.com", staff.Reviewer)
		signIn := func(email, password, code string) error {
			_, _, err := b.Svc.SignIn(ctx, staff.SignInInput{Email: email, Password: password, Code: code, IP: "10.0.0.1"})
			return err
		}
		for _, email := range []string{"ada@example.com", "nobody@example.com"} {
			for range b.Svc.Config.MaxFailures + 1 {
				_ = signIn(email, "wrong password!!", "000000")
			}
		}
		for i := range 20 {
			_ = signIn(fmt.Sprintf("made-up-%d@example.com", i), "wrong password!!", "000000")
		}
		if n := count(t, db, "signin_attempts"); n != 22 {
			t.Fatalf("%d rows of attempts; want 22", n)
		}
		b.Clock.Add(b.Svc.Config.LockWindow + time.Second)
		if err := signIn("ada@example.com", "correct horse battery", b.Code(t, en)); err != nil {
			t.Fatalf("after the window = %v", err)
		}
		if n := count(t, db, "signin_attempts"); n != 0 {
			t.Fatalf("%d rows of attempts left after the window and a sign-in; want 0", n)
		}
	})
}
