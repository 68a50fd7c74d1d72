package payout_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/loanmem"
	"creditpocket/internal/loan/loantest"
	"creditpocket/internal/loan/payout"
	"creditpocket/internal/loan/repay"
)

var ctx = context.Background()

func TestPayoutRetryBacksOffExponentiallyAndStops(t *testing.T) {
	p := payout.Retry{MaxAttempts: 7, Backoff: time.Minute, MaxBackoff: 10 * time.Minute}
	for _, tc := range []struct {
		failed int
		wait   time.Duration
		again  bool
	}{
		{1, time.Minute, true},
		{2, 2 * time.Minute, true},
		{3, 4 * time.Minute, true},
		{4, 8 * time.Minute, true},
		{5, 10 * time.Minute, true}, // capped
		{6, 10 * time.Minute, true},
		{7, 0, false}, // the last attempt failed
		{8, 0, false},
	} {
		wait, again := p.Next(tc.failed)
		if wait != tc.wait || again != tc.again {
			t.Errorf("after %d failed attempts: Next = %v, %v; want %v, %v", tc.failed, wait, again, tc.wait, tc.again)
		}
	}
	t.Run("the zero value is the default of 5 attempts from 1 minute", func(t *testing.T) {
		if w, ok := (payout.Retry{}).Next(1); w != time.Minute || !ok {
			t.Fatalf("Next(1) = %v, %v", w, ok)
		}
		if w, ok := (payout.Retry{}).Next(4); w != 8*time.Minute || !ok {
			t.Fatalf("Next(4) = %v, %v", w, ok)
		}
		if _, ok := (payout.Retry{}).Next(5); ok {
			t.Fatal("a sixth attempt")
		}
	})
	t.Run("a long backoff does not overflow", func(t *testing.T) {
		huge := payout.Retry{MaxAttempts: 1000, Backoff: time.Hour, MaxBackoff: 24 * time.Hour}
		if w, _ := huge.Next(999); w != 24*time.Hour {
			t.Fatalf("Next(999) = %v", w)
		}
	})
}

