// Package repay runs what borrowers pay: repayment and extension
// checkouts (the rules are in loan's checkout.go), and the payment
// provider's outcomes of every payment, from its webhooks.
package repay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
)

// Service opens checkouts and books payments' outcomes over Store.
type Service struct {
	Store    loan.Store
	Provider Provider
	// Payouts books the outcome of a payout (payout.Dispatcher).
	Payouts  Payouts
	Outcomes loan.Outcomes // optional: learns which loans were repaid
	// PaymentSurplus is how much more than a loan can absorb a payment
	// may bring before it is refused (CheckPaymentFits).
	PaymentSurplus ledger.Money
	Clock          loan.Clock
	Log            *slog.Logger
}

// Provider is what checkouts need from the payment provider. Both calls
// are idempotent by reference.
type Provider interface {
	// Checkout opens a payment page for the borrower and returns its URL.
	Checkout(ctx context.Context, reference string, amount ledger.Money, currency string) (string, error)
	// CancelCheckout closes a checkout so it can no longer be paid, where
	// the provider can; reason says why. Money it takes anyway is still
	// booked (as borrower credit).
	CancelCheckout(ctx context.Context, reference, reason string) error
}

// Payouts books a payout's outcome on its locked loan, inside the
// transaction that records it (payout.Dispatcher).
type Payouts interface {
	Failed(ctx context.Context, tx loan.Tx, r *loan.Record, p *loan.Payment, res loan.PaymentResult, now time.Time) ([]inbox.Message, error)
	Paid(ctx context.Context, tx loan.Tx, r *loan.Record, p *loan.Payment, late bool, now time.Time) ([]ledger.Transaction, []inbox.Message, error)
}

func (s *Service) now() time.Time { return s.Clock.Time() }

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Service) report(ctx context.Context, r *loan.Record, o loan.Outcome, at time.Time) {
	loan.ReportOutcome(ctx, s.Outcomes, s.Log, r, o, at)
}

// HandlePayment applies a payment's outcome exactly once: the payment row
// moves from pending only once, so the same webhook delivered many times,
// or a late failure after a success, changes nothing. Money arriving on a
// checkout closed before it was paid is kept as borrower credit, once.
// When a payment ends the loan's owing life its other open checkouts
// close in the same transaction, and the provider is told to cancel them.
// Unknown references are errs.NotFound.
func (s *Service) HandlePayment(ctx context.Context, res loan.PaymentResult) error {
	now := s.now()
	var (
		settled *loan.Record
		closed  []loan.Payment
	)
	err := s.Store.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		settled, closed = nil, nil
		p, err := tx.PaymentForUpdate(ctx, res.Reference)
		if err != nil {
			return err
		}
		if !p.AwaitsOutcome(res.Succeeded) {
			return nil
		}
		r, err := tx.LoanForUpdate(ctx, p.LoanID)
		if err != nil {
			return err
		}
		wasOwing := r.Status.Owing()
		p.UpdatedAt = now
		var txs []ledger.Transaction
		var msgs []inbox.Message
		if !res.Succeeded {
			p.Status, p.Failure = loan.PayFailed, res.Reason
			if p.Kind == loan.PayDisbursement {
				if msgs, err = s.Payouts.Failed(ctx, tx, r, p, res, now); err != nil {
					return err
				}
			} else {
				msgs = append(msgs, inbox.Message{Kind: inbox.KindPayment, Title: "Payment failed",
					Content: fmt.Sprintf("Your payment %s for loan %s did not go through.", p.Reference, r.ID)})
			}
		} else {
			switch p.Kind {
			case loan.PayDisbursement:
				late := p.Status == loan.PayFailed
				p.Status, p.Paid = loan.PaySuccess, p.Amount
				if txs, msgs, err = s.Payouts.Paid(ctx, tx, r, p, late, now); err != nil {
					return err
				}
			default:
				if res.Amount <= 0 {
					return errs.InvalidField("amount", "a successful charge must carry a positive amount")
				}
				if err := CheckPaymentFits(r, p, res.Amount, s.PaymentSurplus); err != nil {
					return err
				}
				p.Paid = res.Amount
				t, m, err := s.applyPayment(r, p, now)
				if err != nil {
					return err
				}
				txs, msgs = append(txs, t), append(msgs, m)
			}
		}
		if err := tx.UpdatePayment(ctx, p); err != nil {
			return err
		}
		if wasOwing && !r.Status.Owing() && p.Kind != loan.PayDisbursement {
			if closed, err = closeCheckouts(ctx, tx, r.ID, loan.PayClosed, "loan "+r.ID.String()+" is "+r.Status.Name(), now); err != nil {
				return err
			}
		}
		if err := tx.AppendLedger(ctx, txs, now); err != nil {
			return err
		}
		if err := tx.UpdateLoan(ctx, r); err != nil {
			return err
		}
		if wasOwing && r.Status == loan.StatusSettled && res.Succeeded && p.Kind != loan.PayDisbursement {
			settled = r
		}
		for i := range msgs {
			msgs[i].UserID, msgs[i].CreatedAt = r.UserID, now
		}
		return tx.AddMessages(ctx, msgs)
	})
	if err != nil {
		return err
	}
	s.cancelCheckouts(ctx, closed)
	if settled != nil {
		s.report(ctx, settled, loan.OutcomeRepaid, now)
	}
	return nil
}

