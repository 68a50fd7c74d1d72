package loan_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/loanmem"
)

// The loan engine's rules run here against the in-memory store, which
// passes the same conformance suite as the database store: milliseconds
// per test, no database.

var ctx = context.Background()

var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

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

// photos keeps photos in a map.
type photos struct {
	mu   sync.Mutex
	kept map[string][]byte
}

func (p *photos) PutPhoto(_ context.Context, userID int64, data []byte) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kept == nil {
		p.kept = map[string][]byte{}
	}
	k := fmt.Sprintf("photo-%d-%d", userID, len(p.kept)+1)
	p.kept[k] = data
	return k, nil
}

func (p *photos) DeletePhoto(_ context.Context, key string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.kept, key)
	return nil
}

// provider records what the engine asked of the payment provider.
type provider struct {
	mu        sync.Mutex
	disbursed []string // payout references, in order
	cancelled []string // checkout references
}

func (p *provider) Disburse(_ context.Context, ref, _ string, _ ledger.Money, _ string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.disbursed = append(p.disbursed, ref)
	return nil
}

func (p *provider) Checkout(_ context.Context, ref string, _ ledger.Money, _ string) (string, error) {
	return "https://pay.example/" + ref, nil
}

func (p *provider) CancelCheckout(_ context.Context, ref, _ string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cancelled = append(p.cancelled, ref)
	return nil
}

// clock is a settable now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// bench is a loan service over an in-memory store with the demo products
// and funded capital.
type bench struct {
	t        *testing.T
	svc      *loan.Service
	store    *loanmem.Store
	provider *provider
	photos   *photos
	clock    *clock
}

func newBench(t *testing.T, d loan.Decision) *bench {
	t.Helper()
	b := &bench{t: t, store: loanmem.New(), provider: &provider{}, photos: &photos{}, clock: &clock{now: start}}
	b.svc = &loan.Service{Store: b.store, Decider: decider{loan.Verdict{Decision: d, Reason: "rule", Score: 700}},
		Provider: b.provider, Borrowers: borrowers{}, Photos: b.photos, Now: b.clock.Now}
	for _, p := range loan.DemoProducts() {
		if err := b.svc.SaveProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	fund, err := ledger.Funding("capital", "NGN", 1_000_000_000_00)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		return tx.AppendLedger(ctx, []ledger.Transaction{fund}, start)
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.verify)
	return b
}

// verify holds the ledger against the loans after every test.
func (b *bench) verify() {
	if vs := ledger.Verify(b.store.Ledger(), b.store.Facts()); len(vs) > 0 {
		b.t.Errorf("ledger verify: %v", vs)
	}
}

func (b *bench) apply(user int64) *loan.Record {
	b.t.Helper()
	r, err := b.svc.Apply(ctx, loan.ApplyInput{UserID: user, ProductID: loan.DemoProducts()[0].ID, Photos: [][]byte{[]byte("jpeg")}})
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

func (b *bench) loan(id loan.ID) *loan.Record {
	b.t.Helper()
	r, err := b.svc.AnyLoan(ctx, id)
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

// disbursed applies for user's loan and confirms its payout.
func (b *bench) disbursed(user int64) *loan.Record {
	b.t.Helper()
	r := b.apply(user)
	b.paid(fmt.Sprintf("DSB_%s_1", r.ID), r.Pricing.Disbursed)
	return b.loan(r.ID)
}

func (b *bench) paid(ref string, amount ledger.Money) {
	b.t.Helper()
	if err := b.svc.HandlePayment(ctx, loan.PaymentResult{Reference: ref, Succeeded: true, Amount: amount}); err != nil {
		b.t.Fatal(err)
	}
}

func (b *bench) repay(user int64, id loan.ID, amount ledger.Money, key string) *loan.Payment {
	b.t.Helper()
	p, err := b.svc.Repay(ctx, loan.RepayInput{UserID: user, LoanID: id, Amount: amount, IdempotencyKey: key, RequestHash: "h-" + key})
	if err != nil {
		b.t.Fatal(err)
	}
	return p
}

func owed(t *testing.T, r *loan.Record) ledger.Money {
	t.Helper()
	v, err := r.Outstanding.Total()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestApplicationFollowsTheDecision(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		decision loan.Decision
		status   loan.Status
		payouts  int
	}{
		{"an approved application is paid out at once", loan.Accept, loan.StatusDisbursing, 1},
		{"a rejected application is stored refused, with nothing paid", loan.Reject, loan.StatusRiskRejected, 0},
		{"a referred application waits for a person", loan.Review, loan.StatusManualReview, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBench(t, c.decision)
			r := b.apply(7)
			if r.Status != c.status || len(b.provider.disbursed) != c.payouts || r.RiskReason != "rule" || len(r.Photos) != 1 {
				t.Fatalf("status %v, payouts %v, reason %q, photos %v", r.Status, b.provider.disbursed, r.RiskReason, r.Photos)
			}
			if len(b.photos.kept) != 1 {
				t.Errorf("photos kept = %d; want the stored application's one", len(b.photos.kept))
			}
			if ms := b.store.Messages(); len(ms) != 1 || ms[0].UserID != 7 {
				t.Errorf("messages = %+v; want the decision's one", ms)
			}
		})
	}
	t.Run("a borrower with an unfinished loan cannot apply again", func(t *testing.T) {
		t.Parallel()
		b := newBench(t, loan.Accept)
		b.apply(7)
		_, err := b.svc.Apply(ctx, loan.ApplyInput{UserID: 7, ProductID: loan.DemoProducts()[0].ID, Photos: [][]byte{[]byte("x")}})
		if !errors.Is(err, loan.ErrUnfinishedLoan) {
			t.Fatalf("second application: %v; want ErrUnfinishedLoan", err)
		}
		if len(b.photos.kept) != 1 {
			t.Errorf("photos kept = %d; the refused application's must be deleted", len(b.photos.kept))
		}
	})
	t.Run("an unknown product is named in the error", func(t *testing.T) {
		t.Parallel()
		b := newBench(t, loan.Accept)
		_, err := b.svc.Apply(ctx, loan.ApplyInput{UserID: 7, ProductID: "nope"})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("unknown product: %v; want invalid", err)
		}
	})
}

func TestAManualDecisionStartsThePayoutOrClosesTheLoan(t *testing.T) {
	t.Parallel()
	for _, approve := range []bool{true, false} {
		t.Run(fmt.Sprintf("approve=%v", approve), func(t *testing.T) {
			t.Parallel()
			b := newBench(t, loan.Review)
			r := b.apply(7)
			got, err := b.svc.Decide(ctx, loan.ManualDecision{LoanID: r.ID, Reviewer: "ops", Approve: approve, Reason: "checked"})
			if err != nil {
				t.Fatal(err)
			}
			want, payouts := loan.StatusManualRejected, 0
			if approve {
				want, payouts = loan.StatusDisbursing, 1
			}
			if got.Status != want || len(b.provider.disbursed) != payouts || got.AuditUserID != "ops" {
				t.Fatalf("after the decision: status %v, payouts %v, reviewer %q", got.Status, b.provider.disbursed, got.AuditUserID)
			}
			if _, err := b.svc.Decide(ctx, loan.ManualDecision{LoanID: r.ID, Reviewer: "ops", Approve: true}); err == nil {
				t.Fatal("a decided loan was decided again")
			}
		})
	}
}

