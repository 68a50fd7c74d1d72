// Package payout sends loans' payouts and sees them through. A payout
// that fails leaves the loan in status 33. A failure the provider calls
// retriable is sent again by itself after a backoff, a bounded number of
// times (Retry); after that, or after a failure
// that is not retriable, the loan waits for an operator, who retries or
// cancels it (RetryDisbursement, CancelPayout). Each step is a
// loan.PayoutEvent, stored with the loan's new state, which the console shows
// as the loan's timeline.
//
// Nothing is posted to the ledger before the provider confirms a payout
// (Loan.Disburse books the disbursement, fee and interest at that
// moment), and a loan in status 33 has never been disbursed: the state
// machine has no way back to 33 from 6. So a cancel has no postings to
// reverse; CancelPayout checks the loan's money fields, which ledger
// verify holds equal to the ledger, and refuses rather than cancel a loan
// with money on it.
//
// A provider may report a failed attempt paid after all: Paid books
// it as the disbursement while the loan still waits for its payout, and
// flags it on the timeline when the loan can no longer take it.
package payout

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
)

// Dispatcher sends payouts and handles their failures over Store.
type Dispatcher struct {
	Store    loan.Store
	Provider Provider
	// Recipients registers the payout account of a loan applied for before
	// the borrower registered it, when its payout is sent.
	Recipients loan.Recipients
	// Results books a payment's outcome: a payout that could not be sent
	// is booked as the provider's failure would be (repay.Service).
	Results Results
	// Retry bounds the automatic retries of failed payouts; the zero
	// value is DefaultRetry.
	Retry Retry
	Clock loan.Clock
	Log   *slog.Logger
}

// Provider is what payouts need from the payment provider.
type Provider interface {
	// Disburse sends amount to the recipient, idempotent by reference; the
	// result comes later by webhook.
	Disburse(ctx context.Context, reference, recipientCode string, amount ledger.Money, currency string) error
}

// Results books a payment's outcome exactly once (repay.Service.HandlePayment).
type Results interface {
	HandlePayment(ctx context.Context, res loan.PaymentResult) error
}

var _ loan.Payouts = (*Dispatcher)(nil)

func (s *Dispatcher) now() time.Time { return s.Clock.Time() }

func (s *Dispatcher) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Retry bounds the automatic retries of failed payouts. The zero value
// means DefaultRetry.
type Retry struct {
	// MaxAttempts counts every attempt, the first included: with 5, a
	// payout is sent at most 4 more times by itself.
	MaxAttempts int
	// Backoff is the wait after the first failure; it doubles after each
	// further one, up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
}

// DefaultRetry is 5 attempts, 1, 2, 4 and 8 minutes apart.
var DefaultRetry = Retry{MaxAttempts: 5, Backoff: time.Minute, MaxBackoff: time.Hour}

func (p Retry) orDefault() Retry {
	if p.MaxAttempts <= 0 {
		return DefaultRetry
	}
	return p
}

// Next is the wait before the next attempt after attempts failed ones,
// and false when no automatic attempt is left.
func (p Retry) Next(attempts int) (time.Duration, bool) {
	p = p.orDefault()
	if attempts >= p.MaxAttempts {
		return 0, false
	}
	d := p.Backoff
	for i := 1; i < attempts && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff), true
}

// Failed records a failed attempt on r (already locked, its
// payment p marked failed): the event, and either the next automatic
// attempt or the wait for an operator. It returns the borrower's message.
// The failure of an attempt sent before an earlier one was reported paid
// after all (Paid) is only recorded: the loan is paid out.
func (s *Dispatcher) Failed(ctx context.Context, tx loan.Tx, r *loan.Record, p *loan.Payment, res loan.PaymentResult, now time.Time) ([]inbox.Message, error) {
	reason := strings.TrimSpace(res.Reason)
	if reason == "" {
		reason = "the payment provider gave no reason"
	}
	ev := []loan.PayoutEvent{{LoanID: r.ID, Reference: p.Reference, Event: loan.PayoutFailed, Code: res.Code, Detail: reason, At: now}}
	if r.Status != loan.StatusDisbursing {
		return nil, tx.AddPayoutEvent(ctx, &ev[0])
	}
	if err := r.Fire(loan.EventDisbursementFailed, now); err != nil {
		return nil, err
	}
	m := inbox.Message{Kind: inbox.KindLoan, Title: "Payout failed"}
	wait, again := s.Retry.Next(r.Disbursements)
	switch {
	case res.Retriable && again:
		due := now.Add(wait)
		if err := tx.SchedulePayoutRetry(ctx, r.ID, due); err != nil {
			return nil, err
		}
		ev = append(ev, loan.PayoutEvent{LoanID: r.ID, Reference: p.Reference, Event: loan.PayoutRetryScheduled, DueAt: due, At: now})
		m.Content = fmt.Sprintf("We could not pay out loan %s to your bank account: %s. We will try again at %s.",
			r.ID, reason, due.Format("15:04"))
	default:
		why := fmt.Sprintf("%q is not a failure worth retrying", res.Code)
		if res.Retriable {
			why = fmt.Sprintf("%d attempts made, the most sent automatically", r.Disbursements)
		}
		ev = append(ev, loan.PayoutEvent{LoanID: r.ID, Reference: p.Reference, Event: loan.PayoutOperatorNeeded, Detail: why, At: now})
		m.Content = fmt.Sprintf("We could not pay out loan %s to your bank account: %s. Our team will look into it and let you know.",
			r.ID, reason)
	}
	for i := range ev {
		if err := tx.AddPayoutEvent(ctx, &ev[i]); err != nil {
			return nil, err
		}
	}
	return []inbox.Message{m}, nil
}

