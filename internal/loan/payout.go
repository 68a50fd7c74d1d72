package loan

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/ledger"
)

// A payout that fails leaves the loan in status 33. A failure the
// provider calls retriable is sent again by itself after a backoff, a
// bounded number of times (PayoutRetry); after that, or after a failure
// that is not retriable, the loan waits for an operator, who retries or
// cancels it (RetryDisbursement, CancelPayout). Each step is a
// PayoutEvent, stored with the loan's new state, which the console shows
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
// A provider may report a failed attempt paid after all: payoutPaid books
// it as the disbursement while the loan still waits for its payout, and
// flags it on the timeline when the loan can no longer take it.

// PayoutRetry bounds the automatic retries of failed payouts. The zero
// value means DefaultPayoutRetry.
type PayoutRetry struct {
	// MaxAttempts counts every attempt, the first included: with 5, a
	// payout is sent at most 4 more times by itself.
	MaxAttempts int
	// Backoff is the wait after the first failure; it doubles after each
	// further one, up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
}

// DefaultPayoutRetry is 5 attempts, 1, 2, 4 and 8 minutes apart.
var DefaultPayoutRetry = PayoutRetry{MaxAttempts: 5, Backoff: time.Minute, MaxBackoff: time.Hour}

func (p PayoutRetry) orDefault() PayoutRetry {
	if p.MaxAttempts <= 0 {
		return DefaultPayoutRetry
	}
	return p
}