// closeCheckouts closes the loan's open checkouts with status (loan.PaySuperseded
// or loan.PayClosed) and reason, and returns them for cancelCheckouts to tell
// the provider after the commit. The loan must be locked.
func closeCheckouts(ctx context.Context, tx loan.Tx, loanID loan.ID, status, reason string, now time.Time) ([]loan.Payment, error) {
	open, err := tx.OpenCheckouts(ctx, loanID)
	if err != nil {
		return nil, err
	}
	for i := range open {
		open[i].Close(status, reason, now)
		if err := tx.UpdatePayment(ctx, &open[i]); err != nil {
			return nil, err
		}
	}
	return open, nil
}

// cancelCheckouts asks the provider to cancel checkouts closed by a
// committed transaction. A failure is logged, not returned: the state
// change stands, and money the provider still takes on one is booked as
// credit when its webhook arrives.
func (s *Service) cancelCheckouts(ctx context.Context, ps []loan.Payment) {
	for _, p := range ps {
		if err := s.Provider.CancelCheckout(ctx, p.Reference, p.ClosedReason); err != nil {
			s.log().WarnContext(ctx, "provider did not cancel a closed checkout", "loan", p.LoanID, "reference", p.Reference, "err", err)
		}
	}
}

// applyPayment books money received on checkout p as loan.BookingFor decides:
// credit when the loan no longer owes, an extension when it buys this
// cycle's, else a repayment — also of money on a checkout closed while
// the loan owes (money received is always booked, whatever was intended).
// It moves p to loan.PaySuccess, or loan.PayCredited.
func (s *Service) applyPayment(r *loan.Record, p *loan.Payment, now time.Time) (ledger.Transaction, inbox.Message, error) {
	booking := loan.BookingFor(&r.Loan, p, p.Paid)
	p.Status = loan.PaySuccess
	switch booking {
	case loan.BookCredit:
		t, err := r.KeepCredit(p.Reference, p.Paid, now)
		if err != nil {
			return ledger.Transaction{}, inbox.Message{}, err
		}
		why := p.ClosedReason
		if why == "" {
			why = "loan " + r.ID.String() + " is " + r.Status.Name()
		}
		p.Status = loan.PayCredited
		s.log().Warn("payment arrived on a closed checkout: kept as credit", "loan", r.ID, "reference", p.Reference, "paid", p.Paid, "closed", why)
		return t, inbox.Message{Kind: inbox.KindPayment, Title: "Payment kept as credit",
			Content: fmt.Sprintf("We received %s for loan %s on checkout %s, which was no longer open (%s). It is kept as credit for you.",
				p.Paid, r.ID, p.Reference, why)}, nil
	case loan.BookExtension:
		t, err := r.Extend(p.Reference, p.Paid, loan.DateOf(now), now)
		if err == nil {
			return t, inbox.Message{Kind: inbox.KindLoan, Title: "Loan extended",
				Content: fmt.Sprintf("Loan %s is extended: the new due date is %s.", r.ID, r.DueDate)}, nil
		}
		s.log().Warn("extension payment booked as repayment", "loan", r.ID, "reference", p.Reference, "err", err)
	}
	alloc, t, err := r.Repay(p.Reference, p.Paid, now)
	if err != nil {
		return ledger.Transaction{}, inbox.Message{}, err
	}
	m := inbox.Message{Kind: inbox.KindPayment, Title: "Payment received"}
	left, _ := alloc.Remaining.Total()
	switch {
	case r.Status == loan.StatusSettled && alloc.Excess > 0:
		m.Content = fmt.Sprintf("Loan %s is settled. %s more than owed is kept as credit for you.", r.ID, alloc.Excess)
	case r.Status == loan.StatusSettled:
		m.Content = fmt.Sprintf("Loan %s is fully repaid. Thank you!", r.ID)
	default:
		m.Content = fmt.Sprintf("We received %s for loan %s; %s is still due.", p.Paid, r.ID, left)
	}
	return t, m, nil
}

