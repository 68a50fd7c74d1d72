package loandb_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

func checkoutOf(r *loan.Record, ref, kind, status string) *loan.Payment {
	return &loan.Payment{Reference: ref, LoanID: r.ID, UserID: r.UserID(), Kind: kind, Amount: 1000, Status: status,
		IdempotencyKey: "key-" + ref, CreatedAt: t0, UpdatedAt: t0}
}

func TestALoanHasOneOpenCheckout(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		if err := loandb.New(db).SeedProducts(ctx, loan.DemoProducts()); err != nil {
			t.Fatal(err)
		}
		r := newLoan(t, db, mustUser(t, db, "2347068425023").ID, true)
		insert := func(p *loan.Payment) error {
			return loandb.New(db).Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.InsertPayment(ctx, p) })
		}
		first := checkoutOf(r, "PAY_1", loan.PayRepayment, loan.PayPending)
		first.CycleDue = r.DueDate
		if err := insert(first); err != nil {
			t.Fatal(err)
		}
		t.Run("the database refuses a second open checkout of the loan", func(t *testing.T) {
			for _, kind := range []string{loan.PayRepayment, loan.PayExtension} {
				if err := insert(checkoutOf(r, "PAY_2"+kind, kind, loan.PayPending)); !errs.Is(err, errs.Conflict) {
					t.Errorf("second open %s checkout: %v; want a conflict", kind, err)
				}
			}
		})
		t.Run("closed and paid checkouts and payouts are not counted", func(t *testing.T) {
			for i, st := range []string{loan.PaySuccess, loan.PayFailed, loan.PaySuperseded, loan.PayClosed, loan.PayCredited} {
				if err := insert(checkoutOf(r, "PAY_c"+strconv.Itoa(i), loan.PayRepayment, st)); err != nil {
					t.Errorf("%s checkout beside an open one: %v", st, err)
				}
			}
			dsb := checkoutOf(r, "DSB_x", loan.PayDisbursement, loan.PayPending)
			dsb.IdempotencyKey = ""
			if err := insert(dsb); err != nil {
				t.Errorf("pending payout beside an open checkout: %v", err)
			}
		})
		t.Run("superseding the open one lets a new one open", func(t *testing.T) {
			err := loandb.New(db).Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
				open, err := tx.OpenCheckouts(ctx, r.ID)
				if err != nil || len(open) != 1 || open[0].Reference != "PAY_1" || open[0].CycleDue != r.DueDate {
					t.Fatalf("open checkouts = %+v, %v", open, err)
				}
				open[0].Status, open[0].ClosedReason, open[0].UpdatedAt = loan.PaySuperseded, "superseded by PAY_3", t0.Add(time.Minute)
				if err := tx.UpdatePayment(ctx, &open[0]); err != nil {
					return err
				}
				return tx.InsertPayment(ctx, checkoutOf(r, "PAY_3", loan.PayExtension, loan.PayPending))
			})
			if err != nil {
				t.Fatal(err)
			}
			var got *loan.Payment
			if err := loandb.New(db).Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
				var err error
				got, err = tx.PaymentForUpdate(ctx, "PAY_1")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if got.Status != loan.PaySuperseded || got.ClosedReason != "superseded by PAY_3" {
				t.Fatalf("superseded checkout reads back as %+v", got)
			}
		})
	})
}

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
			`UPDATE loans SET status = 8 WHERE id = ` + settled.ID,
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
			{"PAY_a", owing.ID, t0}, {"PAY_b", owing.ID, t0.Add(time.Minute)}, {"PAY_c", owing.ID, t0.Add(time.Minute)},
			{"PAY_s", settled.ID, t0},
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
