package loanmem

import (
	"context"
	"errors"
	"maps"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
)

// AppendLedger refuses as the database store does: an invalid transaction
// with its validation error; a batch that would take a balance out of the
// 64-bit range (posted in order, as ledger verify replays it) whole, with
// errs.Conflict and ErrBalanceOverflow; a reference already booked with
// errs.Conflict.
func (t *tx) AppendLedger(_ context.Context, txs []ledger.Transaction, now time.Time) error {
	for _, lt := range txs {
		if err := lt.Validate(); err != nil {
			return err
		}
	}
	after := maps.Clone(t.d.balances)
	for _, lt := range txs {
		if err := after.Post(lt); err != nil {
			return errors.Join(ErrBalanceOverflow, errs.E(errs.Conflict,
				"ledger transaction %q refused: an account balance would leave the 64-bit range; nothing was booked", lt.Reference), err)
		}
	}
	seen := map[string]bool{}
	for _, lt := range txs {
		if t.d.booked[lt.Reference] || seen[lt.Reference] {
			return errs.E(errs.Conflict, "a ledger transaction of this batch is already booked")
		}
		seen[lt.Reference] = true
	}
	for _, lt := range txs {
		t.d.booked[lt.Reference] = true
		t.d.ledger = append(t.d.ledger, lt)
	}
	t.d.balances = after
	return nil
}