// Next is the wait before the next attempt after attempts failed ones,
// and false when no automatic attempt is left.
func (p PayoutRetry) Next(attempts int) (time.Duration, bool) {
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

// Payout events, in the order they usually happen.
const (
	PayoutSent           = "sent"
	PayoutFailed         = "failed"
	PayoutRetryScheduled = "retry-scheduled"
	PayoutOperatorNeeded = "operator-needed"
	PayoutCancelled      = "cancelled"
	// The provider reported a failed attempt paid after all: booked as
	// the loan's disbursement, and any retry still to come removed.
	PayoutPaidLate = "paid-late"
	// The provider reported an attempt paid on a loan already paid out by
	// another one, or cancelled: money sent that the loan's books cannot
	// take, for staff to recover.
	PayoutPaidUnbooked = "paid-unbooked"
)

// PayoutEvent is one step of a loan's payout.
type PayoutEvent struct {
	LoanID    ID
	Reference string // the attempt's payment reference
	Event     string // PayoutSent …
	Code      string // failed: the provider's failure code
	Detail    string // failed: the reason; operator-needed: why; cancelled: the operator's reason
	Actor     string // the operator who acted; empty for the engine
	DueAt     time.Time
	At        time.Time
}

// String is the event as the console's timeline says it.
func (e PayoutEvent) String() string {
	switch e.Event {
	case PayoutSent:
		if e.Actor != "" && e.Detail != "" {
			return fmt.Sprintf("payout %s sent, retried by %s: %s", e.Reference, e.Actor, e.Detail)
		}
		if e.Actor != "" {
			return fmt.Sprintf("payout %s sent, retried by %s", e.Reference, e.Actor)
		}
		return fmt.Sprintf("payout %s sent", e.Reference)
	case PayoutFailed:
		code := e.Code
		if code == "" {
			code = "no code"
		}
		return fmt.Sprintf("payout %s failed (%s): %s", e.Reference, code, e.Detail)
	case PayoutRetryScheduled:
		return "payout retry scheduled for " + e.DueAt.Format(time.DateTime)
	case PayoutOperatorNeeded:
		return "payout waits for an operator: " + e.Detail
	case PayoutCancelled:
		return fmt.Sprintf("payout cancelled by %s: %s", e.Actor, e.Detail)
	case PayoutPaidLate:
		return fmt.Sprintf("payout %s reported paid after it failed: %s", e.Reference, e.Detail)
	case PayoutPaidUnbooked:
		return fmt.Sprintf("payout %s reported paid but not booked: %s", e.Reference, e.Detail)
	}
	return "payout " + e.Event
}

// insertPayout records the attempt r.beginDisbursement counted: its
// payment and its "sent" event, with the operator who asked for it, if
// one did.
func insertPayout(ctx context.Context, tx Tx, r *Record, by PayoutAction, now time.Time) (*Payment, error) {
	p := r.payout(now)
	if err := tx.InsertPayment(ctx, p); err != nil {
		return nil, err
	}
	return p, tx.AddPayoutEvent(ctx, &PayoutEvent{LoanID: r.ID, Reference: p.Reference, Event: PayoutSent,
		Actor: by.Operator, Detail: strings.TrimSpace(by.Reason), At: now})
}

// payoutFailed records a failed attempt on r (already locked, its
// payment p marked failed): the event, and either the next automatic
// attempt or the wait for an operator. It returns the borrower's message.
// The failure of an attempt sent before an earlier one was reported paid
// after all (payoutPaid) is only recorded: the loan is paid out.
func (s *Service) payoutFailed(ctx context.Context, tx Tx, r *Record, p *Payment, res PaymentResult, now time.Time) ([]inbox.Message, error) {
	reason := strings.TrimSpace(res.Reason)
	if reason == "" {
		reason = "the payment provider gave no reason"
	}
	ev := []PayoutEvent{{LoanID: r.ID, Reference: p.Reference, Event: PayoutFailed, Code: res.Code, Detail: reason, At: now}}
	if r.Status != StatusDisbursing {
		return nil, tx.AddPayoutEvent(ctx, &ev[0])
	}
	if err := r.Fire(EventDisbursementFailed, now); err != nil {
		return nil, err
	}
	m := inbox.Message{Kind: inbox.KindLoan, Title: "Payout failed"}
	wait, again := s.PayoutRetry.Next(r.Disbursements)
	switch {
	case res.Retriable && again:
		due := now.Add(wait)
		if err := tx.SchedulePayoutRetry(ctx, r.ID, due); err != nil {
			return nil, err
		}
		ev = append(ev, PayoutEvent{LoanID: r.ID, Reference: p.Reference, Event: PayoutRetryScheduled, DueAt: due, At: now})
		m.Content = fmt.Sprintf("We could not pay out loan %s to your bank account: %s. We will try again at %s.",
			r.ID, reason, due.Format("15:04"))
	default:
		why := fmt.Sprintf("%q is not a failure worth retrying", res.Code)
		if res.Retriable {
			why = fmt.Sprintf("%d attempts made, the most sent automatically", r.Disbursements)
		}
		ev = append(ev, PayoutEvent{LoanID: r.ID, Reference: p.Reference, Event: PayoutOperatorNeeded, Detail: why, At: now})
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

// payoutPaid books a payout attempt the provider reports paid on r
// (already locked, p marked paid) and returns what it posts and the
// borrower's message. An attempt that had failed was paid after all: it
// is the disbursement, and a retry still scheduled is removed so the
// money is not sent again (an attempt already sent again is named on the
// timeline). A loan that is no longer waiting for its payout — paid out
// by another attempt, or cancelled — cannot take the money: it is logged
// as an error and flagged on the timeline for staff, and the webhook is
// answered, since refusing it would only have it sent again.
func (s *Service) payoutPaid(ctx context.Context, tx Tx, r *Record, p *Payment, late bool, now time.Time) ([]ledger.Transaction, []inbox.Message, error) {
	if r.Status != StatusDisbursing && r.Status != StatusDisbursementFailed {
		detail := fmt.Sprintf("%s sent while loan %s is %s; recover it from the borrower", p.Amount, r.ID, statusNames[r.Status])
		s.log().ErrorContext(ctx, "payout reported paid on a loan that cannot book it", "loan", r.ID, "reference", p.Reference,
			"amount", p.Amount, "status", int(r.Status))
		return nil, nil, tx.AddPayoutEvent(ctx, &PayoutEvent{LoanID: r.ID, Reference: p.Reference, Event: PayoutPaidUnbooked,
			Detail: detail, At: now})
	}
	inFlight := r.Status == StatusDisbursing && late
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
			detail += fmt.Sprintf("; payout %s was sent again meanwhile, and is flagged if it is paid too", r.payout(now).Reference)
		}
		s.log().WarnContext(ctx, "failed payout reported paid after all", "loan", r.ID, "reference", p.Reference, "retry_in_flight", inFlight)
		if err := tx.AddPayoutEvent(ctx, &PayoutEvent{LoanID: r.ID, Reference: p.Reference, Event: PayoutPaidLate,
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
func (s *Service) payoutNotSent(ctx context.Context, r *Record, res PaymentResult) {
	if err := s.HandlePayment(ctx, res); err != nil {
		s.log().ErrorContext(ctx, "recording a payout not sent", "loan", r.ID, "reference", res.Reference, "err", err)
	}
}

// recipient is the provider's code for r's payout account. A loan applied
// for before the borrower registered the account has none: the account is
// registered now, and the code kept on the loan so later attempts reuse
// it. Failing to keep it is only logged: the account keeps the code too,
// and answers it to the next attempt.
func (s *Service) recipient(ctx context.Context, r *Record) (string, error) {
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
	err = s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
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
func failedPayout(ctx context.Context, tx Tx, loanID ID, action string) (*Record, error) {
	r, err := tx.LoanForUpdate(ctx, loanID)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusDisbursementFailed {
		return nil, errs.E(errs.Conflict, "loan %s is %s: only a loan whose payout failed (status %d) can have its payout %s",
			r.ID, r.Status, int(StatusDisbursementFailed), action)
	}
	return r, nil
}

// PayoutAction is an operator's retry or cancel of a failed payout.
type PayoutAction struct {
	LoanID   ID
	Operator string // who acts; recorded on the loan's timeline
	Reason   string // required to cancel
}

// Validate checks an action before anything is written: an operator of
// 1–64 characters and a reason of at most 500 (required to cancel), both
// UTF-8 text without control characters (the reason may break lines),
// which every store can keep.
func (a PayoutAction) Validate(reasonRequired bool) error {
	if strings.TrimSpace(a.Operator) == "" || len(a.Operator) > 64 {
		return errs.InvalidField("operator", "must be 1–64 characters")
	}
	if !plainText(a.Operator, false) {
		return errs.InvalidField("operator", "must be UTF-8 text without control characters")
	}
	if reasonRequired && strings.TrimSpace(a.Reason) == "" {
		return errs.Required("reason")
	}
	if len(a.Reason) > 500 {
		return errs.InvalidField("reason", "must be at most 500 characters")
	}
	if !plainText(a.Reason, true) {
		return errs.InvalidField("reason", "must be UTF-8 text without control characters")
	}
	return nil
}

// plainText reports whether s is valid UTF-8 without control characters
// (but line breaks and tabs, when lines).
func plainText(s string, lines bool) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return (r < 0x20 || r == 0x7f) && !(lines && (r == '\n' || r == '\r' || r == '\t'))
	})
}

// RetryDisbursement is an operator sending a failed payout again, at once
// and whatever the automatic attempts left: a new attempt with its own
// reference. Only a loan in status 33 can be retried (errs.Conflict
// otherwise), so of concurrent retries and cancels exactly one wins.
func (s *Service) RetryDisbursement(ctx context.Context, a PayoutAction) (*Record, error) {
	if err := a.Validate(false); err != nil {
		return nil, err
	}
	return s.retryPayout(ctx, a)
}

// RetryDuePayouts sends the automatic retries that are due and returns
// how many it sent. The retry worker in serve calls it periodically; a
// retry another server took first is skipped.
func (s *Service) RetryDuePayouts(ctx context.Context) (int, error) {
	var due []ID
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		due, err = tx.DuePayoutRetries(ctx, s.now(), 100)
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range due {
		r, err := s.retryPayout(ctx, PayoutAction{LoanID: id})
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
func (s *Service) retryPayout(ctx context.Context, a PayoutAction) (*Record, error) {
	loanID := a.LoanID
	now := s.now()
	var (
		out *Record
		pay *Payment
	)
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		out, pay = nil, nil
		if a.Operator == "" {
			r, err := tx.LoanForUpdate(ctx, loanID)
			if err != nil {
				return err
			}
			// Taken under the loan's lock: an operator's action meanwhile
			// removed it, another server's worker took it.
			if took, err := tx.TakePayoutRetry(ctx, loanID, now); err != nil || !took || r.Status != StatusDisbursementFailed {
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
		if err := out.beginDisbursement(now); err != nil {
			return err
		}
		var err error
		if pay, err = insertPayout(ctx, tx, out, a, now); err != nil {
			return err
		}
		return tx.UpdateLoan(ctx, out)
	})
	if err != nil || out == nil {
		return nil, err
	}
	s.sendDisbursement(ctx, out, pay)
	return out, nil
}

// CancelPayout is an operator giving up a failed payout: the loan is
// cancelled (status 11, finished, so the borrower may apply again), its
// scheduled retry removed, the borrower told — all in one transaction.
// Only a loan in status 33 can be cancelled (errs.Conflict otherwise).
func (s *Service) CancelPayout(ctx context.Context, a PayoutAction) (*Record, error) {
	if err := a.Validate(true); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(a.Reason)
	now := s.now()
	var out *Record
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
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
		if err := r.Fire(EventCancel, now); err != nil {
			return err
		}
		if err := tx.ClearPayoutRetry(ctx, r.ID); err != nil {
			return err
		}
		if err := tx.AddPayoutEvent(ctx, &PayoutEvent{LoanID: r.ID, Reference: r.payout(now).Reference, Event: PayoutCancelled,
			Detail: reason, Actor: a.Operator, At: now}); err != nil {
			return err
		}
		if err := tx.UpdateLoan(ctx, r); err != nil {
			return err
		}
		out = r
		return addMessages(ctx, tx, r.UserID, []inbox.Message{{Kind: inbox.KindLoan, Title: "Loan cancelled",
			Content: fmt.Sprintf("We could not pay out loan %s, so it is cancelled: you owe nothing on it, and you may apply again.", r.ID)}}, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PayoutEvents lists what happened to a loan's payout, oldest first.
func (s *Service) PayoutEvents(ctx context.Context, loanID ID) ([]PayoutEvent, error) {
	var out []PayoutEvent
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		out, err = tx.PayoutEvents(ctx, loanID)
		return err
	})
	return out, err
}