// Paid books a payout attempt the provider reports paid on r
// (already locked, p marked paid) and returns what it posts and the
// borrower's message. An attempt that had failed was paid after all: it
// is the disbursement, and a retry still scheduled is removed so the
// money is not sent again (an attempt already sent again is named on the
// timeline). A loan that is no longer waiting for its payout — paid out
// by another attempt, or cancelled — cannot take the money: it is logged
// as an error and flagged on the timeline for staff, and the webhook is
// answered, since refusing it would only have it sent again.
func (s *Dispatcher) Paid(ctx context.Context, tx loan.Tx, r *loan.Record, p *loan.Payment, late bool, now time.Time) ([]ledger.Transaction, []inbox.Message, error) {
	if r.Status != loan.StatusDisbursing && r.Status != loan.StatusDisbursementFailed {
		detail := fmt.Sprintf("%s sent while loan %s is %s; recover it from the borrower", p.Amount, r.ID, r.Status.Name())
		s.log().ErrorContext(ctx, "payout reported paid on a loan that cannot book it", "loan", r.ID, "reference", p.Reference,
			"amount", p.Amount, "status", int(r.Status))
		return nil, nil, tx.AddPayoutEvent(ctx, &loan.PayoutEvent{LoanID: r.ID, Reference: p.Reference, Event: loan.PayoutPaidUnbooked,
			Detail: detail, At: now})
	}
	inFlight := r.Status == loan.StatusDisbursing && late
	txs, err := r.Disburse(now)
	if err != nil {
		return nil, nil, err
	}
	if late {
		if err := tx.ClearPayoutRetry(ctx, r.ID); err != nil {
			return nil, nil, err
		}
		detail := "booked as the disbursement"
		if inFlight {
			detail += fmt.Sprintf("; payout %s was sent again meanwhile, and is flagged if it is paid too", r.PayoutReference())
		}
		s.log().WarnContext(ctx, "failed payout reported paid after all", "loan", r.ID, "reference", p.Reference, "retry_in_flight", inFlight)
		if err := tx.AddPayoutEvent(ctx, &loan.PayoutEvent{LoanID: r.ID, Reference: p.Reference, Event: loan.PayoutPaidLate,
			Detail: detail, At: now}); err != nil {
			return nil, nil, err
		}
	}
	return txs, []inbox.Message{{Kind: inbox.KindLoan, Title: "Loan disbursed",
		Content: fmt.Sprintf("Loan %s: %s has been paid to your bank account %s. Repay %s by %s.",
			r.ID, r.PaidOut, r.Card.AccountMask, r.Pricing.Due, r.DueAt.Format(time.DateOnly))}}, nil
}

// payoutNotSent records a payout attempt that failed before the provider
// took it, as the provider's failure would be.
func (s *Dispatcher) payoutNotSent(ctx context.Context, r *loan.Record, res loan.PaymentResult) {
	if err := s.Results.HandlePayment(ctx, res); err != nil {
		s.log().ErrorContext(ctx, "recording a payout not sent", "loan", r.ID, "reference", res.Reference, "err", err)
	}
}