func TestRepaymentsAreBookedOnceAndInOrder(t *testing.T) {
	t.Parallel()
	t.Run("a partial repayment lowers what is owed and keeps the loan open", func(t *testing.T) {
		t.Parallel()
		b := newBench(t, loan.Accept)
		r := b.disbursed(7)
		before := owed(t, r)
		p := b.repay(7, r.ID, 1000_00, "k1")
		b.paid(p.Reference, 1000_00)
		after := b.loan(r.ID)
		if after.Status != loan.StatusRepaying || owed(t, after) != before-1000_00 || after.Received != 1000_00 {
			t.Fatalf("after a partial repayment: status %v, owed %d (was %d), received %d", after.Status, owed(t, after), before, after.Received)
		}
	})
	t.Run("an excess settles the loan and is kept as credit", func(t *testing.T) {
		t.Parallel()
		b := newBench(t, loan.Accept)
		r := b.disbursed(7)
		total := owed(t, r)
		p := b.repay(7, r.ID, total+500, "k1")
		b.paid(p.Reference, total+500)
		after := b.loan(r.ID)
		if after.Status != loan.StatusSettled || after.Credit != 500 || owed(t, after) != 0 {
			t.Fatalf("after an overpayment: status %v, credit %d, owed %d", after.Status, after.Credit, owed(t, after))
		}
	})
	t.Run("a webhook delivered twice is booked once", func(t *testing.T) {
		t.Parallel()
		b := newBench(t, loan.Accept)
		r := b.disbursed(7)
		p := b.repay(7, r.ID, 1000_00, "k1")
		b.paid(p.Reference, 1000_00)
		n := len(b.store.Ledger())
		b.paid(p.Reference, 1000_00)
		if got := b.loan(r.ID); got.Received != 1000_00 || len(b.store.Ledger()) != n {
			t.Fatalf("after the replay: received %d, %d ledger transactions (was %d)", got.Received, len(b.store.Ledger()), n)
		}
	})
	t.Run("the same key and request return the first checkout; another request with it is refused", func(t *testing.T) {
		t.Parallel()
		b := newBench(t, loan.Accept)
		r := b.disbursed(7)
		first := b.repay(7, r.ID, 1000_00, "k1")
		if again := b.repay(7, r.ID, 1000_00, "k1"); again.Reference != first.Reference {
			t.Fatalf("replay opened %s; want %s", again.Reference, first.Reference)
		}
		_, err := b.svc.Repay(ctx, loan.RepayInput{UserID: 7, LoanID: r.ID, Amount: 2000_00, IdempotencyKey: "k1", RequestHash: "other"})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("the key for another request: %v; want a conflict", err)
		}
	})
	t.Run("a new checkout supersedes the open one, which the provider is told to cancel", func(t *testing.T) {
		t.Parallel()
		b := newBench(t, loan.Accept)
		r := b.disbursed(7)
		first := b.repay(7, r.ID, 1000_00, "k1")
		second := b.repay(7, r.ID, 2000_00, "k2")
		ps, err := b.svc.Payments(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]string{}
		for _, p := range ps {
			status[p.Reference] = p.Status
		}
		if status[first.Reference] != loan.PaySuperseded || status[second.Reference] != loan.PayPending ||
			len(b.provider.cancelled) != 1 || b.provider.cancelled[0] != first.Reference {
			t.Fatalf("statuses %v, cancelled %v", status, b.provider.cancelled)
		}
		// Money that arrives on the superseded checkout anyway repays the
		// loan while it owes, marked as arrived on a closed checkout.
		b.paid(first.Reference, 1000_00)
		if got := b.loan(r.ID); got.Received != 1000_00 || got.Status != loan.StatusRepaying {
			t.Fatalf("after paying the superseded checkout: received %d, status %v", got.Received, got.Status)
		}
		ps, err = b.svc.Payments(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Reference == first.Reference && !p.ArrivedOnClosedCheckout() {
				t.Fatalf("the superseded checkout paid reads %+v; want it marked as arrived on a closed checkout", p)
			}
		}
	})
	t.Run("a key that is not printable ASCII is refused before anything is stored", func(t *testing.T) {
		t.Parallel()
		b := newBench(t, loan.Accept)
		r := b.disbursed(7)
		_, err := b.svc.Repay(ctx, loan.RepayInput{UserID: 7, LoanID: r.ID, IdempotencyKey: "k\x00"})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("control character in the key: %v; want invalid", err)
		}
	})
}

