package loantest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/cob"
	"creditpocket/internal/loan/loanmem"
	"creditpocket/internal/loan/payout"
	"creditpocket/internal/loan/repay"
)

// Engine is the loan engine's flows wired over the in-memory store, which
// passes the same conformance suite as the database store: the flows'
// tests take milliseconds, with no database. It has the demo products and
// funded capital, and holds the ledger against the loans when the test
// ends.
type Engine struct {
	t        *testing.T
	Loans    *loan.Service
	Payouts  *payout.Dispatcher
	Repay    *repay.Service
	COB      *cob.Runner
	Store    *loanmem.Store
	Provider *Provider
	Photos   *Photos
	Clock    *Clock
}

// Start is when an Engine's clock starts.
var Start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// NewEngine returns an engine whose risk decision is always d.
func NewEngine(t *testing.T, d loan.Decision) *Engine {
	t.Helper()
	e := &Engine{t: t, Store: loanmem.New(), Provider: &Provider{}, Photos: &Photos{}, Clock: &Clock{now: Start}}
	clock := loan.Clock{Now: e.Clock.Now}
	e.Payouts = &payout.Dispatcher{Store: e.Store, Provider: e.Provider, Clock: clock}
	e.Repay = &repay.Service{Store: e.Store, Provider: e.Provider, Payouts: e.Payouts, Clock: clock}
	e.Payouts.Results = e.Repay
	e.COB = &cob.Runner{Store: e.Store, Clock: clock}
	e.Loans = &loan.Service{Store: e.Store, Decider: decider{loan.Verdict{Decision: d, Reason: "rule", Score: 700}},
		Borrowers: borrowers{}, Photos: e.Photos, Payouts: e.Payouts, Now: e.Clock.Now}
	for _, p := range loan.DemoProducts() {
		if err := e.Loans.SaveProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	fund, err := ledger.Funding("capital", "NGN", 1_000_000_000_00)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		return tx.AppendLedger(ctx, []ledger.Transaction{fund}, Start)
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.verify)
	return e
}

// verify holds the ledger against the loans after every test.
func (e *Engine) verify() {
	if vs := ledger.Verify(e.Store.Ledger(), e.Store.Facts()); len(vs) > 0 {
		e.t.Errorf("ledger verify: %v", vs)
	}
}

// Apply applies for user's loan of the first demo product.
func (e *Engine) Apply(user int64) *loan.Record {
	e.t.Helper()
	r, err := e.Loans.Apply(ctx, loan.ApplyInput{UserID: user, ProductID: loan.DemoProducts()[0].ID, Photos: [][]byte{[]byte("jpeg")}})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// Loan reads a loan as stored.
func (e *Engine) Loan(id loan.ID) *loan.Record {
	e.t.Helper()
	r, err := e.Loans.AnyLoan(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// Disbursed applies for user's loan and confirms its payout.
func (e *Engine) Disbursed(user int64) *loan.Record {
	e.t.Helper()
	r := e.Apply(user)
	e.Paid(fmt.Sprintf("DSB_%s_1", r.ID), r.Pricing.Disbursed)
	return e.Loan(r.ID)
}

// Paid is the provider's webhook: payment ref succeeded with amount.
func (e *Engine) Paid(ref string, amount ledger.Money) {
	e.t.Helper()
	if err := e.Repay.HandlePayment(ctx, loan.PaymentResult{Reference: ref, Succeeded: true, Amount: amount}); err != nil {
		e.t.Fatal(err)
	}
}

// Checkout opens a repayment checkout of amount (0: all owed) with key.
func (e *Engine) Checkout(user int64, id loan.ID, amount ledger.Money, key string) *loan.Payment {
	e.t.Helper()
	p, err := e.Repay.Repay(ctx, repay.Input{UserID: user, LoanID: id, Amount: amount, IdempotencyKey: key, RequestHash: "h-" + key})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// Owed is everything r owes.
func Owed(t *testing.T, r *loan.Record) ledger.Money {
	t.Helper()
	v, err := r.Outstanding.Total()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// decider answers every application with verdict.
type decider struct{ verdict loan.Verdict }

func (d decider) Decide(context.Context, loan.DecisionInput) (loan.Verdict, error) {
	return d.verdict, nil
}

// borrowers knows every borrower, all with a complete profile.
type borrowers struct{}

func (borrowers) Borrower(_ context.Context, userID int64) (*loan.Borrower, error) {
	return &loan.Borrower{UserID: userID, Phone: "2347068425023", Mobile: "7068425023", First: "Ada", Last: "Obi",
		Complete: true, Card: loan.Card{ID: 1, BankCode: "058", RecipientCode: "RCP_1"}}, nil
}

// Photos keeps photos in a map.
type Photos struct {
	mu   sync.Mutex
	kept map[string][]byte
}

func (p *Photos) PutPhoto(_ context.Context, userID int64, data []byte) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kept == nil {
		p.kept = map[string][]byte{}
	}
	k := fmt.Sprintf("photo-%d-%d", userID, len(p.kept)+1)
	p.kept[k] = data
	return k, nil
}

func (p *Photos) DeletePhoto(_ context.Context, key string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.kept, key)
	return nil
}

// Kept is how many photos are kept.
func (p *Photos) Kept() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.kept) }

// Provider records what the engine asked of the payment provider.
type Provider struct {
	mu        sync.Mutex
	disbursed []string // payout references, in order
	cancelled []string // checkout references
}

func (p *Provider) Disburse(_ context.Context, ref, _ string, _ ledger.Money, _ string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.disbursed = append(p.disbursed, ref)
	return nil
}

func (p *Provider) Checkout(_ context.Context, ref string, _ ledger.Money, _ string) (string, error) {
	return "https://pay.example/" + ref, nil
}

func (p *Provider) CancelCheckout(_ context.Context, ref, _ string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cancelled = append(p.cancelled, ref)
	return nil
}

// Disbursed lists the payouts sent, in order.
func (p *Provider) Disbursed() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.disbursed...)
}

// Cancelled lists the checkouts the provider was told to cancel, in order.
func (p *Provider) Cancelled() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.cancelled...)
}

// Clock is a settable now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *Clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }
