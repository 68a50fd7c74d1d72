package loantest

import (
	"context"
	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"errors"
	"math"
	"sync"
	"testing"
)

func funding(t *testing.T, ref string, amount ledger.Money) ledger.Transaction {
	t.Helper()
	lt, err := ledger.Funding(ref, "NGN", amount)
	if err != nil {
		t.Fatal(err)
	}
	return lt
}

func appendLedger(s loan.Store, txs ...ledger.Transaction) error {
	return s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.AppendLedger(ctx, txs, T0) })
}

func ledgerAppend(t *testing.T, s loan.Store) {
	if err := appendLedger(s, funding(t, "cap", ledger.Money(math.MaxInt64-10))); err != nil {
		t.Fatal(err)
	}
	if err := appendLedger(s, funding(t, "cap", 1)); !errs.Is(err, errs.Conflict) {
		t.Fatalf("booking a reference twice: %v; want a conflict", err)
	}
	if err := appendLedger(s, funding(t, "twin", 1), funding(t, "twin", 1)); !errs.Is(err, errs.Conflict) {
		t.Fatalf("one reference twice in a batch: %v; want a conflict", err)
	}
	unbalanced := funding(t, "unbalanced", 5)
	unbalanced.Postings[0].Amount++
	if err := appendLedger(s, unbalanced); err == nil {
		t.Fatal("an unbalanced transaction was booked")
	}
	err := appendLedger(s, funding(t, "fine", 5), funding(t, "over", 6))
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("overflowing batch: %v; want a conflict", err)
	}
	// Nothing of the refused batch was kept: its first transaction books
	// now, and after it what is left to the limit, exactly.
	for _, ref := range []string{"fine", "unbalanced", "twin"} {
		if err := appendLedger(s, funding(t, ref, 1)); err != nil {
			t.Fatalf("booking %s after its refusal: %v", ref, err)
		}
	}
	if err := appendLedger(s, funding(t, "last", 7)); err != nil {
		t.Fatalf("funding up to the limit: %v", err)
	}
	if err := appendLedger(s, funding(t, "more", 1)); !errs.Is(err, errs.Conflict) {
		t.Fatalf("funding past the limit: %v; want a conflict", err)
	}
	if err := appendLedger(s); err != nil {
		t.Fatalf("an empty batch: %v", err)
	}
}

// lockedWriters changes one loan from many transactions at once, each
// reading it for update first: the lock makes each read the one before's
// write, so no version conflict and no lost update.
func lockedWriters(t *testing.T, s loan.Store) {
	r := disbursed(t, s, 1)
	p := checkoutOf(r, "PAY_w", loan.PayRepayment, loan.PayPending)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error { return tx.InsertPayment(ctx, p) })
	const writers = 8
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
				var l *loan.Record
				if i%2 == 0 {
					if _, err := tx.PaymentForUpdate(ctx, p.Reference); err != nil { // locks the loan first
						return err
					}
				}
				l, err := tx.LoanForUpdate(ctx, r.ID)
				if err != nil {
					return err
				}
				l.Received++
				return tx.UpdateLoan(ctx, l)
			})
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Errorf("a locked writer failed: %v", err)
		}
	}
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		got, err := tx.Loan(ctx, r.ID)
		if err == nil && (got.Received != r.Received+writers || got.Version != r.Version+writers) {
			t.Errorf("after %d writers: received %d (was %d), version %d (was %d)", writers, got.Received, r.Received, got.Version, r.Version)
		}
		return err
	})
}

func failedWritesNothing(t *testing.T, s loan.Store) {
	boom := errors.New("boom")
	r := application(t, 1)
	err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		if err := tx.InsertLoan(ctx, r); err != nil {
			return err
		}
		if err := tx.AppendLedger(ctx, []ledger.Transaction{funding(t, "kept?", 100)}, T0); err != nil {
			return err
		}
		if err := tx.SaveProduct(ctx, loan.DemoProducts()[0]); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx = %v; want the function's error", err)
	}
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		if h, err := tx.History(ctx, 1); err != nil || h != (loan.History{}) {
			t.Errorf("history after a failed transaction = %+v, %v; want none", h, err)
		}
		if ps, err := tx.Products(ctx, false); err != nil || len(ps) != 0 {
			t.Errorf("products after a failed transaction = %v, %v; want none", ps, err)
		}
		return nil
	})
	if err := appendLedger(s, funding(t, "kept?", 100)); err != nil {
		t.Fatalf("the failed transaction's ledger reference is taken: %v", err)
	}
	// The borrower may apply: the failed insert left no unfinished loan.
	tx(t, s, func(ctx context.Context, tx loan.Tx) error { return tx.InsertLoan(ctx, application(t, 1)) })
}

func nested(t *testing.T, s loan.Store) {
	for name, begin := range map[string]func(context.Context, func(context.Context, loan.Tx) error) error{
		"Tx": s.Tx, "View": s.View, "Read": s.Read,
	} {
		inner := false
		err := s.Tx(ctx, func(ctx context.Context, _ loan.Tx) error {
			return begin(ctx, func(context.Context, loan.Tx) error { inner = true; return nil })
		})
		if err == nil || inner {
			t.Errorf("%s inside Tx: ran %v, err %v; want it refused", name, inner, err)
		}
	}
}

func messages(t *testing.T, s loan.Store) {
	m := &inbox.Message{UserID: 1, Kind: inbox.KindLoan, Title: "Loan approved", Content: "…", CreatedAt: T0}
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		if err := tx.AddMessage(ctx, m); err != nil {
			return err
		}
		return tx.AddMessages(ctx, []inbox.Message{
			{UserID: 1, Kind: inbox.KindLoan, Title: "a", CreatedAt: T0},
			{UserID: 2, Kind: inbox.KindLoan, Title: "b", CreatedAt: T0},
		})
	})
	if m.ID <= 0 {
		t.Fatalf("message id = %d; want it set", m.ID)
	}
}
