// Package loanmem is an in-memory loan.Store, for fast tests of the loan
// engine. It passes the same conformance suite as the database store
// (loantest.Exercise): the same uniqueness rules, optimistic versions,
// ledger checks and error codes, and a transaction that fails writes
// nothing.
//
// Transactions run one at a time: Tx holds the store's lock while fn runs
// on a copy of the data, and the copy replaces the data only when fn
// returns nil. Row locks are therefore implied, and LockBorrower does
// nothing.
package loanmem

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
)

// Store is an in-memory loan.Store. The zero value is empty and ready.
type Store struct {
	mu sync.Mutex
	d  data
}

var _ loan.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{} }

// ErrNested is returned when a transaction is begun inside another.
var ErrNested = errors.New("loanmem: a transaction was begun inside another transaction; pass the outer one's Tx instead")

// ErrBalanceOverflow marks a booking refused because an account's balance
// would leave the 64-bit range.
var ErrBalanceOverflow = errors.New("ledger balance would overflow")

type inTx struct{}

// data is everything the store holds. clone copies it deeply enough that
// a transaction's writes never reach the original: maps are copied, and
// stored values hold no shared mutable parts (photos are copied on the
// way in and out).
type data struct {
	products []loan.Product // in catalogue order
	loans    map[int64]loan.Record
	lastLoan int64
	payments map[string]loan.Payment

	booked   map[string]bool // ledger references
	ledger   []ledger.Transaction
	balances ledger.Balances

	messages []inbox.Message
	lastMsg  int64

	payoutEvents []loan.PayoutEvent
	retries      map[int64]time.Time
}

func (d *data) clone() data {
	c := *d
	c.products = slices.Clone(d.products)
	c.loans = maps.Clone(d.loans)
	c.payments = maps.Clone(d.payments)
	c.booked = maps.Clone(d.booked)
	c.ledger = slices.Clip(d.ledger)
	c.balances = maps.Clone(d.balances)
	c.messages = slices.Clip(d.messages)
	c.payoutEvents = slices.Clip(d.payoutEvents)
	c.retries = maps.Clone(d.retries)
	if c.loans == nil {
		c.loans = map[int64]loan.Record{}
	}
	if c.payments == nil {
		c.payments = map[string]loan.Payment{}
	}
	if c.booked == nil {
		c.booked = map[string]bool{}
	}
	if c.balances == nil {
		c.balances = ledger.Balances{}
	}
	if c.retries == nil {
		c.retries = map[int64]time.Time{}
	}
	return c
}

// run runs fn on a copy of the data under the lock, and keeps the copy
// when write is set and fn succeeded.
func (s *Store) run(ctx context.Context, write bool, fn func(context.Context, loan.Tx) error) error {
	if ctx.Value(inTx{}) != nil {
		return ErrNested
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.d.clone()
	if err := fn(context.WithValue(ctx, inTx{}, true), &tx{d: &c}); err != nil {
		return err
	}
	if write {
		s.d = c
	}
	return nil
}

// Tx implements loan.Store: fn runs alone, on a copy kept only if fn
// returns nil.
func (s *Store) Tx(ctx context.Context, fn func(context.Context, loan.Tx) error) error {
	return s.run(ctx, true, fn)
}

// InsertApplication implements loan.Store over one transaction.
func (s *Store) InsertApplication(ctx context.Context, r *loan.Record, rows func(*loan.Record) loan.ApplicationRows) error {
	return s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return loan.WriteApplication(ctx, tx, r, rows) })
}

// View implements loan.Store: fn reads one snapshot; what it writes is
// dropped.
func (s *Store) View(ctx context.Context, fn func(context.Context, loan.Tx) error) error {
	return s.run(ctx, false, fn)
}

// Read implements loan.Store as View does.
func (s *Store) Read(ctx context.Context, fn func(context.Context, loan.Tx) error) error {
	return s.run(ctx, false, fn)
}

// Ledger returns the booked ledger transactions in booking order, for
// tests to verify.
func (s *Store) Ledger() []ledger.Transaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d.ledger)
}

// Balances returns every account's balance.
func (s *Store) Balances() ledger.Balances {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.d.balances)
}

// Messages returns the messages sent, oldest first.
func (s *Store) Messages() []inbox.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d.messages)
}

// Facts returns what every loan's record claims about its money, in id
// order, for ledger.Verify.
func (s *Store) Facts() []ledger.LoanFacts {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := slices.Sorted(maps.Keys(s.d.loans))
	out := make([]ledger.LoanFacts, len(ids))
	for i, id := range ids {
		r := s.d.loans[id]
		out[i] = r.Facts()
	}
	return out
}

// tx implements loan.Tx on a transaction's copy of the data.
type tx struct{ d *data }

var _ loan.Tx = (*tx)(nil)

// stored is a time as the database keeps it: milliseconds, in UTC.
func stored(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// parseID is a loan id as the database reads it; errs.NotFound for one
// that cannot be a loan's.
func parseID(id loan.ID) (int64, error) {
	if id <= 0 {
		return 0, errs.E(errs.NotFound, "loan %d not found", id)
	}
	return int64(id), nil
}
