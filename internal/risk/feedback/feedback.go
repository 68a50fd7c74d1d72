// Package feedback folds what lenders report about a risk decision — that
// they went ahead with the loan or not, then how it was repaid — into one
// Feedback per decision, joined by sequence_id. Reports may arrive in any
// order and more than once; a report that contradicts an earlier one is
// refused. The store keeps the reports; policy simulation (risk.Simulate)
// reads the folded Feedback.
package feedback

import (
	"fmt"
	"time"

	"creditpocket/internal/risk/event"
)

// Repayment is how an approved loan ended.
type Repayment string

// Repayment outcomes; empty while the loan is running.
const (
	Repaid    Repayment = "repaid"
	Defaulted Repayment = "defaulted"
)

// Feedback is what became of a decision, joined by sequence_id: whether the
// lender went ahead with the loan and, once known, how it was repaid.
type Feedback struct {
	Approved  bool      `json:"approved"`            // the loan was disbursed
	Repayment Repayment `json:"repayment,omitempty"` // known only for approved, finished loans
	At        time.Time `json:"at"`                  // the latest outcome reported

	repaymentAt time.Time // when Repayment was reported, for Add
}

// Outcome is one thing a lender reports about a decision through
// the feedback API: whether it went ahead with the loan and, later, how the
// loan ended.
type Outcome string

// Feedback outcomes.
const (
	OutcomeAccept    Outcome = "accept"    // the lender disbursed the loan
	OutcomeDecline   Outcome = "decline"   // the lender did not
	OutcomeRepaid    Outcome = "repaid"    // the loan was repaid in full
	OutcomeDefaulted Outcome = "defaulted" // the loan was not
)

// ParseOutcome checks an outcome's spelling.
func ParseOutcome(s string) (Outcome, error) {
	switch o := Outcome(s); o {
	case OutcomeAccept, OutcomeDecline, OutcomeRepaid, OutcomeDefaulted:
		return o, nil
	}
	return "", fmt.Errorf("risk: feedback outcome must be accept, decline, repaid or defaulted, got %q", event.Excerpt(s))
}

// ErrConflict is returned by Feedback.Add for an outcome that contradicts
// one already recorded.
var ErrConflict = fmt.Errorf("risk: feedback contradicts an earlier outcome")

// Add folds one reported outcome into the feedback. Outcomes may arrive in
// any order and more than once: repaid or defaulted imply the loan was
// accepted, and the latest of repaid and defaulted wins (a defaulted loan
// may be recovered). Declining a loan the lender reported as accepted (or
// the reverse) is refused with ErrConflict.
func (f *Feedback) Add(o Outcome, at time.Time) error {
	declined := !f.Approved && !f.At.IsZero()
	switch o {
	case OutcomeDecline:
		if f.Approved {
			return fmt.Errorf("%w: %s after the loan was accepted", ErrConflict, o)
		}
	case OutcomeAccept, OutcomeRepaid, OutcomeDefaulted:
		if declined {
			return fmt.Errorf("%w: %s after the loan was declined", ErrConflict, o)
		}
		f.Approved = true
		if o != OutcomeAccept && (f.Repayment == "" || !at.Before(f.repaymentAt)) {
			f.Repayment, f.repaymentAt = Repayment(o), at
		}
	default:
		return fmt.Errorf("risk: unknown feedback outcome %q", o)
	}
	if at.After(f.At) {
		f.At = at
	}
	return nil
}