// Input asks for a payment checkout.
type Input struct {
	UserID         int64
	LoanID         loan.ID
	Amount         ledger.Money // 0: everything outstanding (repay) or the extension cost (extend)
	Extend         bool
	IdempotencyKey string
	RequestHash    string // a digest of the request, to tell a replay from a new request
}

// maxIdempotencyKey caps the Idempotency-Key a repayment is opened with:
// 1 to 128 printable ASCII characters (space to tilde), the limit /docs and
// docs/loan-engine.md state. The key is stored with the payment and looked
// up on every retry, so it is kept short, and ASCII because a header may
// carry any bytes, which PostgreSQL's UTF-8 text would refuse.
const maxIdempotencyKey = 128

// Repay opens a repayment (or extension) checkout. A loan has one open
// checkout at a time: opening one supersedes the open one in the same
// transaction, under the loan's lock, and the provider is then told to
// cancel it. The same idempotency key with the same request returns the
// first checkout as it stands now — superseded, closed or paid if it has
// been since, never reopened (a new checkout needs a new key); with a
// different request it is errs.Conflict.
func (s *Service) Repay(ctx context.Context, in Input) (*loan.Payment, error) {
	if in.IdempotencyKey == "" {
		return nil, errs.Required("Idempotency-Key")
	}
	if len(in.IdempotencyKey) > maxIdempotencyKey {
		return nil, errs.InvalidField("Idempotency-Key", "must be at most %d characters", maxIdempotencyKey)
	}
	for i := 0; i < len(in.IdempotencyKey); i++ {
		if c := in.IdempotencyKey[i]; c < ' ' || c > '~' {
			return nil, errs.InvalidField("Idempotency-Key", "must be printable ASCII characters")
		}
	}
	if in.Amount < 0 {
		return nil, errs.InvalidField("amount", "must be positive")
	}
	now := s.now()
	var (
		prior *loan.Payment
		r     *loan.Record
	)
	err := s.Store.View(ctx, func(ctx context.Context, tx loan.Tx) error {
		var err error
		prior, err = tx.PaymentByKey(ctx, in.UserID, in.IdempotencyKey)
		if err == nil || !errs.Is(err, errs.NotFound) {
			return err
		}
		prior = nil
		r, err = tx.UserLoan(ctx, in.UserID, in.LoanID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if prior != nil {
		return replay(prior, in)
	}
	p, err := newCheckout(r, in, now)
	if err != nil {
		return nil, err
	}
	if p.CheckoutURL, err = s.Provider.Checkout(ctx, p.Reference, p.Amount, r.Pricing.Currency); err != nil {
		return nil, errs.E(errs.Unavailable, "the payment provider could not open a checkout; try again later")
	}
	var superseded []loan.Payment
	err = s.Store.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		prior, superseded = nil, nil
		locked, err := tx.LoanForUpdate(ctx, r.ID)
		if err != nil {
			return err
		}
		// The amount was priced on r; a payment booked since changes it.
		if locked.Version != r.Version {
			return errs.E(errs.Conflict, "loan %s changed while the checkout was being opened; try again", r.ID)
		}
		// A concurrent request with the same key waited for the same lock.
		switch prior, err = tx.PaymentByKey(ctx, in.UserID, in.IdempotencyKey); {
		case err == nil:
			return nil
		case !errs.Is(err, errs.NotFound):
			return err
		}
		prior = nil
		if superseded, err = closeCheckouts(ctx, tx, r.ID, loan.PaySuperseded, "superseded by "+p.Reference, now); err != nil {
			return err
		}
		return tx.InsertPayment(ctx, p)
	})
	if err == nil && prior == nil {
		s.cancelCheckouts(ctx, superseded)
		return p, nil
	}
	// The checkout just opened at the provider is stored nowhere: close it
	// there too, so nothing can be paid on it.
	s.cancelCheckouts(ctx, []loan.Payment{{Reference: p.Reference, LoanID: p.LoanID, ClosedReason: "never stored"}})
	if errs.Is(err, errs.Conflict) {
		// The key may have been taken on another loan meanwhile (the
		// unique index caught it). Read it in a new transaction:
		// PostgreSQL aborts one after a failed insert.
		var found *loan.Payment
		if rerr := s.Store.View(ctx, func(ctx context.Context, tx loan.Tx) error {
			var err error
			found, err = tx.PaymentByKey(ctx, in.UserID, in.IdempotencyKey)
			return err
		}); rerr == nil {
			prior, err = found, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return replay(prior, in)
}

// newCheckout prices a checkout of in on r: everything owed (or the
// extension's cost) unless an amount is given.
func newCheckout(r *loan.Record, in Input, now time.Time) (*loan.Payment, error) {
	if !r.Status.Owing() {
		return nil, errs.E(errs.Conflict, "loan %s is %s: nothing to repay", r.ID, r.Status)
	}
	kind, amount := loan.PayRepayment, in.Amount
	var cycle loan.Date
	owed, err := r.Outstanding.Total()
	if err != nil {
		return nil, err
	}
	if in.Extend {
		fee, penalty := r.ExtensionDue()
		if fee <= 0 {
			return nil, errs.E(errs.Conflict, "loan %s cannot be extended", r.ID)
		}
		due, err := fee.Add(penalty)
		if err != nil {
			return nil, err
		}
		if amount != 0 && amount != due {
			return nil, errs.InvalidField("amount", "an extension costs %d", due)
		}
		kind, amount, cycle = loan.PayExtension, due, r.DueDate
	} else if amount == 0 {
		amount = owed
	}
	// Anything beyond what is owed becomes credit, but a payment of more
	// than twice the debt is a typo, not an overpayment.
	if limit, err := ledger.MulInt(owed, 2); err == nil && amount > limit {
		return nil, errs.InvalidField("amount", "must be at most %d (twice what is owed)", limit)
	}
	// A payment's report may not carry more than ledger.MaxAmount: a
	// checkout of more could be paid and never booked.
	if err := ledger.CheckAmount(amount); err != nil {
		return nil, errs.InvalidField("amount", "%v for one checkout; pay in parts", err)
	}
	return &loan.Payment{
		Reference: "PAY_" + randomHex(10), LoanID: r.ID, UserID: in.UserID, Kind: kind, Amount: amount,
		Status: loan.PayPending, IdempotencyKey: in.IdempotencyKey, RequestHash: in.RequestHash, CycleDue: cycle,
		CreatedAt: now, UpdatedAt: now,
	}, nil
}

func replay(prior *loan.Payment, in Input) (*loan.Payment, error) {
	if prior.RequestHash != in.RequestHash {
		return nil, errs.E(errs.Conflict, "Idempotency-Key %q was used for a different request", in.IdempotencyKey)
	}
	return prior, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