// recipient is the provider's code for r's payout account. A loan applied
// for before the borrower registered the account has none: the account is
// registered now, and the code kept on the loan so later attempts reuse
// it. Failing to keep it is only logged: the account keeps the code too,
// and answers it to the next attempt.
func (s *Dispatcher) recipient(ctx context.Context, r *loan.Record) (string, error) {
	if r.Card.RecipientCode != "" {
		return r.Card.RecipientCode, nil
	}
	if s.Recipients == nil {
		return "", errs.E(errs.Unavailable, "no payout account registration is configured")
	}
	code, err := s.Recipients.Recipient(ctx, r.UserID, r.Card.ID)
	if err != nil {
		return "", err
	}
	if code == "" {
		return "", errs.E(errs.Unavailable, "the payment provider answered no recipient code")
	}
	err = s.Store.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		l, err := tx.LoanForUpdate(ctx, r.ID)
		if err != nil || l.Card.RecipientCode != "" {
			return err
		}
		l.Card.RecipientCode = code
		if err := tx.UpdateLoan(ctx, l); err != nil {
			return err
		}
		r.Version = l.Version
		return nil
	})
	if err != nil {
		s.log().WarnContext(ctx, "payout recipient not kept on the loan", "loan", r.ID, "err", err)
	}
	r.Card.RecipientCode = code
	return code, nil
}

// failedPayout reads and locks a loan an operator or the retry worker
// acts on, refusing one whose payout has not failed.
func failedPayout(ctx context.Context, tx loan.Tx, loanID loan.ID, action string) (*loan.Record, error) {
	r, err := tx.LoanForUpdate(ctx, loanID)
	if err != nil {
		return nil, err
	}
	if r.Status != loan.StatusDisbursementFailed {
		return nil, errs.E(errs.Conflict, "loan %s is %s: only a loan whose payout failed (status %d) can have its payout %s",
			r.ID, r.Status, int(loan.StatusDisbursementFailed), action)
	}
	return r, nil
}

// RetryDisbursement is an operator sending a failed payout again, at once
// and whatever the automatic attempts left: a new attempt with its own
// reference. Only a loan in status 33 can be retried (errs.Conflict
// otherwise), so of concurrent retries and cancels exactly one wins.
func (s *Dispatcher) RetryDisbursement(ctx context.Context, a loan.PayoutAction) (*loan.Record, error) {
	if err := a.Validate(false); err != nil {
		return nil, err
	}
	return s.retryPayout(ctx, a)
}

// RetryDuePayouts sends the automatic retries that are due and returns
// how many it sent. The retry worker in serve calls it periodically; a
// retry another server took first is skipped.
func (s *Dispatcher) RetryDuePayouts(ctx context.Context) (int, error) {
	var due []loan.ID
	err := s.Store.View(ctx, func(ctx context.Context, tx loan.Tx) error {
		var err error
		due, err = tx.DuePayoutRetries(ctx, s.now(), 100)
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range due {
		r, err := s.retryPayout(ctx, loan.PayoutAction{LoanID: id})
		if err != nil {
			return n, fmt.Errorf("loan %s: payout retry: %w", id, err)
		}
		if r != nil {
			n++
		}
	}
	return n, nil
}

// retryPayout starts the next attempt of a failed payout and sends it.
// An action without an operator is the automatic retry, which happens
// only while its retry is due (nil, nil otherwise).
func (s *Dispatcher) retryPayout(ctx context.Context, a loan.PayoutAction) (*loan.Record, error) {
	loanID := a.LoanID
	now := s.now()
	var (
		out *loan.Record
		pay *loan.Payment
	)
	err := s.Store.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		out, pay = nil, nil
		if a.Operator == "" {
			r, err := tx.LoanForUpdate(ctx, loanID)
			if err != nil {
				return err
			}
			// Taken under the loan's lock: an operator's action meanwhile
			// removed it, another server's worker took it.
			if took, err := tx.TakePayoutRetry(ctx, loanID, now); err != nil || !took || r.Status != loan.StatusDisbursementFailed {
				return err
			}
			out = r
		} else {
			r, err := failedPayout(ctx, tx, loanID, "retried")
			if err != nil {
				return err
			}
			if err := tx.ClearPayoutRetry(ctx, r.ID); err != nil {
				return err
			}
			out = r
		}
		var err error
		if pay, err = loan.StartPayout(ctx, tx, out, a, now); err != nil {
			return err
		}
		return tx.UpdateLoan(ctx, out)
	})
	if err != nil || out == nil {
		return nil, err
	}
	s.Send(ctx, out, pay)
	return out, nil
}

