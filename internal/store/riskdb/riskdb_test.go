package riskdb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/risktest"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/riskdb"
	"creditpocket/internal/store/storetest"
	"creditpocket/internal/underwriting"
	"creditpocket/internal/vault"
)

var ctx = context.Background()

// riskStore is the risk store over a fresh database on engine e, with a
// clock the test controls.
func riskStore(t *testing.T, e store.Engine, now func() time.Time) (*store.DB, *riskdb.Store) {
	t.Helper()
	db := storetest.Open(t, e)
	v, err := vault.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return db, riskdb.New(db, v.Hash, now)
}

func TestStoreConformsToRiskStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		risktest.Exercise(t, func(t *testing.T, now func() time.Time) risk.Store {
			_, rs := riskStore(t, e, now)
			return rs
		})
	})
}

func TestRiskVelocitySurvivesANewStoreOnTheSameDatabase(t *testing.T) {
	now := risktest.T0
	db, rs := riskStore(t, store.SQLite, func() time.Time { return now })
	o := risk.Observation{At: risktest.T0, IDNumber: "22212345678"}
	if _, err := rs.Sources().Velocity.Observe(ctx, o); err != nil {
		t.Fatal(err)
	}
	v, _ := vault.New(make([]byte, 32))
	again := riskdb.New(db, v.Hash, nil)
	c, err := again.Sources().Velocity.Observe(ctx, o)
	if err != nil || c.IDNumber[risk.Month] != 2 {
		t.Fatalf("after restart: %+v, %v; want 2 events in 30 d", c.IDNumber, err)
	}
	if n, err := again.PruneVelocity(ctx, risktest.T0); err != nil || n != 2 {
		t.Fatalf("prune: %d, %v; want 2 rows", n, err)
	}
}

// TestRiskDecisionsSavedTogetherAreEachStored saves many decisions at once,
// so they share statements, and checks that each caller learns its own
// fate: stored, or a conflict for a sequence_id stored already.
func TestRiskDecisionsSavedTogetherAreEachStored(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		now := risktest.T0
		_, rs := riskStore(t, e, func() time.Time { return now })
		engine := risk.NewEngine(risk.DefaultPolicy(), risk.Config{})
		first := risktest.Decided(t, engine, "order-first")
		if err := rs.SaveDecision(ctx, first, risk.SourcePartnerAPI, "p1"); err != nil {
			t.Fatal(err)
		}
		const n = 40
		results := make([]error, n)
		recs := make([]*risk.Record, n)
		for i := range recs {
			recs[i] = risktest.Decided(t, engine, fmt.Sprint("order-", i))
		}
		recs[7] = first // stored already
		// PostgreSQL refuses NUL in text (the event decoder refuses it
		// too; a caller might not): the row fails, alone.
		recs[3].OrderID = "order-\x00"
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { results[i] = rs.SaveDecision(ctx, recs[i], risk.SourceLoanApply, "") })
		}
		wg.Wait()
		for i, err := range results {
			switch {
			case i == 7 && !errs.Is(err, errs.Conflict):
				t.Errorf("saving a stored sequence_id again: %v, want a conflict", err)
			case i == 3 && e == store.Postgres:
				if err == nil {
					t.Errorf("a decision PostgreSQL cannot store was stored")
				}
			case i != 7 && err != nil:
				t.Errorf("decision %d: %v", i, err)
			case i != 7:
				if got, err := rs.Decision(ctx, recs[i].SequenceID); err != nil || got.OrderID != recs[i].OrderID {
					t.Errorf("decision %d read back: %+v, %v", i, got, err)
				}
			}
		}
	})
}

