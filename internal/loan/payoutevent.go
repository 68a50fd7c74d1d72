package loan

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"creditpocket/internal/errs"
)

// A payout attempt and what happens to it are recorded as PayoutEvents,
// stored with the loan's new state; package payout sends payouts, retries
// them and cancels them (see its documentation).

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