// CancelPayout is an operator giving up a failed payout: the loan is
// cancelled (status 11, finished, so the borrower may apply again), its
// scheduled retry removed, the borrower told — all in one transaction.
// Only a loan in status 33 can be cancelled (errs.Conflict otherwise).
func (s *Dispatcher) CancelPayout(ctx context.Context, a loan.PayoutAction) (*loan.Record, error) {
	if err := a.Validate(true); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(a.Reason)
	now := s.now()
	var out *loan.Record
	err := s.Store.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		r, err := failedPayout(ctx, tx, a.LoanID, "cancelled")
		if err != nil {
			return err
		}
		// A loan that never paid out has nothing on the ledger (see the
		// comment at the top of this file); one that shows money is not a
		// payout to cancel but a loan to look into.
		if r.PaidOut != 0 || r.Received != 0 || r.Credit != 0 || !r.Outstanding.IsZero() {
			return errs.E(errs.Conflict, "loan %s shows money booked (paid out %s, received %s): it cannot be cancelled as a failed payout",
				r.ID, r.PaidOut, r.Received)
		}
		if err := r.Fire(loan.EventCancel, now); err != nil {
			return err
		}
		if err := tx.ClearPayoutRetry(ctx, r.ID); err != nil {
			return err
		}
		if err := tx.AddPayoutEvent(ctx, &loan.PayoutEvent{LoanID: r.ID, Reference: r.PayoutReference(), Event: loan.PayoutCancelled,
			Detail: reason, Actor: a.Operator, At: now}); err != nil {
			return err
		}
		if err := tx.UpdateLoan(ctx, r); err != nil {
			return err
		}
		out = r
		return tx.AddMessage(ctx, &inbox.Message{UserID: r.UserID, Kind: inbox.KindLoan, Title: "Loan cancelled", CreatedAt: now,
			Content: fmt.Sprintf("We could not pay out loan %s, so it is cancelled: you owe nothing on it, and you may apply again.", r.ID)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PayoutEvents lists what happened to a loan's payout, oldest first.
func (s *Dispatcher) PayoutEvents(ctx context.Context, loanID loan.ID) ([]loan.PayoutEvent, error) {
	var out []loan.PayoutEvent
	err := s.Store.Read(ctx, func(ctx context.Context, tx loan.Tx) error {
		var err error
		out, err = tx.PayoutEvents(ctx, loanID)
		return err
	})
	return out, err
}

// Send asks the provider to pay out, registering the payout
// account first if it is not yet (recipient). A refusal marks the payout
// failed (status 33), and so does an account that could not be registered
// — retried automatically unless it cannot be registered as it stands; an
// error that leaves the outcome unknown keeps it pending for
// ResumeDisbursements to send again — the provider deduplicates by
// reference.
func (s *Dispatcher) Send(ctx context.Context, r *loan.Record, p *loan.Payment) {
	code, err := s.recipient(ctx, r)
	if err != nil {
		s.log().WarnContext(ctx, "payout account not registered with the provider", "loan", r.ID, "reference", p.Reference, "err", err)
		s.payoutNotSent(ctx, r, loan.PaymentResult{Reference: p.Reference, Code: "recipient_not_registered",
			Reason:    "the bank account could not be registered with the payment provider: " + errs.Message(err),
			Retriable: !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.NotFound)})
		return
	}
	err = s.Provider.Disburse(ctx, p.Reference, code, p.Amount, r.Pricing.Currency)
	if err == nil {
		return
	}
	s.log().WarnContext(ctx, "disbursement not sent", "loan", r.ID, "reference", p.Reference, "err", err)
	if errs.Is(err, errs.Invalid) {
		// The provider refused the request itself: sending it again
		// unchanged cannot succeed.
		s.payoutNotSent(ctx, r, loan.PaymentResult{Reference: p.Reference, Reason: errs.Message(err), Code: "invalid_request"})
	}
}

// ResumeDisbursements sends again payouts that stayed pending longer than
// age (a crash between storing the payout and calling the provider, or a
// provider outage). It returns how many it sent. Only a loan's current
// attempt, while the loan waits for it, is sent: an attempt overtaken by
// an earlier one reported paid after all (Paid) would pay the
// borrower twice, so it stays pending, for staff to see as stuck.
func (s *Dispatcher) ResumeDisbursements(ctx context.Context, age time.Duration) (int, error) {
	var stale []loan.Payment
	err := s.Store.View(ctx, func(ctx context.Context, tx loan.Tx) error {
		var err error
		stale, err = tx.StalePayments(ctx, loan.PayDisbursement, s.now().Add(-age), 100)
		return err
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for i := range stale {
		var r *loan.Record
		err := s.Store.View(ctx, func(ctx context.Context, tx loan.Tx) error {
			var err error
			r, err = tx.UserLoan(ctx, stale[i].UserID, stale[i].LoanID)
			return err
		})
		if err != nil {
			return sent, err
		}
		if r.Status != loan.StatusDisbursing || r.PayoutReference() != stale[i].Reference {
			s.log().WarnContext(ctx, "pending payout not sent again: its loan is not waiting for it", "loan", r.ID,
				"reference", stale[i].Reference, "status", int(r.Status))
			continue
		}
		s.Send(ctx, r, &stale[i])
		sent++
	}
	return sent, nil
}
