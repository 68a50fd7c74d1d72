package store_test

import (
	"context"
	"testing"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/store"
	"creditpocket/internal/store/accountdb"
	"creditpocket/internal/store/storetest"
)

var ctx = context.Background()

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// mustUser creates a borrower, for the store tests of loans that need one.
func mustUser(t *testing.T, db *store.DB, phone string) *account.User {
	t.Helper()
	u := &account.User{Phone: phone, CallingCode: 234, Mobile: phone[3:], PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0}
	if err := accountdb.New(db).Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.CreateUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMigrationsAreIdempotentAndNumbered(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate applied %v, %v; want nothing", applied, err)
		}
		for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
			ms, err := store.Migrations(eng)
			if err != nil || len(ms) == 0 {
				t.Fatalf("Migrations(%s) = %d, %v", eng, len(ms), err)
			}
		}
		a, _ := store.Migrations(store.SQLite)
		b, _ := store.Migrations(store.Postgres)
		if len(a) != len(b) {
			t.Fatalf("engines have %d and %d migrations; every change needs both", len(a), len(b))
		}
		for i := range a {
			if a[i].Version != b[i].Version || a[i].Name != b[i].Name {
				t.Errorf("migration %d: sqlite has %03d_%s, postgres %03d_%s", i, a[i].Version, a[i].Name, b[i].Version, b[i].Name)
			}
		}
	})
}

// TestRowCountsCoverEveryTable keeps RowCounts' list whole: a migration's
// new table that the list forgot would let a test that proves a refused
// request wrote nothing miss what it wrote there.
func TestRowCountsCoverEveryTable(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
		if e == store.Postgres {
			q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
		}
		var created []string
		if err := db.View(ctx, func(ctx context.Context, tx *store.Tx) error {
			rs, err := tx.Query(ctx, q)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				var name string
				if err := rs.Scan(&name); err != nil {
					return err
				}
				if name != "schema_migrations" {
					created = append(created, name)
				}
			}
			return rs.Err()
		}); err != nil {
			t.Fatal(err)
		}
		counted, err := db.RowCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range created {
			if _, ok := counted[name]; !ok {
				t.Errorf("table %s is not in RowCounts' list (internal/store/db.go)", name)
			}
		}
		if len(created) == 0 {
			t.Fatal("no tables found")
		}
	})
}