func TestOperatorTextTheStoreCannotKeepIsRefusedFirst(t *testing.T) {
	s := &payout.Dispatcher{} // no store: each is refused before anything is read
	for _, tc := range []struct {
		name, field string
		err         func() error
	}{
		{"a payout retry by an operator with a NUL", "operator", func() error {
			_, err := s.RetryDisbursement(context.Background(), loan.PayoutAction{LoanID: 1, Operator: "ops\x00"})
			return err
		}},
		{"a payout cancel with a reason that is not UTF-8", "reason", func() error {
			_, err := s.CancelPayout(context.Background(), loan.PayoutAction{LoanID: 1, Operator: "ops", Reason: "gone \xff"})
			return err
		}},
	} {
		t.Run(tc.name+" is refused naming "+tc.field, func(t *testing.T) {
			var e *errs.Error
			if err := tc.err(); !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != tc.field {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// registration is a loan engine over loanmem whose fakes record what they
// were asked, in order.
type registration struct {
	t      *testing.T
	store  *loanmem.Store
	svc    *loan.Service
	d      *payout.Dispatcher
	clock  time.Time
	calls  []string // "recipient", "disburse:<ref>:<code>"
	card   loan.Card
	regErr error
}

func newRegistration(t *testing.T) *registration {
	t.Helper()
	b := &registration{t: t, store: loanmem.New(), clock: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC),
		card: loan.Card{ID: 3, BankCode: "058", BankName: "GT Bank", AccountMask: "016****447", RecipientCode: "RCP_3"}}
	now := func() time.Time { return b.clock }
	b.d = &payout.Dispatcher{Store: b.store, Provider: disburser{b}, Recipients: recipients{b}, Clock: loan.Clock{Now: now}}
	b.d.Results = &repay.Service{Store: b.store, Payouts: b.d, Clock: loan.Clock{Now: now}}
	b.svc = &loan.Service{Store: b.store, Decider: accept{}, Borrowers: borrower{b}, Photos: noPhotos{}, Payouts: b.d, Now: now}
	for _, p := range loan.DemoProducts() {
		if err := b.svc.SaveProduct(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

type accept struct{}

func (accept) Decide(context.Context, loan.DecisionInput) (loan.Verdict, error) {
	return loan.Verdict{Decision: loan.Accept, Reason: "ok", Detail: "approved", Score: 20, SequenceID: "seq-1"}, nil
}

type borrower struct{ b *registration }

func (f borrower) Borrower(_ context.Context, userID int64) (*loan.Borrower, error) {
	return &loan.Borrower{UserID: userID, Phone: "2348031230001", Mobile: "8031230001", IDNumber: "22167288734",
		First: "Hussein", Complete: true, Card: f.b.card, File: loan.BorrowerFile{CallingCode: 234}}, nil
}

type recipients struct{ b *registration }

func (f recipients) Recipient(_ context.Context, _, cardID int64) (string, error) {
	f.b.calls = append(f.b.calls, "recipient")
	if f.b.regErr != nil {
		return "", f.b.regErr
	}
	return fmt.Sprintf("RCP_%d", cardID), nil
}

type disburser struct{ b *registration }

func (f disburser) Disburse(_ context.Context, ref, code string, _ ledger.Money, _ string) error {
	f.b.calls = append(f.b.calls, "disburse:"+ref+":"+code)
	return nil
}

type noPhotos struct{}

func (noPhotos) PutPhoto(context.Context, int64, []byte) (string, error) { return "photo-1", nil }
func (noPhotos) DeletePhoto(context.Context, string) error               { return nil }

func (b *registration) apply() *loan.Record {
	b.t.Helper()
	r, err := b.svc.Apply(context.Background(), loan.ApplyInput{UserID: 7, ProductID: "301", ApplyTerminal: 2, Photos: [][]byte{{0xff, 0xd8}}})
	if err != nil {
		b.t.Fatalf("apply: %v", err)
	}
	return r
}

// stored reads the loan, its payments, its payout events and whether a
// retry is due by when, as the store holds them.
func (b *registration) stored(id loan.ID, when time.Time) (r *loan.Record, ps []loan.Payment, evs []string, due []loan.ID) {
	b.t.Helper()
	err := b.store.View(context.Background(), func(ctx context.Context, tx loan.Tx) error {
		var err error
		if r, err = tx.Loan(ctx, id); err != nil {
			return err
		}
		if ps, err = tx.LoanPayments(ctx, id); err != nil {
			return err
		}
		es, err := tx.PayoutEvents(ctx, id)
		for _, e := range es {
			evs = append(evs, e.Event)
		}
		if err != nil {
			return err
		}
		due, err = tx.DuePayoutRetries(ctx, when, 10)
		return err
	})
	if err != nil {
		b.t.Fatal(err)
	}
	return r, ps, evs, due
}

func TestThePayoutRegistersTheAccountWithTheProvider(t *testing.T) {
	t.Run("a registered account is paid out to without registering", func(t *testing.T) {
		b := newRegistration(t)
		r := b.apply()
		if last := b.calls[len(b.calls)-1]; slices.Contains(b.calls, "recipient") || last != "disburse:DSB_"+r.ID.String()+"_1:RCP_3" {
			t.Fatalf("calls %q", b.calls)
		}
	})
	t.Run("an unregistered account is registered after the commit, before the payout, and kept on the loan", func(t *testing.T) {
		b := newRegistration(t)
		b.card.RecipientCode = ""
		r := b.apply()
		if got := b.calls[len(b.calls)-2:]; !slices.Equal(got, []string{"recipient", "disburse:DSB_" + r.ID.String() + "_1:RCP_3"}) {
			t.Fatalf("calls %q: want the account registered, then the payout sent", b.calls)
		}
		stored, _, _, _ := b.stored(r.ID, b.clock)
		if r.Status != loan.StatusDisbursing || stored.Card.RecipientCode != "RCP_3" || r.Version != stored.Version {
			t.Fatalf("loan %s, stored %+v", r.Status, stored)
		}
		// Sending it again (no answer came) reuses the code kept.
		b.calls = nil
		b.clock = b.clock.Add(time.Second) // stale: untouched since before now
		if n, err := b.d.ResumeDisbursements(context.Background(), 0); err != nil || n != 1 {
			t.Fatalf("resumed %d: %v", n, err)
		}
		if !slices.Equal(b.calls, []string{"disburse:DSB_" + r.ID.String() + "_1:RCP_3"}) {
			t.Fatalf("calls %q: want the payout sent again without registering", b.calls)
		}
	})
	t.Run("a registration that fails is a failed payout, retried after the backoff", func(t *testing.T) {
		b := newRegistration(t)
		b.card.RecipientCode = ""
		b.regErr = errs.E(errs.Unavailable, "the payment provider could not register the account; try again later")
		r := b.apply()
		stored, ps, evs, _ := b.stored(r.ID, b.clock)
		if stored.Status != loan.StatusDisbursementFailed || slices.ContainsFunc(b.calls, func(c string) bool { return strings.HasPrefix(c, "disburse") }) {
			t.Fatalf("loan %s after calls %q: want a failed payout and nothing sent", stored.Status, b.calls)
		}
		if !slices.Equal(evs, []string{loan.PayoutSent, loan.PayoutFailed, loan.PayoutRetryScheduled}) {
			t.Fatalf("payout events %q", evs)
		}
		if p := ps[0]; p.Reference != "DSB_"+r.ID.String()+"_1" || p.Status != loan.PayFailed || p.Failure == "" {
			t.Fatalf("payment %+v", p)
		}
		if ms := b.store.Messages(); ms[len(ms)-1].Title != "Payout failed" {
			t.Fatalf("the borrower was told %+v", ms[len(ms)-1])
		}

		b.regErr = nil
		b.clock = b.clock.Add(payout.DefaultRetry.Backoff)
		if n, err := b.d.RetryDuePayouts(context.Background()); err != nil || n != 1 {
			t.Fatalf("retried %d: %v", n, err)
		}
		stored, _, _, _ = b.stored(r.ID, b.clock)
		if last := b.calls[len(b.calls)-1]; last != "disburse:DSB_"+r.ID.String()+"_2:RCP_3" || stored.Status != loan.StatusDisbursing {
			t.Fatalf("calls %q, loan %s", b.calls, stored.Status)
		}
	})
	t.Run("an account that cannot be registered waits for an operator", func(t *testing.T) {
		b := newRegistration(t)
		b.card.RecipientCode = ""
		b.regErr = errs.InvalidField("account", "the bank refused the account")
		r := b.apply()
		if _, _, evs, due := b.stored(r.ID, b.clock.Add(24*time.Hour)); !slices.Equal(evs, []string{loan.PayoutSent, loan.PayoutFailed, loan.PayoutOperatorNeeded}) || len(due) != 0 {
			t.Fatalf("payout events %q, retries %v", evs, due)
		}
	})
}
func TestAFailedPayoutIsRetriedWhenDue(t *testing.T) {
	t.Parallel()
	b := loantest.NewEngine(t, loan.Accept)
	b.Payouts.Retry = payout.Retry{MaxAttempts: 3, Backoff: time.Minute, MaxBackoff: time.Hour}
	r := b.Apply(7)
	first := fmt.Sprintf("DSB_%s_1", r.ID)
	if err := b.Repay.HandlePayment(ctx, loan.PaymentResult{Reference: first, Reason: "bank down", Code: "bank_down", Retriable: true}); err != nil {
		t.Fatal(err)
	}
	if got := b.Loan(r.ID); got.Status != loan.StatusDisbursementFailed {
		t.Fatalf("after the failure: status %v", got.Status)
	}
	if n, err := b.Payouts.RetryDuePayouts(ctx); err != nil || n != 0 {
		t.Fatalf("retries before the backoff: %d, %v", n, err)
	}
	b.Clock.Add(time.Minute)
	if n, err := b.Payouts.RetryDuePayouts(ctx); err != nil || n != 1 {
		t.Fatalf("retries when due: %d, %v", n, err)
	}
	second := fmt.Sprintf("DSB_%s_2", r.ID)
	if got := b.Provider.Disbursed(); len(got) != 2 || got[1] != second {
		t.Fatalf("payouts sent = %v; want %s then %s", got, first, second)
	}
	b.Paid(second, r.Pricing.Disbursed)
	if got := b.Loan(r.ID); got.Status != loan.StatusRepaying || got.Disbursements != 2 {
		t.Fatalf("after the retry was paid: status %v, attempts %d", got.Status, got.Disbursements)
	}
	evs, err := b.Payouts.PayoutEvents(ctx, r.ID)
	if err != nil || len(evs) == 0 {
		t.Fatalf("payout events = %v, %v", evs, err)
	}
}
