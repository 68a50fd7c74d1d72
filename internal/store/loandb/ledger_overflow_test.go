package loandb_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"testing"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

// TestLedgerNearTheInt64LimitsCommitsBalancedOrRefusesWhole books random
// transactions with amounts around MaxInt64, MaxInt64/2 and MinInt64
// (from a seeded generator, so a failure replays) and holds the store
// against a model: every transaction the model can post commits, every
// one it cannot is refused with nothing written, and afterwards the stored
// balances, the postings' sums and ledger.Verify all agree.
func TestLedgerNearTheInt64LimitsCommitsBalancedOrRefusesWhole(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		// Accounts that may go negative, so the only rule random postings
		// can break is the 64-bit range.
		accounts := []string{ledger.LenderFunding, ledger.IncomeInterest, ledger.IncomeFee, ledger.IncomePenalty,
			ledger.IncomeExtension, ledger.ExpenseWriteOff}
		rng := rand.New(rand.NewPCG(12, 2026))
		near := func() ledger.Money {
			bases := []int64{math.MaxInt64, math.MaxInt64 / 2, math.MinInt64, math.MinInt64 / 2, int64(ledger.MaxAmount), 1}
			b := bases[rng.IntN(len(bases))]
			d := rng.Int64N(1000)
			if b > 0 {
				return ledger.Money(b - d)
			}
			return ledger.Money(b + d)
		}
		model := ledger.Balances{}
		committed, refused := 0, 0
		for i := range 300 {
			a, b, c := accounts[rng.IntN(len(accounts))], accounts[rng.IntN(len(accounts))], accounts[rng.IntN(len(accounts))]
			x, y := near(), near()
			ps := []ledger.Posting{{Account: a, Amount: x}, {Account: b, Amount: -x}}
			if rng.IntN(2) == 0 { // three postings: x + y + (−x−y), which may itself overflow
				ps = []ledger.Posting{{Account: a, Amount: x}, {Account: b, Amount: y}, {Account: c, Amount: -x - y}}
			}
			lt := ledger.Transaction{Reference: fmt.Sprintf("prop-%d", i), Kind: ledger.KindFunding, Currency: "NGN", Postings: ps}
			want := maps.Clone(model)
			modelErr := want.Post(lt)
			before, err := db.RowCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = loandb.New(db).Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.AppendLedger(ctx, []ledger.Transaction{lt}, t0) })
			switch {
			case modelErr == nil && err != nil:
				t.Fatalf("transaction %d %v: the model books it, the store refused: %v", i, ps, err)
			case modelErr != nil && err == nil:
				t.Fatalf("transaction %d %v: the model refuses it (%v), the store booked it", i, ps, modelErr)
			case err != nil:
				refused++
				if !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.Invalid) && !isValidation(err) {
					t.Fatalf("transaction %d refused with %v, want a conflict or an invalid transaction", i, err)
				}
				after, err := db.RowCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !maps.Equal(before, after) {
					t.Fatalf("transaction %d was refused but rows changed: %v → %v", i, before, after)
				}
			default:
				committed++
				model = want
			}
		}
		if committed < 30 || refused < 30 {
			t.Fatalf("%d committed, %d refused: the generator does not exercise both sides", committed, refused)
		}
		stored, err := loandb.New(db).LedgerBalances(ctx)
		if err != nil {
			t.Fatal(err)
		}
		txs, err := loandb.New(db).LedgerTransactions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		summed, err := ledger.BalancesOf(txs)
		if err != nil {
			t.Fatalf("the booked postings do not sum: %v", err)
		}
		for acct, v := range model {
			if stored[acct] != v || summed[acct] != v {
				t.Errorf("%s: model %d, stored %d, postings %d", acct, v, stored[acct], summed[acct])
			}
		}
		if vs := ledger.Verify(txs, nil); len(vs) > 0 {
			t.Fatalf("ledger verify: %v", vs)
		}
	})
}

func isValidation(err error) bool {
	var v *ledger.ValidationError
	return errors.As(err, &v)
}

// TestABatchOverflowingOneAccountWritesNothing books a batch whose second
// transaction would overflow provider cash: neither transaction is kept,
// and the next booking sees the balances as they were.
func TestABatchOverflowingOneAccountWritesNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		if err := loandb.New(db).Fund(ctx, "cap", "NGN", ledger.Money(math.MaxInt64-10)); err != nil {
			t.Fatal(err)
		}
		ok, _ := ledger.Funding("fine", "NGN", 5)
		over, _ := ledger.Funding("over", "NGN", 6)
		err := loandb.New(db).Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
			return tx.AppendLedger(ctx, []ledger.Transaction{ok, over}, t0)
		})
		if !errs.Is(err, errs.Conflict) || !errors.Is(err, loandb.ErrBalanceOverflow) {
			t.Fatalf("overflowing batch: %v", err)
		}
		t.Run("funding that overflows is refused, not taken for a duplicate", func(t *testing.T) {
			if err := loandb.New(db).Fund(ctx, "more", "NGN", 11); !errors.Is(err, loandb.ErrBalanceOverflow) {
				t.Fatalf("Fund = %v", err)
			}
		})
		b, err := loandb.New(db).LedgerBalances(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b[ledger.ProviderCash] != math.MaxInt64-10 || len(b) != 2 {
			t.Fatalf("balances after the refusals: %v", b)
		}
		if err := loandb.New(db).Fund(ctx, "last", "NGN", 10); err != nil {
			t.Fatalf("funding up to the limit: %v", err)
		}
	})
}