// A gather and a loan application's decision commit without waiting for
// their WAL flush and plan generically; neither setting may outlive its
// statement on the pooled connection, where the next statement may move
// money. Run one after the other, they share one connection.
func TestRiskSessionSettingsEndWithTheirStatements(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		if e != store.Postgres {
			t.Skip("the settings are PostgreSQL's")
		}
		now := risktest.T0
		db, rs := riskStore(t, e, func() time.Time { return now })
		o := risk.Observation{At: risktest.T0, IDNumber: "22212345678", Phone: "2348031234567"}
		var got risk.Gathered
		rs.Sources().Gatherer.Gather(ctx, &risk.Lookup{Velocity: &o, Applicant: o.IDNumber, ContactPhones: []string{"2348030000000"}}, &got)
		if err := errors.Join(got.VelocityErr, got.ContactsErr); err != nil {
			t.Fatal(err)
		}
		rec := risktest.Decided(t, risk.NewEngine(risk.DefaultPolicy(), risk.Config{}), "order-settings")
		if err := rs.SaveDecision(ctx, rec, risk.SourceLoanApply, ""); err != nil {
			t.Fatal(err)
		}
		// A setting that outlived its transaction is the session's; the
		// value alone would not tell, as the server's default may be the same.
		for _, setting := range []string{"synchronous_commit", "plan_cache_mode"} {
			var value, source string
			err := db.Read(ctx, func(ctx context.Context, tx *store.Tx) error {
				return tx.QueryRow(ctx, "SELECT setting, source FROM pg_settings WHERE name = $1", setting).Scan(&value, &source)
			})
			if err != nil || source == "session" {
				t.Errorf("%s after a gather and a decision = %q set by the %s (%v), want the server's", setting, value, source, err)
			}
		}
	})
}

// TestRiskHistoryCountsTheBorrowersDisbursedLoans seeds loans behind the
// store's back (the loan engine writes them) and reads the history by
// phone, alone and through Gather.
func TestRiskHistoryCountsTheBorrowersDisbursedLoans(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db, rs := riskStore(t, e, func() time.Time { return risktest.T0 })
		at := risktest.T0.UnixMilli()
		err := db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error {
			for i, phone := range []string{"2348031234567", "2348030000000"} {
				if _, err := tx.Exec(ctx, `INSERT INTO users (id, phone, calling_code, mobile, password_hash, created_at, updated_at)
					VALUES ($1, $2, 234, $3, 'x', $4, $4)`, i+1, phone, phone[3:], at); err != nil {
					return err
				}
			}
			for _, l := range []struct {
				user      int
				status    loan.Status
				overDays  int
				disbursed int64
			}{
				{1, loan.StatusSettled, 3, at},
				{1, loan.StatusOverdue, 5, at},
				{1, loan.StatusRepaying, 0, at},
				{1, loan.StatusApplied, 0, 0},  // never disbursed: not in the history
				{2, loan.StatusOverdue, 9, at}, // another borrower's
			} {
				if _, err := tx.Exec(ctx, `INSERT INTO loans (user_id, product_id, product_json, currency, cycle, balance, actual_quote,
						service_fee, interest, prefix_fee, suffix_fee, shouldback_fee, penalty_cap, status, audit_risk_status,
						over_days, applied_at, disbursed_at, updated_at)
					VALUES ($1, 'p', '{}', 'NGN', 7, 0, 0, 0, 0, 0, 0, 0, 0, $2, 0, $3, $4, $5, $4)`,
					l.user, int(l.status), l.overDays, at, l.disbursed); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := risk.LoanHistory{Loans: 3, Settled: 1, Open: 2, WorstDaysOverdue: 5, CurrentDaysOverdue: 5}
		ref := risk.BorrowerRef{IDNumber: "22212345678", Phone: "2348031234567"}
		if h, err := rs.Sources().History.LoanHistory(ctx, ref); err != nil || h != want {
			t.Fatalf("LoanHistory = %+v, %v; want %+v", h, err, want)
		}
		var got risk.Gathered
		rs.Gather(ctx, &risk.Lookup{History: &ref, Velocity: &risk.Observation{At: risktest.T0, Phone: ref.Phone}}, &got)
		if got.HistoryErr != nil || got.VelocityErr != nil || got.History != want || got.Velocity.Phone[risk.Hour] != 1 {
			t.Fatalf("Gather = history %+v (%v), velocity %+v (%v); want %+v", got.History, got.HistoryErr, got.Velocity, got.VelocityErr, want)
		}
		// A loan application hands risk the loan engine's history instead
		// of this look-up by phone: both must mean the same.
		var h loan.History
		if err := loandb.New(db).View(ctx, func(ctx context.Context, tx loan.Tx) error {
			var err error
			h, err = tx.History(ctx, 1)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if mapped := underwriting.LoanHistory(h); mapped != want {
			t.Fatalf("the loan engine's history %+v maps to %+v; the risk store's is %+v", h, mapped, want)
		}
	})
}
