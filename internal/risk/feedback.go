package risk

import (
	"fmt"
	"time"
)

// FeedbackOutcome is one thing a lender reports about a decision through
// the feedback API: whether it went ahead with the loan and, later, how the
// loan ended.
type FeedbackOutcome string

// Feedback outcomes.
const (
	OutcomeAccept    FeedbackOutcome = "accept"    // the lender disbursed the loan
	OutcomeDecline   FeedbackOutcome = "decline"   // the lender did not
	OutcomeRepaid    FeedbackOutcome = "repaid"    // the loan was repaid in full
	OutcomeDefaulted FeedbackOutcome = "defaulted" // the loan was not
)

// ParseFeedbackOutcome checks an outcome's spelling.
func ParseFeedbackOutcome(s string) (FeedbackOutcome, error) {
	switch o := FeedbackOutcome(s); o {
	case OutcomeAccept, OutcomeDecline, OutcomeRepaid, OutcomeDefaulted:
		return o, nil
	}
	return "", fmt.Errorf("risk: feedback outcome must be accept, decline, repaid or defaulted, got %q", truncate(s))
}

// ErrFeedbackConflict is returned by Feedback.Add for an outcome that
// contradicts one already recorded.
var ErrFeedbackConflict = fmt.Errorf("risk: feedback contradicts an earlier outcome")

// Add folds one reported outcome into the feedback. Outcomes may arrive in
// any order and more than once: repaid or defaulted imply the loan was
// accepted, and the latest of repaid and defaulted wins (a defaulted loan
// may be recovered). Declining a loan the lender reported as accepted (or
// the reverse) is refused with ErrFeedbackConflict.
func (f *Feedback) Add(o FeedbackOutcome, at time.Time) error {
	declined := !f.Approved && !f.At.IsZero()
	switch o {
	case OutcomeDecline:
		if f.Approved {
			return fmt.Errorf("%w: %s after the loan was accepted", ErrFeedbackConflict, o)
		}
	case OutcomeAccept, OutcomeRepaid, OutcomeDefaulted:
		if declined {
			return fmt.Errorf("%w: %s after the loan was declined", ErrFeedbackConflict, o)
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