func TestAFailedPayoutIsRetriedWhenDue(t *testing.T) {
	t.Parallel()
	b := newBench(t, loan.Accept)
	b.svc.PayoutRetry = loan.PayoutRetry{MaxAttempts: 3, Backoff: time.Minute, MaxBackoff: time.Hour}
	r := b.apply(7)
	first := fmt.Sprintf("DSB_%s_1", r.ID)
	if err := b.svc.HandlePayment(ctx, loan.PaymentResult{Reference: first, Reason: "bank down", Code: "bank_down", Retriable: true}); err != nil {
		t.Fatal(err)
	}
	if got := b.loan(r.ID); got.Status != loan.StatusDisbursementFailed {
		t.Fatalf("after the failure: status %v", got.Status)
	}
	if n, err := b.svc.RetryDuePayouts(ctx); err != nil || n != 0 {
		t.Fatalf("retries before the backoff: %d, %v", n, err)
	}
	b.clock.Add(time.Minute)
	if n, err := b.svc.RetryDuePayouts(ctx); err != nil || n != 1 {
		t.Fatalf("retries when due: %d, %v", n, err)
	}
	second := fmt.Sprintf("DSB_%s_2", r.ID)
	if got := b.provider.disbursed; len(got) != 2 || got[1] != second {
		t.Fatalf("payouts sent = %v; want %s then %s", got, first, second)
	}
	b.paid(second, r.Pricing.Disbursed)
	if got := b.loan(r.ID); got.Status != loan.StatusRepaying || got.Disbursements != 2 {
		t.Fatalf("after the retry was paid: status %v, attempts %d", got.Status, got.Disbursements)
	}
	evs, err := b.svc.PayoutEvents(ctx, r.ID)
	if err != nil || len(evs) == 0 {
		t.Fatalf("payout events = %v, %v", evs, err)
	}
}

func TestCloseOfBusinessChargesPenaltyOncePerDay(t *testing.T) {
	t.Parallel()
	b := newBench(t, loan.Accept)
	r := b.disbursed(7)
	leases := &loanmem.Leases{}
	overdue := r.DueDate.AddDays(1)
	res, err := b.svc.CloseOfBusiness(ctx, leases, overdue, "test")
	if err != nil {
		t.Fatal(err)
	}
	got := b.loan(r.ID)
	if res.Loans != 1 || res.Penalties != 1 || res.NewlyOverdue != 1 || got.Status != loan.StatusOverdue ||
		got.Outstanding.Penalty <= 0 || got.Outstanding.Penalty != res.Penalty || got.AccruedThrough != overdue {
		t.Fatalf("close of business: %+v; loan %v, penalty %d, accrued through %v", res, got.Status, got.Outstanding.Penalty, got.AccruedThrough)
	}
	again, err := b.svc.CloseOfBusiness(ctx, leases, overdue, "test")
	if err != nil || !again.AlreadyDone || b.loan(r.ID).Outstanding.Penalty != got.Outstanding.Penalty {
		t.Fatalf("second run of the same date: %+v, %v", again, err)
	}
	t.Run("another process holding the lease keeps it out", func(t *testing.T) {
		if ok, _ := leases.Acquire(ctx, "cob", "other", b.clock.Now(), time.Hour); !ok {
			t.Fatal("the free lease was not taken")
		}
		if _, err := b.svc.CloseOfBusiness(ctx, leases, overdue.AddDays(1), "test"); !errors.Is(err, loan.ErrLeaseHeld) {
			t.Fatalf("with the lease held elsewhere: %v; want ErrLeaseHeld", err)
		}
	})
}
