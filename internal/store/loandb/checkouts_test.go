package loandb_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

// TestMigrationClosesCheckoutsLeftOpen replays migration 012 over payments
// written before it: several open checkouts of one loan, and one of a
// settled loan.
func TestMigrationClosesCheckoutsLeftOpen(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		if err := loandb.New(db).SeedProducts(ctx, loan.DemoProducts()); err != nil {
			t.Fatal(err)
		}
		owing := newLoan(t, db, mustUser(t, db, "2347068425023").ID, true)
		settled := newLoan(t, db, mustUser(t, db, "2348012345678").ID, true)
		for _, q := range []string{
			`DROP INDEX payments_open_checkout`,
			`DROP TABLE sandbox_cancelled_checkouts`,
			`ALTER TABLE payments DROP COLUMN closed_reason`,
			`ALTER TABLE payments DROP COLUMN cycle_due`,
			`DELETE FROM schema_migrations WHERE version = 12`,
			`UPDATE loans SET status = 8 WHERE id = ` + settled.ID.String(),
		} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		legacy := []struct {
			ref    string
			loanID string
			at     time.Time
		}{
			{"PAY_a", owing.ID.String(), t0}, {"PAY_b", owing.ID.String(), t0.Add(time.Minute)}, {"PAY_c", owing.ID.String(), t0.Add(time.Minute)},
			{"PAY_s", settled.ID.String(), t0},
		}
		for _, p := range legacy {
			if _, err := db.Exec(ctx, `INSERT INTO payments (reference, loan_id, user_id, kind, amount, status, idempotency_key, created_at, updated_at)
				VALUES ($1, $2, 1, 'repayment', 1000, 'pending', $1, $3, $3)`, p.ref, mustInt(t, p.loanID), p.at.UnixMilli()); err != nil {
				t.Fatal(err)
			}
		}
		if applied, err := db.Migrate(ctx); err != nil || len(applied) != 1 || applied[0] != 12 {
			t.Fatalf("migrate = %v, %v", applied, err)
		}
		want := map[string]string{"PAY_a": loan.PaySuperseded, "PAY_b": loan.PaySuperseded, "PAY_c": loan.PayPending, "PAY_s": loan.PayClosed}
		for ref, st := range want {
			var got string
			if err := db.View(ctx, func(ctx context.Context, tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT status FROM payments WHERE reference = $1`, ref).Scan(&got)
			}); err != nil {
				t.Fatal(err)
			}
			if got != st {
				t.Errorf("%s is %s after the migration; want %s", ref, got, st)
			}
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
